# SPDX-License-Identifier: Apache-2.0
"""SCMI part of the manifest step (called by gen_manifest.py): the "scmi" section and each
guest's virtio-scmi device, read out of the image's own system description through
vbe_bm_scmi_abi (src/scmi_abi.c), the way harness_manifest.py reads the I2C views.

- guests[i].devices gets {id 32, name "scmi"} after its other devices (the order vbe_sys
  adds them to the window) when the guest names an SCMI agent;
- "scmi": vendor, sub-vendor, implementation version, every kind's resource names by
  platform index, and the agents (id, name, guest, flags) with their grants in local-id
  order.

An image without the symbol (or a system without SCMI) gets neither, as before.
"""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Sequence
from types import ModuleType
from typing import Any

SCMI_ABI_MAGIC = 0x41534256  # "VBSA", src/scmi_abi.c
SCMI_ABI_VERSION = 1
VIRTIO_ID_SCMI = 32
# fmt: off
SCALARS_HEAD = ("magic", "version", "kind_count", "cfg_scmi", "guest_scmi_agent", "plat_vendor",
                "plat_sub_vendor", "plat_impl_version", "plat_agents", "plat_agent_count")
ARRAYS = ("plat_table", "plat_count", "res_size", "res_name")
SCALARS_TAIL = ("agent_size", "agent_name", "agent_flags", "agent_grants", "agent_grant_count",
                "grant_size", "grant_res", "grant_perms", "flag_privileged", "flag_system_power")
# fmt: on


def _u8(img: Any, addr: int) -> int:
    return img.read(addr, 1)[0]


def _u16(img: Any, addr: int) -> int:
    return struct.unpack("<H", img.read(addr, 2))[0]


def read_abi(img: Any, kinds: int) -> dict[str, Any]:
    """vbe_bm_scmi_abi as a dict; the per-kind arrays as lists."""
    addr, size = img.symbol("vbe_bm_scmi_abi")
    count = len(SCALARS_HEAD) + len(ARRAYS) * kinds + len(SCALARS_TAIL)
    if size != 4 * count:
        raise SystemExit(f"gen_manifest: vbe_bm_scmi_abi is {size} bytes, expected {4 * count}")
    words = list(struct.unpack(f"<{count}I", img.read(addr, 4 * count)))
    abi: dict[str, Any] = dict(zip(SCALARS_HEAD, words))
    words = words[len(SCALARS_HEAD) :]
    for name in ARRAYS:
        abi[name], words = words[:kinds], words[kinds:]
    abi.update(zip(SCALARS_TAIL, words))
    if (abi["magic"], abi["version"]) != (SCMI_ABI_MAGIC, SCMI_ABI_VERSION):
        raise SystemExit(f"gen_manifest: vbe_bm_scmi_abi is not version {SCMI_ABI_VERSION}")
    if abi["kind_count"] != kinds:
        raise SystemExit(f"gen_manifest: the image has {abi['kind_count']} SCMI kinds, not {kinds}")
    return abi


def _agents(img: Any, mf: ModuleType, a: dict[str, Any], plat: int, guest_of: dict[int, int],
            resources: dict[str, tuple[str, ...]]) -> tuple[Any, ...]:  # fmt: skip
    table = img.ptr(plat + a["plat_agents"])
    out = []
    for i in range(_u8(img, plat + a["plat_agent_count"])):
        ag = table + i * a["agent_size"]
        flags = _u8(img, ag + a["agent_flags"])
        grants = []
        for k, kind in enumerate(mf.SCMI_KINDS):
            gtab = img.ptr(ag + a["agent_grants"] + 8 * k)
            for local in range(_u8(img, ag + a["agent_grant_count"] + k)):
                g = gtab + local * a["grant_size"]
                res = _u16(img, g + a["grant_res"])
                if res >= len(resources[kind]):
                    raise SystemExit(f"gen_manifest: agent {i + 1} {kind} grant {local}: no {res}")
                grants.append(
                    mf.ScmiGrant(kind=kind, local_id=local, resource=res,
                                 name=resources[kind][res], perms=_u8(img, g + a["grant_perms"]))
                )  # fmt: skip
        out.append(
            mf.ScmiAgent(
                id=i + 1,
                name=img.cstr(img.ptr(ag + a["agent_name"])),
                guest=guest_of.get(i + 1, -1),
                privileged=bool(flags & a["flag_privileged"]),
                flags=flags,
                grants=tuple(grants),
            )
        )
    return tuple(out)


def entries(
    img: Any, mf: ModuleType, abi: dict[str, int], guests: Sequence[Any]
) -> tuple[list[Any], Any]:
    """The guests with their virtio-scmi devices, and the manifest's Scmi (or None)."""
    if "vbe_bm_scmi_abi" not in img.symbols:
        return list(guests), None
    a = read_abi(img, len(mf.SCMI_KINDS))
    cfg = img.ptr(img.symbol("vbe_bm_sys_cfg")[0])
    plat = img.ptr(cfg + a["cfg_scmi"])
    array = img.ptr(cfg + abi["cfg_guests"])
    agent_of = [_u8(img, array + i * abi["guest_size"] + a["guest_scmi_agent"]) for i in
                range(len(guests))]  # fmt: skip
    if plat == 0:
        if any(agent_of):
            raise SystemExit("gen_manifest: a guest names an SCMI agent, the system has no SCMI")
        return list(guests), None
    scmi_dev = mf.Device(id=VIRTIO_ID_SCMI, name=mf.VIRTIO_DEVICE_NAMES[VIRTIO_ID_SCMI])
    out = [
        dataclasses.replace(g, devices=(*g.devices, scmi_dev)) if agent else g
        for g, agent in zip(guests, agent_of)
    ]
    resources = {}
    for k, kind in enumerate(mf.SCMI_KINDS):
        table = img.ptr(plat + a["plat_table"][k])
        count = _u8(img, plat + a["plat_count"][k])
        resources[kind] = tuple(
            img.cstr(img.ptr(table + i * a["res_size"][k] + a["res_name"][k])) for i in range(count)
        )
    guest_of = {agent: i for i, agent in enumerate(agent_of) if agent}
    scmi = mf.Scmi(
        vendor=img.cstr(img.ptr(plat + a["plat_vendor"])),
        sub_vendor=img.cstr(img.ptr(plat + a["plat_sub_vendor"])),
        impl_version=img.u32(plat + a["plat_impl_version"]),
        resources=resources,
        agents=_agents(img, mf, a, plat, guest_of, resources),
    )
    return out, scmi
