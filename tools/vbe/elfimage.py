"""What an image ELF holds, read with pyelftools: loadable segments, the manifest blob, the
window slots, and a per-module footprint. Library code: no printing.

Footprint method: every sized FUNC/OBJECT symbol in an allocated section is attributed to
the compilation unit that defines it, found through DWARF: first the exact address of a
``DW_TAG_subprogram`` (low_pc) or ``DW_TAG_variable`` (``DW_OP_addr`` location) DIE, which
covers static functions and variables too; then the CU whose ``.debug_aranges`` range
holds the address. Bytes of a section that no sized symbol covers (assembly, padding) are
attributed through ``.debug_aranges`` as well. The CU's source path gives the module
(``zephyr-app/lib/<component>/`` -> ``core/<component>``, ``boards/<board>/`` ->
``port/<board>``, ``zephyr-app/src/`` -> ``port/zephyr``, the generated ``vbe_sys_cfg.c`` ->
``system``). Without DWARF (a stripped image)
the symbol-name prefixes ``vbe_vq_``, ``vbe_fvq_``, ``vbe_i2c_``, ``vbe_sim_``,
``vbe_scmi_``, ``vbe_sys_`` are the fallback; what is left is ``(unattributed)``: string
literals, alignment, symbols of unknown origin. A loaded section with no sized symbol at
all (the bare-metal ``.stack``) is a row of its own, ``(.stack)``.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from elftools.common.exceptions import ELFError
from elftools.dwarf.dwarfinfo import DWARFInfo
from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection
from sysdesc.manifest import MANIFEST_SECTION

COLUMNS = ("text", "rodata", "data", "bss")
UNATTRIBUTED = "(unattributed)"
PREFIXES = {
    "vbe_vq_": "core/vq",
    "vbe_fvq_": "core/fvq",
    "vbe_i2c_": "core/i2c",
    "vbe_sim_": "core/sim",
    "vbe_scmi_": "core/scmi",
    "vbe_sys_": "core/sys",
}
DW_OP_ADDR = 0x03
_WINDOW_SYMBOL = re.compile(r"^vbe_window_(\d+)$")


class ImageError(Exception):
    """The file is not an ELF image this tool can read; the message says why."""


@dataclass(frozen=True)
class Segment:
    index: int
    paddr: int
    vaddr: int
    filesz: int
    memsz: int
    flags: str  # "RWX" letters
    data: bytes


@dataclass(frozen=True)
class Slot:
    index: int
    address: int
    size: int
    section: str


@dataclass
class Footprint:
    method: str
    modules: dict[str, dict[str, int]] = field(default_factory=dict)
    sections: dict[str, tuple[str, int]] = field(default_factory=dict)  # name -> (kind, size)

    def totals(self) -> dict[str, int]:
        return {c: sum(m[c] for m in self.modules.values()) for c in COLUMNS}


def _open(f: BinaryIO, path: str | os.PathLike[str]) -> ELFFile:
    try:
        return ELFFile(f)
    except ELFError as exc:
        raise ImageError(f"{path}: not an ELF file ({exc})") from exc


def _flags(p_flags: int) -> str:
    return "".join(c for c, bit in (("R", 4), ("W", 2), ("X", 1)) if p_flags & bit)


def _segments(elf: ELFFile) -> list[Segment]:
    out = []
    for i, seg in enumerate(elf.iter_segments()):
        if seg["p_type"] != "PT_LOAD":
            continue
        out.append(
            Segment(
                index=i,
                paddr=seg["p_paddr"],
                vaddr=seg["p_vaddr"],
                filesz=seg["p_filesz"],
                memsz=seg["p_memsz"],
                flags=_flags(seg["p_flags"]),
                data=seg.data()[: seg["p_filesz"]],
            )
        )
    return out


def load_segments(path: str | os.PathLike[str]) -> tuple[list[Segment], int]:
    """The PT_LOAD segments (file contents only) and the entry point."""
    with open(path, "rb") as f:
        elf = _open(f, path)
        return _segments(elf), elf.header["e_entry"]


def manifest_blob(path: str | os.PathLike[str]) -> bytes | None:
    """The raw ``.vbe_manifest`` section, or None when the image has none."""
    with open(path, "rb") as f:
        sec = _open(f, path).get_section_by_name(MANIFEST_SECTION)
        return None if sec is None else sec.data()


def _in_segment(elf: ELFFile, addr: int, size: int) -> bool:
    for seg in elf.iter_segments():
        if seg["p_type"] == "PT_LOAD":
            lo, hi = seg["p_vaddr"], seg["p_vaddr"] + seg["p_memsz"]
            if lo <= addr and addr + size <= hi:
                return True
    return False


def _kind(sec: Any) -> str:
    flags = sec["sh_flags"]
    if sec["sh_type"] == "SHT_NOBITS":
        return "bss"
    if flags & SH_FLAGS.SHF_EXECINSTR:
        return "text"
    return "data" if flags & SH_FLAGS.SHF_WRITE else "rodata"


def window_slots(path: str | os.PathLike[str]) -> list[Slot]:
    """The ``vbe_window_<n>`` symbols: each guest window slot the image reserves."""
    with open(path, "rb") as f:
        elf = _open(f, path)
        symtab = elf.get_section_by_name(".symtab")
        if not isinstance(symtab, SymbolTableSection):
            return []
        out = []
        for s in symtab.iter_symbols():
            m = _WINDOW_SYMBOL.match(s.name)
            if m and isinstance(s["st_shndx"], int):
                sec = elf.get_section(s["st_shndx"])
                out.append(Slot(int(m.group(1)), s["st_value"], s["st_size"], sec.name))
        return sorted(out, key=lambda x: x.index)


#: the generated C tables of the system an image serves (sysdesc.gen_c.FILE_NAME)
SYSTEM_TABLES = "vbe_sys_cfg.c"


def module_of(path: str) -> str:
    """Module name of a source file path (see the module docstring)."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if parts and parts[-1] == SYSTEM_TABLES:
        return "system"  # the tables the build generated from the description
    for i, p in enumerate(parts[:-1]):
        nxt = parts[i + 1] if i + 1 < len(parts) else ""
        if p == "zephyr-app" and nxt == "lib" and i + 2 < len(parts) - 1:
            return f"core/{parts[i + 2]}"
        if p == "zephyr-app" and nxt == "src":
            return "port/zephyr"
        if p == "boards" and i + 1 < len(parts) - 1:
            return f"port/{nxt}"
    parent = parts[-2] if len(parts) > 1 else ""
    return f"other/{parent}" if parent else "other"


