"""Linux guest tests: every test here that boots a guest is marked ``linux`` and skips
unless the guest kernel is cached (or VBE_LINUX=1 builds it); see pyhost.linux.fixtures."""

from __future__ import annotations

from pyhost.linux.fixtures import linux_guest, linux_images

__all__ = ["linux_guest", "linux_images"]
