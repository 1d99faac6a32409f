"""The echo test device's id and reply decoding, for the core ring tests (imported by
module name: ``from conftest import`` breaks when another suite's conftest is loaded first)."""

from __future__ import annotations

from pyhost.echo import Summary
from pyhost.virtio import C, Used

ECHO_ID = C.VBE_HOST_ECHO_ID


def echo_reply(used: Used) -> tuple[Summary, bytes]:
    """The echo device's summary and the readable bytes it copied back."""
    return Summary.parse(used.data), used.data[16:]
