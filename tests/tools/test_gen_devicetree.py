"""The devicetree generators: the Zephyr overlay (gen_dts) and the Linux guest fragments
(gen_linux_dt). Both compile with dtc; the overlay of the demo is equivalent to the
hand-written zephyr-app/boards/qemu_cortex_a53.overlay; a fragment has a protocol node exactly for
each granted kind and a child exactly for each modelled target, at the guest address."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sysdesc import gen_dts, gen_linux_dt, load_system
from sysdesc.dt_text import I2C_TEN_BIT_ADDRESS
from sysdesc.model import System

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
HAND_OVERLAY = REPO / "zephyr-app" / "boards" / "qemu_cortex_a53.overlay"
# The root a Zephyr board gives overlays (qemu_cortex_a53: 2 address and size cells).
ZEPHYR_ROOT = "/dts-v1/;\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n};\n"
# A guest root with the virtio transport the fragment adds its I2C adapter to.
LINUX_ROOT = (
    "/dts-v1/;\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n"
    '\tvbe_virtio_i2c: virtio_mmio@a003e00 {\n\t\tcompatible = "virtio,mmio";\n'
    "\t\treg = <0x0 0xa003e00 0x0 0x200>;\n\t};\n};\n"
)


def _dtc() -> str:
    dtc = shutil.which("dtc")
    if dtc is None:
        pytest.skip("dtc not installed (apt-get install device-tree-compiler; scripts/setup)")
    return dtc


def _compile(tmp: Path, root: str, include: str, name: str) -> str:
    """dtc's view of ``root`` + ``include``: sorted DTS text; dtc warnings fail the test."""
    inc = tmp / name
    inc.write_text(include)
    top = tmp / f"{name}.top.dts"
    top.write_text(f'{root}/include/ "{inc.name}"\n')
    proc = subprocess.run(
        [_dtc(), "-I", "dts", "-O", "dts", "-s", "-o", "-", str(top)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    return proc.stdout


@pytest.fixture(params=EXAMPLES, ids=[p.stem for p in EXAMPLES])
def system(request: pytest.FixtureRequest) -> System:
    return load_system(request.param).system


def test_overlay_equivalent_to_hand_written(tmp_path: Path) -> None:
    """The demo's generated overlay and zephyr-app/boards/qemu_cortex_a53.overlay compile to the same
    tree: windows, bus, chosen, emulator; only the emulator's label differs."""
    demo = load_system(REPO / "examples" / "demo.yaml").system

    def tree(text: str, name: str) -> str:
        dts = _compile(tmp_path, ZEPHYR_ROOT, text, name)
        # labels the port does not use (vbe_win<i>, vbe_i2c<N> are what it uses)
        return re.sub(r"\b(?!vbe_win\d+:|vbe_i2c\d+:)\w+: ", "", dts)

    generated = tree(gen_dts.generate(demo), "gen.overlay")
    hand = tree(HAND_OVERLAY.read_text(), "hand.overlay")
    assert generated == hand
    assert "vbe_win0: window@48000000" in generated and "vbe,i2c-bus0" in generated


def test_overlay_compiles(system: System, tmp_path: Path) -> None:
    dts = _compile(tmp_path, ZEPHYR_ROOT, gen_dts.generate(system), "vbe.overlay")
    for g in system.guests:
        assert f"vbe_win{g.index}: window@" in dts
    for b in system.platform.i2c_buses:
        assert f'vbe,i2c-bus{b.id} = "/i2c@' in dts


def test_overlay_windows_follow_the_board(system: System) -> None:
    addrs = gen_dts.window_addresses(system)
    assert addrs[0] == 0x48000000  # the hand-written overlay's window base
    for a, b, g in zip(addrs, addrs[1:], system.guests, strict=False):
        assert b >= a + g.window.size and a % 4096 == 0
    if system.board == "qemu_cortex_a53":
        assert addrs == [g.window.address for g in system.guests]


def test_overlay_names_every_key(system: System) -> None:
    text = gen_dts.generate(system)
    keys = [g.window.key for g in system.guests] + [b.key for b in system.platform.i2c_buses]
    keys += [t.key for t in system.platform.targets]
    for key in keys:
        assert f"{key}: " in text, key


def test_overlay_emulates_only_what_zephyr_has(system: System) -> None:
    text = re.sub(r"\n\t* \* ", " ", gen_dts.generate(system))  # wrapped comments on one line
    emulated = [t for t in system.platform.targets if gen_dts.emulated(t)]
    assert text.count('compatible = "atmel,at24";') == len(emulated)
    for t in system.platform.targets:
        if not gen_dts.emulated(t):
            assert re.search(rf"{re.escape(t.key)}: .*(no|only)", text), t.key


def test_port_limits_read_from_the_port() -> None:
    lim = gen_dts.port_limits()
    assert lim.windows >= 2 and lim.buses >= 1


def test_linux_fragment_compiles(system: System, tmp_path: Path) -> None:
    for name, text in gen_linux_dt.generate(system).items():
        _compile(tmp_path, LINUX_ROOT, text, name)


def _scmi_node(text: str) -> str:
    m = re.search(r"\tscmi \{", text)
    return text[m.start() :] if m else ""


def test_linux_fragment_protocols_are_the_grants(system: System) -> None:
    files = gen_linux_dt.generate(system)
    ids = gen_linux_dt.protocol_ids()
    for g in system.guests:
        text = files[gen_linux_dt.file_name(g)]
        found = {int(p, 16) for p in re.findall(r"protocol@([0-9a-f]+) \{", text)}
        want = {ids[k] for k in ids if g.scmi is not None and g.scmi.granted(k)}
        assert found == want, g.name
        assert ('compatible = "arm,scmi-virtio";' in text) == (g.scmi is not None)
        scmi = _scmi_node(text)
        if g.scmi is not None:
            for grant in g.scmi.grants:
                assert f"{grant.key}" in scmi, grant.key


def test_linux_fragment_protocol_cells(system: System) -> None:
    """The cells each protocol node has, as arm,scmi.yaml defines them."""
    want = {
        "11": "#power-domain-cells = <1>;",
        "13": "#power-domain-cells = <1>;",
        "14": "#clock-cells = <1>;",
        "15": "#thermal-sensor-cells = <1>;",
        "16": "#reset-cells = <1>;",
        "17": "regulators {",
    }
    for text in gen_linux_dt.generate(system).values():
        for proto, body in re.findall(r"protocol@(1[0-9a-f]) \{(.*?)\n\t\t\t\};", text, re.DOTALL):
            assert f"reg = <0x{proto}>;" in body
            assert want[proto] in body, proto


def test_linux_fragment_i2c_at_guest_addresses(system: System) -> None:
    files = gen_linux_dt.generate(system)
    for g in system.guests:
        text = files[gen_linux_dt.file_name(g)]
        if g.i2c is None:
            assert "virtio,device22" not in text
            continue
        assert 'compatible = "virtio,device22";' in text
        nodes = re.findall(r"\t\t(\w+)@([0-9a-f]+) \{\n\t\t\tcompatible = \"([\w,]+)\";", text)
        want = []
        for r in g.i2c.routes:
            if r.target is None or r.target.kind == "generic":
                assert f"{r.key}: guest" in text  # a comment still names it
                continue
            reg = r.guest_address | (I2C_TEN_BIT_ADDRESS if r.ten_bit else 0)
            if r.target.kind == "lm75":
                want.append(("sensor", f"{reg:x}", "national,lm75"))
            else:
                part = "24c02" if r.target.address_width == 1 else "24c32"
                want.append(("eeprom", f"{reg:x}", f"atmel,{part}"))
        assert nodes == want, g.name
        for r in g.i2c.routes:
            if r.read_only and r.target is not None and r.target.kind == "at24":
                node = text[text.index(f"eeprom@{r.guest_address:x} {{") :]
                assert "read-only;" in node.split("};")[0]


def test_linux_one_file_per_guest(system: System) -> None:
    files = gen_linux_dt.generate(system)
    assert sorted(files) == sorted(f"linux-{g.name}.dtsi" for g in system.guests)
