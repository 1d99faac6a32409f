"""SCMI power domain (0x11), system power (0x12) and performance (0x13) through the ring:
layouts, values against the description and the platform's state, statuses, arbitration."""

from __future__ import annotations

import pytest
from scmi_util import PERM_LEVEL, PERM_STATE, RESPONSE_MAX, shared, status_is

from pyhost.scmi import W
from pyhost.scmi.power import OFF, ON
from pyhost.scmi.system import SYSTEM_STATES
from pyhost.scmi.wire import NAME_SIZE

LEVELS_PER_PAGE = (RESPONSE_MAX - 4 - 4) // 20


def _grant(scmi, kind: str, perm: int):
    for guest in scmi.guests():
        for g in scmi.agent_info(guest.index).granted(kind):
            if g.perms & perm == perm:
                return scmi(guest.index), g
    pytest.skip(f"no {kind} grant with permission {perm:#x}")


# ---- power domains ------------------------------------------------------------------------


def test_power_domains_are_the_agents_grants_by_name(scmi):
    for guest in scmi.guests():
        a, me = scmi(guest.index), scmi.agent_info(guest.index)
        assert a.power.count() == len(me.granted("power"))
        for g in me.granted("power"):
            attrs = a.power.attributes(g.local_id)
            assert attrs.name == g.name and attrs.sync and attrs.async_ and attrs.notify
            assert attrs.ext_name == (len(g.name) >= NAME_SIZE)


def test_power_state_set_reaches_the_platform_and_get_reports_it(scmi):
    a, g = _grant(scmi, "power", PERM_STATE)
    seq = scmi.op_log_seq()
    a.power.on(g.local_id)
    assert a.power.state_get(g.local_id) == ON and scmi.state("power", g.resource).on
    a.power.state_set(g.local_id, OFF, async_=True)  # no delayed response exists for it
    assert a.power.state_get(g.local_id) == OFF and not scmi.state("power", g.resource).on
    assert [(o.op, o.resource, o.value) for o in scmi.op_log(seq)] == [
        ("power_set_state", g.resource, ON),
        ("power_set_state", g.resource, OFF),
    ]


@pytest.mark.parametrize("state", [1, 0x40000001, 0x7FFFFFFF, 0xFFFFFFFF])
def test_power_state_other_than_on_or_off_invalid_parameters(scmi, state):
    a, g = _grant(scmi, "power", PERM_STATE)
    status_is(a.power.call(W("POWER_STATE_SET"), 0, g.local_id, state), "INVALID_PARAMETERS")


def test_power_state_set_reserved_flags_invalid_parameters(scmi):
    a, g = _grant(scmi, "power", PERM_STATE)
    status_is(a.power.call(W("POWER_STATE_SET"), 2, g.local_id, ON), "INVALID_PARAMETERS")


def test_power_domain_outside_the_view_not_found(scmi):
    a = scmi()
    status_is(a.power.call(W("POWER_STATE_GET"), a.power.count()), "NOT_FOUND")
    status_is(a.power.call(W("POWER_STATE_SET"), 0, a.power.count(), ON), "NOT_FOUND")


def test_power_state_change_notifies_the_other_subscribers(scmi):
    pairs = shared(scmi.info, "power", PERM_STATE)
    if not pairs:
        pytest.skip("no power domain two agents may switch")
    first, second = pairs[0][:2]
    by = {g: ag for ag in scmi.info.agents for g in ag.grants}
    a, b = scmi(by[first].guest), scmi(by[second].guest)
    b.power.notify(second.local_id)
    a.power.on(first.local_id)
    ev = b.wait_event(lambda e: e.proto == W("PROTO_POWER"), timeout=2.0)
    assert ev.msg == W("POWER_STATE_CHANGED")
    assert ev.words == (by[first].agent_id, second.local_id, ON)


