"""Read constants the cffi cdef does not carry straight from the C headers.

``corelib`` feeds cffi only the headers written in its subset (virtio.h, fvq_layout.h,
host.h). A few values pyhost needs live in other headers: the fault classes of
``enum vbe_vq_fault`` (vq.h), the I2C error classes (i2c.h), bus message flags (plat.h),
simulated target sizes (sim.h). Parsing them here keeps the C header the one definition.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from pyhost.corelib import CORE

VQ_H = CORE / "vq" / "include" / "vbe" / "vq.h"
I2C_H = CORE / "i2c" / "include" / "vbe" / "i2c.h"
PLAT_H = CORE / "plat" / "include" / "vbe" / "plat.h"
SIM_H = CORE / "sim" / "include" / "vbe" / "sim.h"
LAYOUT_H = CORE / "fvq" / "include" / "vbe" / "fvq_layout.h"
DEV_H = CORE / "dev" / "include" / "vbe" / "dev.h"
SCMI_H = CORE / "scmi" / "include" / "vbe" / "scmi.h"
SCMI_WIRE_H = CORE / "scmi" / "include" / "vbe" / "scmi_wire.h"

_DEFINE = re.compile(r"^\s*#define\s+(\w+)\s+(0x[0-9a-fA-F]+|\d+)U?\b\s*(?:/\*\s*(.*?)\s*\*/)?")
_ENUM_ITEM = re.compile(r"^\s*(\w+)\s*=\s*(-?0x[0-9a-fA-F]+|-?\d+)\s*,?\s*(?:/\*\s*(.*?)\s*\*/)?")


@dataclass(frozen=True)
class Constant:
    name: str
    value: int
    doc: str


@functools.cache
def defines(path: Path, prefix: str = "") -> dict[str, Constant]:
    """Plain integer ``#define``s of a header whose name starts with ``prefix``."""
    out: dict[str, Constant] = {}
    for line in path.read_text().splitlines():
        m = _DEFINE.match(line)
        if m and m.group(1).startswith(prefix):
            out[m.group(1)] = Constant(m.group(1), int(m.group(2), 0), m.group(3) or "")
    return out


@functools.cache
def enum(path: Path, name: str) -> dict[str, Constant]:
    """Members with explicit values of ``enum <name>`` in a header (``_COUNT`` excluded)."""
    text = path.read_text()
    m = re.search(r"enum\s+" + re.escape(name) + r"\s*\{(.*?)\};", text, re.DOTALL)
    if m is None:
        raise LookupError(f"{path}: no 'enum {name}'")
    out: dict[str, Constant] = {}
    for line in m.group(1).splitlines():
        item = _ENUM_ITEM.match(line)
        if item:
            out[item.group(1)] = Constant(item.group(1), int(item.group(2), 0), item.group(3) or "")
    return out


def vq_faults() -> dict[str, Constant]:
    """``enum vbe_vq_fault`` without the ``VBE_VQ_FAULT_`` prefix: {"LOOP": Constant...}."""
    return {k.removeprefix("VBE_VQ_FAULT_"): v for k, v in enum(VQ_H, "vbe_vq_fault").items()}


def dev_faults() -> dict[str, Constant]:
    """Queue set-up faults of every transport (``enum vbe_dev_fault``, >= 100), no prefix."""
    return {k.removeprefix("VBE_DEV_FAULT_"): v for k, v in enum(DEV_H, "vbe_dev_fault").items()}


def fault_name(code: int) -> str:
    """Human name of a dev.queue[i].fault value, e.g. ``'LOOP (descriptor loop ...)'``."""
    if code == 0:
        return "none"
    for table in (vq_faults(), dev_faults()):
        for short, c in table.items():
            if c.value == code:
                return f"{short} ({c.doc})" if c.doc else short
    return f"unknown fault {code}"
