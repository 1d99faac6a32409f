"""The bare-metal image's build runs Python (``python -m sysdesc.buildstep``: the tables and
the manifest) with the interpreter running vbe, also in a build directory configured
earlier with another one (before the set-up made its virtual environment): that directory
is configured again instead of failing until deleted."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sysdesc import pycmake
from vbe import imagebuild

from pyhost.machine import qemu_image

# an interpreter that passes the configure check (buildstep --check) but cannot run the
# build steps, as a python3 without cbor2 and pyelftools fails them
OLD_PYTHON = """\
#!/bin/sh
case " $* " in *" --check "*) exit 0 ;; esac
echo "old python: No module named 'cbor2'" >&2
exit 1
"""


@pytest.fixture
def stale_dir(tmp_path: Path) -> Path:
    """A build directory configured with OLD_PYTHON."""
    if shutil.which(f"{imagebuild.cross_prefix()}gcc") is None or shutil.which("cmake") is None:
        pytest.skip("no aarch64 cross compiler or cmake: the bare-metal image cannot be built")
    old = tmp_path / "old-python"
    old.write_text(OLD_PYTHON)
    old.chmod(0o755)
    bdir = tmp_path / "baremetal"
    subprocess.run(
        ["cmake", "-S", str(qemu_image.BOARD), "-B", str(bdir), f"-DVBE_PYTHON={old}"],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    assert pycmake.configured(bdir) == str(old)
    return bdir


def test_the_harness_build_follows_this_python(
    stale_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VBE_BAREMETAL_BUILD_DIR", str(stale_dir))
    elf = qemu_image.build_image("test")
    assert elf.is_file() and pycmake.configured(stale_dir) == sys.executable


def test_vbe_build_follows_this_python(stale_dir: Path) -> None:
    built = imagebuild.build_baremetal(stale_dir)
    assert built.elf.is_file() and pycmake.configured(stale_dir) == sys.executable


def test_needs_configure(tmp_path: Path) -> None:
    assert pycmake.needs_configure(tmp_path)  # not configured at all
    (tmp_path / "CMakeCache.txt").write_text(f"VBE_PYTHON:FILEPATH={sys.executable}\n")
    assert not pycmake.needs_configure(tmp_path)
    (tmp_path / "CMakeCache.txt").write_text("VBE_PYTHON:FILEPATH=/usr/bin/python3.9\n")
    assert pycmake.needs_configure(tmp_path)
