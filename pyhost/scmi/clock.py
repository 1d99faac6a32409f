"""Clock management protocol (0x14), version 3.0 (DEN0056E 4.6), as Linux's clock.c uses
it: attributes, rates (discrete lists page by page, or a range triplet), rate set sync and
async (CLOCK_RATE_SET_COMPLETE on the eventq), config set/get (v3 layouts), names."""

from __future__ import annotations

from dataclasses import dataclass

from pyhost.scmi import wire
from pyhost.scmi.common import ProtocolClient, ValueRange
from pyhost.scmi.wire import W

ATTR_ENABLED = 1 << 0
ATTR_GET_PERMISSIONS = 1 << 1
ATTR_EXT_NAME = 1 << 29
ATTR_NOTIFY_REQUESTED = 1 << 30
ATTR_NOTIFY_CHANGED = 1 << 31
PERM_STATE = 1 << 31  # CLOCK_GET_PERMISSIONS
PERM_RATE = 1 << 29
RATES_RETURNED = 0xFFF
ROUNDING = {"down": 0, "up": W("CLOCK_SET_ROUND_UP"), "auto": W("CLOCK_SET_ROUND_AUTO")}


@dataclass(frozen=True)
class ClockProtocolAttributes:
    num_clocks: int
    max_async: int


@dataclass(frozen=True)
class ClockAttributes:
    id: int
    name: str  # the extended name when the clock has one
    enabled: bool  # this agent's vote
    latency_us: int
    attributes: int

    @property
    def ext_name(self) -> bool:
        return bool(self.attributes & ATTR_EXT_NAME)

    @property
    def notify_changed(self) -> bool:
        return bool(self.attributes & ATTR_NOTIFY_CHANGED)

    @property
    def notify_requested(self) -> bool:
        return bool(self.attributes & ATTR_NOTIFY_REQUESTED)


@dataclass(frozen=True)
class RatesPage:
    rates: list[int]
    remaining: int
    is_range: bool


class ClockClient(ProtocolClient):
    PROTO = W("PROTO_CLOCK")
    NAME = "clock"
    RESOURCE = "clock"

    def protocol_attributes(self) -> ClockProtocolAttributes:
        (a,) = self.protocol_attributes_words(4)
        return ClockProtocolAttributes(a & 0xFFFF, (a >> 16) & 0xFF)

    def count(self) -> int:
        return self.protocol_attributes().num_clocks

    def attributes(self, clk: int) -> ClockAttributes:
        msg = W("CLOCK_ATTRIBUTES")
        data = self.ok_bytes(msg, clk, size=8 + wire.NAME_SIZE)
        attrs = wire.words(data[:4])[0]
        (latency,) = wire.words(data[4 + wire.NAME_SIZE :])
        name = wire.name_of(data[4 : 4 + wire.NAME_SIZE])
        if attrs & ATTR_EXT_NAME:
            name = self.name_get(W("CLOCK_NAME_GET"), clk)
        return ClockAttributes(clk, name, bool(attrs & ATTR_ENABLED), latency, attrs)

    def name(self, clk: int) -> str:
        return self.attributes(clk).name

    def describe_rates_page(self, clk: int, index: int) -> RatesPage:
        msg = W("CLOCK_DESCRIBE_RATES")
        data = self.ok_bytes(msg, clk, index)
        if len(data) < 4:
            raise self.bad_reply(msg, f"{len(data)} bytes, no num_rates_flags word")
        (flags,) = wire.words(data[:4])
        n, remaining = flags & RATES_RETURNED, flags >> 16
        is_range = bool(flags & W("CLOCK_RATES_RANGE"))
        if len(data) != 4 + 8 * n:
            raise self.bad_reply(msg, f"{n} rates in {len(data) - 4} bytes")
        w = wire.words(data[4:])
        rates = [wire.u64(w[2 * i], w[2 * i + 1]) for i in range(n)]
        if is_range and (n != 3 or remaining):
            raise self.bad_reply(msg, f"a range with {n} values and {remaining} remaining")
        return RatesPage(rates, remaining, is_range)

    def describe_rates(self, clk: int) -> list[int] | ValueRange:
        """Every rate of a clock (a list, ascending) or its range triplet."""
        first = self.describe_rates_page(clk, 0)
        if first.is_range:
            return ValueRange(*first.rates)

        def fetch(index: int) -> tuple[list[int], int]:
            if index == 0:
                return first.rates, first.remaining
            page = self.describe_rates_page(clk, index)
            return page.rates, page.remaining

        return self.paged(W("CLOCK_DESCRIBE_RATES"), fetch, f"clock {clk} rates")

    def rate_set(
        self,
        clk: int,
        rate: int,
        *,
        async_: bool = False,
        ignore_delayed: bool = False,
        round: str = "down",
        timeout: float | None = None,
    ) -> int | None:
        """CLOCK_RATE_SET. Async: returns the rate CLOCK_RATE_SET_COMPLETE reported
        (None with ``ignore_delayed``, which asks for no delayed response)."""
        msg = W("CLOCK_RATE_SET")
        flags = ROUNDING[round]
        flags |= W("CLOCK_SET_ASYNC") if async_ else 0
        flags |= W("CLOCK_SET_IGNORE_DELAYED") if ignore_delayed else 0
        lo, hi = wire.split64(rate)
        payload = wire.u32s(flags, clk, lo, hi)
        if not async_ or ignore_delayed:
            self.agent.call_ok(self.PROTO, msg, payload, 0)
            return None
        _, ev = self.agent.call_delayed(self.PROTO, msg, payload, timeout)
        w = ev.words
        if len(ev.payload) != 16 or w[0] != wire.SUCCESS or w[1] != clk:
            raise self.bad_reply(msg, f"unexpected CLOCK_RATE_SET_COMPLETE: {ev}")
        return wire.u64(w[2], w[3])

    def rate_get(self, clk: int) -> int:
        lo, hi = self.ok(W("CLOCK_RATE_GET"), clk, size=8)
        return wire.u64(lo, hi)

    def config_set(self, clk: int, enable: bool) -> None:
        """CLOCK_CONFIG_SET (v3: id, attributes, oem value): this agent's on/off vote."""
        state = W("CLOCK_STATE_ENABLE") if enable else W("CLOCK_STATE_DISABLE")
        self.ok(W("CLOCK_CONFIG_SET"), clk, state, 0, size=0)

    def enable(self, clk: int) -> None:
        self.config_set(clk, True)

    def disable(self, clk: int) -> None:
        self.config_set(clk, False)

    def config_get(self, clk: int) -> bool:
        """CLOCK_CONFIG_GET (flags 0): this agent's vote."""
        _attrs, config, _oem = self.ok(W("CLOCK_CONFIG_GET"), clk, 0, size=12)
        return bool(config & 1)

    def get_permissions(self, clk: int) -> tuple[bool, bool]:
        """(may switch it on/off, may set its rate) from CLOCK_GET_PERMISSIONS."""
        (p,) = self.ok(W("CLOCK_GET_PERMISSIONS"), clk, size=4)
        return bool(p & PERM_STATE), bool(p & PERM_RATE)

    def rate_notify(self, clk: int, enable: bool = True) -> None:
        self.subscribe(W("CLOCK_RATE_NOTIFY"), clk, enable)

    def rate_change_requested_notify(self, clk: int, enable: bool = True) -> None:
        self.subscribe(W("CLOCK_RATE_CHANGE_REQUESTED_NOTIFY"), clk, enable)
