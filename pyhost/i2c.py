"""An I2C client with Linux semantics over the virtio-i2c device (virtio 1.2, 5.19).

One :class:`I2cMsg` is one virtio-i2c request (one descriptor chain); a *transfer* is a list
of messages sent as one FAIL_NEXT group, exactly as Linux's i2c-virtio driver does it:

- readable: ``out_hdr`` (le16 addr, le16 padding, le32 flags) and, for a write, the data;
- writable: for a read, the buffer; then one status byte (``MSG_OK`` 0, ``MSG_ERR`` 1);
- ``FLAGS_FAIL_NEXT`` on every message but the last, ``FLAGS_M_RD`` on reads;
- every chain is made available before one notification ("kick").

:meth:`I2cClient.transfer` returns what the guest sees, per message; ``completed`` is what
Linux's ``i2c_transfer()`` returns (the number of messages before the first failure).
:meth:`I2cClient.transfer_or_raise` raises :class:`I2cError`, which says why the transfer
failed as the device recorded it (not allowed, read-only, no answer on the bus...: the
device's diagnostic, read through the platform, since the wire says only OK/ERR) and what
the guest may use instead (its I2C view, from the system description).

The SMBus helpers build the same messages as Linux's SMBus emulation over plain I2C.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pyhost.headers import I2C_H, defines
from pyhost.machine.base import GuestInfo, I2cDiag, Machine
from pyhost.virtio.device import VirtioDevice

# Wire constants (virtio 1.2, 5.19); tests/unit/test_i2c_wire.py checks them against vbe/i2c.h.
VIRTIO_ID_I2C = 34
F_ZERO_LENGTH_REQUEST = 0
FLAGS_FAIL_NEXT = 0x1
FLAGS_M_RD = 0x2
MSG_OK = 0
MSG_ERR = 1

OUT_HDR = struct.Struct("<HHI")
#: Largest block an SMBus I2C-block transfer carries (Linux I2C_SMBUS_BLOCK_MAX).
SMBUS_BLOCK_MAX = 32
#: Longest read or write one message may carry here (the ring's data area is the real limit).
MSG_LEN_MAX = 0xFFFF
#: Seconds a transfer may take before the client gives up.
DEFAULT_TIMEOUT = 5.0


class I2cUsageError(ValueError):
    """A message or argument the client cannot send; the message says what to change."""


def encode_addr(addr: int, ten_bit: bool = False) -> int:
    """The out_hdr address field (virtio 1.2, 5.19.6.1): 7-bit ``addr << 1``; 10-bit
    A7..A0 in bits 15:8 and ``0b11110 A9 A8 0`` in bits 7:0."""
    if ten_bit:
        if not 0 <= addr <= 0x3FF:
            raise I2cUsageError(f"10-bit I2C address {addr:#x} is out of range (0x000-0x3ff)")
        return ((addr & 0xFF) << 8) | 0xF0 | ((addr >> 8) << 1)
    if not 0 <= addr <= 0x7F:
        raise I2cUsageError(
            f"7-bit I2C address {addr:#x} is out of range (0x00-0x7f); "
            "pass ten_bit=True for a 10-bit address"
        )
    return addr << 1


def format_addr(addr: int, ten_bit: bool = False) -> str:
    return f"{addr:#05x}" if ten_bit else f"{addr:#04x}"


@dataclass(frozen=True)
class I2cMsg:
    """One I2C message: a write of ``data`` (bytes) or a read of ``data`` (a length) bytes."""

    addr: int
    read: bool
    data: bytes | int
    ten_bit: bool = False

    def __post_init__(self) -> None:
        # range check; the wire form is kept for out_hdr (not a field: eq, repr ignore it)
        object.__setattr__(self, "_wire_addr", encode_addr(self.addr, self.ten_bit))
        if self.read:
            if isinstance(self.data, bool) or not isinstance(self.data, int):
                raise I2cUsageError(f"a read message takes a length, not {self.data!r}")
            if not 0 <= self.data <= MSG_LEN_MAX:
                raise I2cUsageError(f"read length {self.data} is out of range (0-{MSG_LEN_MAX})")
        else:
            if not isinstance(self.data, bytes | bytearray | memoryview):
                raise I2cUsageError(f"a write message takes bytes, not {self.data!r}")
            object.__setattr__(self, "data", bytes(self.data))
            if len(self.data) > MSG_LEN_MAX:
                raise I2cUsageError(f"write of {len(self.data)} bytes is longer than {MSG_LEN_MAX}")

    @classmethod
    def write_of(cls, addr: int, data: bytes | Iterable[int], ten_bit: bool = False) -> I2cMsg:
        return cls(addr, False, bytes(data), ten_bit)

    @classmethod
    def read_of(cls, addr: int, length: int, ten_bit: bool = False) -> I2cMsg:
        return cls(addr, True, length, ten_bit)

    @property
    def length(self) -> int:
        return self.data if isinstance(self.data, int) else len(self.data)

    def describe(self) -> str:
        """i2ctransfer's notation: ``w2@0x50``, ``r8@0x48`` (10-bit: ``r1@0x150``)."""
        return f"{'r' if self.read else 'w'}{self.length}@{format_addr(self.addr, self.ten_bit)}"

    def out_hdr(self, fail_next: bool) -> bytes:
        flags = (FLAGS_FAIL_NEXT if fail_next else 0) | (FLAGS_M_RD if self.read else 0)
        return OUT_HDR.pack(self._wire_addr, 0, flags)

    def chain(self, fail_next: bool) -> tuple[list[bytes], list[int]]:
        """The request as (device-readable buffers, device-writable lengths)."""
        data = self.data
        if self.read:
            hdr = OUT_HDR.pack(
                self._wire_addr, 0, FLAGS_M_RD | (FLAGS_FAIL_NEXT if fail_next else 0)
            )
            return [hdr], ([data, 1] if data else [1])  # type: ignore[list-item]
        hdr = OUT_HDR.pack(self._wire_addr, 0, FLAGS_FAIL_NEXT if fail_next else 0)
        return ([hdr, data] if data else [hdr]), [1]  # type: ignore[list-item]


