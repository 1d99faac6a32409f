"""Helpers for the QEMU-only tests: process and shared-memory checks, the skip marker."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pyhost.machine.qemu_image import qemu_available

QEMU_OK, QEMU_WHY = qemu_available()
needs_qemu = pytest.mark.skipif(not QEMU_OK, reason=f"qemu machine unavailable: {QEMU_WHY}")


def process_gone(pid: int) -> bool:
    """True when ``pid`` no longer runs (a zombie counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def wait_gone(pid: int, timeout: float = 5.0) -> bool:
    """Wait helper: until ``pid`` is gone or ``timeout`` s passed; whether it is gone."""
    deadline = time.monotonic() + timeout
    while not process_gone(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def shm_files(pid: int) -> list[Path]:
    """Shared-memory files the machines of process ``pid`` would create."""
    return sorted(Path("/dev/shm").glob(f"vbe-{pid}-*"))
