"""``vbe build``: build what runs a system description (now: the in-process library)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from vbe.commands.base import CommandError, VbeCommand
from vbe.commands.sysdesc_cli import add_system_arg, load_or_fail
from vbe.output import dbg, err, inf, out
from vbe.sysdesc.hostbuild import LIBRARY, SYMBOL, HostBuildError, build_host_library, default_dir

DESCRIPTION = f"""\
Build a system description for a target.

--host: the in-process machine. Validates the description, generates its C tables and
profile into DIR (default build/systems/<system name>/) and compiles the tables alone
into DIR/{LIBRARY}, which exports {SYMBOL}. pyhost's InProcessMachine(system=...) loads
it and hands it to vbe_host_create() of the core library, so the harness runs the
backend on exactly that system. Rebuilt only when the tables changed or a core header is
newer than the library.
"""

EPILOG = """\
examples:
  vbe build --host examples/soc-3guests.yaml        -> build/systems/soc3/libvbe_sys.so
  vbe build --host examples/demo.yaml -o build/demo-host   into another directory

then, in Python:
  InProcessMachine(system="examples/soc-3guests.yaml")   (builds when stale, then runs)
"""


class BuildCommand(VbeCommand):
    def __init__(self) -> None:
        super().__init__(
            "build", "build a system description (--host: in-process library)", DESCRIPTION
        )

    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        p = self._parser(parser_adder, epilog=EPILOG)
        target = p.add_argument_group("target").add_mutually_exclusive_group(required=True)
        target.add_argument(
            "--host", action="store_true", help=f"the in-process machine: DIR/{LIBRARY}"
        )
        add_system_arg(p)
        p.add_argument(
            "-o",
            "--outdir",
            type=Path,
            metavar="DIR",
            help="build directory (default: build/systems/<system name>)",
        )
        return p

    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> int:
        loaded = load_or_fail(args.system, "; nothing was built")
        outdir = args.outdir or default_dir(loaded.system.name)
        try:
            lib = build_host_library(args.system, outdir, progress=lambda m: inf(f"  {m}"))
        except HostBuildError as exc:
            err(str(exc))
            raise CommandError(1) from None
        dbg(f"symbol {lib.symbol}, profile {lib.profile}")
        state = "built" if lib.rebuilt else "up to date"
        inf(f'system "{loaded.system.name}": {state}', colorize=True)
        out(str(lib.library))
        return 0
