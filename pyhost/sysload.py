"""A generated system description for the in-process machine (``InProcessMachine(system=)``).

``system`` is a description (``.yaml``/``.yml``: built with sysdesc.hostbuild into
``build/systems/<name>/`` when stale), a library built by ``vbe build --host``
(``libvbe_sys.so``), or the directory holding one. The library is loaded with ctypes and
the address of its ``vbe_sys_generated_cfg`` is what ``vbe_host_create()`` takes.
"""

from __future__ import annotations

import ctypes
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pyhost.machine.base import MachineError

SYMBOL = "vbe_sys_generated_cfg"
LIBRARY = "libvbe_sys.so"


@dataclass(frozen=True)
class SystemLibrary:
    """A loaded system library; keep it referenced while the backend uses ``cfg``."""

    path: Path
    dll: ctypes.CDLL
    cfg: int  # address of the const struct vbe_sys_cfg


def _library_for(system: Path) -> Path:
    if system.suffix in (".yaml", ".yml"):
        from sysdesc import SysdescError
        from sysdesc.hostbuild import HostBuildError, build_host_library

        try:
            return build_host_library(system).library
        except SysdescError as exc:
            raise MachineError(f"system description {system}: {exc}") from exc
        except HostBuildError as exc:
            raise MachineError(str(exc)) from exc
    if system.is_dir():
        return system / LIBRARY
    return system


#: libraries loaded in this process: real path -> (mtime when loaded, handle)
_LOADED: dict[Path, tuple[int, ctypes.CDLL]] = {}


def _dlopen(lib: Path) -> ctypes.CDLL:
    """Load ``lib``; if it was rebuilt since this process loaded it, load a copy (the dynamic
    loader hands back the library it already has for a path, however old)."""
    real = lib.resolve()
    stamp = real.stat().st_mtime_ns
    known = _LOADED.get(real)
    if known is not None and known[0] == stamp:
        return known[1]
    path = real
    if known is not None:
        path = Path(tempfile.mkdtemp(prefix="vbe-sys-")) / real.name
        shutil.copy2(real, path)
    dll = ctypes.CDLL(str(path))
    _LOADED[real] = (stamp, dll)
    return dll


def load_system_library(system: Path) -> SystemLibrary:
    """Build if needed and load a system's library; MachineError says what went wrong."""
    lib = _library_for(system)
    if not lib.is_file():
        raise MachineError(
            f"{lib}: no such system library; build one with: vbe build --host SYSTEM.yaml"
        )
    try:
        dll = _dlopen(lib)
        cfg = ctypes.addressof(ctypes.c_char.in_dll(dll, SYMBOL))
    except (OSError, ValueError) as exc:
        raise MachineError(f"cannot load {lib} (is it from vbe build --host?): {exc}") from exc
    return SystemLibrary(lib, dll, cfg)
