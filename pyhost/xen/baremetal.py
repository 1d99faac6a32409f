"""The bare-metal Dom0 (boards/xen_dom0_baremetal): the vbe core as Xen's Dom0, no Linux.

:func:`build_dom0_baremetal` builds its arm64 Image for a system description with CMake and
the aarch64 cross compiler; its build generates the same tables vbe-xen compiles in from
the description (``VBE_SYSTEM``; ``python -m sysdesc.buildstep tables|xen``), and the image
is cached under ``~/.cache/vbe/xen/dom0-bm-<key>/`` (key: the generators' output, every
source it is made of, the compiler). About 10 s the first time.

Xen boots it as the Dom0 kernel module (sysdesc.gen_xen.DOM0_BAREMETAL: 16 MiB, no
ramdisk); on Dom0's console it speaks the harness's command loop and vbe-xen's control
commands, so pyhost.xen.system drives it as it drives the Linux Dom0.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sysdesc import load_system, pycmake, render

from pyhost.linux.cache import LinuxError, Progress, locked, no_progress, require_tools, run
from pyhost.sysload import DEMO
from pyhost.xen.artefacts import REPO, _cc_version, _sha, publish, xen_dir

BOARD = REPO / "boards" / "xen_dom0_baremetal"
#: what the image is made of besides its board: the core (with the generated table's
#: type, vbe/xen_cfg.h), the shared bare-metal runtime
SOURCES = (
    BOARD,
    REPO / "zephyr-app" / "lib",
    REPO / "boards" / "qemu_virt_baremetal" / "src",
    REPO / "boards" / "qemu_virt_baremetal" / "toolchain-aarch64.cmake",
    REPO / "boards" / "qemu_virt_baremetal" / "version.cmake",
)
SUFFIXES = (".c", ".h", ".S", ".ld", ".cmake", ".txt")
IMAGE = "vbe-dom0.img"
ELF = "vbe-dom0.elf"
BUILD_TIMEOUT = 600.0


@dataclass(frozen=True)
class BaremetalDom0:
    image: Path  # the arm64 Image Xen loads
    elf: Path  # the same, linked at 0, with symbols (vbe inspect, aarch64-linux-gnu-size)

    @property
    def image_bytes(self) -> int:
        return self.image.stat().st_size


def _sources() -> list[bytes]:
    files: list[Path] = []
    for root in SOURCES:
        if root.is_file():
            files.append(root)
        else:
            files += [p for p in root.rglob("*") if p.is_file() and p.suffix in SUFFIXES]
    return [str(p.relative_to(REPO)).encode() + b"\0" + p.read_bytes() for p in sorted(files)]


def build_dom0_baremetal(
    system: Path | None = None,
    *,
    options: dict[str, str] | None = None,
    progress: Progress = no_progress,
) -> BaremetalDom0:
    """The bare-metal Dom0 serving ``system`` (default: the demo), built when not cached.
    ``options``: CMake cache variables of the board (e.g. ``VBE_XD_GNT_WINDOW_PAGES``), part
    of the cache key."""
    description = (system or DEMO).resolve()
    model = load_system(description).system
    tables = {n: t for n, t in render(model, ["c", "xen"]).items() if n.endswith(".c")}
    defines = [f"-D{k}={v}" for k, v in sorted((options or {}).items())]
    key = _sha(
        *sorted(f"{n}\n{t}" for n, t in tables.items()), *_sources(), _cc_version(), *defines
    )
    out = xen_dir() / f"dom0-bm-{key}"
    found = BaremetalDom0(out / IMAGE, out / ELF)
    if found.image.is_file() and found.elf.is_file():
        return found
    require_tools({"cmake": "cmake", "make": "make"})
    with locked(xen_dir() / f"dom0-bm-{key}.lock", "the bare-metal Dom0", progress):
        if found.image.is_file() and found.elf.is_file():
            return found
        work = Path(tempfile.mkdtemp(prefix="dom0-bm-build-", dir=xen_dir()))
        try:
            log = work / "build.log"
            progress(f"building the bare-metal Dom0 for system {model.name!r} (CMake)")
            run(["cmake", "-S", str(BOARD), "-B", str(work / "b"), f"-DVBE_SYSTEM={description}",
                 pycmake.define(), *defines],
                what="cmake (bare-metal Dom0)", timeout=300, log=log)  # fmt: skip
            run(["cmake", "--build", str(work / "b"), "-j2"], what="building the bare-metal Dom0",
                timeout=BUILD_TIMEOUT, log=log)  # fmt: skip
            image = (work / "b" / IMAGE).read_bytes()
            if image[0x38:0x3C] != b"ARM\x64":
                raise LinuxError(f"{work / 'b' / IMAGE}: no arm64 Image header (see {log})")
            publish(out, {name: work / "b" / name for name in (IMAGE, ELF, "vbe-dom0.map")})
        finally:
            shutil.rmtree(work, ignore_errors=True)
        progress(f"bare-metal Dom0 cached: {found.image} ({found.image_bytes >> 10} KiB)")
    return found
