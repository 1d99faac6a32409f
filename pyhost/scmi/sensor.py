"""Sensor management (0x15), version 3.1 (DEN0056E 4.7): scalar sensors as Linux's
sensors.c reads them (descriptions page by page, readings sync and async, trip points)."""

from __future__ import annotations

from dataclasses import dataclass

from pyhost.scmi import wire
from pyhost.scmi.common import ProtocolClient
from pyhost.scmi.wire import W

DESC_SIZE = 12 + wire.NAME_SIZE  # id, attributes_low, attributes_high, name
ATTR_ASYNC = 1 << 31  # attributes_low
ATTR_EXT_NAME = 1 << 29
TRIP_POINTS = 0xFF
TP_MODES = {
    "off": W("SENSOR_TP_DISABLED"),
    "up": W("SENSOR_TP_POSITIVE"),
    "down": W("SENSOR_TP_NEGATIVE"),
    "both": W("SENSOR_TP_BOTH"),
}
UNITS = {
    W("SENSOR_UNIT_DEGC"): "degC",
    W("SENSOR_UNIT_VOLTS"): "V",
    W("SENSOR_UNIT_AMPS"): "A",
    W("SENSOR_UNIT_WATTS"): "W",
    W("SENSOR_UNIT_RPM"): "RPM",
}


@dataclass(frozen=True)
class SensorProtocolAttributes:
    num_sensors: int
    max_async: int


@dataclass(frozen=True)
class SensorDesc:
    id: int
    name: str
    attributes_low: int
    attributes_high: int

    @property
    def trip_points(self) -> int:
        return self.attributes_low & TRIP_POINTS

    @property
    def async_read(self) -> bool:
        return bool(self.attributes_low & ATTR_ASYNC)

    @property
    def ext_name(self) -> bool:
        return bool(self.attributes_low & ATTR_EXT_NAME)

    @property
    def unit(self) -> int:
        """SCMI sensor type (7:0 of attributes_high)."""
        return self.attributes_high & 0xFF

    @property
    def unit_name(self) -> str:
        return UNITS.get(self.unit, f"type {self.unit}")

    @property
    def scale(self) -> int:
        """Power-of-ten exponent (15:11, signed)."""
        s = (self.attributes_high >> 11) & 0x1F
        return s - 32 if s & 0x10 else s

    def value(self, raw: int) -> float:
        return raw * 10.0**self.scale


@dataclass(frozen=True)
class TripEvent:
    agent_id: int
    sensor: int
    trip_id: int
    ascending: bool


class SensorClient(ProtocolClient):
    PROTO = W("PROTO_SENSOR")
    NAME = "sensor"
    RESOURCE = "sensor"

    def protocol_attributes(self) -> SensorProtocolAttributes:
        a = self.protocol_attributes_words(16)[0]
        return SensorProtocolAttributes(a & 0xFFFF, (a >> 16) & 0xFF)

    def count(self) -> int:
        return self.protocol_attributes().num_sensors

    def description_page(self, index: int) -> tuple[list[SensorDesc], int]:
        msg = W("SENSOR_DESCRIPTION_GET")
        data = self.ok_bytes(msg, index)
        if len(data) < 4:
            raise self.bad_reply(msg, f"{len(data)} bytes, no num_sensor_flags word")
        (flags,) = wire.words(data[:4])
        n, remaining = flags & 0xFFF, flags >> 16
        if len(data) != 4 + DESC_SIZE * n:
            raise self.bad_reply(msg, f"{n} descriptors in {len(data) - 4} bytes")
        out = []
        for i in range(n):
            d = data[4 + DESC_SIZE * i : 4 + DESC_SIZE * (i + 1)]
            sid, lo, hi = wire.words(d[:12])
            name = wire.name_of(d[12:])
            if lo & ATTR_EXT_NAME:
                name = self.name_get(W("SENSOR_NAME_GET"), sid)
            out.append(SensorDesc(sid, name, lo, hi))
        return out, remaining

    def description(self) -> list[SensorDesc]:
        """Every sensor of the agent, page by page (desc_index = what it has so far)."""
        return self.paged(W("SENSOR_DESCRIPTION_GET"), self.description_page, "sensor descriptions")

    def name(self, sensor: int) -> str:
        for d in self.description():
            if d.id == sensor:
                return d.name
        raise KeyError(f'guest "{self.agent.name}" has no sensor {sensor}')

    def names(self) -> list[str]:
        return [d.name for d in self.description()]

    def reading_get(self, sensor: int, async_: bool = False, timeout: float | None = None) -> int:
        """SENSOR_READING_GET: the value (signed 64-bit); async: from SENSOR_READING_COMPLETE."""
        msg = W("SENSOR_READING_GET")
        flags = W("SENSOR_READ_ASYNC") if async_ else 0
        if not async_:
            lo, hi, _ts_lo, _ts_hi = self.ok(msg, sensor, flags, size=16)
            return wire.s64(wire.u64(lo, hi))
        _, ev = self.agent.call_delayed(self.PROTO, msg, wire.u32s(sensor, flags), timeout)
        w = ev.words
        if len(ev.payload) != 24 or w[0] != wire.SUCCESS or w[1] != sensor:
            raise self.bad_reply(msg, f"unexpected SENSOR_READING_COMPLETE: {ev}")
        return wire.s64(wire.u64(w[2], w[3]))

    def trip_point_notify(self, sensor: int, enable: bool = True) -> None:
        self.subscribe(W("SENSOR_TRIP_POINT_NOTIFY"), sensor, enable)

    def trip_point_config(self, sensor: int, trip_id: int, mode: str | int, value: int) -> None:
        """Arm (mode up, down or both) or disarm (off) one of this agent's trip points."""
        m = TP_MODES[mode] if isinstance(mode, str) else mode
        control = m | trip_id << W("SENSOR_TP_ID_SHIFT")
        lo, hi = wire.split64(value)
        self.ok(W("SENSOR_TRIP_POINT_CONFIG"), sensor, control, lo, hi, size=0)

    def config_get(self, sensor: int) -> int:
        return self.ok(W("SENSOR_CONFIG_GET"), sensor, size=4)[0]

    def config_set(self, sensor: int, config: int) -> None:
        self.ok(W("SENSOR_CONFIG_SET"), sensor, config, size=0)

    @staticmethod
    def trip_event(payload: bytes) -> TripEvent:
        """Decode SENSOR_TRIP_POINT_EVENT: agent, sensor, trip_point_desc."""
        agent, sensor, desc = wire.words(payload[:12])
        return TripEvent(agent, sensor, desc & 0xFF, bool(desc & W("SENSOR_TP_ASCENDING")))
