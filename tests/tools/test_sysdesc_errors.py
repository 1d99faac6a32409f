"""Broken system descriptions: each must be refused with a message that names the right
path inside the document, the right line, and what to change.

Each case edits one valid description (BASE) by text replacement; the expected line is
the line of a snippet of the edited text, so the cases stay readable.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sysdesc import Problem, SysdescError, loads_system
from sysdesc.limits import core_limits

SIM_MAX = core_limits().max_sim_targets  # read from sim.h

BASE = """\
system:
  name: t
  board: qemu_virt_baremetal
platform:
  i2c_buses:
    - name: i2c0
      targets:
        - {name: eeprom, address: 0x50, kind: at24}
        - {name: temp, address: 0x48, kind: lm75}
  devices: [gpu]
  clocks:
    - {name: cpu, rates: [100MHz, 200MHz], default: 100MHz}
    - {name: pix, range: {min: 25MHz, max: 50MHz, step: 5MHz}}
  power_domains:
    - {name: gpu_pd, device: gpu}
  perf_domains:
    - {name: big, sustained: 2, levels: [{level: 1}, {level: 2}]}
  sensors:
    - {name: soc_temp, type: temperature, unit: mC}
guests:
  - name: ivi
    window: {size: 256K}
    scmi:
      grants:
        clocks: [cpu]
    i2c:
      bus: i2c0
      devices:
        - target: eeprom
        - target: temp
  - name: cluster
    window: {size: 128K}
    i2c:
      bus: i2c0
      devices:
        - target: eeprom
          read_only: true
          select_max: 1
"""

EXTRA_GUEST = """\
  - name: g{n}
    window: {{size: 64K}}
