"""The ``vbe`` command line: one class per command (vbe.commands), west-style output.

Exit codes: 0 success, 1 runtime failure (``FATAL ERROR: ...`` or ``ERROR: ...``),
2 usage mistake (argparse), 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from vbe import __version__
from vbe.commands import all_commands
from vbe.commands.base import CommandError, VbeCommand
from vbe.output import Verbosity, err, set_verbosity

DESCRIPTION = """\
vbe: virtio device backends (virtio-i2c and virtio-scmi) for a backend domain,
and the tools around them. The guest side is played by pyhost, so every command runs
against a machine: "inprocess" loads the portable C core into this process.
"""

EPILOG = """\
examples:
  vbe run                                  bring the demo system up and run its script
  vbe run --json                           the same, as a JSON report
  vbe i2c detect --guest cluster           i2cdetect-like grid of what "cluster" sees
  vbe i2c transfer -y w1@0x50 0x00 r8      set the EEPROM pointer to 0, read 8 bytes
  vbe i2c transfer -y w17@0x50 0x42 0xff-  write 0xff 0xfe ... 0xf0 from offset 0x42
  vbe i2c get 0x48 0x00 w                  read the LM75 temperature register
  vbe scmi --json clocks                   the clocks the first guest's SCMI agent was granted

Run "vbe COMMAND -h" for a command's options and more examples.
"""


def make_parser(commands: Sequence[VbeCommand]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vbe",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-V", "--version", action="version", version=f"vbe {__version__}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="more output; repeat for more (-vvv: tracebacks on errors)",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="only results, warnings and errors"
    )
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")
    for cmd in commands:
        cmd.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one vbe command; return its exit code (usage mistakes and --help included)."""
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # die(), parser.error(), --help, --version
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)


def _main(argv: list[str]) -> int:
    commands = all_commands()
    parser = make_parser(commands)
    args, unknown = parser.parse_known_args(argv)
    level = Verbosity.WRN if args.quiet else Verbosity.INF + args.verbose
    set_verbosity(level)
    cmd: VbeCommand | None = getattr(args, "vbe_command", None)
    if cmd is None:
        parser.print_help()
        return 2
    try:
        return cmd.run(args, unknown)
    except CommandError as exc:
        return exc.returncode
    except KeyboardInterrupt:
        err("interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - last resort: say what broke
        if level >= Verbosity.DBG_EXTREME:
            traceback.print_exc(file=sys.stderr)
            hint = ""
        else:
            hint = " (run with -vvv for the traceback)"
        err(f"internal error in 'vbe {cmd.name}': {type(exc).__name__}: {exc}{hint}", fatal=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
