"""The SCMI side of a description: the platform's resources (clocks, power, performance,
sensors, resets, voltage domains, devices) and each guest's agent with its grants, checked
against what the SCMI server and the simulated platform hold (scmi.h, sim.h)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sysdesc.build_rules import Ctx, rate_range, unique_names
from sysdesc.build_zephyr import hookup
from sysdesc.loader import PathKey, path_str
from sysdesc.model import (
    KIND_PERMS,
    PERMS,
    RESOURCE_KINDS,
    Clock,
    Grant,
    PerfDomain,
    PerfLevel,
    Platform,
    PowerDomain,
    Reset,
    ScmiAgent,
    ScmiIdentity,
    Sensor,
    VoltageDomain,
)
from sysdesc.schema_check import closest
from sysdesc.values import fmt_freq, parse_freq

T = TypeVar("T")

#: unit -> power-of-ten scale, per sensor type (the SCMI unit is the type's base unit)
SENSOR_UNITS: dict[str, dict[str, int]] = {
    "temperature": {"C": 0, "mC": -3},
    "voltage": {"V": 0, "mV": -3, "uV": -6},
    "current": {"A": 0, "mA": -3, "uA": -6},
    "power": {"W": 0, "mW": -3, "uW": -6},
    "fan": {"RPM": 0},
}

KIND_WORDS = {
    "clocks": "clock",
    "power_domains": "power domain",
    "perf_domains": "performance domain",
    "sensors": "sensor",
    "resets": "reset line",
    "voltage_domains": "voltage domain",
}


class _Res:
    """Shared per-resource context: its path, the device list."""

    def __init__(
        self, ctx: Ctx, kind: str, i: int, raw: dict[str, Any], devices: tuple[str, ...]
    ) -> None:
        self.ctx, self.raw = ctx, raw
        self.path: PathKey = ("platform", kind, i)
        self.key = path_str(self.path)
        self.device = self._device(devices)
        self.zephyr = hookup(ctx, kind, self.path, raw)

    def _device(self, devices: tuple[str, ...]) -> int | None:
        name = self.raw.get("device")
        if name is None:
            return None
        if name not in devices:
            self.ctx.error(
                (*self.path, "device"),
                f'no device "{name}" in platform.devices'
                f"{closest(name, devices)}; devices: {', '.join(devices) or 'none'} "
                "(add it there)",
            )
            return None
        return devices.index(name)


def _levels_limit(ctx: Ctx, path: PathKey, n: int, what: str) -> None:
    lim = ctx.limits.scmi
    if lim is not None and n > lim.max_levels:
        ctx.error(
            path,
            f"{n} {what}, the SCMI server holds {lim.max_levels} per resource "
            "(VBE_SCMI_MAX_LEVELS in scmi.h); list fewer or use a range",
        )


#: what Linux's arm_scmi keeps per resource (checked in 6.12): SCMI_MAX_NUM_RATES discrete
#: clock rates (include/linux/scmi_protocol.h), MAX_OPPS performance levels (perf.c). More
#: makes the guest's rate/level query fail ("No. of resources can't exceed N").
LINUX_MAX_RATES = 16
LINUX_MAX_OPPS = 32


def _linux_limit(ctx: Ctx, path: PathKey, n: int, what: str, most: int) -> None:
    if n > most:
        ctx.warn(
            path,
            f"{n} {what}: Linux guests read at most {most} (arm_scmi, up to 6.12 at least) and "
            f"fail this resource's {what} query; list {most} or fewer, or use a range",
        )


def _clock(ctx: Ctx, i: int, raw: dict[str, Any], devices: tuple[str, ...]) -> Clock | None:
    r = _Res(ctx, "clocks", i, raw, devices)
    path = r.path
    if ("rates" in raw) == ("range" in raw):
        both = "both" if "rates" in raw else "neither"
        ctx.error(
            path,
            f'clock "{raw["name"]}" has {both} `rates` and `range`; give exactly '
            "one: `rates: [...]` or `range: {min, max, step}`",
        )
        return None
    rates: tuple[int, ...] = ()
    rng = None
    if "rates" in raw:
        seen: list[int] = []
        for j, text in enumerate(raw["rates"]):
            hz = parse_freq(text)
            if hz in seen:
                ctx.error((*path, "rates", j), f"{fmt_freq(hz)} is listed twice; list it once")
            seen.append(hz)
        rates = tuple(sorted(set(seen)))
        _levels_limit(ctx, (*path, "rates"), len(rates), "rates")
        _linux_limit(ctx, (*path, "rates"), len(rates), "rates", LINUX_MAX_RATES)
    else:
        rng = rate_range(
            ctx,
            (*path, "range"),
            raw["range"],
            parse_freq,
            lambda hz: fmt_freq(hz).replace(" ", ""),
        )
        if rng is None:
            return None
    default = parse_freq(raw["default"]) if "default" in raw else None
    if default is not None and rates and default not in rates:
        ctx.error(
            (*path, "default"),
            f"default {fmt_freq(default)} is not one of the clock's "
            f"rates ({', '.join(fmt_freq(x) for x in rates)}); pick one of them",
        )
    if (
        default is not None
        and rng is not None
        and (not rng.min <= default <= rng.max or (default - rng.min) % rng.step)
    ):
        ctx.error(
            (*path, "default"),
            f"default {fmt_freq(default)} is not in the range "
            f"{fmt_freq(rng.min)}..{fmt_freq(rng.max)} in steps of {fmt_freq(rng.step)}; "
            "pick a rate in it",
        )
    return Clock(
        r.key,
        raw["name"],
        i,
        rates,
        rng,
        default,
        r.device,
        raw.get("enable_latency_us", 0),
        r.zephyr,
    )


def _perf(ctx: Ctx, i: int, raw: dict[str, Any], devices: tuple[str, ...]) -> PerfDomain:
    r = _Res(ctx, "perf_domains", i, raw, devices)
    levels: dict[int, PerfLevel] = {}
    for j, lv in enumerate(raw["levels"]):
        lpath: PathKey = (*r.path, "levels", j)
        if lv["level"] in levels:
            ctx.error(
                (*lpath, "level"),
                f"level {lv['level']} is listed twice; give each operating point its own level",
            )
        power = lv.get("power_mw", 0)
        if "power_uw" in lv:
            if "power_mw" in lv:
                ctx.error(lpath, "give power_mw or power_uw, not both")
            elif lv["power_uw"] % 1000:
                ctx.error(
                    (*lpath, "power_uw"),
                    f"{lv['power_uw']} uW is not a whole number of "
                    f"mW (the core keeps mW); use power_mw: {round(lv['power_uw'] / 1000)}",
                )
            power = lv["power_uw"] // 1000
        khz = 0
        if "freq" in lv:
            hz = parse_freq(lv["freq"])
            if hz % 1000:
                ctx.error(
                    (*lpath, "freq"),
                    f"{fmt_freq(hz)} is not a whole number of kHz (the core keeps kHz); round it",
                )
            khz = hz // 1000
        levels[lv["level"]] = PerfLevel(lv["level"], power, khz, lv.get("latency_us", 0))
    ordered = tuple(levels[k] for k in sorted(levels))
    _levels_limit(ctx, (*r.path, "levels"), len(ordered), "levels")
    _linux_limit(ctx, (*r.path, "levels"), len(ordered), "levels", LINUX_MAX_OPPS)
    sustained = len(ordered) - 1
    if "sustained" in raw:
        values = [lv.level for lv in ordered]
        if raw["sustained"] in values:
            sustained = values.index(raw["sustained"])
        else:
            ctx.error(
                (*r.path, "sustained"),
                f"sustained {raw['sustained']} is not one of the "
                f"levels ({', '.join(map(str, values))}); pick one of them",
            )
    return PerfDomain(
        r.key, raw["name"], i, ordered, sustained, raw.get("rate_limit_us", 0), r.device
    )


def _sensor(ctx: Ctx, i: int, raw: dict[str, Any], devices: tuple[str, ...]) -> Sensor:
    r = _Res(ctx, "sensors", i, raw, devices)
    units = SENSOR_UNITS[raw["type"]]
    scale = units.get(raw["unit"], 0)
    if raw["unit"] not in units:
        ctx.error(
            (*r.path, "unit"),
            f"a {raw['type']} sensor cannot report in {raw['unit']!r}"
            f"{closest(raw['unit'], list(units))}; use one of: {', '.join(units)}",
        )
    trips = raw.get("trip_points", 0)
    lim = ctx.limits.scmi
    if lim is not None and trips > lim.max_trips:
        ctx.error(
            (*r.path, "trip_points"),
            f"{trips} trip points, the SCMI server holds "
            f"{lim.max_trips} per sensor and agent (VBE_SCMI_MAX_TRIPS); use at most that",
        )
    return Sensor(
        r.key,
        raw["name"],
        i,
        raw["type"],
        raw["unit"],
        scale,
        trips,
        raw.get("initial", 0),
        r.device,
        r.zephyr,
    )


def _voltage(
    ctx: Ctx, i: int, raw: dict[str, Any], devices: tuple[str, ...]
) -> VoltageDomain | None:
    r = _Res(ctx, "voltage_domains", i, raw, devices)
    if ("levels_uv" in raw) == ("range" in raw):
        both = "both" if "levels_uv" in raw else "neither"
        ctx.error(
            r.path,
            f'voltage domain "{raw["name"]}" has {both} `levels_uv` and `range`; '
            "give exactly one: `levels_uv: [...]` or `range: {min, max, step}`",
        )
        return None
    initial = raw.get("initial_uv")
    if "range" in raw:
        rng = rate_range(ctx, (*r.path, "range"), raw["range"], int, str)
        if rng is None:
            return None
        if initial is not None and (
            not rng.min <= initial <= rng.max or (initial - rng.min) % rng.step
        ):
            ctx.error(
                (*r.path, "initial_uv"),
                f"{initial} uV is not in the range; pick a level "
                f"of {rng.min}..{rng.max} in steps of {rng.step}",
            )
        return VoltageDomain(r.key, raw["name"], i, (), rng, initial, r.device, r.zephyr)
    levels = raw["levels_uv"]
    for j, v in enumerate(levels):
        if v in levels[:j]:
            ctx.error((*r.path, "levels_uv", j), f"{v} uV is listed twice; list it once")
    _levels_limit(ctx, (*r.path, "levels_uv"), len(set(levels)), "levels")
    if initial is not None and initial not in levels:
        ctx.error((*r.path, "initial_uv"), f"{initial} uV is not one of levels_uv; pick one")
    return VoltageDomain(
        r.key, raw["name"], i, tuple(sorted(set(levels))), None, initial, r.device, r.zephyr
    )


def scmi_platform(ctx: Ctx, raw: dict[str, Any], system_name: str) -> dict[str, Any]:
    """Platform fields for the SCMI side, keyword arguments of model.Platform."""
    devices = tuple(raw.get("devices", []))
    for j, d in enumerate(devices):
        if d in devices[:j]:
            ctx.error(("platform", "devices", j), f'device "{d}" is listed twice; list it once')
    for kind in RESOURCE_KINDS:
        unique_names(ctx, raw.get(kind, []), ("platform", kind), KIND_WORDS[kind])
    lim = ctx.limits.scmi
    if lim is not None:
        if len(devices) > lim.max_devices:
            ctx.error(
                ("platform", "devices", lim.max_devices),
                f"{len(devices)} devices, the "
                f"SCMI server holds {lim.max_devices} (VBE_SCMI_MAX_DEVICES); list fewer",
            )
        for kind in RESOURCE_KINDS:
            n, most = len(raw.get(kind, [])), lim.max_per_kind[kind]
            if n > most:
                ctx.error(
                    ("platform", kind, most),
                    f"{n} {kind}, the SCMI server and the "
                    f"simulated platform hold {most} (scmi.h, sim.h); list fewer",
                )

    def each(
        kind: str, make: Callable[[Ctx, int, dict[str, Any], tuple[str, ...]], T | None]
    ) -> tuple[T, ...]:
        built = (make(ctx, i, r, devices) for i, r in enumerate(raw.get(kind, [])))
        return tuple(x for x in built if x is not None)

    def power(c: Ctx, i: int, r: dict[str, Any], d: tuple[str, ...]) -> PowerDomain:
        res = _Res(c, "power_domains", i, r, d)
        return PowerDomain(res.key, r["name"], i, res.device, res.zephyr)

    def reset(c: Ctx, i: int, r: dict[str, Any], d: tuple[str, ...]) -> Reset:
        res = _Res(c, "resets", i, r, d)
        return Reset(res.key, r["name"], i, r.get("latency_us", 0), res.device, res.zephyr)

    ident = raw.get("scmi", {})
    return {
        "scmi": ScmiIdentity(
            ident.get("vendor", "vbe"),
            ident.get("sub_vendor", system_name[:15]),
            ident.get("impl_version", 0x00010000),
        ),
        "devices": devices,
        "clocks": each("clocks", _clock),
        "power_domains": each("power_domains", power),
        "perf_domains": each("perf_domains", _perf),
        "sensors": each("sensors", _sensor),
        "resets": each("resets", reset),
        "voltage_domains": each("voltage_domains", _voltage),
    }


def _perms(
    ctx: Ctx, path: PathKey, kind: str, item: str | dict[str, Any]
) -> tuple[tuple[str, ...], bool]:
    """(perms, all) of a grant: "control" is every perm, read and notify come with it."""
    if isinstance(item, str):
        return (), False
    words = item.get("perms", ["read"])
    if "control" in words:
        return KIND_PERMS[kind], True
    applicable = KIND_PERMS[kind]
    for w in words:
        if w in PERMS and w not in applicable:
            ctx.error(
                (*path, "perms"),
                f"{w!r} means nothing for a {KIND_WORDS[kind]}; use "
                f"{', '.join(applicable)} or control (all of them); read and notify come "
                "with every grant",
            )
    return tuple(p for p in PERMS if p in words and p in applicable), False


def scmi_agent(
    ctx: Ctx, g: int, raw: dict[str, Any], guest_name: str, agent_id: int, platform: Platform
) -> ScmiAgent:
    path: PathKey = ("guests", g, "scmi")
    grants = []
    for kind in RESOURCE_KINDS:
        seen: dict[str, int] = {}
        for j, item in enumerate(raw.get("grants", {}).get(kind, [])):
            gpath: PathKey = (*path, "grants", kind, j)
            name = item if isinstance(item, str) else item["name"]
            perms, every = _perms(ctx, gpath, kind, item)
            if name in seen:
                ctx.error(
                    gpath,
                    f'{KIND_WORDS[kind]} "{name}" is already granted at '
                    f"{ctx.at((*path, 'grants', kind, seen[name]))}; grant it once "
                    "with all its perms",
                )
                continue
            seen[name] = j
            res = next((r for r in platform.resources(kind) if r.name == name), None)
            if res is None:
                other = next(
                    (
                        k
                        for k in RESOURCE_KINDS
                        if any(r.name == name for r in platform.resources(k))
                    ),
                    None,
                )
                names = [r.name for r in platform.resources(kind)]
                hint = (
                    f'; "{name}" is a {KIND_WORDS[other]}: grant it under {other}'
                    if other
                    else f"{closest(name, names)}; {kind} defined: {', '.join(names) or 'none'}"
                )
                ctx.error(gpath, f'no {KIND_WORDS[kind]} "{name}" in platform.{kind}{hint}')
                continue
            grants.append(Grant(path_str(gpath), kind, name, res.id, len(seen) - 1, perms, every))
    agent = raw.get("agent_name", guest_name)
    lim = ctx.limits.scmi
    if lim is None:
        ctx.error(path, "this core has no SCMI server (zephyr-app/lib/scmi); remove scmi")
    elif len(agent) > lim.name_size - 1:
        ctx.error(
            (*path, "agent_name") if "agent_name" in raw else ("guests", g, "name"),
            f'the SCMI agent name "{agent}" is longer than {lim.name_size - 1} characters; '
            "set a shorter agent_name",
        )
    elif agent_id > lim.max_agents:
        ctx.error(
            path,
            f"agent {agent_id}: the SCMI server holds {lim.max_agents} agents "
            "(VBE_SCMI_MAX_AGENTS); remove scmi from a guest",
        )
    return ScmiAgent(
        path_str(path),
        agent_id,
        agent,
        bool(raw.get("privileged", False)),
        bool(raw.get("system_power", False)),
        tuple(grants),
    )