"""


@dataclass(frozen=True)
class Case:
    id: str
    old: str
    new: str
    path: str
    line_of: str  # a snippet of the broken text on the line the problem must name
    fix: str  # part of the message that says what to change
    count: int = 1  # how often ``old`` is replaced (-1: every occurrence)


CASES = [
    Case(
        "yaml-syntax",
        "window: {size: 256K}",
        "window: {size: 256K",
        "(top level)",
        "scmi:",
        "YAML syntax",
    ),
    Case(
        "duplicate-key",
        "  board: qemu_virt_baremetal\n",
        "  board: qemu_virt_baremetal\n  board: host\n",
        "system.board",
        "board: host",
        "keep one",
    ),
    Case(
        "unknown-key-typo",
        "kind: lm75}",
        "kind: lm75, adress_width: 1}",
        "platform.i2c_buses[0].targets[1].adress_width",
        "adress_width",
        'did you mean "address_width"',
    ),
    Case(
        "missing-key", "  board: qemu_virt_baremetal\n", "", "system", "system:", "add `board: ...`"
    ),
    Case(
        "bad-enum",
        "kind: at24",
        "kind: at42",
        "platform.i2c_buses[0].targets[0].kind",
        "at42",
        'did you mean "at24"',
    ),
    Case(
        "bad-size",
        "{size: 256K}",
        "{size: 256Q}",
        "guests[0].window.size",
        "256Q",
        '"256K" or "1M"',
    ),
    Case(
        "bad-name",
        "  - name: ivi",
        "  - name: Ivi",
        "guests[0].name",
        "name: Ivi",
        "lowercase letters",
    ),
    Case(
        "unknown-board",
        "board: qemu_virt_baremetal",
        "board: qemu_virt_baremetl",
        "system.board",
        "board:",
        'did you mean "qemu_virt_baremetal"',
    ),
    Case(
        "unknown-bus",
        "      bus: i2c0\n      devices:\n        - target: eeprom\n        - target: temp",
        "      bus: i2c1\n      devices:\n        - target: eeprom\n        - target: temp",
        "guests[0].i2c.bus",
        "bus: i2c1",
        'did you mean "i2c0"',
    ),
    Case(
        "unknown-target",
        "        - target: temp\n",
        "        - target: tmep\n",
        "guests[0].i2c.devices[1].target",
        "target: tmep",
        'did you mean "temp"',
    ),
    Case(
        "duplicate-guest",
        "  - name: cluster",
        "  - name: ivi  # again",
        "guests[1].name",
        "# again",
        "another name",
    ),
    Case(
        "duplicate-target-address",
        "address: 0x48",
        "address: 0x50",
        "platform.i2c_buses[0].targets[1].address",
        "name: temp",
        "change one",
    ),
    Case(
        "remap-collision",
        "          select_max: 1\n",
        "          select_max: 1\n        - {target: temp, guest_address: 0x50}\n",
        "guests[1].i2c.devices[1].guest_address",
        "guest_address: 0x50",
        "different guest_address",
    ),
    Case(
        "absent-is-a-target",
        "          select_max: 1\n",
        "          select_max: 1\n        - address: 0x48\n",
        "guests[1].i2c.devices[1].address",
        "- address: 0x48",
        "write `target: temp`",
    ),
    Case(
        "not-7bit",
        "          select_max: 1\n",
        "          select_max: 1\n        - address: 0x90\n",
        "guests[1].i2c.devices[1].address",
        "address: 0x90",
        "add `ten_bit: true`",
    ),
    Case(
        "select-on-rw",
        "          read_only: true\n",
        "",
        "guests[1].i2c.devices[0].select_max",
        "select_max: 1",
        "add `read_only: true`",
    ),
    Case(
        "select-too-wide",
        "select_max: 1",
        "select_max: 2",
        "guests[1].i2c.devices[0].select_max",
        "select_max: 2",
        "at most 1",
    ),
    Case(
        "default-not-a-rate",
        "default: 100MHz",
        "default: 150MHz",
        "platform.clocks[0].default",
        "default: 150MHz",
        "pick one of them",
    ),
    Case(
        "range-off-step",
        "max: 50MHz",
        "max: 52MHz",
        "platform.clocks[1].range.max",
        "max: 52MHz",
        "use max: 50MHz",
    ),
    Case(
        "window-not-pages",
        "{size: 128K}",
        "{size: 5000}",
        "guests[1].window.size",
        "size: 5000",
        "use 8 KiB",
    ),
    Case(
        "window-too-small",
        "{size: 128K}",
        "{size: 8K}",
        "guests[1].window.size",
        "size: 8K",
        "raise size",
    ),
    Case(
        "window-overlaps-slot",
        "{size: 256K}",
        "{size: 512K}",
        "guests[0].window.size",
        "size: 512K",
        "use at most 256 KiB",
    ),
    Case(
        "windows-overlap",
        "    window: {size: 128K}",
        "    window: {size: 128K, address: 0x48010000}",
        "guests[1].window",
        "address: 0x48010000",
        "move one of them",
    ),
    Case(
        "ring-too-small",
        "{size: 128K}",
        "{size: 128K, ring_size: 1K}",
        "guests[1].window.ring_size",
        "ring_size: 1K",
        "use at least 2 KiB",
    ),
    Case(
        "grant-unknown",
        "clocks: [cpu]",
        "clocks: [cpux]",
        "guests[0].scmi.grants.clocks[0]",
        "clocks: [cpux]",
        'did you mean "cpu"',
    ),
    Case(
        "grant-wrong-kind",
        "clocks: [cpu]",
        "clocks: [gpu_pd]",
        "guests[0].scmi.grants.clocks[0]",
        "clocks: [gpu_pd]",
        "grant it under power_domains",
    ),
    Case(
        "perm-means-nothing",
        "clocks: [cpu]",
        "clocks: [{name: cpu, perms: [config]}]",
        "guests[0].scmi.grants.clocks[0].perms",
        "perms: [config]",
        "use state, level",
    ),
    Case(
        "unknown-device",
        "device: gpu}",
        "device: gpux}",
        "platform.power_domains[0].device",
        "device: gpux",
        'did you mean "gpu"',
    ),
    Case(
        "sensor-unit",
        "unit: mC",
        "unit: mV",
        "platform.sensors[0].unit",
        "unit: mV",
        "use one of: C, mC",
    ),
    Case(
        "sustained-not-a-level",
        "sustained: 2",
        "sustained: 3",
        "platform.perf_domains[0].sustained",
        "sustained: 3",
        "pick one of them",
    ),
    Case(
        "too-many-sim-targets",
        "        - {name: temp, address: 0x48, kind: lm75}\n",
        "".join(
            f"        - {{name: t{n}, address: {0x10 + n:#x}, kind: lm75}}\n"
            for n in range(SIM_MAX)
        ),
        f"platform.i2c_buses[0].targets[{SIM_MAX}]",
        f"name: t{SIM_MAX - 1},",
        f"VBE_SIM_MAX_TARGETS = {SIM_MAX}",
    ),
    Case(
        "duplicate-clock",
        "{name: pix,",
        "{name: cpu,",
        "platform.clocks[1].name",
        "name: cpu, range",
        "another name",
    ),
    Case(
        "too-many-guests",
        "          select_max: 1\n",
        "          select_max: 1\n" + "".join(EXTRA_GUEST.format(n=n) for n in range(3)),
        "guests[4]",
        "name: g2",
        "raise VBE_SYS_MAX_GUESTS",
    ),
    Case("empty", BASE, "# nothing\n", "(top level)", "# nothing", "start from"),
    Case(
        "xen-grants-not-boolean",
        "    window: {size: 128K}\n",
        "    window: {size: 128K}\n    xen: {grants: 1}\n",
        "guests[1].xen.grants",
        "grants: 1",
        "true or false",
    ),
    Case(
        "xen-unknown-key",
        "    window: {size: 128K}\n",
        "    window: {size: 128K}\n    xen: {grant: true}\n",
        "guests[1].xen.grant",
        "grant: true",
        'did you mean "grants"',
    ),
]


def broken(case: Case) -> str:
    assert case.old in BASE, f"{case.id}: {case.old!r} is not in BASE"
    text = BASE.replace(case.old, case.new, case.count)
    if case.id == "windows-overlap":  # a board with placeable windows
        text = text.replace("board: qemu_virt_baremetal", "board: qemu_cortex_a53")
    return text


def line_of(text: str, snippet: str) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), 1) if snippet in line]
    assert lines, f"{snippet!r} is not in the broken text"
    return lines[0]


def test_base_is_valid() -> None:
    loaded = loads_system(BASE, "base.yaml")
    assert [g.name for g in loaded.system.guests] == ["ivi", "cluster"]
    assert not loaded.warnings


def test_enough_cases() -> None:
    assert len(CASES) >= 15
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_description(case: Case) -> None:
    text = broken(case)
    with pytest.raises(SysdescError) as info:
        loads_system(text, "broken.yaml")
    problems: tuple[Problem, ...] = info.value.problems
    errors = [p for p in problems if not p.warning]
    assert errors, "refused without an error"
    hits = [p for p in errors if p.path == case.path]
    shown = "\n".join(str(p) for p in problems)
    assert hits, f"no error at {case.path}; got:\n{shown}"
    p = hits[0]
    assert p.file == "broken.yaml"
    assert p.line == line_of(text, case.line_of), f"wrong line:\n{shown}"
    assert case.fix in p.message, f"the message does not say what to change:\n{shown}"
    assert str(p).startswith(f"broken.yaml:{p.line}: {case.path}: ")


def test_warning_does_not_fail() -> None:
    text = BASE.replace("address: 0x48", "address: 0x7a")
    loaded = loads_system(text, "w.yaml")
    assert [(w.path, w.warning) for w in loaded.warnings] == [
        ("platform.i2c_buses[0].targets[1].address", True)
    ]
    assert "reserved" in loaded.warnings[0].message


def test_every_problem_reported_at_once() -> None:
    text = BASE.replace("default: 100MHz", "default: 150MHz").replace(
        "        - target: temp\n", "        - target: tmep\n"
    )
    with pytest.raises(SysdescError) as info:
        loads_system(text, "two.yaml")
    assert {p.path for p in info.value.problems} == {
        "platform.clocks[0].default",
        "guests[0].i2c.devices[1].target",
    }


def test_more_clock_rates_than_linux_reads_is_a_warning() -> None:
    rates = ", ".join(f"{100 + i}MHz" for i in range(17))
    text = BASE.replace("rates: [100MHz, 200MHz]", f"rates: [{rates}]")
    loaded = loads_system(text, "w.yaml")
    assert [w.path for w in loaded.warnings] == ["platform.clocks[0].rates"]
    assert "17 rates: Linux guests read at most 16" in loaded.warnings[0].message
    sixteen = ", ".join(f"{100 + i}MHz" for i in range(16))
    assert not loads_system(BASE.replace("rates: [100MHz, 200MHz]", f"rates: [{sixteen}]"),
                            "ok.yaml").warnings  # fmt: skip


def test_grants_without_devices_warns() -> None:
    text = BASE + "  - name: idle\n    window: {size: 64K}\n    xen: {grants: true}\n"
    loaded = loads_system(text, "w.yaml")
    assert [(w.path, w.warning) for w in loaded.warnings] == [("guests[2].xen.grants", True)]
    assert "nothing to grant" in loaded.warnings[0].message
    assert [g.xen_grants for g in loaded.system.guests] == [False, False, True]
