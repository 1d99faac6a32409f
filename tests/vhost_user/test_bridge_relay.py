"""The core's relay (vbe/relay.h) bound to rings in "guest RAM" through vbe_vhu, in-process:
what the bridge relies on, chain by chain (no socket, no backend machine)."""

from __future__ import annotations

import ctypes
import errno
import mmap
import struct
from collections.abc import Iterator

import pytest
from vbe.serve.relay import IN_MAX, OUT_MAX, Relay

import pyhost.machine  # noqa: F401  (pyhost.virtio needs the machines imported first)
from pyhost.i2c import FLAGS_FAIL_NEXT, FLAGS_M_RD, OUT_HDR, encode_addr
from pyhost.virtio.alloc import Allocator
from pyhost.virtio.ring import RingLayout, SplitRing
from pyhost.virtio.window import WindowMem

RAM = 0x4_0000
UADDR = 0x7F00_0000_0000
F_VERSION_1 = 1 << 32
F_EVENT_IDX = 1 << 29
F_INDIRECT = 1 << 28
I2C_ZL = 1 << 0
SCMI_P2A = 1 << 0
MAX_INFLIGHT = 32  # VBE_RELAY_MAX_INFLIGHT


class Guest:
    """Guest RAM (an anonymous mapping at GPA 0) and driver-side rings on it."""

    def __init__(self) -> None:
        self.mm = mmap.mmap(-1, RAM)
        self._anchor: ctypes.c_char | None = ctypes.c_char.from_buffer(self.mm)
        self.ptr = ctypes.addressof(self._anchor)
        self.mem = WindowMem(memoryview(self.mm), self.ptr)
        self.alloc = Allocator(0x8000, RAM - 0x8000)
        self.rings: dict[int, SplitRing] = {}

    def bind(self, relay: Relay, features: int, queues: int = 1, size: int = 16) -> None:
        assert relay.set_features(features) == 0
        assert relay.mem_add(0, RAM, UADDR, self.ptr) == 0
        for q in range(queues):
            self.start_ring(relay, q, features, size)

    def start_ring(self, relay: Relay, q: int, features: int, size: int = 16,
                   base: int = 0) -> SplitRing:  # fmt: skip
        lay = RingLayout.at(q * 0x2000, size)
        if q not in self.rings:
            self.rings[q] = SplitRing(self.mem, lay, self.alloc, name=f"vq{q}",
                                      event_idx=bool(features & F_EVENT_IDX),
                                      indirect=bool(features & F_INDIRECT))  # fmt: skip
        assert relay.set_num(q, size) == 0
        assert relay.set_addr(q, UADDR + lay.desc, UADDR + lay.used, UADDR + lay.avail) == 0
        assert relay.set_base(q, base) == 0
        assert relay.set_kick(q) == 0 and relay.set_enable(q, 1) == 0
        return self.rings[q]

    def close(self) -> None:
        self.mem.view.release()
        self._anchor = None
        self.mm.close()


@pytest.fixture
def guest() -> Iterator[Guest]:
    g = Guest()
    yield g
    g.close()


@pytest.fixture
def i2c(guest: Guest) -> Iterator[Relay]:
    r = Relay("g", "i2c", I2C_ZL)
    guest.bind(r, F_VERSION_1 | F_EVENT_IDX | F_INDIRECT | I2C_ZL)
    yield r
    r.close()


def write_req(addr: int, data: bytes, flags: int = 0) -> tuple[list[bytes], list[int]]:
    return [OUT_HDR.pack(encode_addr(addr), 0, flags), data], [1]


def test_request_comes_out_flat_and_answer_goes_back(guest: Guest, i2c: Relay) -> None:
    ring = guest.rings[0]
    head = ring.add([OUT_HDR.pack(encode_addr(0x50), 0, FLAGS_M_RD)], [3, 2, 1])
    assert i2c.kick() == (0, 0)  # popped, nothing answered yet
    req = i2c.next(0)
    assert req is not None and req.out == OUT_HDR.pack(encode_addr(0x50), 0, FLAGS_M_RD)
    assert req.in_cap == 6 and i2c.next(0) is None
    c = i2c.done(0, req.id, b"abcde\x00")
    assert (c.rc, c.written, c.signal) == (0, 6, True)
    (u,) = ring.get_used()
    assert (u.head, u.length, u.segments) == (head, 6, (b"abc", b"de", b"\x00"))


