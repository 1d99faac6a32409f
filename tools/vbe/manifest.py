"""The image manifest: a CBOR document in an ELF section that tells a harness what an
image serves and where.

A bare-metal (or Zephyr) image carries its manifest in the non-allocated ELF section
``.vbe_manifest`` (not loaded into the target's memory). The build writes it after linking,
because the window addresses are link-time facts (see
boards/qemu_virt_baremetal/gen_manifest.py); a harness reads it back with
:func:`read_manifest`.

Document (a CBOR map with text keys, canonical encoding, so equal input gives equal bytes)::

    {
      "version": 1,                       # MANIFEST_VERSION; a reader refuses others
      "board": "qemu_virt_baremetal",
      "system": "demo",                   # the system description's name
      "build": {"git": "<git describe --always --dirty --tags>",
                "source_date_epoch": 1700000000},   # only when SOURCE_DATE_EPOCH was set
      "ram_base": 0x40000000,             # guest physical; host file offset = gpa - ram_base
      "transport": {"name": "fvq", "magic": 0x57454256, "version": [1, 0]},
      "guests": [
        {"index": 0, "name": "ivi",
         "window_gpa": 0x40400000, "window_size": 0x40000, "ring_size": 0x4000,
         "devices": [{"id": 34, "name": "i2c"}]},
        ...
      ],
    }

Optional keys (a reader must accept a manifest without them; added for pyhost's QEMU
machine, see pyhost/machine/qemu.py)::

      "mailbox": {"gpa": 0x40207000, "size": 4096, "version": 1},   # platform mailbox
      "doorbell": {"uart_gpa": 0x09040000, "intid": 40, "protocol": 1},
      guests[i]["i2c"]: {"bus": 0, "bus_name": "i2c0", "routes": [{"guest_addr": 0x49, "bus_addr": 0x48,
                         "read_only": False, "ten_bit": False, "select_max": 0}, ...]}
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import cbor2
from elftools.elf.elffile import ELFFile

MANIFEST_SECTION = ".vbe_manifest"
MANIFEST_VERSION = 1

#: virtio device ids (virtio 1.2, 5) and the names the manifest gives them
VIRTIO_DEVICE_NAMES = {32: "scmi", 34: "i2c"}


class ManifestError(Exception):
    """The image has no manifest, or the manifest is not one this reader understands."""


@dataclass(frozen=True)
class Device:
    """One virtio device in a guest's window."""

    id: int
    name: str


@dataclass(frozen=True)
class I2cRoute:
    """One address a guest may use on its I2C bus (optional manifest data)."""

    guest_addr: int
    bus_addr: int
    read_only: bool = False
    ten_bit: bool = False
    select_max: int = 0  # read-only routes: longest register-select write before a read


@dataclass(frozen=True)
class I2cView:
    """A guest's view of its platform I2C bus (optional manifest data)."""

    bus: int
    routes: tuple[I2cRoute, ...] = field(default_factory=tuple)
    bus_name: str | None = None  # the platform bus's name in the system description


@dataclass(frozen=True)
class Mailbox:
    """Where the image's platform mailbox lives (guest physical)."""

    gpa: int
    size: int
    version: int


@dataclass(frozen=True)
class Doorbell:
    """The image's doorbell UART (a second PL011 wired to a QEMU chardev)."""

    uart_gpa: int
    intid: int
    protocol: int


@dataclass(frozen=True)
class Guest:
    """One guest: its window (guest physical address and size) and its devices."""

    index: int
    name: str
    window_gpa: int
    window_size: int
    ring_size: int
    devices: tuple[Device, ...] = field(default_factory=tuple)
    i2c: I2cView | None = None


def _guest_doc(g: Guest) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "index": g.index,
        "name": g.name,
        "window_gpa": g.window_gpa,
        "window_size": g.window_size,
        "ring_size": g.ring_size,
        "devices": [{"id": d.id, "name": d.name} for d in g.devices],
    }
    if g.i2c is not None:
        doc["i2c"] = {
            "bus": g.i2c.bus,
            **({"bus_name": g.i2c.bus_name} if g.i2c.bus_name is not None else {}),
            "routes": [
                {
                    "guest_addr": r.guest_addr,
                    "bus_addr": r.bus_addr,
                    "read_only": r.read_only,
                    "ten_bit": r.ten_bit,
                    "select_max": r.select_max,
                }
                for r in g.i2c.routes
            ],
        }
    return doc


