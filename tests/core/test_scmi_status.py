"""The one validator every SCMI command passes (docs/scmi.md, "Dispatch"), seen through the
ring: unknown protocols and messages, wrong lengths, wrong types, privileged messages,
subscriptions without an eventq, and response buffers too small for the reply."""

from __future__ import annotations

import pytest
from scmi_util import ALL_PROTOCOLS, status_is

from pyhost.scmi import W
from pyhost.scmi.wire import PROTOCOLS, TYPE_DELAYED, TYPE_NOTIFICATION, request_sizes, u32s

UNKNOWN_PROTOCOLS = [0x00, 0x0F, 0x18, 0x19, 0x20, 0x80, 0xFF]


@pytest.mark.parametrize("proto", UNKNOWN_PROTOCOLS, ids=lambda p: f"0x{p:02x}")
def test_unknown_protocol_not_supported(scmi, proto):
    a = scmi()
    status_is(a.call(proto, W("MSG_PROTOCOL_VERSION")), "NOT_SUPPORTED")
    status_is(a.call(proto, W("MSG_PROTOCOL_ATTRIBUTES")), "NOT_SUPPORTED")


@pytest.mark.parametrize("proto", ALL_PROTOCOLS, ids=lambda p: PROTOCOLS[p])
def test_unknown_message_not_supported(scmi, proto):
    """Every message id the protocol does not serve, holes and past the table, answers
    NOT_SUPPORTED whatever its length."""
    a = scmi()
    served = request_sizes(proto)
    for msg in [m for m in range(0x100) if m not in served]:
        for payload in (b"", bytes(4), bytes(16)):
            r = a.call(proto, msg, payload)
            assert r.status_name == "NOT_SUPPORTED", f"message 0x{msg:x}, {len(payload)} bytes"
            assert r.length == 8


@pytest.mark.parametrize("delta", ["empty", "-1", "+1"])
@pytest.mark.parametrize("proto", ALL_PROTOCOLS, ids=lambda p: PROTOCOLS[p])
def test_wrong_request_length_protocol_error(scmi, proto, delta):
    """Parameters of 0, size-1 and size+1 bytes (whichever differ from the layout's size)
    answer PROTOCOL_ERROR, status only."""
    a = scmi()
    tried = 0
    for msg, size in request_sizes(proto).items():
        n = {"empty": 0, "-1": size - 1, "+1": size + 1}[delta]
        if n < 0 or n == size:
            continue
        r = a.call(proto, msg, bytes(n))
        assert r.status_name == "PROTOCOL_ERROR", f"message 0x{msg:x} with {n} bytes"
        assert r.length == 8
        tried += 1
    assert tried or delta != "+1"


@pytest.mark.parametrize("size", [24, 60, 200])
def test_oversize_request_protocol_error(scmi, size):
    a = scmi()
    status_is(a.call(W("PROTO_CLOCK"), W("CLOCK_RATE_GET"), bytes(size)), "PROTOCOL_ERROR")


@pytest.mark.parametrize("type_", [1, TYPE_DELAYED, TYPE_NOTIFICATION])
def test_message_that_is_not_a_command_protocol_error(scmi, type_):
    a = scmi()
    p = a.send(W("PROTO_BASE"), W("MSG_PROTOCOL_VERSION"), type_=type_)
    status_is(a.collect([p])[0], "PROTOCOL_ERROR")


@pytest.mark.parametrize(
    "msg,args",
    [
        ("BASE_SET_DEVICE_PERMISSIONS", (1, 0, 1)),
        ("BASE_SET_PROTOCOL_PERMISSIONS", (1, 0, W("PROTO_CLOCK"), 1)),
        ("BASE_RESET_AGENT_CONFIGURATION", (1, 0)),
    ],
    ids=["device", "protocol", "reset"],
)
def test_privileged_message_from_unprivileged_agent_denied(scmi, msg, args):
    others = [a for a in scmi.info.agents if not a.privileged]
    if not others:
        pytest.skip("every agent of this system is privileged")
    for me in others:
        a = scmi(me.guest)
        status_is(a.base.call(W(msg), *args), "DENIED")


NOTIFY = [
    ("PROTO_BASE", "BASE_NOTIFY_ERRORS", 1),
    ("PROTO_POWER", "POWER_STATE_NOTIFY", 2),
    ("PROTO_SYSTEM", "SYSTEM_POWER_STATE_NOTIFY", 1),
    ("PROTO_PERF", "PERF_NOTIFY_LIMITS", 2),
    ("PROTO_PERF", "PERF_NOTIFY_LEVEL", 2),
    ("PROTO_CLOCK", "CLOCK_RATE_NOTIFY", 2),
    ("PROTO_CLOCK", "CLOCK_RATE_CHANGE_REQUESTED_NOTIFY", 2),
    ("PROTO_SENSOR", "SENSOR_TRIP_POINT_NOTIFY", 2),
    ("PROTO_RESET", "RESET_NOTIFY", 2),
]


@pytest.mark.parametrize("proto,msg,nargs", NOTIFY, ids=[m for _, m, _ in NOTIFY])
def test_subscription_without_eventq_not_supported(scmi, proto, msg, nargs):
    """No P2A negotiated: every *_NOTIFY answers NOT_SUPPORTED, and
    PROTOCOL_MESSAGE_ATTRIBUTES reports it absent (NOT_FOUND), as Linux probes it."""
    a = scmi(scmi.guest().index, p2a=False)
    args = (0, 1)[-nargs:] if nargs == 2 else (1,)
    status_is(
        a.call(W(proto), W(msg), b"".join(x.to_bytes(4, "little") for x in args)), "NOT_SUPPORTED"
    )
    r = a.call(W(proto), W("MSG_PROTOCOL_MESSAGE_ATTRIBUTES"), u32s(W(msg)))
    status_is(r, "NOT_FOUND")


@pytest.mark.parametrize(
    "proto,msg,args,returns",
    [
        ("PROTO_CLOCK", "CLOCK_RATE_GET", (0,), 8),
        ("PROTO_CLOCK", "CLOCK_ATTRIBUTES", (0,), 24),
        ("PROTO_BASE", "BASE_DISCOVER_VENDOR", (), 16),
        ("PROTO_SENSOR", "SENSOR_READING_GET", (0, 0), 16),
        ("PROTO_CLOCK", "CLOCK_NAME_GET", (0,), 68),
    ],
    ids=["rate-get", "clock-attributes", "vendor", "reading-get", "name-get"],
)
def test_response_buffer_too_small_for_the_reply_protocol_error(scmi, proto, msg, args, returns):
    """Room for header + status + one byte less than the fixed return values."""
    a = scmi()
    payload = u32s(*args)
    r = a.call(W(proto), W(msg), payload, response_size=8 + returns - 1)
    status_is(r, "PROTOCOL_ERROR")
    ok = a.call(W(proto), W(msg), payload, response_size=8 + returns)
    status_is(ok, "SUCCESS")
    assert len(ok.payload) == returns


def test_error_responses_echo_the_header_and_carry_the_status_only(scmi):
    a = scmi()
    for token in (0, 1, 0x155, 0x3FF):
        r = a.call(W("PROTO_CLOCK"), W("CLOCK_RATE_GET"), bytes(4 + 1), token=token)
        assert r.hdr.token == token and r.hdr.msg == W("CLOCK_RATE_GET")
        status_is(r, "PROTOCOL_ERROR")
