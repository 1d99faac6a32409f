"""System power management (0x12, v2.1, DEN0056E 4.4) client."""

from __future__ import annotations

from dataclasses import dataclass

from pyhost.scmi.common import ProtocolClient
from pyhost.scmi.wire import W

SYSTEM_ATTR_WARM_RESET = 1 << 31
SYSTEM_ATTR_SUSPEND = 1 << 30
SYSTEM_GRACEFUL = 1 << 0
SYSTEM_STATES = {
    "shutdown": W("SYSTEM_SHUTDOWN"),
    "cold_reset": W("SYSTEM_COLD_RESET"),
    "warm_reset": W("SYSTEM_WARM_RESET"),
    "power_up": W("SYSTEM_POWER_UP"),
    "suspend": W("SYSTEM_SUSPEND"),
}


@dataclass(frozen=True)
class SystemAttributes:
    warm_reset: bool
    suspend: bool


class SystemClient(ProtocolClient):
    PROTO = W("PROTO_SYSTEM")
    NAME = "system"

    def attributes(self) -> SystemAttributes:
        (a,) = self.protocol_attributes_words(4)
        return SystemAttributes(bool(a & SYSTEM_ATTR_WARM_RESET), bool(a & SYSTEM_ATTR_SUSPEND))

    def state_set(self, state: int | str, graceful: bool = False) -> None:
        """SYSTEM_POWER_STATE_SET for this agent's guest (a state value or a name of
        SYSTEM_STATES)."""
        value = SYSTEM_STATES[state] if isinstance(state, str) else state
        flags = SYSTEM_GRACEFUL if graceful else 0
        self.ok(W("SYSTEM_POWER_STATE_SET"), flags, value, size=0)

    def state_get(self) -> int:
        return self.ok(W("SYSTEM_POWER_STATE_GET"), size=4)[0]

    def notify(self, enable: bool = True) -> None:
        self.ok(W("SYSTEM_POWER_STATE_NOTIFY"), 1 if enable else 0, size=0)
