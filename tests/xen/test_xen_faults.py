"""Faults on real Xen: a DomU that writes nonsense to its virtio-mmio registers, publishes
a ring outside its own memory, or (with grants) hands its device a buffer it did not grant,
breaks only its own device (the other DomU keeps being served); destroying a DomU releases
its SCMI votes. The DomU plays the misbehaving driver with busybox ``devmem`` on its own
trapped window and rings.

Its own Xen boot of the demo (the module destroys a domain): cluster uses grants, ivi does
not. Marked ``xen``.
"""

from __future__ import annotations

import re

import pytest
from sysdesc.gen_xen import layout
from sysdesc.limits import CORE, read_defines

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
VQ_FAULT_ADDR = int(
    re.search(r"VBE_VQ_FAULT_ADDR = (\d+)", (CORE / "vq/include/vbe/vq.h").read_text())[1]
)
GRANT_FLAG = 1 << 63
GNT_NOT_GRANT = 0  # enum vbe_gnt_refusal: the address has bit 63 clear


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


@pytest.mark.parametrize(("name", "other"), [("ivi", "cluster"), ("cluster", "ivi")])
def test_a_ring_outside_the_domus_memory_breaks_only_its_device(
    xen_system: XenSystem, name: str, other: str
) -> None:
    """The DomU's kernel lets go of its virtio-i2c device; the DomU then sets the device up
    by hand with its descriptor table outside its RAM: DRIVER_OK raises DEVICE_NEEDS_RESET
    (VBE_DEV_FAULT_QUEUE_RANGE). With grants every ring address here is refused anyway (a
    guest-physical address, not a grant). The other DomU is served throughout; a rebound
    driver resets the device and the DomU is served again."""
    lay = layout(xen_system.system)
    dom = lay.domain(name)
    i2c = next(x for x in dom.devices if x.kind == "i2c")
    cluster = xen_system.domu(name)
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
        # VIRTIO_F_VERSION_1 (bit 32), and ACCESS_PLATFORM (33) that a grant device requires
        ("VBE_MMIO_DRIVER_FEATURES", 1 | (2 if dom.grants else 0)),
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
    served(xen_system, other)
    _rebind_i2c(cluster, node)
    served(xen_system, name)


def _rebind_i2c(dom: Domain, node: str) -> None:
    dom.check(f"echo {node} > /sys/bus/platform/drivers/virtio-mmio/bind")
    dom.check(
        "i=0; until grep -q i2c_virtio /sys/bus/i2c/devices/i2c-*/name 2>/dev/null; do "
        "i=$((i+1)); [ $i -gt 100 ] && exit 1; sleep 0.1; done"
    )


def _grant_table(dom: Domain) -> int:
    """Where the DomU's grant table is: the first region of its /hypervisor node."""
    reg = dom.check("od -An -v -tx1 /proc/device-tree/hypervisor/reg").split()
    return int("".join(reg[:8]), 16)  # #address-cells = 2: a 64-bit big-endian address


def _grant_gpa(dom: Domain, table: int, addr: int) -> int:
    """The guest-physical address behind grant address ``addr``, from the guest's own grant
    table (version 1 entries: flags u16, domid u16, frame u32)."""
    ref = (addr & ~GRANT_FLAG) >> 12
    return devmem(dom, table + 8 * ref + 4) * 4096 + (addr & 0xFFF)


def test_a_buffer_the_domu_did_not_grant_breaks_only_that_device(xen_system: XenSystem) -> None:
    """cluster uses grants: its virtio-i2c driver gave the device its rings as grant addresses
    (vbe-xen's stats show them). Into that live ring cluster writes a request of its own
    whose buffer is a raw guest-physical address in its RAM, and notifies. vbe-xen maps none
    of it (not a grant: refused and counted), the device raises NEEDS_RESET with
    VBE_VQ_FAULT_ADDR; ivi and cluster's SCMI device are served meanwhile; the driver lets go
    (its rings' grants end: vbe-xen unmapped them at the reset) and a rebound driver is
    served. The guest never says "Grant still in use"."""
    lay = layout(xen_system.system)
    dom = lay.domain("cluster")
    assert dom.grants, "the demo's cluster uses grants"
    i2c = next(x for x in dom.devices if x.kind == "i2c")
    cluster = xen_system.domu("cluster")
    before = xen_system.stats()[dom.domid]
    st = before["devs"][i2c.index]
    size, desc, avail = st["qsize"][0], st["desc"][0], st["avail"][0]
    assert desc & GRANT_FLAG and avail & GRANT_FLAG, st  # the driver gave grant addresses
    table = _grant_table(cluster)
    head = size - 1  # the idle driver has no chain in flight: any descriptor will do
    d = _grant_gpa(cluster, table, desc + 16 * head)
    raw = dom.ram_base + 0x100000  # cluster's own RAM, by address: never granted
    for off, value in ((0, raw & 0xFFFFFFFF), (4, raw >> 32), (8, 8), (12, 0)):
        devmem(cluster, d + off, value)  # addr, len 8, flags 0 (device-readable), next 0
    idx_at = _grant_gpa(cluster, table, avail + 2)
    idx = devmem(cluster, idx_at, width=16)
    devmem(cluster, _grant_gpa(cluster, table, avail + 4 + 2 * (idx % size)), head, width=16)
    devmem(cluster, idx_at, (idx + 1) & 0xFFFF, width=16)
    devmem(cluster, i2c.base + MMIO["VBE_MMIO_QUEUE_NOTIFY"], 0)
    status = devmem(cluster, i2c.base + MMIO["VBE_MMIO_STATUS"])
    assert status & VIRTIO["VBE_VIRTIO_STATUS_DEVICE_NEEDS_RESET"], hex(status)
    after = xen_system.stats()[dom.domid]
    assert after["devs"][i2c.index]["fault"][0] == VQ_FAULT_ADDR, after["devs"][i2c.index]
    refused = after["ioreq"]["gnt_refused"][GNT_NOT_GRANT] - before["ioreq"]["gnt_refused"][0]
    assert refused == 1
    served(xen_system, "ivi")
    value = scmi_sensor(cluster, "soc_temp") + 250  # cluster's other device: still served
    xen_system.platform.set_sensor(0, value)
    assert scmi_sensor(cluster, "soc_temp") == value
    node = f"{i2c.base:x}.virtio"
    cluster.check(f"echo {node} > /sys/bus/platform/drivers/virtio-mmio/unbind")
    _rebind_i2c(cluster, node)
    served(xen_system, "cluster")
    assert "Grant still in use" not in cluster.dmesg()


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
