"""``vbe check``: validate a system description and summarise it in one line."""

from __future__ import annotations

import argparse
from typing import Any

from sysdesc.model import RESOURCE_KINDS, System

from vbe.commands.base import VbeCommand
from vbe.commands.sysdesc_cli import add_system_arg, load_or_fail
from vbe.output import out

DESCRIPTION = """\
Validate a system description (YAML): first its shape against the JSON Schema, then every
rule that ties it together: names referenced exist (with the closest name suggested when
not), names are unique, each guest's I2C addresses stay distinct after remapping, read-only
and select_max fit the target, clock rates and defaults agree, windows are whole pages,
big enough for their devices, and fit the board's window map, and the system fits what
the core holds (guests, simulated targets; read from the C headers).

Each problem is printed as FILE:LINE: PATH: what is wrong and what to change, PATH being
the place inside the document (guests[1].i2c.devices[0].address). Warnings (e.g. a
reserved I2C address) do not fail the check. Exit 0 with one summary line when the
description is valid, 1 when it is not.
"""

EPILOG = """\
examples:
  vbe check examples/demo.yaml           the demo system: one line, exit 0
  vbe check examples/soc-3guests.yaml    three guests, SCMI grants, two I2C buses
  vbe -q check examples/demo.yaml        warnings and errors only, and the summary line
"""


def summary(system: System) -> str:
    plat = system.platform
    routes = sum(len(g.i2c.routes) for g in system.guests if g.i2c)
    agents = sum(1 for g in system.guests if g.scmi)
    res = sum(len(plat.resources(k)) for k in RESOURCE_KINDS)
    names = ", ".join(g.name for g in system.guests)
    buses = len(plat.i2c_buses)
    return (
        f'system "{system.name}" on {system.board}: {len(system.guests)} guest'
        f"{'s' if len(system.guests) != 1 else ''} ({names}), {buses} I2C bus"
        f"{'es' if buses != 1 else ''} with {len(plat.targets)} targets, {routes} I2C routes, "
        f"{res} SCMI resources, {agents} SCMI agent{'s' if agents != 1 else ''}"
    )


class CheckCommand(VbeCommand):
    def __init__(self) -> None:
        super().__init__("check", "validate a system description", DESCRIPTION)

    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        p = self._parser(parser_adder, epilog=EPILOG)
        add_system_arg(p)
        return p

    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> int:
        loaded = load_or_fail(args.system)
        n = len(loaded.warnings)
        warned = f" ({n} warning{'s' if n != 1 else ''})" if n else ""
        out(f"{args.system}: valid{warned}: {summary(loaded.system)}")
        return 0
