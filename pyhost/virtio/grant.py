"""Xen grants played in process: a guest's grant table, Xen's mapping of it for the backend,
and the driver's DMA API over it, as Linux's grant DMA ops use them.

A guest whose virtio device is linked to a ``xen,grant-dma`` node never shows the device a
guest-physical address. Linux's ``drivers/xen/grant-dma-ops.c`` grants each buffer when the
driver maps it for DMA (``n`` pages get ``n`` consecutive references, read-only for a
buffer the device only reads) and hands the device the *grant address* ``1 << 63 | ref <<
12 | offset``; it ends the grants when the driver unmaps the buffer, and ending a grant
the backend still maps fails: Linux then logs "Grant still in use by backend domain" and
never uses the device again. Rings come from ``dma_alloc_coherent``: granted writable for
the queue's life.

:class:`GrantTable` is one guest's table as Xen keeps it. The guest side grants and ends
(:meth:`~GrantTable.end` raises :class:`GrantInUse` where Linux would break the device);
the backend side is the pair of callbacks the host library calls through cffi
(``vbe_host_xen_create_gnt``): map consecutive references into one pointer, unmap it, each
counted. As gntdev does, every map gives a mapping of its own: :class:`SharedRam` is guest
RAM in a memfd, and each map is a fresh mmap of the granted pages (read-only unless
writable was asked), unmapped at release, so a backend that touched a page it gave back
would fault at once. :class:`GrantDma` is the driver's DMA API over a table (pyhost's
driver-side ring and virtio-mmio device take it as ``dma=``).
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, Self

from pyhost import corelib
from pyhost.memory import MapError, _libc

PAGE = 4096
ADDR_FLAG = 1 << 63
#: Linux keeps the first references for the toolstack (GNTTAB_NR_RESERVED_ENTRIES)
FIRST_REF = 8


class GrantInUse(AssertionError):
    """The guest ended a grant the backend still maps: Linux's "Grant still in use"."""


class DmaApi(Protocol):
    """What a driver-side ring needs of its platform's DMA API (identity without one)."""

    def map(self, gpa: int, length: int, write: bool) -> int: ...
    def unmap(self, addr: int, length: int) -> None: ...


def pages(offset: int, length: int) -> int:
    """Pages of [offset, offset + length) from a page start (a zero length names one)."""
    return (offset % PAGE + max(length, 1) + PAGE - 1) // PAGE


class SharedRam:
    """Guest RAM in a memfd: ``view``/``ptr``/``cdata`` are the guest's own mapping (as
    GuardedMemory's), :meth:`alias` maps pages again at an address of their own."""

    def __init__(self, size: int) -> None:
        if size <= 0 or size % PAGE:
            raise ValueError(f"guest RAM of {size} bytes: a positive number of pages")
        self.size = size
        self._fd = os.memfd_create("vbe-guest-ram", os.MFD_CLOEXEC)
        os.ftruncate(self._fd, size)
        self._closed = False
        base = self._mmap(0, size, True)
        self._base = base
        ffi, _ = _libc()
        self.ptr: int = int(ffi.cast("uintptr_t", base))
        self.view: memoryview = memoryview(ffi.buffer(base, size))
        self.cdata = corelib.make_ffi().cast("void *", self.ptr)

    def _mmap(self, offset: int, length: int, write: bool) -> Any:
        ffi, libc = _libc()
        prot = mmap.PROT_READ | (mmap.PROT_WRITE if write else 0)
        at = libc.mmap(ffi.NULL, length, prot, mmap.MAP_SHARED, self._fd, offset)
        if int(ffi.cast("intptr_t", at)) == -1:
            raise MapError(ffi.errno, f"mmap of {length} bytes of guest RAM at {offset:#x}")
        return at

    def alias(self, gfn: int, count: int, write: bool) -> int:
        """Pages gfn .. gfn + count - 1 mapped anew (read-only unless ``write``): the
        address."""
        ffi, _ = _libc()
        return int(ffi.cast("uintptr_t", self._mmap(gfn * PAGE, count * PAGE, write)))

    def unalias(self, addr: int, count: int) -> None:
        ffi, libc = _libc()
        if libc.munmap(ffi.cast("void *", addr), count * PAGE) != 0:
            raise MapError(ffi.errno, f"munmap of {count} pages at {addr:#x}")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.view.release()
        except BufferError:
            pass
        _, libc = _libc()
        libc.munmap(self._base, self.size)
        os.close(self._fd)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class Grant:
    gfn: int
    readonly: bool
    mapped: int = 0  # the backend's mappings of it now


