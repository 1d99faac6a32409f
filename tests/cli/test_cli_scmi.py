"""``vbe scmi`` run as a user runs it (``python -m vbe`` in a subprocess), on the in-process
demo machine. What the guest was granted is read from the same kind of machine in this
process (its SCMI description and the agent's own replies), not copied into the tests."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cli_util import vbe

from pyhost.machine import make_machine
from pyhost.scmi import ScmiAgent, ValueRange, W


@pytest.fixture(scope="module")
def granted() -> dict[str, Any]:
    """Per guest with an agent: its agent info, protocols and clock rates, read here."""
    out: dict[str, Any] = {}
    with make_machine("inprocess") as m:
        assert m.scmi is not None
        for a in m.scmi.agents:
            guest = m.guest(a.guest)
            agent = ScmiAgent(m, guest)
            rates = [agent.clock.describe_rates(g.local_id) for g in a.granted("clock")]
            out[guest.name] = {
                "info": a,
                "protocols": agent.base.list_protocols(),
                "rates": rates,
                "vendor": m.scmi.vendor,
                "sensors": agent.sensor.description() if a.granted("sensor") else [],
            }
    return out


@pytest.mark.parametrize("guest", ["ivi", "cluster"])
def test_json_protocols_lists_what_the_guest_was_granted(granted, guest):
    p = vbe("scmi", "--guest", guest, "--json", "protocols")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    want = granted[guest]
    assert doc["guest"] == guest and doc["vendor"] == want["vendor"]
    assert doc["agent"] == {"id": want["info"].agent_id, "name": want["info"].name}
    assert [x["id"] for x in doc["protocols"]] == want["protocols"]
    clock = next(x for x in doc["protocols"] if x["id"] == W("PROTO_CLOCK"))
    assert clock["name"] == "clock" and clock["version"] == "3.0"


@pytest.mark.parametrize("guest", ["ivi", "cluster"])
def test_json_clocks_lists_the_granted_clocks_with_names_and_rates(granted, guest):
    p = vbe("scmi", "--json", "clocks", "--guest", guest)
    assert p.returncode == 0, p.stderr
    items = json.loads(p.stdout)["items"]
    want = granted[guest]
    assert [c["name"] for c in items] == [g.name for g in want["info"].granted("clock")]
    for c, rates in zip(items, want["rates"], strict=True):
        if isinstance(rates, ValueRange):
            assert c["rates"] == {"min": rates.min, "max": rates.max, "step": rates.step}
            assert c["rate_hz"] in rates
        else:
            assert c["rates"] == rates and c["rate_hz"] in rates


def test_default_guest_is_the_first_with_an_agent(granted):
    p = vbe("scmi", "--json", "protocols")
    assert p.returncode == 0, p.stderr
    first = min(granted.values(), key=lambda g: g["info"].guest)
    assert json.loads(p.stdout)["agent"]["id"] == first["info"].agent_id


def test_clock_set_then_clock_list_shows_the_rate():
    p = vbe("scmi", "clock-set", "uart0", "48MHz", "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["rate_hz"] == 48_000_000


def test_refused_rate_change_exits_1_naming_guest_clock_and_status(granted):
    readonly = [
        (guest, g.name)
        for guest, w in granted.items()
        for g in w["info"].granted("clock")
        if not g.perms & 2
    ]
    if not readonly:
        pytest.skip("every clock grant allows rate changes")
    guest, name = readonly[0]
    p = vbe("scmi", "--guest", guest, "clock-set", name, "48MHz")
    assert p.returncode == 1 and p.stdout == ""
    assert f'guest "{guest}"' in p.stderr and f'clock "{name}"' in p.stderr
    assert "DENIED" in p.stderr and "grant" in p.stderr


def test_unknown_clock_name_exits_1_listing_the_guests_clocks(granted):
    p = vbe("scmi", "clock-on", "no_such_clock")
    assert p.returncode == 1
    first = min(granted.values(), key=lambda g: g["info"].guest)
    names = ", ".join(g.name for g in first["info"].granted("clock"))
    assert f"has no clock named 'no_such_clock' (it has: {names})" in p.stderr


def test_raw_base_version_returns_the_version_word():
    p = vbe("scmi", "--json", "raw", "0x10", "0x0")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["status"] == "SUCCESS" and doc["returns"] == [W("VERSION_BASE")]


def test_raw_refused_command_exits_1_with_its_status():
    p = vbe("scmi", "raw", "0x14", "0x6", "ffff")
    assert p.returncode == 1 and "NOT_FOUND" in p.stdout


def test_sensor_read_scales_to_the_unit():
    p = vbe("scmi", "--json", "sensor-read", "0")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["value"] == pytest.approx(doc["raw"] * 10.0**-3) or doc["unit"] == "RPM"


def test_scmi_without_a_command_prints_help_and_exits_2():
    p = vbe("scmi")
    assert p.returncode == 2 and "clock-set" in p.stdout


def test_run_reports_the_scmi_steps_and_passes():
    p = vbe("run", "--machine", "inprocess", "--json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    scmi = doc["scmi"]
    assert doc["ok"] and scmi["ok"] and not scmi["skipped"]
    outcomes = [s["outcome"] for s in scmi["steps"]]
    assert {"ON", "OFF", "NOT_FOUND", "DENIED"} <= set(outcomes)
    assert all(s["passed"] and not s["skipped"] for s in scmi["steps"])
    assert [op["op"] for op in scmi["platform_ops"]] == ["clock_on", "clock_off"]
