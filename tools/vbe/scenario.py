"""The scripted demo run behind ``vbe run``: both guests negotiate, then a fixed list of
I2C steps, each with the outcome it must have, then the SCMI steps (vbe.scenario_scmi).
Builds a report; prints nothing.

Outcomes, as the guest and the bus show them:
    OK       every message of the transfer completed
    REFUSED  the device answered ERR and nothing reached the bus (policy)
    NACK     the device answered ERR after the transfer reached the bus (no target)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyhost.i2c import (
    F_ZERO_LENGTH_REQUEST,
    I2cClient,
    I2cMsg,
    TransferResult,
    format_addr,
)
from pyhost.machine.base import BusTransaction, GuestInfo, Machine
from pyhost.virtio.window import F_EVENT_IDX, F_INDIRECT_DESC, F_VERSION_1
from vbe.i2ctransfer import format_transfer
from vbe.scenario_scmi import ScmiReport, run_scmi

# The demo system the script is written for (examples/demo.yaml).
EEPROM, SENSOR, SENSOR_REMAP, ABSENT = 0x50, 0x48, 0x49, 0x51
GUESTS = ("ivi", "cluster")
TEXT = b"vbe-demo"
TEXT_AT = 0x30  # inside one 16-byte page
CELSIUS = 23.5

FEATURE_NAMES = {
    1 << F_ZERO_LENGTH_REQUEST: "ZERO_LENGTH_REQUEST",
    F_INDIRECT_DESC: "INDIRECT_DESC",
    F_EVENT_IDX: "EVENT_IDX",
    F_VERSION_1: "VERSION_1",
}


def feature_list(bits: int) -> list[str]:
    return [FEATURE_NAMES.get(1 << b, f"bit {b}") for b in range(64) if bits >> b & 1]


class ScenarioError(RuntimeError):
    """The machine does not run the system the script is written for."""


@dataclass
class Step:
    guest: str
    title: str
    expected: str  # OK, REFUSED or NACK
    outcome: str = ""
    transfer: str = ""  # the messages, in i2ctransfer notation
    shown: str = ""  # what came back, for a person
    problem: str = ""  # why it does not match, beyond the outcome
    error: str = ""  # the client's explanation of a failure
    bus_seqs: list[int] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.outcome == self.expected and not self.problem


@dataclass
class GuestReport:
    info: GuestInfo
    features: list[str]
    stats: dict[str, Any] | None = None


@dataclass
class RunReport:
    machine: str
    guests: list[GuestReport]
    steps: list[Step]
    bus: list[tuple[BusTransaction, str]]  # each transaction with the guest that caused it
    scmi: ScmiReport | None = None

    @property
    def ok(self) -> bool:
        return all(s.passed for s in self.steps) and (self.scmi is None or self.scmi.ok)


def _hex(data: bytes) -> str:
    return " ".join(f"{b:02x}" for b in data)


def _celsius(raw: bytes) -> float:
    return int.from_bytes(raw, "big", signed=True) / 256


class Runner:
    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        names = [g.name for g in machine.guests]
        missing = [g for g in GUESTS if g not in names]
        if missing:
            raise ScenarioError(
                f"machine {machine.name!r} runs guests {', '.join(names)}; the demo script needs "
                f"{', '.join(GUESTS)} (the built-in demo system)"
            )
        self.clients: dict[str, I2cClient] = {}
        self.steps: list[Step] = []
        self.owner: dict[int, str] = {}  # bus log seq -> guest
        self.bus_ids: dict[str, int] = {}  # guest -> platform bus, as its probes showed

    def negotiate(self) -> list[GuestReport]:
        out = []
        for name in GUESTS:
            c = I2cClient(self.machine, name)
            self.clients[name] = c
            out.append(GuestReport(c.guest, feature_list(c.features)))
        return out

    def _do(
        self,
        guest: str,
        title: str,
        expected: str,
        msgs: list[I2cMsg],
        check: Callable[[TransferResult], tuple[str, str]] | None = None,
    ) -> TransferResult:
        """Run one transfer as a step; ``check`` returns (shown, problem) for an OK one."""
        client = self.clients[guest]
        plat = self.machine.platform
        seq = plat.bus_log_seq()
        res = client.transfer(msgs)
        new = [t.seq for t in plat.bus_log(seq)]
        step = Step(guest, title, expected, transfer=format_transfer(msgs), bus_seqs=new)
        for s in new:
            self.owner[s] = guest
        if res.ok:
            step.outcome = "OK"
            step.shown = step.transfer
            if check is not None:
                step.shown, step.problem = check(res)
        else:
            step.outcome = "NACK" if new else "REFUSED"
            step.error = str(client.explain(res))
            step.shown = step.error
        self.steps.append(step)
        return res

    def _expect_data(self, want: bytes) -> Callable[[TransferResult], tuple[str, str]]:
        def check(res: TransferResult) -> tuple[str, str]:
            got = res.reads()[-1]
            shown = f"read {_hex(got)} ({got.decode('ascii', 'replace')!r})"
            return shown, "" if got == want else f"expected {_hex(want)}"

        return check

    def _expect_temp(self, celsius: float) -> Callable[[TransferResult], tuple[str, str]]:
        def check(res: TransferResult) -> tuple[str, str]:
            got = _celsius(res.reads()[-1])
            shown = f"read {_hex(res.reads()[-1])} = {got:.1f} degC"
            return shown, "" if got == celsius else f"expected {celsius:.1f} degC"

        return check

    def _detect(self, guest: str, expected: list[int]) -> None:
        client = self.clients[guest]
        plat = self.machine.platform
        seq = plat.bus_log_seq()
        found = client.detect()
        log = plat.bus_log(seq)
        new = [t.seq for t in log]
        for s in new:
            self.owner[s] = guest
        if log:
            self.bus_ids[guest] = log[-1].bus
        step = Step(
            guest,
            "probe the bus (like i2cdetect -y)",
            "OK",
            outcome="OK",
            transfer="0x08-0x77",
            bus_seqs=new,
        )
        step.shown = "found " + (" ".join(format_addr(a) for a in found) or "nothing")
        if found != expected:
            step.problem = "expected " + " ".join(format_addr(a) for a in expected)
        self.steps.append(step)

    def script(self) -> None:
        ivi, cl = "ivi", "cluster"
        w, r = I2cMsg.write_of, I2cMsg.read_of
        self._detect(ivi, [SENSOR, EEPROM])
        self._do(
            ivi,
            f"write {TEXT.decode()!r} into the EEPROM at {TEXT_AT:#04x}",
            "OK",
            [w(EEPROM, bytes([TEXT_AT]) + TEXT)],
        )
        self._do(
            ivi,
            "read it back",
            "OK",
            [w(EEPROM, [TEXT_AT]), r(EEPROM, len(TEXT))],
            self._expect_data(TEXT),
        )
        bus = self.bus_ids.get(ivi)
        if bus is None:
            bus = self.clients[ivi].bus_id()
        self.machine.platform.set_temp(bus, SENSOR, round(CELSIUS * 1000))
        self._do(
            ivi,
            f"read the LM75 (harness set {CELSIUS} degC)",
            "OK",
            [w(SENSOR, [0]), r(SENSOR, 2)],
            self._expect_temp(CELSIUS),
        )
        self._do(ivi, f"use {format_addr(ABSENT)}, outside its view", "REFUSED", [r(ABSENT, 1)])
        self._detect(cl, [SENSOR_REMAP, EEPROM])
        self._do(
            cl,
            "read the EEPROM through its read-only view",
            "OK",
            [w(EEPROM, [TEXT_AT]), r(EEPROM, len(TEXT))],
            self._expect_data(TEXT),
        )
        before = self.machine.platform.eeprom(bus, EEPROM)
        self._do(
            cl, "write the EEPROM (read-only for it)", "REFUSED", [w(EEPROM, [TEXT_AT, ord("X")])]
        )
        if self.machine.platform.eeprom(bus, EEPROM) != before:
            self.steps[-1].problem = "the EEPROM changed"
        res = self._do(
            cl,
            f"read the sensor at {format_addr(SENSOR_REMAP)} (remapped)",
            "OK",
            [w(SENSOR_REMAP, [0]), r(SENSOR_REMAP, 2)],
            self._expect_temp(CELSIUS),
        )
        step = self.steps[-1]
        addrs = {t.addr for t in self.machine.platform.bus_log(0) if t.seq in step.bus_seqs}
        if res.ok and addrs != {SENSOR}:
            step.problem = f"bus saw {sorted(addrs)}, expected {format_addr(SENSOR)}"
        elif res.ok:
            step.shown += f"; bus saw {format_addr(SENSOR)}"
        self._do(
            cl, f"probe {format_addr(ABSENT)} (allowed, nothing there)", "NACK", [w(ABSENT, b"")]
        )

    def report(self, guests: list[GuestReport]) -> RunReport:
        plat = self.machine.platform
        for g in guests:
            try:
                s = plat.i2c_stats(g.info.index)
            except NotImplementedError:
                s = None  # a machine that does not count
            if s is not None:
                errors = {k: v for k, v in s.errors.items() if v}
                g.stats = {"requests": s.requests, "transactions": s.transactions, "errors": errors}
        first = min((s for st in self.steps for s in st.bus_seqs), default=1)
        log = self.machine.platform.bus_log(first - 1)
        return RunReport(
            self.machine.name, guests, self.steps, [(t, self.owner.get(t.seq, "?")) for t in log]
        )


def run_demo(machine: Machine) -> RunReport:
    """Negotiate both guests, run the script, return the report (never raises on a
    mismatch: the steps say what did not match)."""
    runner = Runner(machine)
    guests = runner.negotiate()
    runner.script()
    report = runner.report(guests)
    report.scmi = run_scmi(machine)
    return report
