"""virtio-mmio over Xen's IOREQ page protocol, with the test playing Xen and the guest.

Every access goes through an ioreq slot exactly as Xen hands it to a device model: the
register semantics (virtio 1.2, 4.2.2), the initialisation Linux's virtio_mmio does, real
virtio-i2c and virtio-scmi requests landing in the simulated platform, the refusals of
accesses the spec forbids, and the faults of a misbehaving driver, which break only its own
device.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest
from mmio_util import (
    I2C_ID,
    SCMI_ID,
    Domain,
    backend,
    demo_scmi,
    i2c_chain,
    platform,
    res_state,
    scmi_header,
)

from pyhost.headers import dev_faults, vq_faults
from pyhost.virtio import mmio as r
from pyhost.virtio.errors import DeviceNeedsReset, FeaturesRefused

EEPROM, SENSOR = 0x50, 0x48
HOST_MMIO_REFUSED = 3  # VBE_HOST_MMIO_STAT_REFUSED + enum vbe_mmio_refusal
BAD_WIDTH, BAD_CONFIG, BAD_OFFSET, BAD_DIRECTION, BAD_QUEUE, BAD_LIVE = range(6)


@pytest.fixture
def two_domains() -> Iterator[tuple[Domain, Domain]]:
    """ivi (guest 0) and cluster (guest 1) as two domains on one platform."""
    with backend() as (core, host):
        ivi, cluster = Domain(core, host, 0), Domain(core, host, 1)
        try:
            yield ivi, cluster
        finally:
            ivi.close()
            cluster.close()


@pytest.fixture
def dom(two_domains: tuple[Domain, Domain]) -> Domain:
    return two_domains[0]


def refused(d: Domain, device_id: int, why: int) -> int:
    return d.mmio_stat(device_id, HOST_MMIO_REFUSED + why)


# ---- probe and registers -----------------------------------------------------------------


def test_probe_reads_identity_of_each_window(dom: Domain) -> None:
    for device_id in (I2C_ID, SCMI_ID):
        base = dom.base_of(device_id)
        assert dom.trap.read(base + r.MAGIC_VALUE, 4) == r.MAGIC
        assert dom.trap.read(base + r.VERSION, 4) == 2
        assert dom.trap.read(base + r.DEVICE_ID, 4) == device_id
        assert dom.trap.read(base + r.VENDOR_ID, 4) == 0x00454256
    # the order vbe gen gives the windows: virtio-i2c first
    assert dom.base_of(I2C_ID) == 0x0200_0000 and dom.base_of(SCMI_ID) == 0x0200_0200


def test_features_offered_in_two_words(dom: Domain) -> None:
    dev = dom.device(I2C_ID)
    offered = dev.device_features
    assert offered & (1 << 32)  # VERSION_1 in the second word
    assert offered & (1 << 0)  # ZERO_LENGTH_REQUEST
    dev.write32(r.DEVICE_FEATURES_SEL, 2)
    assert dev.read32(r.DEVICE_FEATURES) == 0  # past the two words: nothing


def test_queue_num_max_zero_past_the_last_queue(dom: Domain) -> None:
    dev = dom.device(I2C_ID)  # one queue
    dev.write32(r.QUEUE_SEL, 0)
    assert dev.read32(r.QUEUE_NUM_MAX) > 0
    dev.write32(r.QUEUE_SEL, 1)
    assert dev.read32(r.QUEUE_NUM_MAX) == 0


def test_no_shared_memory_regions(dom: Domain) -> None:
    dev = dom.device(SCMI_ID)
    dev.write32(r.SHM_SEL, 0)
    assert dev.read32(r.SHM_LEN_LOW) == 0xFFFFFFFF
    assert dev.read32(r.SHM_LEN_LOW + 4) == 0xFFFFFFFF


def test_version_1_required(dom: Domain) -> None:
    dev = dom.device(I2C_ID)
    dev.reset()
    with pytest.raises(FeaturesRefused):
        dev.negotiate(1 << 0)  # ZERO_LENGTH without VERSION_1
    assert not dev.status & r.FEATURES_OK


def test_i2c_refuses_driver_without_zero_length(dom: Domain) -> None:
    dev = dom.device(I2C_ID)
    dev.reset()
    with pytest.raises(FeaturesRefused):
        dev.negotiate(1 << 32)


def test_driver_features_past_the_second_word_fail_features_ok(dom: Domain) -> None:
    dev = dom.device(I2C_ID)
    dev.reset()
    dev.write_status(r.ACKNOWLEDGE | r.DRIVER)
    dev.write32(r.DRIVER_FEATURES_SEL, 0)
    dev.write32(r.DRIVER_FEATURES_REG, 1)
    dev.write32(r.DRIVER_FEATURES_SEL, 1)
    dev.write32(r.DRIVER_FEATURES_REG, 1)
    dev.write32(r.DRIVER_FEATURES_SEL, 2)
    dev.write32(r.DRIVER_FEATURES_REG, 1)  # a bit 64 that nobody offered
    assert not dev.write_status(r.ACKNOWLEDGE | r.DRIVER | r.FEATURES_OK) & r.FEATURES_OK


# ---- requests reach the platform ---------------------------------------------------------


def test_i2c_write_and_read_back_through_the_eeprom(dom: Domain) -> None:
    dev = dom.open(I2C_ID)
    q = dev.queues[0]
    _, raised0 = dom.irq(I2C_ID)
    used = q.call(*i2c_chain(EEPROM, write=bytes([0x10]) + b"xen!"))
    assert used.segments[-1] == b"\x00"
    q.call(*i2c_chain(EEPROM, write=bytes([0x10])))
    used = q.call(*i2c_chain(EEPROM, read=4))
    assert used.segments[0] == b"xen!" and used.segments[1] == b"\x00"
    assert platform(dom.core, dom.host).eeprom(0, EEPROM)[0x10:0x14] == b"xen!"
    # one interrupt per completed request, acknowledged like Linux's handler does
    level, raised = dom.irq(I2C_ID)
    assert level == 1 and raised == raised0 + 3
    assert dev.ack_interrupt() == r.INT_VRING
    assert dom.irq(I2C_ID)[0] == 0


def test_i2c_denied_address_gets_err(dom: Domain) -> None:
    q = dom.open(I2C_ID).queues[0]
    used = q.call(*i2c_chain(0x51, read=1))  # ivi may not use 0x51
    assert used.segments[-1] == b"\x01"


def test_scmi_base_version_round_trip(dom: Domain) -> None:
    q = dom.open(SCMI_ID).queues[0]
    hdr = scmi_header(0x10, 0, token=5)
    used = q.call([struct.pack("<I", hdr)], [12])
    got_hdr, status, version = struct.unpack_from("<IiI", used.data)
    assert (got_hdr, status) == (hdr, 0) and version == 0x20001


def test_config_space_reads_natural_widths(dom: Domain) -> None:
    dev = dom.device(SCMI_ID)  # virtio-scmi has no config space: every read is refused
    before = refused(dom, SCMI_ID, BAD_CONFIG)
    assert dev.config(0, 4) == 0
    assert refused(dom, SCMI_ID, BAD_CONFIG) == before + 1


# ---- what the spec forbids the driver: refused, counted, never a device fault ---------------


@pytest.mark.parametrize("size", [1, 2, 8])
def test_control_register_width_refused(dom: Domain, size: int) -> None:
    base = dom.base_of(I2C_ID)
    before = refused(dom, I2C_ID, BAD_WIDTH)
    assert dom.trap.read(base + r.MAGIC_VALUE, size) == 0
    assert refused(dom, I2C_ID, BAD_WIDTH) == before + 1
    assert dom.trap.read(base + r.MAGIC_VALUE, 4) == r.MAGIC


def test_misaligned_control_register_refused(dom: Domain) -> None:
    base = dom.base_of(I2C_ID)
    assert dom.trap.read(base + r.DEVICE_ID + 2, 4) == 0
    assert refused(dom, I2C_ID, BAD_WIDTH) == 1


def test_write_to_read_only_register_ignored(dom: Domain) -> None:
    dev = dom.device(I2C_ID)
    dev.write32(r.DEVICE_ID, 7)
    assert dev.read32(r.DEVICE_ID) == I2C_ID
    assert refused(dom, I2C_ID, BAD_DIRECTION) == 1


def test_read_of_write_only_register_gives_zero(dom: Domain) -> None:
    dev = dom.device(I2C_ID)
    dev.write32(r.QUEUE_SEL, 0)
    assert dev.read32(r.QUEUE_NOTIFY) == 0
    assert refused(dom, I2C_ID, BAD_DIRECTION) == 1


def test_hole_in_register_map_refused(dom: Domain) -> None:
    dev = dom.device(I2C_ID)
    assert dev.read32(0x040) == 0
    assert refused(dom, I2C_ID, BAD_OFFSET) == 1


def test_queue_registers_past_last_queue_refused(dom: Domain) -> None:
    dev = dom.device(I2C_ID)
    dev.write32(r.QUEUE_SEL, 5)
    dev.write32(r.QUEUE_NUM, 16)
    assert refused(dom, I2C_ID, BAD_QUEUE) == 1


def test_ready_queue_set_up_is_frozen(dom: Domain) -> None:
    dev = dom.open(I2C_ID)
    q = dev.queues[0]
    dev.write32(r.QUEUE_SEL, 0)
    dev.write32(r.QUEUE_DESC_LOW, 0x1000)  # moving a live ring: refused
    assert refused(dom, I2C_ID, BAD_LIVE) == 1
    assert q.call(*i2c_chain(EEPROM, read=1)).segments[-1] == b"\x00"


def test_notify_of_missing_queue_refused(dom: Domain) -> None:
    dev = dom.open(I2C_ID)
    dev.write32(r.QUEUE_NOTIFY, 3)
    assert refused(dom, I2C_ID, BAD_QUEUE) == 1
    assert not dev.status & r.NEEDS_RESET


def test_config_write_refused(dom: Domain) -> None:
    base = dom.base_of(SCMI_ID)
    dom.trap.write(base + r.CONFIG, 4, 1)
    assert refused(dom, SCMI_ID, BAD_CONFIG) == 1


# ---- a misbehaving driver breaks only its own device ---------------------------------------


def test_ring_outside_guest_memory_needs_reset(two_domains: tuple[Domain, Domain]) -> None:
    ivi, cluster = two_domains
    dev = ivi.device(I2C_ID)
    dev.reset()
    dev.negotiate((1 << 32) | 1)
    dev.program_queue(0, 16, 0x1_0000_0000, 0x1000, 0x2000)  # descriptors past guest RAM
    _, raised = ivi.irq(I2C_ID)
    with pytest.raises(DeviceNeedsReset):
        dev.driver_ok()
    assert ivi.fault(I2C_ID, 0) == dev_faults()["QUEUE_RANGE"].value
    assert dev.ack_interrupt() == r.INT_CONFIG  # NEEDS_RESET comes with a config interrupt
    assert ivi.irq(I2C_ID)[1] == raised + 1
    # the other domain, and ivi's other device, keep being served
    q = cluster.open(I2C_ID).queues[0]
    assert q.call(*i2c_chain(0x49, read=2)).segments[-1] == b"\x00"
    q = ivi.open(SCMI_ID).queues[0]
    assert (
        struct.unpack_from("<Ii", q.call([struct.pack("<I", scmi_header(0x10, 0))], [12]).data)[1]
        == 0
    )
    # a reset brings the device back
    dev = ivi.open(I2C_ID)
    assert dev.queues[0].call(*i2c_chain(EEPROM, read=1)).segments[-1] == b"\x00"


def test_misaligned_ring_needs_reset(dom: Domain) -> None:
    dev = dom.device(I2C_ID)
    dev.reset()
    dev.negotiate((1 << 32) | 1)
    dev.program_queue(0, 16, 0x1008, 0x2000, 0x3000)
    with pytest.raises(DeviceNeedsReset):
        dev.driver_ok()
    assert dom.fault(I2C_ID, 0) == dev_faults()["QUEUE_ALIGN"].value


def test_bad_descriptor_breaks_only_that_queue(two_domains: tuple[Domain, Domain]) -> None:
    ivi, cluster = two_domains
    dev = ivi.open(I2C_ID)
    q = dev.queues[0]
    ring = q.ring
    ring.write_desc(0, 0x1_0000_0000, 8)  # a buffer outside guest RAM
    ring.write_avail_entry(ring.avail_idx, 0)
    ring.write_avail_idx(ring.avail_idx + 1)
    q.kick()
    assert dev.status & r.NEEDS_RESET
    assert ivi.fault(I2C_ID, 0) == vq_faults()["ADDR"].value
    assert dev.ack_interrupt() & r.INT_CONFIG
    other = cluster.open(I2C_ID).queues[0]
    assert other.call(*i2c_chain(0x50, read=1)).segments[-1] == b"\x00"


def test_status_bits_cleared_without_reset(dom: Domain) -> None:
    dev = dom.open(I2C_ID)
    dev.write_status(r.ACKNOWLEDGE)  # drops DRIVER, FEATURES_OK, DRIVER_OK
    assert dev.status & r.NEEDS_RESET
    assert dom.fault(I2C_ID, 0) == dev_faults()["STATUS"].value


def test_destroyed_domain_releases_its_scmi_votes(two_domains: tuple[Domain, Domain]) -> None:
    ivi, _ = two_domains
    core, host = ivi.core, ivi.host
    q = ivi.open(SCMI_ID).queues[0]
    # CLOCK protocol: find uart0 among ivi's clocks, switch it on
    n = struct.unpack_from("<IiI", q.call([struct.pack("<I", scmi_header(0x14, 1))], [12]).data)[2]
    local = None
    for i in range(n & 0xFFFF):
        reply = q.call([struct.pack("<II", scmi_header(0x14, 3), i)], [40]).data
        if reply[12:28].rstrip(b"\0") == b"uart0":
            local = i
    assert local is not None, "ivi is granted uart0 in the demo system"
    # CLOCK_CONFIG_SET 3.0: clock_id, attributes (enable), oem_config_val
    reply = q.call([struct.pack("<IIII", scmi_header(0x14, 7), local, 1, 0)], [8]).data
    assert struct.unpack_from("<Ii", reply)[1] == 0
    uart0 = demo_scmi().resource_index("clock", "uart0")
    assert res_state(core, host, "clock", uart0)[0]
    ivi.close()  # the domain is destroyed: its device resets
    assert not res_state(core, host, "clock", uart0)[0]
