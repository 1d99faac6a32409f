"""The Linux part of ``vbe run``: a real Linux guest booted as guest "ivi" of the demo
system, its virtio-scmi and virtio-i2c devices bridged onto the run's backend machine
(vbe.serve.bridge: each request copied into ivi's window and the answer back),
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


def run_linux(machine: Any) -> LinuxReport:
    """Boot the guest bridged onto ``machine`` (launched, serving the demo system) and
    check what Linux sees; the report, or one saying why it was skipped."""
    why = unavailable()
    if why is not None:
        return LinuxReport(skipped=why)
    from pyhost.linux.vhost_guest import make_guest
    from vbe.serve.bridge import BridgeHost
    from vbe.serve.served import ServedBackend

    rep = LinuxReport()
    host = BridgeHost(machine)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="vbe-run-linux-") as tmp,
            ServedBackend(Path(tmp) / "sock", host=host, machine=machine) as be,
        ):
            g = make_guest(be, GUEST, None, Path(tmp))
            t0 = time.monotonic()
            with g:
                rep.release, rep.boot_s = g.release, time.monotonic() - t0
                _check(rep, be, g)
    finally:
        host.close()
    return rep


def _check(rep: LinuxReport, be: Any, g: Any) -> None:
    """The steps: what the guest's drivers show against the system and the platform."""
    from pyhost.linux import guest_view as view
    from pyhost.linux.vhost_guest import system_model

    spec = next(x for x in system_model(None).guests if x.name == GUEST)
    agent = be.scmi_info().agent_of_guest(spec.index)
    probe = re.search(r"SCMI Protocol v.*", g.dmesg())
    _step(rep, "arm_scmi probes the SCMI server", view.expected_scmi_probe(be.scmi_info()),
          probe[0].strip() if probe else "no SCMI probe in dmesg")  # fmt: skip
    _step(rep, "the clock framework has exactly the granted clocks",
          ", ".join(sorted(x.name for x in agent.granted("clock"))),
          ", ".join(sorted(view.scmi_clocks(g))))  # fmt: skip
    bus = view.virtio_i2c_bus(g)
    present = sorted(r.guest_address for r in spec.i2c.routes if r.target and not r.ten_bit)
    _step(rep, f"i2cdetect -y {bus} finds the allowed devices",
          " ".join(f"{a:#04x}" for a in present),
          " ".join(f"{a:#04x}" for a in view.i2cdetect(g, bus)))  # fmt: skip
    eeprom = next(r for r in spec.i2c.routes if r.target and r.target.kind == "at24")
    addr = f"{eeprom.guest_address:#x}"
    data = g.check(f"i2ctransfer -y {bus} w1@{addr} {TEXT_AT:#04x} r{len(TEXT)}@{addr}")
    text = be.platform.eeprom(0, eeprom.bus_address)[TEXT_AT : TEXT_AT + len(TEXT)]
    _step(rep, f"i2ctransfer reads the EEPROM at {TEXT_AT:#04x} (the harness wrote it)",
          _show(text), _show(bytes(int(x, 16) for x in data.split())))  # fmt: skip
    sensor = next(x for x in agent.granted("sensor") if x.name == SENSOR)
    be.platform.set_sensor(sensor.resource, SENSOR_VALUE)
    _step(rep, f"hwmon reads {SENSOR} as the platform set it",
          str(SENSOR_VALUE), str(view.scmi_sensor(g, SENSOR)))  # fmt: skip
