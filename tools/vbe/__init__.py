"""vbe: the product's Python: the ``vbe`` command line and the same commands under west
(``commands``), and the vhost-user daemon behind ``vbe serve`` (``serve``). It builds on
the system description (``sysdesc``) and the guest side (``pyhost``); nothing imports it
back (tests/unit/test_import_graph.py)."""

from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("vbe")
except metadata.PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+source"
