"""What ``vbe scmi`` and ``vbe run`` show of a guest's SCMI agent: JSON-ready views built
from the agent's own replies (names, attributes, rates, states), rate parsing, and error
explanations that say what to do. Library code: prints nothing."""

from __future__ import annotations

import re
from typing import Any

from pyhost.scmi import ScmiAgent, ScmiError, ValueRange
from pyhost.scmi.clock import ClockClient
from pyhost.scmi.power import ON
from pyhost.scmi.voltage import VOLTAGE_ON
from pyhost.scmi.wire import PROTOCOLS, version_str

UNITS = {"": 1, "hz": 1, "khz": 10**3, "mhz": 10**6, "ghz": 10**9}
_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?hz)?\s*$", re.IGNORECASE)


def parse_rate(text: str) -> int:
    """``48MHz``, ``24.576MHz``, ``400kHz``, ``1GHz`` or plain Hz; ValueError otherwise."""
    m = _RATE.match(text)
    if m is None:
        raise ValueError(f"rate {text!r}: give Hz (48000000) or a unit (48MHz, 400kHz, 1.2GHz)")
    value = float(m.group(1)) * UNITS[(m.group(2) or "").lower()]
    if value != int(value):
        raise ValueError(f"rate {text!r} is not a whole number of Hz")
    return int(value)


def format_rate(hz: int) -> str:
    for unit, scale in (("GHz", 10**9), ("MHz", 10**6), ("kHz", 10**3)):
        if hz >= scale:
            return f"{hz / scale:g} {unit}"
    return f"{hz} Hz"


def rates_doc(rates: list[int] | ValueRange) -> Any:
    if isinstance(rates, ValueRange):
        return {"min": rates.min, "max": rates.max, "step": rates.step}
    return list(rates)


def rates_text(rates: list[int] | ValueRange) -> str:
    if isinstance(rates, ValueRange):
        return (
            f"{format_rate(rates.min)} .. {format_rate(rates.max)} step {format_rate(rates.step)}"
        )
    return ", ".join(format_rate(r) for r in rates)


def protocols_doc(agent: ScmiAgent) -> dict[str, Any]:
    me = agent.base.discover_agent()
    clients = {c.PROTO: c for c in _clients(agent)}
    protos = []
    for p in agent.base.list_protocols():
        client = clients.get(p)
        version = version_str(client.version()) if client else "?"
        protos.append({"id": p, "name": PROTOCOLS.get(p, f"0x{p:x}"), "version": version})
    return {
        "agent": {"id": me.agent_id, "name": me.name},
        "vendor": agent.base.vendor(),
        "sub_vendor": agent.base.sub_vendor(),
        "impl_version": agent.base.impl_version(),
        "base_version": version_str(agent.base.version()),
        "agents": agent.base.attributes().num_agents,
        "protocols": protos,
    }


def _clients(agent: ScmiAgent) -> list[Any]:
    return [
        agent.power,
        agent.system,
        agent.perf,
        agent.clock,
        agent.sensor,
        agent.reset,
        agent.voltage,
    ]


def has(agent: ScmiAgent, proto: int) -> bool:
    return proto in agent.base.list_protocols()


def clocks_doc(agent: ScmiAgent) -> list[dict[str, Any]]:
    if not has(agent, ClockClient.PROTO):
        return []
    out = []
    for i in range(agent.clock.count()):
        attrs = agent.clock.attributes(i)
        state, rate = agent.clock.get_permissions(i)
        rates = agent.clock.describe_rates(i)
        out.append({
            "id": i,
            "name": attrs.name,
            "enabled": attrs.enabled,
            "rate_hz": agent.clock.rate_get(i),
            "rates": rates_doc(rates),
            "may_switch": state,
            "may_set_rate": rate,
            "enable_latency_us": attrs.latency_us,
        })  # fmt: skip
    return out


def power_doc(agent: ScmiAgent) -> list[dict[str, Any]]:
    if not has(agent, agent.power.PROTO):
        return []
    return [
        {"id": i, "name": agent.power.name(i), "on": agent.power.state_get(i) == ON}
        for i in range(agent.power.count())
    ]


def sensors_doc(agent: ScmiAgent) -> list[dict[str, Any]]:
    if not has(agent, agent.sensor.PROTO):
        return []
    out = []
    for d in agent.sensor.description():
        raw = agent.sensor.reading_get(d.id)
        out.append({
            "id": d.id,
            "name": d.name,
            "raw": raw,
            "scale": d.scale,
            "unit": d.unit_name,
            "value": d.value(raw),
            "trip_points": d.trip_points,
        })  # fmt: skip
    return out


def resets_doc(agent: ScmiAgent) -> list[dict[str, Any]]:
    if not has(agent, agent.reset.PROTO):
        return []
    out = []
    for i in range(agent.reset.count()):
        a = agent.reset.attributes(i)
        out.append({"id": i, "name": a.name, "latency_us": a.latency_us, "async": a.async_})
    return out


def voltage_doc(agent: ScmiAgent) -> list[dict[str, Any]]:
    if not has(agent, agent.voltage.PROTO):
        return []
    return [
        {
            "id": i,
            "name": agent.voltage.name(i),
            "level_uv": agent.voltage.level_get(i),
            "on": agent.voltage.config_get(i) == VOLTAGE_ON,
            "levels_uv": rates_doc(agent.voltage.describe_levels(i)),
        }
        for i in range(agent.voltage.count())
    ]


def perf_doc(agent: ScmiAgent) -> list[dict[str, Any]]:
    if not has(agent, agent.perf.PROTO):
        return []
    out = []
    for i in range(agent.perf.count()):
        hi, lo = agent.perf.limits_get(i)
        out.append({
            "id": i,
            "name": agent.perf.name(i),
            "level": agent.perf.level_get(i),
            "limits": {"max": hi, "min": lo},
            "levels": [lv.level for lv in agent.perf.describe_levels(i)],
        })  # fmt: skip
    return out


ADVICE = {
    "DENIED": "its grant does not allow this (see the guest's grants in the system "
    "description, or try another guest with --guest)",
    "NOT_FOUND": "the id is not in the guest's view",
    "OUT_OF_RANGE": "the value is outside what the resource supports (list them first)",
    "INVALID_PARAMETERS": "a value the resource does not take",
    "NOT_SUPPORTED": "the platform does not implement it",
    "BUSY": "too many commands waiting for their delayed responses; retry",
}


def explain(exc: ScmiError, what: str) -> str:
    """``guest "x": CLOCK_RATE_SET of clock "uart0" answered DENIED: <advice>``."""
    advice = ADVICE.get(exc.status_name, "")
    head = str(exc).replace(" answered ", f" of {what} answered ", 1)
    return f"{head}: {advice}" if advice else head
