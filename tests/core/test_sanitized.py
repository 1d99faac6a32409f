"""The ring tests again, on the core built with AddressSanitizer + UBSan.

The window's guard pages catch accesses just outside it; ASan also catches overruns of
the core's own objects and UBSan undefined arithmetic on guest-controlled values.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pyhost import corelib

HERE = Path(__file__).resolve().parent
SUITES = sorted(str(p) for p in HERE.glob("test_ring*.py"))


@pytest.mark.skipif(
    os.environ.get("VBE_CORE_VARIANT") == "asan", reason="already running on the asan core"
)
def test_ring_suites_pass_on_the_sanitized_core() -> None:
    corelib.library_path("asan")  # build it here, so a build error reads as one
    env = dict(
        os.environ,
        VBE_CORE_VARIANT="asan",
        LD_PRELOAD=corelib.asan_preload(),
        ASAN_OPTIONS="detect_leaks=0:abort_on_error=1",
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SUITES],
        check=False,
        cwd=HERE.parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = proc.stdout + proc.stderr
    assert "ERROR: AddressSanitizer" not in output and "runtime error:" not in output, output
    assert proc.returncode == 0, f"sanitized ring tests failed:\n{output[-6000:]}"
