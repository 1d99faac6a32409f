"""The ``zephyr:`` key of SCMI platform resources: checked by the loader, written by gen_dts
as vbe,scmi-<kind> nodes that zephyr/dts/bindings accept (python-devicetree's edtlib, the
library Zephyr's build uses, reads the overlay with those bindings), and ``vbe check`` warns,
on a Zephyr board only, about the resources that have none."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sysdesc import gen_dts, loads_system
from sysdesc.loader import SysdescError

REPO = Path(__file__).resolve().parents[2]
BINDINGS = REPO / "zephyr" / "dts" / "bindings"
TEST_BINDINGS = Path(__file__).with_name("zephyr_test_bindings")

HOOKED = """\
system: {name: hook, board: qemu_cortex_a53}
platform:
  clocks:
    - {name: cpu, rates: [100MHz, 200MHz], zephyr: {clocks: "&cru 12", cell: id}}
    - {name: ref, rates: [24MHz]}
    - {name: osc, rates: [24MHz], zephyr: {clocks: "&osc"}}
  power_domains:
    - {name: gpu, zephyr: {domain: "&pd_gpu"}}
  perf_domains:
    - {name: cpu, levels: [{level: 1}, {level: 2}]}
  sensors:
    - {name: soc_temp, type: temperature, unit: mC, zephyr: {sensor: "&tsens", channel: die_temp}}
    - {name: vdd, type: voltage, unit: mV, zephyr: {sensor: "&vmon"}}
  resets:
    - {name: usb, zephyr: {resets: "&rstc 0x4"}}
  voltage_domains:
    - {name: vdd_io, levels_uv: [1800000, 3300000], zephyr: {regulator: "&ldo1"}}
guests:
  - name: g
    window: {size: 256K}
    scmi: {grants: {clocks: [cpu]}}
