"""``vbe inspect`` and ``vbe hex`` on the bare-metal image (built with CMake when missing;
skipped when the cross compiler is not installed), and the pieces they are made of."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from intelhex import IntelHex
from sysdesc import gen_manifest_body, load_system
from sysdesc.elfsyms import symbols
from sysdesc.manifest import MANIFEST_SECTION, Region, decode_manifest, read_manifest
from vbe import elfimage
from vbe.commands.hex import ALIGN, default_manifest_address
from vbe.imagebuild import ImageBuildError, build_baremetal, cross_prefix

REPO = Path(__file__).resolve().parents[2]
CORE_MODULES = ("core/fvq", "core/i2c", "core/sim", "core/sys", "core/vq")


def vbe(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vbe", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )


@pytest.fixture(scope="module")
def elf() -> Path:
    """The bare-metal image: the one scripts/setup built, else built here."""
    path = REPO / "build" / "baremetal" / "vbe-baremetal.elf"
    if path.is_file():
        return path
    if shutil.which(f"{cross_prefix()}gcc") is None or shutil.which("cmake") is None:
        pytest.skip(f"no {cross_prefix()}gcc or cmake: cannot build the bare-metal image")
    try:
        return build_baremetal().elf
    except ImageBuildError as exc:
        pytest.fail(str(exc))


def test_module_of() -> None:
    assert elfimage.module_of("/x/zephyr-app/lib/vq/src/vq.c") == "core/vq"
    assert elfimage.module_of("/x/boards/qemu_virt_baremetal/src/main.c") == (
        "port/qemu_virt_baremetal"
    )
    assert elfimage.module_of("/x/zephyr-app/src/main.c") == "port/zephyr"
    assert elfimage.module_of("/zephyr/kernel/sched.c") == "other/kernel"
    assert elfimage.module_of("/x/build/baremetal/gen/vbe_sys_cfg.c") == "system"


def test_inspect_prints_manifest_windows_footprint(elf: Path) -> None:
    r = vbe("inspect", elf)
    assert r.returncode == 0, r.stderr
    doc = read_manifest(elf)
    text = r.stdout
    assert f'manifest: board {doc["board"]}, system "{doc["system"]}"' in text
    for g in doc["guests"]:
        assert f"{g['window_gpa']:#x}..{g['window_gpa'] + g['window_size']:#x}" in text
        assert g["name"] in text
    assert "slots: 4 x 256 KiB from 0x40400000" in text
    assert "footprint (bytes; by DWARF" in text
    for m in CORE_MODULES:
        assert f"\n  {m} " in text, m
    assert "\n  total " in text


def test_inspect_json_totals_are_the_sections(elf: Path) -> None:
    r = vbe("inspect", "--json", elf)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["manifest"] == read_manifest(elf)
    fp = doc["footprint"]
    for kind in elfimage.COLUMNS:
        want = sum(s["size"] for s in fp["sections"].values() if s["kind"] == kind)
        assert fp["totals"][kind] == want, kind
        assert sum(m[kind] for m in fp["modules"].values()) == want
    assert ".vbe_windows" not in fp["sections"]  # reserved, never loaded
    # most of the code is attributed to a source file, not left over
    attributed = sum(m["text"] for n, m in fp["modules"].items() if not n.startswith("("))
    assert attributed > 0.9 * fp["totals"]["text"]
    assert all(fp["modules"][m]["text"] > 0 for m in CORE_MODULES)


def test_inspect_without_manifest_warns(elf: Path) -> None:
    bare = elf.with_name("vbe-baremetal-nomanifest.elf")
    if not bare.is_file():
        pytest.skip(f"{bare} not built")
    r = vbe("inspect", bare)
    assert r.returncode == 0
    assert f"no {MANIFEST_SECTION} section" in r.stderr and "footprint" in r.stdout


def test_inspect_not_an_elf(tmp_path: Path) -> None:
    junk = tmp_path / "junk.elf"
    junk.write_bytes(b"not an elf")
    r = vbe("inspect", junk)
    assert r.returncode == 1 and "not an ELF file" in r.stderr
    assert vbe("inspect", tmp_path / "missing.elf").returncode == 1


def _check_roundtrip(hexfile: Path, elf: Path, at: int) -> None:
    ih = IntelHex(str(hexfile))
    segments, entry = elfimage.load_segments(elf)
    blob = elfimage.manifest_blob(elf)
    assert blob is not None
    want: dict[int, bytes] = {s.paddr: s.data for s in segments if s.filesz}
    want[at] = blob
    for addr, data in want.items():
        assert ih.tobinstr(start=addr, size=len(data)) == data, hex(addr)
    assert len(ih) == sum(len(d) for d in want.values())  # nothing else in the file
    assert ih.start_addr == {"EIP": entry}


def test_hex_roundtrip(elf: Path, tmp_path: Path) -> None:
    out = tmp_path / "vbe.hex"
    r = vbe("hex", elf, "-o", out)
    assert r.returncode == 0, r.stderr
    segments, _ = elfimage.load_segments(elf)
    at = default_manifest_address(segments)
    assert at % ALIGN == 0 and at >= max(s.paddr + s.memsz for s in segments)
    assert f"manifest: {at:#x}+" in r.stdout
    _check_roundtrip(out, elf, at)
    again = tmp_path / "again.hex"
    assert vbe("hex", elf, "-o", again).returncode == 0
    assert again.read_bytes() == out.read_bytes()


def test_hex_manifest_at(elf: Path, tmp_path: Path) -> None:
    out = tmp_path / "at.hex"
    r = vbe("hex", elf, "-o", out, "--manifest-at", "0x40300000")
    assert r.returncode == 0, r.stderr
    _check_roundtrip(out, elf, 0x40300000)


def test_hex_refuses_overlap(elf: Path, tmp_path: Path) -> None:
    segments, _ = elfimage.load_segments(elf)
    r = vbe("hex", elf, "-o", tmp_path / "x.hex", "--manifest-at", hex(segments[0].paddr + 16))
    assert r.returncode == 1
    assert "overlaps segment" in r.stderr and "pick an address" in r.stderr
    assert not (tmp_path / "x.hex").exists()
    bad = vbe("hex", elf, "-o", tmp_path / "x.hex", "--manifest-at", "0x1_0000_0000")
    assert bad.returncode == 2  # usage: beyond 32-bit Intel HEX


def test_hex_needs_the_manifest(elf: Path, tmp_path: Path) -> None:
    bare = elf.with_name("vbe-baremetal-nomanifest.elf")
    if not bare.is_file():
        pytest.skip(f"{bare} not built")
    r = vbe("hex", bare, "-o", tmp_path / "x.hex")
    assert r.returncode == 1 and f"no {MANIFEST_SECTION} section" in r.stderr


def test_generated_manifest_is_the_images(elf: Path) -> None:
    """What gen_manifest_body derives from examples/demo.yaml is what the bare-metal build
    put in the image (the image serves the demo system)."""
    doc = read_manifest(elf)
    want = gen_manifest_body.manifest_doc(load_system(REPO / "examples" / "demo.yaml").system)
    assert {k: doc.get(k) for k in want} == want


def test_image_manifest_is_the_description_plus_the_link(elf: Path) -> None:
    """The manifest of the built image is, key for key, the one generated from its
    description plus what the link decided, read from the image's symbols alone: each
    window slot vbe_window_<n>, the mailbox vbe_mailbox, the profile vbe_bm_prof."""
    doc = read_manifest(elf)
    system = load_system(REPO / "examples" / "demo.yaml").system
    syms = symbols(elf)
    link = gen_manifest_body.Link(
        windows=tuple(
            Region(syms[f"vbe_window_{i}"].addr, syms[f"vbe_window_{i}"].size)
            for i in range(sum(1 for n in syms if n.startswith("vbe_window_")))
        ),
        mailbox=Region(syms["vbe_mailbox"].addr, syms["vbe_mailbox"].size),
        profile=Region(syms["vbe_bm_prof"].addr, syms["vbe_bm_prof"].size),
    )
    blob = gen_manifest_body.encode(
        system,
        doc["build"]["git"],
        doc["build"].get("source_date_epoch"),
        board="qemu_virt_baremetal",
        link=link,
    )
    assert doc == decode_manifest(blob)
    # only the link's facts differ from what the description alone gives
    alone = gen_manifest_body.manifest_doc(system)
    slots = [w.gpa for w in link.windows]
    assert [g["window_gpa"] for g in doc["guests"]] == slots[: len(alone["guests"])]
    differ = {k for k in doc if doc[k] != alone.get(k)}
    assert differ == {"build", "mailbox", "doorbell", "profile"}
