"""What an SCMI agent gets back: responses, eventq messages, and the errors it raises."""

from __future__ import annotations

from dataclasses import dataclass

from pyhost.scmi import wire
from pyhost.scmi.wire import Header


class ScmiError(RuntimeError):
    """A command answered something other than SUCCESS."""

    def __init__(
        self,
        status_name: str,
        proto: int,
        msg: int,
        *,
        status: int = 0,
        guest: str = "",
        detail: str = "",
    ) -> None:
        self.status_name = status_name
        self.status = status
        self.proto = proto
        self.msg = msg
        self.guest = guest
        self.detail = detail
        who = f'guest "{guest}": ' if guest else ""
        more = f" ({detail})" if detail else ""
        super().__init__(f"{who}{wire.describe(proto, msg)} answered {status_name}{more}")


class ScmiProtocolError(RuntimeError):
    """The platform's answer breaks the wire format (length, header, type)."""


class ScmiTimeout(RuntimeError):
    """An awaited response, delayed response or notification did not come in time."""


@dataclass(frozen=True)
class Response:
    """The answer on the cmdq: echoed header, status, return values (SUCCESS only)."""

    header: int
    status: int
    payload: bytes
    length: int  # the used length the device reported (header + status + payload)

    @property
    def status_name(self) -> str:
        return wire.status_name(self.status)

    @property
    def ok(self) -> bool:
        return self.status == wire.SUCCESS

    @property
    def hdr(self) -> Header:
        return Header.decode(self.header)

    @property
    def token(self) -> int:
        return self.hdr.token

    @property
    def words(self) -> tuple[int, ...]:
        return wire.words(self.payload)


@dataclass(frozen=True)
class Event:
    """A message on the eventq: a notification, or a delayed response (status first)."""

    hdr: Header
    payload: bytes  # after the header
    length: int  # used length (header included)

    @property
    def delayed(self) -> bool:
        return self.hdr.type == wire.TYPE_DELAYED

    @property
    def proto(self) -> int:
        return self.hdr.proto

    @property
    def msg(self) -> int:
        return self.hdr.msg

    @property
    def words(self) -> tuple[int, ...]:
        return wire.words(self.payload)

    @property
    def status(self) -> int:
        """A delayed response's status."""
        return wire.s32(self.words[0]) if self.words else wire.SUCCESS

    def __str__(self) -> str:
        kind = "delayed response" if self.delayed else "notification"
        body = " ".join(f"{w:#x}" for w in self.words)
        return f"{kind} {wire.PROTOCOLS.get(self.proto, hex(self.proto))} 0x{self.msg:x}: {body}"


@dataclass(frozen=True)
class Pending:
    """A command made available, not collected yet."""

    head: int
    header: int
    proto: int
    msg: int
