"""The SCMI steps of ``vbe run`` on a machine whose platform cannot show SCMI state: the
steps that need it are reported skipped with the reason, and the run still passes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from vbe.scenario_scmi import run_scmi

from pyhost.machine.base import Platform
from pyhost.machine.inprocess import InProcessMachine


@pytest.fixture
def stateless() -> Iterator[InProcessMachine]:
    """The in-process machine with the platform's SCMI calls as a machine without them."""
    m = InProcessMachine()
    m.launch()
    plat = m.platform
    for name in ("state", "set_sensor", "system_state", "op_log_seq", "op_log"):
        setattr(plat, name, getattr(Platform, name).__get__(plat))
    try:
        yield m
    finally:
        m.close()


def test_steps_needing_platform_state_are_skipped_with_the_reason(stateless):
    rep = run_scmi(stateless)
    skipped = [s for s in rep.steps if s.skipped]
    assert skipped and rep.ok
    assert all(s.skipped.startswith("skipped on this machine (InProcessPlatform ") for s in skipped)
    assert {s.expected for s in rep.steps if not s.skipped} >= {"OK", "NOT_FOUND", "DENIED"}
    assert rep.ops == []


def test_every_step_passes_and_the_platform_saw_one_start_and_one_stop():
    with InProcessMachine() as m:
        rep = run_scmi(m)
    assert rep.ok and not any(s.skipped for s in rep.steps)
    assert [op.op for op, _, _ in rep.ops] == ["clock_on", "clock_off"]
