"""``vbe run``: bring the backend up, let both demo guests negotiate, run the I2C and SCMI
scripts and print what happened, per guest, on the bus and on the SCMI platform."""

from __future__ import annotations

import argparse
import json
from typing import Any

from pyhost.i2c import I2cError, I2cUsageError, format_addr
from pyhost.linux.cache import LinuxError
from pyhost.machine.base import BusTransaction, MachineError
from pyhost.scmi import ScmiError, ScmiProtocolError, ScmiTimeout
from pyhost.virtio.errors import VirtioError
from vbe.commands.base import VbeCommand
from vbe.output import dbg, die, err, inf, out, paint
from vbe.scenario import RunReport, ScenarioError, Step, run_demo
from vbe.scenario_linux import LinuxReport, run_linux
from vbe.scenario_scmi import ScmiReport, ScmiStep
from vbe.session import add_json_arg, add_machine_args, machine_session

DESCRIPTION = """\
Bring the backend up on a machine (by default: build the bare-metal Arm64 image and boot
it in QEMU), let both guests of the demo system negotiate their virtio-i2c device, and
run a fixed script of I2C transactions:

  ivi      probe the bus; write a string into the EEPROM and read it back; read the LM75
           after the harness sets 23.5 degC; try an address outside its view
  cluster  probe the bus; read the EEPROM through its read-only view; try a write (it
           must be refused); read the sensor through its remapped address 0x49; probe
           the absent 0x51 (it must NACK)

Then SCMI, through each guest's virtio-scmi device (its SCMI agent): each lists the
protocols and clocks it was granted; both switch a shared clock on; one switches it off
and the platform keeps it running for the other (no clock_off reaches the hardware); the
other switches it off (now it stops); a sensor the harness set is read; a guest is
refused a clock only the other has (NOT_FOUND) and a rate change its grant does not allow
(DENIED). A step that needs the platform's SCMI state on a machine that cannot show it is
reported as skipped, with the reason, and does not fail.

Last, a real Linux guest (when built: `vbe guest build`): Linux 6.12 boots as guest ivi,
its virtio-scmi and virtio-i2c devices bridged onto the same backend (the daemon copies
each request into ivi's window and the answer back), and what its drivers see is checked
against the platform: the arm_scmi probe, the granted clocks, i2cdetect, an EEPROM read
with i2ctransfer, a sensor through hwmon. --linux no leaves it out; --linux yes fails when
it cannot run.

Each step has an expected outcome: OK, REFUSED (the device said ERR and nothing reached
the bus) or NACK (ERR after reaching the bus); for SCMI the status or the platform's
clock state (ON, OFF). The report shows each step, what reached the bus and the SCMI
platform (the simulated platform's logs), totals and, on QEMU, where the backend's
console log was kept. Exit 0 only if every step matched.
"""

EPILOG = """\
examples:
  vbe run                  the report, for a person (backend in QEMU)
  vbe run --machine inprocess   the same with the C core loaded in this process
  vbe run --json           the same as JSON (steps, bus log, counters)
  vbe -v run               also the messages of every step
  vbe run --linux no       without the Linux guest part

examples that need `vbe xen build` first (tests/xen checks the same on real Xen):
    vbe run --xen          the script on real Xen: both guests Linux DomUs, vbe-xen in Dom0
    vbe run --xen --dom0 baremetal   the same with vbe's bare-metal image as Dom0 (no Linux)
"""

_MARK = {True: ("pass", "ok"), False: ("FAIL", "err")}


def _bus_line(t: BusTransaction, guest: str) -> str:
    result = "OK  " if t.result == 0 else ("NACK" if t.result == -5 else f"{t.result:4d}")
    msgs = []
    for m in t.messages:
        data = " ".join(f"{b:02x}" for b in m.data)
        more = "..." if m.length > len(m.data) else ""
        body = f" [{data}{more}]" if data else ""
        msgs.append(f"{'r' if m.read else 'w'}{m.length}{body}")
    return (
        f"  #{t.seq:<3} {guest:<8} bus {t.bus} {format_addr(t.addr, t.addr > 0x7F):<6} "
        f"{result}  {'  '.join(msgs)}"
    )


def _step_line(i: int, s: Step) -> str:
    mark, colour = _MARK[s.passed]
    head = f"  [{paint(mark, colour)}] {i:>2}. {s.outcome:<7} {s.title}"
    tail = s.shown
    if not s.passed:
        want = f"expected {s.expected}" if s.outcome != s.expected else s.problem
        tail = f"{tail}  <-- {want}" if tail else f"<-- {want}"
    return f"{head}\n{'':14}{tail}" if tail else head


