"""GuestInfo for a QEMU image, from its manifest.

The manifest names each guest, its window and its devices; a guest's I2C view (bus number
and name, routes) comes from its ``i2c`` entry (boards/qemu_virt_baremetal/
harness_manifest.py writes it). An older image whose manifest lacks it, but which runs a
system the host core also has built in (the demo system), gets the routes from the
in-process core, which compiles the same C tables; a note in ``QemuMachine.notes`` says so.

The system's SCMI agents and resources (``QemuMachine.scmi``) come from the manifest's
``scmi`` section (boards/qemu_virt_baremetal/scmi_manifest.py); an image without one has none.
"""

from __future__ import annotations

import functools
from typing import Any

from pyhost.machine.base import (
    SCMI_KINDS,
    GuestInfo,
    I2cRoute,
    MachineError,
    ScmiAgentInfo,
    ScmiGrant,
    ScmiInfo,
)
from pyhost.machine.qemu_image import ImageInfo

VIRTIO_ID_I2C = 34
#: systems the host library builds in (vbe_host_create_demo), by manifest "system" name
BUILT_IN_SYSTEMS = ("demo",)


@functools.cache
def _in_process_guests(system: str) -> tuple[GuestInfo, ...]:
    from pyhost.machine.inprocess import InProcessMachine

    with InProcessMachine() as m:
        return tuple(m.guests)


def guests_from_manifest(img: ImageInfo) -> tuple[list[GuestInfo], list[str]]:
    """The guests of an image, and notes on where their I2C views came from."""
    notes: list[str] = []
    out: list[GuestInfo] = []
    fallback: dict[str, GuestInfo] = {}
    for doc in img.manifest["guests"]:
        has_i2c = any(int(d["id"]) == VIRTIO_ID_I2C for d in doc["devices"])
        view: Any = doc.get("i2c")
        bus_name: str | None = None
        bus_id: int | None = None
        routes: tuple[I2cRoute, ...] = ()
        if has_i2c and view is not None:
            bus_id = int(view["bus"])
            bus_name = str(view.get("bus_name") or f"i2c{bus_id}")
            routes = tuple(
                I2cRoute(
                    int(r["guest_addr"]),
                    int(r["bus_addr"]),
                    bool(r["read_only"]),
                    bool(r["ten_bit"]),
                    int(r.get("select_max", 0)),
                )
                for r in view["routes"]
            )
        elif has_i2c:
            if img.system not in BUILT_IN_SYSTEMS:
                raise MachineError(
                    f"{img.elf}: guest {doc['name']!r} has virtio-i2c but the manifest has no "
                    f"i2c routes, and system {img.system!r} is not built into the host core"
                )
            if not fallback:
                fallback = {g.name: g for g in _in_process_guests(img.system)}
                notes.append(
                    "I2C routes taken from the in-process core's built-in "
                    f"{img.system!r} system (the image's manifest carries none)"
                )
            same = fallback.get(doc["name"])
            if same is None or same.index != doc["index"]:
                raise MachineError(
                    f"{img.elf}: guest {doc['name']!r} is not guest {doc['index']} of the "
                    f"host core's {img.system!r} system: rebuild the image"
                )
            bus_name, bus_id, routes = same.i2c_bus, same.i2c_bus_id, same.i2c_routes
        out.append(
            GuestInfo(
                index=int(doc["index"]),
                name=str(doc["name"]),
                window_size=int(doc["window_size"]),
                i2c_bus=bus_name,
                i2c_bus_id=bus_id,
                i2c_routes=routes,
            )
        )
    return out, notes


def scmi_from_manifest(img: ImageInfo) -> ScmiInfo | None:
    """The manifest's ``scmi`` section as ScmiInfo; None when the image has none."""
    doc: Any = img.manifest.get("scmi")
    if doc is None:
        return None
    agents = tuple(
        ScmiAgentInfo(
            agent_id=int(a["id"]),
            name=str(a["name"]),
            guest=int(a["guest"]),
            privileged=bool(a["privileged"]),
            grants=tuple(
                ScmiGrant(
                    str(g["kind"]), int(g["local_id"]), int(g["resource"]), str(g["name"]),
                    int(g["perms"]),
                )
                for g in a["grants"]
            ),
        )
        for a in doc["agents"]
    )  # fmt: skip
    return ScmiInfo(
        vendor=str(doc["vendor"]),
        sub_vendor=str(doc["sub_vendor"]),
        impl_version=int(doc["impl_version"]),
        resources={k: tuple(str(n) for n in doc["resources"].get(k, ())) for k in SCMI_KINDS},
        agents=agents,
    )
