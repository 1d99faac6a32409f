"""The SCMI half of ``vbe run``: each guest's agent lists its protocols and clocks, both
guests switch a shared clock on, one switches it off while the platform keeps it running
for the other, a sensor is read, and a guest is refused what it was not granted. Every
step has the outcome it must have. Builds a report; prints nothing.

What to use comes from the machine's SCMI description (the shared clock, the sensor, the
other guest's resource); what happened from the agents' replies and, where the machine
can show it, the platform's state and operation log. A step that needs platform state on a
machine that cannot show it is reported as skipped (with the reason) and does not fail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pyhost.machine.base import PERM_LEVEL, PERM_STATE, Machine, PlatformOp, ScmiAgentInfo, ScmiInfo
from pyhost.scmi import ScmiAgent, ScmiError, ValueRange, W
from pyhost.scmi.wire import KIND_PROTOCOL
from vbe.scmi_view import format_rate, rates_text

SENSOR_VALUE = 52_500  # what the harness sets the sensor to (in its own unit and scale)


#: reads the platform after a step: (outcome, problem, what the platform shows)
Check = Callable[[list[PlatformOp]], tuple[str, str, str]]
OP_PREFIX_KIND = {"clock": "clock", "power": "power", "perf": "perf", "reset": "reset",
                  "regulator": "voltage"}  # fmt: skip


def op_target(info: ScmiInfo, op: PlatformOp) -> str:
    """The resource (or agent) a platform operation acted on, by name."""
    kind = OP_PREFIX_KIND.get(op.op.split("_")[0])
    if kind is None:
        agent = next((a for a in info.agents if a.agent_id == op.resource), None)
        return f"agent {agent.name if agent else op.resource}"
    names = info.resources.get(kind, ())
    return names[op.resource] if 0 <= op.resource < len(names) else f"{kind} {op.resource}"


@dataclass
class ScmiStep:
    guest: str
    title: str
    expected: str  # OK, ON, OFF, NOT_FOUND, DENIED
    outcome: str = ""
    shown: str = ""
    problem: str = ""
    skipped: str = ""  # why the step could not be checked on this machine
    ops: list[int] = field(default_factory=list)  # platform operations it caused

    @property
    def passed(self) -> bool:
        return bool(self.skipped) or (self.outcome == self.expected and not self.problem)


@dataclass
class ScmiReport:
    agents: list[tuple[ScmiAgentInfo, str]]  # (agent, guest name)
    steps: list[ScmiStep]
    ops: list[tuple[PlatformOp, str, str]]  # platform operation, guest that caused it, target
    skipped: str = ""  # the whole SCMI part, when the machine has no SCMI

    @property
    def ok(self) -> bool:
        return all(s.passed for s in self.steps)


class ScmiRunner:
    def __init__(self, machine: Machine, info: ScmiInfo) -> None:
        self.machine = machine
        self.info = info
        self.agents: dict[int, ScmiAgent] = {}
        self.steps: list[ScmiStep] = []
        self.owner: dict[int, str] = {}
        self.no_state = ""

    def agent(self, a: ScmiAgentInfo) -> ScmiAgent:
        if a.agent_id not in self.agents:
            self.agents[a.agent_id] = ScmiAgent(self.machine, a.guest)
        return self.agents[a.agent_id]

    def guest(self, a: ScmiAgentInfo) -> str:
        return self.machine.guest(a.guest).name

    def _seq(self) -> int | None:
        try:
            return self.machine.platform.op_log_seq()
        except NotImplementedError as exc:
            self.no_state = str(exc)
            return None

    def step(
        self,
        a: ScmiAgentInfo,
        title: str,
        expected: str,
        run: Callable[[], tuple[str, str]],
        check: Check | None = None,
    ) -> ScmiStep:
        """``run`` does the agent's part and returns (outcome, shown); ``check`` gets the
        platform operations the step caused and returns (outcome, problem) from the
        platform's state, or raises NotImplementedError where the machine cannot show it."""
        step = ScmiStep(self.guest(a), title, expected)
        seq = self._seq()
        try:
            step.outcome, step.shown = run()
        except ScmiError as exc:
            step.outcome, step.shown = exc.status_name, str(exc)
        ops = self.machine.platform.op_log(seq) if seq is not None else []
        step.ops = [op.seq for op in ops]
        for s in step.ops:
            self.owner[s] = step.guest
        if check is not None and step.outcome == "OK":
            try:
                if seq is None:
                    raise NotImplementedError(self.no_state)
                step.outcome, step.problem, seen = check(ops)
                step.shown += f"; platform: {seen}"
            except NotImplementedError as exc:
                step.skipped = f"skipped on this machine ({exc})"
        self.steps.append(step)
        return step

    # ---- the script ---------------------------------------------------------------------

    def discover(self, a: ScmiAgentInfo) -> None:
        agent = self.agent(a)
        want = {KIND_PROTOCOL[g.kind] for g in a.grants}

        def protocols() -> tuple[str, str]:
            got = agent.base.list_protocols()
            names = [PROTOCOL_NAMES.get(p, hex(p)) for p in got]
            ok = set(got) - {W("PROTO_SYSTEM")} == want
            return ("OK" if ok else "MISMATCH"), ", ".join(names)

        self.step(a, "list the protocols it may use", "OK", protocols)

        def clocks() -> tuple[str, str]:
            names, shown = [], []
            for i in range(agent.clock.count() if a.granted("clock") else 0):
                attrs = agent.clock.attributes(i)
                rates = agent.clock.describe_rates(i)
                names.append(attrs.name)
                listed = rates_text(rates)
                if isinstance(rates, list) and len(rates) > 4:
                    listed = (
                        f"{len(rates)} rates, {format_rate(rates[0])} .. {format_rate(rates[-1])}"
                    )
                shown.append(f"{attrs.name} {format_rate(agent.clock.rate_get(i))} [{listed}]")
            ok = names == [g.name for g in a.granted("clock")]
            return ("OK" if ok else "MISMATCH"), "; ".join(shown) or "none"

        self.step(a, "list its clocks (names, rate, supported rates)", "OK", clocks)

    def shared_clock(self) -> None:
        pair = _shared(self.info, "clock", PERM_STATE)
        if pair is None:
            return
        (a, ga), (b, gb) = pair
        res = ga.resource

        def state(reaches: str | None) -> Check:
            """The platform's on/off; ``reaches``: the operation that must reach it (None:
            none may)."""

            def check(ops: list[PlatformOp]) -> tuple[str, str, str]:
                st = self.machine.platform.state("clock", res)
                seen = [op.op for op in ops if op.resource == res and op.op.startswith("clock_o")]
                want = [reaches] if reaches else []
                problem = "" if seen == want else f"the platform saw {seen or 'nothing'}"
                voters = [a.name for a in self.info.agents if st.votes >> (a.agent_id - 1) & 1]
                shown = f"{'on' if st.on else 'off'}, held by {', '.join(voters) or 'nobody'}, "
                shown += f"operations {', '.join(seen) or 'none'}"
                return ("ON" if st.on else "OFF"), problem, shown

            return check

        def switch(agent: ScmiAgent, local: int, on: bool) -> Callable[[], tuple[str, str]]:
            def run() -> tuple[str, str]:
                agent.clock.config_set(local, on)
                return "OK", f"{'on' if on else 'off'} vote for {ga.name} accepted"

            return run

        title = f"switch the shared clock {ga.name} on"
        sa, sb = self.agent(a), self.agent(b)
        self.step(a, title, "ON", switch(sa, ga.local_id, True), state("clock_on"))
        self.step(b, title + " too", "ON", switch(sb, gb.local_id, True), state(None))
        self.step(
            a,
            f"switch {ga.name} off: the platform keeps it on for {self.guest(b)}",
            "ON",
            switch(sa, ga.local_id, False),
            state(None),
        )
        self.step(
            b,
            f"switch {ga.name} off: the last vote, the platform stops it",
            "OFF",
            switch(sb, gb.local_id, False),
            state("clock_off"),
        )

    def sensor(self) -> None:
        a = next((x for x in self.info.agents if x.granted("sensor")), None)
        if a is None:
            return
        g = a.granted("sensor")[0]
        agent = self.agent(a)
        set_ok = ""
        try:
            self.machine.platform.set_sensor(g.resource, SENSOR_VALUE)
        except NotImplementedError as exc:
            set_ok = str(exc)

        got: list[int] = []

        def read() -> tuple[str, str]:
            desc = agent.sensor.description()[g.local_id]
            got.append(agent.sensor.reading_get(g.local_id))
            return "OK", f"{desc.name} = {desc.value(got[-1]):g} {desc.unit_name} (raw {got[-1]})"

        def check(_ops: list[PlatformOp]) -> tuple[str, str, str]:
            if set_ok:
                raise NotImplementedError(set_ok)
            want = self.machine.platform.state("sensor", g.resource).value
            problem = "" if got == [want] == [SENSOR_VALUE] else f"expected raw {want}"
            return "OK", problem, f"raw {want}"

        self.step(a, f"read sensor {g.name} (harness set raw {SENSOR_VALUE})", "OK", read, check)

    def refused(self) -> None:
        for a in self.info.agents:
            others = [
                (o, g)
                for o in self.info.agents
                if o is not a
                for g in o.granted("clock")
                if g.resource not in {m.resource for m in a.granted("clock")}
            ]
            if not others or not a.granted("clock"):
                continue
            o, g = others[0]
            agent, local = self.agent(a), len(a.granted("clock"))

            def touch(agent: ScmiAgent = agent, local: int = local) -> tuple[str, str]:
                agent.clock.config_set(local, True)
                return "OK", "it was switched on"

            self.step(
                a,
                f"switch on {self.guest(o)}'s clock {g.name} (not in its view: id {local})",
                "NOT_FOUND",
                touch,
            )
            break
        for a in self.info.agents:
            fixed = next((g for g in a.granted("clock") if not g.perms & PERM_LEVEL), None)
            if fixed is None:
                continue
            g = fixed
            agent = self.agent(a)
            rates = agent.clock.describe_rates(g.local_id)
            top = rates.max if isinstance(rates, ValueRange) else rates[-1]

            def set_rate(
                agent: ScmiAgent = agent, clk: int = g.local_id, top: int = top
            ) -> tuple[str, str]:
                agent.clock.rate_set(clk, top)
                return "OK", "the rate changed"

            self.step(
                a,
                f"set {g.name} to {format_rate(top)} (its grant: on/off only)",
                "DENIED",
                set_rate,
            )
            break

    def report(self) -> ScmiReport:
        agents = [(a, self.guest(a)) for a in self.info.agents]
        ops: list[tuple[PlatformOp, str, str]] = []
        seqs = [s for st in self.steps for s in st.ops]
        if seqs:
            ops = [
                (op, self.owner.get(op.seq, "?"), op_target(self.info, op))
                for op in self.machine.platform.op_log(min(seqs) - 1)
                if op.seq in self.owner
            ]
        return ScmiReport(agents, self.steps, ops)