def _scmi_step_line(i: int, s: ScmiStep) -> str:
    if s.skipped:
        return f"  [{paint('skip', 'wrn')}] {i:>2}. {s.outcome:<9} {s.title}\n{'':14}{s.skipped}"
    mark, colour = _MARK[s.passed]
    tail = s.shown
    if not s.passed:
        want = f"expected {s.expected}" if s.outcome != s.expected else s.problem
        tail = f"{tail}  <-- {want}"
    return f"  [{paint(mark, colour)}] {i:>2}. {s.outcome:<9} {s.title}\n{'':14}{tail}"


def render_scmi(rep: ScmiReport, first: int) -> None:
    inf("")
    if rep.skipped:
        inf(f"SCMI: skipped on this machine ({rep.skipped})")
        return
    inf(f"SCMI: {len(rep.agents)} agents, one virtio-scmi device per guest")
    n = first
    for agent, guest in rep.agents:
        role = "privileged" if agent.privileged else "not privileged"
        inf(
            f'  agent {agent.agent_id} "{agent.name}" of guest "{guest}" ({role}), '
            f"{len(agent.grants)} grants"
        )
    for s in rep.steps:
        n += 1
        inf(f"{_scmi_step_line(n, s)}".replace("  [", f"  {s.guest:<8}[", 1))
    inf("")
    inf(f"SCMI platform operations (simulated hardware), {len(rep.ops)}:")
    for op, guest, target in rep.ops:
        result = "OK" if op.result == 0 else str(op.result)
        inf(f"  #{op.seq:<3} {guest:<8} {op.op:<22} {target:<20} value {op.value:<12} {result}")


def render_linux(rep: LinuxReport) -> None:
    inf("")
    if rep.skipped:
        inf(f"Linux guest: skipped: {rep.skipped}")
        return
    inf(f"Linux guest {rep.release} as ivi, devices bridged onto the backend "
        f"(booted in {rep.boot_s:.2f} s):")  # fmt: skip
    for i, s in enumerate(rep.steps, 1):
        word, colour = _MARK[s.passed]
        inf(f"  L{i:<2} {paint(word, colour)}  {s.title}")
        inf(f"{'':9}saw      {s.outcome}")
        if not s.passed:
            inf(f"{'':9}expected {s.expected}")
    passed = sum(s.passed for s in rep.steps)
    inf(f"  Linux: {len(rep.steps)} steps, {passed} as expected")


def linux_json(rep: LinuxReport) -> dict[str, Any]:
    return {
        "skipped": rep.skipped,
        "release": rep.release,
        "boot_s": rep.boot_s,
        "mode": rep.mode,
        "steps": [
            {"title": s.title, "expected": s.expected, "outcome": s.outcome, "passed": s.passed}
            for s in rep.steps
        ],
    }


def render(rep: RunReport) -> None:
    inf(f'vbe run: demo system on machine "{rep.machine}", {len(rep.guests)} guests')
    n = 0
    for g in rep.guests:
        info = g.info
        view = ", ".join(
            f"{format_addr(r.guest_addr, r.ten_bit)}"
            + (f"->{format_addr(r.bus_addr, r.ten_bit)}" if r.bus_addr != r.guest_addr else "")
            + (" ro" if r.read_only else "")
            + (" 10-bit" if r.ten_bit else "")
            for r in info.i2c_routes
        )
        inf("")
        inf(f'guest {info.index} "{info.name}": virtio-i2c on bus {info.i2c_bus}; view {view}')
        inf(f"  negotiated {', '.join(g.features)}")
        for s in rep.steps:
            if s.guest != info.name:
                continue
            n += 1
            inf(_step_line(n, s))
            dbg(f"{'':14}{s.transfer}")
    inf("")
    inf(f"bus log (simulated platform), {len(rep.bus)} transactions:")
    for t, guest in rep.bus:
        inf(_bus_line(t, guest))
    if rep.scmi is not None:
        render_scmi(rep.scmi, n)
    inf("")
    passed = sum(s.passed for s in rep.steps)
    nacks = sum(1 for t, _ in rep.bus if t.result != 0)
    inf(
        f"totals: {len(rep.steps)} steps, {passed} as expected; {len(rep.bus)} bus "
        f"transactions ({nacks} not acknowledged)"
    )
    if rep.scmi is not None and not rep.scmi.skipped:
        sc = rep.scmi.steps
        skipped = sum(1 for s in sc if s.skipped)
        inf(
            f"        SCMI: {len(sc)} steps, {sum(s.passed and not s.skipped for s in sc)} as "
            f"expected, {skipped} skipped; {len(rep.scmi.ops)} platform operations"
        )
    for g in rep.guests:
        if g.stats:
            errs = ", ".join(f"{k.lower()} {v}" for k, v in g.stats["errors"].items()) or "none"
            inf(
                f'  device of "{g.info.name}": {g.stats["requests"]} requests, '
                f"{g.stats['transactions']} bus transactions, errors: {errs}"
            )


