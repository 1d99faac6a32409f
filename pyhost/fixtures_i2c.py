"""pytest fixtures for virtio-i2c, loaded by pyhost.plugin (so every machine gets them).

    def test_x(i2c):
        ivi = i2c("ivi")                 # I2cClient of that guest on the `machine` fixture
        raw = i2c("ivi", zero_length=False)   # extra keywords go to I2cClient (new client)
        bus = i2c.bus("ivi")             # the platform bus number of the guest's view
        plat = i2c.platform              # the machine's simulated platform

A guest's client is opened once per test and reused (the device reset and negotiation
happen then); asking with keywords opens a fresh one, which resets that guest's device.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pyhost.i2c import I2cClient
from pyhost.machine.base import GuestInfo, Machine, Platform


class I2cClients:
    """The ``i2c`` fixture: I2cClient factory for the guests of one machine."""

    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        self._clients: dict[int, I2cClient] = {}

    @property
    def platform(self) -> Platform:
        return self.machine.platform

    def guest(self, guest: str | int | None = None) -> GuestInfo:
        """The named guest, or the first with virtio-i2c when None."""
        if guest is None:
            for g in self.machine.guests:
                if g.i2c_bus is not None:
                    return g
            pytest.skip(f"no guest of machine {self.machine.name} has virtio-i2c")
        return self.machine.guest(guest)

    def __call__(self, guest: str | int | None = None, **kwargs: Any) -> I2cClient:
        info = self.guest(guest)
        if info.i2c_bus is None:
            pytest.fail(f'guest "{info.name}" has no virtio-i2c device')
        if kwargs:
            client = I2cClient(self.machine, info, **kwargs)
        else:
            client = self._clients.get(info.index) or I2cClient(self.machine, info)
        self._clients[info.index] = client
        return client

    def bus(self, guest: str | int | None = None) -> int:
        """Platform bus number behind a guest's view (see I2cClient.bus_id)."""
        return self(guest).bus_id()


@pytest.fixture
def i2c(machine: Machine) -> Iterator[I2cClients]:
    """I2cClient factory for the guests of the (parametrized) ``machine``."""
    yield I2cClients(machine)