class _Dwarf:
    """Address -> source file of the defining compilation unit."""

    def __init__(self, dwarf: DWARFInfo) -> None:
        self.exact: dict[int, str] = {}
        self.cu_names: dict[int, str] = {}
        for cu in dwarf.iter_CUs():
            top = cu.get_top_DIE()
            name = self._name(top)
            self.cu_names[cu.cu_offset] = name
            for die in cu.iter_DIEs():
                addr = self._die_addr(die)
                if addr is not None:
                    self.exact.setdefault(addr, name)
        self.aranges: list[tuple[int, int, str]] = []
        ar = dwarf.get_aranges()
        if ar is not None:
            for e in ar.entries:
                if e.length and e.info_offset in self.cu_names:
                    self.aranges.append((e.begin_addr, e.length, self.cu_names[e.info_offset]))
        self.aranges.sort()

    @staticmethod
    def _name(top: Any) -> str:
        def attr(key: str) -> str:
            a = top.attributes.get(key)
            v = a.value if a is not None else b""
            return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)

        name, comp_dir = attr("DW_AT_name"), attr("DW_AT_comp_dir")
        return name if name.startswith("/") or not comp_dir else f"{comp_dir}/{name}"

    @staticmethod
    def _die_addr(die: Any) -> int | None:
        if die.tag == "DW_TAG_subprogram":
            low = die.attributes.get("DW_AT_low_pc")
            return int(low.value) if low is not None else None
        if die.tag == "DW_TAG_variable":
            loc = die.attributes.get("DW_AT_location")
            if loc is None or not isinstance(loc.value, list) or len(loc.value) != 9:
                return None
            if loc.value[0] != DW_OP_ADDR:
                return None
            return int.from_bytes(bytes(loc.value[1:9]), "little")
        return None

    def source(self, addr: int) -> str | None:
        hit = self.exact.get(addr)
        if hit is not None:
            return hit
        for begin, length, name in self.aranges:
            if begin <= addr < begin + length:
                return name
        return None


