"""The virtio-scmi eventq (virtio 1.2, 5.17.6.3): notifications are dropped when no buffer
is posted, delayed responses are held (oldest first, up to the platform's limit) until one
is, a device reset forgets them, and buffers too small for an event are handled."""

from __future__ import annotations

import pytest
from scmi_util import PERM_CONFIG, PERM_LEVEL, PERM_STATE, shared, status_is

from pyhost.headers import CORE, defines
from pyhost.scmi import ValueRange, W
from pyhost.scmi.wire import TYPE_DELAYED, TYPE_NOTIFICATION, encode_header, split64, u32s

DELAYED_MAX = defines(CORE / "scmi" / "include" / "vbe" / "scmi.h")["VBE_SCMI_DELAYED_MAX"].value
CLOCK = W("PROTO_CLOCK")
TRIP_EVENT = W("SENSOR_TRIP_POINT_EVENT")


def _level_clock(scmi):
    """(guest index, clock grant, its rates) of a clock an agent may set."""
    for guest in scmi.guests():
        for g in scmi.agent_info(guest.index).granted("clock"):
            if g.perms & PERM_LEVEL:
                rates = scmi(guest.index).clock.describe_rates(g.local_id)
                return guest.index, g, rates.values() if isinstance(rates, ValueRange) else rates
    pytest.skip("no clock whose rate an agent may set")


def _trip_sensor(scmi, guest: int):
    a = scmi(guest)
    descs = a.sensor.description()
    for g in scmi.agent_info(guest).granted("sensor"):
        if g.perms & PERM_CONFIG and descs[g.local_id].trip_points:
            return g
    pytest.skip("no sensor with trip points this agent may arm")


def _async_set(agent, clk: int, rate: int):
    lo, hi = split64(rate)
    return agent.clock.call(W("CLOCK_RATE_SET"), W("CLOCK_SET_ASYNC"), clk, lo, hi)


def test_notification_without_a_posted_buffer_is_dropped(scmi):
    guest = scmi.guest().index
    a = scmi(guest, event_buffers=0)
    g = _trip_sensor(scmi, guest)
    base = scmi.state("sensor", g.resource).value
    a.sensor.trip_point_notify(g.local_id)
    a.sensor.trip_point_config(g.local_id, 0, "both", base + 100)
    scmi.set_sensor(g.resource, base + 200)  # crosses with no buffer: dropped
    a.post_event_buffers(4)
    assert [e for e in a.events(timeout=0.05)] == []
    scmi.set_sensor(g.resource, base)  # crosses back, a buffer is there now
    ev = a.wait_event(lambda e: e.msg == TRIP_EVENT, timeout=2.0)
    assert a.sensor.trip_event(ev.payload).ascending is False


def test_delayed_response_is_held_until_a_buffer_is_posted(scmi):
    guest, g, rates = _level_clock(scmi)
    a = scmi(guest, event_buffers=0)
    r = _async_set(a, g.local_id, rates[-1])
    status_is(r, "SUCCESS")
    list(a.events(timeout=0.05))
    assert a.delayed_pending() == {}
    a.post_event_buffers(1)
    ev = a.wait_delayed(r.token, timeout=2.0)
    assert ev.hdr.type == TYPE_DELAYED and ev.hdr.proto == CLOCK and ev.hdr.msg == r.hdr.msg
    assert ev.words[:2] == (0, g.local_id)


def test_held_delayed_responses_come_out_oldest_first(scmi):
    guest, g, rates = _level_clock(scmi)
    a = scmi(guest, event_buffers=0)
    tokens = [_async_set(a, g.local_id, rate).token for rate in rates[:3]]
    for token in tokens:
        a.post_event_buffers(1)
        ev = a.wait_delayed(token, timeout=2.0)
        assert a.delayed_pending() == {}
        assert ev.hdr.token == token


def test_async_command_past_the_held_limit_busy_and_not_run(scmi):
    guest, g, rates = _level_clock(scmi)
    a = scmi(guest, event_buffers=0)
    tokens = []
    for i in range(DELAYED_MAX):
        r = _async_set(a, g.local_id, rates[i % 2])
        status_is(r, "SUCCESS")
        tokens.append(r.token)
    before = scmi.state("clock", g.resource).value
    other = next(r for r in rates if r != before)
    status_is(_async_set(a, g.local_id, other), "BUSY")
    assert scmi.state("clock", g.resource).value == before
    a.post_event_buffers(DELAYED_MAX)
    assert [a.wait_delayed(t, timeout=2.0).hdr.token for t in tokens] == tokens
    status_is(_async_set(a, g.local_id, other), "SUCCESS")  # room again
    assert scmi.state("clock", g.resource).value == other


