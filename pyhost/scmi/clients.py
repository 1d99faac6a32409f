"""The protocol clients an ScmiAgent carries as attributes (``agent.clock``...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyhost.scmi.base import BaseClient
from pyhost.scmi.clock import ClockClient
from pyhost.scmi.common import ProtocolClient
from pyhost.scmi.perf import PerfClient
from pyhost.scmi.power import PowerClient, SystemClient
from pyhost.scmi.reset import ResetClient, VoltageClient
from pyhost.scmi.sensor import SensorClient

if TYPE_CHECKING:
    from pyhost.scmi.agent import ScmiAgent

#: attribute name -> client class, in protocol id order
CLIENTS: dict[str, type[ProtocolClient]] = {
    "base": BaseClient,
    "power": PowerClient,
    "system": SystemClient,
    "perf": PerfClient,
    "clock": ClockClient,
    "sensor": SensorClient,
    "reset": ResetClient,
    "voltage": VoltageClient,
}


def attach_clients(agent: ScmiAgent) -> None:
    for attr, cls in CLIENTS.items():
        setattr(agent, attr, cls(agent))


def client_for(agent: ScmiAgent, proto: int) -> ProtocolClient | None:
    for attr, cls in CLIENTS.items():
        if cls.PROTO == proto:
            return getattr(agent, attr)  # type: ignore[no-any-return]
    return None
