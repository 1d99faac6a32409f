"""pytest fixtures for the Xen tests (tests/xen/conftest.py imports them).

xen_images   (session) the cached images; SKIPS (saying how to build them) when the
             hypervisor or the guest kernel is not cached, unless VBE_XEN=1, which builds
             what is missing first (a few minutes, network for the Debian packages)
xen_system   (module) one booted XenSystem of the demo system with both DomUs served (the
             go signal given), stopped after the module's last test; parametrized by Dom0
             (``linux``, ``baremetal``: the same tests against each; VBE_XEN_DOM0=linux, or
             =baremetal, runs one)
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from sysdesc.gen_xen import DOM0S

from pyhost.linux.cache import LinuxError
from pyhost.xen.artefacts import XenImages, build_images, cached_images
from pyhost.xen.system import XenSystem

SKIP_REASON = (
    "Xen artefacts not cached: `vbe xen build` builds them (the hypervisor from Debian's "
    "source, ~2 min; the guest kernel, minutes; the arm64 packages need the Debian archive), "
    "or run with VBE_XEN=1 to build them first"
)


def xen_images_or_skip() -> XenImages:
    for tool, pkg in (
        ("dtc", "device-tree-compiler"),
        ("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu"),
    ):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed ({pkg}; scripts/setup installs it)")
    if shutil.which(os.environ.get("VBE_QEMU", "qemu-system-aarch64")) is None:
        pytest.skip("qemu-system-aarch64 not installed (scripts/setup installs it)")
    images = cached_images()
    if images is not None:
        return images
    if os.environ.get("VBE_XEN") != "1":
        pytest.skip(SKIP_REASON)
    try:
        return build_images(progress=print)
    except LinuxError as exc:
        pytest.fail(f"building the Xen artefacts failed: {exc}")


@pytest.fixture(scope="session")
def xen_images() -> XenImages:
    return xen_images_or_skip()


def dom0_kinds() -> list[str]:
    """The Dom0s the Xen tests run against: VBE_XEN_DOM0 (comma-separated), or all."""
    wanted = [k.strip() for k in os.environ.get("VBE_XEN_DOM0", "").split(",") if k.strip()]
    unknown = [k for k in wanted if k not in DOM0S]
    if unknown:
        raise pytest.UsageError(f"VBE_XEN_DOM0={unknown}: choose from {', '.join(DOM0S)}")
    return wanted or list(DOM0S)


@pytest.fixture(scope="module", params=dom0_kinds())
def xen_system(request: pytest.FixtureRequest, xen_images: XenImages) -> Iterator[XenSystem]:
    xs = XenSystem(xen_images, dom0=request.param)
    try:
        xs.boot()
        xs.go()
        yield xs
    finally:
        xs.close()
