"""Running the `vbe` command line the way a user does: a subprocess, no terminal."""

from __future__ import annotations

import subprocess
import sys

TIMEOUT = 120


def vbe(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m vbe ARGS``: exit code, stdout and stderr; fails the test after TIMEOUT s."""
    return subprocess.run(
        [sys.executable, "-m", "vbe", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
