"""Which guest kernel is found: decided from the cache alone, never from apt's state of the
moment (an apt-get update between the build and the tests changes nothing); moving to a new
linux-source is `build_kernel(update=True)`, which says old -> new. Quick: fake cache
entries and a fake apt-cache, no kernel is built."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from pyhost.linux import kernel
from pyhost.linux.cache import LinuxError, compare_versions
from pyhost.linux.guest import LinuxImages, cached_images

OLD = "6.12.117-1~deb12u1"
NEW = "6.12.118-1~deb12u1"


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VBE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("VBE_LINUX_VERSION", raising=False)
    return tmp_path / "cache"


@pytest.fixture
def apt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """A fake apt-cache first on PATH; ``apt(version)`` sets its candidate for
    linux-source-6.12 and returns the file that logs each call."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    calls = tmp_path / "apt-calls"
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")

    def set_candidate(version: str) -> Path:
        script = bindir / "apt-cache"
        script.write_text(
            f'#!/bin/sh\necho "$@" >> {calls}\necho "{kernel.PACKAGE}:"\n'
            f'echo "  Installed: (none)"\necho "  Candidate: {version}"\n'
        )
        script.chmod(0o755)
        return calls

    return set_candidate


def fake_build(version: str, fragment: str | None = None) -> kernel.KernelBuild:
    """A complete cache entry for (version, fragment) as build_kernel stores it."""
    frag = kernel.fragment_text() if fragment is None else fragment
    kb = kernel.KernelBuild(version, kernel.cache_key(version, frag))
    kb.dir.mkdir(parents=True)
    kb.image.write_bytes(f"Image of {version}".encode())
    kb.modules.mkdir()
    for name in kernel.MODULES:
        (kb.modules / name).write_bytes(f"{name} of {version}".encode())
    info = {"package": kernel.PACKAGE, "version": version, "key": kb.key,
            "release": "6.12.0-vbe", "build_seconds": 1.0}  # fmt: skip
    (kb.dir / "info.json").write_text(json.dumps(info))
    return kb


def no_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any attempt to build stop the test with LinuxError("would build")."""

    def refuse() -> None:
        raise LinuxError("would build")

    monkeypatch.setattr(kernel, "check_build_tools", refuse)


def test_cached_kernel_is_found_whatever_apt_now_says(
    apt: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    built = fake_build(OLD)
    calls = apt(NEW)  # an apt-get update brought a newer linux-source since the build
    no_build(monkeypatch)
    assert kernel.cached_kernel() == built.image
    assert kernel.build_kernel() == built  # setup's `vbe guest build`: nothing to build
    assert not calls.exists(), "apt was asked at run time"


def test_without_apt_at_all_the_cached_kernel_is_found(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    built = fake_build(OLD)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))  # no apt-cache, no anything
    assert kernel.cached_kernel() == built.image


def test_the_newest_build_of_the_current_fragment_is_used() -> None:
    fake_build("6.12.9-1")
    newest = fake_build("6.12.10-1")  # newer by Debian's order, not by the string's
    fake_build("6.12.99-1", fragment="CONFIG_SOMETHING_ELSE=y\n")  # another fragment's
    broken = kernel.linux_dir() / "0123456789abcdef"
    broken.mkdir()
    (broken / "info.json").write_text("{not json")
    (broken / "Image").write_bytes(b"")
    assert [kb.version for kb in kernel.cached_builds()] == ["6.12.9-1", "6.12.10-1"]
    assert kernel.current_kernel() == newest


def test_a_build_without_its_modules_is_not_used() -> None:
    """An entry made before guest.config asked for modules (no modules/virtio_mmio.ko) is
    no kernel to boot: the initramfs carries the modules of the kernel it boots with."""
    built = fake_build(OLD)
    for name in kernel.MODULES:
        (built.modules / name).unlink()
    assert kernel.cached_builds() == [] and kernel.cached_kernel() is None


def test_a_build_of_another_fragment_is_not_used() -> None:
    fake_build(OLD, fragment="CONFIG_SOMETHING_ELSE=y\n")
    assert kernel.cached_kernel() is None
    reason = kernel.no_kernel_reason()
    assert "guest.config" in reason and "vbe guest build" in reason


def test_vbe_linux_version_pins_the_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    old = fake_build("6.12.9-1")
    fake_build("6.12.10-1")
    monkeypatch.setenv("VBE_LINUX_VERSION", "6.12.9-1")
    assert kernel.current_kernel() == old
    monkeypatch.setenv("VBE_LINUX_VERSION", "6.12.8-1")
    assert kernel.cached_kernel() is None and "6.12.8-1" in kernel.no_kernel_reason()


def test_with_nothing_cached_apt_candidate_is_built(
    apt: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = apt(NEW)
    no_build(monkeypatch)
    with pytest.raises(LinuxError, match="would build"):
        kernel.build_kernel()
    assert calls.read_text().split() == ["policy", kernel.PACKAGE]
    assert kernel.kernel_build().version == NEW


def test_update_says_old_to_new_and_builds_the_new_one(
    apt: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_build(OLD)
    apt(NEW)
    no_build(monkeypatch)
    said: list[str] = []
    with pytest.raises(LinuxError, match="would build"):
        kernel.build_kernel(update=True, progress=said.append)
    assert said[0].startswith(f"{kernel.PACKAGE} {OLD} -> {NEW}: rebuilding the guest kernel")


def test_update_with_nothing_newer_rebuilds_nothing(
    apt: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    built = fake_build(NEW)
    apt(OLD)  # apt's candidate went back (a source removed): keep the newer build
    no_build(monkeypatch)
    said: list[str] = []
    assert kernel.build_kernel(update=True, progress=said.append) == built
    nothing = f"{kernel.PACKAGE} {NEW} is built and apt's candidate is {OLD}: nothing to rebuild"
    assert said == [nothing]


def test_cached_images_say_what_is_missing() -> None:
    assert "no guest kernel built from guest.config" in str(cached_images())
    fake_build(OLD)
    assert "no guest initramfs" in str(cached_images())
    assert not isinstance(cached_images(), LinuxImages)


@pytest.mark.parametrize(
    ("a", "b", "order"),
    [
        ("6.12.118-1~deb12u1", "6.12.117-1~deb12u1", 1),
        ("6.12.10-1", "6.12.9-1", 1),
        ("6.12.38-1~bpo12+1", "6.12.41-1~deb12u1", -1),
        ("1.0~rc1", "1.0", -1),  # ~ sorts before the end
        ("1.0", "1.0-0", 0),
        ("1.0a", "1.0+", -1),  # letters before other characters
        ("1:0.1", "2.0", 1),  # the epoch first
        ("1.0-1", "1.0-1.1", -1),
    ],
)
def test_debian_version_order(a: str, b: str, order: int) -> None:
    assert compare_versions(a, b) == order and compare_versions(b, a) == -order
