"""Building the images that run a system: the bare-metal Arm64 image (CMake, in
boards/qemu_virt_baremetal) and the Zephyr application (west build, when a Zephyr
workspace is there). Library code: progress goes through a callback, failures raise
:class:`ImageBuildError` with a message that says what to install or set.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vbe.sysdesc.generate import render, write_atomically
from vbe.sysdesc.limits import REPO
from vbe.sysdesc.model import System

BAREMETAL_BOARD = "qemu_virt_baremetal"
BAREMETAL_SRC = REPO / "boards" / BAREMETAL_BOARD
BAREMETAL_TOOLCHAIN = BAREMETAL_SRC / "toolchain-aarch64.cmake"
BAREMETAL_ELF = "vbe-baremetal.elf"
ZEPHYR_APP = REPO / "zephyr-app"
DEFAULT_ZEPHYR_BOARD = "qemu_cortex_a53"
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


#: the symbol boards/qemu_virt_baremetal and zephyr-app serve (VBE_SYSTEM_C must define it)
BAREMETAL_SYMBOL = "vbe_sys_demo_cfg"


def build_baremetal(
    build_dir: Path | None = None, progress: Progress | None = None, system: System | None = None
) -> Built:
    """Configure (when needed) and build boards/qemu_virt_baremetal; the ELF has its manifest.

    With ``system``, the image serves that description: its C tables are generated into the
    build directory (default build/baremetal-<name>) and replace the built-in demo tables.
    """
    say = progress or (lambda _m: None)
    if build_dir is None:
        build_dir = default_baremetal_dir()
        if system is not None:
            build_dir = build_dir.with_name(f"{build_dir.name}-{system.name}")
    out = build_dir
    system_c: list[str] = ["-DVBE_SYSTEM_C="]
    generated: tuple[Path, ...] = ()
    if system is not None:
        from vbe.sysdesc import gen_c

        c_file = out / "system" / "vbe_sys_cfg.c"
        text = gen_c.generate(system, BAREMETAL_SYMBOL)
        c_file.parent.mkdir(parents=True, exist_ok=True)
        if not c_file.is_file() or c_file.read_text() != text:
            c_file.write_text(text)
        system_c = [f"-DVBE_SYSTEM_C={c_file}"]
        generated = (c_file,)
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
            *system_c,
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
    say(f"[3/3] check the manifest of {elf.name}")
    return Built(elf, out, generated)


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
    system: System,
    board: str = DEFAULT_ZEPHYR_BOARD,
    build_dir: Path | None = None,
    progress: Progress | None = None,
) -> Built:
    """Generate the C tables, overlay and Kconfig fragment of ``system`` and west-build
    zephyr-app serving them (VBE_SYSTEM_C replaces the built-in demo tables, as in the
    bare-metal build)."""
    say = progress or (lambda _m: None)
    env_info = find_zephyr()
    out = build_dir or default_zephyr_dir(board)
    gen_dir = out.parent / f"{out.name}-gen"
    say(f"[1/3] generate the C tables, overlay and Kconfig fragment into {gen_dir}")
    from vbe.sysdesc import gen_c

    files = render(system, ["dts", "kconfig"])
    files["vbe_sys_cfg.c"] = gen_c.generate(system, BAREMETAL_SYMBOL)
    write_atomically(gen_dir, files)
    overlay, conf = gen_dir / "vbe.overlay", gen_dir / "vbe.conf"
    tables = gen_dir / "vbe_sys_cfg.c"
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
        f"-DVBE_SYSTEM_C={tables}",
    ]
    say(f"[2/3] west build -b {board} (Zephyr {env_info.zephyr_base}); this takes a while")
    _run(cmd, f"west build for {board}", REPO, env)
    elf = out / "zephyr" / "zephyr.elf"
    if not elf.is_file():
        raise ImageBuildError(f"west build finished but {elf} is missing; see {out}")
    say(f"[3/3] {elf}")
    return Built(elf, out, (tables, overlay, conf))
