# SPDX-License-Identifier: Apache-2.0
"""Every symbol the .conf files of the Zephyr build set exists (zephyr-app/prj.conf,
zephyr-app/boards/*.conf), and every symbol the module's Kconfig depends on or selects.

An assignment to a symbol the tree does not define stops Zephyr's configure (kconfig.py
treats it as an error), so each symbol is checked: vbe's own against zephyr/Kconfig and
zephyr-app/Kconfig, Zephyr's against the list below, recorded from the Zephyr Kconfig files
named with each (west.yml pins v4.2.0; where the search index had no copy of that tag, the
revision read is named). With ZEPHYR_BASE set, the same symbols are looked up in that
tree's Kconfig files.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONF_FILES = sorted(
    [ROOT / "zephyr-app" / "prj.conf", *(ROOT / "zephyr-app" / "boards").glob("*.conf")]
)
VBE_KCONFIG = (ROOT / "zephyr" / "Kconfig", ROOT / "zephyr-app" / "Kconfig")

#: Zephyr symbol -> where it is defined, as read.
ZEPHYR_SYMBOLS = {
    # drivers/eeprom/Kconfig at ec04ca33 (a tree with fujitsu,mb85rsxx, new in v4.1, and the
    # AT25 emulator): menuconfig EEPROM; inside `if EEPROM`, EEPROM_INIT_PRIORITY (int) and
    # EEPROM_AT2X_EMUL ("Emulate an Atmel AT24 I2C chip", depends on EMUL). Its test
    # configuration tests/drivers/eeprom/api/at2x_emul.conf (86fd97f, 2025) still sets it.
    "EEPROM": "drivers/eeprom/Kconfig",
    "EEPROM_AT2X_EMUL": "drivers/eeprom/Kconfig",
    "EEPROM_INIT_PRIORITY": "drivers/eeprom/Kconfig",
    # read for the port's first version (zephyr-app/README.md, "What was verified"):
    "EMUL": "subsys/emul/Kconfig",
    "I2C_EMUL": "drivers/i2c/Kconfig.i2c_emul",
    "I2C": "drivers/i2c/Kconfig",
    "MINIMAL_LIBC": "lib/libc/Kconfig",
    "LOG": "subsys/logging/Kconfig",
    "LOG_MODE_DEFERRED": "subsys/logging/Kconfig.mode",
    "LOG_BUFFER_SIZE": "subsys/logging/Kconfig.processing",
    "THREAD_NAME": "kernel/Kconfig",
    "MAX_XLAT_TABLES": "arch/arm64/core/Kconfig",
    # the Xen transport (CONFIG_VBE_XEN, boards/xenvm.conf): arch/arm64/core/xen/Kconfig
    # (2023, EPAM; read at 2e6afede): XEN is default y with ARMV8_A and an enabled xen,xen
    # node, XEN_DOM0 ("Zephyr as Xen Domain 0") depends on XEN. kernel/Kconfig.vm (read at
    # 0787749a): KERNEL_VM_SIZE, hex, default 0x800000, inside `if KERNEL_VM_SUPPORT`, which
    # MMU selects.
    "XEN": "arch/arm64/core/xen/Kconfig",
    "XEN_DOM0": "arch/arm64/core/xen/Kconfig",
    "KERNEL_VM_SIZE": "kernel/Kconfig.vm",
    # What zephyr/Kconfig selected before this check existed (the platform kinds' subsystems);
    # the file each is defined in, checked against ZEPHYR_BASE when it is set.
    "CLOCK_CONTROL": "drivers/clock_control/Kconfig",
    "PM_DEVICE": "subsys/pm/Kconfig",
    "PM_DEVICE_RUNTIME": "subsys/pm/Kconfig",
    "RESET": "drivers/reset/Kconfig",
    "REGULATOR": "drivers/regulator/Kconfig",
    "SENSOR": "drivers/sensor/Kconfig",
}


def conf_symbols(path: Path) -> list[str]:
    names = []
    for line in path.read_text().splitlines():
        m = re.match(r"^\s*(?:#\s*)?CONFIG_(\w+)(?:=|\s+is not set)", line)
        if m:
            names.append(m.group(1))
    return names


def kconfig_symbols(files: list[Path]) -> set[str]:
    out: set[str] = set()
    for f in files:
        out |= set(
            re.findall(
                r"^\s*(?:menu)?config\s+(\w+)\s*$", f.read_text(errors="replace"), re.MULTILINE
            )
        )
    return out


def test_conf_files_are_found() -> None:
    names = {p.name for p in CONF_FILES}
    assert {"prj.conf", "qemu_cortex_a53.conf"} <= names


@pytest.mark.parametrize("conf", CONF_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_symbol_is_defined(conf: Path) -> None:
    vbe = kconfig_symbols(list(VBE_KCONFIG))
    names = conf_symbols(conf)
    assert names, conf
    unknown = [n for n in names if n not in vbe and n not in ZEPHYR_SYMBOLS]
    assert not unknown, (
        f"{conf.relative_to(ROOT)} sets {unknown}: not in vbe's Kconfig and not recorded as "
        "read in Zephyr's; check the pinned release and add each to ZEPHYR_SYMBOLS with its file"
    )


def kconfig_references(path: Path) -> list[str]:
    """Symbols a Kconfig file's `depends on` and `select` lines name (DT_HAS_*_ENABLED are
    Zephyr's generated devicetree symbols, not looked up)."""
    names = []
    for line in path.read_text().splitlines():
        m = re.match(r"^\s*(depends on|select)\s+(.*)$", line)
        if m:
            names += [n for n in re.findall(r"[A-Z][A-Z0-9_]+", m.group(2))]
    return [n for n in names if not re.fullmatch(r"DT_HAS_\w+_ENABLED", n)]


