"""First-fit allocator over one area of a window (the data area, or the ring area).

Offsets are window offsets, as descriptors carry them. Every block is aligned to at least
16 bytes and its size is rounded up to 16, so two buffers never share a 16-byte unit.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from pyhost.virtio.errors import AllocError

GRAIN = 16


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
        self._live: dict[int, int] = {}  # offset -> end of the piece

    def alloc(self, size: int, what: str = "buffer", align: int = GRAIN) -> int:
        """Offset of ``size`` fresh bytes (``size`` 0 gets one grain); AllocError if full."""
        if align != GRAIN and (align < GRAIN or align & (align - 1)):
            raise ValueError(f"alignment {align} must be a power of two >= {GRAIN}")
        need = (size + GRAIN - 1) & -GRAIN if size > 0 else GRAIN
        starts, ends = self._starts, self._ends
        for i, start in enumerate(starts):
            end = ends[start]
            off = start if align == GRAIN else -(-start // align) * align  # starts: GRAIN-aligned
            top = off + need
            if top > end:
                continue
            del ends[start]
            if off > start:
                # the gap before stays at index i; the rest (if any) follows it
                ends[start] = off
                if top < end:
                    starts.insert(i + 1, top)
                    ends[top] = end
            elif top < end:
                starts[i] = top  # the piece shrinks from below: the order stays
                ends[top] = end
            else:
                del starts[i]
            self._live[off] = top
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
        end = self._live.pop(offset, None)
        if end is None:
            raise AllocError(f"{self.name}: 0x{offset:x} is not allocated (double free?)")
        start = offset
        starts, ends = self._starts, self._ends
        i = bisect.bisect_left(starts, start)
        if i > 0:
            prev = starts[i - 1]
            if ends[prev] == start:
                # grow the previous piece, and swallow the next one if it touches
                if i < len(starts) and starts[i] == end:
                    ends[prev] = ends.pop(end)
                    del starts[i]
                else:
                    ends[prev] = end
                return
        if i < len(starts) and starts[i] == end:
            starts[i] = start  # the next piece grows down: the order stays
            ends[start] = ends.pop(end)
        else:
            starts.insert(i, start)
            ends[start] = end

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
