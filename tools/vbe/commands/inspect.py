"""``vbe inspect``: what an image ELF serves (its manifest), where the guest windows are,
and how big each part of it is."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from sysdesc.manifest import MANIFEST_SECTION, ManifestError, read_manifest

from vbe.commands.base import CommandError, VbeCommand
from vbe.elfimage import COLUMNS, Footprint, ImageError, Slot, footprint, window_slots
from vbe.output import err, out, wrn

DESCRIPTION = f"""\
Read an image ELF (the bare-metal image, or a Zephyr zephyr.elf) with pyelftools and print:

- its manifest: the CBOR document in the {MANIFEST_SECTION} section, decoded and checked
  (board, system, build, transport, each guest's window, devices and I2C view);
- the windows: from the manifest, and the window slots the image reserves (the
  vbe_window_<n> symbols), with their addresses and sizes;
- the footprint: bytes of code (text), constants (rodata), initialised data and zeroed
  data (bss) per module. Each sized symbol is attributed to the source file that defines
  it through DWARF (the compilation unit whose DIE has that address, then the one whose
  .debug_aranges range holds it), and the file to a module: core/<component> for
  zephyr-app/lib/<component>, port/<board> for boards/<board>, port/zephyr for
  zephyr-app/src. Without DWARF, the symbol prefixes vbe_vq_, vbe_fvq_, vbe_i2c_,
  vbe_sim_, vbe_scmi_, vbe_sys_ are used. "(unattributed)" is what no symbol covers:
  string literals, alignment padding.

An image without a manifest is still inspected (with a warning). --json prints one JSON
document instead (keys: elf, manifest, windows, slots, footprint).
"""

EPILOG = """\
examples:
  vbe inspect build/baremetal/vbe-baremetal.elf          manifest, windows, footprint
  vbe inspect --json build/baremetal/vbe-baremetal.elf   the same as one JSON document
  vbe inspect build/baremetal/vbe-baremetal.map          refused: not an ELF file

"vbe build" makes build/baremetal/vbe-baremetal.elf.
"""


def _size(n: int) -> str:
    return f"{n // 1024} KiB" if n and n % 1024 == 0 else f"{n} B"


def _manifest_lines(doc: dict[str, Any]) -> list[str]:
    build = doc.get("build", {})
    tr = doc.get("transport", {})
    version = tr.get("version", [0, 0])
    lines = [
        f'manifest: board {doc["board"]}, system "{doc["system"]}", version {doc["version"]}',
        f"  build: git {build.get('git', '?')}"
        + (
            f", SOURCE_DATE_EPOCH {build['source_date_epoch']}"
            if "source_date_epoch" in build
            else ""
        ),
        (
            f"  transport: {tr.get('name', '?')} magic {tr.get('magic', 0):#010x} "
            f"version {version[0]}.{version[1]}; RAM base {doc['ram_base']:#x}"
        ),
    ]
    if "mailbox" in doc:
        mb = doc["mailbox"]
        lines.append(f"  mailbox: {mb['gpa']:#x}+{mb['size']} (version {mb['version']})")
    if "doorbell" in doc:
        db = doc["doorbell"]
        lines.append(
            f"  doorbell: UART {db['uart_gpa']:#010x}, INTID {db['intid']} "
            f"(protocol {db['protocol']})"
        )
    return lines


def _window_lines(doc: dict[str, Any] | None, slots: list[Slot]) -> list[str]:
    lines = ["windows:"]
    if doc is not None:
        rows = [("guest", "name", "window", "size", "ring", "devices")]
        for g in doc["guests"]:
            lo, size = g["window_gpa"], g["window_size"]
            devices = ", ".join(d["name"] for d in g["devices"]) or "none"
            rows.append(
                (
                    str(g["index"]),
                    g["name"],
                    f"{lo:#x}..{lo + size:#x}",
                    _size(size),
                    _size(g["ring_size"]),
                    devices,
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines += ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
        for g in doc["guests"]:
            view = g.get("i2c")
            if view is None:
                continue
            routes = []
            for r in view["routes"]:
                text = f"{r['guest_addr']:#x}"
                if r["bus_addr"] != r["guest_addr"]:
                    text += f"->{r['bus_addr']:#x}"
                if r["read_only"]:
                    text += " ro"
                routes.append(text)
            name = view.get("bus_name", f"bus {view['bus']}")
            lines.append(f"  {g['name']}: i2c on {name}: {', '.join(routes) or 'no addresses'}")
    if slots:
        lo = slots[0]
        lines.append(
            f"  slots: {len(slots)} x {_size(lo.size)} from {lo.address:#x} "
            f"({', '.join(f'vbe_window_{s.index}' for s in slots)} in {lo.section})"
        )
    if len(lines) == 1:
        lines.append("  none found (no manifest, no vbe_window_<n> symbols)")
    return lines


def _footprint_lines(fp: Footprint) -> list[str]:
    head = ("module", *COLUMNS, "total")
    rows = [head]
    for name, cols in fp.modules.items():
        rows.append((name, *(str(cols[c]) for c in COLUMNS), str(sum(cols.values()))))
    tot = fp.totals()
    rows.append(("total", *(str(tot[c]) for c in COLUMNS), str(sum(tot.values()))))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]

    def fmt(r: tuple[str, ...]) -> str:
        return (
            "  "
            + r[0].ljust(widths[0])
            + "".join("  " + c.rjust(w) for c, w in zip(r[1:], widths[1:]))
        )

    lines = [f"footprint (bytes; by {fp.method}):", fmt(rows[0])]
    lines += [fmt(r) for r in rows[1:-1]]
    lines += ["  " + "-" * (len(fmt(rows[0])) - 2), fmt(rows[-1])]
    secs = ", ".join(f"{n} {s}" for n, (_k, s) in fp.sections.items())
    lines.append(f"  sections: {secs}")
    return lines


class InspectCommand(VbeCommand):
    def __init__(self) -> None:
        super().__init__("inspect", "show an image's manifest, windows and footprint", DESCRIPTION)

    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        p = self._parser(parser_adder, epilog=EPILOG)
        p.add_argument("elf", metavar="ELF", type=Path, help="the image (an ELF file)")
        p.add_argument("--json", action="store_true", help="print one JSON document")
        return p

    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> int:
        path: Path = args.elf
        if not path.is_file():
            err(f"{path}: no such file; build the image first (vbe build)")
            raise CommandError(1)
        try:
            fp = footprint(path)
            slots = window_slots(path)
        except ImageError as exc:
            err(str(exc))
            raise CommandError(1) from None
        doc: dict[str, Any] | None = None
        try:
            doc = read_manifest(path)
        except ManifestError as exc:
            wrn(f"{exc}; showing the rest")
        if args.json:
            out(
                json.dumps(
                    {
                        "elf": str(path),
                        "manifest": doc,
                        "windows": doc["guests"] if doc else [],
                        "slots": [s.__dict__ for s in slots],
                        "footprint": {
                            "method": fp.method,
                            "modules": fp.modules,
                            "totals": fp.totals(),
                            "sections": {
                                n: {"kind": k, "size": s} for n, (k, s) in fp.sections.items()
                            },
                        },
                    },
                    indent=2,
                )
            )
            return 0
        lines = [f"{path}:"]
        if doc is not None:
            lines += _manifest_lines(doc)
        lines += _window_lines(doc, slots)
        lines += _footprint_lines(fp)
        out("\n".join(lines))
        return 0
