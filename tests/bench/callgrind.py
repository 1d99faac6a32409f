"""Instructions counted by callgrind inside the core, shared by the benchmarks.

A benchmark script re-runs itself as a worker (``--worker N`` plus its own arguments) under
``valgrind --tool=callgrind --toggle-collect=ENTRY``, so only instructions inside the core's
service entry are counted; the difference between N requests and none, divided by N, is
the core's cost per request.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ENTRY = "vbe_sys_poll"
WORKER_TIMEOUT = 1800  # seconds for one callgrind run


def callgrind_ir(script: Path, worker_args: list[str], out: Path) -> tuple[int, list[str]]:
    """Ir collected inside ENTRY for one worker run of ``script``, and the command used.

    valgrind must run the Python binary itself (sys.executable), not a wrapper script such
    as a pyenv shim: callgrind does not follow the exec and would count nothing.
    """
    cmd = [
        "valgrind",
        "--tool=callgrind",
        f"--toggle-collect={ENTRY}",
        f"--callgrind-out-file={out}",
        sys.executable,
        str(script.resolve()),
        *worker_args,
    ]
    proc = subprocess.run(
        cmd,
        check=False,
        capture_output=True,
        text=True,
        timeout=WORKER_TIMEOUT,
        env={**os.environ, "PYTHONMALLOC": "malloc"},
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    m = re.search(r"^(?:summary|totals):\s*(\d+)", out.read_text(), re.MULTILINE)
    if m is None:
        raise RuntimeError(f"{out}: no 'summary:' line; is it a callgrind output file?")
    return int(m.group(1)), cmd
