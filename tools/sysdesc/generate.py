"""The artefacts ``vbe gen`` writes, and writing them all-or-nothing.

Each artefact is a function of the validated model returning text; :func:`render` builds
every requested one in memory first, so a failure writes nothing, and
:func:`write_atomically` stages them in a temporary directory next to the output and then
renames each into place (files whose content did not change are left alone, so their
timestamps do not trigger rebuilds).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sysdesc import (
    gen_c,
    gen_diagram,
    gen_dts,
    gen_kconfig,
    gen_linux_dt,
    gen_manifest_body,
    gen_xen,
)
from sysdesc.model import System


@dataclass(frozen=True)
class Artefact:
    name: str
    file: str
    help: str
    make: Callable[[System], str | dict[str, str]]  # dict: file name -> text


ARTEFACTS: dict[str, Artefact] = {
    a.name: a
    for a in (
        Artefact(
            "c",
            gen_c.FILE_NAME,
            "C tables for the core (struct vbe_sys_cfg)",
            gen_c.generate,
        ),
        Artefact(
            "dts",
            gen_dts.FILE_NAME,
            "Zephyr devicetree overlay for zephyr-app",
            gen_dts.generate,
        ),
        Artefact(
            "kconfig",
            gen_kconfig.FILE_NAME,
            "Kconfig fragment for zephyr-app",
            gen_kconfig.generate,
        ),
        Artefact(
            "linux",
            gen_linux_dt.FILE_PATTERN.format(guest="GUEST"),
            "Linux devicetree fragment per guest",
            gen_linux_dt.generate,
        ),
        Artefact(
            "manifest",
            gen_manifest_body.FILE_NAME,
            "image manifest contents (JSON of the CBOR)",
            gen_manifest_body.generate,
        ),
        Artefact(
            "xen",
            gen_xen.GUEST_PATTERN.format(guest="GUEST"),
            "Xen: host /chosen, DomU partial trees, vbe-xen's table",
            gen_xen.generate,
        ),
        Artefact(
            "diagram",
            gen_diagram.FILE_NAME,
            "SVG picture: guests, grants, resources",
            gen_diagram.generate,
        ),
    )
}


def render(system: System, only: Sequence[str] | None = None) -> dict[str, str]:
    """File name -> text for the artefacts named in ``only`` (all when None)."""
    names = list(only) if only else list(ARTEFACTS)
    unknown = [n for n in names if n not in ARTEFACTS]
    if unknown:
        raise KeyError(f"unknown artefact {', '.join(unknown)}; known: {', '.join(ARTEFACTS)}")
    out: dict[str, str] = {}
    for n in names:
        made = ARTEFACTS[n].make(system)
        out.update(made if isinstance(made, dict) else {ARTEFACTS[n].file: made})
    return out


@dataclass(frozen=True)
class Written:
    path: Path
    changed: bool


def write_atomically(outdir: Path, files: dict[str, str]) -> list[Written]:
    """Write ``files`` into ``outdir``: all staged first, then each renamed into place."""
    created = not outdir.exists()
    outdir.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".vbe-gen-", dir=outdir))
    try:
        staged = {}
        for name, text in sorted(files.items()):
            tmp = stage / name
            tmp.write_bytes(text.encode("utf-8"))
            staged[name] = tmp
        out = []
        for name, tmp in staged.items():
            dest = outdir / name
            same = dest.is_file() and dest.read_bytes() == tmp.read_bytes()
            if not same:
                os.replace(tmp, dest)
            out.append(Written(dest, not same))
        return out
    except BaseException:
        if created:
            shutil.rmtree(outdir, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
