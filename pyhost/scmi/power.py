"""Power domain management (0x11, v3.1, DEN0056E 4.3) client."""

from __future__ import annotations

from dataclasses import dataclass

from pyhost.scmi import wire
from pyhost.scmi.common import ProtocolClient
from pyhost.scmi.wire import W

ON = W("POWER_ON")
OFF = W("POWER_OFF")
ATTR_EXT_NAME = 1 << 27
ATTR_SYNC = 1 << 29
ATTR_ASYNC = 1 << 30
ATTR_NOTIFY = 1 << 31
SET_ASYNC = 1 << 0


@dataclass(frozen=True)
class PowerDomainAttributes:
    id: int
    name: str
    attributes: int

    @property
    def notify(self) -> bool:
        return bool(self.attributes & ATTR_NOTIFY)

    @property
    def async_(self) -> bool:
        return bool(self.attributes & ATTR_ASYNC)

    @property
    def sync(self) -> bool:
        return bool(self.attributes & ATTR_SYNC)

    @property
    def ext_name(self) -> bool:
        return bool(self.attributes & ATTR_EXT_NAME)


class PowerClient(ProtocolClient):
    PROTO = W("PROTO_POWER")
    NAME = "power"
    RESOURCE = "power domain"

    def count(self) -> int:
        """Domains (15:0 of PROTOCOL_ATTRIBUTES; no statistics area here)."""
        return self.protocol_attributes_words(16)[0] & 0xFFFF

    def attributes(self, dom: int) -> PowerDomainAttributes:
        data = self.ok_bytes(W("POWER_DOMAIN_ATTRIBUTES"), dom, size=4 + wire.NAME_SIZE)
        attrs = wire.words(data[:4])[0]
        name = wire.name_of(data[4:])
        if attrs & ATTR_EXT_NAME:
            name = self.name_get(W("POWER_DOMAIN_NAME_GET"), dom)
        return PowerDomainAttributes(dom, name, attrs)

    def name(self, dom: int) -> str:
        return self.attributes(dom).name

    def state_set(self, dom: int, state: int, async_: bool = False) -> None:
        """POWER_STATE_SET: this agent's wish (ON or OFF)."""
        self.ok(W("POWER_STATE_SET"), SET_ASYNC if async_ else 0, dom, state, size=0)

    def on(self, dom: int) -> None:
        self.state_set(dom, ON)

    def off(self, dom: int) -> None:
        self.state_set(dom, OFF)

    def state_get(self, dom: int) -> int:
        """POWER_STATE_GET: the platform's state (ON 0, OFF 0x40000000)."""
        return self.ok(W("POWER_STATE_GET"), dom, size=4)[0]

    def notify(self, dom: int, enable: bool = True) -> None:
        self.subscribe(W("POWER_STATE_NOTIFY"), dom, enable)
