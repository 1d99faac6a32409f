"""Faults on real Xen: a DomU that writes nonsense to its virtio-mmio registers, or publishes
a ring outside its own memory, breaks only its own device (the other DomU keeps being
served); destroying a DomU releases its SCMI votes. The DomU plays the misbehaving driver
with busybox ``devmem`` on its own trapped window, its kernel's driver unbound first.

Its own Xen boot (the module destroys a domain). Marked ``xen``.
"""

from __future__ import annotations

import re

import pytest
from vbe.sysdesc.gen_xen import layout
from vbe.sysdesc.limits import CORE, read_defines

from pyhost.linux.guest_tool import scmi_raw
from pyhost.linux.guest_view import scmi_sensor, virtio_i2c_bus
from pyhost.xen.system import Domain, XenSystem

pytestmark = pytest.mark.xen

MMIO = read_defines(CORE / "mmio" / "include" / "vbe" / "mmio.h")
DEV = {
    m[1]: int(m[2])
    for m in re.finditer(
        r"(VBE_DEV_FAULT_\w+) = (\d+)", (CORE / "dev/include/vbe/dev.h").read_text()
    )
}
VIRTIO = read_defines(CORE / "port" / "include" / "vbe" / "virtio.h")


def served(xs: XenSystem, name: str) -> None:
    """``name`` still gets I2C and SCMI answers: an EEPROM read, an SCMI sensor reading
    that follows the platform."""
    dom = xs.domu(name)
    out = dom.check(f"i2ctransfer -y {virtio_i2c_bus(dom)} w1@0x50 0x00 r4@0x50", timeout=20)
    assert len(out.split()) == 4
    value = scmi_sensor(dom, "soc_temp") + 500
    xs.platform.set_sensor(0, value)  # soc_temp: the first sensor
    assert scmi_sensor(dom, "soc_temp") == value


def devmem(dom: Domain, addr: int, value: int | None = None, width: int = 32) -> int:
    if value is None:
        return int(dom.check(f"devmem {addr:#x} {width}").strip(), 16)
    dom.check(f"devmem {addr:#x} {width} {value:#x}")
    return value


def _dev_stats(xs: XenSystem, domid: int, index: int) -> dict:
    return xs.stats()[domid]["devs"][index]


def test_nonsense_register_writes_are_refused_and_break_nothing(xen_system: XenSystem) -> None:
    lay = layout(xen_system.system)
    dom = lay.domain("cluster")
    i2c = next(x for x in dom.devices if x.kind == "i2c")
    cluster = xen_system.domu("cluster")
    before = _dev_stats(xen_system, dom.domid, i2c.index)
    base = i2c.base
    devmem(cluster, base + MMIO["VBE_MMIO_MAGIC_VALUE"], 0x12345678)  # a read-only register
    devmem(cluster, base + MMIO["VBE_MMIO_STATUS"], 0xFF, width=8)  # not a 32-bit access
    devmem(cluster, base + 0x1F0, 0xDEAD)  # no register there
    assert devmem(cluster, base + MMIO["VBE_MMIO_MAGIC_VALUE"]) == MMIO["VBE_MMIO_MAGIC"]
    after = _dev_stats(xen_system, dom.domid, i2c.index)
    assert sum(after["refused"]) - sum(before["refused"]) == 3
    served(xen_system, "cluster")
    served(xen_system, "ivi")