PROTOCOL_NAMES = {v: k for k, v in {
    "power": W("PROTO_POWER"), "system": W("PROTO_SYSTEM"), "perf": W("PROTO_PERF"),
    "clock": W("PROTO_CLOCK"), "sensor": W("PROTO_SENSOR"), "reset": W("PROTO_RESET"),
    "voltage": W("PROTO_VOLTAGE"),
}.items()}  # fmt: skip


def _shared(info: ScmiInfo, kind: str, perm: int):  # type: ignore[no-untyped-def]
    """Two (agent, grant) pairs for one resource both may use with ``perm``."""
    for res in range(len(info.resources[kind])):
        holders = [
            (a, g)
            for a in info.agents
            for g in a.granted(kind)
            if g.resource == res and g.perms & perm
        ]
        if len(holders) >= 2:
            return holders[0], holders[1]
    return None


def run_scmi(machine: Machine) -> ScmiReport:
    """The SCMI steps on ``machine``; never raises on a mismatch (the steps say)."""
    info = machine.scmi
    if info is None or not info.agents:
        return ScmiReport([], [], [], skipped=f"machine {machine.name} has no SCMI agents")
    runner = ScmiRunner(machine, info)
    for a in info.agents:
        runner.discover(a)
    runner.shared_clock()
    runner.sensor()
    runner.refused()
    return runner.report()
