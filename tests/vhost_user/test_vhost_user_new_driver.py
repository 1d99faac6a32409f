"""A guest's virtio reset reaches a vhost-user back-end only as a ring stop and, when the
new driver is ready, rings that start again at 0. The daemon must then release what the old
driver's SCMI agent held (as a real device reset does), and must not when the rings only
paused (a VM stop: the same stop, then the same bases again). vbe/vhu.h has the rule."""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from vbe.serve import protocol as p
from vbe.serve.protocol import Req
from vbe.serve.served import ServedBackend
from vhu_frontend import F_EVENT_IDX, F_VERSION_1, FrontEnd, Queue

from pyhost.scmi.wire import encode_header

F_SCMI_P2A = 1 << 0
CLOCK, CONFIG_SET = 0x14, 0x7
UART0 = 2  # platform clock index of uart0 in the demo system; ivi's local id 2 as well


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[ServedBackend]:
    with ServedBackend(tmp_path / "sock") as be:
        yield be
        be.check()


def clock_set(q: Queue, token: int, local_id: int, on: bool) -> int:
    hdr = encode_header(CONFIG_SET, CLOCK, token=token)
    reply = q.call([struct.pack("<4I", hdr, local_id, int(on), 0)], [136])
    got, status = struct.unpack_from("<Ii", reply)
    assert got == hdr
    return status


def _device(be: ServedBackend):
    assert be.daemon is not None
    return next(ep.device for ep in be.daemon.endpoints
                if (ep.device.guest, ep.device.kind) == ("ivi", "scmi"))  # fmt: skip


def pause(fe: FrontEnd, qs: list[Queue]) -> list[int]:
    bases = []
    for q in qs:
        fe.send(Req.GET_VRING_BASE, p.STATE.pack(q.index, 0))
        bases.append(p.STATE.unpack(fe.recv(Req.GET_VRING_BASE))[1])
    return bases


def resume(fe: FrontEnd, qs: list[Queue], bases: list[int]) -> None:
    for q, base in zip(qs, bases, strict=True):
        fe.do(Req.SET_VRING_BASE, p.STATE.pack(q.index, base))
        q.kick_fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        fe.do(Req.SET_VRING_KICK, p.U64.pack(q.index), [q.kick_fd])


def test_paused_rings_keep_the_agents_holdings_a_new_driver_releases_them(
    backend: ServedBackend,
) -> None:
    fe = FrontEnd(backend.socket("ivi", "scmi"))
    try:
        features = F_VERSION_1 | F_EVENT_IDX | F_SCMI_P2A
        qs = fe.start(features, queues=2)
        assert clock_set(qs[0], 1, UART0, True) == 0
        assert backend.platform.state("clock", UART0).votes == 0b01

        resume(fe, qs, pause(fe, qs))  # a VM stop and cont: same bases
        assert backend.platform.state("clock", UART0).votes == 0b01
        assert clock_set(qs[0], 2, UART0, True) == 0  # served again, nothing reset
        assert backend.platform.state("clock", UART0).votes == 0b01

        pause(fe, qs)  # the guest resets its device; the new driver starts over at 0
        fe.negotiate(features)
        new = [fe.setup_queue(i) for i in range(2)]
        assert clock_set(new[0], 1, 0, False) == 0  # any request: the backend starts
        state = backend.platform.state("clock", UART0)
        assert (state.on, state.votes) == (False, 0)  # the old driver's vote went
        assert _device(backend).driver_restarts() == 1
        resume(fe, new, pause(fe, new))  # the new driver pauses too: nothing released
        assert clock_set(new[0], 2, UART0, True) == 0
        resume(fe, new, pause(fe, new))
        assert backend.platform.state("clock", UART0).votes == 0b01
        assert _device(backend).driver_restarts() == 1
    finally:
        fe.close()


def test_a_used_ring_over_another_rings_part_is_refused(backend: ServedBackend) -> None:
    """The eventq's used ring placed on the cmdq's descriptor table: the device would write
    its answers over the driver's descriptors, so that ring does not go live
    (QUEUE_OVERLAP) and the device does not start; a clean set-up then works."""
    from pyhost.headers import dev_faults
    from pyhost.virtio.ring import RingLayout

    fe = FrontEnd(backend.socket("ivi", "scmi"))
    try:
        features = F_VERSION_1 | F_EVENT_IDX | F_SCMI_P2A
        fe.negotiate(features)
        fe.set_mem_table()
        cmdq = fe.setup_queue(0)
        evq = RingLayout.at(0x4000, 16)
        fe.do(Req.SET_VRING_NUM, p.STATE.pack(1, 16))
        fe.do(Req.SET_VRING_BASE, p.STATE.pack(1, 0))
        fe.do(Req.SET_VRING_ADDR, p.ADDR.pack(1, 0, fe.uaddr(evq.desc),
                                              fe.uaddr(cmdq.ring.layout.desc),
                                              fe.uaddr(evq.avail), 0))  # fmt: skip
        kick = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        fe.do(Req.SET_VRING_KICK, p.U64.pack(1), [kick])
        fe.do(Req.SET_VRING_ENABLE, p.STATE.pack(1, 1))
        with backend.lock:
            fault, live = _device(backend).queue_state(1)
        assert (fault, live) == (dev_faults()["QUEUE_OVERLAP"].value, False)
        os.close(kick)
    finally:
        fe.close()
    fe = FrontEnd(backend.socket("ivi", "scmi"))  # the device was reset with the connection
    try:
        qs = fe.start(F_VERSION_1 | F_EVENT_IDX | F_SCMI_P2A, queues=2)
        assert clock_set(qs[0], 1, UART0, True) == 0
    finally:
        fe.close()
