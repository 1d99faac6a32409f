"""Reset domain management (0x16, v3.1, DEN0056E 4.8) client, as Linux's reset.c uses it."""

from __future__ import annotations

from dataclasses import dataclass

from pyhost.scmi import wire
from pyhost.scmi.common import ProtocolClient
from pyhost.scmi.wire import W

RESET_ATTR_ASYNC = 1 << 31
RESET_ATTR_NOTIFY = 1 << 30
RESET_ATTR_EXT_NAME = 1 << 29


@dataclass(frozen=True)
class ResetDomainAttributes:
    id: int
    name: str
    attributes: int
    latency_us: int

    @property
    def async_(self) -> bool:
        return bool(self.attributes & RESET_ATTR_ASYNC)

    @property
    def notify(self) -> bool:
        return bool(self.attributes & RESET_ATTR_NOTIFY)


class ResetClient(ProtocolClient):
    PROTO = W("PROTO_RESET")
    NAME = "reset"
    RESOURCE = "reset domain"

    def count(self) -> int:
        return self.protocol_attributes_words(4)[0] & 0xFFFF

    def attributes(self, dom: int) -> ResetDomainAttributes:
        data = self.ok_bytes(W("RESET_DOMAIN_ATTRIBUTES"), dom, size=8 + wire.NAME_SIZE)
        attrs, latency = wire.words(data[:8])
        name = wire.name_of(data[8:])
        if attrs & RESET_ATTR_EXT_NAME:
            name = self.name_get(W("RESET_DOMAIN_NAME_GET"), dom)
        return ResetDomainAttributes(dom, name, attrs, latency)

    def name(self, dom: int) -> str:
        return self.attributes(dom).name

    def reset(
        self,
        dom: int,
        *,
        autonomous: bool = False,
        assert_: bool = False,
        async_: bool = False,
        state: int = W("RESET_ARCH_COLD"),
        timeout: float | None = None,
    ) -> None:
        """RESET: autonomous (a pulse), explicit assert, or (neither) release; async waits
        for RESET_COMPLETE."""
        msg = W("RESET")
        flags = (W("RESET_AUTONOMOUS") if autonomous else 0) | (
            W("RESET_EXPLICIT_ASSERT") if assert_ else 0
        )
        flags |= W("RESET_ASYNC") if async_ else 0
        payload = wire.u32s(dom, flags, state)
        if not async_:
            self.agent.call_ok(self.PROTO, msg, payload, 0)
            return
        _, ev = self.agent.call_delayed(self.PROTO, msg, payload, timeout)
        if len(ev.payload) != 8 or ev.words != (wire.SUCCESS, dom):
            raise self.bad_reply(msg, f"unexpected RESET_COMPLETE: {ev}")

    def assert_line(self, dom: int) -> None:
        self.reset(dom, assert_=True)

    def deassert(self, dom: int) -> None:
        self.reset(dom)

    def pulse(self, dom: int, async_: bool = False) -> None:
        self.reset(dom, autonomous=True, async_=async_)

    def notify(self, dom: int, enable: bool = True) -> None:
        self.subscribe(W("RESET_NOTIFY"), dom, enable)
