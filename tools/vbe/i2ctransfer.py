"""i2ctransfer's message syntax (i2c-tools, i2ctransfer(8)), parsed into I2C messages.

A transfer is a list of message descriptions, each followed by its data when it writes::

    DESC  = [inpst]{r|w}LENGTH[@ADDRESS]
    DATA  = LENGTH bytes for a write; a byte may end in a suffix that fills the rest:
            =  keep the value            (0=    -> 0x00 0x00 0x00 ...)
            +  increase by 1, 8-bit wrap (0+    -> 0x00 0x01 0x02 ...)
            -  decrease by 1, 8-bit wrap (0xff- -> 0xff 0xfe 0xfd ...)
            p  8-bit pseudo-random sequence seeded with the value (0p -> 0x00 0x50 0xb0 ...)

Numbers take C's prefixes (``0x`` hexadecimal, a leading ``0`` octal, else decimal). LENGTH
is 0..65535. ADDRESS is a 7-bit address, 0x08-0x77 (0x00-0x7f with ``-a``); when omitted
the previous message's address is used. At most 42 messages (Linux's
I2C_RDWR_IOCTL_MAX_MSGS). The modifier flags ``i n p s t`` and the variable length ``?``
are recognised but need adapter features virtio-i2c does not have, so they are refused.
Where i2ctransfer would silently ignore text after a data suffix, this parser refuses it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pyhost.i2c import I2cMsg

#: Most messages in one transfer (Linux I2C_RDWR_IOCTL_MAX_MSGS).
MAX_MSGS = 42
MAX_LEN = 0xFFFF
ADDR_MIN, ADDR_MAX = 0x08, 0x77

SYNTAX = "[inpst]{r|w}LENGTH[@ADDRESS]"
_MODIFIERS = {
    "i": "ignore NACK from the target",
    "n": "no master ACK/NACK in a read",
    "p": "emit a STOP after the message",
    "s": "skip the repeated start",
    "t": "toggle the read/write bit",
}
_SUFFIXES = "=+-p"
# C's strtoul(..., 0) without sign or blanks: hexadecimal, octal (leading 0), decimal.
_NUMBER = re.compile(r"0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*")


class I2cSyntaxError(ValueError):
    """A token that is not valid i2ctransfer syntax; names the token and its position."""

    def __init__(self, reason: str, token: str | None = None, position: int | None = None):
        self.reason = reason
        self.token = token
        self.position = position
        where = ""
        if token is not None and position is not None:
            where = f' (argument {position + 1}: "{token}")'
        super().__init__(f"{reason}{where}")


def _number(text: str) -> tuple[int, str] | None:
    """Parse a leading unsigned C number; return (value, rest) or None."""
    m = _NUMBER.match(text)
    if m is None:
        return None
    digits = m.group(0)
    if digits[:2].lower() == "0x":
        value = int(digits, 16)
    elif len(digits) > 1 and digits[0] == "0":
        value = int(digits, 8)
    else:
        value = int(digits)
    return value, text[m.end() :]


def prng_next(value: int) -> int:
    """i2ctransfer's 8-bit pseudo-random step (the ``p`` suffix): xor 27, add 13, rotate
    left by one, all on 8 bits."""
    v = ((value ^ 27) + 13) & 0xFF
    return ((v << 1) | (v >> 7)) & 0xFF


def _fill(value: int, suffix: str, count: int) -> list[int]:
    out = []
    for _ in range(count):
        out.append(value)
        if suffix == "+":
            value = (value + 1) & 0xFF
        elif suffix == "-":
            value = (value - 1) & 0xFF
        elif suffix == "p":
            value = prng_next(value)
    return out


def parse_address(text: str, all_addrs: bool = False) -> int:
    """A 7-bit address as i2ctransfer takes it; raises I2cSyntaxError (no position)."""
    lo, hi = (0x00, 0x7F) if all_addrs else (ADDR_MIN, ADDR_MAX)
    parsed = _number(text)
    if parsed is None or parsed[1]:
        raise I2cSyntaxError(f"address {text!r} is not a number (e.g. 0x50)")
    addr = parsed[0]
    if addr > 0x7F:
        raise I2cSyntaxError(
            f"address {addr:#x} is not a 7-bit address; i2ctransfer syntax has no 10-bit "
            "addresses (use the pyhost I2cClient for those)"
        )
    if not lo <= addr <= hi:
        hint = "" if all_addrs else "; -a allows 0x00-0x07 and 0x78-0x7f"
        raise I2cSyntaxError(f"address {addr:#04x} is out of range ({lo:#04x}-{hi:#04x}{hint})")
    return addr


@dataclass
class _Desc:
    read: bool
    length: int
    addr: int


def _parse_desc(tok: str, prev_addr: int | None, all_addrs: bool) -> _Desc:
    rest = tok
    if rest and rest[0] in _MODIFIERS:
        flag = rest[0]
        raise I2cSyntaxError(
            f"message modifier flag '{flag}' ({_MODIFIERS[flag]}) needs protocol mangling, "
            "which virtio-i2c does not offer; drop it"
        )
    if not rest or rest[0] not in "rw":
        found = f"'{rest[0]}'" if rest else "nothing"
        raise I2cSyntaxError(
            f"expected a message {SYNTAX}: missing direction 'r' or 'w', found {found}"
        )
    read = rest[0] == "r"
    rest = rest[1:]
    if rest.startswith("?"):
        if not read:
            raise I2cSyntaxError("variable length '?' is only allowed with a read ('r?')")
        raise I2cSyntaxError(
            "variable-length reads ('r?', SMBus block) are not supported over virtio-i2c; "
            "give the length"
        )
    parsed = _number(rest)
    if parsed is None or parsed[0] > MAX_LEN:
        raise I2cSyntaxError(f"invalid length: use 0..{MAX_LEN} right after '{tok[0]}'")
    length, rest = parsed
    if rest:
        if rest[0] != "@":
            raise I2cSyntaxError(f"unexpected '{rest}' after the length: expected @ADDRESS")
        addr = parse_address(rest[1:], all_addrs)
    elif prev_addr is None:
        raise I2cSyntaxError(
            "no address given: the first message needs @ADDRESS (later ones reuse it)"
        )
    else:
        addr = prev_addr
    return _Desc(read, length, addr)


def parse_transfer(args: Sequence[str], all_addrs: bool = False) -> list[I2cMsg]:
    """Parse i2ctransfer arguments (descriptions and data) into messages.

    Raises I2cSyntaxError naming the faulty argument and its position.
    """
    msgs: list[I2cMsg] = []
    pending: _Desc | None = None  # a write still collecting data
    data: list[int] = []
    prev_addr: int | None = None
    for pos, tok in enumerate(args):
        try:
            if pending is None:
                if len(msgs) == MAX_MSGS:
                    raise I2cSyntaxError(f"too many messages (at most {MAX_MSGS} per transfer)")
                desc = _parse_desc(tok, prev_addr, all_addrs)
                prev_addr = desc.addr
                if desc.read:
                    msgs.append(I2cMsg(desc.addr, True, desc.length))
                elif desc.length == 0:
                    msgs.append(I2cMsg(desc.addr, False, b""))
                else:
                    pending, data = desc, []
                continue
            parsed = _number(tok)
            if parsed is None or parsed[0] > 0xFF:
                raise I2cSyntaxError(
                    f"invalid data byte {len(data) + 1} of {pending.length} for "
                    f"w{pending.length}@{pending.addr:#04x}: use 0..255 (0x00-0xff), "
                    f"optionally ending in one of {' '.join(_SUFFIXES)}"
                )
            value, suffix = parsed
            if not suffix:
                data.append(value)
            elif len(suffix) == 1 and suffix in _SUFFIXES:
                data.extend(_fill(value, suffix, pending.length - len(data)))
            else:
                raise I2cSyntaxError(
                    f"invalid data byte suffix '{suffix}': use one of = + - p (only one, last)"
                )
            if len(data) == pending.length:
                msgs.append(I2cMsg(pending.addr, False, bytes(data)))
                pending = None
        except I2cSyntaxError as exc:
            raise I2cSyntaxError(exc.reason, tok, pos) from None
    if pending is not None:
        raise I2cSyntaxError(
            f"incomplete message: w{pending.length}@{pending.addr:#04x} needs "
            f"{pending.length} data bytes, got {len(data)} (or end the last one with = + - p)"
        )
    if not msgs:
        raise I2cSyntaxError(f"no message given: expected {SYNTAX} [DATA]...")
    return msgs


def format_transfer(msgs: Sequence[I2cMsg]) -> str:
    """The messages back in i2ctransfer syntax (every address explicit, data in hex)."""
    parts = []
    for m in msgs:
        parts.append(m.describe())
        if not m.read:
            parts.extend(f"{b:#04x}" for b in m.data)  # type: ignore[union-attr]
    return " ".join(parts)