def test_second_completion_is_stale(guest: Guest, i2c: Relay) -> None:
    guest.rings[0].add(*write_req(0x50, b"\x00"))
    i2c.kick()
    req = i2c.next(0)
    assert req is not None and i2c.done(0, req.id, b"\x00").rc == 0
    assert i2c.done(0, req.id, b"\x01").rc == -errno.ESTALE
    assert i2c.reject(0, req.id).rc == -errno.ESTALE
    assert len(guest.rings[0].get_used()) == 1
    assert i2c.stats()["stale"] == 2


def test_completion_after_reset_is_refused_and_writes_nothing(guest: Guest, i2c: Relay) -> None:
    ring = guest.rings[0]
    ring.add([OUT_HDR.pack(encode_addr(0x50), 0, FLAGS_M_RD)], [4])
    i2c.kick()
    req = i2c.next(0)
    assert req is not None
    (off, _ln) = ring._inflight[next(iter(ring._inflight))].writable[0]
    guest.mem.write(off, b"\xee" * 4)
    i2c.reset()
    assert i2c.done(0, req.id, b"\x11\x22\x33\x00").rc == -errno.ESTALE
    assert guest.mem.read(off, 4) == b"\xee" * 4 and ring.used_idx() == 0
    assert i2c.stats()["voided"] == 1


def test_completion_after_ring_stop_and_restart_is_refused(guest: Guest, i2c: Relay) -> None:
    ring = guest.rings[0]
    ring.add(*write_req(0x50, b"\x00"))
    i2c.kick()
    old = i2c.next(0)
    assert old is not None
    assert i2c.get_base(0) == (0, 1)  # GET_VRING_BASE: stopped, the chain was taken
    assert i2c.done(0, old.id, b"\x00").rc == -errno.ESTALE  # stopped: nothing written
    guest.start_ring(i2c, 0, F_VERSION_1 | F_EVENT_IDX | F_INDIRECT | I2C_ZL, base=1)
    ring.add(*write_req(0x50, b"\x01"))
    i2c.kick()
    new = i2c.next(0)
    assert new is not None and new.id != old.id
    assert i2c.done(0, old.id, b"\x00").rc == -errno.ESTALE
    assert i2c.done(0, new.id, b"\x00").rc == 0
    assert [u.length for u in ring.get_used()] == [1]


def test_request_restarted_ring_while_device_waits_is_void(guest: Guest) -> None:
    """SCMI with P2A: a cmdq set up again while start waits for the eventq must not take
    the old cmdq's completions (the relay is not started in between)."""
    r = Relay("g", "scmi", SCMI_P2A)
    try:
        feats = F_VERSION_1 | SCMI_P2A
        guest.bind(r, feats, queues=2)
        guest.rings[0].add([b"\x00\x00\x04\x00"], [16])
        r.kick()
        old = r.next(0)
        assert old is not None
        assert r.get_base(0) == (0, 1) and r.get_base(1) == (0, 0)
        guest.start_ring(r, 0, feats, base=1)
        assert r.kick() == (0, 0)  # cmdq live again, eventq stopped: start refused
        assert r.done(0, old.id, b"\x00" * 12).rc == -errno.ESTALE
        assert guest.rings[0].used_idx() == 0
    finally:
        r.close()


