"""Xen's IOREQ page protocol, device side (vbe/ioreq.h): the test plays Xen.

Each case fills a vCPU's slot as Xen does and checks what the server leaves in it: every
request is answered (IORESP_READY and an event), a request it cannot serve is refused
cleanly (a read gives all ones) and counted, and only the access's bytes are returned.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest
from mmio_util import BASE, I2C_ID, Domain, backend

from pyhost.virtio import mmio as r

SERVED, READS, WRITES, REFUSED = 0, 1, 2, 3  # VBE_HOST_XEN_STAT_*
BAD_TYPE, BAD_PTR, BAD_COUNT, BAD_SIZE, BAD_ADDR, BAD_DEVICE = range(6)  # enum vbe_ioreq_refusal


@pytest.fixture
def dom() -> Iterator[Domain]:
    with backend() as (core, host):
        d = Domain(core, host, 0, vcpus=2)
        try:
            yield d
        finally:
            d.close()


def test_read_answers_in_the_slot(dom: Domain) -> None:
    a = dom.trap.request(BASE + r.MAGIC_VALUE, 4, read=True)
    assert (a.state, a.data) == (r.STATE_RESP_READY, r.MAGIC)
    assert dom.ioreq_stat(SERVED) == 1 and dom.ioreq_stat(READS) == 1


def test_only_the_accessed_bytes_come_back(dom: Domain) -> None:
    # an 8-byte read of a control register is refused by the device: 0, not stale data
    a = dom.trap.request(BASE + r.MAGIC_VALUE, 8, read=True, data=0x1122334455667788)
    assert a.data == 0
    assert dom.ioreq_stat(REFUSED + BAD_DEVICE) == 1


def test_slot_not_ready_is_left_alone(dom: Domain) -> None:
    lib = dom.core.lib
    assert lib.vbe_host_xen_handle(dom.handle, 0) == -11  # -EAGAIN
    assert lib.vbe_host_xen_handle(dom.handle, 2) == -22  # -EINVAL: no such vCPU
    assert dom.ioreq_stat(SERVED) == 0
    assert lib.vbe_host_xen_notified(dom.handle, 0) == 0


def test_each_vcpu_has_its_own_slot(dom: Domain) -> None:
    other = r.XenIoreqTrap(dom.core, dom.handle, dom.page.view, vcpu=1)
    assert other.read(BASE + r.DEVICE_ID, 4) == I2C_ID
    assert dom.core.lib.vbe_host_xen_notified(dom.handle, 1) == 1
    assert dom.core.lib.vbe_host_xen_notified(dom.handle, 0) == 0


def test_state_goes_through_inprocess_to_resp_ready(dom: Domain) -> None:
    slot = r.SLOT
    page = dom.page.view
    slot.pack_into(page, 0, BASE + r.VERSION, 0, 1, 4, 9, 0, r.FLAG_DIR_READ, r.TYPE_COPY)
    page[30] = r.FLAG_DIR_READ | r.STATE_READY
    assert dom.core.lib.vbe_host_xen_handle(dom.handle, 0) == 0
    addr, data, count, size, port, _, flags, type_ = slot.unpack_from(page, 0)
    # the request fields and the event channel are untouched; data answers; state last
    assert (addr, count, size, port, type_) == (BASE + r.VERSION, 1, 4, 9, r.TYPE_COPY)
    assert data == 2 and flags == r.FLAG_DIR_READ | r.STATE_RESP_READY


@pytest.mark.parametrize(
    "kw, why",
    [
        ({"type_": r.TYPE_PIO}, BAD_TYPE),
        ({"type_": 2}, BAD_TYPE),  # PCI config space
        ({"ptr": True}, BAD_PTR),
        ({"count": 2}, BAD_COUNT),
        ({"size": 3}, BAD_SIZE),
        ({"size": 16}, BAD_SIZE),
        ({"addr": BASE - 4}, BAD_ADDR),
        ({"addr": BASE + 0x200 * 2}, BAD_ADDR),  # past ivi's two windows
        ({"addr": BASE + 0x3FE}, BAD_ADDR),  # a 4-byte access crossing the last window's end
    ],
)
def test_unservable_read_answered_with_all_ones(dom: Domain, kw: dict, why: int) -> None:
    args = {"addr": BASE + r.MAGIC_VALUE, "size": 4} | kw
    addr, size = args.pop("addr"), args.pop("size")
    a = dom.trap.request(addr, size, read=True, **args)
    assert a.state == r.STATE_RESP_READY  # the vCPU is never left blocked
    expect = ~0 & ((1 << 64) - 1) if size >= 8 else (1 << (8 * size)) - 1
    assert a.data == expect
    assert dom.ioreq_stat(REFUSED + why) == 1


def test_unservable_write_is_dropped(dom: Domain) -> None:
    a = dom.trap.request(BASE + r.STATUS, 4, read=False, data=r.ACKNOWLEDGE, count=4)
    assert a.state == r.STATE_RESP_READY
    assert dom.trap.read(BASE + r.STATUS, 4) == 0  # nothing reached the device
    assert dom.ioreq_stat(REFUSED + BAD_COUNT) == 1


def test_event_channel_port_read_from_the_page(dom: Domain) -> None:
    lib = dom.core.lib
    struct.pack_into("<I", dom.page.view, 32 + 24, 77)  # vCPU 1's vp_eport, as Xen fills it
    assert lib.vbe_host_xen_vcpu_port(dom.handle, 1) == 77
    assert lib.vbe_host_xen_vcpu_port(dom.handle, 2) == 0  # no such vCPU
    r.XenIoreqTrap(dom.core, dom.handle, dom.page.view, vcpu=1).read(BASE + r.MAGIC_VALUE, 4)
    assert struct.unpack_from("<I", dom.page.view, 32 + 24)[0] == 77  # the server kept it
    assert lib.vbe_host_xen_notified(dom.handle, 1) == 1
