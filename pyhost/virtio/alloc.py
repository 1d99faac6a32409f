"""First-fit allocator over one area of a window (the data area, or the ring area).

Offsets are window offsets, as descriptors carry them. Every block is aligned to at least
16 bytes and its size is rounded up to 16, so two buffers never share a 16-byte unit.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from pyhost.virtio.errors import AllocError

GRAIN = 16


def _round_up(value: int, align: int) -> int:
    return -(-value // align) * align


@dataclass(frozen=True)
class AllocStats:
    free_bytes: int
    free_pieces: int
    largest_free: int
    live: int


class Allocator:
    """Hands out ``[offset, offset + size)`` pieces of ``[base, base + size)``."""

    def __init__(self, base: int, size: int, *, name: str = "data area") -> None:
        if base % GRAIN or size <= 0:
            raise ValueError(f"{name}: base 0x{base:x} must be {GRAIN}-aligned, size positive")
        self.base = base
        self.size = size
        self.name = name
        self._starts: list[int] = [base]  # free pieces, sorted by start
        self._ends: dict[int, int] = {base: base + size}
        self._live: dict[int, tuple[int, int]] = {}  # offset -> (piece start, piece end)

    def alloc(self, size: int, what: str = "buffer", align: int = GRAIN) -> int:
        """Offset of ``size`` fresh bytes (``size`` 0 gets one grain); AllocError if full."""
        if align < GRAIN or align & (align - 1):
            raise ValueError(f"alignment {align} must be a power of two >= {GRAIN}")
        need = _round_up(max(size, 1), GRAIN)
        for i, start in enumerate(self._starts):
            end = self._ends[start]
            off = _round_up(start, align)
            if off + need > end:
                continue
            del self._starts[i]
            del self._ends[start]
            if off > start:
                self._insert(start, off)
            if off + need < end:
                self._insert(off + need, end)
            self._live[off] = (off, off + need)
            return off
        st = self.stats()
        raise AllocError(
            f"{self.name}: no room for {what} ({size} bytes, aligned {align}): "
            f"{st.free_bytes} of {self.size} bytes free in {st.free_pieces} pieces, "
            f"largest {st.largest_free}, {st.live} allocations live. Complete or free "
            "requests first, or use a bigger window"
        )

    def free(self, offset: int) -> None:
        """Give a piece back; AllocError for an offset that is not live (double free)."""
        piece = self._live.pop(offset, None)
        if piece is None:
            raise AllocError(f"{self.name}: 0x{offset:x} is not allocated (double free?)")
        start, end = piece
        i = bisect.bisect_left(self._starts, start)
        if i > 0:
            prev = self._starts[i - 1]
            if self._ends[prev] == start:
                start = prev
                del self._starts[i - 1]
                del self._ends[prev]
                i -= 1
        if i < len(self._starts) and self._starts[i] == end:
            nxt = self._starts[i]
            end = self._ends.pop(nxt)
            del self._starts[i]
        self._insert(start, end)

    def owns(self, offset: int) -> bool:
        return offset in self._live

    def reset(self) -> None:
        """Forget every allocation (after a device reset nothing is in flight)."""
        self._starts = [self.base]
        self._ends = {self.base: self.base + self.size}
        self._live.clear()

    def stats(self) -> AllocStats:
        sizes = [self._ends[s] - s for s in self._starts]
        return AllocStats(sum(sizes), len(sizes), max(sizes, default=0), len(self._live))

    def _insert(self, start: int, end: int) -> None:
        bisect.insort(self._starts, start)
        self._ends[start] = end
