"""Building the images that run a system: the bare-metal Arm64 image (CMake, in
boards/qemu_virt_baremetal) and the Zephyr application (west build, when a Zephyr
workspace is there). Each is built from a system description: the build generates its
tables (and the bare-metal image's manifest) itself (sysdesc.buildstep, run by CMake with
this Python). Library code: progress goes through a callback, failures raise
:class:`ImageBuildError` with a message that says what to install or set.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sysdesc.build import load_system
from sysdesc.buildstep import BuildStepError, image_manifest
from sysdesc.generate import render, write_atomically
from sysdesc.limits import REPO
from sysdesc.loader import SysdescError
from sysdesc.manifest import ManifestError, read_manifest

BAREMETAL_BOARD = "qemu_virt_baremetal"
BAREMETAL_SRC = REPO / "boards" / BAREMETAL_BOARD
BAREMETAL_TOOLCHAIN = BAREMETAL_SRC / "toolchain-aarch64.cmake"
BAREMETAL_ELF = "vbe-baremetal.elf"
ZEPHYR_APP = REPO / "zephyr-app"
DEFAULT_ZEPHYR_BOARD = "qemu_cortex_a53"
#: the system an image serves unless told otherwise
DEMO = REPO / "examples" / "demo.yaml"
#: lines of a failed tool's output quoted in the error
TAIL = 40

Progress = Callable[[str], None]


class ImageBuildError(RuntimeError):
    """A build step failed or cannot run; the message says what to do."""


@dataclass(frozen=True)
class Built:
    elf: Path
    build_dir: Path
    generated: tuple[Path, ...] = ()


def cross_prefix() -> str:
    return os.environ.get("VBE_CROSS_PREFIX", "aarch64-linux-gnu-")


def default_baremetal_dir() -> Path:
    return REPO / "build" / "baremetal"


def default_zephyr_dir(board: str) -> Path:
    return REPO / "build" / "zephyr" / board.replace("/", "_")


def _run(cmd: Sequence[str], what: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(list(cmd), cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).rstrip().splitlines()[-TAIL:])
        raise ImageBuildError(
            f"{what} failed (exit {proc.returncode}):\n$ {shlex.join(cmd)}\n{tail}"
        )
    return proc.stdout


def _need(tool: str, hint: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise ImageBuildError(f"{tool} not found: {hint}")
    return path


def build_baremetal(
    build_dir: Path | None = None, progress: Progress | None = None, system: Path | None = None
) -> Built:
    """Configure (when needed) and build boards/qemu_virt_baremetal serving the description
    ``system`` (default the demo); check that the ELF's manifest is the one the description
    and the link give. The build directory defaults to build/baremetal (the demo) or
    build/baremetal-<name>."""
    say = progress or (lambda _m: None)
    description = (system or DEMO).resolve()
    if build_dir is None:
        build_dir = default_baremetal_dir()
        if system is not None:
            build_dir = build_dir.with_name(f"{build_dir.name}-{_system_name(description)}")
    out = build_dir
    cmake = _need("cmake", "install cmake (scripts/setup does)")
    prefix = cross_prefix()
    _need(
        f"{prefix}gcc",
        "install the cross compiler (apt-get install gcc-aarch64-linux-gnu, or scripts/setup), "
        "or set VBE_CROSS_PREFIX to another aarch64 toolchain prefix",
    )
    say(f"[1/3] configure {out} (cmake, {prefix}gcc)")
    _run(
        [
            cmake,
            "-S",
            str(BAREMETAL_SRC),
            "-B",
            str(out),
            f"-DCMAKE_TOOLCHAIN_FILE={BAREMETAL_TOOLCHAIN}",
            f"-DVBE_CROSS_PREFIX={prefix}",
            f"-DVBE_PYTHON={sys.executable}",
            f"-DVBE_SYSTEM={description}",
        ],
        "configuring the bare-metal image",
        REPO,
    )
    say(f"[2/3] build {BAREMETAL_ELF} (cmake --build)")
    _run(
        [cmake, "--build", str(out), "-j", str(os.cpu_count() or 1)],
        "building the bare-metal image",
        REPO,
    )
    elf = out / BAREMETAL_ELF
    if not elf.is_file():
        raise ImageBuildError(f"the build finished but {elf} is missing; see {out}")
    say(f"[3/3] check the manifest of {elf.name} against {_label(description)}")
    check_manifest(elf, description)
    return Built(elf, out, (out / "gen" / "vbe_sys_cfg.c",))


def _system_name(description: Path) -> str:
    try:
        return load_system(description).system.name
    except SysdescError as exc:
        raise ImageBuildError(str(exc)) from exc


def _label(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def check_manifest(elf: Path, description: Path) -> None:
    """ImageBuildError unless the manifest in ``elf`` is what ``description`` generates
    plus what the image's link decided (sysdesc.buildstep.image_manifest)."""
    try:
        doc = read_manifest(elf)
        system = load_system(description).system
        want = image_manifest(system, BAREMETAL_BOARD, elf, doc["build"])
    except (ManifestError, OSError) as exc:
        raise ImageBuildError(f"{exc}; the image is unusable for the harness") from exc
    except (SysdescError, BuildStepError) as exc:
        raise ImageBuildError(str(exc)) from exc
    if doc != want:
        diff = sorted(k for k in set(want) | set(doc) if want.get(k) != doc.get(k))
        raise ImageBuildError(
            f"{elf} does not serve what {_label(description)} describes (the manifest differs "
            f"in: {', '.join(diff)}): a build-system bug; rebuild with a fresh -o directory"
        )


