"""A system description as a shared library for the in-process machine.

``build/systems/<name>/`` receives the generated ``vbe_sys_cfg.c`` and ``manifest.json``
(what the harness learns the system from), and ``libvbe_sys.so``: the C tables compiled
alone (they reference no code, only types and constants of the core headers), exporting
``vbe_sys_description``. pyhost hands that symbol's address to ``vbe_host_create()`` of
the core library.

Rebuilt only when the generated C text changed, a core header is newer than the library,
or the library is missing. Library code: it reports progress through a callback and
never prints.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sysdesc import gen_c, gen_manifest_body
from sysdesc.build import Loaded, load_system
from sysdesc.generate import render, write_atomically
from sysdesc.limits import CORE, REPO

LIBRARY = "libvbe_sys.so"
SYMBOL = gen_c.SYMBOL
CFLAGS = (
    "-std=c11",
    "-O1",
    "-g",
    "-fPIC",
    "-shared",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wshadow",
    "-Wpointer-arith",
    "-Wvla",
)


class HostBuildError(RuntimeError):
    """The library could not be built; the message says what to do."""


@dataclass(frozen=True)
class HostLibrary:
    loaded: Loaded
    directory: Path
    library: Path
    manifest: Path
    symbol: str = SYMBOL
    rebuilt: bool = False


def default_dir(system_name: str) -> Path:
    return REPO / "build" / "systems" / system_name


def include_dirs() -> list[Path]:
    return sorted(CORE.glob("*/include"))


def _stale(lib: Path, changed: bool) -> bool:
    if changed or not lib.exists():
        return True
    mtime = lib.stat().st_mtime
    return any(h.stat().st_mtime > mtime for d in include_dirs() for h in d.rglob("*.h"))


def compiler() -> list[str]:
    cc = shlex.split(os.environ.get("CC", "cc"))
    if not cc or shutil.which(cc[0]) is None:
        raise HostBuildError(
            f"no C compiler {cc[0] if cc else '(empty CC)'!r}: install gcc (scripts/setup) or "
            "set CC"
        )
    return cc


def build_host_library(
    description: Path,
    directory: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> HostLibrary:
    """Validate ``description``, generate its C tables and manifest, compile the library.

    Raises SysdescError (invalid description) or HostBuildError (compiler failure).
    """
    say = progress or (lambda _msg: None)
    loaded = load_system(description)
    system = loaded.system
    outdir = directory or default_dir(system.name)
    files = render(system, ["c", "manifest"])
    written = write_atomically(outdir, files)
    changed = any(w.changed for w in written if w.path.name == gen_c.FILE_NAME)
    for w in written:
        say(f"{'GEN ' if w.changed else 'SAME'} {w.path}")
    lib = outdir / LIBRARY
    rebuilt = _stale(lib, changed)
    if rebuilt:
        tmp = outdir / f".{LIBRARY}.tmp"
        cmd = [
            *compiler(),
            *CFLAGS,
            *(f"-I{d}" for d in include_dirs()),
            "-o",
            str(tmp),
            str(outdir / gen_c.FILE_NAME),
        ]
        say(f"CC   {lib}")
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            tmp.unlink(missing_ok=True)
            raise HostBuildError(
                f"compiling {outdir / gen_c.FILE_NAME} failed (a generator bug or a core "
                f"header that changed shape):\n{shlex.join(cmd)}\n{proc.stderr}"
            )
        os.replace(tmp, lib)
    return HostLibrary(loaded, outdir, lib, outdir / gen_manifest_body.FILE_NAME, SYMBOL, rebuilt)
