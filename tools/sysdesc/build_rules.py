"""What the semantic checks of :mod:`sysdesc.build` and its helpers (build_guests,
build_scmi, build_zephyr) share: the checking context (:class:`Ctx`: where lines are, the
problems so far, the core's limits) and the rules several of them apply."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sysdesc.limits import BoardMap, CoreLimits
from sysdesc.loader import PathKey, Positions, Problem, path_str
from sysdesc.model import RateRange
from sysdesc.values import fmt_addr


@dataclass
class Ctx:
    """What the checks share: where lines are, the problems so far, the core's limits."""

    file: str
    pos: Positions
    limits: CoreLimits
    board: BoardMap | None = None
    problems: list[Problem] = field(default_factory=list)

    def error(self, path: PathKey, message: str) -> None:
        self.problems.append(Problem(self.file, self.pos.line(path), path_str(path), message))

    def warn(self, path: PathKey, message: str) -> None:
        self.problems.append(
            Problem(self.file, self.pos.line(path), path_str(path), message, warning=True)
        )

    def at(self, path: PathKey) -> str:
        """'guests[1].i2c (line 12)', to point from one problem to another place."""
        return f"{path_str(path)} (line {self.pos.line(path)})"

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]


def unique_names(ctx: Ctx, items: Sequence[dict[str, Any]], base: PathKey, what: str) -> None:
    """Each ``name`` once in its namespace; a repeat points at the first."""
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        name = item["name"]
        if name in first:
            ctx.error(
                (*base, i, "name"),
                f'{what} "{name}" is already defined at {ctx.at((*base, first[name]))}; '
                "give this one another name",
            )
        else:
            first[name] = i


def check_7bit(ctx: Ctx, path: PathKey, addr: int, ten_bit: bool) -> bool:
    """Range of an I2C address; False (and an error) when it cannot be used at all."""
    if ten_bit:
        if addr > 0x3FF:
            ctx.error(path, f"{addr:#x} is above 0x3ff, the largest 10-bit address")
            return False
        return True
    if addr > 0x7F:
        ctx.error(
            path,
            f"{fmt_addr(addr)} is not a 7-bit address (0x00-0x7f); for a 10-bit address "
            "add `ten_bit: true`",
        )
        return False
    if addr < 0x08 or addr > 0x77:
        ctx.warn(
            path,
            f"{fmt_addr(addr)} is a reserved 7-bit address (0x00-0x07 and 0x78-0x7f are "
            "reserved by the I2C specification; i2cdetect skips them); use 0x08-0x77 unless "
            "the hardware really sits there",
        )
    return True


def rate_range(
    ctx: Ctx,
    path: PathKey,
    raw: dict[str, Any],
    parse: Callable[[Any], int],
    show: Callable[[int], str],
) -> RateRange | None:
    """min/max/step of a clock (Hz) or voltage (uV) range; ``show`` formats a value as the
    description may write it."""
    lo, hi, step = (parse(raw[k]) for k in ("min", "max", "step"))
    if lo > hi:
        ctx.error((*path, "max"), f"max {show(hi)} is below min {show(lo)}; swap them")
        return None
    if step <= 0:
        ctx.error((*path, "step"), "step must be above 0")
        return None
    if (hi - lo) % step:
        top = lo + (hi - lo) // step * step
        ctx.error(
            (*path, "max"),
            f"max {show(hi)} is not min + a whole number of steps of {show(step)}; "
            f"use max: {show(top)} (or change step)",
        )
        return None
    return RateRange(lo, hi, step)
