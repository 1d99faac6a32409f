# SPDX-License-Identifier: Apache-2.0
"""The Zephyr port (zephyr-app/, boards/qemu_cortex_a53.*).

Without a Zephyr tree the C port cannot be compiled here, so the tests that always run
check that the port stays thin and agrees with Zephyr's API as recorded below (values read
in upstream include/zephyr/drivers/i2c.h). With a Zephyr workspace, west and a toolchain,
test_west_build_qemu_cortex_a53 builds the application for real.
"""

import itertools
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "zephyr-app"
SRC = APP / "src"
LIB = APP / "lib"
BOARDS = APP / "boards"

# include/zephyr/drivers/i2c.h: I2C_MSG_WRITE (0U << 0U), I2C_MSG_READ BIT(0),
# I2C_MSG_STOP BIT(1), I2C_MSG_RESTART BIT(2), I2C_MSG_ADDR_10_BITS BIT(3).
ZEPHYR_I2C_MSG_FLAGS = {
    "WRITE": 0x00,
    "READ": 0x01,
    "STOP": 0x02,
    "RESTART": 0x04,
    "ADDR_10_BITS": 0x08,
}

# include/zephyr/drivers/i2c.h: struct i2c_msg { uint8_t *buf; uint32_t len; uint8_t flags; }
ZEPHYR_I2C_MSG_FIELDS = [("uint8_t *", "buf"), ("uint32_t", "len"), ("uint8_t", "flags")]

# qemu_cortex_a53: sram0 is 0x40000000 + 128 MiB (boards/qemu/cortex_a53/qemu_cortex_a53.dts),
# and QEMU's virt RAM starts at 0x40000000.
QEMU_RAM_BASE = 0x4000_0000
SRAM0_END = QEMU_RAM_BASE + 128 * 1024 * 1024
PAGE = 4096

# Headers the port may use besides <zephyr/...>: C library basics and the core's public
# entry points. Reaching for vq/fvq internals would mean logic moved into the port.
PORT_STD_HEADERS = {"errno.h", "stdarg.h", "stdbool.h", "stddef.h", "stdint.h", "string.h"}
# vbe/scmi.h and vbe/scmi_wire.h: the SCMI platform description (units, scales, table sizes)
# the SCMI platform files read. The Xen transport (xen_zephyr.c) binds the core's transport
# entry points as every Xen port does: vbe/ioreq.h, vbe/mmio.h, vbe/memtab.h, the generated
# table's types, vbe/xen_cfg.h, and the dm_op ABI the core writes down once, vbe/xen_dmop.h.
PORT_VBE_HEADERS = {
    "vbe/port.h",
    "vbe/plat.h",
    "vbe/sys.h",
    "vbe/i2c.h",
    "vbe/scmi.h",
    "vbe/scmi_wire.h",
    "vbe/ioreq.h",
    "vbe/mmio.h",
    "vbe/memtab.h",
    "vbe/xen_cfg.h",
    "vbe/xen_dmop.h",
}


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _strip_c_comments(text: str) -> str:
    return re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)


def _port_files() -> list[Path]:
    return sorted(SRC.glob("*.[ch]"))


def _dt_node(text: str, label: str) -> str:
    """Body of the devicetree node with this label (children included)."""
    m = re.search(rf"\b{re.escape(label)}:\s*[\w,.-]+(@[0-9a-fA-F]+)?\s*\{{", text)
    assert m, f"no node labelled {label}"
    depth, i = 1, m.end()
    while depth:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return text[m.end() : i - 1]


def _dt_cells(body: str, prop: str) -> list[int]:
    m = re.search(rf"(?<![\w-]){re.escape(prop)}\s*=\s*<([^>]*)>", body)
    assert m, f"no property {prop}"
    return [int(c, 0) for c in m.group(1).split()]


def _overlay() -> str:
    return _strip_c_comments(_read(BOARDS / "qemu_cortex_a53.overlay"))


# --- the port agrees with Zephyr's I2C API ------------------------------------------------


