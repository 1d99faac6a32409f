"""i2ctransfer(8) syntax: every form the man page describes, and every error, by message."""

from __future__ import annotations

import pytest
from vbe.i2ctransfer import (
    MAX_MSGS,
    I2cSyntaxError,
    format_transfer,
    parse_address,
    parse_transfer,
    prng_next,
)

from pyhost.i2c import I2cMsg


def parse(text: str, **kw) -> list[I2cMsg]:
    return parse_transfer(text.split(), **kw)


def test_write_then_read_with_address_carried_over():
    assert parse("w2@0x50 0x00 0x10 r4") == [
        I2cMsg(0x50, False, b"\x00\x10"),
        I2cMsg(0x50, True, 4),
    ]


def test_each_message_may_name_its_own_address():
    msgs = parse("w1@0x50 0x00 r8@0x50 r2@0x48 r1")
    assert [(m.addr, m.read, m.length) for m in msgs] == [
        (0x50, False, 1),
        (0x50, True, 8),
        (0x48, True, 2),
        (0x48, True, 1),
    ]


@pytest.mark.parametrize(
    ("token", "value"), [("0x1f", 0x1F), ("0X1F", 0x1F), ("31", 31), ("037", 0o37), ("0", 0)]
)
def test_data_bytes_take_c_prefixes(token, value):
    assert parse(f"w1@0x50 {token}")[0].data == bytes([value])


@pytest.mark.parametrize(
    ("desc", "length"), [("r0x10@0x50", 16), ("r010@0x50", 8), ("r65535@0x50", 65535)]
)
def test_lengths_take_c_prefixes_up_to_65535(desc, length):
    assert parse(desc)[0].length == length


@pytest.mark.parametrize(
    ("args", "data"),
    [
        ("w4@0x50 0x10=", b"\x10\x10\x10\x10"),
        ("w4@0x50 0x10+", b"\x10\x11\x12\x13"),
        ("w4@0x50 0x10-", b"\x10\x0f\x0e\x0d"),
        ("w3@0x50 0xfe+", b"\xfe\xff\x00"),  # 8-bit wrap
        ("w3@0x50 0x01-", b"\x01\x00\xff"),
        ("w3@0x50 0p", b"\x00\x50\xb0"),  # the man page: 0p means 0x00, 0x50, 0xb0, ...
        ("w17@0x50 0x42 0xff-", bytes([0x42] + list(range(0xFF, 0xEF, -1)))),  # man page
        ("w3@0x50 1 2 3=", b"\x01\x02\x03"),  # a suffix with nothing left to fill
    ],
)
def test_value_suffixes_fill_the_rest_of_the_message(args, data):
    assert parse(args)[0].data == data


def test_prng_sequence_follows_i2ctransfers_generator():
    seq = [0]
    for _ in range(3):
        seq.append(prng_next(seq[-1]))
    assert seq[:3] == [0x00, 0x50, 0xB0]
    assert all(0 <= v <= 0xFF for v in seq)


def test_message_after_a_filled_write_is_parsed_as_a_description():
    msgs = parse("w3@0x50 0x10+ r2 w1@0x48 0x01")
    assert [m.describe() for m in msgs] == ["w3@0x50", "r2@0x50", "w1@0x48"]


def test_zero_length_messages_take_no_data():
    msgs = parse("w0@0x50 r0 w1 0x05")
    assert [(m.read, m.length) for m in msgs] == [(False, 0), (True, 0), (False, 1)]
    assert msgs[2].data == b"\x05"


def test_address_range_is_0x08_to_0x77_unless_all_addresses():
    assert parse("r1@0x08")[0].addr == 0x08
    assert parse("r1@0x77")[0].addr == 0x77
    assert parse("r1@0x03", all_addrs=True)[0].addr == 0x03
    assert parse("r1@0x7f", all_addrs=True)[0].addr == 0x7F


def test_format_transfer_writes_the_messages_back():
    msgs = parse("w3@0x50 0x10+ r2")
    assert format_transfer(msgs) == "w3@0x50 0x10 0x11 0x12 r2@0x50"
    assert parse(format_transfer(msgs)) == msgs


ERRORS = [
    ("r1", 0, "no address given: the first message needs @ADDRESS"),
    ("x1@0x50", 0, "missing direction 'r' or 'w', found 'x'"),
    ("1@0x50", 0, "missing direction 'r' or 'w', found '1'"),
    ("@0x50", 0, "missing direction 'r' or 'w', found '@'"),
    ("pr1@0x50", 0, "message modifier flag 'p' (emit a STOP after the message)"),
    ("ir1@0x50", 0, "message modifier flag 'i'"),
    ("nr1@0x50", 0, "message modifier flag 'n'"),
    ("sw1@0x50 0", 0, "message modifier flag 's'"),
    ("tr1@0x50", 0, "message modifier flag 't'"),
    ("r?@0x50", 0, "variable-length reads ('r?', SMBus block) are not supported"),
    ("w?@0x50", 0, "variable length '?' is only allowed with a read"),
    ("r@0x50", 0, "invalid length: use 0..65535"),
    ("r65536@0x50", 0, "invalid length: use 0..65535"),
    ("rx@0x50", 0, "invalid length"),
    ("r1#0x50", 0, "unexpected '#0x50' after the length: expected @ADDRESS"),
    ("r1@", 0, "address '' is not a number"),
    ("r1@zz", 0, "address 'zz' is not a number"),
    ("r1@0x50x", 0, "address '0x50x' is not a number"),
    ("r1@0x07", 0, "address 0x07 is out of range (0x08-0x77; -a allows"),
    ("r1@0x78", 0, "address 0x78 is out of range (0x08-0x77"),
    ("r1@0x150", 0, "address 0x150 is not a 7-bit address"),
    ("w2@0x50 0x00 r1", 2, "invalid data byte 2 of 2 for w2@0x50"),
    ("w1@0x50 0x100", 1, "invalid data byte 1 of 1 for w1@0x50: use 0..255"),
    ("w1@0x50 -1", 1, "invalid data byte 1 of 1"),
    ("w1@0x50 08", 1, "invalid data byte suffix '8'"),
    ("w2@0x50 0x10x", 1, "invalid data byte suffix 'x'"),
    ("w2@0x50 0x10++", 1, "invalid data byte suffix '++'"),
    ("w3@0x50 0x00", None, "incomplete message: w3@0x50 needs 3 data bytes, got 1"),
    ("", None, "no message given"),
]


@pytest.mark.parametrize(("args", "position", "reason"), ERRORS, ids=[e[0] for e in ERRORS])
def test_syntax_errors_name_the_problem_and_the_token(args, position, reason):
    with pytest.raises(I2cSyntaxError) as exc:
        parse(args)
    assert reason in str(exc.value)
    assert exc.value.position == position
    if position is not None:
        token = args.split()[position]
        assert exc.value.token == token
        assert f'(argument {position + 1}: "{token}")' in str(exc.value)


def test_too_many_messages_names_the_limit_and_the_first_extra_token():
    args = ["r1@0x50"] + ["r1"] * MAX_MSGS
    with pytest.raises(I2cSyntaxError, match=f"too many messages \\(at most {MAX_MSGS}"):
        parse_transfer(args)
    assert len(parse_transfer(args[:MAX_MSGS])) == MAX_MSGS


def test_parse_address_alone():
    assert parse_address("0x50") == 0x50
    assert parse_address("80") == 0x50
    with pytest.raises(I2cSyntaxError, match="out of range"):
        parse_address("0x05")
