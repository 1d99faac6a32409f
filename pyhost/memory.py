"""Guarded anonymous memory for windows the C core works in.

The window sits between two ``PROT_NONE`` guard pages, so an access by the core one byte
before or after it faults (SIGSEGV) at once instead of silently corrupting Python's heap.
Built on libc's mmap/mprotect/munmap through cffi (ABI mode).
"""

from __future__ import annotations

import functools
import mmap
import os
from typing import Self

from cffi import FFI

from pyhost import corelib

PAGE = mmap.PAGESIZE
PROT_NONE = 0
ALIGN = 64  # window start alignment when size is not a page multiple

_LIBC_CDEF = """
void *mmap(void *addr, size_t length, int prot, int flags, int fd, long offset);
int mprotect(void *addr, size_t len, int prot);
int munmap(void *addr, size_t length);
"""


@functools.cache
def _libc() -> tuple[FFI, object]:
    ffi = FFI()
    ffi.cdef(_LIBC_CDEF)
    return ffi, ffi.dlopen(None)


class MapError(OSError):
    """mmap/mprotect failed; the message names the call and the size."""


class GuardedMemory:
    """``size`` bytes of zeroed, writable memory between two guard pages.

    The start is page-aligned when ``size`` is a page multiple, else 64-byte aligned with
    the end as close to the trailing guard page as that allows.

    ``view`` is a writable memoryview of exactly ``size`` bytes, ``ptr`` its address,
    ``cdata`` a ``void *`` for calls into the core. Views and pointers taken from it are
    invalid after :meth:`close` (touching them then crashes, by design).
    """

    def __init__(self, size: int) -> None:
        if size <= 0:
            raise ValueError(f"GuardedMemory size must be positive, not {size}")
        self.size = size
        self._span = -(-size // PAGE) * PAGE
        self._total = self._span + 2 * PAGE
        ffi, libc = _libc()
        base = libc.mmap(
            ffi.NULL,
            self._total,
            PROT_NONE,
            mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS,
            -1,
            0,
        )
        if int(ffi.cast("intptr_t", base)) == -1:
            raise MapError(
                ffi.errno, f"mmap of {self._total} bytes failed: {os.strerror(ffi.errno)}"
            )
        self._base = base
        self._closed = False
        inner = ffi.cast("char *", base) + PAGE
        if libc.mprotect(inner, self._span, mmap.PROT_READ | mmap.PROT_WRITE) != 0:
            err = ffi.errno
            libc.munmap(base, self._total)
            self._closed = True
            raise MapError(err, f"mprotect of {self._span} bytes failed: {os.strerror(err)}")
        # Pushed up against the trailing guard page (64-byte aligned) when size is not a
        # page multiple, so an overrun past the end faults as early as possible.
        start = inner + (self._span - -(-size // ALIGN) * ALIGN)
        self.ptr: int = int(ffi.cast("uintptr_t", start))
        self.view: memoryview = memoryview(ffi.buffer(start, size))
        self.cdata = corelib.make_ffi().cast("void *", self.ptr)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Unmap the memory (idempotent). Whoever uses it must be stopped first."""
        if self._closed:
            return
        self._closed = True
        try:
            self.view.release()
        except BufferError:
            pass  # something still holds an export; it must not touch the memory again
        _, libc = _libc()
        libc.munmap(self._base, self._total)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"at 0x{self.ptr:x}"
        return f"GuardedMemory({self.size} bytes, {state})"
