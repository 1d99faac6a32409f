"""Real Xen: two Linux DomUs of the demo system (ivi, domid 1; cluster, domid 2), their
virtio-scmi and virtio-i2c devices trapped by Xen and served over IOREQ from Dom0 (vbe-xen in
a Linux Dom0, or the bare-metal Dom0), one simulated platform for both. What their own drivers see is checked as tests/linux does
for QEMU guests; every expectation comes from the system description (examples/demo.yaml)
or from vbe-xen's platform, never from a copy of the answer.

Two Xen boots per Dom0 (pyhost.xen.fixtures.xen_modes): the demo with cluster using grants
(as the description says) and the same with ivi using them instead, so every check runs on
each DomU once with grants (its devices reach only the pages its drivers grant) and once
without (Dom0 maps its RAM), the two kinds side by side in each boot, on each Dom0. Marked ``xen``: skipped
unless the Xen artefacts are cached (VBE_XEN=1 builds them).
"""

from __future__ import annotations

import random
import re

import pytest
from sysdesc.gen_xen import layout

from pyhost.linux.guest_tool import scmi_raw
from pyhost.linux.guest_view import (
    expected_scmi_probe,
    i2cdetect,
    scmi_clocks,
    scmi_sensor,
    virtio_i2c_bus,
)
from pyhost.xen.system import Domain, XenSystem

pytestmark = pytest.mark.xen
GUESTS = ("ivi", "cluster")
ACCESS_PLATFORM = 33  # VIRTIO_F_ACCESS_PLATFORM: a grant DomU's devices need the DMA API
RING_PARTS = 3  # desc, avail, used: each queue's rings stay mapped while it runs


@pytest.fixture(scope="module")
def xen_system(xen_modes: XenSystem) -> XenSystem:
    """This module's boots: one per grant mode."""
    return xen_modes


def spec(xs: XenSystem, name: str):
    return xs.system.guest(name)


def test_vbe_xen_serves_each_domain_with_its_devices(xen_system: XenSystem) -> None:
    lay = layout(xen_system.system)
    for d in lay.domains:
        line = next(
            (ln for ln in xen_system.vbe_xen_lines if f"ready domid={d.domid} " in ln), None
        )
        assert line is not None, xen_system.vbe_xen_lines
        assert f"guest={d.guest.name} " in line and f"devices={len(d.devices)} " in line
    for name in GUESTS:
        dom = xen_system.domu(name)
        got = dom.check("for d in /sys/bus/virtio/devices/*; do cat $d/device; done").split()
        want = [f"{x.device_id:#06x}" for x in lay.domain(name).devices]
        assert sorted(got) == sorted(want), name


def test_each_domu_is_reached_the_way_its_description_says(xen_system: XenSystem) -> None:
    """A grant DomU has Xen's /hypervisor node (its grant table), its drivers negotiated
    VIRTIO_F_ACCESS_PLATFORM, and vbe-xen mapped none of its RAM: between requests only its
    rings stay mapped. The other DomU has none of that, and its RAM is mapped whole."""
    stats = xen_system.stats()
    for d in layout(xen_system.system).domains:
        dom = xen_system.domu(d.guest.name)
        line = next(ln for ln in xen_system.vbe_xen_lines if f"ready domid={d.domid} " in ln)
        status, compatible = dom.run("cat /proc/device-tree/hypervisor/compatible")
        features = dom.check("cat /sys/bus/virtio/devices/*/features").split()
        st = stats[d.domid]["ioreq"]
        queues = sum(1 for dev in stats[d.domid]["devs"] for size in dev["qsize"] if size)
        if d.grants:
            assert "ram=0MiB grants=1 " in line, line
            assert status == 0 and "xen,xen" in compatible
            assert [f[ACCESS_PLATFORM] for f in features] == ["1"] * len(d.devices)
            assert st["grants"] == 1 and st["maps"] > 0 and st["gnt_refused"] == [0] * 4
            assert st["mapped"] == RING_PARTS * queues, st
            assert st["maps"] - st["unmaps"] == st["mapped"]
        else:
            assert f"ram={d.memory >> 20}MiB grants=0 " in line, line
            assert status != 0, compatible  # no /hypervisor: Linux does not know it is on Xen
            assert [f[ACCESS_PLATFORM] for f in features] == ["0"] * len(d.devices)
            assert st["grants"] == 0 and st["maps"] == 0


def test_arm_scmi_probes_the_server(xen_system: XenSystem) -> None:
    info = xen_system.scmi_info()
    for name in GUESTS:
        dmesg = xen_system.domu(name).dmesg()
        assert expected_scmi_probe(info) in dmesg, name
        assert "Using scmi_virtio_transport" in dmesg, name


def test_the_scmi_and_i2c_drivers_log_no_warning(xen_system: XenSystem) -> None:
    for name in GUESTS:
        bad = [
            line
            for line in xen_system.domu(name).check("dmesg -r").splitlines()
            if re.match(r"<[0-4]>", line) and re.search(r"scmi|virtio|i2c", line, re.IGNORECASE)
        ]
        assert bad == [], (name, bad)