@dataclass(frozen=True)
class MsgResult:
    """What the guest saw for one message."""

    msg: I2cMsg
    status: int  # the in_hdr status byte: MSG_OK or MSG_ERR (anything else is a device bug)
    data: bytes  # bytes read (empty for writes); only meaningful when ok
    used_len: int  # bytes the device said it wrote into the writable buffers
    head: int = -1  # the request's descriptor head (what the device's diagnostic names)

    @property
    def ok(self) -> bool:
        return self.status == MSG_OK


@dataclass(frozen=True)
class TransferResult:
    guest: str
    results: tuple[MsgResult, ...]

    @property
    def completed(self) -> int:
        """Messages before the first failure: what Linux's i2c_transfer() returns."""
        for i, r in enumerate(self.results):
            if not r.ok:
                return i
        return len(self.results)

    @property
    def ok(self) -> bool:
        return self.completed == len(self.results)

    def reads(self) -> list[bytes]:
        """Data of the read messages, in order (one entry per read message)."""
        return [r.data for r in self.results if r.msg.read]

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, i: int) -> MsgResult:
        return self.results[i]


#: Longest FAIL_NEXT group the backend runs (VBE_I2C_GROUP_MAX in vbe/i2c.h).
GROUP_MAX = defines(I2C_H, "VBE_I2C_GROUP_MAX")["VBE_I2C_GROUP_MAX"].value
#: the device's reasons (enum vbe_i2c_error) as I2cError.reason says them
REASONS = {
    "DENIED": "denied",
    "READ_ONLY": "read-only",
    "GROUP": "group",
    "BUS": "bus",
    "ADDR": "address",
    "LAYOUT": "layout",
    "ZERO_LEN": "zero-length",
}


def allowed_list(guest: GuestInfo) -> str:
    parts = []
    for r in sorted(guest.i2c_routes, key=lambda r: (r.ten_bit, r.guest_addr)):
        s = format_addr(r.guest_addr, r.ten_bit)
        notes = [n for n, on in (("10-bit", r.ten_bit), ("read-only", r.read_only)) if on]
        parts.append(f"{s} ({', '.join(notes)})" if notes else s)
    return ", ".join(parts) if parts else "none"


