"""The driver side of a split virtqueue (virtio 1.2, 2.7), over a window.

One class plays the driver for every pyhost test and client: :class:`SplitRing` allocates
buffers in the data area, writes descriptor chains (direct or through an indirect table),
publishes them on the avail ring, decides whether to notify (EVENT_IDX or NO_NOTIFY),
and collects completions from the used ring. Indices are free-running 16-bit counters.

Raw hooks (``write_desc``, ``write_table``, ``write_avail_entry``, ``write_avail_idx``,
``read_used_entry``...) write whatever a test wants, malformed rings included; they keep
no bookkeeping, so after using them reset the device.
"""

from __future__ import annotations

import struct
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from pyhost.virtio.alloc import Allocator
from pyhost.virtio.errors import AllocError, DeviceProtocolError, QueueFull, RingError
from pyhost.virtio.grant import DmaApi
from pyhost.virtio.window import C, WindowMem

DESC = struct.Struct("<QIHH")  # addr, len, flags, next
USED_ELEM = struct.Struct("<II")  # id, len
F_NEXT = C.VBE_VRING_DESC_F_NEXT
F_WRITE = C.VBE_VRING_DESC_F_WRITE
F_INDIRECT = C.VBE_VRING_DESC_F_INDIRECT
AVAIL_F_NO_INTERRUPT = C.VBE_VRING_AVAIL_F_NO_INTERRUPT
USED_F_NO_NOTIFY = C.VBE_VRING_USED_F_NO_NOTIFY


def need_event(event: int, new: int, old: int) -> bool:
    """virtio 1.2, 2.7.10: was ``event`` passed when the index moved from old to new?"""
    return ((new - event - 1) & 0xFFFF) < ((new - old) & 0xFFFF)


@dataclass(frozen=True)
class Desc:
    """One descriptor as it is (or will be) in a table."""

    addr: int
    len: int
    flags: int = 0
    next: int = 0

    def pack(self) -> bytes:
        return DESC.pack(self.addr & (2**64 - 1), self.len & 0xFFFFFFFF, self.flags, self.next)


