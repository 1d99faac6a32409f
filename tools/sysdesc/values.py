"""Parsing the scalar notations a system description accepts: sizes ("256K"), addresses
("0x50"), frequencies ("24MHz"). Each parser returns the value or raises ValueError with a
message that says which notations are accepted."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_SIZE = re.compile(r"^\s*(0x[0-9a-fA-F]+|[0-9]+)\s*(K|M|G|KiB|MiB|GiB)?\s*$")
_SIZE_UNITS = {
    None: 1,
    "K": 1 << 10,
    "KiB": 1 << 10,
    "M": 1 << 20,
    "MiB": 1 << 20,
    "G": 1 << 30,
    "GiB": 1 << 30,
}
_FREQ = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(Hz|kHz|KHz|MHz|GHz)\s*$")
_FREQ_UNITS = {"Hz": 1, "kHz": 10**3, "KHz": 10**3, "MHz": 10**6, "GHz": 10**9}
_HEX = re.compile(r"^\s*0x[0-9a-fA-F]+\s*$")

SIZE_HINT = 'a size in bytes: an integer (262144) or a string such as "256K" or "1M"'
ADDRESS_HINT = 'an I2C address: an integer (0x50 or 80) or a hex string ("0x50")'
FREQ_HINT = 'a frequency: an integer in Hz (24000000) or a string such as "24MHz"'


def parse_size(value: int | str) -> int:
    """Bytes from 262144, "262144", "0x40000", "256K", "256KiB", "1M"."""
    if isinstance(value, int):
        return value
    m = _SIZE.match(value)
    if m is None:
        raise ValueError(f"{value!r} is not {SIZE_HINT}")
    return int(m.group(1), 0) * _SIZE_UNITS[m.group(2)]


def parse_address(value: int | str) -> int:
    """An address from 80, 0x50 (YAML reads it as an integer) or "0x50"."""
    if isinstance(value, int):
        return value
    if _HEX.match(value) is None:
        raise ValueError(f"{value!r} is not {ADDRESS_HINT}")
    return int(value, 16)


def parse_freq(value: int | str) -> int:
    """Hz from 24000000, "24MHz", "32.768 kHz"; a fraction of a Hz is refused."""
    if isinstance(value, int):
        return value
    m = _FREQ.match(value)
    if m is None:
        raise ValueError(f"{value!r} is not {FREQ_HINT}")
    try:
        hz = Decimal(m.group(1)) * _FREQ_UNITS[m.group(2)]
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only decimals
        raise ValueError(f"{value!r} is not {FREQ_HINT}") from exc
    if hz != hz.to_integral_value():
        raise ValueError(f"{value!r} is not a whole number of Hz")
    return int(hz)


def fmt_size(n: int) -> str:
    """262144 -> "256 KiB", 4097 -> "4097 bytes"."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift} {unit}"
    return f"{n} bytes"


def fmt_freq(hz: int) -> str:
    for unit, scale in (("GHz", 10**9), ("MHz", 10**6), ("kHz", 10**3)):
        if hz >= scale and hz % scale == 0:
            return f"{hz // scale} {unit}"
    return f"{hz} Hz"


def fmt_addr(addr: int, ten_bit: bool = False) -> str:
    return f"0x{addr:03x}" if ten_bit else f"0x{addr:02x}"