@dataclass(eq=False)
class I2cError(RuntimeError):
    """A transfer failed. Names the guest, the first failing message and its address, and
    says why as the device recorded it (``reason``: denied, read-only, group, bus, address,
    layout, zero-length; unknown when the device kept no record)."""

    guest: str
    index: int
    msg: I2cMsg
    count: int
    reason: str
    allowed: str = ""
    select_max: int = 0
    result: TransferResult | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        addr = format_addr(self.msg.addr, self.msg.ten_bit)
        where = f"message {self.index} of {self.count} ({self.msg.describe()})"
        who = f'guest "{self.guest}"'
        if self.reason == "denied":
            return (
                f"{who} may not use I2C address {addr} (allowed: {self.allowed}); "
                f"{where} was refused"
            )
        if self.reason == "read-only":
            rule = "no write passes"
            if self.select_max:
                n = "1 byte" if self.select_max == 1 else f"1-{self.select_max} bytes"
                rule = (
                    f"a write of {n} passes only as a register select directly followed by "
                    f"a read of {addr}"
                )
            return (
                f"{who} may only read I2C address {addr} (read-only: {rule}); {where} was refused"
            )
        if self.reason == "group":
            return (
                f"{who}: a transfer of {self.count} messages is longer than the device runs as "
                f"one group ({GROUP_MAX}); {where} failed with all the others"
            )
        if self.reason == "bus":
            return (
                f"{who}: {where} failed on the bus: I2C address {addr} did not acknowledge "
                "(nothing there, or it refused the data)"
            )
        if self.reason == "address":
            return f"{who}: {where} has an address the device cannot decode; it was refused"
        if self.reason == "zero-length":
            return (
                f"{who}: {where} is zero-length, which the device takes only with the "
                "ZERO_LENGTH_REQUEST feature negotiated; it was refused"
            )
        if self.reason == "layout":
            return (
                f"{who}: {where} was refused: its descriptor chain is not a virtio-i2c request "
                "(out_hdr, buffer, in_hdr), or its split buffer did not fit the device's "
                "bounce space"
            )
        return f"{who}: {where} failed (the device kept no record of why)"


def explain_failure(guest: GuestInfo, result: TransferResult, diag: I2cDiag | None) -> I2cError:
    """The error for a failed transfer: why, from the device's diagnostic of its first
    failed message (``diag``; None: no record); what is allowed, from the guest's view."""
    i = result.completed
    m = result.results[i].msg
    route = guest.i2c_route(m.addr)
    sel = route.select_max if route is not None and route.ten_bit == m.ten_bit else 0
    reason = REASONS.get(diag.reason, "unknown") if diag is not None else "unknown"
    return I2cError(
        guest.name, i, m, len(result.results), reason, allowed_list(guest), sel, result
    )


@dataclass(frozen=True)
class PendingTransfer:
    """Messages made available to the device, not collected yet (I2cClient.submit)."""

    msgs: tuple[I2cMsg, ...]
    heads: tuple[int, ...]
    writable: tuple[int, ...]  # device-writable bytes per chain (read buffer + status)


#: Status recorded when the device's used length does not cover the status byte.
STATUS_MISSING = -1
#: i2cdetect's "auto" mode probes these with a 1-byte read (a quick write can corrupt
#: some EEPROMs and write-protect some chips); every other address with a quick write.
READ_PROBE_RANGES = (range(0x30, 0x38), range(0x50, 0x60))