def _subtract(lo: int, hi: int, covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """[lo, hi) minus the sorted, possibly overlapping intervals in ``covered``."""
    out, cur = [], lo
    for a, b in covered:
        if b <= cur or a >= hi:
            continue
        if a > cur:
            out.append((cur, min(a, hi)))
        cur = max(cur, b)
        if cur >= hi:
            break
    if cur < hi:
        out.append((cur, hi))
    return out


def footprint(path: str | os.PathLike[str]) -> Footprint:
    """Bytes per module and per kind (text, rodata, data, bss) of the loaded image."""
    with open(path, "rb") as f:
        elf = _open(f, path)
        dw = _Dwarf(elf.get_dwarf_info()) if elf.has_dwarf_info() else None
        method = (
            "DWARF compilation units (DIE addresses, then .debug_aranges)"
            if dw is not None
            else "symbol-name prefixes (no DWARF in the image)"
        )
        fp = Footprint(method=method)
        modules: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
        secs = {}
        for i, sec in enumerate(elf.iter_sections()):
            if not sec["sh_flags"] & SH_FLAGS.SHF_ALLOC or not sec["sh_size"]:
                continue
            if not _in_segment(elf, sec["sh_addr"], sec["sh_size"]):
                continue  # e.g. .vbe_windows: reserved, never loaded
            secs[i] = sec
            fp.sections[sec.name] = (_kind(sec), sec["sh_size"])
        covered: dict[int, list[tuple[int, int]]] = defaultdict(list)
        symtab = elf.get_section_by_name(".symtab")
        if isinstance(symtab, SymbolTableSection):
            seen: set[tuple[int, int]] = set()
            for s in symtab.iter_symbols():
                shndx, size, addr = s["st_shndx"], s["st_size"], s["st_value"]
                if not isinstance(shndx, int) or shndx not in secs or not size:
                    continue
                if s["st_info"]["type"] not in ("STT_FUNC", "STT_OBJECT"):
                    continue
                if (addr, size) in seen:  # aliases
                    continue
                seen.add((addr, size))
                src = dw.source(addr) if dw is not None else None
                module = module_of(src) if src else _by_prefix(s.name)
                modules[module][_kind(secs[shndx])] += size
                covered[shndx].append((addr, addr + size))
        for shndx, sec in secs.items():
            lo, hi = sec["sh_addr"], sec["sh_addr"] + sec["sh_size"]
            # a section without a single sized symbol (a stack) is its own row
            rest = UNATTRIBUTED if covered[shndx] else f"({sec.name})"
            for a, b in _subtract(lo, hi, sorted(covered[shndx])):
                for module, n in _attribute_gap(dw, a, b, rest):
                    modules[module][_kind(sec)] += n
        fp.modules = dict(sorted(modules.items(), key=lambda kv: (kv[0].startswith("("), kv[0])))
        return fp


def _by_prefix(name: str) -> str:
    return next((m for p, m in PREFIXES.items() if name.startswith(p)), UNATTRIBUTED)


def _attribute_gap(dw: _Dwarf | None, lo: int, hi: int, rest_name: str) -> list[tuple[str, int]]:
    """Split [lo, hi) into the CUs whose aranges cover it, the rest to ``rest_name``."""
    if dw is None:
        return [(rest_name, hi - lo)]
    out, rest = [], hi - lo
    for begin, length, name in dw.aranges:
        a, b = max(lo, begin), min(hi, begin + length)
        if a < b:
            out.append((module_of(name), b - a))
            rest -= b - a
    if rest > 0:
        out.append((rest_name, rest))
    return out
