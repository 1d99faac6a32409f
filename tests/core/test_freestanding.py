"""The portable core builds freestanding for Arm64 and calls nothing but the port.

Every core component is compiled with Debian's aarch64 cross compiler as the bare-metal and
Zephyr ports will compile it (-ffreestanding, no libc), linked into one relocatable object,
and its undefined symbols are compared with what a port provides: the port interface
(vbe/port.h) and the four string.h functions the compiler may emit.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORE = REPO / "zephyr-app" / "lib"
CROSS = "aarch64-linux-gnu-gcc"
ALLOWED_UNDEFINED = {
    "vbe_port_log",
    "vbe_port_time_us",
    "memcpy",
    "memset",
    "memmove",
    "memcmp",
}


def core_sources() -> list[Path]:
    """The sources vbe_core.cmake lists: the one list every build uses."""
    text = (CORE / "vbe_core.cmake").read_text()
    found = re.findall(r"\$\{VBE_CORE_DIR\}/(\S+\.c)", text)
    assert found, "no sources found in vbe_core.cmake"
    return [CORE / f for f in found]


def include_flags() -> list[str]:
    return [f"-I{d}" for d in sorted(CORE.glob("*/include")) if d.parent.name != "host"]


@pytest.fixture(scope="module")
def core_object(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which(CROSS) is None:
        pytest.fail(f"{CROSS} is missing: run scripts/setup (apt-get install gcc-aarch64-linux-gnu)")
    out = tmp_path_factory.mktemp("aarch64")
    objs = []
    for src in core_sources():
        obj = out / (src.stem + ".o")
        cmd = [
            CROSS, "-std=c11", "-ffreestanding", "-nostdlib", "-mcpu=cortex-a53",
            "-mgeneral-regs-only", "-mstrict-align", "-fno-pic", "-Os",
            "-Wall", "-Wextra", "-Werror", *include_flags(), "-c", str(src), "-o", str(obj),
        ]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, f"{src.name} does not build freestanding:\n{proc.stderr}"
        objs.append(str(obj))
    linked = out / "vbe_core.o"
    subprocess.run(
        [CROSS, "-nostdlib", "-r", "-o", str(linked), *objs], check=True, capture_output=True
    )
    return linked


def test_core_needs_only_the_port_interface(core_object: Path) -> None:
    nm = subprocess.run(
        ["aarch64-linux-gnu-nm", "--undefined-only", str(core_object)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    undefined = {line.split()[-1] for line in nm.stdout.splitlines() if line.strip()}
    extra = undefined - ALLOWED_UNDEFINED
    assert not extra, f"the core calls outside the port interface: {sorted(extra)}"


def test_core_has_no_writable_globals(core_object: Path) -> None:
    """No hidden state: every mutable object is caller-owned, tables are const."""
    nm = subprocess.run(
        ["aarch64-linux-gnu-nm", "--defined-only", str(core_object)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    writable = [
        line.split()[-1]
        for line in nm.stdout.splitlines()
        if len(line.split()) == 3 and line.split()[1] in "bBdD"
    ]
    assert not writable, f"writable globals in the core: {writable}"
