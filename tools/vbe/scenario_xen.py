"""``vbe run --xen``: the demo's script on real Xen. Both guests are Linux DomUs whose own
drivers (i2c-virtio, arm_scmi over virtio) reach vbe-xen's devices through trapped
virtio-mmio registers; each step is what a DomU does through its kernel and what the
platform (vbe-xen's, read through Dom0) shows afterwards, checked against the system
description. The report: steps per DomU, the bus log and the SCMI platform operations,
vbe-xen's counters, and the boot's milestones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vbe.scenario import TEXT, TEXT_AT
from vbe.scenario_linux import LinuxReport, LinuxStep

SENSOR = "soc_temp"
SENSOR_VALUE = 51_250  # m degC
LM75_TEMP = 23_500  # m degC, what the harness sets before cluster reads through its remap
SHARED_CLOCK = "uart0"


@dataclass
class XenReport:
    guests: dict[str, LinuxReport] = field(default_factory=dict)
    marks: dict[str, float] = field(default_factory=dict)
    bus: list[Any] = field(default_factory=list)  # BusTransaction
    ops: list[Any] = field(default_factory=list)  # PlatformOp
    stats: dict[int, dict[str, Any]] = field(default_factory=dict)
    dom0: str = "linux"  # what served the DomUs (sysdesc.gen_xen.DOM0S)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.guests.values())


def _step(rep: LinuxReport, title: str, expected: Any, outcome: Any) -> None:
    rep.steps.append(LinuxStep(title, str(expected), str(outcome), expected == outcome))


def _show(data: bytes) -> str:
    return f"{data.decode('ascii', 'replace')!r} ({data.hex(' ')})"


def run_xen(xs: Any) -> XenReport:
    """The script on a booted XenSystem whose DomUs got the go signal."""
    from pyhost.linux import guest_view as view
    from pyhost.linux.guest_tool import scmi_raw

    out = XenReport(marks=dict(xs.marks), dom0=xs.dom0_kind.kind)
    info = xs.scmi_info()
    platform = xs.platform
    bus0 = platform.bus_log_seq()
    op0 = platform.op_log_seq()
    for name in xs.domus:
        g, spec = xs.domu(name), xs.system.guest(name)
        rep = out.guests.setdefault(name, LinuxReport(release=g.release, mode="xen"))
        rep.boot_s = g.ready_s
        agent = info.agent_of_guest(spec.index)
        probe = next((ln for ln in g.dmesg().splitlines() if "SCMI Protocol v" in ln), "")
        _step(rep, "arm_scmi probes the SCMI server", view.expected_scmi_probe(info),
              probe.split("] ", 1)[-1].split(": ", 1)[-1].strip() or "no SCMI probe")  # fmt: skip
        _step(rep, "the clock framework has exactly the granted clocks",
              ", ".join(sorted(x.name for x in agent.granted("clock"))),
              ", ".join(sorted(view.scmi_clocks(g))))  # fmt: skip
        bus = view.virtio_i2c_bus(g)
        present = sorted(r.guest_address for r in spec.i2c.routes if r.target and not r.ten_bit)
        _step(rep, f"i2cdetect -y {bus} finds the allowed devices",
              " ".join(f"{a:#04x}" for a in present),
              " ".join(f"{a:#04x}" for a in view.i2cdetect(g, bus)))  # fmt: skip
    ivi, cluster = xs.domu("ivi"), xs.domu("cluster")
    ivi_spec, cl_spec = xs.system.guest("ivi"), xs.system.guest("cluster")
    # ivi writes the EEPROM; the platform holds it; cluster reads it through its read-only view
    ee = next(r for r in ivi_spec.i2c.routes if r.target and r.target.kind == "at24")
    bus = view.virtio_i2c_bus(ivi)
    hexes = " ".join(f"{b:#04x}" for b in TEXT)
    ivi.check(f"i2ctransfer -y {bus} w{1 + len(TEXT)}@{ee.guest_address:#x} {TEXT_AT:#04x} {hexes}")
    held = platform.eeprom(ee.target.bus_id, ee.bus_address)[TEXT_AT : TEXT_AT + len(TEXT)]
    _step(out.guests["ivi"], f"i2ctransfer writes {TEXT!r} into the EEPROM at {TEXT_AT:#04x}",
          _show(TEXT), _show(held))  # fmt: skip
    ro = next(r for r in cl_spec.i2c.routes if r.read_only)
    cbus = view.virtio_i2c_bus(cluster)
    data = cluster.check(
        f"i2ctransfer -y {cbus} w1@{ro.guest_address:#x} {TEXT_AT:#04x} r{len(TEXT)}@{ro.guest_address:#x}"
    )
    _step(out.guests["cluster"], "i2ctransfer reads it through the read-only view",
          _show(TEXT), _show(bytes(int(x, 16) for x in data.split())))  # fmt: skip
    _, said = cluster.run(f"i2ctransfer -y {cbus} w2@{ro.guest_address:#x} {TEXT_AT:#04x} 0x5a")
    after = platform.eeprom(ro.target.bus_id, ro.bus_address)[TEXT_AT : TEXT_AT + len(TEXT)]
    _step(out.guests["cluster"], "a write to the read-only EEPROM is refused, content kept",
          f"refused, {_show(TEXT)}",
          f"{'refused' if 'only 0/1' in said else 'written'}, {_show(after)}")  # fmt: skip
    remap = next(r for r in cl_spec.i2c.routes if r.remapped and r.target)
    platform.set_temp(remap.target.bus_id, remap.bus_address, LM75_TEMP)
    msb, lsb = (int(x, 16) for x in cluster.check(
        f"i2ctransfer -y {cbus} w1@{remap.guest_address:#x} 0x00 r2@{remap.guest_address:#x}"
    ).split())  # fmt: skip
    _step(out.guests["cluster"],
          f"the LM75 at bus {remap.bus_address:#04x} answers at {remap.guest_address:#04x}",
          f"{LM75_TEMP} m degC", f"{((msb << 8 | lsb) >> 7) * 500} m degC")  # fmt: skip
    # SCMI: a sensor; a clock both hold
    agent = info.agent_of_guest(ivi_spec.index)
    sensor = next(x for x in agent.granted("sensor") if x.name == SENSOR)
    platform.set_sensor(sensor.resource, SENSOR_VALUE)
    _step(out.guests["ivi"], f"hwmon reads {SENSOR} as the platform set it",
          str(SENSOR_VALUE), str(view.scmi_sensor(ivi, SENSOR)))  # fmt: skip
    grants = {
        n: next(x for x in info.agent_of_guest(xs.system.guest(n).index).granted("clock")
                if x.name == SHARED_CLOCK)
        for n in ("ivi", "cluster")
    }  # fmt: skip
    res = grants["ivi"].resource

    def clock(name: str, on: bool) -> str:
        reply = scmi_raw(xs.domu(name), 0x14, 0x7, [grants[name].local_id, int(on), 0])
        st = platform.state("clock", res)
        return f"status {reply.status}, clock {'ON' if st.on else 'OFF'}"

    for name, on, want in (("ivi", True, "ON"), ("cluster", True, "ON"),
                           ("ivi", False, "ON"), ("cluster", False, "OFF")):  # fmt: skip
        _step(out.guests[name], f"CLOCK_CONFIG_SET {SHARED_CLOCK} {'on' if on else 'off'}",
              f"status 0, clock {want}", clock(name, on))  # fmt: skip
    out.bus = platform.bus_log(bus0)
    out.ops = platform.op_log(op0)
    out.stats = xs.stats()
    return out
