"""Malformed virtio-scmi traffic from one guest: chains without a header or without room for
a status, split buffers, oversize and unknown messages, token games (duplicates in flight,
the 10-bit wrap), a broken ring. Each gets its answer, and the other guest's requests keep
working in between with its state untouched."""

from __future__ import annotations

import pytest
from scmi_util import PERM_STATE, shared, status_is

from pyhost.scmi import ScmiAgent, W
from pyhost.scmi.wire import TOKEN_MASK, encode_header, u32s, words
from pyhost.virtio import DeviceNeedsReset

BASE = W("PROTO_BASE")
VERSION = W("MSG_PROTOCOL_VERSION")


def _pair(scmi) -> tuple[ScmiAgent, ScmiAgent]:
    guests = scmi.guests()
    if len(guests) < 2:
        pytest.skip("needs two guests with SCMI agents")
    return scmi(guests[0].index), scmi(guests[1].index)


def _still_fine(b: ScmiAgent) -> None:
    """The other guest's agent answers as before."""
    assert b.base.version() == W("VERSION_BASE")
    assert b.info is not None and b.base.discover_agent().name == b.info.name


@pytest.mark.parametrize("size", [1, 2, 3])
def test_chain_without_a_whole_header_completed_with_nothing_written(scmi, size):
    a, b = _pair(scmi)
    used = a.raw([bytes(size)], [136])
    assert used.length == 0
    _still_fine(b)
    assert a.base.version() == W("VERSION_BASE")


def test_chain_with_only_a_response_buffer_completed_with_nothing_written(scmi):
    a, b = _pair(scmi)
    assert a.raw([], [136]).length == 0
    _still_fine(b)


@pytest.mark.parametrize("in_lens", [[], [4], [7], [3, 4]], ids=["none", "4", "7", "3+4"])
def test_chain_without_room_for_header_and_status_completed_with_nothing_written(scmi, in_lens):
    a, b = _pair(scmi)
    request = u32s(encode_header(VERSION, BASE))
    assert a.raw([request], in_lens).length == 0
    _still_fine(b)


def test_request_split_across_descriptors_is_read_as_one(scmi):
    a, _ = _pair(scmi)
    header = u32s(encode_header(W("BASE_DISCOVER_AGENT"), BASE, token=7))
    agent = u32s(0)
    used = a.raw([header[:3], header[3:] + agent[:1], agent[1:]], [136])
    assert words(used.data[:8]) == (words(header)[0], 0)
    assert used.data[8:12] == agent and used.data[12:20] == b"platform"


def test_response_written_across_several_buffers_in_order(scmi):
    a, _ = _pair(scmi)
    header = u32s(encode_header(W("BASE_DISCOVER_VENDOR"), BASE, token=9))
    used = a.raw([header], [2, 6, 1, 127])
    assert used.length == 8 + 16
    assert used.data[:8] == header + u32s(0)
    assert used.data[8:24].rstrip(b"\0").decode() == scmi.info.vendor


def test_huge_request_protocol_error_and_the_other_guest_unaffected(scmi):
    a, b = _pair(scmi)
    r = a.call(W("PROTO_CLOCK"), W("CLOCK_RATE_GET"), bytes(4096))
    status_is(r, "PROTOCOL_ERROR")
    _still_fine(b)


def test_duplicate_tokens_in_flight_are_each_answered_on_their_own_chain(scmi):
    a, _ = _pair(scmi)
    n = a.clock.count()
    pending = [a.send(W("PROTO_CLOCK"), W("CLOCK_RATE_GET"), u32s(i), token=5) for i in range(n)]
    pending.append(a.send(BASE, W("BASE_DISCOVER_AGENT"), u32s(0xFFFFFFFF), token=5))
    replies = a.collect(pending)
    assert all(r.hdr.token == 5 and r.ok for r in replies)
    assert [r.hdr.msg for r in replies] == [p.msg for p in pending]
    rates = [r.words[0] | r.words[1] << 32 for r in replies[:-1]]
    assert rates == [a.clock.rate_get(i) for i in range(n)]
    assert replies[-1].payload[4:].rstrip(b"\0").decode() == a.base.discover_agent().name


def test_tokens_wrap_at_ten_bits(scmi):
    a, _ = _pair(scmi)
    a.seed_token(TOKEN_MASK - 1)
    tokens = [a.call(BASE, VERSION).hdr.token for _ in range(4)]
    assert tokens == [TOKEN_MASK - 1, TOKEN_MASK, 0, 1]


@pytest.mark.parametrize("token", [0, 1, 0x200, TOKEN_MASK])
def test_any_token_is_echoed(scmi, token):
    a, _ = _pair(scmi)
    r = a.call(BASE, VERSION, token=token)
    assert r.ok and r.hdr == type(r.hdr)(VERSION, BASE, 0, token)


