"""pytest fixtures for Linux guest tests (tests/linux/conftest.py imports them).

linux_images   (session) the cached kernel and initramfs; the test SKIPS when the kernel
               is not cached, unless VBE_LINUX=1, which builds both first (minutes)
linux_guest    (module) one booted LinuxGuest, stopped after the module's last test
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from pyhost.linux.cache import LinuxError
from pyhost.linux.guest import LinuxGuest, LinuxImages
from pyhost.linux.initramfs import build_initramfs, cached_initramfs
from pyhost.linux.kernel import build_kernel, cached_kernel

__all__ = ["LinuxImages", "linux_guest", "linux_images", "linux_images_or_skip"]

SKIP_REASON = (
    "Linux guest kernel not cached: scripts/setup builds it (unless VBE_SETUP_GUEST=0), or "
    "`vbe guest build` (a few minutes), or run with VBE_LINUX=1 to build it first"
)


def linux_images_or_skip() -> LinuxImages:
    """The cached images, built when VBE_LINUX=1; pytest.skip when neither."""
    if shutil.which(os.environ.get("VBE_QEMU", "qemu-system-aarch64")) is None:
        pytest.skip("qemu-system-aarch64 not installed (scripts/setup installs it)")
    kernel = cached_kernel()
    if kernel is None and os.environ.get("VBE_LINUX") != "1":
        pytest.skip(SKIP_REASON)
    try:
        if kernel is None:
            kernel = build_kernel(progress=print).image
        initramfs = cached_initramfs() or build_initramfs(progress=print)
    except LinuxError as exc:
        pytest.fail(f"building the Linux guest failed: {exc}")
    return LinuxImages(kernel, initramfs)


@pytest.fixture(scope="session")
def linux_images() -> LinuxImages:
    return linux_images_or_skip()


@pytest.fixture(scope="module")
def linux_guest(linux_images: LinuxImages) -> Iterator[LinuxGuest]:
    guest = LinuxGuest(kernel=linux_images.kernel, initramfs=linux_images.initramfs)
    try:
        guest.boot()
        yield guest
    finally:
        guest.close()