def test_power_domain_stays_on_while_any_agent_wants_it(scmi):
    pairs = shared(scmi.info, "power", PERM_STATE)
    if not pairs:
        pytest.skip("no power domain two agents may switch")
    first, second = pairs[0][:2]
    by = {g: ag for ag in scmi.info.agents for g in ag.grants}
    a, b = scmi(by[first].guest), scmi(by[second].guest)
    a.power.on(first.local_id)
    b.power.on(second.local_id)
    a.power.off(first.local_id)
    assert b.power.state_get(second.local_id) == ON and scmi.state("power", first.resource).on
    b.power.off(second.local_id)
    assert not scmi.state("power", first.resource).on


# ---- system power ---------------------------------------------------------------------------


def test_system_attributes_advertise_warm_reset_and_suspend(scmi):
    attrs = scmi().system.attributes()
    assert attrs.warm_reset and attrs.suspend


@pytest.mark.parametrize("state", ["shutdown", "cold_reset", "warm_reset", "suspend"])
def test_system_power_request_is_scoped_to_the_callers_guest(scmi, state):
    guests = scmi.guests()
    me = scmi.agent_info(guests[0].index)
    others = [scmi.agent_info(g.index).agent_id for g in guests[1:]]
    before = {o: scmi.system_state(o) for o in others}
    scmi(guests[0].index).system.state_set(state, graceful=True)
    assert scmi(guests[0].index).system.state_get() == SYSTEM_STATES[state]
    assert scmi.system_state(me.agent_id) == (SYSTEM_STATES[state], 1)
    assert {o: scmi.system_state(o) for o in others} == before


def test_system_power_up_from_unprivileged_agent_denied(scmi):
    others = [a for a in scmi.info.agents if not a.privileged]
    if not others:
        pytest.skip("every agent is privileged")
    a = scmi(others[0].guest)
    status_is(a.system.call(W("SYSTEM_POWER_STATE_SET"), 0, SYSTEM_STATES["power_up"]), "DENIED")


@pytest.mark.parametrize("flags,state", [(0, 5), (0, 0xFFFFFFFF), (2, 0)])
def test_system_power_bad_state_or_flags_invalid_parameters(scmi, flags, state):
    status_is(scmi().system.call(W("SYSTEM_POWER_STATE_SET"), flags, state), "INVALID_PARAMETERS")


def test_system_power_notifier_reaches_the_subscribed_agent(scmi):
    me = scmi.agent_info()
    a = scmi(me.guest)
    a.system.notify(True)
    notify = getattr(scmi.platform, "system_notify", None)
    if notify is None:
        pytest.skip(f"the {scmi.machine.name} platform cannot ask an agent to change state")
    notify(me.agent_id, 0, SYSTEM_STATES["shutdown"], 100)
    ev = a.wait_event(lambda e: e.proto == W("PROTO_SYSTEM"), timeout=2.0)
    assert ev.words == (0, 0, SYSTEM_STATES["shutdown"], 100)


# ---- performance ----------------------------------------------------------------------------


def test_perf_domains_are_the_agents_grants_with_their_permissions(scmi):
    for guest in scmi.guests():
        a, me = scmi(guest.index), scmi.agent_info(guest.index)
        attrs = a.perf.protocol_attributes()
        assert attrs.num_domains == len(me.granted("perf")) and attrs.power_mw
        for g in me.granted("perf"):
            d = a.perf.attributes(g.local_id)
            assert d.name == g.name
            may = bool(g.perms & PERM_LEVEL)
            assert d.has(1 << 31) == may and d.has(1 << 30) == may
            levels = [lv.level for lv in a.perf.describe_levels(g.local_id)]
            assert d.sustained_level in levels


