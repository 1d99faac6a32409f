# SPDX-License-Identifier: Apache-2.0
"""vbe harness part of the manifest step (called by gen_manifest.py): what pyhost's QEMU
machine needs besides the windows.

- "mailbox": the platform mailbox (src/mailbox.c, layout src/mailbox_layout.h);
- "doorbell": the doorbell UART (src/doorbell.c);
- guests[i]["i2c"]: each guest's I2C view (bus number and name, routes), read out of the
  system description through vbe_bm_harness_abi (src/harness_abi.c).

Each entry is added only when the image has the symbols, so older images still build.
"""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Sequence
from types import ModuleType
from typing import Any

DOORBELL_ABI_MAGIC = 0x42444256  # "VBDB", src/doorbell.c
HARNESS_ABI_MAGIC = 0x41484256  # "VBHA", src/harness_abi.c
HARNESS_ABI_VERSION = 1
HARNESS_ABI_FIELDS = [
    "magic",
    "version",
    "cfg_buses",
    "cfg_bus_count",
    "bus_size",
    "bus_name",
    "bus_id",
    "view_bus",
    "view_routes",
    "view_route_count",
    "route_size",
    "route_guest_addr",
    "route_bus_addr",
    "route_flags",
    "route_select_max",
    "flag_read_only",
    "flag_ten_bit",
]


def _u8(img: Any, addr: int) -> int:
    return img.read(addr, 1)[0]


def _u16(img: Any, addr: int) -> int:
    return struct.unpack("<H", img.read(addr, 2))[0]


def _buses(img: Any, h: dict[str, int], cfg: int) -> dict[int, str]:
    array = img.ptr(cfg + h["cfg_buses"])
    out = {}
    for i in range(_u8(img, cfg + h["cfg_bus_count"])):
        b = array + i * h["bus_size"]
        out[_u8(img, b + h["bus_id"])] = img.cstr(img.ptr(b + h["bus_name"]))
    return out


def _i2c_views(img: Any, mf: ModuleType, abi: dict[str, int], count: int) -> list[Any]:
    """One I2cView (or None) per guest, from vbe_bm_sys_cfg."""
    addr, _ = img.symbol("vbe_bm_harness_abi")
    fmt = f"<{len(HARNESS_ABI_FIELDS)}I"
    h = dict(zip(HARNESS_ABI_FIELDS, struct.unpack(fmt, img.read(addr, struct.calcsize(fmt)))))
    if h["magic"] != HARNESS_ABI_MAGIC or h["version"] != HARNESS_ABI_VERSION:
        raise SystemExit(f"gen_manifest: vbe_bm_harness_abi is not version {HARNESS_ABI_VERSION}")
    cfg = img.ptr(img.symbol("vbe_bm_sys_cfg")[0])
    buses = _buses(img, h, cfg)
    array = img.ptr(cfg + abi["cfg_guests"])
    views = []
    for i in range(count):
        view = img.ptr(array + i * abi["guest_size"] + abi["guest_i2c"])
        if view == 0:
            views.append(None)
            continue
        bus = _u8(img, view + h["view_bus"])
        routes = []
        table = img.ptr(view + h["view_routes"])
        for j in range(_u16(img, view + h["view_route_count"])):
            r = table + j * h["route_size"]
            flags = _u8(img, r + h["route_flags"])
            routes.append(
                mf.I2cRoute(
                    guest_addr=_u16(img, r + h["route_guest_addr"]),
                    bus_addr=_u16(img, r + h["route_bus_addr"]),
                    read_only=bool(flags & h["flag_read_only"]),
                    ten_bit=bool(flags & h["flag_ten_bit"]),
                    select_max=_u8(img, r + h["route_select_max"]),
                )
            )
        views.append(mf.I2cView(bus=bus, bus_name=buses.get(bus), routes=tuple(routes)))
    return views


def entries(
    img: Any, mf: ModuleType, abi: dict[str, int], guests: Sequence[Any]
) -> tuple[list[Any], dict[str, Any]]:
    """The guests with their I2C views, and the extra build_manifest() keywords."""
    out: dict[str, Any] = {}
    if "vbe_bm_mailbox" in img.symbols and "vbe_bm_mailbox_version" in img.symbols:
        gpa, size = img.symbol("vbe_bm_mailbox")
        version = img.u32(img.symbol("vbe_bm_mailbox_version")[0])
        out["mailbox"] = mf.Mailbox(gpa=gpa, size=size, version=version)
    if "vbe_bm_doorbell_abi" in img.symbols:
        addr, _ = img.symbol("vbe_bm_doorbell_abi")
        magic, protocol, uart, intid = struct.unpack("<4I", img.read(addr, 16))
        if magic != DOORBELL_ABI_MAGIC:
            raise SystemExit("gen_manifest: vbe_bm_doorbell_abi has a bad magic")
        out["doorbell"] = mf.Doorbell(uart_gpa=uart, intid=intid, protocol=protocol)
    if "vbe_bm_harness_abi" not in img.symbols:
        return list(guests), out
    views = _i2c_views(img, mf, abi, len(guests))
    return [dataclasses.replace(g, i2c=v) for g, v in zip(guests, views)], out