@dataclass(frozen=True)
class ZephyrEnv:
    west: str
    zephyr_base: Path


def find_zephyr() -> ZephyrEnv:
    """west and a Zephyr tree (ZEPHYR_BASE, else the west workspace this repository is in)."""
    west = shutil.which("west")
    base_env = os.environ.get("ZEPHYR_BASE")
    candidates = [Path(base_env)] if base_env else []
    if west is not None and not base_env:
        proc = subprocess.run(
            [west, "topdir"], cwd=REPO, capture_output=True, text=True, check=False
        )
        if proc.returncode == 0 and proc.stdout.strip():
            candidates.append(Path(proc.stdout.strip()) / "zephyr")
    base = next(
        (c for c in candidates if (c / "VERSION").is_file() and (c / "cmake").is_dir()), None
    )
    if west is None or base is None:
        missing = "west is not installed (pip install west); " if west is None else ""
        where = f"ZEPHYR_BASE={base_env} is not a Zephyr tree; " if base_env else ""
        raise ImageBuildError(
            f"{missing}{where}no Zephyr workspace found. Set one up: mkdir ws && git clone "
            "<this repository> ws/vbe && cd ws && west init -l vbe && west update && pip install "
            "-r zephyr/scripts/requirements-base.txt, install the Zephyr SDK (aarch64-zephyr-elf), "
            "then run vbe build from the workspace or with ZEPHYR_BASE=<ws>/zephyr "
            "(see zephyr-app/README.md)"
        )
    return ZephyrEnv(west, base)


def build_zephyr(
    system: Path | None = None,
    board: str = DEFAULT_ZEPHYR_BOARD,
    build_dir: Path | None = None,
    progress: Progress | None = None,
) -> Built:
    """Generate the overlay and Kconfig fragment of the description ``system`` (default the
    demo) and west-build zephyr-app serving it (its CMake generates the C tables from the
    same description, VBE_SYSTEM)."""
    say = progress or (lambda _m: None)
    description = (system or DEMO).resolve()
    try:
        model = load_system(description).system
    except SysdescError as exc:
        raise ImageBuildError(str(exc)) from exc
    env_info = find_zephyr()
    out = build_dir or default_zephyr_dir(board)
    gen_dir = out.parent / f"{out.name}-gen"
    say(f"[1/3] generate the overlay and Kconfig fragment into {gen_dir}")
    write_atomically(gen_dir, render(model, ["dts", "kconfig"]))
    overlay, conf = gen_dir / "vbe.overlay", gen_dir / "vbe.conf"
    env = {**os.environ, "ZEPHYR_BASE": str(env_info.zephyr_base)}
    cmd = [
        env_info.west,
        "build",
        "-b",
        board,
        "-d",
        str(out),
        str(ZEPHYR_APP),
        "--",
        # DTC_OVERLAY_FILE replaces zephyr-app/boards/<board>.overlay (the demo system's
        # windows and bus), which the generated overlay describes again for this system.
        f"-DDTC_OVERLAY_FILE={overlay}",
        f"-DEXTRA_CONF_FILE={conf}",
        f"-DVBE_SYSTEM={description}",
        f"-DVBE_PYTHON={sys.executable}",
    ]
    say(f"[2/3] west build -b {board} (Zephyr {env_info.zephyr_base}); this takes a while")
    _run(cmd, f"west build for {board}", REPO, env)
    elf = out / "zephyr" / "zephyr.elf"
    if not elf.is_file():
        raise ImageBuildError(f"west build finished but {elf} is missing; see {out}")
    say(f"[3/3] {elf}")
    return Built(elf, out, (overlay, conf))