@dataclass
class GrantTable:
    """One guest's grant table over its RAM (guest physical 0 = the first byte of ``ram``)."""

    core: corelib.Core
    ram: SharedRam
    entries: dict[int, Grant] = field(default_factory=dict)
    maps: int = 0
    unmaps: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)  # what went wrong inside a callback
    #: mapping address -> (first reference, count): the backend's mappings now
    mappings: dict[int, tuple[int, int]] = field(default_factory=dict)
    #: called at each unmap, before the pages go (a test looks at the ring then)
    on_unmap: Callable[[], None] | None = None
    _cbs: tuple[Any, Any] | None = None

    # ---- the guest: gnttab_grant_foreign_access_ref / gnttab_end_foreign_access_ref ----

    def grant(self, gfn: int, n: int, readonly: bool) -> int:
        """Grant pages gfn .. gfn + n - 1 under n consecutive fresh references; the first."""
        if gfn < 0 or (gfn + n) * PAGE > self.ram.size:
            raise ValueError(f"pages {gfn:#x}+{n} are not guest RAM")
        first = FIRST_REF
        while any(first + i in self.entries for i in range(n)):
            first += 1
        for i in range(n):
            self.entries[first + i] = Grant(gfn + i, readonly)
        return first

    def end(self, first: int, n: int) -> None:
        """End n grants from ``first``; a reference the backend still maps cannot end."""
        for ref in range(first, first + n):
            g = self.entries.get(ref)
            if g is None:
                raise AssertionError(f"grant {ref} ended twice, or never given")
            if g.mapped:
                raise GrantInUse(
                    f"Grant still in use by backend domain: reference {ref} (page {g.gfn:#x}) "
                    f"is mapped {g.mapped} time(s) when the driver unmaps it"
                )
        for ref in range(first, first + n):
            del self.entries[ref]

    # ---- Xen, for the backend: the callbacks of vbe_host_xen_create_gnt ------------------

    def callbacks(self) -> tuple[Any, Any]:
        """The cffi callbacks (kept alive by the table)."""
        if self._cbs is None:
            ffi = self.core.ffi

            def onerror(exc: Any, val: Any, _tb: Any) -> None:
                self.errors.append(f"{exc.__name__}: {val}")

            m = ffi.callback("void *(*)(void *, uint32_t, uint32_t, int)", self._map,
                             onerror=onerror)  # fmt: skip
            u = ffi.callback("void (*)(void *, void *, uint32_t)", self._unmap, onerror=onerror)
            self._cbs = (m, u)
        return self._cbs

    def _map(self, _ctx: Any, first: int, count: int, write: int) -> Any:
        ffi = self.core.ffi
        refs = [self.entries.get(first + i) for i in range(count)]
        if any(g is None or (write and g.readonly) for g in refs):
            self.refused += 1  # Xen: GNTST_bad_gntref, or a read-only grant mapped writable
            return ffi.NULL
        gfns = [g.gfn for g in refs if g is not None]
        # gntdev maps each page where it lies; here one mmap per run of consecutive pages,
        # which is what Linux grants for a contiguous buffer
        if gfns != list(range(gfns[0], gfns[0] + count)):
            self.errors.append(f"references {first}+{count} grant pages {gfns}: not a run")
            return ffi.NULL
        addr = self.ram.alias(gfns[0], count, bool(write))
        for g in refs:
            assert g is not None
            g.mapped += 1
        self.mappings[addr] = (first, count)
        self.maps += 1
        return ffi.cast("void *", addr)

    def _unmap(self, _ctx: Any, ptr: Any, count: int) -> None:
        addr = int(self.core.ffi.cast("uintptr_t", ptr))
        if addr not in self.mappings or self.mappings[addr][1] != count:
            raise AssertionError(f"unmap of {count} page(s) at {addr:#x}: not a mapping")
        if self.on_unmap is not None:
            self.on_unmap()
        first, _ = self.mappings.pop(addr)
        self.ram.unalias(addr, count)
        for ref in range(first, first + count):
            self.entries[ref].mapped -= 1
        self.unmaps += 1

    @property
    def live(self) -> int:
        """Mappings the backend holds now."""
        return len(self.mappings)


class GrantDma:
    """The driver's DMA API on a grant table: map grants, unmap ends the grants."""

    def __init__(self, table: GrantTable) -> None:
        self.table = table
        self.mapped: dict[int, int] = {}  # grant address -> pages

    def map(self, gpa: int, length: int, write: bool) -> int:
        """dma_map_single: a device-writable buffer gets writable grants, others read-only."""
        n = pages(gpa, length)
        first = self.table.grant(gpa // PAGE, n, readonly=not write)
        addr = ADDR_FLAG | first << 12 | gpa % PAGE
        self.mapped[addr] = n
        return addr

    def coherent(self, gpa: int, length: int) -> int:
        """dma_alloc_coherent's grant: writable, for the queue's life (rings)."""
        return self.map(gpa, length, True)

    def unmap(self, addr: int, length: int) -> None:
        """dma_unmap_single: end the grants (GrantInUse while the backend maps one)."""
        n = self.mapped.pop(addr)
        if n != pages(addr, length):
            raise AssertionError(f"{addr:#x}: unmapped with {length} bytes, not as mapped")
        self.table.end((addr & ~ADDR_FLAG) >> 12, n)