def test_debugfs_clk_lists_exactly_the_granted_clocks_at_their_rates(
    xen_system: XenSystem,
) -> None:
    info = xen_system.scmi_info()
    platform = xen_system.platform
    for name in GUESTS:
        dom = xen_system.domu(name)
        agent = info.agent_of_guest(spec(xen_system, name).index)
        granted = {g.name: g.resource for g in agent.granted("clock")}
        assert scmi_clocks(dom) == set(granted), name
        for clk, res in granted.items():
            rate = int(dom.check(f"cat /sys/kernel/debug/clk/{clk}/clk_rate"))
            assert rate == platform.state("clock", res).value, (name, clk)


def test_hwmon_reads_the_value_set_in_the_platform(xen_system: XenSystem) -> None:
    info = xen_system.scmi_info()
    ivi = xen_system.domu("ivi")
    agent = info.agent_of_guest(spec(xen_system, "ivi").index)
    sensor = next(s for s in agent.granted("sensor") if s.name == "soc_temp")
    value = random.Random().randrange(20_000, 90_000)
    xen_system.platform.set_sensor(sensor.resource, value)
    assert scmi_sensor(ivi, sensor.name) == value
    xen_system.platform.set_sensor(sensor.resource, value + 1500)
    assert scmi_sensor(ivi, sensor.name) == value + 1500


def test_i2cdetect_shows_exactly_the_allowed_present_addresses(xen_system: XenSystem) -> None:
    for name in GUESTS:
        dom = xen_system.domu(name)
        present = {
            r.guest_address
            for r in spec(xen_system, name).i2c.routes
            if r.target is not None and not r.ten_bit
        }
        assert set(i2cdetect(dom, virtio_i2c_bus(dom))) == present, name


def test_i2ctransfer_writes_and_reads_back_the_eeprom(xen_system: XenSystem) -> None:
    ivi = xen_system.domu("ivi")
    bus = virtio_i2c_bus(ivi)
    data = random.Random().randbytes(4)
    offset = 0x40
    hexes = " ".join(f"{b:#04x}" for b in data)
    ivi.check(f"i2ctransfer -y {bus} w{1 + len(data)}@0x50 {offset:#04x} {hexes}")
    out = ivi.check(f"i2ctransfer -y {bus} w1@0x50 {offset:#04x} r{len(data)}@0x50")
    assert bytes(int(x, 16) for x in out.split()) == data
    route = next(r for r in spec(xen_system, "ivi").i2c.routes if r.guest_address == 0x50)
    eeprom = xen_system.platform.eeprom(route.target.bus_id, route.bus_address)
    assert eeprom[offset : offset + len(data)] == data  # the platform's EEPROM holds it


def test_cluster_reads_the_sensor_through_its_remapped_address(xen_system: XenSystem) -> None:
    cluster = xen_system.domu("cluster")
    route = next(r for r in spec(xen_system, "cluster").i2c.routes if r.remapped and r.target)
    temp = random.Random().randrange(20, 60) * 1000
    xen_system.platform.set_temp(route.target.bus_id, route.bus_address, temp)
    out = cluster.check(
        f"i2ctransfer -y {virtio_i2c_bus(cluster)} w1@{route.guest_address:#x} 0x00 "
        f"r2@{route.guest_address:#x}"
    )
    msb, lsb = (int(x, 16) for x in out.split())
    assert ((msb << 8 | lsb) >> 7) * 500 == temp  # LM75: 9-bit, 0.5 degC per step


def test_read_only_eeprom_refuses_the_write_and_keeps_its_content(xen_system: XenSystem) -> None:
    cluster = xen_system.domu("cluster")
    route = next(r for r in spec(xen_system, "cluster").i2c.routes if r.read_only)
    before = xen_system.platform.eeprom(route.target.bus_id, route.bus_address)
    _, out = cluster.run(
        f"i2ctransfer -y {virtio_i2c_bus(cluster)} w2@{route.guest_address:#x} 0x00 0x5a"
    )
    assert "only 0/1 messages sent" in out
    assert xen_system.platform.eeprom(route.target.bus_id, route.bus_address) == before


