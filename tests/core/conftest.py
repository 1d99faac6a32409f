"""Shared helpers for the core ring tests (fixtures come from pyhost.plugin)."""

from __future__ import annotations

import pytest

from pyhost.echo import EchoWindow, Summary
from pyhost.virtio import C, Used, VirtioDevice

ECHO_ID = C.VBE_HOST_ECHO_ID


def echo_reply(used: Used) -> tuple[Summary, bytes]:
    """The echo device's summary and the readable bytes it copied back."""
    return Summary.parse(used.data), used.data[16:]


@pytest.fixture
def echo_dev(echo: EchoWindow) -> VirtioDevice:
    """The echo device, initialised with every ring feature it offers."""
    return VirtioDevice.open(echo, 0, ECHO_ID)
