"""The SCMI part of ``vbe_sys_cfg.c``: one ``struct vbe_scmi_platform_cfg`` (vbe/scmi.h) with
the platform's devices and resources and one agent per guest that has ``scmi``. Emitted
only when some guest has an SCMI agent (``struct vbe_sys_cfg.scmi`` is NULL otherwise)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from sysdesc.c_text import Names, c_string, comment
from sysdesc.model import RESOURCE_KINDS, Grant, Guest, System
from sysdesc.values import fmt_freq

#: kind -> (cfg table field, count field, enum vbe_scmi_res, struct, C name part)
KIND_C = {
    "clocks": ("clocks", "clock_count", "VBE_SCMI_RES_CLOCK", "vbe_scmi_clock_cfg", "clocks"),
    "power_domains": ("power", "power_count", "VBE_SCMI_RES_POWER", "vbe_scmi_power_cfg", "power"),
    "perf_domains": ("perf", "perf_count", "VBE_SCMI_RES_PERF", "vbe_scmi_perf_cfg", "perf"),
    "sensors": ("sensors", "sensor_count", "VBE_SCMI_RES_SENSOR", "vbe_scmi_sensor_cfg", "sensors"),
    "resets": ("resets", "reset_count", "VBE_SCMI_RES_RESET", "vbe_scmi_reset_cfg", "resets"),
    "voltage_domains": (
        "voltages",
        "voltage_count",
        "VBE_SCMI_RES_VOLTAGE",
        "vbe_scmi_voltage_cfg",
        "voltages",
    ),
}

SENSOR_UNIT_C = {
    "temperature": "VBE_SCMI_SENSOR_UNIT_DEGC",
    "voltage": "VBE_SCMI_SENSOR_UNIT_VOLTS",
    "current": "VBE_SCMI_SENSOR_UNIT_AMPS",
    "power": "VBE_SCMI_SENSOR_UNIT_WATTS",
    "fan": "VBE_SCMI_SENSOR_UNIT_RPM",
}

Field = tuple[str, str] | tuple[str, str, str]  # (name, value[, comment])


def agents(system: System) -> list[Guest]:
    return [g for g in system.guests if g.scmi is not None]


def _entry(key_comment: list[str], fields: Sequence[Field]) -> list[str]:
    lines = [*key_comment, "\t{"]
    for f in fields:
        tail = f" /* {f[2]} */" if len(f) == 3 else ""
        lines.append(f"\t\t.{f[0]} = {f[1]},{tail}")
    lines.append("\t},")
    return lines


def _array(ctype: str, name: str, values: Sequence[int], note: str) -> list[str]:
    body = textwrap.wrap(", ".join(str(v) for v in values), 100 - 8 - 2)
    return [
        f"/* {note} */",
        f"static const {ctype} {name}[] = {{",
        *(f"\t{line}" for line in body),
        "};",
        "",
    ]


class ScmiEmitter:
    """Emits the tables of one system with the identifiers of ``n``."""

    def __init__(self, system: System, n: Names) -> None:
        self.s = system
        self.n = n
        self.comment = comment
        self.p = n.prefix

    def count(self, array: str) -> str:
        return self.n.count(array)

    def device(self, index: int | None) -> Field:
        if index is None:
            return ("device", "VBE_SCMI_NO_DEVICE")
        return ("device", str(index), self.s.platform.devices[index])

    def table(self, field: str, count: str, array: str, present: bool) -> list[Field]:
        if present:
            return [(field, array), (count, self.count(array))]
        return [(field, "NULL"), (count, "0")]

    # ---- resources ----------------------------------------------------------------------

    def devices(self) -> list[str]:
        devs = self.s.platform.devices
        if not devs:
            return []
        lines = [f"static const char *const {self.p}_scmi_devices[] = {{"]
        for i, d in enumerate(devs):
            lines.append(f'\t"{d}", /* platform.devices[{i}]: device {i} */')
        return [*lines, "};", ""]

    def clocks(self) -> list[str]:
        out: list[str] = []
        entries: list[str] = []
        for c in self.s.platform.clocks:
            arr = f"{self.p}_clock_{c.name}_rates"
            if c.range is not None:
                values = [c.range.min, c.range.max, c.range.step]
                note = (
                    f"{c.key}.range: {fmt_freq(c.range.min)}..{fmt_freq(c.range.max)} in "
                    f"steps of {fmt_freq(c.range.step)}"
                )
            else:
                values = list(c.rates)
                note = f"{c.key}.rates (Hz)"
            out += _array("uint64_t", arr, values, note)
            fields: list[Field] = [
                ("name", c_string(c.name)),
                ("plat_id", str(c.id)),
                self.device(c.device),
            ]
            if c.range is not None:
                fields.append(("flags", "VBE_SCMI_RES_F_RANGE"))
            fields += [
                ("rates", arr),
                ("rate_count", self.count(arr)),
                ("enable_latency_us", str(c.enable_latency_us)),
                ("initial_rate", str(c.initial), fmt_freq(c.initial)),
            ]
            entries += _entry(self.comment(1, f"{c.key}: {c.name}"), fields)
        return out + self._table("clocks", entries)

    def _table(self, kind: str, entries: list[str]) -> list[str]:
        if not entries:
            return []
        _, _, _, struct, part = KIND_C[kind]
        return [f"static const struct {struct} {self.p}_{part}[] = {{", *entries, "};", ""]

    def power(self) -> list[str]:
        entries: list[str] = []
        for d in self.s.platform.power_domains:
            entries += _entry(
                self.comment(1, f"{d.key}: {d.name}"),
                [("name", c_string(d.name)), ("plat_id", str(d.id)), self.device(d.device)],
            )
        return self._table("power_domains", entries)

    def perf(self) -> list[str]:
        out: list[str] = []
        entries: list[str] = []
        for d in self.s.platform.perf_domains:
            arr = f"{self.p}_perf_{d.name}_levels"
            out += [
                f"/* {d.key}.levels: ascending */",
                f"static const struct vbe_scmi_perf_level {arr}[] = {{",
            ]
            for lv in d.levels:
                out.append(
                    f"\t{{ .level = {lv.level}, .power_mw = {lv.power_mw}, "
                    f".freq_khz = {lv.freq_khz}, .latency_us = {lv.latency_us} }},"
                )
            out += ["};", ""]
            fields: list[Field] = [
                ("name", c_string(d.name)),
                ("plat_id", str(d.id)),
                self.device(d.device),
                ("sustained", str(d.sustained), f"level {d.levels[d.sustained].level}"),
                ("levels", arr),
                ("level_count", self.count(arr)),
                ("rate_limit_us", str(d.rate_limit_us)),
            ]
            entries += _entry(self.comment(1, f"{d.key}: {d.name}"), fields)
        return out + self._table("perf_domains", entries)

    def sensors(self) -> list[str]:
        entries: list[str] = []
        for s in self.s.platform.sensors:
            fields: list[Field] = [
                ("name", c_string(s.name)),
                ("plat_id", str(s.id)),
                self.device(s.device),
                ("unit", SENSOR_UNIT_C[s.type]),
                ("scale", str(s.scale), s.unit),
                ("trip_count", str(s.trip_points)),
                ("initial", str(s.initial), s.unit),
            ]
            entries += _entry(self.comment(1, f"{s.key}: {s.name}, {s.type}"), fields)
        return self._table("sensors", entries)

    def resets(self) -> list[str]:
        entries: list[str] = []
        for r in self.s.platform.resets:
            entries += _entry(
                self.comment(1, f"{r.key}: {r.name}"),
                [
                    ("name", c_string(r.name)),
                    ("plat_id", str(r.id)),
                    self.device(r.device),
                    ("latency_us", str(r.latency_us)),
                ],
            )
        return self._table("resets", entries)

    def voltages(self) -> list[str]:
        out: list[str] = []
        entries: list[str] = []
        for v in self.s.platform.voltage_domains:
            arr = f"{self.p}_voltage_{v.name}_levels"
            if v.range is not None:
                out += _array(
                    "int32_t",
                    arr,
                    [v.range.min, v.range.max, v.range.step],
                    f"{v.key}.range (uV): min, max, step",
                )
            else:
                out += _array("int32_t", arr, v.levels_uv, f"{v.key}.levels_uv")
            fields: list[Field] = [
                ("name", c_string(v.name)),
                ("plat_id", str(v.id)),
                self.device(v.device),
            ]
            if v.range is not None:
                fields.append(("flags", "VBE_SCMI_RES_F_RANGE"))
            fields += [
                ("levels", arr),
                ("level_count", self.count(arr)),
                ("initial_uv", str(v.initial)),
            ]
            entries += _entry(self.comment(1, f"{v.key}: {v.name}"), fields)
        return out + self._table("voltage_domains", entries)

    # ---- agents -------------------------------------------------------------------------

    @staticmethod
    def perms(g: Grant) -> str:
        if g.all_perms:
            return "VBE_SCMI_PERM_ALL"
        return " | ".join(f"VBE_SCMI_PERM_{p.upper()}" for p in g.perms) or "0"

    def grants(self, guest: Guest) -> list[str]:
        assert guest.scmi is not None
        out: list[str] = []
        for kind in RESOURCE_KINDS:
            granted = guest.scmi.granted(kind)
            if not granted:
                continue
            arr = f"{self.p}_{guest.name}_scmi_{KIND_C[kind][4]}"
            out.append(f"static const struct vbe_scmi_grant {arr}[] = {{")
            for g in granted:
                what = "read-only" if not (g.perms or g.all_perms) else self.perms(g)
                out += self.comment(1, f"{g.key}: {g.name}, local id {g.local_id}, {what}")
                out.append(f"\t{{ .res = {g.id}, .perms = {self.perms(g)} }},")
            out += ["};", ""]
        return out

    def agents(self) -> list[str]:
        guests = agents(self.s)
        out: list[str] = []
        for g in guests:
            out += self.grants(g)
        out.append(f"static const struct vbe_scmi_agent_cfg {self.p}_scmi_agents[] = {{")
        for g in guests:
            a = g.scmi
            assert a is not None
            flags = [
                f
                for f, on in (
                    ("VBE_SCMI_AGENT_PRIVILEGED", a.privileged),
                    ("VBE_SCMI_AGENT_SYSTEM_POWER", a.system_power),
                )
                if on
            ]
            fields: list[Field] = [
                ("name", c_string(a.agent_name)),
                ("flags", " | ".join(flags) or "0"),
            ]
            for kind in RESOURCE_KINDS:
                if a.granted(kind):
                    arr = f"{self.p}_{g.name}_scmi_{KIND_C[kind][4]}"
                    res = KIND_C[kind][2]
                    fields += [(f"grants[{res}]", arr), (f"grant_count[{res}]", self.count(arr))]
            out += _entry(self.comment(1, f"{a.key}: {g.name}, agent {a.agent_id}"), fields)
        return [*out, "};", ""]

    def platform(self) -> list[str]:
        plat = self.s.platform
        ident = plat.scmi
        fields: list[Field] = [
            ("vendor", c_string(ident.vendor)),
            ("sub_vendor", c_string(ident.sub_vendor)),
            ("impl_version", f"{ident.impl_version:#010x}"),
            *self.table("devices", "device_count", f"{self.p}_scmi_devices", bool(plat.devices)),
        ]
        for kind in RESOURCE_KINDS:
            field, count, _, _, part = KIND_C[kind]
            fields += self.table(field, count, f"{self.p}_{part}", bool(plat.resources(kind)))
        fields += [
            ("agents", f"{self.p}_scmi_agents"),
            ("agent_count", self.count(f"{self.p}_scmi_agents")),
        ]
        lines = [
            "/* platform.scmi and the agents of guests[].scmi */",
            f"static const struct vbe_scmi_platform_cfg {self.p}_scmi = {{",
        ]
        for f in fields:
            tail = f" /* {f[2]} */" if len(f) == 3 else ""
            lines.append(f"\t.{f[0]} = {f[1]},{tail}")
        return [*lines, "};", ""]


def scmi_section(system: System, n: Names) -> str:
    """All SCMI tables, or "" when no guest has an SCMI agent."""
    if not agents(system):
        return ""
    e = ScmiEmitter(system, n)
    lines = [
        *e.devices(),
        *e.clocks(),
        *e.power(),
        *e.perf(),
        *e.sensors(),
        *e.resets(),
        *e.voltages(),
        *e.agents(),
        *e.platform(),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"