def test_delayed_responses_match_their_commands_by_token(scmi):
    for guest in scmi.guests():
        a = scmi(guest.index)
        for g in scmi.agent_info(guest.index).granted("sensor"):
            tokens = [0x3FE, 0x3FF, 0]
            pend = [
                a.send(W("PROTO_SENSOR"), W("SENSOR_READING_GET"), u32s(g.local_id, 1), token=t)
                for t in tokens
            ]
            assert all(r.ok for r in a.collect(pend))
            for t in reversed(tokens):
                assert a.wait_delayed(t, timeout=2.0).words[1] == g.local_id
            return
    pytest.skip("no sensor granted")


def test_burst_of_malformed_messages_never_disturbs_the_other_guest(scmi):
    pairs = shared(scmi.info, "clock", PERM_STATE)
    if not pairs:
        pytest.skip("no clock two agents may switch")
    by = {g: ag for ag in scmi.info.agents for g in ag.grants}
    ga, gb = pairs[0][:2]
    a, b = scmi(by[ga].guest), scmi(by[gb].guest)
    b.clock.enable(gb.local_id)
    b_rate = b.clock.rate_get(gb.local_id)
    junk = [
        lambda: a.raw([b"\x01"], [136]),
        lambda: a.raw([u32s(encode_header(VERSION, BASE))], [4]),
        lambda: a.call(0x77, 0, b""),
        lambda: a.call(BASE, 0xEE, bytes(8)),
        lambda: a.call(W("PROTO_CLOCK"), W("CLOCK_CONFIG_SET"), bytes(64)),
        lambda: a.collect([a.send(BASE, VERSION, type_=3)]),
        lambda: a.call(W("PROTO_CLOCK"), W("CLOCK_CONFIG_SET"), u32s(ga.local_id, 0, 0)),
        lambda: a.call(W("PROTO_CLOCK"), W("CLOCK_CONFIG_SET"), u32s(0xFFFF, 0, 0), token=0),
    ]
    for round_ in range(3):
        for j in junk:
            j()
            assert b.clock.config_get(gb.local_id), f"round {round_}"
            assert b.clock.rate_get(gb.local_id) == b_rate
            assert scmi.state("clock", gb.resource).on
    _still_fine(b)


def test_broken_cmdq_needs_reset_only_on_that_guest(scmi):
    a, b = _pair(scmi)
    ring = a.cmdq.ring
    ring.write_avail_idx(ring.avail_idx + ring.size + 1)  # more entries than the ring has
    a.cmdq.kick()
    a.machine.wait_for(a.guest.index, lambda: a.device.needs_reset, 2.0, "NEEDS_RESET")
    with pytest.raises(DeviceNeedsReset):
        a.device.check()
    _still_fine(b)
    a.reset_device()
    assert a.base.version() == W("VERSION_BASE")


def test_many_commands_in_flight_are_all_answered(scmi):
    a, b = _pair(scmi)
    n = a.cmdq.ring.size // 2
    pending = [a.send(BASE, W("BASE_DISCOVER_AGENT"), u32s(i % 3)) for i in range(n)]
    mid = b.base.version()
    replies = a.collect(pending)
    assert mid == W("VERSION_BASE")
    assert len({r.hdr.token for r in replies}) == n
    assert [r.words[0] for r in replies] == [i % 3 for i in range(n)]


def test_used_ring_over_another_queues_ring_needs_reset_and_a_reset_recovers(machine, scmi):
    """The eventq's used ring placed on the cmdq's descriptor table: the device would write
    its answers over the driver's descriptors, so DRIVER_OK is refused (QUEUE_OVERLAP on
    the eventq); a clean set-up afterwards works."""
    from pyhost.headers import dev_faults
    from pyhost.scmi.agent import VIRTIO_ID_SCMI
    from pyhost.virtio import VirtioDevice
    from pyhost.virtio.ring import RingLayout
    from pyhost.virtio.window import DRIVER_FEATURES

    a, b = _pair(scmi)
    dev = VirtioDevice.find(machine, a.guest.index, VIRTIO_ID_SCMI)
    dev.reset()
    dev.negotiate(dev.device_features & DRIVER_FEATURES)
    size = min(dev.queue_size_max(0), dev.queue_size_max(1))
    cmdq = RingLayout.at(dev.window.layout.ring_off, size)
    evtq = RingLayout.at(-(-cmdq.end // 64) * 64, size)
    dev.configure_queue_raw(0, size, cmdq.desc, cmdq.avail, cmdq.used)
    dev.configure_queue_raw(1, size, evtq.desc, evtq.avail, cmdq.desc)
    with pytest.raises(DeviceNeedsReset) as exc:
        dev.driver_ok()
    assert exc.value.fault == dev_faults()["QUEUE_OVERLAP"].value == dev.queue_fault(1)
    _still_fine(b)
    assert ScmiAgent(machine, a.guest).base.version() == W("VERSION_BASE")  # opens it again
