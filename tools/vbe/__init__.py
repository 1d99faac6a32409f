"""vbe tools: the ``vbe`` command line (and, later, the same commands under west)."""

from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("vbe")
except metadata.PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+source"
