"""``vbe scmi``: SCMI as a guest's agent sees it through its virtio-scmi device."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from pyhost.machine.base import GuestInfo, Machine, MachineError
from pyhost.scmi import ScmiAgent, ScmiError, ScmiProtocolError, ValueRange
from pyhost.scmi.common import ProtocolClient
from pyhost.scmi.power import OFF, ON
from pyhost.scmi.wire import describe, u32s, words
from pyhost.virtio.errors import VirtioError
from vbe import scmi_view as view
from vbe.commands.base import VbeCommand, VbeCommandGroup
from vbe.output import die, err, out
from vbe.session import add_json_arg, add_machine_args, machine_session

DESCRIPTION = """\
SCMI from one guest's point of view: the guest's virtio-scmi device is its SCMI agent, and
it sees only what the system description grants it, under its own ids. Lists show what the
agent reads back (names from the ATTRIBUTES/NAME_GET replies, rates from DESCRIBE_RATES,
states from the GET commands); NAME arguments are resolved the same way (a number is taken
as the agent's own id). A refused command names the guest, the resource and the status.
"""

EPILOG = """\
examples:
  vbe scmi protocols                       what the first guest (ivi) may use
  vbe scmi --json clocks                   its clocks: names, rates, on/off, rights
  vbe scmi clock-set uart0 48MHz           set a rate (rounded down to a supported one)
  vbe scmi --guest cluster clock-on uart0  vote the shared UART clock on
  vbe scmi --guest cluster clock-set uart0 48MHz   refused: cluster may only switch it
  vbe scmi sensor-read soc_temp            one reading, scaled to its unit
  vbe scmi raw 0x10 0x0                    BASE PROTOCOL_VERSION, raw
  vbe scmi raw 0x14 0x6 2                  CLOCK_RATE_GET of the agent's clock 2

Options (--machine, --guest, --json) go before or after the command. For raw, PROTO and MSG
are numbers (0x14 or 20) and each HEX is one le32 parameter word in hex.
"""


class Refused(Exception):
    """A command the platform refused, explained for a person."""


def add_common(p: argparse.ArgumentParser, top: bool) -> None:
    """--machine/--guest/--json; on subcommands with SUPPRESS so the group's stay."""
    if top:
        add_machine_args(p, guest=False)
        p.add_argument(
            "--guest",
            metavar="NAME|INDEX",
            help="the guest whose agent to be (default: the first guest with an SCMI agent)",
        )
        add_json_arg(p)
        return
    sup = argparse.SUPPRESS
    p.add_argument("--machine", default=sup, metavar="NAME", help="as for vbe scmi")
    p.add_argument("--guest", default=sup, metavar="NAME|INDEX", help="as for vbe scmi")
    p.add_argument("--json", action="store_true", default=sup, help="JSON on stdout")


def pick_scmi_guest(machine: Machine, spec: str | None) -> GuestInfo:
    info = machine.scmi
    if info is None or not info.agents:
        die(f"machine {machine.name!r} reports no SCMI agents")
    if spec is None:
        return machine.guest(min(a.guest for a in info.agents))
    try:
        guest = machine.guest(int(spec, 0) if spec.isdigit() else spec)
    except MachineError as exc:
        die(str(exc))
    if info.agent_of_guest(guest.index) is None:
        names = ", ".join(machine.guest(a.guest).name for a in info.agents)
        die(f'guest "{guest.name}" has no virtio-scmi device (guests with one: {names})')
    return guest


Action = Callable[[ScmiAgent, argparse.Namespace], Any]


class ScmiAction(VbeCommand):
    """One ``vbe scmi`` subcommand: positional arguments and what it does."""

    def __init__(self, name: str, help: str, args: list[tuple[str, str]], action: Action):
        super().__init__(name, help, help[0].upper() + help[1:] + ".")
        self.args = args
        self.action = action

    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        p = self._parser(parser_adder)
        add_common(p, top=False)
        for arg, text in self.args:
            nargs = "*" if arg == "HEX" else None
            p.add_argument(arg.lower(), metavar=arg, nargs=nargs, help=text)
        return p

    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> int:
        with machine_session(args.machine) as machine:
            guest = pick_scmi_guest(machine, args.guest)
            try:
                agent = ScmiAgent(machine, guest)
                doc = self.action(agent, args)
            except Refused as exc:
                err(str(exc))
                return 1
            except ScmiError as exc:
                err(view.explain(exc, "the command"))
                return 1
            except (KeyError, ValueError) as exc:
                err(str(exc.args[0] if exc.args else exc))
                return 1
            except (ScmiProtocolError, VirtioError) as exc:
                err(f'guest "{guest.name}": {exc}')
                return 1
        if isinstance(doc, dict) and "machine" not in doc:
            doc = {"machine": machine.name, "guest": guest.name, **doc}
        out(json.dumps(doc, indent=2) if args.json else render(self.name, doc))
        return 1 if doc.get("status", "SUCCESS") != "SUCCESS" else 0


def _resolve(client: ProtocolClient, name: str) -> int:
    if name.isdigit():
        return int(name)
    return client.find(name)


def _named(
    what: str, client: ProtocolClient, name: str, fn: Callable[[int], object]
) -> tuple[int, Any]:
    """Resolve ``name`` through the agent's replies, run ``fn(id)``: (id, its result)."""
    rid = _resolve(client, name)
    try:
        return rid, fn(rid)
    except ScmiError as exc:
        raise Refused(view.explain(exc, f'{what} "{name}"')) from exc


def _clock_set(a: ScmiAgent, args: argparse.Namespace) -> dict[str, Any]:
    rate = view.parse_rate(args.rate)
    clk, _ = _named("clock", a.clock, args.name, lambda i: a.clock.rate_set(i, rate))
    return {"clock": args.name, "asked_hz": rate, "rate_hz": a.clock.rate_get(clk)}


def _clock_onoff(on: bool) -> Action:
    def run(a: ScmiAgent, args: argparse.Namespace) -> dict[str, Any]:
        clk, _ = _named("clock", a.clock, args.name, lambda i: a.clock.config_set(i, on))
        return {"clock": args.name, "enabled": a.clock.config_get(clk)}

    return run


def _power_set(a: ScmiAgent, args: argparse.Namespace) -> dict[str, Any]:
    if args.state not in ("on", "off"):
        raise ValueError(f"power state {args.state!r}: use on or off")
    state = ON if args.state == "on" else OFF
    dom, _ = _named("power domain", a.power, args.name, lambda i: a.power.state_set(i, state))
    return {"power_domain": args.name, "on": a.power.state_get(dom) == ON}


def _sensor_read(a: ScmiAgent, args: argparse.Namespace) -> dict[str, Any]:
    sid = _resolve(a.sensor, args.name)
    desc = next((d for d in a.sensor.description() if d.id == sid), None)
    if desc is None:
        raise KeyError(f'guest "{a.name}" has no sensor {sid}')
    _, raw = _named("sensor", a.sensor, args.name, a.sensor.reading_get)
    return {"sensor": desc.name, "raw": raw, "value": desc.value(raw), "unit": desc.unit_name}


def _reset(a: ScmiAgent, args: argparse.Namespace) -> dict[str, Any]:
    _named("reset domain", a.reset, args.name, a.reset.pulse)
    return {"reset": args.name, "done": "autonomous reset"}


def _number(text: str, what: str, base: int = 0) -> int:
    try:
        return int(text, base)
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a number (e.g. 0x14)") from None


def _raw(a: ScmiAgent, args: argparse.Namespace) -> dict[str, Any]:
    proto, msg = _number(args.proto, "PROTO"), _number(args.msg, "MSG")
    params = [_number(h, "parameter word", 16) for h in args.hex]
    r = a.call(proto, msg, u32s(*params))
    return {
        "message": describe(proto, msg),
        "token": r.hdr.token,
        "status": r.status_name,
        "status_code": r.status,
        "returns": list(words(r.payload)),
        "bytes": r.payload.hex(),
    }


def render(name: str, doc: Any) -> str:
    """Text for a person; the same data as --json."""
    if name == "protocols":
        head = (
            f'guest "{doc["guest"]}": agent {doc["agent"]["id"]} "{doc["agent"]["name"]}" of '
            f"{doc['agents']}; platform {doc['vendor']}/{doc['sub_vendor']} "
            f"0x{doc['impl_version']:08x}, base {doc['base_version']}"
        )
        rows = [f"  0x{p['id']:02x}  {p['name']:<8} v{p['version']}" for p in doc["protocols"]]
        return "\n".join([head, *rows])
    if name == "raw":
        return f"{doc['message']}: {doc['status']}" + "".join(f" 0x{w:08x}" for w in doc["returns"])
    if "items" in doc:
        rows = [_row(name, r) for r in doc["items"]] or ["  (none granted)"]
        return "\n".join([f'guest "{doc["guest"]}" {name}:', *rows])
    return f'guest "{doc["guest"]}": ' + "  ".join(
        f"{k}={v}" for k, v in doc.items() if k not in ("machine", "guest")
    )


def _row(name: str, r: dict[str, Any]) -> str:
    head = f"  {r['id']:>3}  {r['name']:<20}"
    if name == "clocks":
        on = "on " if r["enabled"] else "off"
        rights = "+".join(
            n for n, ok in (("on/off", r["may_switch"]), ("rate", r["may_set_rate"])) if ok
        )
        rates = r["rates"]
        listed = view.rates_text(ValueRange(**rates) if isinstance(rates, dict) else rates)
        return (
            f"{head} {on} {view.format_rate(r['rate_hz']):>12}  [{listed}]  {rights or 'read-only'}"
        )
    if name == "power":
        return f"{head} {'on' if r['on'] else 'off'}"
    if name == "sensors":
        return (
            f"{head} {r['value']:g} {r['unit']}  (raw {r['raw']}, {r['trip_points']} trip points)"
        )
    if name == "resets":
        return f"{head} latency {r['latency_us']} us"
    if name == "voltage":
        lv = r["levels_uv"]
        levels = f"{lv['min']} .. {lv['max']} step {lv['step']}" if isinstance(lv, dict) else lv
        return f"{head} {r['level_uv']} uV  {'on' if r['on'] else 'off'}  [{levels}]"
    return f"{head} level {r['level']}  limits {r['limits']['min']}..{r['limits']['max']}  {r['levels']}"


def _list(fn: Callable[[ScmiAgent], list[dict[str, Any]]]) -> Action:
    return lambda a, _args: {"items": fn(a)}


def _protocols(a: ScmiAgent, _args: argparse.Namespace) -> dict[str, Any]:
    return view.protocols_doc(a)


NAME = ("NAME", "the resource's name as the guest reads it, or its id")


class ScmiCommand(VbeCommandGroup):
    def __init__(self) -> None:
        children: list[VbeCommand] = [
            ScmiAction("protocols", "list the protocols the guest may use", [], _protocols),
            ScmiAction("clocks", "list the guest's clocks", [], _list(view.clocks_doc)),
            ScmiAction("clock-set", "set a clock's rate", [NAME, ("RATE", "48MHz, 400kHz, Hz")],
                       _clock_set),
            ScmiAction("clock-on", "vote a clock on", [NAME], _clock_onoff(True)),
            ScmiAction("clock-off", "withdraw the guest's vote for a clock", [NAME],
                       _clock_onoff(False)),
            ScmiAction("power", "list the guest's power domains", [], _list(view.power_doc)),
            ScmiAction("power-set", "switch a power domain", [NAME, ("STATE", "on or off")],
                       _power_set),
            ScmiAction("sensors", "list and read the guest's sensors", [],
                       _list(view.sensors_doc)),
            ScmiAction("sensor-read", "read one sensor", [NAME], _sensor_read),
            ScmiAction("resets", "list the guest's reset domains", [], _list(view.resets_doc)),
            ScmiAction("reset", "reset a domain (autonomous reset)", [NAME], _reset),
            ScmiAction("voltage", "list the guest's voltage domains", [],
                       _list(view.voltage_doc)),
            ScmiAction("perf", "list the guest's performance domains", [], _list(view.perf_doc)),
            ScmiAction("raw", "send one raw command", [
                ("PROTO", "protocol id, e.g. 0x14"), ("MSG", "message id, e.g. 0x6"),
                ("HEX", "parameter words (le32 each), e.g. 0x2"),
            ], _raw),
        ]  # fmt: skip
        super().__init__(
            "scmi", "SCMI from a guest's point of view", DESCRIPTION, children, epilog=EPILOG
        )

    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        p = super().do_add_parser(parser_adder)
        add_common(p, top=True)
        return p