def scmi_json(rep: ScmiReport | None) -> dict[str, Any] | None:
    if rep is None:
        return None
    return {
        "ok": rep.ok,
        "skipped": rep.skipped,
        "agents": [
            {"id": a.agent_id, "name": a.name, "guest": g, "privileged": a.privileged}
            for a, g in rep.agents
        ],
        "steps": [
            {
                "guest": s.guest,
                "title": s.title,
                "expected": s.expected,
                "outcome": s.outcome,
                "passed": s.passed,
                "skipped": s.skipped,
                "shown": s.shown,
                "problem": s.problem,
                "platform_ops": s.ops,
            }
            for s in rep.steps
        ],
        "platform_ops": [
            {
                "seq": op.seq,
                "guest": g,
                "op": op.op,
                "resource": op.resource,
                "target": target,
                "value": op.value,
                "result": op.result,
            }
            for op, g, target in rep.ops
        ],
    }


def to_json(rep: RunReport) -> dict[str, Any]:
    return {
        "machine": rep.machine,
        "ok": rep.ok,
        "guests": [
            {
                "index": g.info.index,
                "name": g.info.name,
                "bus": g.info.i2c_bus,
                "features": g.features,
                "view": [
                    {
                        "guest_addr": r.guest_addr,
                        "bus_addr": r.bus_addr,
                        "read_only": r.read_only,
                        "ten_bit": r.ten_bit,
                    }
                    for r in g.info.i2c_routes
                ],
                "stats": g.stats,
            }
            for g in rep.guests
        ],
        "steps": [
            {
                "guest": s.guest,
                "title": s.title,
                "expected": s.expected,
                "outcome": s.outcome,
                "passed": s.passed,
                "transfer": s.transfer,
                "shown": s.shown,
                "problem": s.problem,
                "bus_seqs": s.bus_seqs,
            }
            for s in rep.steps
        ],
        "bus_log": [
            {
                "seq": t.seq,
                "guest": guest,
                "bus": t.bus,
                "addr": t.addr,
                "result": t.result,
                "messages": [
                    {"read": m.read, "length": m.length, "data": list(m.data), "flags": m.flags}
                    for m in t.messages
                ],
            }
            for t, guest in rep.bus
        ],
        "scmi": scmi_json(rep.scmi),
        "totals": {
            "steps": len(rep.steps),
            "passed": sum(s.passed for s in rep.steps),
            "bus_transactions": len(rep.bus),
        },
    }


class RunCommand(VbeCommand):
    def __init__(self) -> None:
        super().__init__(
            "run", "run the demo system and its I2C and SCMI script, report", DESCRIPTION
        )

    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        p = self._parser(parser_adder, epilog=EPILOG)
        add_machine_args(p, guest=False, default="qemu")
        add_json_arg(p)
        p.add_argument("--xen", action="store_true",
                       help="run on real Xen under QEMU: the guests are Linux DomUs served "
                            "over IOREQ by vbe-xen in Dom0 (needs `vbe xen build`)")  # fmt: skip
        p.add_argument("--dom0", choices=("linux", "baremetal"), default=None,
                       help="with --xen: what serves the DomUs as Dom0: linux (Debian's "
                            "kernel running vbe-xen; the default) or baremetal (vbe's own "
                            "image, boards/xen_dom0_baremetal)")  # fmt: skip
        p.add_argument("--linux", choices=("auto", "yes", "no"), default="auto",
                       help="the Linux guest part: auto (when the guest is built; the "
                            "default), yes (fail when it cannot run), no")  # fmt: skip
        return p

    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> int:
        if args.dom0 is not None and not args.xen:
            self.parser.error("--dom0 chooses Xen's Dom0: give --xen too")
        if args.xen:
            return run_on_xen(args)
        kw = {"keep_logs": True} if args.machine == "qemu" else {}
        console_log = None
        linux: LinuxReport | None = None
        with machine_session(args.machine, **kw) as machine:
            console_log = getattr(machine, "console_log", None)
            try:
                rep = run_demo(machine)
                if args.linux != "no":
                    linux = run_linux(machine)
                    if linux.skipped and args.linux == "yes":
                        die(f"--linux yes: the Linux guest cannot run: {linux.skipped}")
            except LinuxError as exc:
                die(f"the Linux guest part stopped: {exc}")
            except ScenarioError as exc:
                die(str(exc))
            except (
                MachineError, VirtioError, I2cError, I2cUsageError, ScmiError, ScmiProtocolError,
                ScmiTimeout,
            ) as exc:  # fmt: skip
                die(f"the demo run stopped: {exc}")  # before machine_session's generic one
        if args.json:
            doc = to_json(rep)
            doc["linux"] = None if linux is None else linux_json(linux)
            out(json.dumps(doc, indent=2))
        else:
            render(rep)
            if linux is not None:
                render_linux(linux)
            ok = rep.ok and (linux is None or linux.ok)
            verdict = "PASS: every step as expected" if ok else "FAIL: see the steps marked FAIL"
            inf(paint(verdict, "ok" if ok else "err"))
            if console_log is not None:
                inf(f"backend console log: {console_log}")
        if not rep.ok or (linux is not None and not linux.ok):
            failed = [s.title for s in rep.steps if not s.passed]
            if rep.scmi is not None:
                failed += [f"SCMI: {s.title}" for s in rep.scmi.steps if not s.passed]
            if linux is not None:
                failed += [f"Linux: {s.title}" for s in linux.steps if not s.passed]
            err(f"{len(failed)} step(s) did not go as expected: {'; '.join(failed)}")
            return 1
        return 0


