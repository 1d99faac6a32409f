"""Two guests, two SCMI agents: shared resources are arbitrated (a clock stays on while any
agent runs it), each agent sees only its own grants, a privileged agent's permission
changes take effect, and resetting an agent (by command or by device reset) releases what
it held. What reached the "hardware" is read from the platform's state and operation log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from scmi_util import KIND_PROTOCOL, PERM_STATE, only_theirs, shared, status_is

from pyhost.scmi import ScmiAgent, W
from pyhost.scmi.wire import u32s


def _shared_clock(scmi):
    """(agent A, A's grant, agent B, B's grant) for a clock both may switch."""
    pairs = shared(scmi.info, "clock", PERM_STATE)
    if not pairs:
        pytest.skip("no clock two agents may switch on and off")
    ga, gb = pairs[0][:2]
    by = {g: ag for ag in scmi.info.agents for g in ag.grants}
    return scmi(by[ga].guest), ga, scmi(by[gb].guest), gb


def _ops(scmi, seq: int, res: int) -> list[str]:
    return [o.op for o in scmi.op_log(seq) if o.resource == res and o.op.startswith("clock_o")]


def test_shared_clock_stays_on_until_the_last_agent_stops_it(scmi):
    a, ga, b, gb = _shared_clock(scmi)
    seq = scmi.op_log_seq()
    b.clock.enable(gb.local_id)
    a.clock.enable(ga.local_id)
    assert _ops(scmi, seq, ga.resource) == ["clock_on"]  # only the first start reached it
    seq = scmi.op_log_seq()
    a.clock.disable(ga.local_id)
    st = scmi.state("clock", ga.resource)
    assert st.on and st.votes == 1 << (_agent(scmi, b).agent_id - 1)
    assert _ops(scmi, seq, ga.resource) == []
    assert not a.clock.config_get(ga.local_id) and b.clock.config_get(gb.local_id)
    b.clock.disable(gb.local_id)
    assert not scmi.state("clock", ga.resource).on
    assert _ops(scmi, seq, ga.resource) == ["clock_off"]


def _agent(scmi, agent: ScmiAgent):
    return scmi.agent_info(agent.guest.index)


def test_second_stop_from_the_same_agent_changes_nothing(scmi):
    a, ga, b, gb = _shared_clock(scmi)
    a.clock.enable(ga.local_id)
    b.clock.enable(gb.local_id)
    a.clock.disable(ga.local_id)
    seq = scmi.op_log_seq()
    a.clock.disable(ga.local_id)
    assert scmi.state("clock", ga.resource).on and _ops(scmi, seq, ga.resource) == []


@pytest.mark.parametrize("kind", list(KIND_PROTOCOL))
def test_agent_cannot_see_or_touch_a_resource_only_the_other_has(scmi, kind):
    """The other agent's resource has no id in this agent's space: it is not among the
    names the agent reads, and every id past its own answers NOT_FOUND."""
    tried = False
    for guest in scmi.guests():
        me = scmi.agent_info(guest.index)
        theirs = only_theirs(scmi.info, kind, me)
        if not theirs:
            continue
        a = scmi(guest.index)
        client = getattr(a, kind)
        names = client.names() if me.granted(kind) else []
        for res in theirs:
            assert scmi.info.resources[kind][res] not in names
        before = [scmi.state(kind, res) for res in theirs]
        n = len(me.granted(kind))
        for rid in (n, n + 1, n + len(theirs), 0xFFFFFFFF):
            status_is(_touch(a, kind, rid), "NOT_FOUND" if me.granted(kind) else "DENIED")
        assert [scmi.state(kind, res) for res in theirs] == before
        tried = True
    if not tried:
        pytest.skip(f"no {kind} is granted to one agent only")


def _touch(a: ScmiAgent, kind: str, rid: int):
    """The command that would change resource ``rid`` of ``kind``."""
    if kind == "clock":
        return a.clock.call(W("CLOCK_CONFIG_SET"), rid, 1, 0)
    if kind == "power":
        return a.power.call(W("POWER_STATE_SET"), 0, rid, W("POWER_ON"))
    if kind == "perf":
        return a.perf.call(W("PERF_LEVEL_SET"), rid, 0)
    if kind == "sensor":
        return a.sensor.call(W("SENSOR_CONFIG_SET"), rid, 1)
    if kind == "reset":
        return a.reset.call(W("RESET"), rid, W("RESET_EXPLICIT_ASSERT"), 0)
    return a.voltage.call(W("VOLTAGE_CONFIG_SET"), rid, W("VOLTAGE_ARCH_ON"))


# ---- permissions a privileged agent changes ------------------------------------------------


def _roles(scmi):
    """(privileged agent's ScmiAgent, another agent's ScmiAgent, its ScmiAgentInfo)."""
    info = scmi.info
    boss = next((a for a in info.agents if a.privileged), None)
    other = next((a for a in info.agents if a is not boss), None)
    if boss is None or other is None:
        pytest.skip("needs a privileged agent and another one")
    return scmi(boss.guest), scmi(other.guest), other


def _devices(boss: ScmiAgent, target: int) -> Iterator[int]:
    """Device ids, found the way an agent can: until SET_DEVICE_PERMISSIONS says NOT_FOUND."""
    for dev in range(32):
        r = boss.base.call(W("BASE_SET_DEVICE_PERMISSIONS"), target, dev, 1)
        if r.status_name == "NOT_FOUND":
            return
        yield dev


def _device_of(scmi, boss, other, kind: str, grant) -> int:
    """The device id whose denial makes ``other``'s ``grant`` answer DENIED."""
    a = scmi(other.guest)
    for dev in _devices(boss, other.agent_id):
        boss.base.set_device_permissions(other.agent_id, dev, allow=False)
        denied = _touch(a, kind, grant.local_id).status_name == "DENIED"
        boss.base.set_device_permissions(other.agent_id, dev, allow=True)
        if denied:
            return dev
    pytest.skip(f"{kind} {grant.name} of agent {other.name} belongs to no device")


