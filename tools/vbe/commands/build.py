"""``vbe build``: build what runs a system description: the in-process library (--host), the
bare-metal Arm64 image, or the Zephyr application (west build)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sysdesc.hostbuild import LIBRARY, SYMBOL, HostBuildError, build_host_library, default_dir

from vbe.commands.base import CommandError, VbeCommand
from vbe.commands.sysdesc_cli import load_or_fail
from vbe.imagebuild import (
    BAREMETAL_BOARD,
    DEFAULT_ZEPHYR_BOARD,
    ImageBuildError,
    build_baremetal,
    build_zephyr,
)
from vbe.output import dbg, err, inf, out


def _progress(message: str) -> None:
    inf(f"  {message}")


DESCRIPTION = f"""\
Build a system description for a target.

--board {BAREMETAL_BOARD} (the default): the bare-metal Arm64 image,
build/baremetal/vbe-baremetal.elf with its manifest (CMake in boards/{BAREMETAL_BOARD}; needs
cmake and gcc-aarch64-linux-gnu). The build generates the image's tables and manifest from
SYSTEM.yaml (default examples/demo.yaml, the demo; another one goes to
build/baremetal-<system name>/), and checks that the manifest in the image is what the
description generates plus what the link decided.

--board zephyr, or --board BOARD for a Zephyr board (qemu_cortex_a53): generates the
devicetree overlay and Kconfig fragment of SYSTEM.yaml (default examples/demo.yaml) into
build/zephyr/BOARD-gen/ and runs "west build -b BOARD zephyr-app -- -DDTC_OVERLAY_FILE=...
-DEXTRA_CONF_FILE=..." into build/zephyr/BOARD/. Needs west and a Zephyr workspace
(ZEPHYR_BASE, or this repository inside one); without them it says what to set up.

--host: the in-process machine. Validates the description, generates its C tables and
manifest into DIR (default build/systems/<system name>/) and compiles the tables alone
into DIR/{LIBRARY}, which exports {SYMBOL}. pyhost's InProcessMachine(system=...) loads
it and hands it to vbe_host_create() of the core library, so the harness runs the
backend on exactly that system. Rebuilt only when the tables changed or a core header is
newer than the library.
"""

EPILOG = """\
examples:
  vbe build --host examples/soc-3guests.yaml        -> build/systems/soc3/libvbe_sys.so
  vbe build --host examples/demo.yaml -o build/demo-host   into another directory
  vbe build                                         the bare-metal image (build/baremetal)
  vbe build examples/demo.yaml                      the demo image, checked against the description
  vbe build --board qemu_virt_baremetal examples/soc-3guests.yaml   an image serving that system

with a Zephyr workspace (west; ZEPHYR_BASE or this repository inside the workspace):
    vbe build --board zephyr examples/demo.yaml     zephyr-app for qemu_cortex_a53
    vbe build --board qemu_cortex_a53 examples/soc-3guests.yaml

then, in Python:
  InProcessMachine(system="examples/soc-3guests.yaml")   (builds when stale, then runs)
"""


class BuildCommand(VbeCommand):
    def __init__(self) -> None:
        super().__init__(
            "build", "build the bare-metal image, zephyr-app or the in-process library", DESCRIPTION
        )

    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        p = self._parser(parser_adder, epilog=EPILOG)
        target = p.add_argument_group("target").add_mutually_exclusive_group()
        target.add_argument(
            "--host", action="store_true", help=f"the in-process machine: DIR/{LIBRARY}"
        )
        target.add_argument(
            "--board",
            metavar="BOARD",
            help=f"{BAREMETAL_BOARD} (default), zephyr (= {DEFAULT_ZEPHYR_BOARD}) or a Zephyr "
            "board",
        )
        p.add_argument(
            "system",
            metavar="SYSTEM.yaml",
            type=Path,
            nargs="?",
            help="the system description (YAML); required with --host",
        )
        p.add_argument(
            "-o",
            "--outdir",
            type=Path,
            metavar="DIR",
            help="build directory (default: build/systems/<system name>, build/baremetal, "
            "build/zephyr/<board>)",
        )
        return p

    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> int:
        assert self.parser is not None
        if not args.host:
            return self._image(args)
        if args.system is None:
            self.parser.error("--host needs SYSTEM.yaml")
        loaded = load_or_fail(args.system, "; nothing was built")
        outdir = args.outdir or default_dir(loaded.system.name)
        try:
            lib = build_host_library(args.system, outdir, progress=lambda m: inf(f"  {m}"))
        except HostBuildError as exc:
            err(str(exc))
            raise CommandError(1) from None
        dbg(f"symbol {lib.symbol}, manifest {lib.manifest}")
        state = "built" if lib.rebuilt else "up to date"
        inf(f'system "{loaded.system.name}": {state}', colorize=True)
        out(str(lib.library))
        return 0

    def _image(self, args: argparse.Namespace) -> int:
        """The bare-metal image or the Zephyr application."""
        board = args.board
        system = None
        if args.system is not None:
            system = load_or_fail(args.system, "; nothing was built").system
        if board is None:
            board = system.board if system and system.board != "host" else BAREMETAL_BOARD
        if board == "host":
            assert self.parser is not None
            self.parser.error("--board host: use --host for the in-process library")
        try:
            if board == BAREMETAL_BOARD:
                built = build_baremetal(args.outdir, _progress, args.system)
                what = args.system or "examples/demo.yaml"
                inf(f"  the image's manifest is what {what} describes")
            else:
                board = DEFAULT_ZEPHYR_BOARD if board == "zephyr" else board
                built = build_zephyr(args.system, board, args.outdir, _progress)
        except ImageBuildError as exc:
            err(str(exc))
            raise CommandError(1) from None
        inf(f"{board}: built", colorize=True)
        out(str(built.elf))
        return 0
