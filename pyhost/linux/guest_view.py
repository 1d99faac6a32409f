"""What a Linux guest's own drivers show of vbe's devices, read through its console: the
virtio-i2c bus and i2cdetect's findings, the SCMI clocks in debugfs, an SCMI sensor through
hwmon, and the arm_scmi probe line to expect from a server. Used by the Linux tests and by
``vbe run``'s Linux part, so both read the guest the same way.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from pyhost.linux.cache import LinuxError
from pyhost.scmi.wire import W

#: clocks QEMU's own devicetree gives the guest (the PL011's), not SCMI's
QEMU_CLOCKS = frozenset({"clk24mhz"})
CLK_DEBUGFS_FILES = frozenset({"clk_dump", "clk_summary", "clk_orphan_dump", "clk_orphan_summary"})


class Guest(Protocol):
    def check(self, cmd: str, timeout: float = ...) -> str: ...


def virtio_i2c_bus(g: Guest) -> int:
    """The bus number of the guest's (one) virtio-i2c adapter."""
    out = g.check("grep -l i2c_virtio /sys/bus/i2c/devices/i2c-*/name")
    buses = re.findall(r"/i2c-(\d+)/name", out)
    if len(buses) != 1:
        raise LinuxError(f"guest: expected one virtio-i2c adapter, found: {out.strip()!r}")
    return int(buses[0])


def i2cdetect(g: Guest, bus: int) -> list[int]:
    """The addresses ``i2cdetect -y`` finds, ascending: rows "NN:" then 16 cells of 3
    characters, blank where it does not probe, "--" where nothing answered."""
    found = []
    for line in g.check(f"i2cdetect -y {bus}", timeout=60).splitlines()[1:]:
        row, _, cells = line.partition(":")
        for col in range(16):
            cell = cells[1 + col * 3 : 3 + col * 3].strip()
            if cell and cell != "--":
                if int(cell, 16) != int(row, 16) + col:
                    raise LinuxError(f"i2cdetect: cell {cell} in row {row}: {line!r}")
                found.append(int(cell, 16))
    return found


def scmi_clocks(g: Guest) -> set[str]:
    """The clocks in /sys/kernel/debug/clk that are not QEMU's own."""
    return set(g.check("ls /sys/kernel/debug/clk").split()) - CLK_DEBUGFS_FILES - QEMU_CLOCKS


def scmi_sensor_input(g: Guest, label: str) -> str:
    """The hwmon ``*_input`` file of scmi-hwmon's sensor ``label``."""
    hwmon = g.check("grep -l scmi_sensors /sys/class/hwmon/*/name").strip().rsplit("/", 1)[0]
    found = g.check(f"grep -l '^{label}$' {hwmon}/*_label").split()
    if len(found) != 1:
        raise LinuxError(f"guest: scmi-hwmon has {len(found)} sensors labelled {label!r}")
    return found[0].replace("_label", "_input")


def scmi_sensor(g: Guest, label: str) -> int:
    """scmi-hwmon's reading of sensor ``label`` (m degC, mV, mA ...)."""
    return int(g.check(f"cat {scmi_sensor_input(g, label)}"))


def expected_scmi_probe(info: Any) -> str:
    """The line arm_scmi logs when it probes a server with ``info`` (a ScmiInfo) speaking
    the base protocol version the core implements (scmi_wire.h)."""
    version = W("VERSION_BASE")
    return (
        f"SCMI Protocol v{version >> 16}.{version & 0xFFFF} "
        f"'{info.vendor}:{info.sub_vendor}' Firmware version {info.impl_version:#x}"
    )
