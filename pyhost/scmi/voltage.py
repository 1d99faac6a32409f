"""Voltage domain management (0x17, v2.1, DEN0056E 4.9) client, as Linux's voltage.c uses
it."""

from __future__ import annotations

from dataclasses import dataclass

from pyhost.scmi import wire
from pyhost.scmi.common import ProtocolClient, ValueRange
from pyhost.scmi.wire import W

VOLTAGE_ATTR_ASYNC = 1 << 31
VOLTAGE_ATTR_EXT_NAME = 1 << 30
VOLTAGE_ON = W("VOLTAGE_ARCH_ON")
VOLTAGE_OFF = W("VOLTAGE_ARCH_OFF")


@dataclass(frozen=True)
class VoltageDomainAttributes:
    id: int
    name: str
    attributes: int

    @property
    def async_(self) -> bool:
        return bool(self.attributes & VOLTAGE_ATTR_ASYNC)


class VoltageClient(ProtocolClient):
    PROTO = W("PROTO_VOLTAGE")
    NAME = "voltage"
    RESOURCE = "voltage domain"

    def count(self) -> int:
        return self.protocol_attributes_words(4)[0] & 0xFFFF

    def attributes(self, dom: int) -> VoltageDomainAttributes:
        data = self.ok_bytes(W("VOLTAGE_DOMAIN_ATTRIBUTES"), dom, size=4 + wire.NAME_SIZE)
        attrs = wire.words(data[:4])[0]
        name = wire.name_of(data[4:])
        if attrs & VOLTAGE_ATTR_EXT_NAME:
            name = self.name_get(W("VOLTAGE_DOMAIN_NAME_GET"), dom)
        return VoltageDomainAttributes(dom, name, attrs)

    def name(self, dom: int) -> str:
        return self.attributes(dom).name

    def describe_levels_page(self, dom: int, index: int) -> tuple[list[int], int, bool]:
        msg = W("VOLTAGE_DESCRIBE_LEVELS")
        data = self.ok_bytes(msg, dom, index)
        if len(data) < 4:
            raise self.bad_reply(msg, f"{len(data)} bytes, no flags word")
        (flags,) = wire.words(data[:4])
        n, remaining = flags & 0xFFF, flags >> 16
        if len(data) != 4 + 4 * n:
            raise self.bad_reply(msg, f"{n} levels in {len(data) - 4} bytes")
        levels = [wire.s32(v) for v in wire.words(data[4:])]
        return levels, remaining, bool(flags & W("VOLTAGE_LEVELS_RANGE"))

    def describe_levels(self, dom: int) -> list[int] | ValueRange:
        """Every level (µV) of a domain, or its {min, max, step} triplet."""
        levels, remaining, is_range = self.describe_levels_page(dom, 0)
        if is_range:
            if len(levels) != 3 or remaining:
                raise self.bad_reply(W("VOLTAGE_DESCRIBE_LEVELS"), f"a range of {levels}")
            return ValueRange(*levels)

        def fetch(index: int) -> tuple[list[int], int]:
            if index == 0:
                return levels, remaining
            page, left, _ = self.describe_levels_page(dom, index)
            return page, left

        return self.paged(W("VOLTAGE_DESCRIBE_LEVELS"), fetch, f"voltage domain {dom} levels")

    def config_set(self, dom: int, on: bool | int) -> None:
        """VOLTAGE_CONFIG_SET: architectural on (0x7) / off (0x0), or a raw config value."""
        cfg = (VOLTAGE_ON if on else VOLTAGE_OFF) if isinstance(on, bool) else on
        self.ok(W("VOLTAGE_CONFIG_SET"), dom, cfg, size=0)

    def config_get(self, dom: int) -> int:
        """This agent's own setting (0x7 on, 0x0 off)."""
        return self.ok(W("VOLTAGE_CONFIG_GET"), dom, size=4)[0]

    def level_set(
        self, dom: int, uv: int, async_: bool = False, timeout: float | None = None
    ) -> int:
        """VOLTAGE_LEVEL_SET (µV); async: the level VOLTAGE_LEVEL_SET_COMPLETE reported."""
        msg = W("VOLTAGE_LEVEL_SET")
        payload = wire.u32s(dom, W("VOLTAGE_SET_ASYNC") if async_ else 0, uv)
        if not async_:
            self.agent.call_ok(self.PROTO, msg, payload, 0)
            return uv
        _, ev = self.agent.call_delayed(self.PROTO, msg, payload, timeout)
        w = ev.words
        if len(ev.payload) != 12 or w[0] != wire.SUCCESS or w[1] != dom:
            raise self.bad_reply(msg, f"unexpected VOLTAGE_LEVEL_SET_COMPLETE: {ev}")
        return wire.s32(w[2])

    def level_get(self, dom: int) -> int:
        return wire.s32(self.ok(W("VOLTAGE_LEVEL_GET"), dom, size=4)[0])
