"""A driver that writes a malformed ring gets NEEDS_RESET with the right fault, never a crash.

One case per way a driver can break each class of enum vbe_vq_fault (vq.h). Every case
checks: DEVICE_NEEDS_RESET is set, dev.queue[0].fault names the class, that class's fault
counter went up by one (the others did not move), no used entry was written, and the
window changed nowhere but in the device-written registers (so no stray write landed in
the header, the rings or the data area). The window sits between guard pages, so a stray
access outside it would have killed the test process.

VBE_VQ_FAULT_USED_HEAD is not here: only a device bug (a push without a pop) causes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from echo_util import ECHO_ID, echo_reply

from pyhost.echo import EchoWindow
from pyhost.headers import vq_faults
from pyhost.virtio import F_EVENT_IDX, F_INDIRECT_DESC, F_VERSION_1, Desc, VirtioDevice
from pyhost.virtio.device import NEEDS_RESET
from pyhost.virtio.ring import F_INDIRECT, F_NEXT, F_WRITE, SplitRing
from pyhost.virtio.window import FFI, Layout

FAULTS = {name: c.value for name, c in vq_faults().items()}
QSIZE = 16
DEV_REGS = FFI.sizeof("struct vbe_fvq_dev_regs")


@dataclass
class Ctx:
    """What a case needs to write a bad chain."""

    ring: SplitRing
    lay: Layout

    def buf(self, n: int = 16, data: bytes = b"") -> int:
        off = self.ring.alloc.alloc(n, "test buffer")
        self.ring.mem.write(off, data.ljust(n, b"\0")[:n])
        return off

    def table(self, descs: list[Desc], nbytes: int | None = None) -> int:
        off = self.ring.alloc.alloc(nbytes or 16 * len(descs), "test indirect table")
        self.ring.write_table(off, descs)
        return off

    def chain(self, *descs: tuple[int, int, int]) -> int:
        """Publish (addr, len, flags) descriptors linked with NEXT; returns the head."""
        idx = self.ring.take_descs(len(descs))
        for k, (addr, length, flags) in enumerate(descs):
            last = k == len(descs) - 1
            nxt = 0 if last else idx[k + 1]
            self.ring.write_desc(idx[k], addr, length, flags | (0 if last else F_NEXT), nxt)
        self.ring.publish(idx[0])
        return idx[0]

    def single(self, addr: int, length: int, flags: int, next_: int = 0) -> int:
        (i,) = self.ring.take_descs(1)
        self.ring.write_desc(i, addr, length, flags, next_)
        self.ring.publish(i)
        return i


def _avail_jump(delta: int) -> Callable[[Ctx], None]:
    def build(c: Ctx) -> None:
        c.ring.write_avail_idx(c.ring.avail_idx + delta)

    return build


def _bad_head(head: int) -> Callable[[Ctx], None]:
    return lambda c: c.ring.publish(head)


def _next_out(next_: int) -> Callable[[Ctx], None]:
    return lambda c: c.single(c.buf(), 16, F_NEXT, next_)


def _loop_ab(c: Ctx) -> None:
    a, b = c.ring.take_descs(2)
    c.ring.write_desc(a, c.buf(), 16, F_NEXT, b)
    c.ring.write_desc(b, c.buf(), 16, F_NEXT, a)
    c.ring.publish(a)


def _loop_self(c: Ctx) -> None:
    (a,) = c.ring.take_descs(1)
    c.ring.write_desc(a, c.buf(), 16, F_NEXT, a)
    c.ring.publish(a)


def _indirect(descs: Callable[[Ctx], list[Desc]], flags: int = 0) -> Callable[[Ctx], None]:
    def build(c: Ctx) -> None:
        entries = descs(c)
        c.single(c.table(entries), 16 * len(entries), F_INDIRECT | flags)

    return build


def _indirect_raw(addr: Callable[[Ctx], int], length: int) -> Callable[[Ctx], None]:
    return lambda c: c.single(addr(c), length, F_INDIRECT)


def _addr(addr: Callable[[Ctx], int], length: int, flags: int = 0) -> Callable[[Ctx], None]:
    return lambda c: c.chain((c.buf(), 8, 0), (addr(c), length, flags))


def _len_overflow_indirect(c: Ctx) -> None:
    """Descriptors may overlap: n copies of the whole data area add up past 2**32 - 1."""
    d = c.lay.data_size
    n = (2**32 - 1) // d + 1
    table = c.table(
        [Desc(c.lay.data_off, d, F_NEXT, k + 1) for k in range(n - 1)]
        + [Desc(c.lay.data_off, d, 0, 0)]
    )
    c.single(table, 16 * n, F_INDIRECT)


def _len_overflow_direct(c: Ctx) -> None:
    d = c.lay.data_size
    n = (2**32 - 1) // d + 1
    assert n <= QSIZE, f"window too small for a direct overflow chain ({n} descriptors)"
    c.chain(*[(c.lay.data_off, d, 0)] * n)


def _data_end(c: Ctx) -> int:
    return c.lay.data_off + c.lay.data_size


ALL = F_VERSION_1 | F_EVENT_IDX | F_INDIRECT_DESC
NO_INDIRECT = F_VERSION_1 | F_EVENT_IDX
# a data area of over 2**32 / QSIZE bytes, so QSIZE overlapping descriptors overflow 32 bits
BIG = {"size": (256 << 20) + (128 << 10)}

# (id, fault class, build, features, EchoWindow arguments)
CASES: list[tuple[str, str, Callable[[Ctx], None], int, dict]] = [
    ("avail_idx_size_plus_1", "AVAIL_IDX", _avail_jump(QSIZE + 1), ALL, {}),
    ("avail_idx_half_range", "AVAIL_IDX", _avail_jump(0x8000), ALL, {}),
    ("avail_idx_backwards", "AVAIL_IDX", _avail_jump(-1), ALL, {}),
    ("head_equals_size", "HEAD_RANGE", _bad_head(QSIZE), ALL, {}),
    ("head_ffff", "HEAD_RANGE", _bad_head(0xFFFF), ALL, {}),
    ("next_equals_size", "NEXT_RANGE", _next_out(QSIZE), ALL, {}),
    ("next_ffff", "NEXT_RANGE", _next_out(0xFFFF), ALL, {}),
    (
        "next_past_indirect_table",
        "NEXT_RANGE",
        _indirect(lambda c: [Desc(c.buf(), 16, F_NEXT, 1), Desc(c.buf(), 16, F_NEXT, 2)]),
        ALL,
        {},
    ),
    ("loop_a_b_a", "LOOP", _loop_ab, ALL, {}),
    ("loop_self", "LOOP", _loop_self, ALL, {}),
    (
        "loop_in_indirect_table",
        "LOOP",
        _indirect(lambda c: [Desc(c.buf(), 16, F_NEXT, 1), Desc(c.buf(), 16, F_NEXT, 0)]),
        ALL,
        {},
    ),
    (
        "indirect_not_negotiated",
        "INDIRECT_FEATURE",
        _indirect(lambda c: [Desc(c.buf(), 16)]),
        NO_INDIRECT,
        {},
    ),
    (
        "indirect_nested",
        "INDIRECT_NESTED",
        _indirect(lambda c: [Desc(c.table([Desc(c.buf(), 16)]), 16, F_INDIRECT)]),
        ALL,
        {},
    ),
    ("indirect_len_0", "INDIRECT_LEN", _indirect_raw(lambda c: c.buf(32), 0), ALL, {}),
    ("indirect_len_8", "INDIRECT_LEN", _indirect_raw(lambda c: c.buf(32), 8), ALL, {}),
    ("indirect_len_24", "INDIRECT_LEN", _indirect_raw(lambda c: c.buf(32), 24), ALL, {}),
    (
        "indirect_with_next",
        "INDIRECT_NEXT",
        _indirect(lambda c: [Desc(c.buf(), 16)], F_NEXT),
        ALL,
        {},
    ),
    ("addr_in_ring_area", "ADDR", _addr(lambda c: c.lay.ring_off, 16), ALL, {}),
    ("addr_in_header_writable", "ADDR", _addr(lambda c: 0, 16, F_WRITE), ALL, {}),
    ("addr_ring_area_writable", "ADDR", _addr(lambda c: c.lay.ring_off, 64, F_WRITE), ALL, {}),
    ("addr_past_window_end", "ADDR", _addr(lambda c: c.lay.window_size, 16), ALL, {}),
    ("addr_len_wraps_2_64", "ADDR", _addr(lambda c: 2**64 - 8, 16), ALL, {}),
    ("addr_len_crosses_data_end", "ADDR", _addr(lambda c: _data_end(c) - 8, 16), ALL, {}),
    ("addr_starts_before_data", "ADDR", _addr(lambda c: c.lay.data_off - 8, 16), ALL, {}),
    ("addr_zero_len_past_end", "ADDR", _addr(lambda c: c.lay.window_size + 4096, 0), ALL, {}),
    ("addr_huge_len", "ADDR", _addr(lambda c: c.lay.data_off, 0xFFFFFFFF), ALL, {}),
    ("indirect_table_in_ring_area", "ADDR", _indirect_raw(lambda c: c.lay.ring_off, 32), ALL, {}),
    (
        "addr_inside_indirect_table",
        "ADDR",
        _indirect(lambda c: [Desc(c.buf(), 16, F_NEXT, 1), Desc(c.lay.ring_off, 16, F_WRITE)]),
        ALL,
        {},
    ),
    (
        "readable_after_writable",
        "ORDER",
        lambda c: c.chain((c.buf(), 16, F_WRITE), (c.buf(), 16, 0)),
        ALL,
        {},
    ),
    (
        "readable_after_writable_indirect",
        "ORDER",
        _indirect(lambda c: [Desc(c.buf(), 16, F_WRITE | F_NEXT, 1), Desc(c.buf(), 16)]),
        ALL,
        {},
    ),
    ("len_overflow_indirect", "LEN_OVERFLOW", _len_overflow_indirect, ALL, {}),
    ("len_overflow_direct", "LEN_OVERFLOW", _len_overflow_direct, ALL, BIG),
]
if "INDIRECT_ALIGN" in FAULTS:
    CASES.append(
        (
            "indirect_table_misaligned",
            "INDIRECT_ALIGN",
            _indirect_raw(lambda c: c.buf(48) + 8, 16),
            ALL,
            {},
        )
    )


def test_every_driver_caused_fault_class_has_a_case() -> None:
    covered = {case[1] for case in CASES}
    assert set(FAULTS) - {"NONE", "USED_HEAD"} == covered


def _setup(echo: EchoWindow, features: int) -> tuple[VirtioDevice, Ctx]:
    dev = VirtioDevice.open(echo, 0, ECHO_ID, features=features, queue_sizes=[QSIZE])
    q = dev.queues[0]
    assert echo_reply(q.call([b"healthy"], [32]))[1] == b"healthy"
    return dev, Ctx(q.ring, dev.window.layout)


def _changed(before: bytes, after: bytes) -> list[int]:
    return [i for i, (x, y) in enumerate(zip(before, after, strict=True)) if x != y]


@pytest.mark.parametrize(
    ("echo", "fault", "build", "features"),
    [(kw, fault, build, feat) for _, fault, build, feat, kw in CASES],
    ids=[case[0] for case in CASES],
    indirect=["echo"],
)
def test_malformed_chain_needs_reset_with_its_fault(
    echo: EchoWindow, fault: str, build: Callable[[Ctx], None], features: int
) -> None:
    dev, ctx = _setup(echo, features)
    counts = echo.fault_counts()
    used_idx = ctx.ring.used_idx()
    build(ctx)
    dev.drv.notify_seq += 1  # every driver write is done before the snapshot
    before = bytes(ctx.ring.mem.view)
    echo.notify(0)

    assert dev.status & NEEDS_RESET
    assert dev.queue_fault(0) == FAULTS[fault] == echo.fault()
    expected = dict(counts, **{fault: counts[fault] + 1})
    assert echo.fault_counts() == expected
    assert ctx.ring.used_idx() == used_idx, "a used entry was written for the bad chain"
    dev_regs = range(dev.window.devblock_offset(0), dev.window.devblock_offset(0) + DEV_REGS)
    stray = [hex(i) for i in _changed(before, bytes(ctx.ring.mem.view)) if i not in dev_regs]
    assert stray == [], "the device wrote outside its registers"


def test_broken_queue_is_not_touched_again(echo: EchoWindow) -> None:
    dev, ctx = _setup(echo, ALL)
    _bad_head(QSIZE)(ctx)
    dev.drv.notify_seq += 1  # the device serves a queue its driver notified (transport.md)
    echo.notify(0)
    assert dev.needs_reset
    ring = ctx.ring
    head = ctx.chain((ctx.buf(data=b"later"), 5, 0), (ctx.buf(32), 32, F_WRITE))
    dev.drv.notify_seq += 1
    before = bytes(ring.mem.view)
    echo.notify(0)
    assert bytes(ring.mem.view) == before, f"the device served head {head} on a broken queue"
    assert echo.fault_counts()["HEAD_RANGE"] == 1


def test_reset_clears_the_fault_and_keeps_the_counters(echo: EchoWindow) -> None:
    dev, ctx = _setup(echo, ALL)
    _loop_self(ctx)
    dev.drv.notify_seq += 1
    echo.notify(0)
    assert dev.queue_fault(0) == FAULTS["LOOP"]
    dev2 = VirtioDevice.open(echo, 0, ECHO_ID)
    assert dev2.queue_fault(0) == 0 and not dev2.needs_reset and echo.fault() == 0
    assert echo.fault_counts()["LOOP"] == 1, "counters are statistics since boot"
    assert echo_reply(dev2.queues[0].call([b"again"], [32]))[1] == b"again"
