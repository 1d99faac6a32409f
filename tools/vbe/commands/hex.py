"""``vbe hex``: a flashable Intel HEX file of an image, with its manifest blob merged in."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intelhex import IntelHex
from sysdesc.manifest import MANIFEST_SECTION

from vbe.commands.base import CommandError, VbeCommand
from vbe.elfimage import ImageError, Segment, load_segments, manifest_blob
from vbe.output import dbg, err, inf, out

ALIGN = 4096
HEX_LIMIT = 1 << 32  # Intel HEX addresses are 32-bit

DESCRIPTION = f"""\
Write an Intel HEX file (via intelhex) holding what a loader would put in memory: each
loadable segment of the ELF (PT_LOAD: p_filesz bytes at p_paddr, the physical load
address) and the image's CBOR manifest (the {MANIFEST_SECTION} section, which the ELF
does not load) at a partition address. The entry point is recorded as the start address.

The manifest goes right after the last loadable segment (its end in memory, .bss
included), aligned to {ALIGN // 1024} KiB, unless --manifest-at names the address; an address that
overlaps a segment is refused. The file parses back (intelhex) to exactly the segments'
bytes plus the blob.
"""

EPILOG = """\
examples:
  vbe hex build/baremetal/vbe-baremetal.elf -o build/baremetal/vbe.hex
  vbe hex build/baremetal/vbe-baremetal.elf -o build/baremetal/at.hex --manifest-at 0x40300000
  vbe hex build/baremetal/vbe-baremetal.elf -o x.hex --manifest-at 0x40200000   refused: overlap
"""


@dataclass(frozen=True)
class HexLayout:
    segments: list[Segment]
    manifest_at: int
    manifest: bytes
    entry: int


def _address(text: str) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an address; write it as 0x40300000 or in decimal"
        ) from None
    if not 0 <= value < HEX_LIMIT:
        raise argparse.ArgumentTypeError(f"{text} is outside the 32-bit range Intel HEX holds")
    return value


def default_manifest_address(segments: list[Segment]) -> int:
    end = max((s.paddr + s.memsz for s in segments), default=0)
    return -(-end // ALIGN) * ALIGN


def layout(elf: Path, manifest_at: int | None) -> HexLayout:
    """What goes where; ValueError with a message saying what to change."""
    segments, entry = load_segments(elf)
    segments = [s for s in segments if s.filesz]
    if not segments:
        raise ValueError(f"{elf}: no loadable segment with contents")
    blob = manifest_blob(elf)
    if blob is None:
        raise ValueError(
            f"{elf}: no {MANIFEST_SECTION} section; use the final image "
            "(vbe-baremetal.elf, not vbe-baremetal-nomanifest.elf)"
        )
    at = default_manifest_address(segments) if manifest_at is None else manifest_at
    for s in segments:
        if at < s.paddr + s.memsz and s.paddr < at + len(blob):
            raise ValueError(
                f"the manifest at {at:#x}..{at + len(blob):#x} overlaps segment {s.index} "
                f"({s.paddr:#x}..{s.paddr + s.memsz:#x}); pick an address outside every "
                f"segment, e.g. {default_manifest_address(segments):#x}"
            )
        if s.paddr + s.filesz > HEX_LIMIT:
            raise ValueError(f"segment {s.index} at {s.paddr:#x} is beyond 32-bit Intel HEX")
    if at + len(blob) > HEX_LIMIT:
        raise ValueError(f"the manifest at {at:#x} would end beyond 32-bit Intel HEX")
    return HexLayout(segments, at, blob, entry)


def to_hex(lay: HexLayout) -> IntelHex:
    ih = IntelHex()
    for s in lay.segments:
        ih.frombytes(s.data, offset=s.paddr)
    ih.frombytes(lay.manifest, offset=lay.manifest_at)
    if lay.entry < HEX_LIMIT:
        ih.start_addr = {"EIP": lay.entry}
    return ih


class HexCommand(VbeCommand):
    def __init__(self) -> None:
        super().__init__("hex", "write an Intel HEX file of an image and its manifest", DESCRIPTION)

    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        p = self._parser(parser_adder, epilog=EPILOG)
        p.add_argument("elf", metavar="ELF", type=Path, help="the image (an ELF file)")
        p.add_argument(
            "-o", "--output", type=Path, required=True, metavar="OUT.hex", help="file to write"
        )
        p.add_argument(
            "--manifest-at",
            type=_address,
            metavar="ADDR",
            help=f"manifest blob address (default: after the image, {ALIGN // 1024} KiB aligned)",
        )
        return p

    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> int:
        if not args.elf.is_file():
            err(f"{args.elf}: no such file; build the image first (vbe build)")
            raise CommandError(1)
        try:
            lay = layout(args.elf, args.manifest_at)
        except (ValueError, ImageError) as exc:
            err(str(exc))
            raise CommandError(1) from None
        for s in lay.segments:
            inf(f"  segment {s.index} ({s.flags}): {s.paddr:#x}+{s.filesz:#x}")
        inf(f"  manifest: {lay.manifest_at:#x}+{len(lay.manifest):#x}")
        ih = to_hex(lay)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.output.with_name(args.output.name + ".tmp")
        try:
            ih.write_hex_file(str(tmp))
            tmp.replace(args.output)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            err(f"{args.output}: {exc}")
            raise CommandError(1) from None
        dbg(f"entry {lay.entry:#x}")
        total = sum(s.filesz for s in lay.segments) + len(lay.manifest)
        inf(f"{args.output}: {total} bytes in {len(lay.segments) + 1} regions", colorize=True)
        out(str(args.output))
        return 0
