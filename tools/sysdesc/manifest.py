"""The image manifest: a CBOR document in an ELF section that tells a harness what an
image serves and where.

A bare-metal (or Zephyr) image carries its manifest in the non-allocated ELF section
``.vbe_manifest`` (not loaded into the target's memory). The build writes it after linking:
the document is generated from the system description (:mod:`sysdesc.gen_manifest_body`),
and the link adds only what it decided, read from the image's symbols (window and mailbox
addresses; :mod:`sysdesc.buildstep`). A harness reads it back with :func:`read_manifest`;
the in-process machine reads the same document from the ``manifest.json`` of a system
library (:func:`check_manifest`).

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

      "mailbox": {"gpa": 0x40207000, "size": 704, "version": 1},   # platform mailbox
      "doorbell": {"uart_gpa": 0x09040000, "intid": 40, "protocol": 1},
      "profile": {"gpa": 0x40208000, "size": 256},    # the service loop's profile
      guests[i]["i2c"]: {"bus": 0, "bus_name": "i2c0", "routes": [{"guest_addr": 0x49, "bus_addr": 0x48,
                         "read_only": False, "ten_bit": False, "select_max": 0}, ...]}
      "scmi": {"vendor": "vbe", "sub_vendor": "demo", "impl_version": 0x10000,
               "resources": {"clock": ["cpu", ...], "power": [...], ...},  # by platform index
               "agents": [{"id": 1, "name": "ivi", "guest": 0, "privileged": True, "flags": 3,
                           "grants": [{"kind": "clock", "local_id": 0, "resource": 0,
                                       "name": "cpu", "perms": 7}, ...]}, ...]}

"resources" has every kind of SCMI_KINDS (empty lists included); an agent's "guest" is the
index of the guest whose virtio-scmi device (id 32) it is, -1 for none; "flags" are
VBE_SCMI_AGENT_* and "perms" VBE_SCMI_PERM_* (zephyr-app/lib/scmi/include/vbe/scmi.h).
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
#: SCMI resource kinds, in the order of enum vbe_scmi_res
SCMI_KINDS = ("clock", "power", "perf", "sensor", "reset", "voltage")


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
class Region:
    """Memory of the image the harness reads (guest physical)."""

    gpa: int
    size: int


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


@dataclass(frozen=True)
class ScmiGrant:
    """A resource granted to an agent: its kind, the agent's id for it, the platform's."""

    kind: str
    local_id: int
    resource: int
    name: str
    perms: int


@dataclass(frozen=True)
class ScmiAgent:
    """An SCMI agent: one guest's virtio-scmi device (guest -1: none)."""

    id: int
    name: str
    guest: int
    privileged: bool
    flags: int
    grants: tuple[ScmiGrant, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Scmi:
    """The SCMI platform of the system (optional manifest data)."""

    vendor: str
    sub_vendor: str
    impl_version: int
    resources: dict[str, tuple[str, ...]]
    agents: tuple[ScmiAgent, ...] = field(default_factory=tuple)


def _scmi_doc(s: Scmi) -> dict[str, Any]:
    return {
        "vendor": s.vendor,
        "sub_vendor": s.sub_vendor,
        "impl_version": s.impl_version,
        "resources": {k: list(s.resources.get(k, ())) for k in SCMI_KINDS},
        "agents": [
            {
                "id": a.id,
                "name": a.name,
                "guest": a.guest,
                "privileged": a.privileged,
                "flags": a.flags,
                "grants": [
                    {"kind": g.kind, "local_id": g.local_id, "resource": g.resource,
                     "name": g.name, "perms": g.perms}
                    for g in a.grants
                ],
            }
            for a in s.agents
        ],
    }  # fmt: skip


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
    profile: Region | None = None,
    scmi: Scmi | None = None,
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
    if profile is not None:
        doc["profile"] = {"gpa": profile.gpa, "size": profile.size}
    if scmi is not None:
        doc["scmi"] = _scmi_doc(scmi)
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
    return check_manifest(doc)


def check_manifest(doc: Any, image: bool = True) -> dict[str, Any]:
    """Check a decoded manifest document; returns it. ``image`` False: the document as a
    description alone gives it (the JSON ``vbe gen`` writes: no ``build``, and extra ``$``
    keys, which are ignored)."""
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
        if key == "build" and not image:
            continue
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
        ("profile", ("gpa", "size")),
    ):
        if key in doc:
            _require(isinstance(doc[key], dict), f"'{key}' is not a map")
            for f in fields:
                _require(isinstance(doc[key].get(f), int), f"{key}.{f} missing or not int")
    if "scmi" in doc:
        _check_scmi(doc["scmi"], len(doc["guests"]))
    return doc


def _fields(d: Any, where: str, spec: tuple[tuple[str, type], ...]) -> None:
    _require(isinstance(d, dict), f"{where} is not a map")
    for key, typ in spec:
        ok = isinstance(d.get(key), typ) and (typ is bool or not isinstance(d.get(key), bool))
        _require(ok, f"{where}.{key} missing or not {typ.__name__}")


def _check_scmi(s: Any, guests: int) -> None:
    _fields(s, "scmi", (("vendor", str), ("sub_vendor", str), ("impl_version", int),
                        ("resources", dict), ("agents", list)))  # fmt: skip
    res = s["resources"]
    for kind in SCMI_KINDS:
        names = res.get(kind)
        _require(isinstance(names, list), f"scmi.resources.{kind} missing or not a list")
        _require(all(isinstance(n, str) for n in names), f"scmi.resources.{kind}: not names")
    for i, a in enumerate(s["agents"]):
        where = f"scmi.agents[{i}]"
        _fields(a, where, (("id", int), ("name", str), ("guest", int), ("privileged", bool),
                           ("flags", int), ("grants", list)))  # fmt: skip
        _require(a["id"] == i + 1, f"{where}.id is {a['id']}, not {i + 1}")
        _require(-1 <= a["guest"] < guests, f"{where}.guest {a['guest']} is not a guest")
        for j, g in enumerate(a["grants"]):
            _fields(g, f"{where}.grants[{j}]", (("kind", str), ("local_id", int),
                    ("resource", int), ("name", str), ("perms", int)))  # fmt: skip
            names = res.get(g["kind"], [])
            _require(
                0 <= g["resource"] < len(names) and names[g["resource"]] == g["name"],
                f"{where}.grants[{j}]: no {g['kind']} {g['resource']} named {g['name']!r}",
            )


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
