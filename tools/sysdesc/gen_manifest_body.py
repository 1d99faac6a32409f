"""The image manifest's contents as far as the description decides them, ``manifest.json``.

The manifest (tools/sysdesc/manifest.py, CBOR in an image's ``.vbe_manifest`` section) says what
an image serves and where. Everything in it but the build facts comes from the description:
board, system name, RAM base, transport, per guest its window (guest physical address,
size, ring area), its virtio devices (i2c before scmi, the order vbe_sys_init() adds them
in) and its I2C view, and the "scmi" section (identity, resource names, agents and their
grants, perms and flags as the VBE_SCMI_PERM_*/VBE_SCMI_AGENT_* bits of vbe/scmi.h) when
a guest has an agent and manifest.py knows that section.

:func:`manifest_doc` returns that document as manifest.py's
:func:`~sysdesc.manifest.build_manifest` builds it; :func:`encode` adds the build facts
(``git``, ``SOURCE_DATE_EPOCH``) and returns the canonical CBOR a build would put in the
image. The JSON file written by ``vbe gen`` is the document without ``build``, with a
``$comment`` and a ``$key`` per guest and route (extra keys, which readers ignore).

What the link decides is not in the description: an image's build passes it as a
:class:`Link` (window addresses and slot sizes, where the platform mailbox and the profile
are; read from the image's symbols by :mod:`sysdesc.buildstep`), and :func:`encode` adds it
with the board's fixed facts (the doorbell UART). Without a link, window addresses are the
board's: 0 on the host board, where the harness allocates windows itself.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from dataclasses import dataclass
from typing import Any

from sysdesc import manifest as mf
from sysdesc.limits import BOARDS_DIR, CORE, PAGE, read_defines
from sysdesc.model import RESOURCE_KINDS, Guest, System

FILE_NAME = "manifest.json"
BAREMETAL = "qemu_virt_baremetal"
#: QEMU's virt machine puts RAM at this guest physical address (both QEMU boards); the
#: bare-metal board's value is read from its board.h.
QEMU_VIRT_RAM_BASE = 0x40000000


@functools.cache
def _fvq() -> tuple[int, tuple[int, int]]:
    d = read_defines(CORE / "fvq" / "include" / "vbe" / "fvq_layout.h")
    return d["VBE_FVQ_MAGIC"], (d["VBE_FVQ_VERSION_MAJOR"], d["VBE_FVQ_VERSION_MINOR"])


def ram_base(board: str) -> int:
    if board == "host":
        return 0
    if board == BAREMETAL:
        return _board_defines(board)["BM_RAM_BASE"]
    return QEMU_VIRT_RAM_BASE


def devices(g: Guest) -> tuple[mf.Device, ...]:
    """The guest's virtio devices in window order (vbe_sys_init: i2c, then scmi)."""
    ids = ([34] if g.i2c is not None else []) + ([32] if g.scmi is not None else [])
    return tuple(mf.Device(id=i, name=mf.VIRTIO_DEVICE_NAMES[i]) for i in ids)


class LinkError(RuntimeError):
    """What the link decided does not fit the description; the message says what."""


@dataclass(frozen=True)
class Link:
    """What an image's link decided (its symbols): a window slot per possible guest
    (address, size), and the harness's regions (platform mailbox, profile), if any."""

    windows: tuple[mf.Region, ...]
    mailbox: mf.Region | None = None
    profile: mf.Region | None = None



@functools.cache
def _board_defines(board: str) -> dict[str, int]:
    src = BOARDS_DIR / board / "src"
    return {**read_defines(src / "board.h"), **read_defines(src / "harness.h")}


def _doorbell(board: str) -> mf.Doorbell | None:
    """The bare-metal board's doorbell UART (board.h, harness.h)."""
    if board != BAREMETAL:
        return None
    d = _board_defines(board)
    return mf.Doorbell(
        uart_gpa=d["BM_UART1_BASE"], intid=d["BM_IRQ_UART1"], protocol=d["BM_DB_PROTOCOL"]
    )


def _mailbox(region: mf.Region) -> mf.Mailbox:
    version = read_defines(CORE / "sim" / "include" / "vbe" / "sim_cmd.h")["VBE_SIM_CMD_VERSION"]
    return mf.Mailbox(gpa=region.gpa, size=region.size, version=version)


def _linked(guests: list[mf.Guest], system: System, link: Link) -> list[mf.Guest]:
    """The guests with the link's window addresses; LinkError when a window does not fit
    its slot or the description placed it elsewhere."""
    if len(guests) > len(link.windows):
        raise LinkError(
            f"system {system.name!r} has {len(guests)} guests, the image "
            f"{len(link.windows)} window slots"
        )
    out = []
    for g, slot, spec in zip(guests, link.windows, system.guests):
        if g.window_size > slot.size or slot.gpa % PAGE:
            raise LinkError(
                f"guest {g.name!r}: a window of {g.window_size:#x} bytes does not fit slot "
                f"{g.index} ({slot.gpa:#x}+{slot.size:#x})"
            )
        placed = spec.window.address
        if placed is not None and system.board == BAREMETAL and placed != slot.gpa:
            raise LinkError(
                f"guest {g.name!r}: the description places its window at {placed:#x}, the "
                f"link at {slot.gpa:#x} (sysdesc.limits and link.ld disagree)"
            )
        out.append(dataclasses.replace(g, window_gpa=slot.gpa))
    return out