def test_every_symbol_the_module_kconfig_depends_on_or_selects_is_defined() -> None:
    """A `depends on` a symbol no tree defines is silently false (VBE_XEN would never be
    offered); a `select` of one is a Kconfig warning Zephyr turns into an error."""
    vbe = kconfig_symbols(list(VBE_KCONFIG))
    names = kconfig_references(ROOT / "zephyr" / "Kconfig")
    assert "XEN_DOM0" in names
    unknown = sorted({n for n in names if n not in vbe and n not in ZEPHYR_SYMBOLS})
    assert not unknown, f"zephyr/Kconfig names {unknown}: record where Zephyr defines each"


def test_the_check_refuses_a_symbol_no_tree_has(tmp_path: Path) -> None:
    bad = tmp_path / "bad.conf"
    bad.write_text("CONFIG_EMUL_EEPROM_AT2X=y\n")  # the name before Zephyr 3.1
    vbe = kconfig_symbols(list(VBE_KCONFIG))
    assert [n for n in conf_symbols(bad) if n not in vbe and n not in ZEPHYR_SYMBOLS]


@pytest.mark.zephyr
def test_every_symbol_is_defined_in_zephyr_base() -> None:
    base = os.environ.get("ZEPHYR_BASE")
    if not base or not (Path(base) / "Kconfig.zephyr").is_file():
        pytest.skip(
            "ZEPHYR_BASE is not set (or not a Zephyr tree): set it to a v4.2.0 checkout to "
            "look each symbol up in its Kconfig files"
        )
    files = [p for p in Path(base).rglob("Kconfig*") if p.is_file()]
    defined = kconfig_symbols(files) | kconfig_symbols(list(VBE_KCONFIG))
    for conf in CONF_FILES:
        missing = [n for n in conf_symbols(conf) if n not in defined]
        assert not missing, f"{conf.relative_to(ROOT)}: {missing} not defined under {base}"
    missing = [n for n in kconfig_references(ROOT / "zephyr" / "Kconfig") if n not in defined]
    assert not missing, f"zephyr/Kconfig: {missing} not defined under {base}"
    for name, where in ZEPHYR_SYMBOLS.items():
        path = Path(base) / where
        assert path.is_file() and name in kconfig_symbols([path]), f"{name} not in {where}"