def test_perf_levels_ascend_in_pages_within_128_bytes(scmi):
    a, g = _grant(scmi, "perf", 0)
    a.history.clear()
    levels = a.perf.describe_levels(g.local_id)
    assert [lv.index for lv in levels] == list(range(len(levels)))
    assert [lv.level for lv in levels] == sorted(lv.level for lv in levels)
    pages = [r for r in a.history if r.hdr.msg == W("PERF_DESCRIBE_LEVELS")]
    assert len(pages) == -(-len(levels) // LEVELS_PER_PAGE)
    assert all(r.length - 4 <= RESPONSE_MAX for r in pages)
    status_is(a.perf.call(W("PERF_DESCRIBE_LEVELS"), g.local_id, len(levels)), "INVALID_PARAMETERS")


def test_perf_level_set_runs_the_platform_at_that_level(scmi):
    a, g = _grant(scmi, "perf", PERM_LEVEL)
    for lv in a.perf.describe_levels(g.local_id):
        a.perf.level_set(g.local_id, lv.level)
        assert a.perf.level_get(g.local_id) == lv.level
        assert scmi.state("perf", g.resource).value == lv.level


def test_perf_level_not_in_the_table_out_of_range(scmi):
    a, g = _grant(scmi, "perf", PERM_LEVEL)
    levels = [lv.level for lv in a.perf.describe_levels(g.local_id)]
    for bad in (levels[0] - 1, levels[-1] + 1, levels[0] + 1):
        status_is(a.perf.call(W("PERF_LEVEL_SET"), g.local_id, bad), "OUT_OF_RANGE")


def test_perf_limits_clamp_the_level_and_a_level_outside_them_is_out_of_range(scmi):
    a, g = _grant(scmi, "perf", PERM_LEVEL)
    levels = [lv.level for lv in a.perf.describe_levels(g.local_id)]
    a.perf.level_set(g.local_id, levels[-1])
    a.perf.limits_set(g.local_id, levels[1], levels[0])
    assert a.perf.limits_get(g.local_id) == (levels[1], levels[0])
    assert a.perf.level_get(g.local_id) == levels[1]
    status_is(a.perf.call(W("PERF_LEVEL_SET"), g.local_id, levels[-1]), "OUT_OF_RANGE")


@pytest.mark.parametrize("which", ["min-above-max", "not-a-level"])
def test_perf_bad_limits_status(scmi, which):
    a, g = _grant(scmi, "perf", PERM_LEVEL)
    levels = [lv.level for lv in a.perf.describe_levels(g.local_id)]
    hi, lo = (levels[0], levels[1]) if which == "min-above-max" else (levels[-1] + 1, levels[0])
    status = "INVALID_PARAMETERS" if which == "min-above-max" else "OUT_OF_RANGE"
    status_is(a.perf.call(W("PERF_LIMITS_SET"), g.local_id, hi, lo), status)


def test_shared_perf_domain_runs_at_the_highest_request(scmi):
    pairs = shared(scmi.info, "perf", PERM_LEVEL)
    if not pairs:
        pytest.skip("no performance domain two agents may set")
    first, second = pairs[0][:2]
    by = {g: ag for ag in scmi.info.agents for g in ag.grants}
    a, b = scmi(by[first].guest), scmi(by[second].guest)
    levels = [lv.level for lv in a.perf.describe_levels(first.local_id)]
    a.perf.level_set(first.local_id, levels[1])
    b.perf.level_set(second.local_id, levels[2])
    assert scmi.state("perf", first.resource).value == levels[2]
    b.perf.level_set(second.local_id, levels[0])
    assert a.perf.level_get(first.local_id) == levels[1]


def test_perf_level_change_notifies_subscribers(scmi):
    a, g = _grant(scmi, "perf", PERM_LEVEL)
    levels = [lv.level for lv in a.perf.describe_levels(g.local_id)]
    a.perf.notify_level(g.local_id)
    a.perf.level_set(g.local_id, levels[-1])
    ev = a.wait_event(lambda e: e.msg == W("PERF_LEVEL_CHANGED"), timeout=2.0)
    assert ev.proto == W("PROTO_PERF") and ev.words[1:3] == (g.local_id, levels[-1])