def test_oversized_request_rejected_with_i2c_error_status(guest: Guest, i2c: Relay) -> None:
    ring = guest.rings[0]
    ring.add([OUT_HDR.pack(encode_addr(0x50), 0, FLAGS_M_RD)], [IN_MAX, 1])  # in > IN_MAX
    ring.add(*write_req(0x50, bytes(OUT_MAX)))  # out > OUT_MAX
    ring.add(*write_req(0x50, b"\x00"))
    i2c.kick()
    req = i2c.next(0)
    assert req is not None and req.out[8:] == b"\x00"  # the two big ones were skipped
    used = ring.get_used()
    assert [(u.length, u.data[-1]) for u in used] == [(IN_MAX + 1, 1), (1, 1)]
    assert i2c.stats()["rejected"] == 2


def test_answer_longer_than_the_chain_is_cut(guest: Guest, i2c: Relay) -> None:
    ring = guest.rings[0]
    ring.add([OUT_HDR.pack(encode_addr(0x50), 0, FLAGS_M_RD)], [2, 1])
    i2c.kick()
    req = i2c.next(0)
    assert req is not None
    c = i2c.done(0, req.id, b"xyz\x00\x00")
    assert (c.rc, c.written) == (0, 3) and i2c.stats()["truncated"] == 1
    assert ring.get_used()[0].segments == (b"xy", b"z")


def test_more_requests_than_the_table_wait_in_the_ring(guest: Guest) -> None:
    r = Relay("g", "i2c", I2C_ZL)
    try:
        guest.bind(r, F_VERSION_1 | I2C_ZL | F_INDIRECT, size=64)
        ring = guest.rings[0]
        for i in range(40):
            ring.add([OUT_HDR.pack(encode_addr(0x50), 0, FLAGS_FAIL_NEXT), bytes([i])], [1],
                     indirect=True)  # fmt: skip
        r.kick()
        got = [r.next(0) for _ in range(MAX_INFLIGHT + 1)]
        assert None not in got[:MAX_INFLIGHT] and got[MAX_INFLIGHT] is None
        assert [g.out[8] for g in got[:MAX_INFLIGHT] if g] == list(range(MAX_INFLIGHT))
        for g in got[:4]:
            assert g is not None and r.done(0, g.id, b"\x00").rc == 0
        r.kick()  # room for four more
        more = [r.next(0) for _ in range(5)]
        assert [m.out[8] for m in more if m] == [32, 33, 34, 35] and more[4] is None
    finally:
        r.close()


def test_malformed_ring_breaks_the_queue_and_hands_nothing_out(guest: Guest, i2c: Relay) -> None:
    ring = guest.rings[0]
    ring.write_desc(0, 0x8000, 16, 0x1, 0)  # NEXT pointing at itself: a loop
    ring.write_avail_entry(0, 0)
    ring.write_avail_idx(1)
    rc, _ = i2c.kick()
    assert rc == -errno.EIO
    fault, _live = i2c.queue_state(0)
    assert i2c.fault_str(fault) != "none" and i2c.next(0) is None
    assert i2c.stats()["handed"] == 0


def test_scmi_offers_what_it_was_given(guest: Guest) -> None:
    r = Relay("g", "scmi", SCMI_P2A | (1 << 33) | (1 << 40))  # transport bits are not taken
    try:
        assert r.device_id == 32 and r.num_queues == 2
        assert r.features() == F_VERSION_1 | F_EVENT_IDX | F_INDIRECT | SCMI_P2A
    finally:
        r.close()


def test_scmi_eventq_buffers_wait_for_events(guest: Guest) -> None:
    r = Relay("g", "scmi", SCMI_P2A)
    try:
        guest.bind(r, F_VERSION_1 | SCMI_P2A, queues=2)
        for _ in range(3):
            guest.rings[1].add([], [32])
        r.kick()
        bufs = [r.next(1) for _ in range(4)]
        assert [b.in_cap for b in bufs if b] == [32, 32, 32] and bufs[3] is None
        assert r.held(1) == 3
        ev = struct.pack("<II", 0x3 << 8 | 0x15 << 10, 7)
        assert bufs[0] is not None and r.done(1, bufs[0].id, ev).written == 8
        assert guest.rings[1].get_used()[0].data == ev and r.held(1) == 2
    finally:
        r.close()
