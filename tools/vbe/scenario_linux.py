"""The Linux part of ``vbe run``: a real Linux guest booted as guest "ivi" of the demo
system, its virtio-scmi and virtio-i2c devices bridged onto the run's backend machine
(pyhost.vhost_user.bridge: each request copied into ivi's window and the answer back),
and what its own drivers see checked against the platform.

Skipped, with the reason, when the guest kernel is not built (``vbe guest build``) or
QEMU cannot run it.
"""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vbe.scenario import TEXT, TEXT_AT

GUEST = "ivi"
#: clocks QEMU's own devicetree gives the guest (the PL011's), not SCMI's
QEMU_CLOCKS = {"clk24mhz"}
CLK_DEBUGFS_FILES = {"clk_dump", "clk_summary", "clk_orphan_dump", "clk_orphan_summary"}
SENSOR = "soc_temp"
SENSOR_VALUE = 51_250  # m degC, set in the platform before the guest reads it


@dataclass
class LinuxStep:
    title: str
    expected: str
    outcome: str
    passed: bool


@dataclass
class LinuxReport:
    skipped: str | None = None
    release: str = ""
    boot_s: float = 0.0
    mode: str = "bridge"
    steps: list[LinuxStep] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.skipped is not None or all(s.passed for s in self.steps)


def unavailable() -> str | None:
    """Why no Linux guest can run here, or None."""
    from pyhost.linux.initramfs import cached_initramfs
    from pyhost.linux.kernel import cached_kernel
    from pyhost.machine.qemu_image import qemu_available

    ok, why = qemu_available()
    if not ok:
        return why
    try:
        if cached_kernel() is None or cached_initramfs() is None:
            return "the Linux guest is not built: `vbe guest build` (minutes, cached)"
    except Exception as exc:  # noqa: BLE001 (any tooling problem is a reason to skip)
        return f"the Linux guest tooling cannot run: {exc}"
    return None


def _step(rep: LinuxReport, title: str, expected: Any, outcome: Any) -> None:
    rep.steps.append(LinuxStep(title, str(expected), str(outcome), expected == outcome))


def _show(data: bytes) -> str:
    return f"{data.decode('ascii', 'replace')!r} ({data.hex(' ')})"


def _i2c_bus(g: Any) -> int:
    out = g.check("grep -l i2c_virtio /sys/bus/i2c/devices/i2c-*/name")
    return int(re.findall(r"/i2c-(\d+)/name", out)[0])


def _i2cdetect(text: str) -> list[int]:
    found = []
    for line in text.splitlines()[1:]:
        cells = line.partition(":")[2]
        for col in range(16):
            cell = cells[1 + col * 3 : 3 + col * 3].strip()
            if cell and cell != "--":
                found.append(int(cell, 16))
    return found


def run_linux(machine: Any) -> LinuxReport:
    """Boot the guest bridged onto ``machine`` (launched, serving the demo system) and
    check what Linux sees; the report, or one saying why it was skipped."""
    why = unavailable()
    if why is not None:
        return LinuxReport(skipped=why)
    from pyhost.headers import defines
    from pyhost.linux.served import REPO, ServedBackend, make_guest, system_model
    from pyhost.vhost_user.bridge import BridgeHost

    rep = LinuxReport()
    spec = next(g for g in system_model(None).guests if g.name == GUEST)
    with tempfile.TemporaryDirectory(prefix="vbe-run-linux-") as tmp:
        run_dir = Path(tmp)
        host = BridgeHost(machine)
        try:
            with ServedBackend(run_dir / "sock", host=host, machine=machine) as be:
                g = make_guest(be, GUEST, None, run_dir)
                t0 = time.monotonic()
                with g:
                    rep.release, rep.boot_s = g.release, time.monotonic() - t0
                    info = be.scmi_info()
                    agent = info.agent_of_guest(spec.index)
                    version = defines(REPO / "zephyr-app/lib/scmi/include/vbe/scmi_wire.h")[
                        "VBE_SCMI_VERSION_BASE"
                    ].value
                    want = (
                        f"SCMI Protocol v{version >> 16}.{version & 0xFFFF} "
                        f"'{info.vendor}:{info.sub_vendor}' Firmware version "
                        f"{info.impl_version:#x}"
                    )
                    probe = re.search(r"SCMI Protocol v.*", g.dmesg())
                    _step(rep, "arm_scmi probes the SCMI server", want,
                          probe[0].strip() if probe else "no SCMI probe in dmesg")  # fmt: skip
                    listed = set(g.check("ls /sys/kernel/debug/clk").split())
                    listed -= CLK_DEBUGFS_FILES | QEMU_CLOCKS
                    _step(rep, "the clock framework has exactly the granted clocks",
                          ", ".join(sorted(x.name for x in agent.granted("clock"))),
                          ", ".join(sorted(listed)))  # fmt: skip
                    bus = _i2c_bus(g)
                    present = sorted(
                        r.guest_address for r in spec.i2c.routes if r.target and not r.ten_bit
                    )
                    found = _i2cdetect(g.check(f"i2cdetect -y {bus}", timeout=60))
                    _step(rep, f"i2cdetect -y {bus} finds the allowed devices",
                          " ".join(f"{a:#04x}" for a in present),
                          " ".join(f"{a:#04x}" for a in found))  # fmt: skip
                    eeprom = next(
                        r for r in spec.i2c.routes if r.target and r.target.kind == "at24"
                    )
                    data = g.check(
                        f"i2ctransfer -y {bus} w1@{eeprom.guest_address:#x} {TEXT_AT:#04x} "
                        f"r{len(TEXT)}@{eeprom.guest_address:#x}"
                    ).split()
                    platform = be.platform.eeprom(0, eeprom.bus_address)
                    text = platform[TEXT_AT : TEXT_AT + len(TEXT)]
                    _step(rep, f"i2ctransfer reads the EEPROM at {TEXT_AT:#04x} (the harness "
                          "wrote it)", _show(text), _show(bytes(int(x, 16) for x in data)))  # fmt: skip
                    sensor = next(s for s in agent.granted("sensor") if s.name == SENSOR)
                    be.platform.set_sensor(sensor.resource, SENSOR_VALUE)
                    hwmon = g.check("grep -l scmi_sensors /sys/class/hwmon/*/name").strip()
                    label = g.check(
                        f"grep -l '^{SENSOR}$' {hwmon.rsplit('/', 1)[0]}/temp*_label"
                    ).strip()
                    value = g.check(f"cat {label.replace('_label', '_input')}").strip()
                    _step(rep, f"hwmon reads {SENSOR} as the platform set it",
                          str(SENSOR_VALUE), value)  # fmt: skip
        finally:
            host.close()
    return rep