class I2cClient:
    """The guest's I2C adapter: a virtio-i2c device (id 34) at DRIVER_OK on one guest.

    ``guest`` is a GuestInfo, a guest name or an index. ZERO_LENGTH_REQUEST is negotiated
    (Linux refuses a device without it); ``zero_length=False`` leaves it out (tests only).
    """

    def __init__(
        self,
        machine: Machine,
        guest: GuestInfo | str | int,
        *,
        zero_length: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.machine = machine
        self.guest = guest if isinstance(guest, GuestInfo) else machine.guest(guest)
        self.timeout = timeout
        zl = 1 << F_ZERO_LENGTH_REQUEST
        self.device = VirtioDevice.open(
            machine,
            self.guest.index,
            VIRTIO_ID_I2C,
            device_bits=zl if zero_length else 0,
            timeout=timeout,
        )
        if zero_length and not self.device.features & zl:
            raise I2cUsageError(
                f'guest "{self.guest.name}": the virtio-i2c device does not offer '
                "ZERO_LENGTH_REQUEST (feature bit 0), which Linux requires to probe it"
            )
        self.queue = self.device.queues[0]
        self._bus_id: int | None = None

    @property
    def features(self) -> int:
        """The negotiated feature bits (transport and device-specific)."""
        return self.device.features

    @property
    def zero_length(self) -> bool:
        return bool(self.features >> F_ZERO_LENGTH_REQUEST & 1)

    def __repr__(self) -> str:
        return f"<I2cClient guest {self.guest.name!r} on {self.machine.name}>"

    # ---- transfers ----------------------------------------------------------------------

    def transfer(self, msgs: Sequence[I2cMsg], timeout: float | None = None) -> TransferResult:
        """Send ``msgs`` as one transfer (FAIL_NEXT on all but the last, one kick) and wait
        for every message's completion. Failures are in the result, not raised."""
        return self.collect(self.submit(msgs), timeout=timeout)

    def submit(self, msgs: Sequence[I2cMsg], more: bool = False) -> PendingTransfer:
        """Make ``msgs`` available with one kick, without waiting. With ``more`` the last
        one carries FAIL_NEXT too: the group goes on in the next submit() (the device holds
        it until a message without FAIL_NEXT ends it). Finish with collect()."""
        if not msgs:
            raise I2cUsageError("a transfer needs at least one message")
        last = len(msgs) - 1
        chains = [m.chain(more or i < last) for i, m in enumerate(msgs)]
        q = self.queue
        ring = q.ring
        ndesc = 0
        for out, ins in chains:
            ndesc += len(out) + len(ins)
        indirect = ndesc > ring.num_free and ring.indirect
        heads = q.submit_many(chains, indirect=indirect)
        return PendingTransfer(tuple(msgs), tuple(heads), tuple([sum(i) for _, i in chains]))

    def collect(self, *pending: PendingTransfer, timeout: float | None = None) -> TransferResult:
        """Wait for submitted messages; one result over all of them, in order."""
        heads = [h for p in pending for h in p.heads]
        used = self.queue.wait(heads, self.timeout if timeout is None else timeout)
        results = []
        for p in pending:
            for m, head, wlen in zip(p.msgs, p.heads, p.writable, strict=True):
                u = used[head]
                # the status byte counts only if the used length covers it
                status = u.segments[-1][0] if u.length >= wlen else STATUS_MISSING
                data = u.segments[0] if m.read and m.data and status == MSG_OK else b""
                results.append(MsgResult(m, status, data, u.length, head))
        return TransferResult(self.guest.name, tuple(results))

    def diagnostic(self, result: TransferResult) -> I2cDiag | None:
        """What the device recorded about a failed transfer (the newest record of its first
        failed message's head); None when the platform has none."""
        head = result.results[result.completed].head
        plat = self.machine.platform
        try:
            newest = plat.i2c_diag(self.guest.index)
            for seq in range(newest.seq if newest else 0, 0, -1):
                d = newest if seq == newest.seq else plat.i2c_diag(self.guest.index, seq)
                if d is None:
                    break  # overwritten
                if d.head == head:
                    return d
        except NotImplementedError:
            pass  # a machine without the platform protocol
        return None

    def explain(self, result: TransferResult) -> I2cError:
        """The I2cError for a failed transfer: why from the device, what instead from the
        guest's view."""
        return explain_failure(self.guest, result, self.diagnostic(result))

    def transfer_or_raise(
        self, msgs: Sequence[I2cMsg], timeout: float | None = None
    ) -> TransferResult:
        """Like transfer(), but raise I2cError (guest, address, message index) on failure."""
        res = self.transfer(msgs, timeout)
        if not res.ok:
            raise self.explain(res)
        return res

    # ---- SMBus over I2C (as Linux emulates it) -------------------------------------------

    def quick(self, addr: int, read: bool = False, ten_bit: bool = False) -> None:
        """SMBus quick: a zero-length write (or read). I2cError when nothing answers."""
        self.transfer_or_raise([I2cMsg(addr, read, 0 if read else b"", ten_bit)])

    def probe(self, addr: int, ten_bit: bool = False, read: bool = False) -> bool:
        """Does anything answer at ``addr``? A zero-length write by default."""
        return self.transfer([I2cMsg(addr, read, 0 if read else b"", ten_bit)]).ok

    def read_byte(self, addr: int) -> int:
        return self.transfer_or_raise([I2cMsg.read_of(addr, 1)]).reads()[0][0]

    def write_byte(self, addr: int, value: int) -> None:
        self.transfer_or_raise([I2cMsg.write_of(addr, [_u8(value)])])

    def read_byte_data(self, addr: int, reg: int) -> int:
        return self._read_reg(addr, reg, 1)[0]

    def write_byte_data(self, addr: int, reg: int, value: int) -> None:
        self.transfer_or_raise([I2cMsg.write_of(addr, [_u8(reg), _u8(value)])])

    def read_word_data(self, addr: int, reg: int) -> int:
        """A 16-bit register, SMBus order (low byte first on the wire)."""
        return int.from_bytes(self._read_reg(addr, reg, 2), "little")

    def write_word_data(self, addr: int, reg: int, value: int) -> None:
        if not 0 <= value <= 0xFFFF:
            raise I2cUsageError(f"word value {value:#x} is out of range (0-0xffff)")
        self.transfer_or_raise([I2cMsg.write_of(addr, [_u8(reg), value & 0xFF, value >> 8])])

    def read_i2c_block_data(self, addr: int, reg: int, length: int) -> bytes:
        if not 1 <= length <= SMBUS_BLOCK_MAX:
            raise I2cUsageError(f"block length {length} is out of range (1-{SMBUS_BLOCK_MAX})")
        return self._read_reg(addr, reg, length)

    def write_i2c_block_data(self, addr: int, reg: int, data: bytes | Iterable[int]) -> None:
        data = bytes(data)
        if not 1 <= len(data) <= SMBUS_BLOCK_MAX:
            raise I2cUsageError(f"block of {len(data)} bytes: use 1-{SMBUS_BLOCK_MAX} bytes")
        self.transfer_or_raise([I2cMsg.write_of(addr, bytes([_u8(reg)]) + data)])

    def _read_reg(self, addr: int, reg: int, length: int) -> bytes:
        res = self.transfer_or_raise(
            [I2cMsg.write_of(addr, [_u8(reg)]), I2cMsg.read_of(addr, length)]
        )
        return res.reads()[0]

    # ---- where the view leads -------------------------------------------------------------

    def bus_id(self) -> int:
        """The platform bus number behind this guest's view.

        GuestInfo.i2c_bus_id when the machine reports it; otherwise measured: a zero-length
        message to the guest's first 7-bit address (a read on a read-only route) reaches the
        bus whether or not anything answers, and its bus log entry names the bus.
        """
        known = getattr(self.guest, "i2c_bus_id", None)
        if known is not None:
            return int(known)
        if self._bus_id is None:
            route = next((r for r in self.guest.i2c_routes if not r.ten_bit), None)
            if route is None:
                raise I2cUsageError(
                    f'guest "{self.guest.name}" has no 7-bit I2C address to find its bus by'
                )
            plat = self.machine.platform
            seq = plat.bus_log_seq()
            msg = I2cMsg(route.guest_addr, route.read_only, 0 if route.read_only else b"")
            self.transfer([msg])
            log = plat.bus_log(seq)
            if not log:
                raise I2cUsageError(
                    f'guest "{self.guest.name}": a zero-length message to '
                    f"{format_addr(route.guest_addr)} left no bus log entry; cannot tell the bus"
                )
            self._bus_id = log[-1].bus
        return self._bus_id

    # ---- scanning -------------------------------------------------------------------------

    def detect(self, addrs: Iterable[int] = range(0x08, 0x78), mode: str = "auto") -> list[int]:
        """Addresses that answer, like ``i2cdetect -y``. ``mode``: ``auto`` (1-byte read in
        0x30-0x37 and 0x50-0x5f, quick write elsewhere), ``quick`` or ``read``."""
        if mode not in ("auto", "quick", "read"):
            raise I2cUsageError(f"detect mode {mode!r}: use auto, quick or read")
        found = []
        for a in addrs:
            use_read = mode == "read" or (mode == "auto" and any(a in r for r in READ_PROBE_RANGES))
            msg = I2cMsg.read_of(a, 1) if use_read else I2cMsg.write_of(a, b"")
            if self.transfer([msg]).ok:
                found.append(a)
        return found


def _u8(value: int) -> int:
    if not 0 <= value <= 0xFF:
        raise I2cUsageError(f"byte value {value:#x} is out of range (0-0xff)")
    return value
