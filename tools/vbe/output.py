"""Console output for the vbe commands, in west's style.

``dbg``/``inf`` print to stdout, ``wrn``/``err`` to stderr with ``WARNING: ``/``ERROR: ``
prefixes; ``die`` prints ``FATAL ERROR: `` and exits 1. What is shown is filtered by the
:class:`Verbosity` set with :func:`set_verbosity` (``-v`` raises it one step; at ``-vvv``
``die`` also prints the traceback of the exception being handled). Colour is used only when
the stream is a terminal and ``NO_COLOR`` is unset.

Library code never prints: only the CLI (``vbe.cli`` and ``vbe.commands``) calls these.
"""

from __future__ import annotations

import os
import sys
import traceback
from enum import IntEnum
from typing import NoReturn, TextIO


class Verbosity(IntEnum):
    QUIET = 0  # nothing but what die() says
    ERR = 1
    WRN = 2
    INF = 3  # the default
    DBG = 4  # -v
    DBG_MORE = 5  # -vv
    DBG_EXTREME = 6  # -vvv: tracebacks too


VERBOSITY = Verbosity.INF

_RESET = "\033[0m"
_COLOURS = {"dbg": "\033[2m", "wrn": "\033[1;33m", "err": "\033[1;31m", "ok": "\033[1;32m"}


def set_verbosity(level: int) -> None:
    global VERBOSITY
    VERBOSITY = Verbosity(max(Verbosity.QUIET, min(Verbosity.DBG_EXTREME, level)))


def verbosity() -> Verbosity:
    return VERBOSITY


def use_colour(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, kind: str, stream: TextIO | None = None) -> str:
    """``text`` in the colour for ``kind`` (dbg, wrn, err, ok) when ``stream`` is a tty."""
    stream = stream or sys.stdout
    if kind not in _COLOURS or not use_colour(stream):
        return text
    return f"{_COLOURS[kind]}{text}{_RESET}"


def _emit(stream: TextIO, prefix: str, args: tuple[object, ...], kind: str | None) -> None:
    text = prefix + " ".join(str(a) for a in args)
    if kind is not None:
        text = paint(text, kind, stream)
    print(text, file=stream, flush=True)


def dbg(*args: object, level: Verbosity = Verbosity.DBG) -> None:
    """Debug output (stdout), shown from ``level`` on (-v is DBG)."""
    if VERBOSITY >= level:
        _emit(sys.stdout, "", args, "dbg")


def inf(*args: object, colorize: bool = False) -> None:
    """Normal output (stdout); ``colorize`` paints it as a success line on a terminal."""
    if VERBOSITY >= Verbosity.INF:
        _emit(sys.stdout, "", args, "ok" if colorize else None)


def out(text: str) -> None:
    """Command results (stdout), printed even at -q: the data the user asked for."""
    print(text, file=sys.stdout, flush=True)


def wrn(*args: object) -> None:
    if VERBOSITY >= Verbosity.WRN:
        _emit(sys.stderr, "WARNING: ", args, "wrn")


def err(*args: object, fatal: bool = False) -> None:
    if VERBOSITY >= Verbosity.ERR or fatal:
        _emit(sys.stderr, "FATAL ERROR: " if fatal else "ERROR: ", args, "err")


def die(*args: object, exit_code: int = 1) -> NoReturn:
    """Print a fatal error and exit (1 unless told). At -vvv, also the current traceback."""
    if VERBOSITY >= Verbosity.DBG_EXTREME and sys.exc_info()[0] is not None:
        traceback.print_exc(file=sys.stderr)
    err(*args, fatal=True)
    sys.exit(exit_code)
