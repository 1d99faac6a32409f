"""``vbe i2c``: I2C transfers as a guest sees them, with i2c-tools' syntax and output."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pyhost.i2c import I2cClient, I2cError, I2cMsg, TransferResult, format_addr
from pyhost.machine.base import GuestInfo
from vbe.commands.base import CommandError, VbeCommand, VbeCommandGroup
from vbe.i2ctransfer import I2cSyntaxError, format_transfer, parse_address, parse_transfer
from vbe.output import Verbosity, dbg, err, out, verbosity
from vbe.session import add_json_arg, add_machine_args, machine_session, open_client, pick_guest

TRANSFER_DESCRIPTION = """\
Send I2C messages as one transfer (one FAIL_NEXT group of virtio-i2c requests), written
exactly as for i2ctransfer(8) from i2c-tools:

  MSG   = [inpst]{r|w}LENGTH[@ADDRESS]  followed, for a write, by LENGTH data bytes
  DATA  = a byte (0x.., 0.. octal, or decimal); the last one given may end in
          =  repeat it     +  count up     -  count down     p  pseudo-random sequence
          to fill the message

ADDRESS is a 7-bit address, 0x08-0x77 (-a: 0x00-0x7f); it may be left out after the
first message, which reuses the previous one. The modifier flags i n p s t and the
length '?' need adapter features virtio-i2c does not have: they are refused. Read
data is printed one line per read message, as i2ctransfer does; add -v (before "i2c")
for every message. A failed message ends the transfer: later ones are not executed, and
the error says which message failed and why (address not in the guest's view, write to a
read-only address, or no answer on the bus). Exit 1 then, 2 for a syntax error.
"""

TRANSFER_EPILOG = """\
examples:
  vbe i2c transfer -y w1@0x50 0x00 r8            read 8 EEPROM bytes from offset 0
  vbe i2c transfer -y w17@0x50 0x42 0xff-        write 0xff 0xfe ... 0xf0 from 0x42
  vbe i2c transfer -y w9@0x50 0x10 0x41+         write "ABCDEFGH" from offset 0x10
  vbe i2c transfer -y --guest cluster w1@0x49 0 r2   LM75 temperature via the remap
  vbe i2c transfer -y --json w1@0x50 0x00 r4@0x50    the same data as JSON
"""

DETECT_DESCRIPTION = """\
Probe every address of a range from a guest, like "i2cdetect -y": a grid with the
address where something answered and "--" where nothing did (or the guest may not use
it: the guest cannot tell the two apart). By default addresses 0x30-0x37 and 0x50-0x5f
are probed with a 1-byte read (as i2cdetect does, to spare EEPROMs) and the others with
a zero-length write (SMBus quick).
"""

DETECT_EPILOG = """\
examples:
  vbe i2c detect                     the first guest's view, 0x08-0x77
  vbe i2c detect --guest cluster -r  probe with reads only
  vbe i2c detect --json 0x40 0x5f    a range, as JSON
"""

GET_DESCRIPTION = """\
Read a register like i2cget(8): MODE b reads a byte (default), w a word (SMBus order:
low byte first), c writes REG then reads one byte in a new transfer, i reads LENGTH
bytes (an I2C block, 1..32). Without REG a plain 1-byte read is done.
"""

GET_EPILOG = """\
examples:
  vbe i2c get 0x50 0x10          EEPROM byte at 0x10
  vbe i2c get 0x48 0x00 w        LM75 temperature register (bytes swapped, as i2cget)
  vbe i2c get 0x50 0x00 i 16     16 EEPROM bytes from offset 0
"""

SET_DESCRIPTION = """\
Write a register like i2cset(8): MODE b writes one byte (default), w a word (low byte
first), i an I2C block of all VALUEs. Without VALUE the REG byte alone is sent.
"""

SET_EPILOG = """\
examples:
  vbe i2c set -y 0x50 0x10 0x42            EEPROM byte 0x10 = 0x42
  vbe i2c set -y 0x50 0x20 1 2 3 4 i       four bytes from 0x20
  vbe i2c set -y --guest cluster 0x50 0 1  refused: "cluster" may only read 0x50
"""


def _number(text: str, what: str, hi: int, parser: argparse.ArgumentParser) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        parser.error(f"{what} {text!r} is not a number (e.g. 0x10 or 16)")
    if not 0 <= value <= hi:
        parser.error(f"{what} {text!r} is out of range (0-{hi:#x})")
    return value


def _hexline(data: bytes) -> str:
    return " ".join(f"0x{b:02x}" for b in data)


def _confirm(guest: GuestInfo, msgs: list[I2cMsg], yes: bool) -> None:
    """i2ctransfer's interactive confirmation; only asked on a terminal without -y."""
    if yes or not sys.stdin.isatty():
        return
    sys.stderr.write(f'I will send these messages as guest "{guest.name}":\n')
    for i, m in enumerate(msgs):
        sys.stderr.write(f"  msg {i}: {format_transfer([m])}\n")
    sys.stderr.write("Continue? [y/N] ")
    sys.stderr.flush()
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        err("aborted on user request")
        raise CommandError(1)