@dataclass(frozen=True)
class RingLayout:
    """Where the three parts of a ring of ``size`` entries go, from ``base``."""

    size: int
    desc: int
    avail: int
    used: int
    end: int

    @classmethod
    def at(cls, base: int, size: int) -> RingLayout:
        desc = base
        avail = desc + 16 * size
        # used is device-written: start it on its own 64-byte line (the window's rule)
        used = -(-(avail + 6 + 2 * size) // 64) * 64
        return cls(size, desc, avail, used, used + 6 + 8 * size)

    @property
    def nbytes(self) -> int:
        return self.end - self.desc


@dataclass(frozen=True)
class Used:
    """One completion: the chain head, the used length, and what the device wrote."""

    head: int
    length: int
    segments: tuple[bytes, ...]  # every device-writable buffer, whole, in chain order

    @property
    def data(self) -> bytes:
        """The first ``length`` bytes of the writable buffers, concatenated."""
        return b"".join(self.segments)[: self.length]


class _InFlight:
    """A chain in flight: its descriptors, what to give back to the allocator, and where
    its device-writable buffers are."""

    __slots__ = ("blocks", "descs", "mapped", "writable")

    def __init__(
        self,
        descs: list[int],
        blocks: list[int],
        writable: list[tuple[int, int]],
        mapped: list[tuple[int, int]] | None = None,
    ) -> None:
        self.descs = descs
        self.blocks = blocks  # allocator offsets (one block, or one per buffer + table)
        self.writable = writable  # (offset, length) of each device-writable buffer
        self.mapped = mapped or []  # (DMA address, length) to unmap at completion


class SplitRing:
    """Driver-side split ring at fixed window offsets, allocating buffers from ``alloc``.

    ``add`` puts every buffer of a direct chain in one data-area block (each buffer on
    its own 16-byte grains, as separate allocations would place them), falling back to one
    allocation per buffer when no single piece is large enough, and for indirect chains.
    The hot path stores through precomputed cffi indices and ``struct`` ``pack_into``:
    the ring offsets are checked once, here, and the buffer offsets come from the
    allocator. The raw hooks keep their per-access checks.

    With ``dma`` (a platform DMA API, such as Xen grants: pyhost.virtio.grant.GrantDma),
    each buffer and indirect table is allocated on its own, mapped when the chain is added
    and unmapped when it completes or is discarded, and descriptors carry the DMA addresses,
    as Linux's virtio_ring does with the DMA API.
    """

    def __init__(
        self,
        mem: WindowMem,
        layout: RingLayout,
        alloc: Allocator,
        *,
        event_idx: bool,
        indirect: bool,
        name: str = "queue",
        dma: DmaApi | None = None,
    ) -> None:
        size = layout.size
        if size < 1 or size > C.VBE_VRING_SIZE_MAX or size & (size - 1):
            raise RingError(f"{name}: size {size} is not a power of two in 1..32768")
        self.mem = mem
        self.layout = layout
        self.size = size
        self.alloc = alloc
        self.event_idx = event_idx
        self.indirect = indirect
        self.name = name
        self.dma = dma
        #: with EVENT_IDX, get_used() asks for an interrupt at the next completion
        self.used_event_auto = True
        self._free: deque[int] = deque(range(size))
        self._inflight: dict[int, _InFlight] = {}
        self._avail_idx = 0
        self._kick_old = 0
        self._last_used = 0
        # every part inside the window, 16-bit fields aligned: the fast paths rely on it
        mem.check(layout.desc, 16 * size, 1)
        mem.check(layout.avail, 6 + 2 * size, 2)
        mem.check(layout.used, 6 + 8 * size, 2)
        mem.fill(layout.desc, layout.nbytes)  # driver rings start zeroed (the used ring too)
        self._view = mem.view
        self._u16 = mem.u16
        self._mask = size - 1
        self._desc = layout.desc
        self._avail_ring_i = (layout.avail + 4) >> 1
        self._avail_idx_i = (layout.avail + 2) >> 1
        self._used_event_i = (layout.avail + 4 + 2 * size) >> 1
        self._used_flags_i = layout.used >> 1
        self._used_idx_i = (layout.used + 2) >> 1
        self._avail_event_i = (layout.used + 4 + 8 * size) >> 1
        self._used_ring = layout.used + 4

    # ---- offsets ------------------------------------------------------------------------

    def desc_off(self, i: int) -> int:
        return self.layout.desc + 16 * i

    def avail_entry_off(self, slot: int) -> int:
        return self.layout.avail + 4 + 2 * slot

    @property
    def used_event_off(self) -> int:
        return self.layout.avail + 4 + 2 * self.size

    def used_entry_off(self, slot: int) -> int:
        return self.layout.used + 4 + 8 * slot

    # ---- state --------------------------------------------------------------------------

    @property
    def num_free(self) -> int:
        return len(self._free)

    @property
    def in_flight(self) -> list[int]:
        return list(self._inflight)

    @property
    def avail_idx(self) -> int:
        """The driver's avail index (what it last published)."""
        return self._avail_idx

    @property
    def last_used(self) -> int:
        return self._last_used

    def used_idx(self) -> int:
        return self._u16[self._used_idx_i]

    def avail_event(self) -> int:
        return self._u16[self._avail_event_i]

    # ---- the driver ---------------------------------------------------------------------

    def add(self, out: Sequence[bytes], in_lens: Sequence[int], indirect: bool = False) -> int:
        """Publish one chain: ``out`` buffers (device-readable), then ``in_lens`` writable
        ones. Returns the head. Raises QueueFull / AllocError with nothing published."""
        nout = len(out)
        n = nout + len(in_lens)
        if n == 0:
            raise RingError(f"{self.name}: a chain needs at least one buffer")
        if indirect and not self.indirect:
            raise RingError(f"{self.name}: INDIRECT_DESC was not negotiated")
        free = self._free
        need = 1 if indirect else n
        if need > len(free):
            raise QueueFull(
                f"{self.name}: request needs {need} descriptors, {len(free)} of "
                f"{self.size} free ({len(self._inflight)} in flight): collect completions "
                "first, use indirect=True, or a bigger queue"
            )
        if indirect or self.dma is not None:
            return self._add_pieces(out, in_lens, indirect)
        # one block: each buffer at a 16-byte boundary, 16 bytes at least (the allocator's
        # grain), so the device sees the layout separate allocations would give
        spans: list[tuple[int, int]] = []
        total = 0
        for data in out:
            ln = len(data)
            spans.append((total, ln))
            total += (ln + 15) & -16 if ln > 0 else 16
        for ln in in_lens:
            spans.append((total, ln))
            total += (ln + 15) & -16 if ln > 0 else 16
        try:
            base = self.alloc.alloc(total, "a request's buffers")
        except AllocError:
            return self._add_pieces(out, in_lens, False)  # fragmented: buffer by buffer
        block = bytearray(total)  # writable buffers start zeroed
        for (rel, ln), data in zip(spans, out):
            block[rel : rel + ln] = data
        view = self._view
        view[base : base + total] = block
        descs = [free.popleft() for _ in range(n)]
        pack = DESC.pack_into
        desc0 = self._desc
        last = n - 1
        for k in range(n):
            rel, ln = spans[k]
            flags = 0 if k < nout else F_WRITE
            if k < last:
                pack(
                    view,
                    desc0 + 16 * descs[k],
                    base + rel,
                    ln & 0xFFFFFFFF,
                    flags | F_NEXT,
                    descs[k + 1],
                )
            else:
                pack(view, desc0 + 16 * descs[k], base + rel, ln & 0xFFFFFFFF, flags, 0)
        head = descs[0]
        self._inflight[head] = _InFlight(
            descs, [base], [(base + rel, ln) for rel, ln in spans[nout:]]
        )
        # the avail entry, then the index (x86 keeps stores in order; one 16-bit store each)
        idx = self._avail_idx
        u16 = self._u16
        u16[self._avail_ring_i + (idx & self._mask)] = head
        idx = (idx + 1) & 0xFFFF
        self._avail_idx = idx
        u16[self._avail_idx_i] = idx
        return head

    def _add_pieces(self, out: Sequence[bytes], in_lens: Sequence[int], indirect: bool) -> int:
        """add() with one allocation per buffer (and the indirect table, if any)."""
        n = len(out) + len(in_lens)
        buffers: list[tuple[int, int, bool]] = []
        table = None
        try:
            for data in out:
                off = self.alloc.alloc(len(data), "a device-readable buffer")
                buffers.append((off, len(data), False))
                self.mem.write(off, bytes(data))
            for length in in_lens:
                off = self.alloc.alloc(length, "a device-writable buffer")
                buffers.append((off, length, True))
                self.mem.fill(off, length)
            if indirect:
                table = self.alloc.alloc(16 * n, "an indirect table")
        except Exception:
            for off, _, _ in buffers:
                self.alloc.free(off)
            raise
        mapped: list[tuple[int, int]] = []
        if self.dma is not None:
            # dma_map_single per buffer: device-writable ones writable, the rest read-only
            mapped = [(self.dma.map(off, ln, wr), ln) for off, ln, wr in buffers]
            addrs = [a for a, _ in mapped]
        else:
            addrs = [off for off, _, _ in buffers]
        descs = [Desc(a, ln, F_WRITE if wr else 0) for a, (_, ln, wr) in zip(addrs, buffers)]
        if indirect:
            assert table is not None
            self.write_table(table, _chain(descs, list(range(n))))
            where = table
            if self.dma is not None:
                where = self.dma.map(table, 16 * n, False)  # the device only reads it
                mapped.append((where, 16 * n))
            head = self._free.popleft()
            self.write_desc(head, where, 16 * n, F_INDIRECT)
            used_descs = [head]
        else:
            used_descs = [self._free.popleft() for _ in range(n)]
            for i, d in zip(used_descs, _chain(descs, used_descs), strict=True):
                self.write_desc(i, d.addr, d.len, d.flags, d.next)
            head = used_descs[0]
        blocks = [off for off, _, _ in buffers]
        if table is not None:
            blocks.append(table)
        writable = [(off, ln) for off, ln, wr in buffers if wr]
        self._inflight[head] = _InFlight(used_descs, blocks, writable, mapped)
        self.publish(head)
        return head

    def publish(self, head: int) -> None:
        """Put ``head`` in the next avail slot, then move avail idx (entry before index)."""
        self.write_avail_entry(self._avail_idx % self.size, head)
        # x86 keeps stores in order; the idx store is one 16-bit access (no tearing)
        self.write_avail_idx(self._avail_idx + 1)

    def kick_needed(self) -> bool:
        """Must the device be notified of what was published since the last call?"""
        new, old = self._avail_idx, self._kick_old
        self._kick_old = new
        if new == old:
            return False
        if self.event_idx:
            # need_event(avail_event, new, old), inline
            event = self._u16[self._avail_event_i]
            return ((new - event - 1) & 0xFFFF) < ((new - old) & 0xFFFF)
        return not self._u16[self._used_flags_i] & USED_F_NO_NOTIFY

    def get_used(self) -> list[Used]:
        """Collect every new completion, free its descriptors and buffers."""
        done: list[Used] = []
        u16 = self._u16
        used_idx = u16[self._used_idx_i]
        last = self._last_used
        if used_idx != last:
            pending = (used_idx - last) & 0xFFFF
            if pending > self.size:
                raise DeviceProtocolError(
                    f"{self.name}: used idx {used_idx} is {pending} entries past the driver's "
                    f"{last}, more than the ring's {self.size}"
                )
            unpack = USED_ELEM.unpack_from
            view, ring, mask = self._view, self._used_ring, self._mask
            while last != used_idx:
                head, length = unpack(view, ring + 8 * (last & mask))
                last = (last + 1) & 0xFFFF
                self._last_used = last
                done.append(self._complete(head, length))
        if self.event_idx and self.used_event_auto:
            u16[self._used_event_i] = last
        return done

    def _complete(self, head: int, length: int) -> Used:
        req = self._inflight.pop(head, None)
        if req is None:
            raise DeviceProtocolError(
                f"{self.name}: used entry for head {head}, which is not in flight "
                f"(in flight: {sorted(self._inflight)})"
            )
        view = self._view
        segments = tuple([bytes(view[off : off + ln]) for off, ln in req.writable])
        self._release(req)
        writable = 0
        for s in segments:
            writable += len(s)
        if length > writable:
            raise DeviceProtocolError(
                f"{self.name}: head {head} used length {length} exceeds its {writable} "
                "writable bytes"
            )
        return Used(head, length, segments)

    def _release(self, req: _InFlight) -> None:
        if req.mapped:
            assert self.dma is not None
            for addr, ln in req.mapped:
                self.dma.unmap(addr, ln)
            req.mapped = []
        free = self.alloc.free
        for off in req.blocks:
            free(off)
        self._free.extend(req.descs)

    def discard(self) -> None:
        """Forget every chain in flight and free its memory (after a device reset)."""
        for req in self._inflight.values():
            self._release(req)
        self._inflight.clear()

    def set_used_event(self, value: int) -> None:
        """Ask for an interrupt only when used idx passes ``value`` (turns auto off)."""
        self.used_event_auto = False
        self.write_used_event(value)

    def set_no_interrupt(self, on: bool) -> None:
        """VIRTQ_AVAIL_F_NO_INTERRUPT (meaningful without EVENT_IDX)."""
        self.write_avail_flags(AVAIL_F_NO_INTERRUPT if on else 0)

    # ---- raw hooks: any value, no checks, no bookkeeping ------------------------------

    def write_desc(self, i: int, addr: int, length: int, flags: int = 0, next_: int = 0) -> None:
        """Descriptor ``i`` of the ring's table (``i`` < size)."""
        if not 0 <= i < self.size:
            raise IndexError(f"{self.name}: descriptor {i} outside the table of {self.size}")
        self.mem.write(self.desc_off(i), Desc(addr, length, flags, next_).pack())

    def read_desc(self, i: int) -> Desc:
        addr, ln, flags, nxt = DESC.unpack(self.mem.read(self.desc_off(i), 16))
        return Desc(addr, ln, flags, nxt)

    def write_table(self, offset: int, descs: Sequence[Desc]) -> None:
        """An indirect table at window ``offset`` (anywhere: tests may misplace it)."""
        self.mem.write(offset, b"".join(d.pack() for d in descs))

    def write_avail_entry(self, slot: int, head: int) -> None:
        self.mem.st16(self.avail_entry_off(slot % self.size), head)

    def write_avail_idx(self, idx: int) -> None:
        self._avail_idx = idx & 0xFFFF
        self.mem.st16(self.layout.avail + 2, self._avail_idx)

    def write_avail_flags(self, flags: int) -> None:
        self.mem.st16(self.layout.avail, flags)

    def write_used_event(self, value: int) -> None:
        self.mem.st16(self.used_event_off, value)

    def read_used_entry(self, slot: int) -> tuple[int, int]:
        """(id, len) of used ring entry ``slot``."""
        return USED_ELEM.unpack(self.mem.read(self.used_entry_off(slot % self.size), 8))

    def take_descs(self, n: int) -> list[int]:
        """Reserve ``n`` descriptor indices for raw use (never given back)."""
        if n > len(self._free):
            raise QueueFull(f"{self.name}: {n} descriptors wanted, {len(self._free)} free")
        return [self._free.popleft() for _ in range(n)]


def _chain(descs: list[Desc], indices: list[int]) -> list[Desc]:
    """Link ``descs`` (placed at ``indices``) with NEXT, the last one without."""
    out = []
    for k, d in enumerate(descs):
        last = k == len(descs) - 1
        out.append(
            Desc(d.addr, d.len, d.flags | (0 if last else F_NEXT), 0 if last else indices[k + 1])
        )
    return out
