# SPDX-License-Identifier: Apache-2.0
"""``west vbe ...``: every ``vbe`` command as a west extension command.

west loads this file through scripts/west-commands.yml (generated: python -m vbe.westyml).
It wraps the same command classes as the ``vbe`` command line (tools/vbe/commands), so
``west vbe check SYSTEM.yaml`` and ``vbe check SYSTEM.yaml`` are one implementation. It
needs no workspace (requires_workspace=False): it works right after ``west init -l``,
before ``west update`` has cloned Zephyr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from west.commands import CommandError, WestCommand

# This checkout's tools and harness come first, whether or not vbe is pip-installed.
_REPO = Path(__file__).resolve().parent.parent
for _p in (_REPO, _REPO / "tools"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from vbe import output
from vbe.commands import all_commands
from vbe.commands.base import CommandError as VbeCommandError
from vbe.commands.base import VbeCommand
from vbe.westyml import WEST_NAME, west_help

DESCRIPTION = """\
vbe, as a west extension command: validate and generate from a system description, build
it for the in-process machine, and drive guests (run, i2c). Every subcommand is the vbe
command of the same name; "west vbe COMMAND -h" shows its options and examples.
"""

EPILOG = """\
examples:
  west vbe check vbe/examples/demo.yaml
  west vbe gen vbe/examples/soc-3guests.yaml -o build/gen/soc3
  west vbe i2c detect --guest cluster
"""


class VbeWestCommand(WestCommand):
    def __init__(self) -> None:
        super().__init__(
            WEST_NAME, west_help(), DESCRIPTION, accepts_unknown_args=True, requires_workspace=False
        )
        self.commands: list[VbeCommand] = []

    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        parser = parser_adder.add_parser(
            self.name,
            help=self.help,
            description=self.description,
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub = parser.add_subparsers(title="commands", metavar="COMMAND", dest="vbe_subcommand")
        self.commands = all_commands()
        for cmd in self.commands:
            cmd.add_parser(sub)
        return parser

    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> None:
        cmd: VbeCommand | None = getattr(args, "vbe_command", None)
        if cmd is None:
            self.parser.print_help()
            raise CommandError(returncode=2)
        # west's -v/-q set self.verbosity on the same scale as vbe's (QUIET 0 .. INF 3 ..).
        output.set_verbosity(int(self.verbosity))
        try:
            rc = cmd.run(args, unknown)
        except VbeCommandError as exc:
            rc = exc.returncode
        if rc:
            raise CommandError(returncode=rc)
