"""Grants: a guest with Linux's grant DMA ops, its grant table played by the test as Xen.

The devices (virtio-mmio over the IOREQ page, as in test_mmio.py) reach the guest's memory
only through grant references (bit 63 set): rings mapped from DRIVER_OK until the device
resets, each request's buffers and indirect table mapped per request and given back before
its completion shows on the used ring, so the guest's driver ends every grant when it
unmaps (pyhost.virtio.grant raises GrantInUse where Linux would say "Grant still in use by
backend domain" and break the device). Every map and unmap is counted on both sides (the
core's vbe_gnt and the test's grant table).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest
from mmio_util import I2C_ID, SCMI_ID, Domain, backend, i2c_chain, scmi_header

from pyhost.headers import dev_faults, vq_faults
from pyhost.scmi.wire import W
from pyhost.virtio import mmio as r
from pyhost.virtio.errors import DeviceNeedsReset, FeaturesRefused
from pyhost.virtio.grant import ADDR_FLAG
from pyhost.virtio.ring import F_WRITE

EEPROM = 0x50
RING_PARTS = 3  # desc, avail, used: each mapped on its own while the queue runs
FAIL_NEXT = 0x1
MAPS, UNMAPS, PAGES, LIVE, LIVE_MAX, LIVE_PAGES, LIVE_PAGES_MAX, REFUSED = range(8)
NOT_GRANT, BAD_REF, TOO_LONG, MAP_FAILED = range(4)


@pytest.fixture
def doms() -> Iterator[tuple[Domain, Domain]]:
    """ivi with grants, cluster without: both modes on one platform."""
    with backend() as (core, host):
        ivi, cluster = Domain(core, host, 0, grants=True), Domain(core, host, 1)
        try:
            yield ivi, cluster
        finally:
            ivi.close()
            cluster.close()


@pytest.fixture
def dom(doms: tuple[Domain, Domain]) -> Iterator[Domain]:
    d = doms[0]
    yield d
    assert d.table is not None and d.table.errors == [], "a grant callback failed"


def live(d: Domain) -> int:
    """Mappings the backend holds now, as the grant table sees them; the core agrees."""
    assert d.table is not None
    assert d.gnt_stat(LIVE) == d.table.live
    assert d.gnt_stat(MAPS) == d.table.maps and d.gnt_stat(UNMAPS) == d.table.unmaps
    return d.table.live


def eeprom_write(addr: int, data: bytes) -> tuple[list[bytes], list[int]]:
    return i2c_chain(EEPROM, write=bytes([addr]) + data)


def test_i2c_and_scmi_served_through_grants(dom: Domain) -> None:
    q = dom.open(I2C_ID).queues[0]
    assert live(dom) == RING_PARTS
    for indirect in (False, True):  # Linux uses indirect tables for multi-buffer chains
        assert q.call(*eeprom_write(0x20, b"gnt!"), indirect=indirect).segments[-1] == b"\0"
        q.call(*eeprom_write(0x20, b""), indirect=indirect)
        used = q.call(*i2c_chain(EEPROM, read=4), indirect=indirect)
        assert used.segments == (b"gnt!", b"\0")
        assert live(dom) == RING_PARTS  # every buffer given back: the driver ended them
    s = dom.open(SCMI_ID).queues[0]
    hdr = scmi_header(0x10, 0, token=7)
    got = struct.unpack_from("<IiI", s.call([struct.pack("<I", hdr)], [12], True).data)
    assert got == (hdr, 0, 0x20001)
    assert live(dom) == 3 * RING_PARTS  # i2c's one queue and scmi's two


def test_each_request_maps_and_unmaps_its_buffers_and_table(dom: Domain) -> None:
    q = dom.open(I2C_ID).queues[0]
    maps, unmaps = dom.gnt_stat(MAPS), dom.gnt_stat(UNMAPS)
    q.call(*eeprom_write(0x30, b"x"), indirect=True)  # out_hdr, buffer, in_hdr + the table
    assert dom.gnt_stat(MAPS) - maps == 4
    assert dom.gnt_stat(UNMAPS) - unmaps == 4
    before = dom.gnt_stat(MAPS)
    q.call(*i2c_chain(EEPROM, read=2))  # direct: three buffers
    assert dom.gnt_stat(MAPS) - before == 3
    assert live(dom) == RING_PARTS


def test_a_buffer_across_pages_is_one_mapping_of_consecutive_references(dom: Domain) -> None:
    s = dom.open(SCMI_ID).queues[0]
    assert dom.table is not None and dom.gnt_stat(LIVE_PAGES) == 2 * RING_PARTS
    seen: list[tuple[int, int]] = []
    dom.table.on_unmap = lambda: seen.append((dom.gnt_stat(LIVE), dom.gnt_stat(LIVE_PAGES)))
    hdr = scmi_header(0x10, 0, token=3)
    pages = dom.gnt_stat(PAGES)
    reply = s.call([struct.pack("<I", hdr)], [3 * 4096])  # room for a reply over 3-4 pages
    assert struct.unpack_from("<Ii", reply.data) == (hdr, 0)
    span = dom.gnt_stat(PAGES) - pages - 1  # the pages of the reply buffer (the request: 1)
    assert span in (3, 4)
    # at the push the two buffers went back: the reply's run as one mapping of its pages
    assert seen[0] == (2 * RING_PARTS + 2, 2 * RING_PARTS + 1 + span)
    assert dom.gnt_stat(LIVE_PAGES_MAX) == 2 * RING_PARTS + 1 + span
    assert dom.gnt_stat(LIVE_PAGES) == 2 * RING_PARTS


def test_buffers_released_before_the_used_entry_shows(dom: Domain) -> None:
    q = dom.open(I2C_ID).queues[0]
    assert dom.table is not None
    seen: list[int] = []
    # what a guest polling its used ring would see at each unmap
    dom.table.on_unmap = lambda: seen.append(q.ring.used_idx())
    before = q.ring.used_idx()
    q.call(*eeprom_write(0x40, b"ab"), indirect=True)
    # the walk's table first, then the three buffers at the push: none after the entry
    assert seen == [before] * 4


def test_rings_mapped_until_reset(dom: Domain) -> None:
    dev = dom.open(SCMI_ID)
    assert live(dom) == 2 * RING_PARTS
    pages_before = dom.gnt_stat(PAGES)
    dev.reset()  # the status write unmaps the rings; the driver then ends their grants
    assert live(dom) == 0
    assert dom.gnt_stat(PAGES) == pages_before
    dom.open(SCMI_ID)  # and a new set-up maps them again
    assert live(dom) == 2 * RING_PARTS


def test_access_platform_offered_and_required(doms: tuple[Domain, Domain]) -> None:
    ivi, cluster = doms
    assert ivi.device(I2C_ID).device_features & r.F_ACCESS_PLATFORM
    assert not cluster.device(I2C_ID).device_features & r.F_ACCESS_PLATFORM
    dev = ivi.device(I2C_ID)
    dev.reset()
    with pytest.raises(FeaturesRefused):
        dev.negotiate((1 << 32) | 1)  # VERSION_1 and ZERO_LENGTH, without ACCESS_PLATFORM


# ---- what a guest may not do: its device breaks, nothing else ------------------------------


def _publish_one(dom: Domain, q: r.MmioQueue, addr: int, length: int, flags: int = 0) -> None:
    ring = q.ring
    (i,) = ring.take_descs(1)
    ring.write_desc(i, addr, length, flags)
    ring.write_avail_entry(ring.avail_idx, i)
    ring.write_avail_idx(ring.avail_idx + 1)
    q.kick()


@pytest.mark.parametrize(
    ("what", "refusal"),
    [("guest-physical", NOT_GRANT), ("not granted", MAP_FAILED), ("read-only", MAP_FAILED)],
)
def test_buffer_outside_the_grants_breaks_only_that_device(
    doms: tuple[Domain, Domain], what: str, refusal: int
) -> None:
    ivi, cluster = doms
    assert ivi.table is not None
    dev = ivi.open(I2C_ID)
    q = dev.queues[0]
    flags = 0
    if what == "guest-physical":
        addr = 0x2_0000  # guest RAM, by address: a grant guest never hands one out
    elif what == "not granted":
        addr = ADDR_FLAG | 5000 << 12
    else:
        ref = ivi.table.grant(0x30, 1, readonly=True)  # granted, but read-only...
        addr, flags = ADDR_FLAG | ref << 12, F_WRITE  # ... given for the device to write
    before = ivi.gnt_stat(REFUSED + refusal)
    _publish_one(ivi, q, addr, 8, flags)
    assert dev.status & r.NEEDS_RESET
    assert ivi.fault(I2C_ID, 0) == vq_faults()["ADDR"].value
    assert ivi.gnt_stat(REFUSED + refusal) == before + 1
    assert live(ivi) == RING_PARTS  # nothing of the broken request stays mapped
    # ivi's other device and the other guest keep being served
    s = ivi.open(SCMI_ID).queues[0]
    assert (
        struct.unpack_from("<Ii", s.call([struct.pack("<I", scmi_header(0x10, 0))], [12]).data)[1]
        == 0
    )
    assert cluster.open(I2C_ID).queues[0].call(*i2c_chain(0x49, read=2)).segments[-1] == b"\0"
    dev.reset()
    assert live(ivi) == 2 * RING_PARTS  # the scmi device's rings only
    assert ivi.open(I2C_ID).queues[0].call(*i2c_chain(EEPROM, read=1)).segments[-1] == b"\0"


def test_ring_outside_the_grants_needs_reset_and_releases(dom: Domain) -> None:
    dev = dom.device(I2C_ID)
    dev.reset()
    dev.negotiate((1 << 32) | 1 | r.F_ACCESS_PLATFORM)
    assert dom.dma is not None
    rings = dom.dma.coherent(0x1000, 0x1000)
    # descriptors and avail ring granted, the used ring a guest-physical address
    dev.program_queue(0, 16, rings, rings + 0x100, 0x3000)
    with pytest.raises(DeviceNeedsReset):
        dev.driver_ok()
    assert dom.fault(I2C_ID, 0) == dev_faults()["QUEUE_RANGE"].value
    assert dom.gnt_stat(REFUSED + NOT_GRANT) == 1
    assert live(dom) == 2  # what DRIVER_OK mapped stays until the reset
    dev.reset()
    assert live(dom) == 0
    dom.dma.unmap(rings, 0x1000)  # the guest frees its rings: no grant in use


def test_chain_with_too_many_segments_releases_everything(dom: Domain) -> None:
    q = dom.open(I2C_ID).queues[0]
    hdr = struct.pack("<HHI", EEPROM << 1, 0, 0)
    used = q.call([hdr] + [b"z"] * 9, [1])  # eleven segments: more than VBE_VQ_MAX_SEGS
    assert used.length == 0
    assert live(dom) == RING_PARTS


def test_zero_length_buffer_is_mapped_and_released_at_once(dom: Domain) -> None:
    q = dom.open(I2C_ID).queues[0]
    before = dom.gnt_stat(MAPS)
    hdr = struct.pack("<HHI", EEPROM << 1, 0, 0)
    assert q.call([hdr, b""], [1]).segments[-1] == b"\0"
    assert dom.gnt_stat(MAPS) - before == 3
    assert live(dom) == RING_PARTS


# ---- chains the device holds keep their mappings until they complete ------------------------


def _fail_next(addr: int, data: bytes) -> tuple[list[bytes], list[int]]:
    return [struct.pack("<HHI", addr << 1, 0, FAIL_NEXT), data], [1]


def test_held_fail_next_group_keeps_its_mappings_until_it_completes(dom: Domain) -> None:
    q = dom.open(I2C_ID).queues[0]
    first = q.submit(*_fail_next(EEPROM, bytes([0x50])), indirect=True)
    assert live(dom) == RING_PARTS + 3  # held: its three buffers (the table went after the walk)
    last = q.submit(*i2c_chain(EEPROM, read=2), indirect=True)
    done = q.wait([first, last])
    assert done[first].segments[-1] == b"\0" and done[last].segments[-1] == b"\0"
    assert live(dom) == RING_PARTS


def test_held_group_released_when_the_ring_breaks(dom: Domain) -> None:
    dev = dom.open(I2C_ID)
    q = dev.queues[0]
    q.submit(*_fail_next(EEPROM, bytes([0x50])))
    assert live(dom) == RING_PARTS + 3
    _publish_one(dom, q, ADDR_FLAG | 7000 << 12, 4)  # the group's next chain: not granted
    assert dev.status & r.NEEDS_RESET
    assert live(dom) == RING_PARTS  # the held chain was dropped with its mappings
    dev.reset()  # the driver detaches the held chain and ends its grants: none in use
    assert live(dom) == 0


def test_held_group_released_when_the_device_resets(dom: Domain) -> None:
    dev = dom.open(I2C_ID)
    dev.queues[0].submit(*_fail_next(EEPROM, bytes([0x50])))
    assert live(dom) == RING_PARTS + 3
    dev.reset()
    assert live(dom) == 0


def test_destroyed_domain_releases_everything(dom: Domain) -> None:
    dom.open(SCMI_ID)
    dom.open(I2C_ID).queues[0].submit(*_fail_next(EEPROM, bytes([0x50])))
    assert live(dom) == 3 * RING_PARTS + 3
    dom.core.lib.vbe_host_xen_destroy(dom.handle)
    dom.handle = None
    assert dom.table is not None and dom.table.live == 0


# ---- the SCMI eventq: buffers posted are not mapped until an event fills them --------------


def _async_cpu_rate_set(q: r.MmioQueue) -> int:
    """CLOCK_RATE_SET, async, of ivi's clock 0 (cpu: control in the demo) to its rate."""
    clock = W("PROTO_CLOCK")
    hdr = scmi_header(clock, W("CLOCK_RATE_GET"), token=1)
    _, status, lo, hi = struct.unpack_from("<IiII", q.call([struct.pack("<II", hdr, 0)], [16]).data)
    assert status == 0, "ivi reads its clock 0 (cpu) in the demo system"
    hdr = scmi_header(clock, W("CLOCK_RATE_SET"), token=2)
    msg = struct.pack("<IIIII", hdr, W("CLOCK_SET_ASYNC"), 0, lo, hi)
    status = struct.unpack_from("<Ii", q.call([msg], [8]).data)[1]
    assert status == 0, "ivi may set its clock 0 (cpu: control) in the demo system"
    return hdr


