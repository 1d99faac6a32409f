"""From a schema-valid document to the model: every semantic rule of the description is
checked here (names, references, ranges, capacities), each failure a Problem naming the
path, the line and the fix. The platform's buses are built here, its SCMI resources in
:mod:`sysdesc.build_scmi`, guests in :mod:`sysdesc.build_guests`, Zephyr hookups in
:mod:`sysdesc.build_zephyr`; what they share is :mod:`sysdesc.build_rules`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sysdesc.build_guests import build_guests
from sysdesc.build_rules import Ctx, check_7bit, unique_names
from sysdesc.build_scmi import scmi_platform
from sysdesc.build_zephyr import warn_missing
from sysdesc.limits import REPO, CoreLimits, boards, core_limits
from sysdesc.loader import (
    PathKey,
    Positions,
    Problem,
    SysdescError,
    load_yaml,
    path_str,
    read_text,
)
from sysdesc.model import I2cBus, I2cTarget, Platform, System
from sysdesc.schema_check import closest, schema_problems
from sysdesc.values import fmt_addr, parse_address


def _target(ctx: Ctx, bus: dict[str, Any], b: int, t: int, raw: dict[str, Any]) -> I2cTarget:
    path: PathKey = ("platform", "i2c_buses", b, "targets", t)
    addr = parse_address(raw["address"])
    ten = bool(raw.get("ten_bit", False))
    check_7bit(ctx, (*path, "address"), addr, ten)
    kind = raw["kind"]
    if kind == "lm75" and raw.get("address_width", 1) != 1:
        ctx.error(
            (*path, "address_width"),
            "an lm75 takes a 1-byte register pointer; remove address_width",
        )
    width = int(raw.get("address_width", 1))
    simulated = not ten and (kind == "lm75" or (kind == "at24" and width == 1))
    return I2cTarget(path_str(path), raw["name"], bus["name"], b, addr, kind, ten, width, simulated)


def _buses(ctx: Ctx, raw_buses: list[dict[str, Any]]) -> tuple[I2cBus, ...]:
    base: PathKey = ("platform", "i2c_buses")
    unique_names(ctx, raw_buses, base, "I2C bus")
    all_targets = [
        (b, t, raw)
        for b, bus in enumerate(raw_buses)
        for t, raw in enumerate(bus.get("targets", []))
    ]
    first: dict[str, tuple[int, int]] = {}
    for b, t, raw in all_targets:
        if raw["name"] in first:
            fb, ft = first[raw["name"]]
            ctx.error(
                (*base, b, "targets", t, "name"),
                f'I2C target "{raw["name"]}" is already '
                f"defined at {ctx.at((*base, fb, 'targets', ft))}; give this one another "
                "name (target names are unique across buses)",
            )
        first.setdefault(raw["name"], (b, t))
    out = []
    sim_count = 0
    lim = ctx.limits
    for b, bus in enumerate(raw_buses):
        targets = []
        taken: dict[tuple[int, bool], int] = {}
        for t, raw in enumerate(bus.get("targets", [])):
            tg = _target(ctx, bus, b, t, raw)
            path: PathKey = (*base, b, "targets", t)
            where = (tg.address, tg.ten_bit)
            if where in taken:
                other = bus["targets"][taken[where]]["name"]
                ctx.error(
                    (*path, "address"),
                    f"{fmt_addr(tg.address, tg.ten_bit)} on bus "
                    f'"{bus["name"]}" is already target "{other}" '
                    f"({ctx.at((*base, b, 'targets', taken[where]))}); two targets "
                    "cannot share an address: change one",
                )
            taken.setdefault(where, t)
            if tg.simulated:
                sim_count += 1
                if sim_count == lim.max_sim_targets + 1:
                    ctx.error(
                        path,
                        f"more simulated targets than the simulated platform holds "
                        f"(VBE_SIM_MAX_TARGETS = {lim.max_sim_targets} in "
                        "zephyr-app/lib/sim/include/vbe/sim.h); remove targets or raise "
                        "that limit",
                    )
                if b >= lim.max_sim_buses:
                    ctx.error(
                        path,
                        f'bus "{bus["name"]}" is platform bus {b}, but the '
                        f"simulated platform has {lim.max_sim_buses} buses "
                        "(VBE_SIM_MAX_BUSES in sim.h); put this target on one of the "
                        f"first {lim.max_sim_buses} buses",
                    )
            targets.append(tg)
        out.append(I2cBus(path_str((*base, b)), bus["name"], b, tuple(targets)))
    return tuple(out)


def _platform(ctx: Ctx, raw: dict[str, Any], system_name: str) -> Platform:
    return Platform(
        i2c_buses=_buses(ctx, raw.get("i2c_buses", [])), **scmi_platform(ctx, raw, system_name)
    )


@dataclass(frozen=True)
class Loaded:
    """A valid description and the warnings it drew."""

    system: System
    warnings: tuple[Problem, ...] = ()


def source_label(path: Path) -> str:
    """How generated files name their source: repo-relative inside this repository, else the
    file name (so output does not depend on where the command ran)."""
    try:
        return path.resolve().relative_to(REPO).as_posix()
    except ValueError:
        return path.name


def build_system(
    data: Any, pos: Positions, file: str, source: str, limits: CoreLimits | None = None
) -> Loaded:
    """Validate a parsed document and build the model; SysdescError lists every problem."""
    problems = schema_problems(data, pos, file)
    if problems:
        raise SysdescError(problems)
    ctx = Ctx(file, pos, limits or core_limits())
    known = boards()
    board = data["system"]["board"]
    ctx.board = known.get(board)
    if ctx.board is None:
        ctx.error(
            ("system", "board"),
            f"unknown board {board!r}{closest(board, list(known))}; "
            f"known boards: {', '.join(sorted(known))}",
        )
    platform = _platform(ctx, data.get("platform", {}), data["system"]["name"])
    warn_missing(ctx, platform)
    guests = build_guests(ctx, data["guests"], platform)
    if ctx.errors:
        raise SysdescError(sorted(ctx.problems, key=lambda p: (p.line, p.warning)))
    system = System(data["system"]["name"], board, source, platform, guests)
    return Loaded(system, tuple(ctx.problems))


def loads_system(
    text: str, file: str = "<text>", source: str | None = None, limits: CoreLimits | None = None
) -> Loaded:
    data, pos = load_yaml(text, file)
    return build_system(data, pos, file, source or file, limits)


def load_system(path: Path, limits: CoreLimits | None = None) -> Loaded:
    """Read, validate and build the description in ``path``."""
    text = read_text(path)
    return loads_system(text, str(path), source_label(path), limits)
