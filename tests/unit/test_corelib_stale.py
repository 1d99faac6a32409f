"""pyhost.corelib rebuilds the core when a source is newer than the library, and once the
build says it is up to date the library counts as current (no build on every load)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pyhost import corelib


def test_a_build_with_nothing_to_relink_makes_the_library_current(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = tmp_path / corelib.LIBRARIES["plain"]
    lib.write_bytes(b"")
    os.utime(lib, (1, 1))  # older than every source
    builds: list[int] = []
    monkeypatch.setenv("VBE_BUILD_DIR", str(tmp_path))
    monkeypatch.setattr(corelib, "build", lambda quiet=False: builds.append(1) or tmp_path)
    assert corelib.library_path("plain") == lib
    assert corelib.library_path("plain") == lib
    assert builds == [1]
