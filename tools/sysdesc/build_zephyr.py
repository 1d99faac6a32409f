"""The ``zephyr:`` key of a platform resource: which Zephyr device serves it when the
backend runs on Zephyr (zephyr-app/src/plat_zephyr_<kind>.c), checked
here and written by gen_dts as a child of the kind's vbe,scmi-<kind> node.

One key per kind, named after the devicetree property it becomes::

    clocks:          zephyr: {clocks: "&cru 12", cell: id}   # cell: the clock_control_subsys_t
    power_domains:   zephyr: {domain: "&pd_gpu"}
    resets:          zephyr: {resets: "&rstc 4"}
    voltage_domains: zephyr: {regulator: "&buck2"}
    sensors:         zephyr: {sensor: "&die_temp0", channel: die_temp}

A resource without the key answers NOT_SUPPORTED on Zephyr to every command that reaches
the hardware; on a Zephyr board ``vbe check`` warns about those (one warning per kind), and
about performance domains, which the Zephyr port cannot drive at all.
"""

from __future__ import annotations

import re
from typing import Any

from sysdesc.build_rules import Ctx
from sysdesc.gen_dts import NON_ZEPHYR_BOARDS
from sysdesc.loader import PathKey, path_str
from sysdesc.model import RESOURCE_KINDS, Platform, ZephyrHookup

#: kind -> the hookup's key (also the devicetree property gen_dts writes)
PROPS = {
    "clocks": "clocks",
    "power_domains": "domain",
    "resets": "resets",
    "voltage_domains": "regulator",
    "sensors": "sensor",
}
#: Zephyr sensor channels by sensor type: those whose unit is the type's SCMI unit
#: (include/zephyr/drivers/sensor.h: *_TEMP in degrees Celsius, VOLTAGE in V, CURRENT in A,
#: POWER in W, RPM in RPM); the first is the default, None: no default (say which).
CHANNELS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "temperature": (None, ("die_temp", "ambient_temp")),
    "voltage": ("voltage", ("voltage",)),
    "current": ("current", ("current",)),
    "power": ("power", ("power",)),
    "fan": ("rpm", ("rpm",)),
}
#: what each kind's key looks like, for messages
EXAMPLES = {
    "clocks": 'zephyr: {clocks: "&cru 12", cell: id}',
    "power_domains": 'zephyr: {domain: "&pd_gpu"}',
    "resets": 'zephyr: {resets: "&rstc 4"}',
    "voltage_domains": 'zephyr: {regulator: "&buck2"}',
    "sensors": 'zephyr: {sensor: "&die_temp0", channel: die_temp}',
}
_REF = re.compile(r"^&([A-Za-z_][A-Za-z0-9_]*)((?: +(?:0x[0-9a-fA-F]+|[0-9]+))*)$")


def hookup(ctx: Ctx, kind: str, path: PathKey, raw: dict[str, Any]) -> ZephyrHookup | None:
    """The resource's ``zephyr:`` key as a model element (None when absent or wrong)."""
    z = raw.get("zephyr")
    if z is None or kind not in PROPS:
        return None
    zpath: PathKey = (*path, "zephyr")
    prop = PROPS[kind]
    m = _REF.match(z[prop])  # the schema checked the shape
    if m is None:
        return None
    label, cells = m.group(1), tuple(int(c, 0) for c in m.group(2).split())
    if any(c > 0xFFFFFFFF for c in cells):
        ctx.error((*zpath, prop), "a devicetree cell holds 32 bits; use a smaller value")
        return None
    key = path_str(zpath)
    if kind == "clocks":
        cell = z.get("cell")
        if cells and cell is None:
            ctx.error(
                zpath,
                f"{z[prop]!r} has specifier cells: add `cell:` naming the one the clock "
                "controller takes as clock_control_subsys_t (the name its binding's "
                "clock-cells gives it, such as id)",
            )
            return None
        if cell is not None and not cells:
            ctx.error(
                (*zpath, "cell"),
                f"{z[prop]!r} has no specifier cells, so there is no cell {cell!r}; remove "
                "cell (the subsystem is NULL) or add the cells",
            )
            return None
        return ZephyrHookup(key, prop, label, cells, cell=cell)
    if kind == "resets":
        if len(cells) != 1:
            ctx.error(
                (*zpath, prop),
                f"{z[prop]!r}: a reset line is the controller and one cell, the line id "
                '(RESET_DT_SPEC_GET reads the cell named id), such as "&rstc 4"',
            )
            return None
        return ZephyrHookup(key, prop, label, cells)
    if kind == "sensors":
        default, allowed = CHANNELS[raw["type"]]
        channel = z.get("channel", default)
        if channel is None:
            ctx.error(
                zpath,
                f"a {raw['type']} sensor reads one of several Zephyr channels: add "
                f"`channel:` ({' or '.join(allowed)})",
            )
            return None
        if channel not in allowed:
            ctx.error(
                (*zpath, "channel"),
                f"Zephyr channel {channel} does not report a {raw['type']}; use "
                f"{' or '.join(allowed)}",
            )
            return None
        return ZephyrHookup(key, prop, label, cells, channel=channel)
    return ZephyrHookup(key, prop, label, cells)


def is_zephyr_board(name: str) -> bool:
    return name not in NON_ZEPHYR_BOARDS


def warn_missing(ctx: Ctx, platform: Platform) -> None:
    """On a Zephyr board, one warning per kind with resources that have no hookup."""
    if ctx.board is None or not is_zephyr_board(ctx.board.name):
        return
    board = ctx.board.name
    for kind in RESOURCE_KINDS:
        res = platform.resources(kind)
        if kind == "perf_domains":
            if res:
                ctx.warn(
                    ("platform", kind),
                    f"performance domains ({', '.join(r.name for r in res)}): Zephyr has no "
                    f"DVFS API the port can drive, so on {board} PERFORMANCE_LEVEL_SET answers "
                    "NOT_SUPPORTED",
                )
            continue
        missing = [r.name for r in res if r.zephyr is None]  # type: ignore[union-attr]
        if missing:
            ctx.warn(
                ("platform", kind),
                f"{len(missing)} of {len(res)} {kind.replace('_', ' ')} have no Zephyr device "
                f"({', '.join(missing)}): on {board} their commands that reach the hardware "
                f"answer NOT_SUPPORTED; give each one a `{EXAMPLES[kind]}` (docs/sysdesc.md)",
            )
