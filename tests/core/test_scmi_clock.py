"""SCMI clock protocol (0x14, v3.0) through the ring: attributes and names, rates (lists
page by page within 128 bytes, range triplets), rate set sync and async (the delayed
response on the eventq), on/off votes, permissions and rate notifications.

Which clock to use comes from the system description (grants, names, permissions); rates
come from the agent's own DESCRIBE_RATES, checked against the platform's state."""

from __future__ import annotations

import pytest
from scmi_util import PERM_LEVEL, PERM_STATE, RESPONSE_MAX, shared, status_is

from pyhost.headers import CORE, defines
from pyhost.scmi import ScmiError, ValueRange, W
from pyhost.scmi.wire import NAME_SIZE, u32s

CLOCK = W("PROTO_CLOCK")
DELAYED_MAX = defines(CORE / "scmi" / "include" / "vbe" / "scmi.h")["VBE_SCMI_DELAYED_MAX"].value
RATES_PER_PAGE = (RESPONSE_MAX - 4 - 4) // 8  # status, num_rates_flags, then 8-byte rates
SMALLEST = 8 + 4 + 3 * 8  # header, status, num_rates_flags and one range triplet


def _with_perm(scmi, perm: int, want_range: bool | None = None):
    """(agent, grant) for a clock some guest may control with ``perm``."""
    for guest in scmi.guests():
        a = scmi(guest.index)
        for g in scmi.agent_info(guest.index).granted("clock"):
            if g.perms & perm != perm:
                continue
            is_range = isinstance(a.clock.describe_rates(g.local_id), ValueRange)
            if want_range is None or want_range == is_range:
                return a, g
    pytest.skip(f"no clock with permission {perm:#x} (range: {want_range}) in this system")


def test_protocol_attributes_count_the_agents_clocks(scmi):
    for guest in scmi.guests():
        attrs = scmi(guest.index).clock.protocol_attributes()
        assert attrs.num_clocks == len(scmi.agent_info(guest.index).granted("clock"))
        assert attrs.max_async == DELAYED_MAX


def test_protocol_attributes_without_eventq_advertise_no_async(scmi):
    a = scmi(scmi.guest().index, p2a=False)
    assert a.clock.protocol_attributes().max_async == 0
    assert not any(a.clock.attributes(i).notify_changed for i in range(a.clock.count()))


def test_clock_attributes_name_each_granted_clock(scmi):
    for guest in scmi.guests():
        a = scmi(guest.index)
        for g in scmi.agent_info(guest.index).granted("clock"):
            attrs = a.clock.attributes(g.local_id)
            assert attrs.name == g.name
            assert attrs.ext_name == (len(g.name) >= NAME_SIZE)
            assert attrs.notify_changed and attrs.notify_requested and not attrs.enabled


def test_long_clock_name_is_cut_in_attributes_and_whole_in_name_get(scmi):
    for guest in scmi.guests():
        a = scmi(guest.index)
        for g in scmi.agent_info(guest.index).granted("clock"):
            if len(g.name) < NAME_SIZE:
                continue
            data = a.clock.ok_bytes(W("CLOCK_ATTRIBUTES"), g.local_id, size=24)
            assert data[4:20] == g.name.encode()[: NAME_SIZE - 1] + b"\0"
            assert a.clock.name_get(W("CLOCK_NAME_GET"), g.local_id) == g.name
            return
    pytest.skip("no clock name needs CLOCK_NAME_GET in this system")


@pytest.mark.parametrize("msg", ["CLOCK_ATTRIBUTES", "CLOCK_RATE_GET", "CLOCK_NAME_GET"])
def test_clock_id_outside_the_agents_view_not_found(scmi, msg):
    a = scmi()
    n = a.clock.count()
    for clk in (n, n + 1, 0xFFFF, 0xFFFFFFFF):
        status_is(a.clock.call(W(msg), clk), "NOT_FOUND")


# ---- rates --------------------------------------------------------------------------------