def test_a_grant_domus_buffers_are_unmapped_when_their_requests_complete(
    xen_system: XenSystem,
) -> None:
    """Each request of the grant DomU maps its buffers and unmaps them before the device
    hands them back: after a burst of I2C and SCMI requests Dom0 holds its rings only
    (RING_PARTS per running queue), one map per unmap of a buffer. Unbinding its virtio-i2c
    driver resets the device: that device's rings go too, and the rebound driver's rings
    come back; the DomU never finds a grant still in use."""
    lay = layout(xen_system.system)
    d = next(x for x in lay.domains if x.grants)
    dom = xen_system.domu(d.guest.name)

    def held() -> tuple[dict, int]:
        st = xen_system.stats()[d.domid]
        rings = sum(1 for dev in st["devs"] for size in dev["qsize"] if size) * RING_PARTS
        return st["ioreq"], rings

    before, rings = held()
    assert before["mapped"] == rings, before
    bus = virtio_i2c_bus(dom)
    for _ in range(5):
        dom.check(f"i2ctransfer -y {bus} w1@0x50 0x00 r4@0x50")
    scmi_raw(dom, 0x10, 0x0)  # BASE_PROTOCOL_VERSION
    after, rings = held()
    assert after["mapped"] == rings and after["mapped_pages"] == rings, after
    assert after["maps"] - before["maps"] == after["unmaps"] - before["unmaps"] >= 6, after
    assert after["gnt_refused"] == before["gnt_refused"], after
    i2c = next(x for x in d.devices if x.kind == "i2c")
    node = f"{i2c.base:x}.virtio"
    dom.check(f"echo {node} > /sys/bus/platform/drivers/virtio-mmio/unbind")
    unbound, rings_left = held()
    assert unbound["mapped"] == rings_left < rings, unbound
    dom.check(f"echo {node} > /sys/bus/platform/drivers/virtio-mmio/bind")
    dom.check(
        "i=0; until grep -q i2c_virtio /sys/bus/i2c/devices/i2c-*/name 2>/dev/null; do "
        "i=$((i+1)); [ $i -gt 100 ] && exit 1; sleep 0.1; done"
    )
    rebound, rings = held()
    assert rebound["mapped"] == rings, rebound
    assert "Grant still in use" not in dom.dmesg()


# ---- sharing -----------------------------------------------------------------------------

CLOCK_PROTOCOL, CLOCK_CONFIG_SET = 0x14, 0x7


def _clock_set(g: Domain, local_id: int, on: bool) -> None:
    reply = scmi_raw(g, CLOCK_PROTOCOL, CLOCK_CONFIG_SET, [local_id, int(on), 0])
    assert reply.status == 0, reply


def test_two_domus_sharing_a_clock_do_not_turn_it_off_for_each_other(
    xen_system: XenSystem,
) -> None:
    info = xen_system.scmi_info()
    agents = {n: info.agent_of_guest(spec(xen_system, n).index) for n in GUESTS}
    shared = {
        n: next(x for x in a.granted("clock") if x.name == "uart0") for n, a in agents.items()
    }
    res = shared["ivi"].resource
    assert shared["cluster"].resource == res
    bit = {n: 1 << (a.agent_id - 1) for n, a in agents.items()}
    doms = {n: xen_system.domu(n) for n in GUESTS}
    platform = xen_system.platform

    def state() -> tuple[bool, int]:
        s = platform.state("clock", res)
        return s.on, s.votes

    assert state() == (False, 0)
    for first, second in (("ivi", "cluster"), ("cluster", "ivi")):
        _clock_set(doms[first], shared[first].local_id, True)
        assert state() == (True, bit[first])
        _clock_set(doms[second], shared[second].local_id, True)
        assert state() == (True, bit[first] | bit[second])
        _clock_set(doms[first], shared[first].local_id, False)
        assert state() == (True, bit[second])  # still on: the other DomU holds it
        _clock_set(doms[second], shared[second].local_id, False)
        assert state() == (False, 0)


def test_a_rebound_scmi_driver_starts_without_the_old_drivers_votes(
    xen_system: XenSystem,
) -> None:
    """Unbinding the DomU's scmi-virtio driver resets its virtio-mmio device (status 0
    written to the trapped register): the backend forgets the agent's votes. Run last."""
    info = xen_system.scmi_info()
    ivi = xen_system.domu("ivi")
    uart = next(
        x for x in info.agent_of_guest(spec(xen_system, "ivi").index).granted("clock")
        if x.name == "uart0"
    )  # fmt: skip
    platform = xen_system.platform
    _clock_set(ivi, uart.local_id, True)
    assert platform.state("clock", uart.resource).on
    dev = ivi.check("ls /sys/bus/virtio/drivers/scmi-virtio | grep virtio").strip()
    ivi.check(f"echo {dev} > /sys/bus/virtio/drivers/scmi-virtio/unbind")
    state = platform.state("clock", uart.resource)
    assert (state.on, state.votes) == (False, 0)
    ivi.check(f"echo {dev} > /sys/bus/virtio/drivers/scmi-virtio/bind")
    assert scmi_raw(ivi, 0x10, 0x0).status == 0  # the new driver is served


def test_no_grant_was_ended_while_vbe_mapped_it(xen_system: XenSystem) -> None:
    """Linux's grant DMA ops end a buffer's grants when the driver unmaps it; one the backend
    still maps cannot end ("Grant still in use by backend domain") and the device is never
    used again. After every test above (requests, a reset by unbinding a driver): never."""
    for name in GUESTS:
        assert "Grant still in use" not in xen_system.domu(name).dmesg(), name
