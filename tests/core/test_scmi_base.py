"""SCMI base protocol (0x10) through each guest's virtio-scmi device: Linux's boot sequence,
discovery layouts and values against the system description, pagination, statuses.

Expected values come from the machine's SCMI description (``scmi.info``) and scmi_wire.h,
never from the C tables.
"""

from __future__ import annotations

import pytest
from scmi_util import KIND_PROTOCOL, RESPONSE_MAX, SERVED, fits, status_is

from pyhost.scmi import ScmiError, W
from pyhost.scmi.wire import PROTOCOLS, request_sizes, u32s

BASE = W("PROTO_BASE")
LIST = W("BASE_DISCOVER_LIST_PROTOCOLS")
SYSTEM = W("PROTO_SYSTEM")


def _granted_protocols(me) -> set[int]:
    return {KIND_PROTOCOL[g.kind] for g in me.grants}


def test_linux_boot_sequence_shows_each_guest_its_own_view(scmi):
    """VERSION, ATTRIBUTES, DISCOVER_VENDOR/SUB_VENDOR/IMPLEMENTATION_VERSION,
    LIST_PROTOCOLS (looping with skip), DISCOVER_AGENT for every agent: as Linux boots."""
    info = scmi.info
    for guest in scmi.guests():
        a, me = scmi(guest.index), scmi.agent_info(guest.index)
        a.history.clear()
        assert a.base.version() == W("VERSION_BASE")
        attrs = a.base.attributes()
        assert attrs.num_agents == len(info.agents)
        assert a.base.vendor() == info.vendor
        assert a.base.sub_vendor() == info.sub_vendor
        assert a.base.impl_version() == info.impl_version
        protos = a.base.list_protocols()
        assert len(protos) == attrs.num_protocols
        assert protos == sorted(protos) and BASE not in protos
        assert set(protos) - {SYSTEM} == _granted_protocols(me)
        for agent_id in range(attrs.num_agents + 1):
            got = a.base.discover_agent(agent_id)
            assert got.agent_id == agent_id
            want = "platform" if agent_id == 0 else info.agents[agent_id - 1].name
            assert got.name == want
        assert all(fits(r) for r in a.history)


def test_discover_agent_self_names_the_calling_agent(scmi):
    for guest in scmi.guests():
        me = scmi.agent_info(guest.index)
        got = scmi(guest.index).base.discover_agent()
        assert (got.agent_id, got.name) == (me.agent_id, me.name)


def test_discover_agent_past_the_agent_count_not_found(scmi):
    a = scmi()
    r = a.base.call(W("BASE_DISCOVER_AGENT"), len(scmi.info.agents) + 1)
    status_is(r, "NOT_FOUND")


def test_every_listed_protocol_serves_the_version_linux_speaks(scmi):
    for guest in scmi.guests():
        a = scmi(guest.index)
        for proto in a.base.list_protocols():
            client = next(c for c in _clients(a) if c.PROTO == proto)
            assert client.version() == W(f"VERSION_{PROTOCOLS[proto].upper()}")
            client.negotiate_version(client.version())


def _clients(a):
    return [a.base, a.power, a.system, a.perf, a.clock, a.sensor, a.reset, a.voltage]


def test_negotiate_other_version_not_supported(scmi):
    a = scmi()
    with pytest.raises(ScmiError) as exc:
        a.clock.negotiate_version(W("VERSION_CLOCK") - 0x10000)
    assert exc.value.status_name == "NOT_SUPPORTED"


def test_system_power_is_listed_exactly_when_the_agent_may_use_it(scmi):
    for guest in scmi.guests():
        a = scmi(guest.index)
        r = a.system.call(W("SYSTEM_POWER_STATE_GET"))
        listed = SYSTEM in a.base.list_protocols()
        status_is(r, "SUCCESS" if listed else "DENIED")


@pytest.mark.parametrize("proto", [BASE, *SERVED], ids=lambda p: PROTOCOLS[p])
def test_message_attributes_of_every_served_message_succeed(scmi, proto):
    a = scmi()
    client = next(c for c in _clients(a) if c.PROTO == proto)
    for msg in request_sizes(proto):
        assert client.message_attributes(msg) == 0, f"message 0x{msg:x}"


@pytest.mark.parametrize("proto", [BASE, *SERVED], ids=lambda p: PROTOCOLS[p])
def test_message_attributes_of_an_unserved_message_not_found(scmi, proto):
    a = scmi()
    client = next(c for c in _clients(a) if c.PROTO == proto)
    served = request_sizes(proto)
    for msg in [m for m in range(0x20) if m not in served] + [0xFF]:
        r = client.call(W("MSG_PROTOCOL_MESSAGE_ATTRIBUTES"), msg)
        status_is(r, "NOT_FOUND")


# ---- DISCOVER_LIST_PROTOCOLS pagination ---------------------------------------------------


def test_list_protocols_skip_returns_the_rest_padded_to_a_word(scmi):
    a = scmi()
    protos = a.base.list_protocols()
    for skip in range(len(protos) + 1):
        assert a.base.list_protocols_page(skip) == protos[skip:]


def test_list_protocols_skip_past_the_count_invalid_parameters(scmi):
    a = scmi()
    n = len(a.base.list_protocols())
    status_is(a.base.call(LIST, n + 1), "INVALID_PARAMETERS")
    status_is(a.base.call(LIST, 0xFFFFFFFF), "INVALID_PARAMETERS")


@pytest.mark.parametrize("room", [4, 8, 12])
def test_list_protocols_pages_to_a_small_response_buffer(scmi, room):
    """A response buffer with room for ``room`` bytes of ids gets that many per page; the
    agent loops with skip, as Linux does, and gets the same list."""
    a = scmi()
    want = a.base.list_protocols()
    got: list[int] = []
    for _ in range(len(want) + 1):
        r = a.call(BASE, LIST, u32s(len(got)), response_size=8 + 4 + room)
        status_is(r, "SUCCESS")
        n = r.words[0]
        assert n <= room and r.length <= 8 + 4 + room
        if n == 0:
            break
        got += list(r.payload[4 : 4 + n])
    assert got == want


def test_list_protocols_without_room_for_one_word_protocol_error(scmi):
    a = scmi()
    status_is(a.call(BASE, LIST, u32s(0), response_size=8 + 4), "PROTOCOL_ERROR")


def test_every_base_discovery_reply_fits_128_bytes(scmi):
    a = scmi()
    a.history.clear()
    a.base.list_protocols()
    a.base.vendor()
    a.base.discover_agent()
    assert a.history and all(r.length - 4 <= RESPONSE_MAX for r in a.history)


# ---- NOTIFY_ERRORS -------------------------------------------------------------------------


def test_notify_errors_subscription_succeeds(scmi):
    a = scmi()
    a.base.notify_errors(True)
    a.base.notify_errors(False)


def test_notify_errors_reserved_bits_invalid_parameters(scmi):
    status_is(scmi().base.call(W("BASE_NOTIFY_ERRORS"), 2), "INVALID_PARAMETERS")


def test_notify_errors_without_eventq_not_supported(scmi):
    a = scmi(scmi.guest().index, p2a=False)
    status_is(a.base.call(W("BASE_NOTIFY_ERRORS"), 1), "NOT_SUPPORTED")
