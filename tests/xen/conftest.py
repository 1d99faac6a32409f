"""Xen tests: every test here that boots Xen is marked ``xen`` and skips unless the Xen
artefacts are cached (or VBE_XEN=1 builds them); see pyhost.xen.fixtures."""

from __future__ import annotations

from pyhost.linux.fixtures import linux_images
from pyhost.xen.fixtures import xen_images, xen_modes, xen_system

__all__ = ["linux_images", "xen_images", "xen_modes", "xen_system"]
