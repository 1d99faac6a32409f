"""A generated system description for the in-process machine (``InProcessMachine(system=)``).

``system`` is a description (``.yaml``/``.yml``: built with sysdesc.hostbuild into
``build/systems/<name>/`` when stale), a library built by ``vbe build --host``
(``libvbe_sys.so``), or the directory holding one; None is the demo system,
``examples/demo.yaml``. The library is loaded with ctypes and the address of its
``vbe_sys_description`` is what ``vbe_host_create()`` takes; the ``manifest.json`` next
to it (generated from the same description) says what the system is.
"""

from __future__ import annotations

import ctypes
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sysdesc import SysdescError
from sysdesc.gen_c import SYMBOL
from sysdesc.gen_manifest_body import FILE_NAME as MANIFEST_FILE
from sysdesc.hostbuild import LIBRARY, HostBuildError, build_host_library
from sysdesc.limits import REPO
from sysdesc.manifest import ManifestError, check_manifest

from pyhost.machine.base import MachineError

#: the system a machine serves when none is given
DEMO = REPO / "examples" / "demo.yaml"


@dataclass(frozen=True)
class SystemLibrary:
    """A loaded system library; keep it referenced while the backend uses ``cfg``."""

    path: Path
    dll: ctypes.CDLL
    cfg: int  # address of the const struct vbe_sys_cfg
    manifest: dict[str, Any]  # what the system is (sysdesc.manifest's document)


#: descriptions built in this process: resolved path -> (its mtime, the library built)
_BUILT: dict[Path, tuple[int, Path]] = {}


def _library_for(system: Path) -> Path:
    if system.suffix in (".yaml", ".yml"):
        real = system.resolve()
        stamp = real.stat().st_mtime_ns if real.exists() else 0
        known = _BUILT.get(real)
        if known is not None and known[0] == stamp and known[1].is_file():
            return known[1]  # validated and generated once per process and version
        try:
            lib = build_host_library(system).library
        except SysdescError as exc:
            raise MachineError(f"system description {system}: {exc}") from exc
        except HostBuildError as exc:
            raise MachineError(str(exc)) from exc
        _BUILT[real] = (stamp, lib)
        return lib
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


def _manifest(lib: Path) -> dict[str, Any]:
    path = lib.with_name(MANIFEST_FILE)
    try:
        return check_manifest(json.loads(path.read_text()), image=False)
    except (OSError, ValueError, ManifestError) as exc:
        raise MachineError(
            f"{path}: no usable manifest next to the system library ({exc}); rebuild it with "
            "vbe build --host SYSTEM.yaml"
        ) from exc


def load_system_library(system: Path | None = None) -> SystemLibrary:
    """Build if needed and load a system's library; MachineError says what went wrong."""
    lib = _library_for(system or DEMO)
    if not lib.is_file():
        raise MachineError(
            f"{lib}: no such system library; build one with: vbe build --host SYSTEM.yaml"
        )
    try:
        dll = _dlopen(lib)
        cfg = ctypes.addressof(ctypes.c_char.in_dll(dll, SYMBOL))
    except (OSError, ValueError) as exc:
        raise MachineError(f"cannot load {lib} (is it from vbe build --host?): {exc}") from exc
    return SystemLibrary(lib, dll, cfg, _manifest(lib))
