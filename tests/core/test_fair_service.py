"""Fair, bounded service (docs/transport.md, "Fair service"): one guest whose driver refills
its requestq as fast as the device drains it must not hold the backend, and the others' requests
are served within one pass of the service loop.

The flooding driver is "on another CPU": a hook inside every simulated I2C transfer
(vbe_host_set_i2c_hook) collects its completions and publishes a new request while the
backend is still in its service pass, exactly what a driver running concurrently does. The
flood is capped (FLOOD_MAX requests), so a core without a budget fails these tests instead of
never returning.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from pyhost.headers import DEV_H, defines
from pyhost.i2c import I2cClient, I2cMsg
from pyhost.machine import make_machine
from pyhost.machine.inprocess import InProcessMachine
from pyhost.virtio.device import Virtqueue

BUDGET = defines(DEV_H)["VBE_DEV_BUDGET"].value
FLOOD_MAX = 4000
SENSOR = 0x48  # ivi's LM75: what the flood reads
EEPROM = 0x50  # what the measuring guest reads (bus address 0x50 for both guests)


@dataclass
class Flood:
    """Guest ivi's driver, refilling its ring from inside the backend's transfers."""

    queue: Virtqueue
    chain: tuple[list[bytes], list[int]]
    published: int = 0
    transfers: int = 0  # flood requests that reached the bus
    marks: list[int] = field(default_factory=list)  # transfers when the other guest's came

    def publish(self) -> None:
        self.queue.ring.add(*self.chain)
        self.published += 1

    def on_transfer(self, addr: int) -> None:
        if addr == EEPROM:
            self.marks.append(self.transfers)
            return
        self.transfers += 1
        self.queue.ring.get_used()  # the completions so far free their descriptors
        if self.published < FLOOD_MAX:
            self.publish()  # no kick: the device is busy, it did not ask for one


@pytest.fixture
def inproc() -> Iterator[InProcessMachine]:
    with make_machine("inprocess") as m:
        yield m  # type: ignore[misc]


def _kick(q: Virtqueue) -> None:
    """The driver's notification, without the harness serving at once (machine.notify)."""
    q.device.drv.notify_seq = (int(q.device.drv.notify_seq) + 1) & 0xFFFFFFFF


def _start_flood(m: InProcessMachine) -> tuple[Flood, object]:
    flood_dev = I2cClient(m, "ivi")
    flood = Flood(flood_dev.queue, I2cMsg.read_of(SENSOR, 1).chain(False))
    hook = m.ffi.callback("void(void *, uint8_t, uint16_t)",
                          lambda _ctx, _bus, addr: flood.on_transfer(addr))  # fmt: skip
    m.lib.vbe_host_set_i2c_hook(m.handle, hook, m.ffi.NULL)
    for _ in range(8):
        flood.publish()
    _kick(flood.queue)
    return flood, hook


def _polls_until_done(m: InProcessMachine, q: Virtqueue, head: int, limit: int = 50) -> int:
    for polls in range(1, limit + 1):
        m.poll()
        if any(u.head == head for u in q.poll()):
            return polls
    pytest.fail(f"a request of the other guest was not served in {limit} polls")


def test_flooding_guest_delays_another_by_one_budget_at_most(inproc: InProcessMachine) -> None:
    m = inproc
    other = I2cClient(m, "cluster")
    flood, hook = _start_flood(m)
    rounds = []
    for _ in range(10):
        chain = I2cMsg.read_of(EEPROM, 4).chain(False)
        head = other.queue.ring.add(*chain)
        _kick(other.queue)
        start = flood.transfers
        polls = _polls_until_done(m, other.queue, head)
        rounds.append((polls, flood.marks[-1] - start))
    m.lib.vbe_host_set_i2c_hook(m.handle, m.ffi.NULL, m.ffi.NULL)
    del hook
    # one pass of the loop: the flood's budget, then the other guest (or the other way round)
    assert all(polls <= 2 for polls, _ in rounds), rounds
    assert all(before <= BUDGET for _, before in rounds), rounds
    assert flood.transfers >= 5 * BUDGET, "the flood is served too, a budget per pass"


def test_flood_is_served_to_the_end_without_a_stranded_chain(inproc: InProcessMachine) -> None:
    """The budget defers, it never drops: every request the flood published completes once
    the driver stops refilling, and the ring goes back to notifications on."""
    m = inproc
    flood, hook = _start_flood(m)
    polls = 0
    while flood.published < FLOOD_MAX or flood.queue.ring.in_flight:
        assert m.poll() or not flood.queue.ring.in_flight, "idle with requests in flight"
        flood.queue.ring.get_used()
        polls += 1
        assert polls <= 2 * FLOOD_MAX // BUDGET + 10, f"{polls} polls for {FLOOD_MAX} requests"
    m.lib.vbe_host_set_i2c_hook(m.handle, m.ffi.NULL, m.ffi.NULL)
    del hook
    assert flood.transfers == FLOOD_MAX
    assert polls >= FLOOD_MAX // BUDGET, "more than a budget was served in one pass"
    head = flood.queue.submit(*I2cMsg.read_of(SENSOR, 1).chain(False))  # kicks: re-armed
    assert flood.queue.wait([head], 1.0)[head].segments[-1] == b"\x00"