def test_vbe_i2c_msg_flags_equal_zephyr_i2c_msg_flags():
    plat_h = _read(LIB / "plat" / "include" / "vbe" / "plat.h")
    found = {
        name: int(value, 0)
        for name, value in re.findall(r"#define\s+VBE_I2C_MSG_(\w+)\s+(0x[0-9a-fA-F]+|\d+)", plat_h)
    }
    assert found == ZEPHYR_I2C_MSG_FLAGS


def test_vbe_i2c_msg_mirrors_struct_i2c_msg():
    plat_h = _strip_c_comments(_read(LIB / "plat" / "include" / "vbe" / "plat.h"))
    m = re.search(r"struct\s+vbe_i2c_msg\s*\{(.*?)\};", plat_h, flags=re.DOTALL)
    assert m, "struct vbe_i2c_msg not found in vbe/plat.h"
    fields = []
    for decl in filter(None, (d.strip() for d in m.group(1).split(";"))):
        dm = re.fullmatch(r"(\w+)\s*(\*?)\s*(\w+)", decl)
        assert dm, f"unexpected member declaration: {decl!r}"
        fields.append((dm.group(1) + (" *" if dm.group(2) else ""), dm.group(3)))
    assert fields == ZEPHYR_I2C_MSG_FIELDS


def test_platform_port_asserts_each_flag_at_build_time():
    text = _read(SRC / "plat_zephyr_i2c.c")
    for name in ZEPHYR_I2C_MSG_FLAGS:
        assert re.search(rf"BUILD_ASSERT\(\s*VBE_I2C_MSG_{name}\s*==\s*I2C_MSG_{name}\b", text), (
            f"plat_zephyr_i2c.c does not BUILD_ASSERT VBE_I2C_MSG_{name} == I2C_MSG_{name}"
        )


def test_core_barriers_map_to_zephyr_barrier_api():
    header = _strip_c_comments(_read(SRC / "port_zephyr.h"))
    assert "#include <zephyr/sys/barrier.h>" in header
    assert re.search(r"#define\s+VBE_PORT_BARRIERS\b", header)
    for name in ("vbe_mb", "vbe_rmb", "vbe_wmb"):
        assert re.search(rf"#define\s+{name}\(\)\s+barrier_dmem_fence_full\(\)", header), name
    # ...and the module compiles the core with that header ahead of vbe/port.h.
    cmake = _read(ROOT / "zephyr" / "CMakeLists.txt")
    assert re.search(r"-include\s+\$\{VBE_PORT_DIR\}/port_zephyr\.h", cmake)
    assert re.search(r"set_source_files_properties\(\$\{vbe_core_sources\}", cmake)


# --- the port stays thin ------------------------------------------------------------------


def test_port_includes_only_zephyr_c_library_and_public_vbe_headers():
    local = {p.name for p in _port_files()}
    for path in _port_files():
        text = _read(path)
        assert text.startswith("/* SPDX-License-Identifier: Apache-2.0 */"), path.name
        for kind, header in re.findall(r'#include\s+([<"])([^>"]+)[>"]', text):
            if kind == '"':
                assert header in local, f"{path.name}: unknown local header {header}"
            elif header.startswith("zephyr/"):
                continue
            else:
                allowed = PORT_STD_HEADERS | PORT_VBE_HEADERS
                assert header in allowed, f"{path.name}: <{header}> is not for the port"


# --- qemu_cortex_a53 board files ----------------------------------------------------------


def test_qemu_windows_lie_outside_sram0_and_inside_qemu_ram():
    overlay = _overlay()
    qemu_cmake = _read(BOARDS / "qemu_cortex_a53.cmake")
    m = re.search(r"QEMU_EXTRA_FLAGS\s+-m\s+(\d+)M\b", qemu_cmake)
    assert m, "zephyr-app/boards/qemu_cortex_a53.cmake does not size QEMU's RAM"
    ram_end = QEMU_RAM_BASE + int(m.group(1)) * 1024 * 1024

    labels = sorted(set(re.findall(r"\b(vbe_win\d+):", overlay)))
    assert labels == [f"vbe_win{i}" for i in range(len(labels))], "windows must be numbered 0..n-1"
    assert len(labels) >= 2, "the demo system has two guests"

    spans = []
    for label in labels:
        body = _dt_node(overlay, label)
        hi, lo, size_hi, size_lo = _dt_cells(body, "reg")
        base, size = (hi << 32) | lo, (size_hi << 32) | size_lo
        assert base % PAGE == 0 and size % PAGE == 0, label
        assert size >= 256 * 1024, f"{label}: smaller than a 256 KiB demo window"
        assert base >= SRAM0_END, f"{label} overlaps sram0"
        assert base + size <= ram_end, f"{label} ends past QEMU's -m {m.group(1)}M"
        assert re.search(r"\bno-map\s*;", body), f"{label} must be no-map"
        spans.append((base, base + size))
    spans.sort()
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert end <= start, "windows overlap"