def result_json(machine: str, guest: GuestInfo, res: TransferResult) -> dict[str, Any]:
    return {
        "machine": machine,
        "guest": guest.name,
        "ok": res.ok,
        "completed": res.completed,
        "messages": [
            {
                "index": i,
                "msg": r.msg.describe(),
                "addr": r.msg.addr,
                "ten_bit": r.msg.ten_bit,
                "read": r.msg.read,
                "length": r.msg.length,
                "status": "OK" if r.ok else "ERR",
                "data": list(r.data if r.msg.read else r.msg.data),  # type: ignore[arg-type]
            }
            for i, r in enumerate(res.results)
        ],
    }


class I2cTransfer(VbeCommand):
    def __init__(self) -> None:
        super().__init__(
            "transfer", "send messages in one transfer (i2ctransfer)", TRANSFER_DESCRIPTION
        )

    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        p = self._parser(parser_adder, epilog=TRANSFER_EPILOG)
        add_machine_args(p)
        add_json_arg(p)
        p.add_argument(
            "-y",
            "--yes",
            action="store_true",
            help="do not ask for confirmation (asked only on a terminal)",
        )
        p.add_argument(
            "-a",
            "--all-addresses",
            action="store_true",
            help="allow addresses 0x00-0x07 and 0x78-0x7f",
        )
        p.add_argument(
            "msgs",
            nargs="+",
            metavar="MSG",
            help="a message description or data byte, as for i2ctransfer",
        )
        return p

    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> int:
        assert self.parser is not None
        try:
            msgs = parse_transfer(args.msgs, all_addrs=args.all_addresses)
        except I2cSyntaxError as exc:
            self.parser.error(str(exc))
        with machine_session(args.machine) as machine:
            guest = pick_guest(machine, args.guest)
            _confirm(guest, msgs, args.yes)
            client = open_client(machine, guest)
            dbg(f'guest "{guest.name}": {format_transfer(msgs)}')
            res = client.transfer(msgs)
            if args.json:
                doc = result_json(machine.name, guest, res)
                if not res.ok:
                    doc["error"] = str(client.explain(res))
                out(json.dumps(doc, indent=2))
            else:
                for i, r in enumerate(res.results[: res.completed]):
                    if verbosity() >= Verbosity.DBG:
                        data = r.data if r.msg.read else r.msg.data
                        kind = "read" if r.msg.read else "write"
                        addr = format_addr(r.msg.addr, r.msg.ten_bit)
                        line = f"msg {i}: addr {addr}, {kind}, len {r.msg.length}"
                        out(f"{line}, buf {_hexline(data)}" if data else line)  # type: ignore
                    elif r.msg.read and r.msg.length:
                        out(_hexline(r.data))
            if not res.ok:
                err(str(client.explain(res)))
                return 1
        return 0


class I2cDetect(VbeCommand):
    def __init__(self) -> None:
        super().__init__(
            "detect", "probe the addresses a guest can reach (i2cdetect)", DETECT_DESCRIPTION
        )

    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        p = self._parser(parser_adder, epilog=DETECT_EPILOG)
        add_machine_args(p)
        add_json_arg(p)
        p.add_argument("-y", "--yes", action="store_true", help="accepted, as for i2cdetect")
        p.add_argument(
            "-a",
            "--all-addresses",
            action="store_true",
            help="probe 0x00-0x7f instead of 0x08-0x77",
        )
        mode = p.add_mutually_exclusive_group()
        mode.add_argument(
            "-q",
            dest="mode",
            action="store_const",
            const="quick",
            help="probe every address with a zero-length write",
        )
        mode.add_argument(
            "-r",
            dest="mode",
            action="store_const",
            const="read",
            help="probe every address with a 1-byte read",
        )
        p.add_argument("first", nargs="?", help="first address (default 0x08)")
        p.add_argument("last", nargs="?", help="last address (default 0x77)")
        return p

    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> int:
        assert self.parser is not None
        lo, hi = (0x00, 0x7F) if args.all_addresses else (0x08, 0x77)
        first = _number(args.first, "first address", 0x7F, self.parser) if args.first else lo
        last = _number(args.last, "last address", 0x7F, self.parser) if args.last else hi
        if first > last:
            self.parser.error(f"first address {first:#04x} is above last {last:#04x}")
        with machine_session(args.machine) as machine:
            guest = pick_guest(machine, args.guest)
            client = open_client(machine, guest)
            found = client.detect(range(first, last + 1), mode=args.mode or "auto")
        if args.json:
            out(
                json.dumps(
                    {
                        "machine": args.machine,
                        "guest": guest.name,
                        "first": first,
                        "last": last,
                        "found": found,
                    },
                    indent=2,
                )
            )
            return 0
        out(detect_grid(first, last, found))
        return 0


def detect_grid(first: int, last: int, found: list[int]) -> str:
    """The i2cdetect grid: 16 columns, rows per 0x10, blank outside [first, last]."""
    lines = ["     " + "".join(f"{c:x}  " for c in range(16)).rstrip()]
    for row in range(0, 0x80, 0x10):
        cells = []
        for a in range(row, row + 16):
            if a < first or a > last:
                cells.append("  ")
            else:
                cells.append(f"{a:02x}" if a in found else "--")
        lines.append(f"{row:02x}: " + " ".join(cells).rstrip())
    return "\n".join(lines)


