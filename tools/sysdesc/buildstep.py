"""The steps an image's build runs (CMake calls them; zephyr-app/lib/vbe_core.cmake and
boards/qemu_virt_baremetal/CMakeLists.txt):

    python -m sysdesc.buildstep --check                  # can this Python run them?
    python -m sysdesc.buildstep tables SYSTEM.yaml --out DIR
    python -m sysdesc.buildstep xen SYSTEM.yaml --out DIR
    python -m sysdesc.buildstep manifest SYSTEM.yaml --board BOARD --elf IMAGE.elf \\
        --git-file VERSION.txt --out MANIFEST.cbor

``tables`` writes the C tables of a description (``vbe_sys_cfg.c``, defining
``vbe_sys_description``); ``xen`` writes vbe-xen's table of the same description
(``vbe_xen_cfg.c``, :mod:`sysdesc.gen_xen`); ``manifest`` writes the image's manifest: the document the
description generates (:mod:`sysdesc.gen_manifest_body`) plus what the link decided,
read from the linked image's symbols (:func:`link_of`): the window slots
``vbe_window_<n>``, the platform mailbox ``vbe_mailbox`` and the profile ``vbe_bm_prof``.
Nothing is decoded out of the image's sections. :func:`image_manifest` is the same
document for a finished image, which ``vbe build`` and the tests compare with the one in it.

Errors go to stderr as ``sysdesc: what is wrong``, exit status 1.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any

from sysdesc import gen_c, gen_manifest_body, gen_xen
from sysdesc.build import load_system
from sysdesc.elfsyms import ElfSymbolError, symbols
from sysdesc.generate import write_atomically
from sysdesc.loader import SysdescError
from sysdesc.manifest import Region, decode_manifest
from sysdesc.model import System

WINDOW_SYMBOL = re.compile(r"vbe_window_(\d+)$")
MAILBOX_SYMBOL = "vbe_mailbox"
PROFILE_SYMBOL = "vbe_bm_prof"


class BuildStepError(RuntimeError):
    """A build step cannot do its job; the message says why."""


def link_of(elf: Path) -> gen_manifest_body.Link:
    """What the link of ``elf`` decided, from its symbols."""
    try:
        syms = symbols(elf)
    except ElfSymbolError as exc:
        raise BuildStepError(str(exc)) from exc
    slots = sorted(
        (int(m.group(1)), s) for n, s in syms.items() if (m := WINDOW_SYMBOL.match(n))
    )
    if [i for i, _ in slots] != list(range(len(slots))):
        raise BuildStepError(f"{elf}: window slots {[i for i, _ in slots]} are not 0..n-1")

    def region(name: str) -> Region | None:
        s = syms.get(name)
        return Region(s.addr, s.size) if s is not None else None

    return gen_manifest_body.Link(
        windows=tuple(Region(s.addr, s.size) for _, s in slots),
        mailbox=region(MAILBOX_SYMBOL),
        profile=region(PROFILE_SYMBOL),
    )


def manifest_blob(
    system: System, board: str, elf: Path, git: str, source_date_epoch: int | None = None
) -> bytes:
    """The canonical CBOR manifest of an image of ``system`` linked as ``elf``."""
    try:
        return gen_manifest_body.encode(
            system, git, source_date_epoch, board=board, link=link_of(elf)
        )
    except gen_manifest_body.LinkError as exc:
        raise BuildStepError(f"{elf}: {exc}") from exc


def image_manifest(system: System, board: str, elf: Path, build: dict[str, Any]) -> dict:
    """The manifest document an image of ``system`` must carry, given the build facts
    (``build``: the image's own ``git`` and ``source_date_epoch``, which nothing derives)."""
    blob = manifest_blob(system, board, elf, build.get("git", ""), build.get("source_date_epoch"))
    return decode_manifest(blob)


def _load(path: Path) -> System:
    try:
        return load_system(path).system
    except SysdescError as exc:
        raise BuildStepError(str(exc)) from exc


def _tables(args: argparse.Namespace) -> None:
    system = _load(args.system)
    write_atomically(args.out, {gen_c.FILE_NAME: gen_c.generate(system)})


def _xen(args: argparse.Namespace) -> None:
    system = _load(args.system)
    try:
        table = gen_xen.table(system)
    except gen_xen.XenLayoutError as exc:
        raise BuildStepError(str(exc)) from exc
    write_atomically(args.out, {gen_xen.TABLE_FILE: table})


def _manifest(args: argparse.Namespace) -> None:
    system = _load(args.system)
    git = args.git_file.read_text().strip() if args.git_file else ""
    sde = os.environ.get("SOURCE_DATE_EPOCH")
    blob = manifest_blob(system, args.board, args.elf, git, int(sde) if sde else None)
    args.out.write_bytes(blob)
    for g in decode_manifest(blob)["guests"]:
        names = ",".join(d["name"] for d in g["devices"]) or "none"
        print(
            f"manifest: guest {g['index']} {g['name']!r} window "
            f"{g['window_gpa']:#x}+{g['window_size']:#x} devices {names}"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sysdesc.buildstep", description=__doc__)
    ap.add_argument("--check", action="store_true", help="exit 0 when the steps can run")
    sub = ap.add_subparsers(dest="step")
    t = sub.add_parser("tables", help="the C tables of a description")
    t.add_argument("system", type=Path)
    t.add_argument("--out", type=Path, required=True, help="directory for vbe_sys_cfg.c")
    x = sub.add_parser("xen", help="vbe-xen's table of a description (boards/xen_dom0_linux)")
    x.add_argument("system", type=Path)
    x.add_argument("--out", type=Path, required=True, help="directory for vbe_xen_cfg.c")
    m = sub.add_parser("manifest", help="an image's manifest (CBOR)")
    m.add_argument("system", type=Path)
    m.add_argument("--board", required=True)
    m.add_argument("--elf", type=Path, required=True, help="the linked image")
    m.add_argument("--git-file", type=Path, help="a file holding the image's version")
    m.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    if args.check:
        return 0  # importing this module needed every package the steps use
    if args.step is None:
        ap.error("name a step: tables, xen or manifest")
    step = {"tables": _tables, "xen": _xen, "manifest": _manifest}[args.step]
    try:
        step(args)
    except (BuildStepError, OSError) as exc:
        print(f"sysdesc: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