def test_qemu_i2c_bus_is_an_emulated_bus_with_an_at24():
    overlay = _overlay()
    assert re.search(r"vbe,i2c-bus0\s*=\s*&vbe_i2c0\s*;", overlay)
    bus = _dt_node(overlay, "vbe_i2c0")
    assert '"zephyr,i2c-emul-controller"' in bus
    # The AT24 emulator rejects transfers on a bus faster than standard mode.
    assert _dt_cells(bus, "clock-frequency") == [100000]
    eeprom = _dt_node(bus, "vbe_at24")
    assert '"atmel,at24"' in eeprom
    assert _dt_cells(eeprom, "reg") == [0x50]
    # 256 bytes: the emulator takes its word address from one byte, unchecked.
    assert _dt_cells(eeprom, "size") == [256]
    for prop in ("pagesize", "address-width", "timeout"):  # required by atmel,at2x-base.yaml
        _dt_cells(eeprom, prop)
    conf = _read(BOARDS / "qemu_cortex_a53.conf")
    for line in ("CONFIG_EMUL=y", "CONFIG_EEPROM=y", "CONFIG_EEPROM_AT2X_EMUL=y"):
        assert re.search(rf"^{re.escape(line)}$", conf, flags=re.MULTILINE), line


# --- a real build -------------------------------------------------------------------------


def _why_no_zephyr_build() -> str | None:
    zephyr_base = os.environ.get("ZEPHYR_BASE")
    if not zephyr_base:
        return (
            "ZEPHYR_BASE is not set: make a west workspace from this repository "
            "(west init -l <repo>; west update), install the Zephyr SDK, then run "
            "pytest with ZEPHYR_BASE=<workspace>/zephyr"
        )
    if not (Path(zephyr_base) / "cmake").is_dir():
        return f"ZEPHYR_BASE={zephyr_base} is not a Zephyr tree"
    if shutil.which("west") is None:
        return "west is not on PATH (pip install west)"
    topdir = subprocess.run(
        ["west", "topdir"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if topdir.returncode != 0:
        return "this checkout is not inside a west workspace (west init -l; west update)"
    has_sdk = (
        os.environ.get("ZEPHYR_SDK_INSTALL_DIR")
        or (Path.home() / ".cmake" / "packages" / "Zephyr-sdk").is_dir()
    )
    if not (has_sdk or os.environ.get("ZEPHYR_TOOLCHAIN_VARIANT")):
        return (
            "no Zephyr toolchain found: install the Zephyr SDK (and run its setup.sh), "
            "or set ZEPHYR_TOOLCHAIN_VARIANT"
        )
    return None


@pytest.mark.zephyr
def test_west_build_qemu_cortex_a53(tmp_path):
    reason = _why_no_zephyr_build()
    if reason:
        pytest.skip(reason)
    build = tmp_path / "build"
    result = subprocess.run(
        ["west", "build", "-b", "qemu_cortex_a53", "-d", str(build), str(APP)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    assert (build / "zephyr" / "zephyr.elf").is_file()
    # The top-level boards/ files were picked up.
    config = _read(build / "zephyr" / ".config")
    assert "CONFIG_EEPROM_AT2X_EMUL=y" in config
    assert "CONFIG_VBE_POLL_INTERVAL_US=" in config
    dts = _read(build / "zephyr" / "zephyr.dts")
    assert "window@48000000" in dts and "zephyr,i2c-emul-controller" in dts