class I2cGet(VbeCommand):
    def __init__(self) -> None:
        super().__init__("get", "read a register (i2cget)", GET_DESCRIPTION)

    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        p = self._parser(parser_adder, epilog=GET_EPILOG)
        add_machine_args(p)
        p.add_argument("-y", "--yes", action="store_true", help="accepted, as for i2cget")
        p.add_argument("address", help="7-bit chip address, e.g. 0x50")
        p.add_argument("register", nargs="?", help="register (data address), 0-255")
        p.add_argument("mode", nargs="?", choices=["b", "w", "c", "i"], help="default b")
        p.add_argument("length", nargs="?", help="bytes for mode i (1-32, default 32)")
        return p

    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> int:
        assert self.parser is not None
        try:
            addr = parse_address(args.address, all_addrs=True)
        except I2cSyntaxError as exc:
            self.parser.error(str(exc))
        reg = _number(args.register, "register", 0xFF, self.parser) if args.register else None
        mode = args.mode or "b"
        if reg is None and args.mode:
            self.parser.error(f"mode {mode} needs a register")
        n = _number(args.length, "length", 32, self.parser) if args.length else 32
        if args.length and mode != "i":
            self.parser.error("a length is only for mode i")
        with machine_session(args.machine) as machine:
            guest = pick_guest(machine, args.guest)
            client = open_client(machine, guest)
            try:
                out(self._read(client, addr, reg, mode, n))
            except I2cError as exc:
                err(str(exc))
                return 1
        return 0

    @staticmethod
    def _read(client: I2cClient, addr: int, reg: int | None, mode: str, n: int) -> str:
        if reg is None:
            return f"0x{client.read_byte(addr):02x}"
        if mode == "w":
            return f"0x{client.read_word_data(addr, reg):04x}"
        if mode == "c":
            client.write_byte(addr, reg)
            return f"0x{client.read_byte(addr):02x}"
        if mode == "i":
            return _hexline(client.read_i2c_block_data(addr, reg, n))
        return f"0x{client.read_byte_data(addr, reg):02x}"


class I2cSet(VbeCommand):
    def __init__(self) -> None:
        super().__init__("set", "write a register (i2cset)", SET_DESCRIPTION)

    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        p = self._parser(parser_adder, epilog=SET_EPILOG)
        add_machine_args(p)
        p.add_argument("-y", "--yes", action="store_true", help="accepted, as for i2cset")
        p.add_argument("address", help="7-bit chip address, e.g. 0x50")
        p.add_argument("register", help="register (data address), 0-255")
        p.add_argument(
            "values",
            nargs="*",
            metavar="VALUE",
            help="value(s), then optionally MODE: b (default), w or i",
        )
        return p

    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> int:
        assert self.parser is not None
        try:
            addr = parse_address(args.address, all_addrs=True)
        except I2cSyntaxError as exc:
            self.parser.error(str(exc))
        reg = _number(args.register, "register", 0xFF, self.parser)
        values = list(args.values)
        mode = values.pop() if values and values[-1] in ("b", "w", "i") else "b"
        hi = 0xFFFF if mode == "w" else 0xFF
        nums = [_number(v, "value", hi, self.parser) for v in values]
        if mode in ("b", "w") and len(nums) > 1:
            self.parser.error(f"mode {mode} takes one value; use mode i for a block")
        if mode == "i" and not 1 <= len(nums) <= 32:
            self.parser.error("mode i takes 1 to 32 values")
        with machine_session(args.machine) as machine:
            guest = pick_guest(machine, args.guest)
            client = open_client(machine, guest)
            try:
                if not nums:
                    client.write_byte(addr, reg)
                elif mode == "w":
                    client.write_word_data(addr, reg, nums[0])
                elif mode == "i":
                    client.write_i2c_block_data(addr, reg, bytes(nums))
                else:
                    client.write_byte_data(addr, reg, nums[0])
            except I2cError as exc:
                err(str(exc))
                return 1
        return 0


class I2cCommand(VbeCommandGroup):
    def __init__(self) -> None:
        super().__init__(
            "i2c",
            "I2C transfers from a guest's point of view",
            "I2C as a guest sees it through its virtio-i2c device: the commands mirror\n"
            "i2c-tools (i2ctransfer, i2cdetect, i2cget, i2cset).",
            [I2cTransfer(), I2cDetect(), I2cGet(), I2cSet()],
            epilog="examples:\n"
            "  vbe i2c detect                        what the first guest (ivi) can reach\n"
            "  vbe i2c transfer -y w1@0x50 0x00 r8   read 8 EEPROM bytes from offset 0\n"
            "  vbe i2c get --guest cluster 0x49 0 w  the sensor through cluster's remap\n"
            '\nEvery command takes --machine and --guest; see "vbe i2c COMMAND -h".',
        )