def test_a_ring_outside_the_domus_memory_breaks_only_its_device(xen_system: XenSystem) -> None:
    """cluster's kernel lets go of its virtio-i2c device; cluster then sets the device up by
    hand with its descriptor table outside its RAM: DRIVER_OK raises DEVICE_NEEDS_RESET
    (VBE_DEV_FAULT_QUEUE_RANGE). ivi is served throughout; a rebound driver resets the
    device and cluster is served again."""
    lay = layout(xen_system.system)
    dom = lay.domain("cluster")
    i2c = next(x for x in dom.devices if x.kind == "i2c")
    cluster = xen_system.domu("cluster")
    node = f"{i2c.base:x}.virtio"
    cluster.check(f"echo {node} > /sys/bus/platform/drivers/virtio-mmio/unbind")
    b = i2c.base
    ack = VIRTIO["VBE_VIRTIO_STATUS_ACKNOWLEDGE"] | VIRTIO["VBE_VIRTIO_STATUS_DRIVER"]
    features_ok = ack | VIRTIO["VBE_VIRTIO_STATUS_FEATURES_OK"]
    outside = dom.ram_base + dom.memory + 0x100000  # past the end of cluster's RAM
    for off, value in (
        ("VBE_MMIO_STATUS", 0),
        ("VBE_MMIO_STATUS", ack),
        ("VBE_MMIO_DRIVER_FEATURES_SEL", 1),
        ("VBE_MMIO_DRIVER_FEATURES", 1),  # VIRTIO_F_VERSION_1 (bit 32)
        ("VBE_MMIO_DRIVER_FEATURES_SEL", 0),
        ("VBE_MMIO_DRIVER_FEATURES", 1),  # VIRTIO_I2C_F_ZERO_LENGTH_REQUEST
        ("VBE_MMIO_STATUS", features_ok),
        ("VBE_MMIO_QUEUE_SEL", 0),
        ("VBE_MMIO_QUEUE_NUM", 8),
        ("VBE_MMIO_QUEUE_DESC_LOW", outside & 0xFFFFFFFF),
        ("VBE_MMIO_QUEUE_DESC_HIGH", outside >> 32),
        ("VBE_MMIO_QUEUE_DRIVER_LOW", (dom.ram_base + 0x1000) & 0xFFFFFFFF),
        ("VBE_MMIO_QUEUE_DEVICE_LOW", (dom.ram_base + 0x2000) & 0xFFFFFFFF),
        ("VBE_MMIO_QUEUE_READY", 1),
        ("VBE_MMIO_STATUS", features_ok | VIRTIO["VBE_VIRTIO_STATUS_DRIVER_OK"]),
    ):
        devmem(cluster, b + MMIO[off], value)
    status = devmem(cluster, b + MMIO["VBE_MMIO_STATUS"])
    assert status & VIRTIO["VBE_VIRTIO_STATUS_DEVICE_NEEDS_RESET"], hex(status)
    st = _dev_stats(xen_system, dom.domid, i2c.index)
    assert st["fault"][0] == DEV["VBE_DEV_FAULT_QUEUE_RANGE"], st
    served(xen_system, "ivi")
    cluster.check(f"echo {node} > /sys/bus/platform/drivers/virtio-mmio/bind")
    cluster.check(
        "i=0; until grep -q i2c_virtio /sys/bus/i2c/devices/i2c-*/name 2>/dev/null; do "
        "i=$((i+1)); [ $i -gt 100 ] && exit 1; sleep 0.1; done"
    )
    served(xen_system, "cluster")


def test_destroying_a_domu_releases_its_scmi_votes(xen_system: XenSystem) -> None:
    """Both DomUs vote the shared clock uart0 on; vbe-xen destroys cluster (its server and
    mappings go, its devices reset, XEN_DOMCTL_destroydomain): cluster's vote goes, ivi's
    stays, ivi is served. Run last: cluster is gone."""
    info = xen_system.scmi_info()
    votes = {}
    for name in ("ivi", "cluster"):
        agent = info.agent_of_guest(xen_system.system.guest(name).index)
        grant = next(x for x in agent.granted("clock") if x.name == "uart0")
        reply = scmi_raw(xen_system.domu(name), 0x14, 0x7, [grant.local_id, 1, 0])
        assert reply.status == 0
        votes[name] = 1 << (agent.agent_id - 1)
        res = grant.resource
    assert xen_system.platform.state("clock", res).votes == votes["ivi"] | votes["cluster"]
    domid = layout(xen_system.system).domain("cluster").domid
    assert "result=0" in xen_system.ctl(f"destroy {domid}")
    state = xen_system.platform.state("clock", res)
    assert (state.on, state.votes) == (True, votes["ivi"])
    served(xen_system, "ivi")
    assert "live=0" in next(
        ln for ln in xen_system.ctl("stats").splitlines() if f"domid={domid} guest=" in ln
    )
