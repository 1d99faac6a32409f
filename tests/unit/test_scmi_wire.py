"""pyhost.scmi.wire against scmi_wire.h and the host API: header fields, status names,
message names, and the platform operation names machines report."""

from __future__ import annotations

import re

import pytest

from pyhost.headers import PLAT_H, SIM_H, enum
from pyhost.machine.base import PLATFORM_OPS
from pyhost.scmi import Header, W, encode_header, status_code, status_name
from pyhost.scmi.wire import describe, messages, request_sizes, s32, s64, u32s, words


@pytest.mark.parametrize(
    "msg,proto,type_,token",
    [(0, 0x10, 0, 0), (0xFF, 0xFF, 3, 0x3FF), (0x5, 0x14, 2, 0x155), (0x10, 0x17, 0, 1)],
)
def test_header_fields_round_trip(msg, proto, type_, token):
    value = encode_header(msg, proto, type_, token)
    assert value >> 28 == 0
    assert Header.decode(value) == Header(msg, proto, type_, token)
    assert value == msg | type_ << 8 | proto << 10 | token << 18  # DEN0056E 4.1.1


def test_token_wider_than_ten_bits_is_masked():
    assert Header.decode(encode_header(0, 0x10, 0, 0x400 | 7)).token == 7


def test_status_names_are_the_spec_codes():
    assert [status_code(n) for n in ("SUCCESS", "NOT_SUPPORTED", "PROTOCOL_ERROR")] == [0, -1, -10]
    assert status_name(-4) == "NOT_FOUND" and status_name(-99) == "status -99"


def test_every_served_message_has_a_name_and_a_size():
    for proto in range(W("PROTO_BASE"), W("PROTO_VOLTAGE") + 1):
        assert set(request_sizes(proto)) <= set(messages(proto))
        assert describe(proto, W("MSG_PROTOCOL_VERSION")).endswith(f"(0x{proto:x}/0x0)")


def test_signed_and_word_helpers():
    assert words(u32s(1, -1)) == (1, 0xFFFFFFFF)
    assert s32(0xFFFFFFFF) == -1 and s64(2**64 - 40) == -40


def test_platform_op_names_follow_the_op_codes_and_name_plat_ops():
    ops = enum(SIM_H, "vbe_sim_op")
    assert len(PLATFORM_OPS) == len(ops)
    members = set(re.findall(r"\(\*(\w+)\)", PLAT_H.read_text()))
    assert set(PLATFORM_OPS[1:]) <= members
