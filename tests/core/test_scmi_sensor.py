"""SCMI sensor protocol (0x15, v3.1) through the ring: descriptions page by page within 128
bytes, readings sync and async against the platform's value, trip points and their
notifications, configuration, statuses."""

from __future__ import annotations

import pytest
from scmi_util import PERM_CONFIG, RESPONSE_MAX, shared, status_is

from pyhost.scmi import W
from pyhost.scmi.sensor import DESC_SIZE
from pyhost.scmi.wire import NAME_SIZE

SENSOR = W("PROTO_SENSOR")
DESCS_PER_PAGE = (RESPONSE_MAX - 4 - 4) // DESC_SIZE
TRIP_EVENT = W("SENSOR_TRIP_POINT_EVENT")


def _configurable(scmi, trip_points: bool = True):
    """(agent, grant, trip point count) of a sensor an agent may configure."""
    for guest in scmi.guests():
        a = scmi(guest.index)
        descs = a.sensor.description()
        for g in scmi.agent_info(guest.index).granted("sensor"):
            if g.perms & PERM_CONFIG and (descs[g.local_id].trip_points or not trip_points):
                return a, g, descs[g.local_id].trip_points
    pytest.skip("no sensor with trip points an agent may configure")


def test_descriptions_are_the_agents_grants_in_pages_within_128_bytes(scmi):
    most = 0
    for guest in scmi.guests():
        a, me = scmi(guest.index), scmi.agent_info(guest.index)
        a.history.clear()
        descs = a.sensor.description()
        assert [d.id for d in descs] == list(range(len(me.granted("sensor"))))
        assert [d.name for d in descs] == [g.name for g in me.granted("sensor")]
        assert a.sensor.protocol_attributes().num_sensors == len(descs)
        pages = [r for r in a.history if r.hdr.msg == W("SENSOR_DESCRIPTION_GET")]
        assert len(pages) == max(1, -(-len(descs) // DESCS_PER_PAGE))
        assert all(r.length - 4 <= RESPONSE_MAX for r in pages)
        assert all(d.async_read for d in descs)
        assert all(d.ext_name == (len(d.name) >= NAME_SIZE) for d in descs)
        most = max(most, len(descs))
    if most <= DESCS_PER_PAGE:
        pytest.skip(f"no agent has more than {DESCS_PER_PAGE} sensors: nothing to paginate")


def test_description_index_past_the_end_invalid_parameters(scmi):
    a = scmi()
    n = a.sensor.count()
    status_is(a.sensor.call(W("SENSOR_DESCRIPTION_GET"), n), "INVALID_PARAMETERS")


def test_description_remaining_counts_down(scmi):
    a = scmi()
    n = a.sensor.count()
    index = 0
    while index < n:
        page, remaining = a.sensor.description_page(index)
        index += len(page)
        assert remaining == n - index and page


def test_reading_returns_the_platform_value_sync_and_async(scmi):
    a, me = scmi(), scmi.agent_info()
    for g in me.granted("sensor"):
        value = scmi.state("sensor", g.resource).value
        assert a.sensor.reading_get(g.local_id) == value
        scmi.set_sensor(g.resource, value - 1234)
        assert a.sensor.reading_get(g.local_id, async_=True) == value - 1234


def test_negative_reading_keeps_its_sign(scmi):
    a, me = scmi(), scmi.agent_info()
    g = me.granted("sensor")[0]
    scmi.set_sensor(g.resource, -40_000)
    assert a.sensor.reading_get(g.local_id) == -40_000


def test_async_reading_sends_sensor_reading_complete_with_the_token(scmi):
    a, me = scmi(), scmi.agent_info()
    g = me.granted("sensor")[0]
    r = a.sensor.call(W("SENSOR_READING_GET"), g.local_id, W("SENSOR_READ_ASYNC"))
    status_is(r, "SUCCESS")
    assert r.payload == b""  # the reading comes in the delayed response
    ev = a.wait_delayed(r.token, timeout=2.0)
    value = scmi.state("sensor", g.resource).value
    assert ev.words[:2] == (0, g.local_id)
    assert ev.words[2] | ev.words[3] << 32 == value & (2**64 - 1)


def test_reading_reserved_flags_invalid_parameters(scmi):
    a = scmi()
    status_is(a.sensor.call(W("SENSOR_READING_GET"), 0, 2), "INVALID_PARAMETERS")


def test_async_reading_without_eventq_not_supported(scmi):
    a = scmi(scmi.guest().index, p2a=False)
    assert not any(d.async_read for d in a.sensor.description())
    assert a.sensor.protocol_attributes().max_async == 0
    r = a.sensor.call(W("SENSOR_READING_GET"), 0, W("SENSOR_READ_ASYNC"))
    status_is(r, "NOT_SUPPORTED")


# ---- trip points ------------------------------------------------------------------------------


def test_trip_point_crossed_upwards_sends_a_notification(scmi):
    a, g, _ = _configurable(scmi)
    base = scmi.state("sensor", g.resource).value
    a.sensor.trip_point_notify(g.local_id)
    a.sensor.trip_point_config(g.local_id, 0, "up", base + 1000)
    scmi.set_sensor(g.resource, base + 2000)
    ev = a.wait_event(lambda e: e.proto == SENSOR and e.msg == TRIP_EVENT, timeout=2.0)
    trip = a.sensor.trip_event(ev.payload)
    assert (trip.agent_id, trip.sensor, trip.trip_id, trip.ascending) == (0, g.local_id, 0, True)
    assert ev.hdr.token == 0 and not ev.delayed


def test_trip_point_crossed_downwards_with_mode_up_stays_silent(scmi):
    a, g, _ = _configurable(scmi)
    base = scmi.state("sensor", g.resource).value
    a.sensor.trip_point_notify(g.local_id)
    a.sensor.trip_point_config(g.local_id, 0, "up", base - 1000)
    scmi.set_sensor(g.resource, base - 2000)
    assert [e for e in a.events(timeout=0.05) if e.msg == TRIP_EVENT] == []


def test_trip_point_mode_both_reports_each_direction(scmi):
    a, g, n = _configurable(scmi)
    base = scmi.state("sensor", g.resource).value
    a.sensor.trip_point_notify(g.local_id)
    a.sensor.trip_point_config(g.local_id, n - 1, "both", base + 500)
    scmi.set_sensor(g.resource, base + 1000)
    scmi.set_sensor(g.resource, base)
    got = []
    for _ in range(2):
        ev = a.wait_event(lambda e: e.msg == TRIP_EVENT and e.proto == SENSOR, timeout=2.0)
        got.append(a.sensor.trip_event(ev.payload))
    assert [(t.trip_id, t.ascending) for t in got] == [(n - 1, True), (n - 1, False)]


def test_trip_point_without_subscription_sends_nothing(scmi):
    a, g, _ = _configurable(scmi)
    base = scmi.state("sensor", g.resource).value
    a.sensor.trip_point_config(g.local_id, 0, "up", base + 10)
    scmi.set_sensor(g.resource, base + 20)
    assert [e for e in a.events(timeout=0.05) if e.msg == TRIP_EVENT] == []


def test_trip_points_are_per_agent(scmi):
    pairs = shared(scmi.info, "sensor")
    if not pairs:
        pytest.skip("no sensor shared by two agents")
    first, second = pairs[0][:2]
    by = {g: ag for ag in scmi.info.agents for g in ag.grants}
    armer = first if first.perms & PERM_CONFIG else second
    other = second if armer is first else first
    if not armer.perms & PERM_CONFIG:
        pytest.skip("no agent may arm trip points on the shared sensor")
    a, b = scmi(by[armer].guest), scmi(by[other].guest)
    a.sensor.trip_point_notify(armer.local_id)
    b.sensor.trip_point_notify(other.local_id)
    base = scmi.state("sensor", armer.resource).value
    a.sensor.trip_point_config(armer.local_id, 0, "up", base + 100)
    scmi.set_sensor(armer.resource, base + 200)
    ev = a.wait_event(lambda e: e.msg == TRIP_EVENT and e.proto == SENSOR, timeout=2.0)
    assert a.sensor.trip_event(ev.payload).sensor == armer.local_id
    assert [e for e in b.events(timeout=0.05) if e.msg == TRIP_EVENT] == []


@pytest.mark.parametrize("which", ["trip-id", "reserved-bit"])
def test_trip_point_config_bad_control_invalid_parameters(scmi, which):
    a, g, n = _configurable(scmi)
    control = (n << 4 | 1) if which == "trip-id" else (1 | 1 << 2)
    r = a.sensor.call(W("SENSOR_TRIP_POINT_CONFIG"), g.local_id, control, 0, 0)
    status_is(r, "INVALID_PARAMETERS")


def test_trip_point_config_without_config_permission_denied(scmi):
    for guest in scmi.guests():
        a = scmi(guest.index)
        for g in scmi.agent_info(guest.index).granted("sensor"):
            if not g.perms & PERM_CONFIG:
                r = a.sensor.call(W("SENSOR_TRIP_POINT_CONFIG"), g.local_id, 1, 0, 0)
                status_is(r, "DENIED")
                return
    pytest.skip("every sensor grant allows configuration")


# ---- configuration --------------------------------------------------------------------------


def test_sensor_config_set_then_get_returns_it(scmi):
    a, g, _ = _configurable(scmi, trip_points=False)
    a.sensor.config_set(g.local_id, 1)
    assert a.sensor.config_get(g.local_id) == 1
    a.sensor.config_set(g.local_id, 0)
    assert a.sensor.config_get(g.local_id) == 0


@pytest.mark.parametrize(
    "config,status",
    [(1 << 2, "INVALID_PARAMETERS"), (1 << 1, "NOT_SUPPORTED")],
    ids=["reserved", "timestamps"],
)
def test_sensor_config_set_bad_bits_status(scmi, config, status):
    a, g, _ = _configurable(scmi, trip_points=False)
    status_is(a.sensor.call(W("SENSOR_CONFIG_SET"), g.local_id, config), status)


def test_sensor_outside_the_view_not_found(scmi):
    a = scmi()
    n = a.sensor.count()
    status_is(a.sensor.call(W("SENSOR_READING_GET"), n, 0), "NOT_FOUND")
    status_is(a.sensor.call(W("SENSOR_CONFIG_GET"), n), "NOT_FOUND")
    status_is(a.sensor.call(W("SENSOR_TRIP_POINT_NOTIFY"), n, 1), "NOT_FOUND")
