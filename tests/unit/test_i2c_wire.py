"""pyhost.i2c request encoding (virtio 1.2, 5.19.6): no machine needed."""

from __future__ import annotations

import struct

import pytest

from pyhost import headers
from pyhost import i2c as pi2c
from pyhost.i2c import I2cMsg, I2cUsageError, encode_addr
from pyhost.virtio.window import C


def test_wire_constants_match_the_c_header():
    d = headers.defines(headers.I2C_H, "VBE_I2C_")
    assert pi2c.VIRTIO_ID_I2C == C.VBE_VIRTIO_ID_I2C
    assert pi2c.F_ZERO_LENGTH_REQUEST == d["VBE_I2C_F_ZERO_LENGTH_REQUEST"].value
    assert pi2c.FLAGS_FAIL_NEXT == d["VBE_I2C_FLAGS_FAIL_NEXT"].value
    assert pi2c.FLAGS_M_RD == d["VBE_I2C_FLAGS_M_RD"].value
    assert pi2c.MSG_OK == d["VBE_I2C_MSG_OK"].value
    assert pi2c.MSG_ERR == d["VBE_I2C_MSG_ERR"].value


@pytest.mark.parametrize(("addr", "wire"), [(0x00, 0x0000), (0x50, 0x00A0), (0x7F, 0x00FE)])
def test_seven_bit_address_sits_in_bits_7_to_1(addr, wire):
    assert encode_addr(addr) == wire


@pytest.mark.parametrize(
    ("addr", "low", "high"),
    [(0x000, 0xF0, 0x00), (0x150, 0xF2, 0x50), (0x3FF, 0xF6, 0xFF), (0x2A5, 0xF4, 0xA5)],
)
def test_ten_bit_address_puts_a9_a8_in_the_low_byte_and_a7_a0_in_the_high(addr, low, high):
    wire = encode_addr(addr, ten_bit=True)
    assert wire & 0xFF == low and wire >> 8 == high
    assert low >> 3 == 0b11110 and (low >> 1) & 3 == addr >> 8 and low & 1 == 0


@pytest.mark.parametrize(("addr", "ten_bit"), [(0x80, False), (-1, False), (0x400, True)])
def test_out_of_range_addresses_are_refused(addr, ten_bit):
    with pytest.raises(I2cUsageError, match="out of range"):
        encode_addr(addr, ten_bit)


def test_write_chain_is_header_and_data_then_a_status_byte():
    out, in_lens = I2cMsg(0x50, False, b"\x01\x02").chain(fail_next=True)
    assert out == [struct.pack("<HHI", 0xA0, 0, pi2c.FLAGS_FAIL_NEXT), b"\x01\x02"]
    assert in_lens == [1]


def test_read_chain_is_header_then_buffer_and_status_byte():
    out, in_lens = I2cMsg(0x48, True, 2).chain(fail_next=False)
    assert out == [struct.pack("<HHI", 0x90, 0, pi2c.FLAGS_M_RD)]
    assert in_lens == [2, 1]


@pytest.mark.parametrize("read", [False, True])
def test_zero_length_chain_has_no_buffer(read):
    out, in_lens = I2cMsg(0x50, read, 0 if read else b"").chain(fail_next=False)
    assert len(out) == 1 and in_lens == [1]


@pytest.mark.parametrize(
    ("read", "data", "match"),
    [(True, b"\x00", "takes a length"), (False, 3, "takes bytes"), (True, 0x10000, "length")],
)
def test_message_shapes_are_checked(read, data, match):
    with pytest.raises(I2cUsageError, match=match):
        I2cMsg(0x50, read, data)


def test_describe_uses_i2ctransfer_notation():
    assert I2cMsg(0x50, False, b"\x00\x01").describe() == "w2@0x50"
    assert I2cMsg(0x150, True, 1, ten_bit=True).describe() == "r1@0x150"
