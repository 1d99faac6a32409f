"""SCMI reset domain (0x16) and voltage domain (0x17) protocols through the ring: layouts,
values against the description and the platform, statuses, async completions."""

from __future__ import annotations

import pytest
from scmi_util import PERM_LEVEL, PERM_STATE, RESPONSE_MAX, shared, status_is

from pyhost.scmi import ValueRange, W
from pyhost.scmi.voltage import VOLTAGE_OFF, VOLTAGE_ON


def _grant(scmi, kind: str, perm: int, want_range: bool | None = None):
    for guest in scmi.guests():
        a = scmi(guest.index)
        for g in scmi.agent_info(guest.index).granted(kind):
            if g.perms & perm != perm:
                continue
            if want_range is not None:
                is_range = isinstance(a.voltage.describe_levels(g.local_id), ValueRange)
                if is_range != want_range:
                    continue
            return a, g
    pytest.skip(f"no {kind} grant with permission {perm:#x} (range: {want_range})")


# ---- reset domains ----------------------------------------------------------------------------


def test_reset_domains_are_the_agents_grants_by_name(scmi):
    for guest in scmi.guests():
        a, me = scmi(guest.index), scmi.agent_info(guest.index)
        assert a.reset.count() == len(me.granted("reset"))
        assert a.reset.names() == [g.name for g in me.granted("reset")]
        assert all(a.reset.attributes(g.local_id).async_ for g in me.granted("reset"))


def test_explicit_assert_holds_the_line_until_deassert(scmi):
    a, g = _grant(scmi, "reset", PERM_STATE)
    seq = scmi.op_log_seq()
    a.reset.assert_line(g.local_id)
    assert scmi.state("reset", g.resource).on
    a.reset.deassert(g.local_id)
    assert not scmi.state("reset", g.resource).on
    ops = [(o.op, o.resource) for o in scmi.op_log(seq)]
    assert ops == [("reset_assert", g.resource), ("reset_deassert", g.resource)]


def test_autonomous_reset_pulses_the_line(scmi):
    a, g = _grant(scmi, "reset", PERM_STATE)
    seq = scmi.op_log_seq()
    a.reset.pulse(g.local_id)
    assert not scmi.state("reset", g.resource).on
    assert [o.op for o in scmi.op_log(seq)] == ["reset_assert", "reset_deassert"]


def test_async_reset_sends_reset_complete_with_the_token(scmi):
    a, g = _grant(scmi, "reset", PERM_STATE)
    flags = W("RESET_AUTONOMOUS") | W("RESET_ASYNC")
    r = a.reset.call(W("RESET"), g.local_id, flags, W("RESET_ARCH_COLD"))
    status_is(r, "SUCCESS")
    ev = a.wait_delayed(r.token, timeout=2.0)
    assert ev.hdr.msg == W("RESET") and ev.words == (0, g.local_id)


def test_reset_held_by_another_agent_is_not_pulsed(scmi):
    pairs = shared(scmi.info, "reset", PERM_STATE)
    if not pairs:
        pytest.skip("no reset line two agents may drive")
    first, second = pairs[0][:2]
    by = {g: ag for ag in scmi.info.agents for g in ag.grants}
    a, b = scmi(by[first].guest), scmi(by[second].guest)
    a.reset.assert_line(first.local_id)
    seq = scmi.op_log_seq()
    b.reset.pulse(second.local_id)
    assert scmi.op_log(seq) == [] and scmi.state("reset", first.resource).on
    a.reset.deassert(first.local_id)
    assert not scmi.state("reset", first.resource).on


@pytest.mark.parametrize("flags,state", [(0x8, 0), (0, 1), (0, 0x80000000)])
def test_reset_bad_flags_or_state_invalid_parameters(scmi, flags, state):
    a, g = _grant(scmi, "reset", PERM_STATE)
    status_is(a.reset.call(W("RESET"), g.local_id, flags, state), "INVALID_PARAMETERS")


