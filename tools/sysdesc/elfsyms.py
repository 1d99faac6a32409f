"""What a link decided, read from a linked ELF image's symbol table (pyelftools).

Only symbols are read (name, address, size): nothing is decoded out of an image's
sections, so no C struct layout is restated here. A build adds these facts to what its
description generates (see :mod:`sysdesc.buildstep`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection


class ElfSymbolError(RuntimeError):
    """The file is not an ELF image with a symbol table; the message names it."""


@dataclass(frozen=True)
class Symbol:
    name: str
    addr: int
    size: int


def symbols(path: str | os.PathLike[str]) -> dict[str, Symbol]:
    """Every named symbol of the image, by name."""
    try:
        with open(path, "rb") as f:
            elf = ELFFile(f)
            symtab = elf.get_section_by_name(".symtab")
            if not isinstance(symtab, SymbolTableSection):
                raise ElfSymbolError(f"{path}: no symbol table (a stripped image?)")
            return {
                s.name: Symbol(s.name, int(s["st_value"]), int(s["st_size"]))
                for s in symtab.iter_symbols()
                if s.name
            }
    except ELFError as exc:
        raise ElfSymbolError(f"{path}: not an ELF file ({exc})") from exc