def test_eventq_buffers_mapped_only_while_an_event_fills_them(dom: Domain) -> None:
    dev = dom.open(SCMI_ID)
    cmdq, eventq = dev.queues[0], dev.queues[1]
    posted = [eventq.submit([], [32]) for _ in range(2)]
    assert live(dom) == 2 * RING_PARTS  # posted, not taken: nothing mapped
    before = dom.gnt_stat(MAPS)
    hdr = _async_cpu_rate_set(cmdq)  # its delayed response goes into the first buffer
    done = eventq.wait(posted[:1])[posted[0]]
    ev_hdr, status, clock_id = struct.unpack_from("<IiI", done.data)
    # a delayed response (type 2) to the same message, status SUCCESS, clock 0
    assert (ev_hdr & 0xFF, ev_hdr >> 8 & 3, status, clock_id) == (hdr & 0xFF, 2, 0, 0)
    assert live(dom) == 2 * RING_PARTS  # the event's buffer went back with it
    # the rate get and set (two buffers each) and the event buffer: five maps, all undone
    assert dom.gnt_stat(MAPS) - before == 5


def test_held_delayed_response_maps_the_buffer_posted_later(dom: Domain) -> None:
    dev = dom.open(SCMI_ID)
    cmdq, eventq = dev.queues[0], dev.queues[1]
    _async_cpu_rate_set(cmdq)  # no eventq buffer: the delayed response is held, in memory
    assert live(dom) == 2 * RING_PARTS
    head = eventq.submit([], [32])
    eventq.kick()
    assert eventq.wait([head])[head].length >= 12
    assert live(dom) == 2 * RING_PARTS