def test_describe_rates_lists_ascend_in_pages_within_128_bytes(scmi):
    longest = 0
    for guest in scmi.guests():
        a = scmi(guest.index)
        for clk in range(a.clock.count()):
            a.history.clear()
            rates = a.clock.describe_rates(clk)
            if isinstance(rates, ValueRange):
                assert rates.min <= rates.max and rates.step > 0
                continue
            assert rates == sorted(set(rates)) and rates
            assert all(r.length - 4 <= RESPONSE_MAX for r in a.history)
            pages = [r for r in a.history if r.hdr.msg == W("CLOCK_DESCRIBE_RATES")]
            assert len(pages) == -(-len(rates) // RATES_PER_PAGE)
            longest = max(longest, len(rates))
    if longest <= RATES_PER_PAGE:
        pytest.skip(f"no clock has more than {RATES_PER_PAGE} rates: nothing to paginate")


def test_describe_rates_remaining_counts_down_page_by_page(scmi):
    a = scmi()
    for clk in range(a.clock.count()):
        rates = a.clock.describe_rates(clk)
        if isinstance(rates, ValueRange):
            continue
        index = 0
        while index < len(rates):
            page = a.clock.describe_rates_page(clk, index)
            assert page.rates == rates[index : index + len(page.rates)]
            index += len(page.rates)
            assert page.remaining == len(rates) - index


def test_describe_rates_in_the_smallest_response_buffer_pages_three_at_a_time(scmi):
    """The smallest buffer DESCRIBE_RATES takes holds a range triplet: 3 rates a page."""
    a = scmi()
    lists = {c: a.clock.describe_rates(c) for c in range(a.clock.count())}
    lists = {c: r for c, r in lists.items() if isinstance(r, list)}
    clk = max(lists, key=lambda c: len(lists[c]))
    rates = lists[clk]
    got: list[int] = []
    while len(got) < len(rates):
        r = a.call(CLOCK, W("CLOCK_DESCRIBE_RATES"), u32s(clk, len(got)), response_size=SMALLEST)
        n = r.words[0] & 0xFFF
        assert n == min(3, len(rates) - len(got)) and r.length <= SMALLEST
        got += [r.words[1 + 2 * i] | r.words[2 + 2 * i] << 32 for i in range(n)]
    assert got == rates


def test_describe_rates_without_room_for_a_triplet_protocol_error(scmi):
    a = scmi()
    r = a.call(CLOCK, W("CLOCK_DESCRIBE_RATES"), u32s(0, 0), response_size=SMALLEST - 1)
    status_is(r, "PROTOCOL_ERROR")


def test_describe_rates_index_past_the_end_invalid_parameters(scmi):
    a = scmi()
    for clk in range(a.clock.count()):
        rates = a.clock.describe_rates(clk)
        past = 1 if isinstance(rates, ValueRange) else len(rates)
        status_is(a.clock.call(W("CLOCK_DESCRIBE_RATES"), clk, past), "INVALID_PARAMETERS")


def test_rate_set_to_each_listed_rate_reaches_the_platform(scmi):
    a, g = _with_perm(scmi, PERM_LEVEL, want_range=False)
    seq = scmi.op_log_seq()
    for rate in a.clock.describe_rates(g.local_id):
        a.clock.rate_set(g.local_id, rate)
        assert a.clock.rate_get(g.local_id) == rate
        assert scmi.state("clock", g.resource).value == rate
    ops = [op for op in scmi.op_log(seq) if op.op == "clock_set_rate"]
    assert [op.resource for op in ops] == [g.resource] * len(ops) and ops


def test_rate_set_on_a_range_rounds_to_a_step(scmi):
    a, g = _with_perm(scmi, PERM_LEVEL, want_range=True)
    rng = a.clock.describe_rates(g.local_id)
    assert isinstance(rng, ValueRange)
    between = rng.min + rng.step + rng.step // 3
    a.clock.rate_set(g.local_id, between, round="down")
    assert a.clock.rate_get(g.local_id) == rng.min + rng.step
    a.clock.rate_set(g.local_id, between, round="up")
    assert a.clock.rate_get(g.local_id) == rng.min + 2 * rng.step
    a.clock.rate_set(g.local_id, between, round="auto")
    assert a.clock.rate_get(g.local_id) == rng.min + rng.step
    assert scmi.state("clock", g.resource).value == rng.min + rng.step


def test_rate_set_between_two_listed_rates_rounds_as_asked(scmi):
    a, g = _with_perm(scmi, PERM_LEVEL, want_range=False)
    lo, hi = a.clock.describe_rates(g.local_id)[:2]
    near_hi = hi - (hi - lo) // 4
    for how, want in (("down", lo), ("up", hi), ("auto", hi)):
        a.clock.rate_set(g.local_id, near_hi, round=how)
        assert a.clock.rate_get(g.local_id) == want, how


@pytest.mark.parametrize("where", ["below", "above"])
def test_rate_set_outside_the_clocks_rates_out_of_range(scmi, where):
    a, g = _with_perm(scmi, PERM_LEVEL)
    rates = a.clock.describe_rates(g.local_id)
    lo, hi = (rates.min, rates.max) if isinstance(rates, ValueRange) else (rates[0], rates[-1])
    before = a.clock.rate_get(g.local_id)
    seq = scmi.op_log_seq()
    bad = lo - 1 if where == "below" else hi + 1
    r = a.clock.call(W("CLOCK_RATE_SET"), 0, g.local_id, bad & 0xFFFFFFFF, bad >> 32)
    status_is(r, "OUT_OF_RANGE")
    assert a.clock.rate_get(g.local_id) == before
    assert scmi.op_log(seq) == []


def test_rate_set_reserved_flags_invalid_parameters(scmi):
    a, g = _with_perm(scmi, PERM_LEVEL)
    rate = a.clock.rate_get(g.local_id)
    r = a.clock.call(W("CLOCK_RATE_SET"), 0x10, g.local_id, rate & 0xFFFFFFFF, rate >> 32)
    status_is(r, "INVALID_PARAMETERS")


def test_rate_set_without_level_permission_denied(scmi):
    for guest in scmi.guests():
        a = scmi(guest.index)
        for g in scmi.agent_info(guest.index).granted("clock"):
            if g.perms & PERM_LEVEL:
                continue
            rate = a.clock.rate_get(g.local_id)
            r = a.clock.call(W("CLOCK_RATE_SET"), 0, g.local_id, rate & 0xFFFFFFFF, rate >> 32)
            status_is(r, "DENIED")
            assert a.clock.get_permissions(g.local_id)[1] is False
            return
    pytest.skip("every clock grant of this system allows rate changes")


def test_async_rate_set_answers_then_sends_the_delayed_response_on_the_eventq(scmi):
    a, g = _with_perm(scmi, PERM_LEVEL)
    target = a.clock.describe_rates(g.local_id)
    rate = target.max if isinstance(target, ValueRange) else target[-1]
    flags = W("CLOCK_SET_ASYNC")
    r = a.clock.call(W("CLOCK_RATE_SET"), flags, g.local_id, rate & 0xFFFFFFFF, rate >> 32)
    status_is(r, "SUCCESS")
    ev = a.wait_delayed(r.token, timeout=2.0)
    assert ev.delayed and ev.hdr.msg == W("CLOCK_RATE_SET") and ev.hdr.proto == CLOCK
    assert ev.words == (0, g.local_id, rate & 0xFFFFFFFF, rate >> 32)
    assert scmi.state("clock", g.resource).value == rate


def test_async_rate_set_with_ignore_delayed_sends_no_delayed_response(scmi):
    a, g = _with_perm(scmi, PERM_LEVEL)
    rate = a.clock.rate_get(g.local_id)
    flags = W("CLOCK_SET_ASYNC") | W("CLOCK_SET_IGNORE_DELAYED")
    r = a.clock.call(W("CLOCK_RATE_SET"), flags, g.local_id, rate & 0xFFFFFFFF, rate >> 32)
    status_is(r, "SUCCESS")
    list(a.events(timeout=0.05))
    assert a.delayed_pending() == {}


def test_async_rate_set_without_eventq_not_supported(scmi):
    a, g = _with_perm(scmi, PERM_LEVEL)
    raw = scmi(a.guest.index, p2a=False)
    rate = raw.clock.rate_get(g.local_id)
    flags = W("CLOCK_SET_ASYNC")
    r = raw.clock.call(W("CLOCK_RATE_SET"), flags, g.local_id, rate & 0xFFFFFFFF, rate >> 32)
    status_is(r, "NOT_SUPPORTED")


# ---- on/off, permissions ----------------------------------------------------------------


def test_config_set_enables_and_disables_and_config_get_reports_the_vote(scmi):
    a, g = _with_perm(scmi, PERM_STATE)
    a.clock.enable(g.local_id)
    assert a.clock.config_get(g.local_id) and a.clock.attributes(g.local_id).enabled
    assert scmi.state("clock", g.resource).on
    a.clock.disable(g.local_id)
    assert not a.clock.config_get(g.local_id) and not a.clock.attributes(g.local_id).enabled
    assert not scmi.state("clock", g.resource).on


@pytest.mark.parametrize(
    "attributes,status",
    [
        (2, "INVALID_PARAMETERS"),  # reserved state
        (W("CLOCK_STATE_UNCHANGED"), "INVALID_PARAMETERS"),  # unchanged without an OEM type
        (1 | 1 << 4, "INVALID_PARAMETERS"),  # reserved bit
        (1 | 0x20 << 16, "NOT_SUPPORTED"),  # an OEM configuration type
    ],
    ids=["state-2", "unchanged", "reserved-bit", "oem-type"],
)
def test_config_set_bad_attributes_status(scmi, attributes, status):
    a, g = _with_perm(scmi, PERM_STATE)
    status_is(a.clock.call(W("CLOCK_CONFIG_SET"), g.local_id, attributes, 0), status)
    assert not scmi.state("clock", g.resource).on


@pytest.mark.parametrize("flags,status", [(0x20, "NOT_SUPPORTED"), (0x100, "INVALID_PARAMETERS")])
def test_config_get_flags_status(scmi, flags, status):
    a = scmi()
    status_is(a.clock.call(W("CLOCK_CONFIG_GET"), 0, flags), status)


def test_config_set_without_state_permission_denied(scmi):
    for guest in scmi.guests():
        a = scmi(guest.index)
        for g in scmi.agent_info(guest.index).granted("clock"):
            if not g.perms & PERM_STATE:
                with pytest.raises(ScmiError, match="DENIED"):
                    a.clock.enable(g.local_id)
                return
    pytest.skip("every clock grant of this system allows on/off")


def test_get_permissions_follow_the_grant(scmi):
    for guest in scmi.guests():
        a = scmi(guest.index)
        for g in scmi.agent_info(guest.index).granted("clock"):
            want = (bool(g.perms & PERM_STATE), bool(g.perms & PERM_LEVEL))
            assert a.clock.get_permissions(g.local_id) == want


# ---- notifications -----------------------------------------------------------------------


def test_rate_change_notifies_subscribers_with_their_own_clock_id(scmi):
    pairs = [p for p in shared(scmi.info, "clock") if any(g.perms & PERM_LEVEL for g in p)]
    if not pairs:
        pytest.skip("no shared clock whose rate one agent may set")
    grants = pairs[0]
    setter = next(g for g in grants if g.perms & PERM_LEVEL)
    other = next(g for g in grants if g is not setter)
    info = scmi.info
    by_grant = {g: a for a in info.agents for g in a.grants}
    s, o = scmi(by_grant[setter].guest), scmi(by_grant[other].guest)
    o.clock.rate_notify(other.local_id)
    o.clock.rate_change_requested_notify(other.local_id)
    rates = s.clock.describe_rates(setter.local_id)
    rate = rates.max if isinstance(rates, ValueRange) else rates[-1]
    s.clock.rate_set(setter.local_id, rate)
    lo, hi = rate & 0xFFFFFFFF, rate >> 32
    agent = by_grant[setter].agent_id
    req = o.wait_event(lambda e: e.msg == W("CLOCK_RATE_CHANGE_REQUESTED"), timeout=2.0)
    done = o.wait_event(lambda e: e.msg == W("CLOCK_RATE_CHANGED"), timeout=2.0)
    for ev in (req, done):
        assert ev.proto == CLOCK and not ev.delayed and ev.hdr.token == 0
        assert ev.words == (agent, other.local_id, lo, hi)
    assert not [e for e in s.events() if e.proto == CLOCK]  # the setter did not subscribe