def test_reset_issued_notifies_the_other_subscribers(scmi):
    pairs = shared(scmi.info, "reset", PERM_STATE)
    if not pairs:
        pytest.skip("no reset line two agents may drive")
    first, second = pairs[0][:2]
    by = {g: ag for ag in scmi.info.agents for g in ag.grants}
    a, b = scmi(by[first].guest), scmi(by[second].guest)
    b.reset.notify(second.local_id)
    a.reset.notify(first.local_id)
    a.reset.pulse(first.local_id)
    ev = b.wait_event(lambda e: e.proto == W("PROTO_RESET"), timeout=2.0)
    assert ev.msg == W("RESET_ISSUED")
    assert ev.words == (by[first].agent_id, second.local_id, W("RESET_ARCH_COLD"))
    assert [e for e in a.events() if e.proto == W("PROTO_RESET")] == []


# ---- voltage domains ----------------------------------------------------------------------


def test_voltage_domains_are_the_agents_grants_by_name(scmi):
    for guest in scmi.guests():
        a, me = scmi(guest.index), scmi.agent_info(guest.index)
        assert a.voltage.count() == len(me.granted("voltage"))
        assert a.voltage.names() == [g.name for g in me.granted("voltage")]


def test_voltage_levels_list_or_range_hold_the_platform_level(scmi):
    a, me = scmi(), scmi.agent_info()
    for g in me.granted("voltage"):
        a.history.clear()
        levels = a.voltage.describe_levels(g.local_id)
        if isinstance(levels, ValueRange):
            assert levels.min < levels.max and levels.step > 0
        else:
            assert levels == sorted(levels) and levels
        assert all(r.length - 4 <= RESPONSE_MAX for r in a.history)
        now = scmi.state("voltage", g.resource).value
        assert now in levels and a.voltage.level_get(g.local_id) == now


def test_voltage_level_set_reaches_the_platform(scmi):
    a, g = _grant(scmi, "voltage", PERM_LEVEL, want_range=False)
    for uv in a.voltage.describe_levels(g.local_id):
        a.voltage.level_set(g.local_id, uv)
        assert a.voltage.level_get(g.local_id) == uv == scmi.state("voltage", g.resource).value


def test_voltage_level_set_async_sends_the_completion(scmi):
    a, g = _grant(scmi, "voltage", PERM_LEVEL, want_range=True)
    rng = a.voltage.describe_levels(g.local_id)
    assert a.voltage.level_set(g.local_id, rng.min + rng.step, async_=True) == rng.min + rng.step
    assert scmi.state("voltage", g.resource).value == rng.min + rng.step


@pytest.mark.parametrize(
    "where,status", [("above", "OUT_OF_RANGE"), ("off-step", "INVALID_PARAMETERS")]
)
def test_voltage_level_outside_or_between_levels_status(scmi, where, status):
    a, g = _grant(scmi, "voltage", PERM_LEVEL, want_range=True)
    rng = a.voltage.describe_levels(g.local_id)
    uv = rng.max + rng.step if where == "above" else rng.min + rng.step // 2
    status_is(a.voltage.call(W("VOLTAGE_LEVEL_SET"), g.local_id, 0, uv), status)


def test_voltage_config_switches_the_regulator_and_reports_the_own_setting(scmi):
    a, g = _grant(scmi, "voltage", PERM_STATE)
    a.voltage.config_set(g.local_id, True)
    assert a.voltage.config_get(g.local_id) == VOLTAGE_ON and scmi.state("voltage", g.resource).on
    a.voltage.config_set(g.local_id, False)
    assert a.voltage.config_get(g.local_id) == VOLTAGE_OFF
    assert not scmi.state("voltage", g.resource).on


@pytest.mark.parametrize("config,status", [(0x3, "NOT_SUPPORTED"), (0x17, "INVALID_PARAMETERS")])
def test_voltage_config_bad_mode_status(scmi, config, status):
    a, g = _grant(scmi, "voltage", PERM_STATE)
    status_is(a.voltage.call(W("VOLTAGE_CONFIG_SET"), g.local_id, config), status)


def test_voltage_change_without_permission_denied(scmi):
    for guest in scmi.guests():
        a = scmi(guest.index)
        for g in scmi.agent_info(guest.index).granted("voltage"):
            if g.perms & (PERM_STATE | PERM_LEVEL) == 0:
                uv = a.voltage.level_get(g.local_id)
                status_is(a.voltage.call(W("VOLTAGE_LEVEL_SET"), g.local_id, 0, uv), "DENIED")
                status_is(a.voltage.call(W("VOLTAGE_CONFIG_SET"), g.local_id, 7), "DENIED")
                return
    pytest.skip("no read-only voltage grant in this system")
