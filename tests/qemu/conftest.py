"""Fixtures for the QEMU-only tests (helpers: qemu_helpers.py)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyhost.machine.qemu_image import ensure_image
from pyhost.machine.qemu_proc import RUN_PREFIX


@pytest.fixture(scope="session")
def image() -> Path:
    """The bare-metal image, built once if stale."""
    return ensure_image()


@pytest.fixture(autouse=True)
def _no_kept_logs() -> Iterator[None]:
    """Tests here break machines on purpose; remove the logs those machines keep."""
    pattern = f"{RUN_PREFIX}{os.getpid()}-*"
    before = set(Path(tempfile.gettempdir()).glob(pattern))
    yield
    for d in set(Path(tempfile.gettempdir()).glob(pattern)) - before:
        shutil.rmtree(d, ignore_errors=True)
