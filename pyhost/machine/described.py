"""What a machine serves, from the system's manifest: GuestInfo per guest and ScmiInfo.

Every machine learns its system from the manifest its description generates (tools
sysdesc.gen_manifest_body): a QEMU image carries it in its ``.vbe_manifest`` section
(with the link's addresses), a system library for the in-process machine in its
``manifest.json``. Never from the C tables, never from the C core: the tables and the
manifest are generated from the same description.
"""

from __future__ import annotations

from typing import Any

from pyhost.machine.base import (
    SCMI_KINDS,
    GuestInfo,
    I2cRoute,
    ScmiAgentInfo,
    ScmiGrant,
    ScmiInfo,
)

VIRTIO_ID_I2C = 34


def guests_from_manifest(manifest: dict[str, Any]) -> list[GuestInfo]:
    """The guests of a manifest document, with their I2C views."""
    out: list[GuestInfo] = []
    for doc in manifest["guests"]:
        has_i2c = any(int(d["id"]) == VIRTIO_ID_I2C for d in doc["devices"])
        view: Any = doc.get("i2c") if has_i2c else None
        bus_name: str | None = None
        bus_id: int | None = None
        routes: tuple[I2cRoute, ...] = ()
        if view is not None:
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
    return out


def scmi_from_manifest(manifest: dict[str, Any]) -> ScmiInfo | None:
    """The manifest's ``scmi`` section as ScmiInfo; None when the system has none."""
    doc: Any = manifest.get("scmi")
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
