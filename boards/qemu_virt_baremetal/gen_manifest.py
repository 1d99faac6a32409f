#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Build step: read the linked image and write its manifest (CBOR) for objcopy to add.

    gen_manifest.py --elf vbe-baremetal-nomanifest.elf --out vbe-manifest.cbor

Everything comes from the linked ELF, so the manifest cannot disagree with the image:
- vbe_bm_manifest_abi (src/manifest_abi.c): offsets of the core's config structs as the
  compiler laid them out, the window slot size, RAM base, window magic and version;
- vbe_bm_sys_cfg -> struct vbe_sys_cfg: system name, guests (name, window and ring size,
  devices);
- vbe_window_<n> (src/windows.S): each guest's window address;
- vbe_bm_version: the git describe string the banner prints;
- vbe_bm_scmi_abi (src/scmi_abi.c, read by scmi_manifest.py): the "scmi" section and each
  guest's virtio-scmi device.
SOURCE_DATE_EPOCH, when set, is recorded; the wall-clock time never is.

The encoder is tools/sysdesc/manifest.py, imported by path (the build does not need the vbe
package installed, only cbor2 and pyelftools).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import struct
import sys
from pathlib import Path
from types import ModuleType

import harness_manifest  # vbe harness: mailbox, doorbell, I2C views (this folder)
import scmi_manifest  # the scmi section and virtio-scmi devices (this folder)
from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

REPO = Path(__file__).resolve().parents[2]
ABI_MAGIC = 0x414D4256  # "VBMA", src/manifest_abi.c
ABI_VERSION = 1
ABI_FORMAT = "<16I"
VIRTIO_ID_I2C = 34


def load_manifest_module() -> ModuleType:
    path = REPO / "tools" / "sysdesc" / "manifest.py"
    spec = importlib.util.spec_from_file_location("vbe_manifest", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"gen_manifest: cannot load {path}")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up while decorating
    spec.loader.exec_module(mod)
    return mod


class Image:
    """Symbols and initialised memory of a linked, non-relocatable ELF."""

    def __init__(self, elf: ELFFile) -> None:
        self.elf = elf
        symtab = elf.get_section_by_name(".symtab")
        if not isinstance(symtab, SymbolTableSection):
            raise SystemExit("gen_manifest: the image has no symbol table")
        self.symbols = {s.name: s for s in symtab.iter_symbols() if s.name}

    def symbol(self, name: str) -> tuple[int, int]:
        sym = self.symbols.get(name)
        if sym is None:
            raise SystemExit(f"gen_manifest: symbol {name} not in the image")
        return sym["st_value"], sym["st_size"]

    def read(self, addr: int, size: int) -> bytes:
        for sec in self.elf.iter_sections():
            if not sec["sh_flags"] & SH_FLAGS.SHF_ALLOC or sec["sh_type"] != "SHT_PROGBITS":
                continue
            start = sec["sh_addr"]
            if start <= addr and addr + size <= start + sec["sh_size"]:
                return sec.data()[addr - start : addr - start + size]
        raise SystemExit(f"gen_manifest: 0x{addr:x}+{size} is not initialised data")

    def u32(self, addr: int) -> int:
        return struct.unpack("<I", self.read(addr, 4))[0]

    def ptr(self, addr: int) -> int:
        return struct.unpack("<Q", self.read(addr, 8))[0]

    def cstr(self, addr: int, limit: int = 256) -> str:
        out = bytearray()
        while len(out) < limit:
            b = self.read(addr + len(out), 1)
            if b == b"\0":
                return out.decode("utf-8")
            out += b
        raise SystemExit(f"gen_manifest: string at 0x{addr:x} longer than {limit}")


def guests_of(img: Image, mf: ModuleType) -> tuple[str, list, dict[str, int]]:
    addr, _ = img.symbol("vbe_bm_manifest_abi")
    fields = [
        "magic", "version", "ptr_size", "cfg_name", "cfg_guests", "cfg_guest_count",
        "guest_size", "guest_name", "guest_window_size", "guest_ring_size", "guest_i2c",
        "window_slot", "window_count", "ram_base", "fvq_magic", "fvq_version",
    ]  # fmt: skip
    abi = dict(zip(fields, struct.unpack(ABI_FORMAT, img.read(addr, struct.calcsize(ABI_FORMAT)))))
    if abi["magic"] != ABI_MAGIC or abi["version"] != ABI_VERSION or abi["ptr_size"] != 8:
        raise SystemExit(f"gen_manifest: vbe_bm_manifest_abi is not version {ABI_VERSION}")

    cfg = img.ptr(img.symbol("vbe_bm_sys_cfg")[0])
    system = img.cstr(img.ptr(cfg + abi["cfg_name"]))
    count = img.read(cfg + abi["cfg_guest_count"], 1)[0]
    if count > abi["window_count"]:
        raise SystemExit(f"gen_manifest: {count} guests, {abi['window_count']} window slots")
    array = img.ptr(cfg + abi["cfg_guests"])
    guests = []
    for i in range(count):
        g = array + i * abi["guest_size"]
        size = img.u32(g + abi["guest_window_size"])
        gpa, slot = img.symbol(f"vbe_window_{i}")
        if size > slot or slot != abi["window_slot"] or gpa % 4096:
            raise SystemExit(f"gen_manifest: guest {i} window 0x{size:x} vs slot 0x{slot:x}")
        devices = []
        if img.ptr(g + abi["guest_i2c"]) != 0:
            devices.append(mf.Device(id=VIRTIO_ID_I2C, name=mf.VIRTIO_DEVICE_NAMES[VIRTIO_ID_I2C]))
        guests.append(
            mf.Guest(
                index=i,
                name=img.cstr(img.ptr(g + abi["guest_name"])),
                window_gpa=gpa,
                window_size=size,
                ring_size=img.u32(g + abi["guest_ring_size"]),
                devices=tuple(devices),
            )
        )
    return system, guests, abi


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--elf", required=True, type=Path, help="the linked image (no manifest)")
    ap.add_argument("--out", required=True, type=Path, help="where to write the CBOR blob")
    ap.add_argument("--board", default="qemu_virt_baremetal", help="board name to record")
    args = ap.parse_args()

    mf = load_manifest_module()
    with open(args.elf, "rb") as f:
        img = Image(ELFFile(f))
        system, guests, abi = guests_of(img, mf)
        git = img.cstr(img.symbol("vbe_bm_version")[0])
        guests, harness = harness_manifest.entries(img, mf, abi, guests)  # vbe harness
        guests, scmi = scmi_manifest.entries(img, mf, abi, guests)
    sde = os.environ.get("SOURCE_DATE_EPOCH")
    blob = mf.build_manifest(
        board=args.board,
        system=system,
        guests=guests,
        ram_base=abi["ram_base"],
        git=git,
        fvq_magic=abi["fvq_magic"],
        fvq_version=(abi["fvq_version"] >> 16, abi["fvq_version"] & 0xFFFF),
        source_date_epoch=int(sde) if sde else None,
        scmi=scmi,
        **harness,  # type: ignore[arg-type]
    )
    mf.decode_manifest(blob)  # what the harness will do: fail the build, not the harness
    args.out.write_bytes(blob)
    for g in guests:
        print(
            f"manifest: guest {g.index} {g.name!r} window 0x{g.window_gpa:x}+0x{g.window_size:x}"
            f" devices {[d.name for d in g.devices]}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
