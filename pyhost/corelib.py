"""Load the portable C core into this process with cffi (ABI mode).

The declarations come from the real headers (``vbe/virtio.h``, ``vbe/fvq_layout.h``,
``vbe/sim_cmd.h``, ``vbe/host.h``): they are written in the subset cffi parses, so the
window layout pyhost uses is the one the C compiler uses (``tests/core/test_layout.py`` checks offsets against
the compiled library).

The shared libraries are built with CMake into ``build/host``. When they are missing or
older than any core source, :func:`load` rebuilds them first, printing one progress line.

Environment:
    VBE_CORE_VARIANT  ``plain`` (default) or ``asan`` (AddressSanitizer + UBSan; the
                      process must run with libasan preloaded, see ``asan_preload()``).
    VBE_BUILD_DIR     where the host build lives (default ``<repo>/build/host``).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from cffi import FFI

REPO = Path(__file__).resolve().parent.parent
CORE = REPO / "zephyr-app" / "lib"
#: the host port: the core as a shared library (boards/host, like Zephyr's native_sim)
HOST_PORT = REPO / "boards" / "host"
HEADERS = (
    CORE / "port" / "include" / "vbe" / "virtio.h",
    CORE / "fvq" / "include" / "vbe" / "fvq_layout.h",
    CORE / "sim" / "include" / "vbe" / "sim_cmd.h",
    HOST_PORT / "include" / "vbe" / "host.h",
)
LIBRARIES = {"plain": "libvbe_host.so", "asan": "libvbe_host_asan.so"}


class CoreLibError(RuntimeError):
    """The C core could not be built or loaded; the message says what to do."""


def cdef_source(path: Path) -> str:
    """Turn one of the cffi-subset headers into cdef text.

    Drops includes, the include guard and conditionals; keeps integer #defines,
    struct and function declarations. Comments are removed by cffi itself.
    """
    out = []
    guard = None
    for line in path.read_text().splitlines():
        s = line.strip()
        if s.startswith(("#include", "#endif")):
            continue
        if s.startswith("#ifndef"):
            guard = s.split()[1]
            continue
        if s.startswith("#define") and guard is not None and s.split()[1] == guard:
            continue
        out.append(line)
    text = "\n".join(out)
    # cffi does not know __attribute__; the subset headers should not use it.
    if "__attribute__" in text:
        raise CoreLibError(f"{path}: __attribute__ is outside the cffi subset")
    return text


def build_dir() -> Path:
    return Path(os.environ.get("VBE_BUILD_DIR", REPO / "build" / "host"))


def _sources_newer_than(lib: Path) -> bool:
    if not lib.exists():
        return True
    mtime = lib.stat().st_mtime
    for pattern in ("**/*.c", "**/*.h", "**/*.cmake"):
        for f in (*CORE.glob(pattern), *HOST_PORT.glob(pattern)):
            if f.stat().st_mtime > mtime:
                return True
    root_cmake = REPO / "CMakeLists.txt"
    return root_cmake.stat().st_mtime > mtime


def build(quiet: bool = False) -> Path:
    """Configure and build the host libraries; return the build directory."""
    if shutil.which("cmake") is None:
        raise CoreLibError("cmake is not installed: run scripts/setup (or apt-get install cmake)")
    bdir = build_dir()
    if not quiet:
        print(f"vbe: building the C core into {bdir} ...", file=sys.stderr, flush=True)
    steps = (
        ["cmake", "-S", str(REPO), "-B", str(bdir)],
        ["cmake", "--build", str(bdir), "-j", str(os.cpu_count() or 2)],
    )
    for cmd in steps:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise CoreLibError(
                f"building the C core failed ({' '.join(cmd)}):\n{proc.stdout}{proc.stderr}"
            )
    return bdir


def variant() -> str:
    v = os.environ.get("VBE_CORE_VARIANT", "plain")
    if v not in LIBRARIES:
        raise CoreLibError(f"VBE_CORE_VARIANT={v!r}: use one of {', '.join(LIBRARIES)}")
    return v


def library_path(which: str | None = None) -> Path:
    """Path of the shared library for a variant, building it first if it is stale."""
    which = which or variant()
    lib = build_dir() / LIBRARIES[which]
    if _sources_newer_than(lib):
        build()
        if lib.exists() and _sources_newer_than(lib):
            # The build had nothing to relink (a change that compiles to the same objects,
            # e.g. a comment in a .cmake file): the library is current, say so, or every
            # load would build again.
            os.utime(lib)
    if not lib.exists():
        raise CoreLibError(f"{lib} was not produced by the build")
    return lib


def asan_preload() -> str:
    """The libasan to LD_PRELOAD for the asan variant (Python itself is not instrumented)."""
    out = subprocess.run(
        ["gcc", "-print-file-name=libasan.so"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return out


@functools.lru_cache(maxsize=1)
def make_ffi() -> FFI:
    """An FFI that knows the window layout and the host API (no library loaded)."""
    ffi = FFI()
    ffi.cdef("\n".join(cdef_source(h) for h in HEADERS))
    return ffi


@dataclass(frozen=True)
class Core:
    """The loaded core: ``ffi`` for types and memory, ``lib`` for calls."""

    ffi: FFI
    lib: object
    path: Path


@functools.cache
def load(which: str | None = None) -> Core:
    """Build if needed and load the core library (cached per variant)."""
    which = which or variant()
    path = library_path(which)
    if which == "asan" and "libasan" not in os.environ.get("LD_PRELOAD", ""):
        raise CoreLibError(
            "the asan variant needs LD_PRELOAD="
            f"{asan_preload()} (and ASAN_OPTIONS=detect_leaks=0) on the Python process"
        )
    ffi = make_ffi()
    try:
        lib = ffi.dlopen(str(path))
    except OSError as exc:
        raise CoreLibError(f"cannot load {path}: {exc}") from exc
    return Core(ffi=ffi, lib=lib, path=path)
