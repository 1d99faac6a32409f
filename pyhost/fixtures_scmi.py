"""pytest fixtures for virtio-scmi, loaded by pyhost.plugin (so every machine gets them).

    def test_x(scmi):
        ivi = scmi("ivi")                   # ScmiAgent of that guest on the `machine` fixture
        raw = scmi("ivi", p2a=False)        # keywords open a fresh agent (resets the device)
        info = scmi.info                    # ScmiInfo: agents, grants, resources
        me = scmi.agent_info("ivi")         # ScmiAgentInfo of the guest
        st = scmi.state("clock", 2)         # Platform.state(), or a skip where not available
        seq = scmi.op_log_seq(); ...; scmi.op_log(seq)

Tests skip (with the reason) on a machine that reports no SCMI description, or whose
platform cannot show SCMI state (Platform raises NotImplementedError).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from pyhost.machine.base import (
    GuestInfo,
    Machine,
    Platform,
    PlatformOp,
    ResourceState,
    ScmiAgentInfo,
    ScmiInfo,
)
from pyhost.scmi import ScmiAgent

T = TypeVar("T")


def platform_or_skip(call: Callable[[], T]) -> T:
    """``call()``, or skip the test when the machine's platform cannot do it."""
    try:
        return call()
    except NotImplementedError as exc:
        pytest.skip(f"needs SCMI platform state: {exc}")


class ScmiAgents:
    """The ``scmi`` fixture: ScmiAgent factory for the guests of one machine."""

    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        self._agents: dict[int, ScmiAgent] = {}

    @property
    def info(self) -> ScmiInfo:
        info = self.machine.scmi
        if info is None:
            pytest.skip(f"machine {self.machine.name} reports no SCMI description (Machine.scmi)")
        return info

    @property
    def platform(self) -> Platform:
        return self.machine.platform

    def guest(self, guest: str | int | None = None) -> GuestInfo:
        """The named guest, or the first one with an SCMI agent when None."""
        if guest is None:
            return self.machine.guest(min(a.guest for a in self.info.agents))
        return self.machine.guest(guest)

    def agent_info(self, guest: str | int | None = None) -> ScmiAgentInfo:
        g = self.guest(guest)
        a = self.info.agent_of_guest(g.index)
        if a is None:
            pytest.fail(f'guest "{g.name}" has no SCMI agent on machine {self.machine.name}')
        return a

    def guests(self) -> list[GuestInfo]:
        """Guests with an SCMI agent, by agent id."""
        return [
            self.machine.guest(a.guest) for a in sorted(self.info.agents, key=lambda a: a.agent_id)
        ]

    def __call__(self, guest: str | int | None = None, **kwargs: Any) -> ScmiAgent:
        g = self.guest(guest)
        self.agent_info(g.index)  # fails for a guest without an agent
        if kwargs:
            old = self._agents.get(g.index)
            if old is not None:
                old.device.reset()  # frees its queues before the new agent takes the device
            agent = ScmiAgent(self.machine, g, **kwargs)
        else:
            agent = self._agents.get(g.index) or ScmiAgent(self.machine, g)
        self._agents[g.index] = agent
        return agent

    # ---- the platform, or a skip ---------------------------------------------------------

    def state(self, kind: str, index: int) -> ResourceState:
        return platform_or_skip(lambda: self.platform.state(kind, index))

    def set_sensor(self, index: int, value: int) -> None:
        platform_or_skip(lambda: self.platform.set_sensor(index, value))

    def system_state(self, agent_id: int) -> tuple[int, int]:
        return platform_or_skip(lambda: self.platform.system_state(agent_id))

    def op_log_seq(self) -> int:
        return platform_or_skip(self.platform.op_log_seq)

    def op_log(self, since: int = 0) -> list[PlatformOp]:
        return platform_or_skip(lambda: self.platform.op_log(since))


@pytest.fixture
def scmi(machine: Machine) -> Iterator[ScmiAgents]:
    """ScmiAgent factory for the guests of the (parametrized) ``machine``."""
    yield ScmiAgents(machine)
