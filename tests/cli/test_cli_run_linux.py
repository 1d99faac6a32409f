"""`vbe run`'s Linux guest part when the guest is not built: skipped with the reason
(auto), or a failure saying so (--linux yes). With a built guest: tests/linux."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, VBE_CACHE_DIR=str(tmp_path / "empty-cache"))
    return subprocess.run(
        [sys.executable, "-m", "vbe", "run", "--machine", "inprocess", *args],
        capture_output=True, text=True, timeout=300, check=False, env=env,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


def test_linux_part_skipped_with_the_reason_when_the_guest_is_not_built(tmp_path: Path) -> None:
    p = _run(tmp_path, "--json")
    assert p.returncode == 0, p.stderr
    linux = json.loads(p.stdout)["linux"]
    assert linux["steps"] == [] and "vbe guest build" in linux["skipped"]


def test_linux_yes_fails_when_the_guest_cannot_run(tmp_path: Path) -> None:
    p = _run(tmp_path, "--linux", "yes")
    assert p.returncode == 1
    assert "--linux yes: the Linux guest cannot run" in p.stdout + p.stderr


def test_linux_no_leaves_it_out(tmp_path: Path) -> None:
    p = _run(tmp_path, "--json", "--linux", "no")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["linux"] is None


def test_linux_part_skipped_when_only_another_fragments_kernel_is_cached(tmp_path: Path) -> None:
    """A kernel built from another guest.config (an older checkout's) is no usable guest:
    --linux auto skips and says which kernel is missing, and apt's state plays no part."""
    from pyhost.linux import kernel
    from pyhost.machine.qemu_image import qemu_available

    if not qemu_available()[0]:
        pytest.skip(f"the QEMU check comes first: {qemu_available()[1]}")
    version = "6.12.117-1~deb12u1"
    entry = tmp_path / "empty-cache" / "linux" / kernel.cache_key(version, "CONFIG_OTHER=y\n")
    entry.mkdir(parents=True)
    (entry / "Image").write_bytes(b"an Image")
    (entry / "info.json").write_text(json.dumps({"package": kernel.PACKAGE, "version": version}))
    p = _run(tmp_path, "--json")
    assert p.returncode == 0, p.stderr
    skipped = json.loads(p.stdout)["linux"]["skipped"]
    assert "no guest kernel built from guest.config" in skipped and "vbe guest build" in skipped