def build_manifest(
    *,
    board: str,
    system: str,
    guests: Sequence[Guest],
    ram_base: int,
    git: str,
    fvq_magic: int,
    fvq_version: tuple[int, int],
    source_date_epoch: int | None = None,
    mailbox: Mailbox | None = None,
    doorbell: Doorbell | None = None,
) -> bytes:
    """Encode a manifest document (see the module docstring) as canonical CBOR.

    ``source_date_epoch`` goes in only when given: the build passes SOURCE_DATE_EPOCH from
    its environment, and never the wall-clock time, so that images stay reproducible.
    """
    build: dict[str, Any] = {"git": git}
    if source_date_epoch is not None:
        build["source_date_epoch"] = int(source_date_epoch)
    doc: dict[str, Any] = {
        "version": MANIFEST_VERSION,
        "board": board,
        "system": system,
        "build": build,
        "ram_base": ram_base,
        "transport": {"name": "fvq", "magic": fvq_magic, "version": list(fvq_version)},
        "guests": [_guest_doc(g) for g in guests],
    }
    if mailbox is not None:
        doc["mailbox"] = {"gpa": mailbox.gpa, "size": mailbox.size, "version": mailbox.version}
    if doorbell is not None:
        doc["doorbell"] = {
            "uart_gpa": doorbell.uart_gpa,
            "intid": doorbell.intid,
            "protocol": doorbell.protocol,
        }
    return cbor2.dumps(doc, canonical=True)


def _require(cond: bool, what: str) -> None:
    if not cond:
        raise ManifestError(f"bad manifest: {what}")


def decode_manifest(blob: bytes) -> dict[str, Any]:
    """Decode and check a manifest document; returns it as plain dicts and lists."""
    try:
        doc = cbor2.loads(blob)
    except (cbor2.CBORDecodeError, ValueError) as e:
        raise ManifestError(f"bad manifest: not CBOR ({e})") from e
    _require(isinstance(doc, dict), "not a map")
    _require(
        doc.get("version") == MANIFEST_VERSION,
        f"version {doc.get('version')!r}, this reader knows {MANIFEST_VERSION}",
    )
    for key, typ in (
        ("board", str),
        ("system", str),
        ("ram_base", int),
        ("guests", list),
        ("build", dict),
        ("transport", dict),
    ):
        _require(isinstance(doc.get(key), typ), f"'{key}' missing or not {typ.__name__}")
    for i, g in enumerate(doc["guests"]):
        _require(isinstance(g, dict), f"guests[{i}] is not a map")
        for key, typ in (
            ("index", int),
            ("name", str),
            ("window_gpa", int),
            ("window_size", int),
            ("ring_size", int),
            ("devices", list),
        ):
            _require(
                isinstance(g.get(key), typ), f"guests[{i}].{key} missing or not {typ.__name__}"
            )
        _require(g["index"] == i, f"guests[{i}].index is {g['index']}")
        if "i2c" in g:
            _check_i2c(g["i2c"], f"guests[{i}].i2c")
    for key, fields in (
        ("mailbox", ("gpa", "size", "version")),
        ("doorbell", ("uart_gpa", "intid", "protocol")),
    ):
        if key in doc:
            _require(isinstance(doc[key], dict), f"'{key}' is not a map")
            for f in fields:
                _require(isinstance(doc[key].get(f), int), f"{key}.{f} missing or not int")
    return doc


def _check_i2c(view: Any, where: str) -> None:
    _require(isinstance(view, dict), f"{where} is not a map")
    _require(isinstance(view.get("bus"), int), f"{where}.bus missing or not int")
    _require(isinstance(view.get("bus_name", ""), str), f"{where}.bus_name not a string")
    _require(isinstance(view.get("routes"), list), f"{where}.routes missing or not a list")
    for j, r in enumerate(view["routes"]):
        _require(isinstance(r, dict), f"{where}.routes[{j}] is not a map")
        for key, typ in (
            ("guest_addr", int),
            ("bus_addr", int),
            ("read_only", bool),
            ("ten_bit", bool),
            ("select_max", int),
        ):
            _require(
                isinstance(r.get(key), typ),
                f"{where}.routes[{j}].{key} missing or not {typ.__name__}",
            )


def read_manifest(elf_path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read the manifest out of an ELF image's ``.vbe_manifest`` section.

    Raises ManifestError when the section is missing or its content is not a manifest this
    reader understands; OSError when the file cannot be read.
    """
    with open(elf_path, "rb") as f:
        elf = ELFFile(f)
        sec = elf.get_section_by_name(MANIFEST_SECTION)
        if sec is None:
            raise ManifestError(f"{elf_path}: no {MANIFEST_SECTION} section")
        return decode_manifest(sec.data())
