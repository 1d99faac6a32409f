"""Fixtures for the core ring tests (the machine fixtures come from pyhost.plugin)."""

from __future__ import annotations

import pytest
from echo_util import ECHO_ID

from pyhost.echo import EchoWindow
from pyhost.virtio import VirtioDevice


@pytest.fixture
def echo_dev(echo: EchoWindow) -> VirtioDevice:
    """The echo device, initialised with every ring feature it offers."""
    return VirtioDevice.open(echo, 0, ECHO_ID)
