"""Which Python a CMake build of vbe runs sysdesc's build steps with.

Every image's build generates its tables (and the bare-metal image its manifest) at build
time with ``python -m sysdesc.buildstep`` (zephyr-app/lib/vbe_core.cmake), run by
``VBE_PYTHON``, a CMake cache variable. Left to itself CMake keeps the first ``python3`` it
found when the build directory was configured, even after the set-up made a virtual
environment; so every configure from vbe passes the interpreter running vbe (which has
vbe's dependencies), and a build directory configured with another one is configured
again.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

VARIABLE = "VBE_PYTHON"


def interpreter() -> str:
    """The interpreter running this process (a virtual environment's, not resolved)."""
    return sys.executable or "python3"


def define() -> str:
    """The ``-D`` argument that makes a configure use :func:`interpreter`."""
    return f"-D{VARIABLE}={interpreter()}"


def configured(build_dir: Path) -> str | None:
    """The ``VBE_PYTHON`` a build directory's CMakeCache.txt holds, or None."""
    try:
        text = (build_dir / "CMakeCache.txt").read_text(errors="replace")
    except OSError:
        return None
    m = re.search(rf"^{VARIABLE}:[A-Z]+=(.*)$", text, re.MULTILINE)
    return m[1].strip() if m else None


def needs_configure(build_dir: Path) -> bool:
    """True when ``build_dir`` is not configured, or configured with another Python."""
    return configured(build_dir) != interpreter()