DOM0_TEXT = {
    "linux": "vbe-xen in a Linux Dom0",
    "baremetal": "the bare-metal vbe image as Dom0",
}


def render_xen(rep: Any) -> None:
    inf(f"vbe run --xen: demo system on Xen 4.17 (QEMU), {DOM0_TEXT.get(rep.dom0, rep.dom0)}, "
        "one Linux DomU per guest")  # fmt: skip
    for what, s in rep.marks.items():
        inf(f"  {s:7.2f} s  {what}")
    for name, g in rep.guests.items():
        inf("")
        inf(f'DomU "{name}": Linux {g.release}')
        for i, s in enumerate(g.steps, 1):
            word, colour = _MARK[s.passed]
            inf(f"  X{i:<2} {paint(word, colour)}  {s.title}")
            inf(f"{'':9}saw      {s.outcome}")
            if not s.passed:
                inf(f"{'':9}expected {s.expected}")
    inf("")
    inf(f"bus log (vbe-xen's simulated platform), {len(rep.bus)} transactions:")
    for t in rep.bus:
        inf(_bus_line(t, ""))
    inf(f"SCMI platform operations, {len(rep.ops)}:")
    for op in rep.ops:
        inf(f"  #{op.seq:<3} {op.op:<22} resource {op.resource:<3} value {op.value:<12} "
            f"{'OK' if op.result == 0 else op.result}")  # fmt: skip
    inf("vbe-xen counters (trapped accesses served, interrupts raised):")
    for domid, d in sorted(rep.stats.items()):
        io = d["ioreq"]
        inf(f"  domid {domid} ({io.get('guest')}): {io.get('served')} accesses "
            f"({io.get('reads')} reads, {io.get('writes')} writes), {io.get('events')} events")  # fmt: skip
        if io.get("grants"):
            inf(f"    grants: {io.get('maps')} maps, {io.get('unmaps')} unmaps; "
                f"{io.get('mapped_pages')} pages mapped now, {io.get('mapped_pages_max')} at most")  # fmt: skip
        for dev in d["devs"]:
            inf(f"    {dev['kind']:<5} at {dev['base']:#x}: {dev['notifies']} notifies, "
                f"{dev['interrupts']} interrupts, status {dev['status']:#x}")  # fmt: skip


def run_on_xen(args: argparse.Namespace) -> int:
    from pyhost.xen.artefacts import cached_images
    from pyhost.xen.system import XenSystem
    from vbe.scenario_xen import run_xen

    images = cached_images()
    if images is None:
        die("--xen: the Xen artefacts are not built: run `vbe xen build` (minutes, cached)")
    try:
        with XenSystem(images, dom0=args.dom0 or "linux", keep_logs=True) as xs:
            xs.go()
            rep = run_xen(xs)
            run_dir = xs.run_dir
    except (LinuxError, MachineError) as exc:
        die(f"the Xen run stopped: {exc}")
    if args.json:
        out(json.dumps({
            "ok": rep.ok,
            "dom0": rep.dom0,
            "marks": rep.marks,
            "guests": {n: linux_json(g) for n, g in rep.guests.items()},
            "bus_log": [{"seq": t.seq, "bus": t.bus, "addr": t.addr, "result": t.result}
                        for t in rep.bus],
            "platform_ops": [{"seq": o.seq, "op": o.op, "resource": o.resource,
                              "value": o.value, "result": o.result} for o in rep.ops],
            "stats": {str(k): v for k, v in rep.stats.items()},
        }, indent=2))  # fmt: skip
    else:
        render_xen(rep)
        verdict = "PASS: every step as expected" if rep.ok else "FAIL: see the steps marked FAIL"
        inf(paint(verdict, "ok" if rep.ok else "err"))
        inf(f"console log kept in {run_dir}")
    if not rep.ok:
        failed = [f"{n}: {s.title}" for n, g in rep.guests.items() for s in g.steps if not s.passed]
        err(f"{len(failed)} step(s) did not go as expected: {'; '.join(failed)}")
        return 1
    return 0
