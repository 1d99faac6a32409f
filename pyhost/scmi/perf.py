"""Performance domain management (0x13), version 4.0 (DEN0056E 4.5), as Linux's perf.c
uses it (no fast channels, no level indexing)."""

from __future__ import annotations

from dataclasses import dataclass

from pyhost.scmi import wire
from pyhost.scmi.common import ProtocolClient
from pyhost.scmi.wire import W

PROTO_POWER_MW = 1 << 16
ATTR_SET_LIMITS = 1 << 31
ATTR_SET_LEVEL = 1 << 30
ATTR_NOTIFY_LIMITS = 1 << 29
ATTR_NOTIFY_LEVEL = 1 << 28
ATTR_FASTCHANNELS = 1 << 27
ATTR_EXT_NAME = 1 << 26
ATTR_LEVEL_INDEXING = 1 << 25
LEVEL_ENTRY = 20  # v4 entry: level, power, latency, indicative kHz, index


@dataclass(frozen=True)
class PerfProtocolAttributes:
    num_domains: int
    power_mw: bool


@dataclass(frozen=True)
class PerfDomainAttributes:
    id: int
    name: str
    attributes: int
    rate_limit_us: int
    sustained_freq_khz: int
    sustained_level: int

    def has(self, bit: int) -> bool:
        return bool(self.attributes & bit)


@dataclass(frozen=True)
class PerfLevel:
    level: int
    power: int
    latency_us: int
    freq_khz: int
    index: int


class PerfClient(ProtocolClient):
    PROTO = W("PROTO_PERF")
    NAME = "perf"
    RESOURCE = "performance domain"

    def protocol_attributes(self) -> PerfProtocolAttributes:
        a = self.protocol_attributes_words(16)[0]
        return PerfProtocolAttributes(a & 0xFFFF, bool(a & PROTO_POWER_MW))

    def count(self) -> int:
        return self.protocol_attributes().num_domains

    def attributes(self, dom: int) -> PerfDomainAttributes:
        data = self.ok_bytes(W("PERF_DOMAIN_ATTRIBUTES"), dom, size=16 + wire.NAME_SIZE)
        attrs, limit, khz, level = wire.words(data[:16])
        name = wire.name_of(data[16:])
        if attrs & ATTR_EXT_NAME:
            name = self.name_get(W("PERF_DOMAIN_NAME_GET"), dom)
        return PerfDomainAttributes(dom, name, attrs, limit, khz, level)

    def name(self, dom: int) -> str:
        return self.attributes(dom).name

    def describe_levels_page(self, dom: int, index: int) -> tuple[list[PerfLevel], int]:
        msg = W("PERF_DESCRIBE_LEVELS")
        data = self.ok_bytes(msg, dom, index)
        if len(data) < 4:
            raise self.bad_reply(msg, f"{len(data)} bytes, no num_levels word")
        (flags,) = wire.words(data[:4])
        n, remaining = flags & 0xFFF, flags >> 16
        if len(data) != 4 + LEVEL_ENTRY * n:
            raise self.bad_reply(msg, f"{n} levels in {len(data) - 4} bytes")
        w = wire.words(data[4:])
        levels = [
            PerfLevel(w[5 * i], w[5 * i + 1], w[5 * i + 2] & 0xFFFF, w[5 * i + 3], w[5 * i + 4])
            for i in range(n)
        ]
        return levels, remaining

    def describe_levels(self, dom: int) -> list[PerfLevel]:
        def fetch(index: int) -> tuple[list[PerfLevel], int]:
            return self.describe_levels_page(dom, index)

        return self.paged(W("PERF_DESCRIBE_LEVELS"), fetch, f"perf domain {dom} levels")

    def limits_set(self, dom: int, max_level: int, min_level: int) -> None:
        self.ok(W("PERF_LIMITS_SET"), dom, max_level, min_level, size=0)

    def limits_get(self, dom: int) -> tuple[int, int]:
        """(max, min): this agent's own limits."""
        hi, lo = self.ok(W("PERF_LIMITS_GET"), dom, size=8)
        return hi, lo

    def level_set(self, dom: int, level: int) -> None:
        self.ok(W("PERF_LEVEL_SET"), dom, level, size=0)

    def level_get(self, dom: int) -> int:
        """The level the platform runs the domain at."""
        return self.ok(W("PERF_LEVEL_GET"), dom, size=4)[0]

    def notify_level(self, dom: int, enable: bool = True) -> None:
        self.subscribe(W("PERF_NOTIFY_LEVEL"), dom, enable)
