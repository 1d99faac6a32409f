"""gen -> build -> run, SCMI half: for each example description, the in-process machine
built from it (``vbe build --host``) shows each guest's SCMI agent exactly what its model
says (sysdesc_expect), through the agent's own wire replies:
its name and id, the protocols it may use, per protocol the count and names of its
resources in local-id order, and what each grant lets it change; protocols it has no grant
of answer DENIED beyond discovery."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sysdesc_expect
from sysdesc.hostbuild import HostLibrary, build_host_library

from pyhost.machine.inprocess import InProcessMachine
from pyhost.scmi import ScmiAgent, W
from pyhost.scmi.base import AGENT_SELF
from pyhost.scmi.wire import u32s

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = [REPO / "examples" / "demo.yaml", REPO / "examples" / "soc-3guests.yaml"]
#: profile kind -> (ScmiInfo kind, agent attribute, protocol id)
KINDS = {
    "clocks": ("clock", "clock", W("PROTO_CLOCK")),
    "power_domains": ("power", "power", W("PROTO_POWER")),
    "perf_domains": ("perf", "perf", W("PROTO_PERF")),
    "sensors": ("sensor", "sensor", W("PROTO_SENSOR")),
    "resets": ("reset", "reset", W("PROTO_RESET")),
    "voltage_domains": ("voltage", "voltage", W("PROTO_VOLTAGE")),
}
#: a command each protocol answers only to an agent with a grant of it (resource 0)
GUARDED = {
    "clocks": ("CLOCK_ATTRIBUTES", (0,)),
    "power_domains": ("POWER_DOMAIN_ATTRIBUTES", (0,)),
    "perf_domains": ("PERF_DOMAIN_ATTRIBUTES", (0,)),
    "sensors": ("SENSOR_DESCRIPTION_GET", (0,)),
    "resets": ("RESET_DOMAIN_ATTRIBUTES", (0,)),
    "voltage_domains": ("VOLTAGE_DOMAIN_ATTRIBUTES", (0,)),
}


@pytest.fixture(scope="module", params=EXAMPLES, ids=[p.stem for p in EXAMPLES])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> HostLibrary:
    return build_host_library(request.param, tmp_path_factory.mktemp(request.param.stem))


@pytest.fixture
def system_machine(built: HostLibrary) -> Iterator[InProcessMachine]:
    m = InProcessMachine(system=built.library)
    m.launch()
    try:
        yield m
    finally:
        m.close()


@pytest.fixture
def profile(built: HostLibrary) -> dict[str, Any]:
    """What each guest must see, derived from the model of the description built."""
    return sysdesc_expect.profile(built.loaded.system)


def _scmi_guests(profile: dict[str, Any]) -> list[dict[str, Any]]:
    return [g for g in profile["guests"] if g["scmi"] is not None]


def test_machine_description_matches_the_profile(system_machine, profile):
    info = system_machine.scmi
    assert info is not None
    for kind, (short, _, _) in KINDS.items():
        assert list(info.resources[short]) == [r["name"] for r in profile["platform"][kind]]
    want = sorted(_scmi_guests(profile), key=lambda g: g["scmi"]["agent_id"])
    assert [a.agent_id for a in info.agents] == [g["scmi"]["agent_id"] for g in want]
    for agent, g in zip(info.agents, want, strict=True):
        s = g["scmi"]
        assert (agent.name, agent.guest, agent.privileged) == (
            s["agent_name"],
            g["index"],
            s["privileged"],
        )
        for kind, (short, _, _) in KINDS.items():
            got = [(x.local_id, x.name, x.resource) for x in agent.granted(short)]
            assert got == [(x["local_id"], x["name"], x["id"]) for x in s["grants"][kind]]


def test_each_agent_discovers_itself_and_its_protocols(system_machine, profile):
    agents = _scmi_guests(profile)
    for g in agents:
        s = g["scmi"]
        a = ScmiAgent(system_machine, g["name"])
        me = a.base.discover_agent(AGENT_SELF)
        assert (me.agent_id, me.name) == (s["agent_id"], s["agent_name"])
        attrs = a.base.attributes()
        assert attrs.num_agents == len(agents)
        want = {KINDS[k][2] for k, grants in s["grants"].items() if grants}
        if s["system_power"]:
            want.add(W("PROTO_SYSTEM"))
        assert a.base.list_protocols() == sorted(want)
        assert attrs.num_protocols == len(want)


def test_each_agent_sees_exactly_its_grants_by_name(system_machine, profile):
    for g in _scmi_guests(profile):
        a = ScmiAgent(system_machine, g["name"])
        for kind, (_, attr, _) in KINDS.items():
            grants = g["scmi"]["grants"][kind]
            if not grants:
                continue
            client = getattr(a, attr)
            assert client.count() == len(grants), f"{g['name']} {kind}"
            assert client.names() == [x["name"] for x in grants], f"{g['name']} {kind}"


def test_protocols_without_a_grant_answer_denied_beyond_discovery(system_machine, profile):
    for g in _scmi_guests(profile):
        a = ScmiAgent(system_machine, g["name"])
        for kind, (_, _, proto) in KINDS.items():
            if g["scmi"]["grants"][kind]:
                continue
            msg, args = GUARDED[kind]
            r = a.call(proto, W(msg), u32s(*args))
            assert r.status_name == "DENIED", f"{g['name']} {kind}"
            assert a.call(proto, W("MSG_PROTOCOL_VERSION")).ok
        r = a.system.call(W("SYSTEM_POWER_STATE_GET"))
        assert r.status_name == ("SUCCESS" if g["scmi"]["system_power"] else "DENIED")


def _allowed(r) -> bool:
    assert r.status_name in ("SUCCESS", "DENIED"), r.status_name
    return r.ok


def test_each_grant_allows_exactly_its_permissions(system_machine, profile):
    """Try each change a permission stands for; it succeeds exactly when the profile
    grants that permission."""
    for g in _scmi_guests(profile):
        a = ScmiAgent(system_machine, g["name"])
        grants = g["scmi"]["grants"]
        for x in grants["clocks"]:
            perms, i = set(x["perms"]), x["local_id"]
            assert a.clock.get_permissions(i) == ("state" in perms, "level" in perms)
            assert _allowed(a.clock.call(W("CLOCK_CONFIG_SET"), i, 1, 0)) == ("state" in perms)
            rate = a.clock.rate_get(i)
            r = a.clock.call(W("CLOCK_RATE_SET"), 0, i, rate & 0xFFFFFFFF, rate >> 32)
            assert _allowed(r) == ("level" in perms)
        for x in grants["power_domains"]:
            r = a.power.call(W("POWER_STATE_SET"), 0, x["local_id"], W("POWER_ON"))
            assert _allowed(r) == ("state" in x["perms"])
        for x in grants["perf_domains"]:
            level = a.perf.level_get(x["local_id"])
            r = a.perf.call(W("PERF_LEVEL_SET"), x["local_id"], level)
            assert _allowed(r) == ("level" in x["perms"])
        for x in grants["sensors"]:
            r = a.sensor.call(W("SENSOR_CONFIG_SET"), x["local_id"], 1)
            assert _allowed(r) == ("config" in x["perms"])
        for x in grants["resets"]:
            r = a.reset.call(W("RESET"), x["local_id"], W("RESET_AUTONOMOUS"), 0)
            assert _allowed(r) == ("state" in x["perms"])
        for x in grants["voltage_domains"]:
            i = x["local_id"]
            r = a.voltage.call(W("VOLTAGE_CONFIG_SET"), i, W("VOLTAGE_ARCH_ON"))
            assert _allowed(r) == ("state" in x["perms"])
            r = a.voltage.call(W("VOLTAGE_LEVEL_SET"), i, 0, a.voltage.level_get(i))
            assert _allowed(r) == ("level" in x["perms"])
