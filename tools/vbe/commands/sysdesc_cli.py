"""What the system-description commands (check, gen, build) share: the SYSTEM argument and
reading a description, printing its problems in the west style."""

from __future__ import annotations

import argparse
from pathlib import Path

from sysdesc import Loaded, Problem, SysdescError, load_system
from sysdesc.limits import LimitsError

from vbe.commands.base import CommandError
from vbe.output import err, wrn


def add_system_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "system", metavar="SYSTEM.yaml", type=Path, help="the system description (YAML)"
    )


def report(problems: tuple[Problem, ...] | list[Problem]) -> None:
    for p in problems:
        (wrn if p.warning else err)(str(p))


def counts(problems: tuple[Problem, ...] | list[Problem]) -> str:
    errors = sum(not p.warning for p in problems)
    warnings = len(problems) - errors
    parts = [f"{errors} error{'s' if errors != 1 else ''}"]
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts)


def load_or_fail(path: Path, consequence: str = "") -> Loaded:
    """The valid description, its warnings printed; otherwise every problem and exit 1."""
    try:
        loaded = load_system(path)
    except SysdescError as exc:
        report(exc.problems)
        err(f"{path}: {counts(exc.problems)}{consequence}")
        raise CommandError(1) from None
    except LimitsError as exc:
        err(str(exc))
        raise CommandError(1) from None
    report(loaded.warnings)
    return loaded