def test_device_reset_forgets_held_delayed_responses(scmi):
    guest, g, rates = _level_clock(scmi)
    a = scmi(guest, event_buffers=0)
    status_is(_async_set(a, g.local_id, rates[-1]), "SUCCESS")
    a.reset_device()
    a.post_event_buffers(4)
    assert list(a.events(timeout=0.05)) == [] and a.delayed_pending() == {}


def test_notifications_are_type_3_with_token_0(scmi):
    guest = scmi.guest().index
    a = scmi(guest)
    g = _trip_sensor(scmi, guest)
    base = scmi.state("sensor", g.resource).value
    a.sensor.trip_point_notify(g.local_id)
    a.sensor.trip_point_config(g.local_id, 0, "up", base + 1)
    a.call(W("PROTO_BASE"), W("MSG_PROTOCOL_VERSION"), token=0x2AA)  # a token in use nearby
    scmi.set_sensor(g.resource, base + 2)
    ev = a.wait_event(lambda e: e.msg == TRIP_EVENT, timeout=2.0)
    assert ev.hdr.type == TYPE_NOTIFICATION and ev.hdr.token == 0
    assert ev.length == 4 + 12


def test_event_buffer_too_small_for_a_header_comes_back_empty(scmi):
    guest = scmi.guest().index
    a = scmi(guest, event_buffers=0)
    g = _trip_sensor(scmi, guest)
    base = scmi.state("sensor", g.resource).value
    a.sensor.trip_point_notify(g.local_id)
    a.sensor.trip_point_config(g.local_id, 0, "up", base + 1)
    a.post_event_buffers(1, size=2)
    a.post_event_buffers(1)
    scmi.set_sensor(g.resource, base + 2)
    used = []
    a.machine.wait_for(
        guest,
        lambda: bool(used.extend(a.eventq.ring.get_used()) or len(used) == 2),
        2.0,
        "both eventq buffers",
    )
    small, big = sorted(used, key=lambda u: len(u.segments[0]))
    assert small.length == 0 and big.length == 16
    header = encode_header(TRIP_EVENT, W("PROTO_SENSOR"), TYPE_NOTIFICATION)
    assert big.data[:4] == u32s(header)


def test_event_truncated_to_a_short_buffer_keeps_its_header(scmi):
    guest = scmi.guest().index
    a = scmi(guest, event_buffers=0)
    g = _trip_sensor(scmi, guest)
    base = scmi.state("sensor", g.resource).value
    a.sensor.trip_point_notify(g.local_id)
    a.sensor.trip_point_config(g.local_id, 0, "up", base + 1)
    a.post_event_buffers(1, size=8)
    scmi.set_sensor(g.resource, base + 2)
    a.auto_repost = False
    ev = a.wait_event(lambda e: True, timeout=2.0)
    assert ev.msg == TRIP_EVENT and ev.length == 8 and len(ev.payload) == 4


def test_notification_to_a_reset_device_touches_nothing(scmi):
    """Agent 2's driver subscribed and posted eventq buffers, then reset its device: another
    agent's change of a shared power domain notifies agent 2, whose eventq is not running.
    The notification is dropped and agent 2's window is not written (the backend may not
    reach a ring its driver took back); the other agent is served on."""
    pairs = shared(scmi.info, "power", PERM_STATE)
    if not pairs:
        pytest.skip("no power domain two agents may switch")
    first, second = pairs[0][:2]
    by = {g: ag for ag in scmi.info.agents for g in ag.grants}
    a, b = scmi(by[first].guest), scmi(by[second].guest, event_buffers=4)
    b.power.notify(second.local_id)
    view = b.eventq.ring.mem.view
    b.device.reset()
    before = bytes(view)
    a.power.on(first.local_id)
    a.power.off(first.local_id)
    assert bytes(view) == before, "the device wrote into a window whose device was reset"
    assert a.base.version() >= 0x20000
