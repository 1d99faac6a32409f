"""Typed wrappers over ``vbe-guest``, the static tool in the guest's initramfs
(guest-tools/vbe-guest.c; pyhost.linux.initramfs builds it in at /usr/bin/vbe-guest).

    with LinuxGuest(...) as g:
        r = scmi_raw(g, 0x10, 0x0)                 # BASE PROTOCOL_VERSION
        assert r.status == 0 and r.words() == [0x20001]
        print(i2c_bench(g, 0, 0x50, 2000).per_second)
        print(scmi_bench(g, 2000).per_second)

Each call runs one ``vbe-guest`` command through :meth:`LinuxGuest.run`, parses its single
``key=value`` line and raises :class:`LinuxError` (with the command's output) when it exits
non-zero or prints something else. An SCMI error status is not a failure of
:func:`scmi_raw`: it is in :attr:`RawReply.status`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from pyhost.linux.cache import LinuxError

TOOL = "vbe-guest"
BASE_TIMEOUT = 30.0  # s: one command, or the fixed part of a benchmark's
BENCH_SECONDS_PER_OP = 0.005  # s: a generous bound per transaction under TCG (~0.1 ms seen)


class Guest(Protocol):
    """What the wrappers need of a guest: :meth:`pyhost.linux.guest.LinuxGuest.run`."""

    def run(self, cmd: str, timeout: float = ...) -> tuple[int, str]: ...


@dataclass(frozen=True)
class BenchResult:
    """One benchmark run inside the guest, timed there with CLOCK_MONOTONIC."""

    count: int
    seconds: float
    per_second: float
    us_per_op: float


@dataclass(frozen=True)
class RawReply:
    """An SCMI reply: the int32 status and the payload after it (little-endian bytes)."""

    status: int
    payload: bytes

    def words(self) -> list[int]:
        """The payload as little-endian 32-bit words (ValueError if not a multiple of 4)."""
        if len(self.payload) % 4:
            raise ValueError(f"a {len(self.payload)}-byte payload is not whole 32-bit words")
        return [
            int.from_bytes(self.payload[i : i + 4], "little")
            for i in range(0, len(self.payload), 4)
        ]


def run_tool(guest: Guest, args: Iterable[object], timeout: float = BASE_TIMEOUT) -> dict[str, str]:
    """``vbe-guest ARGS`` in the guest: its ``key=value`` pairs. LinuxError with the output
    when it fails or does not print exactly one such line."""
    cmd = " ".join([TOOL, *(str(a) for a in args)])
    status, out = guest.run(cmd, timeout)
    lines = out.splitlines()
    if status != 0:
        raise LinuxError(f"guest: {cmd!r} exited with status {status}: {out.strip()}")
    if len(lines) != 1:
        raise LinuxError(f"guest: {cmd!r}: want one line of key=value, got {out!r}")
    fields = {}
    for item in lines[0].split(" "):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise LinuxError(f"guest: {cmd!r}: {item!r} is not key=value in {out!r}")
        fields[key] = value
    return fields


def _number(fields: dict[str, str], key: str, cmd: str) -> float:
    """``key``'s value: an int when it is written as one, else a float."""
    try:
        text = fields[key]
        return int(text) if text.lstrip("-").isdigit() else float(text)
    except (KeyError, ValueError):
        raise LinuxError(f"guest: {cmd}: no number {key}= in {fields}") from None


def _int(fields: dict[str, str], key: str, cmd: str) -> int:
    v = _number(fields, key, cmd)
    if not isinstance(v, int):
        raise LinuxError(f"guest: {cmd}: {key}={fields[key]} is not an integer")
    return v


def _bench(guest: Guest, args: list[object], n: int, count_key: str, per_key: str) -> BenchResult:
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    fields = run_tool(guest, args, BASE_TIMEOUT + n * BENCH_SECONDS_PER_OP)
    cmd = str(args[0])
    result = BenchResult(
        count=_int(fields, count_key, cmd),
        seconds=float(_number(fields, "seconds", cmd)),
        per_second=float(_number(fields, "per_second", cmd)),
        us_per_op=float(_number(fields, per_key, cmd)),
    )
    if result.count != n:
        raise LinuxError(f"guest: {cmd}: asked for {n}, {count_key}={result.count}")
    return result


def i2c_bench(guest: Guest, bus: int, addr: int, n: int) -> BenchResult:
    """``n`` I2C_RDWR transactions on /dev/i2c-``bus`` to ``addr``, each a 1-byte write of
    register 0 and a 1-byte read."""
    return _bench(
        guest, ["i2c-bench", bus, f"{addr:#x}", n], n, "i2c_transactions", "us_per_transaction"
    )


def scmi_bench(guest: Guest, n: int) -> BenchResult:
    """``n`` SCMI BASE PROTOCOL_VERSION round trips through the kernel's SCMI raw interface,
    each reply checked for SUCCESS."""
    return _bench(guest, ["scmi-bench", n], n, "scmi_round_trips", "us_per_round_trip")


def scmi_raw(guest: Guest, proto: int, msg: int, words: Iterable[int] = ()) -> RawReply:
    """One SCMI command through the raw interface: protocol ``proto``, message ``msg``,
    payload ``words`` (32-bit, sent little-endian); the reply whatever its status."""
    payload = list(words)
    for w in payload:
        if not 0 <= w <= 0xFFFFFFFF:
            raise ValueError(f"payload word {w:#x} does not fit 32 bits")
    args: list[object] = ["scmi-raw", f"{proto:#x}", f"{msg:#x}", *(f"{w:#x}" for w in payload)]
    fields = run_tool(guest, args)
    cmd = f"scmi-raw {proto:#x} {msg:#x}"
    status = _int(fields, "status", cmd)
    try:
        data = bytes.fromhex(fields["payload"])
    except (KeyError, ValueError):
        raise LinuxError(f"guest: {cmd}: no valid payload= in {fields}") from None
    if len(data) != _int(fields, "payload_len", cmd):
        raise LinuxError(f"guest: {cmd}: payload_len disagrees with payload in {fields}")
    return RawReply(status, data)


def mmio_bench(guest: Guest, addr: int, n: int) -> BenchResult:
    """``n`` 32-bit reads of the register at guest-physical ``addr`` through /dev/mem: on
    Xen each one traps to the IOREQ server and back."""
    return _bench(guest, ["mmio-bench", f"{addr:#x}", n], n, "mmio_reads", "us_per_read")