"""

# The board's side: the nodes the hookups name.
BOARD_ROOT = """/dts-v1/;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	cru: cru { compatible = "test,controller"; #clock-cells = <1>; #reset-cells = <1>; };
	rstc: rstc { compatible = "test,controller"; #clock-cells = <1>; #reset-cells = <1>; };
	osc: osc { compatible = "test,fixed-clock"; #clock-cells = <0>; };
	pd_gpu: pd { compatible = "test,device"; };
	ldo1: ldo1 { compatible = "test,device"; };
	tsens: tsens { compatible = "test,device"; };
	vmon: vmon { compatible = "test,device"; };
};
"""


def _problems(text: str) -> list[str]:
    with pytest.raises(SysdescError) as exc:
        loads_system(text, "t.yaml")
    return [f"{p.path}: {p.message}" for p in exc.value.problems]


def test_hookups_in_the_model() -> None:
    plat = loads_system(HOOKED, "t.yaml").system.platform
    cpu, ref, osc = plat.clocks
    assert (cpu.zephyr.label, cpu.zephyr.cells, cpu.zephyr.cell) == ("cru", (12,), "id")
    assert ref.zephyr is None
    assert osc.zephyr.ref == "&osc" and osc.zephyr.cell is None
    assert plat.resets[0].zephyr.ref == "&rstc 4"
    assert plat.sensors[1].zephyr.channel == "voltage"  # the default for a voltage sensor
    assert plat.power_domains[0].zephyr.prop == "domain"
    assert plat.voltage_domains[0].zephyr.key == "platform.voltage_domains[0].zephyr"


def test_overlay_nodes() -> None:
    text = gen_dts.generate(loads_system(HOOKED, "t.yaml").system)
    assert 'compatible = "vbe,scmi-clocks";' in text
    assert "clock@0 {\n\t\t\treg = <0x0>;\n\t\t\tclocks = <&cru 12>;" in text
    assert 'subsys-cell = "id";' in text
    assert "clock@1" not in text  # ref has no hookup: no child, NOT_SUPPORTED
    assert "clock@2 {\n\t\t\treg = <0x2>;\n\t\t\tclocks = <&osc>;\n\t\t};" in text
    assert "resets = <&rstc 4>;" in text and "regulator = <&ldo1>;" in text
    assert "domain = <&pd_gpu>;" in text and 'channel = "die_temp";' in text
    assert "perf" not in text.split("*/", 1)[1]


def test_no_hookups_no_nodes() -> None:
    demo = REPO / "examples" / "demo.yaml"
    text = gen_dts.generate(loads_system(demo.read_text(), str(demo)).system)
    assert "vbe,scmi-" not in text


def test_overlay_matches_the_bindings(tmp_path: Path) -> None:
    """edtlib reads the overlay on a board root with zephyr-app's bindings: every node is
    bound, the specifier cells get their names, the children's reg is the platform id."""
    edtlib = pytest.importorskip("devicetree.edtlib")
    overlay = gen_dts.generate(loads_system(HOOKED, "t.yaml").system)
    dts = tmp_path / "board.dts"
    dts.write_text(BOARD_ROOT + overlay[overlay.index("/ {") :])
    edt = edtlib.EDT(str(dts), [str(TEST_BINDINGS), str(BINDINGS)])
    seen = {}
    for node in edt.nodes:
        if node.compats and node.compats[0].startswith("vbe,scmi-"):
            assert node.binding_path and Path(node.binding_path).parent == BINDINGS
            for child in node.children.values():
                seen[child.path] = (child.regs[0].addr, child.props)
    assert seen["/scmi-clocks/clock@0"][0] == 0
    clk = seen["/scmi-clocks/clock@0"][1]["clocks"].val[0]
    assert clk.controller.path == "/cru" and dict(clk.data) == {"id": 12}
    assert seen["/scmi-clocks/clock@2"][0] == 2
    rst = seen["/scmi-resets/reset@0"][1]["resets"].val[0]
    assert rst.controller.path == "/rstc" and dict(rst.data) == {"id": 4}
    assert seen["/scmi-sensors/sensor@1"][1]["sensor"].val.path == "/vmon"
    assert seen["/scmi-regulators/regulator@0"][1]["regulator"].val.path == "/ldo1"
    assert seen["/scmi-power-domains/domain@0"][1]["domain"].val.path == "/pd"


def test_overlay_compiles_with_dtc(tmp_path: Path) -> None:
    dtc = shutil.which("dtc")
    if dtc is None:
        pytest.skip("dtc not installed")
    overlay = gen_dts.generate(loads_system(HOOKED, "t.yaml").system)
    (tmp_path / "b.dts").write_text(BOARD_ROOT + overlay[overlay.index("/ {") :])
    proc = subprocess.run(
        [dtc, "-I", "dts", "-O", "dts", "-o", "-", str(tmp_path / "b.dts")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and not proc.stderr, proc.stderr


def test_zephyr_board_warns_per_kind_without_hookup() -> None:
    loaded = loads_system(HOOKED, "t.yaml")
    by_path = {w.path: w.message for w in loaded.warnings}
    assert set(by_path) == {"platform.clocks", "platform.perf_domains"}
    assert by_path["platform.clocks"].startswith("1 of 3 clocks have no Zephyr device (ref)")
    assert "NOT_SUPPORTED" in by_path["platform.clocks"]
    assert "PERFORMANCE_LEVEL_SET answers NOT_SUPPORTED" in by_path["platform.perf_domains"]


def test_other_boards_do_not_warn() -> None:
    text = HOOKED.replace("board: qemu_cortex_a53", "board: qemu_virt_baremetal")
    assert loads_system(text, "t.yaml").warnings == ()


@pytest.mark.parametrize(
    "old, new, expect",
    [
        (
            '{clocks: "&cru 12", cell: id}',
            '{clocks: "&cru 12"}',
            "platform.clocks[0].zephyr: '&cru 12' has specifier cells: add `cell:`",
        ),
        (
            '{clocks: "&osc"}',
            '{clocks: "&osc", cell: id}',
            "platform.clocks[2].zephyr.cell: '&osc' has no specifier cells",
        ),
        (
            '{resets: "&rstc 0x4"}',
            '{resets: "&rstc"}',
            "platform.resets[0].zephyr.resets: '&rstc': a reset line is the controller and one",
        ),
        (
            '{sensor: "&tsens", channel: die_temp}',
            '{sensor: "&tsens"}',
            (
                "platform.sensors[0].zephyr: a temperature sensor reads one of several Zephyr "
                "channels: add `channel:` (die_temp or ambient_temp)"
            ),
        ),
        (
            '{sensor: "&vmon"}',
            '{sensor: "&vmon", channel: rpm}',
            "platform.sensors[1].zephyr.channel: Zephyr channel rpm does not report a voltage",
        ),
        (
            '{regulator: "&ldo1"}',
            '{regulator: "&ldo1 3"}',
            "platform.voltage_domains[0].zephyr.regulator:",
        ),
        (
            '{domain: "&pd_gpu"}',
            '{domain: "pd_gpu"}',
            "platform.power_domains[0].zephyr.domain:",
        ),
    ],
)
def test_bad_hookups(old: str, new: str, expect: str) -> None:
    assert HOOKED.count(old) == 1
    problems = _problems(HOOKED.replace(old, new))
    assert any(p.startswith(expect) for p in problems), problems