def _clock_of_a_device(scmi, boss, other):
    for g in other.granted("clock"):
        if g.perms & PERM_STATE:
            return g, _device_of(scmi, boss, other, "clock", g)
    pytest.skip(f"agent {other.name} may not switch any clock")


def test_device_denied_by_the_privileged_agent_answers_denied_and_releases_the_vote(scmi):
    p, a, other = _roles(scmi)
    g, dev = _clock_of_a_device(scmi, p, other)
    a.clock.enable(g.local_id)
    votes_without = scmi.state("clock", g.resource).votes & ~(1 << (other.agent_id - 1))
    p.base.set_device_permissions(other.agent_id, dev, allow=False)
    assert scmi.state("clock", g.resource).votes == votes_without
    status_is(a.clock.call(W("CLOCK_CONFIG_SET"), g.local_id, 1, 0), "DENIED")
    status_is(a.clock.call(W("CLOCK_ATTRIBUTES"), g.local_id), "DENIED")
    assert a.clock.count() == len(other.granted("clock"))  # the index space is unchanged
    p.base.set_device_permissions(other.agent_id, dev, allow=True)
    assert not a.clock.config_get(g.local_id)  # access back, not the released vote
    a.clock.enable(g.local_id)
    assert scmi.state("clock", g.resource).on


def test_protocol_denied_on_a_device_leaves_its_other_protocols(scmi):
    p, a, other = _roles(scmi)
    g, dev = _clock_of_a_device(scmi, p, other)
    p.base.set_protocol_permissions(other.agent_id, dev, W("PROTO_CLOCK"), allow=False)
    status_is(a.clock.call(W("CLOCK_CONFIG_SET"), g.local_id, 1, 0), "DENIED")
    for kind in ("power", "reset", "voltage"):
        for og in other.granted(kind):
            if og.perms & PERM_STATE:
                status_is(_touch(a, kind, og.local_id), "SUCCESS")
    p.base.set_protocol_permissions(other.agent_id, dev, W("PROTO_CLOCK"), allow=True)
    a.clock.enable(g.local_id)
    assert scmi.state("clock", g.resource).on