def guest(g: Guest) -> mf.Guest:
    view = None
    if g.i2c is not None:
        view = mf.I2cView(
            bus=g.i2c.bus_id,
            bus_name=g.i2c.bus,
            routes=tuple(
                mf.I2cRoute(
                    guest_addr=r.guest_address,
                    bus_addr=r.bus_address,
                    read_only=r.read_only,
                    ten_bit=r.ten_bit,
                    select_max=r.select_max,
                )
                for r in g.i2c.routes
            ),
        )
    return mf.Guest(
        index=g.index,
        name=g.name,
        window_gpa=g.window.address or 0,
        window_size=g.window.size,
        ring_size=g.window.ring_size,
        devices=devices(g),
        i2c=view,
    )


@functools.cache
def _scmi_bits() -> dict[str, int]:
    return read_defines(CORE / "scmi" / "include" / "vbe" / "scmi.h")


def scmi(system: System) -> Any:
    """The "scmi" section (manifest.Scmi), or None when no guest has an agent."""
    agents = sorted(
        (g for g in system.guests if g.scmi is not None),
        key=lambda g: g.scmi.agent_id if g.scmi is not None else 0,
    )
    if not agents:
        return None
    bits = _scmi_bits()
    perm = {p: bits[f"VBE_SCMI_PERM_{p.upper()}"] for p in ("state", "level", "config")}
    kinds = dict(zip(RESOURCE_KINDS, mf.SCMI_KINDS, strict=True))
    plat = system.platform
    out = []
    for g in agents:
        a = g.scmi
        assert a is not None
        flags = (bits["VBE_SCMI_AGENT_PRIVILEGED"] if a.privileged else 0) | (
            bits["VBE_SCMI_AGENT_SYSTEM_POWER"] if a.system_power else 0
        )
        grants = tuple(
            mf.ScmiGrant(
                kind=kinds[gr.kind],
                local_id=gr.local_id,
                resource=gr.id,
                name=gr.name,
                perms=bits["VBE_SCMI_PERM_ALL"]
                if gr.all_perms
                else sum(perm[p] for p in set(gr.perms)),
            )
            for kind in RESOURCE_KINDS
            for gr in a.granted(kind)
        )
        out.append(mf.ScmiAgent(a.agent_id, a.agent_name, g.index, a.privileged, flags, grants))
    return mf.Scmi(
        vendor=plat.scmi.vendor,
        sub_vendor=plat.scmi.sub_vendor,
        impl_version=plat.scmi.impl_version,
        resources={kinds[k]: tuple(r.name for r in plat.resources(k)) for k in RESOURCE_KINDS},
        agents=tuple(out),
    )


def encode(
    system: System,
    git: str = "",
    source_date_epoch: int | None = None,
    *,
    board: str | None = None,
    link: Link | None = None,
) -> bytes:
    """The canonical CBOR manifest of ``system`` (build facts as given). An image's build
    passes its ``board`` (default the description's) and what its ``link`` decided."""
    board = board or system.board
    magic, version = _fvq()
    guests = [guest(g) for g in system.guests]
    extra: dict[str, Any] = {}
    if link is not None:
        guests = _linked(guests, system, link)
        if link.mailbox is not None:
            extra["mailbox"] = _mailbox(link.mailbox)
        extra["profile"] = link.profile
        extra["doorbell"] = _doorbell(board)
    section = scmi(system)
    if section is not None:
        extra["scmi"] = section
    return mf.build_manifest(
        board=board,
        system=system.name,
        guests=guests,
        ram_base=ram_base(board),
        git=git,
        fvq_magic=magic,
        fvq_version=version,
        source_date_epoch=source_date_epoch,
        **extra,
    )


def manifest_doc(system: System) -> dict[str, Any]:
    """The manifest document without ``build``: what the description determines."""
    doc = mf.decode_manifest(encode(system))
    del doc["build"]
    return doc


def generate(system: System) -> str:
    """The JSON file: the document, a ``$comment`` header, and ``$key`` in each guest and
    route naming the key of the description that produced it (readers ignore both)."""
    doc = manifest_doc(system)
    for g, entry in zip(system.guests, doc["guests"], strict=True):
        entry["$key"] = g.key
        if g.i2c is not None:
            for r, route in zip(g.i2c.routes, entry["i2c"]["routes"], strict=True):
                route["$key"] = r.key
    out = {"$comment": f"generated by vbe from {system.source}, do not edit", **doc}
    return json.dumps(out, indent=2, sort_keys=True) + "\n"
