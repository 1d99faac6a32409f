"""The bare-metal Arm64 image a QEMU machine boots: tools, build, manifest.

``ensure_image()`` returns the ELF (``build/baremetal/vbe-baremetal.elf``, serving the
demo system, examples/demo.yaml), building it with the board's CMake project first when
it is missing or older than any of its sources (one progress line on stderr).
``load_manifest()`` reads the image's CBOR manifest (sysdesc.manifest). Missing tools
raise MachineError naming the Debian package.

Environment:
    VBE_BAREMETAL_BUILD_DIR  where the image is built (default ``<repo>/build/baremetal``)
    VBE_QEMU                 the qemu-system-aarch64 to run (default: the one on PATH)
"""

from __future__ import annotations

import fcntl
import functools
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sysdesc import manifest

from pyhost.machine.base import MachineError

REPO = Path(__file__).resolve().parents[2]
BOARD = REPO / "boards" / "qemu_virt_baremetal"
ELF_NAME = "vbe-baremetal.elf"
CROSS_GCC = "aarch64-linux-gnu-gcc"
QEMU_MIN_MAJOR = 10
INSTALL_QEMU = (
    "install QEMU 10 with scripts/setup (it runs boards/qemu_virt_baremetal/install-qemu.sh: "
    "Debian package qemu-system-arm from bookworm-backports)"
)
INSTALL_GCC = "install the Debian package gcc-aarch64-linux-gnu (scripts/setup does it)"
#: what the image's build depends on: the board, the core, the generators and the demo
#: system's description (the image serves examples/demo.yaml)
_SOURCE_GLOBS = (
    (REPO / "zephyr-app" / "lib", ("**/*.c", "**/*.h", "**/*.cmake")),
    (BOARD, ("**/*.c", "**/*.h", "**/*.S", "**/*.ld", "**/*.cmake", "CMakeLists.txt")),
    (REPO / "tools" / "sysdesc", ("*.py", "schema.json")),
)
_EXTRA_SOURCES = (REPO / "examples" / "demo.yaml",)


def build_dir() -> Path:
    return Path(os.environ.get("VBE_BAREMETAL_BUILD_DIR", REPO / "build" / "baremetal"))


def image_path() -> Path:
    return build_dir() / ELF_NAME


def qemu_binary() -> str:
    """Path of qemu-system-aarch64; MachineError (what to install) when there is none."""
    name = os.environ.get("VBE_QEMU", "qemu-system-aarch64")
    path = shutil.which(name)
    if path is None:
        raise MachineError(f"{name} not found: {INSTALL_QEMU}")
    return path


@functools.cache
def qemu_version(binary: str) -> tuple[int, int, int]:
    """(major, minor, micro) of a QEMU binary; (0, 0, 0) when it does not say."""
    try:
        out = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return (0, 0, 0)
    m = re.search(r"version (\d+)\.(\d+)\.(\d+)", out)
    return (int(m[1]), int(m[2]), int(m[3])) if m else (0, 0, 0)


def qemu_available() -> tuple[bool, str]:
    """Whether a QEMU machine can run here, and if not why (for the pytest header)."""
    try:
        binary = qemu_binary()
    except MachineError as exc:
        return False, str(exc)
    version = qemu_version(binary)
    if version[0] < QEMU_MIN_MAJOR:
        return False, f"{binary} is version {'.'.join(map(str, version))}: {INSTALL_QEMU}"
    if not image_path().exists() and shutil.which(CROSS_GCC) is None:
        return False, f"no {image_path()} and no {CROSS_GCC} to build it: {INSTALL_GCC}"
    return True, f"{binary} {'.'.join(map(str, version))}"


def _sources() -> Iterator[Path]:
    for root, patterns in _SOURCE_GLOBS:
        for pattern in patterns:
            yield from root.glob(pattern)
    yield from _EXTRA_SOURCES


def stale_reason(elf: Path) -> str | None:
    """Why the image must be (re)built, or None when it is up to date."""
    if not elf.exists():
        return "missing"
    mtime = elf.stat().st_mtime
    for src in _sources():
        if src.exists() and src.stat().st_mtime > mtime:
            return f"older than {src.relative_to(REPO)}"
    return None


def build_image(reason: str = "requested") -> Path:
    """Configure (once) and build the image with CMake; MachineError on failure."""
    if shutil.which("cmake") is None:
        raise MachineError("cmake is not installed: run scripts/setup (Debian package cmake)")
    if shutil.which(CROSS_GCC) is None:
        raise MachineError(f"cannot build the bare-metal image: no {CROSS_GCC}: {INSTALL_GCC}")
    bdir = build_dir()
    bdir.mkdir(parents=True, exist_ok=True)
    print(f"vbe: building the bare-metal image into {bdir} ({reason}) ...", file=sys.stderr)
    steps = [
        # configure (again: cheap), with this Python to run the build's generators
        ["cmake", "-S", str(BOARD), "-B", str(bdir), f"-DVBE_PYTHON={sys.executable}"],
        ["cmake", "--build", str(bdir), "-j", str(os.cpu_count() or 2)],
    ]
    for cmd in steps:
        try:
            proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired as exc:
            raise MachineError(f"building the bare-metal image timed out: {' '.join(cmd)}") from exc
        if proc.returncode != 0:
            out = (proc.stdout + proc.stderr).strip().splitlines()[-30:]
            raise MachineError(
                f"building the bare-metal image failed ({' '.join(cmd)}):\n" + "\n".join(out)
            )
    elf = image_path()
    if not elf.exists():
        raise MachineError(f"the build did not produce {elf}")
    # CMake knows the real dependencies; a source it does not use (a new component, a
    # doc) must not make every launch rebuild: the image is now up to date as of now.
    os.utime(elf)
    return elf


def ensure_image() -> Path:
    """The image, built first when missing or stale (serialised by a lock file)."""
    elf = image_path()
    if stale_reason(elf) is None:
        return elf
    build_dir().mkdir(parents=True, exist_ok=True)
    with open(build_dir().parent / f".{build_dir().name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building it right now
        reason = stale_reason(elf)
        if reason is not None:
            build_image(reason)
    return elf


@dataclass(frozen=True)
class ImageInfo:
    """What the harness takes from an image's manifest."""

    elf: Path
    manifest: dict[str, Any]

    @property
    def ram_base(self) -> int:
        return int(self.manifest["ram_base"])

    @property
    def system(self) -> str:
        return str(self.manifest["system"])

    @property
    def mailbox(self) -> dict[str, int] | None:
        return self.manifest.get("mailbox")

    @property
    def doorbell(self) -> dict[str, int] | None:
        return self.manifest.get("doorbell")


def load_manifest(elf: Path) -> ImageInfo:
    try:
        return ImageInfo(elf, manifest.read_manifest(elf))
    except (OSError, manifest.ManifestError) as exc:
        raise MachineError(f"{elf}: no usable manifest ({exc}); rebuild the image") from exc