@pytest.mark.parametrize(
    "args,status",
    [
        (("agent0", 0, 1), "NOT_FOUND"),
        (("past", 0, 1), "NOT_FOUND"),
        (("other", 0xFFFF, 1), "NOT_FOUND"),
        (("other", 0, 2), "INVALID_PARAMETERS"),
    ],
    ids=["platform", "unknown-agent", "unknown-device", "reserved-flags"],
)
def test_set_device_permissions_bad_arguments_status(scmi, args, status):
    p, _a, other = _roles(scmi)
    who = {"agent0": 0, "past": len(scmi.info.agents) + 1, "other": other.agent_id}[args[0]]
    status_is(p.base.call(W("BASE_SET_DEVICE_PERMISSIONS"), who, *args[1:]), status)


@pytest.mark.parametrize(
    "proto,status",
    [
        (W("PROTO_BASE"), "DENIED"),
        (W("PROTO_SYSTEM"), "NOT_FOUND"),
        (0x18, "NOT_FOUND"),
        (0x114, "INVALID_PARAMETERS"),
    ],
    ids=["base", "system", "unknown", "reserved-bits"],
)
def test_set_protocol_permissions_bad_protocol_status(scmi, proto, status):
    p, _a, other = _roles(scmi)
    r = p.base.call(W("BASE_SET_PROTOCOL_PERMISSIONS"), other.agent_id, 0, proto, 0)
    status_is(r, status)


# ---- releasing an agent --------------------------------------------------------------------


def test_reset_agent_configuration_releases_its_votes(scmi):
    a, ga, b, gb = _shared_clock(scmi)
    info_a, info_b = _agent(scmi, a), _agent(scmi, b)
    boss = next((x for x in scmi.info.agents if x.privileged), None)
    if boss is None:
        pytest.skip("no privileged agent")
    target, tg, keeper = (a, ga, info_b) if info_a != boss else (b, gb, info_a)
    tinfo = _agent(scmi, target)
    a.clock.enable(ga.local_id)
    b.clock.enable(gb.local_id)
    seq = scmi.op_log_seq()
    scmi(boss.guest).base.reset_agent_configuration(tinfo.agent_id)
    st = scmi.state("clock", tg.resource)
    assert st.on and st.votes == 1 << (keeper.agent_id - 1)  # the other agent's vote holds
    assert not target.clock.config_get(tg.local_id)
    assert _ops(scmi, seq, tg.resource) == []
    other = scmi(keeper.guest)
    other.clock.disable(
        next(g for g in keeper.granted("clock") if g.resource == tg.resource).local_id
    )
    assert not scmi.state("clock", tg.resource).on


def test_reset_agent_configuration_flag_restores_permissions(scmi):
    p, a, other = _roles(scmi)
    g, dev = _clock_of_a_device(scmi, p, other)
    p.base.set_device_permissions(other.agent_id, dev, allow=False)
    p.base.reset_agent_configuration(other.agent_id)
    status_is(a.clock.call(W("CLOCK_CONFIG_SET"), g.local_id, 1, 0), "DENIED")
    p.base.reset_agent_configuration(other.agent_id, reset_permissions=True)
    a.clock.enable(g.local_id)
    assert scmi.state("clock", g.resource).on


def test_device_reset_releases_the_agents_votes(scmi):
    a, ga, b, gb = _shared_clock(scmi)
    a.clock.enable(ga.local_id)
    assert scmi.state("clock", ga.resource).on
    seq = scmi.op_log_seq()
    a.reset_device()
    assert not scmi.state("clock", ga.resource).on
    assert _ops(scmi, seq, ga.resource) == ["clock_off"]
    assert b.clock.config_get(gb.local_id) is False and b.base.version()


def test_reset_agent_configuration_of_an_unknown_agent_not_found(scmi):
    p, _a, _other = _roles(scmi)
    n = len(scmi.info.agents)
    for agent in (0, n + 1):
        r = p.base.call(W("BASE_RESET_AGENT_CONFIGURATION"), agent, 0)
        status_is(r, "NOT_FOUND")
    status_is(
        p.call(W("PROTO_BASE"), W("BASE_RESET_AGENT_CONFIGURATION"), u32s(1, 2)),
        "INVALID_PARAMETERS",
    )
