"""pytest fixtures for the Xen tests (tests/xen/conftest.py imports them).

xen_images   (session) the cached images; SKIPS (saying how to build them) when the
             hypervisor or the guest kernel is not cached, unless VBE_XEN=1, which builds
             what is missing first (a few minutes, network for the Debian packages)
xen_system   (module) one booted XenSystem of the demo system with both DomUs served (the
             go signal given), stopped after the module's last test; parametrized by Dom0
             (``linux``, ``baremetal``: the same tests against each; VBE_XEN_DOM0=linux, or
             =baremetal, runs one). Both map grants: the demo itself (its cluster grants).
xen_modes    (module, parametrized) the same for each of GRANT_MODES and each Dom0: the demo
             with grants on exactly the guests named, so every DomU check runs once with
             grants and once without on each Dom0, and each boot has one DomU of each kind
             side by side. The bare-metal Dom0's boots cost the DomUs' boot only (its image
             builds in seconds and serves in about 0.4 s), so both Dom0s get the full matrix
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sysdesc.gen_xen import DOM0S

from pyhost.linux.cache import LinuxError
from pyhost.sysload import DEMO
from pyhost.xen.artefacts import XenImages, build_images, cached_images
from pyhost.xen.system import XenSystem

#: the two boots of tests/xen's DomU checks: the guests that use grants in each (the demo
#: itself is "cluster-grants"); together each DomU is checked in both modes
GRANT_MODES = {"cluster-grants": frozenset({"cluster"}), "ivi-grants": frozenset({"ivi"})}

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


def _served(xs: XenSystem) -> Iterator[XenSystem]:
    """``xs`` booted with every DomU served (the go signal given), closed afterwards."""
    try:
        xs.boot()
        xs.go()
        yield xs
    finally:
        xs.close()


def dom0_kinds() -> list[str]:
    """The Dom0s the Xen tests run against: VBE_XEN_DOM0 (comma-separated), or all."""
    wanted = [k.strip() for k in os.environ.get("VBE_XEN_DOM0", "").split(",") if k.strip()]
    unknown = [k for k in wanted if k not in DOM0S]
    if unknown:
        raise pytest.UsageError(f"VBE_XEN_DOM0={unknown}: choose from {', '.join(DOM0S)}")
    return wanted or list(DOM0S)


@pytest.fixture(scope="module", params=dom0_kinds())
def xen_system(request: pytest.FixtureRequest, xen_images: XenImages) -> Iterator[XenSystem]:
    yield from _served(XenSystem(xen_images, dom0=request.param))


def grant_variant(base: Path, grants: frozenset[str], out: Path) -> Path:
    """``base`` (a description whose guests may carry ``xen: {grants: ...}`` lines) written to
    ``out`` with grants on exactly the guests named; checked by loading it."""
    from sysdesc import load_system

    lines: list[str] = []
    guest = None
    in_guests = False

    def close() -> None:
        if guest in grants:
            lines.append("    xen: {grants: true}")

    for line in base.read_text().splitlines():
        if line.startswith("guests:"):
            in_guests = True
        elif in_guests and (m := re.match(r"  - name: (\w+)", line)):
            close()
            guest = m[1]
        elif in_guests and re.match(r"    xen:", line):
            continue
        lines.append(line)
    close()
    out.write_text("\n".join(lines) + "\n")
    got = {g.name for g in load_system(out).system.guests if g.xen_grants}
    if got != set(grants):
        raise AssertionError(f"{out}: grants on {sorted(got)}, not {sorted(grants)}")
    return out


def _mode_params() -> list[tuple[str, str]]:
    return [(mode, dom0) for dom0 in dom0_kinds() for mode in GRANT_MODES]


@pytest.fixture(
    scope="module", params=_mode_params(), ids=[f"{m}-{d}" for m, d in _mode_params()]
)
def xen_modes(
    request: pytest.FixtureRequest, xen_images: XenImages, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[XenSystem]:
    mode, dom0 = request.param
    system = grant_variant(DEMO, GRANT_MODES[mode], tmp_path_factory.mktemp("xen") / "demo.yaml")
    images = xen_images
    if dom0 == "linux":
        try:
            images = build_images(system, build_guest=False)  # vbe-xen for it: seconds
        except LinuxError as exc:
            pytest.fail(f"building vbe-xen for {system}: {exc}")
    # the bare-metal Dom0's image is built from the description by XenSystem itself
    yield from _served(XenSystem(images, system, dom0=dom0))
