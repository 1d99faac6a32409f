"""What every protocol client shares: the messages every protocol has (DEN0056E 4.1.3),
exact-length reply checks, names (short and NAME_GET), subscriptions and pagination."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeVar

from pyhost.scmi import wire
from pyhost.scmi.replies import Event, Response, ScmiProtocolError
from pyhost.scmi.wire import W

T = TypeVar("T")


class Agent(Protocol):
    """What a protocol client needs of its agent (pyhost.scmi.agent.ScmiAgent)."""

    @property
    def name(self) -> str: ...

    def call(self, proto: int, msg: int, payload: bytes = b"", **kw: Any) -> Response: ...

    def call_ok(
        self, proto: int, msg: int, payload: bytes = b"", size: int | None = None, **kw: object
    ) -> bytes: ...

    def call_delayed(
        self, proto: int, msg: int, payload: bytes = b"", timeout: float | None = None
    ) -> tuple[bytes, Event]: ...

#: a paginated list stops after this many pages even if the platform says more remain
PAGE_LIMIT = 256


@dataclass(frozen=True)
class ValueRange:
    """A {min, max, step} triplet (clock rates, voltage levels)."""

    min: int
    max: int
    step: int

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int) or not self.min <= value <= self.max:
            return False
        return self.step == 0 or (value - self.min) % self.step == 0

    def values(self) -> list[int]:
        return list(range(self.min, self.max + 1, self.step or 1))


class ProtocolClient:
    """One protocol of an agent. Subclasses set PROTO and add typed commands."""

    PROTO: ClassVar[int]
    NAME: ClassVar[str]
    RESOURCE: ClassVar[str] = ""  # what one id names ("clock", "power domain"...)

    def __init__(self, agent: Agent) -> None:
        self.agent = agent

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self.agent!r}>"

    # ---- plumbing ------------------------------------------------------------------------

    def call(self, msg: int, *args: int, payload: bytes | None = None, **kw: object) -> Response:
        """One command, any status: parameters as words (or raw ``payload``)."""
        data = wire.u32s(*args) if payload is None else payload
        return self.agent.call(self.PROTO, msg, data, **kw)  # type: ignore[arg-type]

    def ok(self, msg: int, *args: int, size: int | None = None) -> tuple[int, ...]:
        """The return values (as words) of a command that must succeed with ``size`` bytes."""
        return wire.words(self.ok_bytes(msg, *args, size=size))

    def ok_bytes(self, msg: int, *args: int, size: int | None = None) -> bytes:
        return self.agent.call_ok(self.PROTO, msg, wire.u32s(*args), size)

    def bad_reply(self, msg: int, why: str) -> Exception:
        return ScmiProtocolError(
            f'guest "{self.agent.name}": {wire.describe(self.PROTO, msg)}: {why}'
        )

    # ---- messages every protocol has ------------------------------------------------------

    def version(self) -> int:
        """PROTOCOL_VERSION: major in 31:16, minor in 15:0."""
        return self.ok(W("MSG_PROTOCOL_VERSION"), size=4)[0]

    def protocol_attributes_words(self, size: int) -> tuple[int, ...]:
        return self.ok(W("MSG_PROTOCOL_ATTRIBUTES"), size=size)

    def message_attributes(self, msg: int) -> int:
        """PROTOCOL_MESSAGE_ATTRIBUTES; ScmiError NOT_FOUND when ``msg`` is not provided."""
        return self.ok(W("MSG_PROTOCOL_MESSAGE_ATTRIBUTES"), msg, size=4)[0]

    def negotiate_version(self, version: int) -> None:
        """NEGOTIATE_PROTOCOL_VERSION; ScmiError NOT_SUPPORTED for a version not served."""
        self.ok(W("MSG_NEGOTIATE_PROTOCOL_VERSION"), version, size=0)

    # ---- resources by name ------------------------------------------------------------------

    def count(self) -> int:
        """How many resources the agent has (its ids are 0..count-1)."""
        raise NotImplementedError(f"the {self.NAME} protocol has no resources")

    def name(self, rid: int) -> str:
        raise NotImplementedError(f"the {self.NAME} protocol has no resources")

    def names(self) -> list[str]:
        return [self.name(i) for i in range(self.count())]

    def find(self, name: str) -> int:
        """The agent's id of the resource called ``name``, from its own replies."""
        names = self.names()
        if name not in names:
            raise KeyError(
                f'guest "{self.agent.name}" has no {self.RESOURCE} named {name!r} '
                f"(it has: {', '.join(names) or 'none'})"
            )
        return names.index(name)

    # ---- helpers the protocols share --------------------------------------------------------

    def name_get(self, msg: int, rid: int) -> str:
        """A ``*_NAME_GET``: flags, then a 64-byte name."""
        data = self.ok_bytes(msg, rid, size=4 + wire.EXT_NAME_SIZE)
        return wire.name_of(data[4:])

    def subscribe(self, msg: int, rid: int, enable: bool = True) -> None:
        """A ``*_NOTIFY`` subscription for resource ``rid`` (notify_enable bit 0)."""
        self.ok(msg, rid, 1 if enable else 0, size=0)

    def paged(self, msg: int, fetch: Callable[[int], tuple[list[T], int]], what: str) -> list[T]:
        """Collect a paginated list: ``fetch(index)`` returns (entries, remaining)."""
        out: list[T] = []
        for _ in range(PAGE_LIMIT):
            entries, remaining = fetch(len(out))
            out.extend(entries)
            if not remaining:
                return out
            if not entries:
                raise self.bad_reply(msg, f"{what}: an empty page with {remaining} remaining")
        raise self.bad_reply(msg, f"{what}: more than {PAGE_LIMIT} pages")
