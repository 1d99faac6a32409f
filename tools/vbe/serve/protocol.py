"""The vhost-user wire format (QEMU docs/interop/vhost-user.rst): header, payloads, ids.

A message is a 12-byte header (u32 request, u32 flags, u32 payload size, native byte
order: little-endian on every host vbe runs on) and the payload. File descriptors travel
as SCM_RIGHTS ancillary data with the message. This module only encodes and decodes; it
never touches sockets.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from enum import IntEnum

HDR = struct.Struct("<III")
U64 = struct.Struct("<Q")
STATE = struct.Struct("<II")  # vring index, num
ADDR = struct.Struct("<IIQQQQ")  # index, flags, desc, used, avail, log
MEM_HDR = struct.Struct("<II")  # nregions, padding
REGION = struct.Struct("<QQQQ")  # guest address, size, user address, mmap offset

VERSION = 0x1
VERSION_MASK = 0x3
FLAG_REPLY = 0x4
FLAG_NEED_REPLY = 0x8

#: virtio feature bit 30, reused by vhost-user for "protocol features supported"
F_PROTOCOL_FEATURES = 1 << 30

VRING_IDX_MASK = 0xFF
VRING_NOFD = 1 << 8

MAX_REGIONS = 8
#: Largest payload accepted; a bigger size field is a framing error (the connection drops).
MAX_PAYLOAD = 4096
MAX_FDS = 8


class Req(IntEnum):
    """Front-end request ids."""

    GET_FEATURES = 1
    SET_FEATURES = 2
    SET_OWNER = 3
    RESET_OWNER = 4
    SET_MEM_TABLE = 5
    SET_LOG_BASE = 6
    SET_LOG_FD = 7
    SET_VRING_NUM = 8
    SET_VRING_ADDR = 9
    SET_VRING_BASE = 10
    GET_VRING_BASE = 11
    SET_VRING_KICK = 12
    SET_VRING_CALL = 13
    SET_VRING_ERR = 14
    GET_PROTOCOL_FEATURES = 15
    SET_PROTOCOL_FEATURES = 16
    GET_QUEUE_NUM = 17
    SET_VRING_ENABLE = 18
    GET_CONFIG = 24
    SET_CONFIG = 25
    RESET_DEVICE = 34
    GET_MAX_MEM_SLOTS = 36
    SET_STATUS = 39
    GET_STATUS = 40


class ProtoF(IntEnum):
    """Protocol feature bits."""

    MQ = 0
    LOG_SHMFD = 1
    REPLY_ACK = 3
    CONFIG = 9
    RESET_DEVICE = 13
    CONFIGURE_MEM_SLOTS = 15
    STATUS = 16


#: What vbe offers: queue count, acknowledged requests, device reset.
PROTOCOL_FEATURES = (1 << ProtoF.MQ) | (1 << ProtoF.REPLY_ACK) | (1 << ProtoF.RESET_DEVICE)

#: Exact payload size of each fixed-size request (SET_MEM_TABLE is checked on its own).
PAYLOAD_SIZE: dict[int, int] = {
    Req.GET_FEATURES: 0,
    Req.SET_FEATURES: U64.size,
    Req.SET_OWNER: 0,
    Req.RESET_OWNER: 0,
    Req.SET_VRING_NUM: STATE.size,
    Req.SET_VRING_ADDR: ADDR.size,
    Req.SET_VRING_BASE: STATE.size,
    Req.GET_VRING_BASE: STATE.size,
    Req.SET_VRING_KICK: U64.size,
    Req.SET_VRING_CALL: U64.size,
    Req.SET_VRING_ERR: U64.size,
    Req.GET_PROTOCOL_FEATURES: 0,
    Req.SET_PROTOCOL_FEATURES: U64.size,
    Req.GET_QUEUE_NUM: 0,
    Req.SET_VRING_ENABLE: STATE.size,
    Req.RESET_DEVICE: 0,
}


class ProtocolError(ValueError):
    """A message vbe cannot accept; the text names the message and what is wrong."""


def req_name(request: int) -> str:
    try:
        return f"VHOST_USER_{Req(request).name}"
    except ValueError:
        return f"request {request}"


@dataclass
class Message:
    request: int
    flags: int = VERSION
    payload: bytes = b""
    fds: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        return req_name(self.request)

    @property
    def need_reply(self) -> bool:
        return bool(self.flags & FLAG_NEED_REPLY)

    def pack(self) -> bytes:
        return HDR.pack(self.request, self.flags, len(self.payload)) + self.payload


def parse_header(data: bytes) -> tuple[int, int, int]:
    """(request, flags, size); ProtocolError for a version or size vbe cannot frame."""
    request, flags, size = HDR.unpack(data)
    if flags & VERSION_MASK != VERSION:
        raise ProtocolError(
            f"{req_name(request)}: protocol version {flags & VERSION_MASK}, expected {VERSION}"
        )
    if size > MAX_PAYLOAD:
        raise ProtocolError(
            f"{req_name(request)}: payload size {size} exceeds the {MAX_PAYLOAD}-byte limit"
        )
    return request, flags, size


def check_size(msg: Message) -> None:
    want = PAYLOAD_SIZE.get(msg.request)
    if want is not None and len(msg.payload) != want:
        raise ProtocolError(f"{msg.name}: payload is {len(msg.payload)} bytes, expected {want}")


def reply(msg: Message, payload: bytes) -> Message:
    return Message(msg.request, VERSION | FLAG_REPLY, payload)


def u64(msg: Message) -> int:
    return int(U64.unpack(msg.payload)[0])


def state(msg: Message) -> tuple[int, int]:
    idx, num = STATE.unpack(msg.payload)
    return int(idx), int(num)


@dataclass(frozen=True)
class VringAddr:
    index: int
    flags: int
    desc: int
    used: int
    avail: int
    log: int


def vring_addr(msg: Message) -> VringAddr:
    return VringAddr(*ADDR.unpack(msg.payload))


@dataclass(frozen=True)
class Region:
    gpa: int
    size: int
    uaddr: int
    mmap_offset: int


def mem_table(msg: Message) -> list[Region]:
    """The regions of SET_MEM_TABLE; sizes and counts checked, fds counted by the caller."""
    if len(msg.payload) < MEM_HDR.size:
        raise ProtocolError(f"{msg.name}: payload is {len(msg.payload)} bytes, too short")
    n, _pad = MEM_HDR.unpack_from(msg.payload)
    if not 1 <= n <= MAX_REGIONS:
        raise ProtocolError(f"{msg.name}: {n} regions, expected 1..{MAX_REGIONS}")
    # QEMU sends the whole fixed-size table; a sender may also stop after the last region
    if len(msg.payload) not in (MEM_HDR.size + n * REGION.size,
                                MEM_HDR.size + MAX_REGIONS * REGION.size):  # fmt: skip
        raise ProtocolError(
            f"{msg.name}: payload is {len(msg.payload)} bytes, wrong for {n} regions"
        )
    regions = []
    for i in range(n):
        r = Region(*REGION.unpack_from(msg.payload, MEM_HDR.size + i * REGION.size))
        if r.size == 0:
            raise ProtocolError(f"{msg.name}: region {i} has size 0")
        regions.append(r)
    return regions


def pack_mem_table(regions: list[Region]) -> bytes:
    body = MEM_HDR.pack(len(regions), 0)
    for r in regions:
        body += REGION.pack(r.gpa, r.size, r.uaddr, r.mmap_offset)
    return body
