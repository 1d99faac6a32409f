"""The protocol clients an ScmiAgent carries as attributes (``agent.clock``...)."""

from __future__ import annotations

from pyhost.scmi.base import BaseClient
from pyhost.scmi.clock import ClockClient
from pyhost.scmi.common import Agent, ProtocolClient
from pyhost.scmi.perf import PerfClient
from pyhost.scmi.power import PowerClient
from pyhost.scmi.reset import ResetClient
from pyhost.scmi.sensor import SensorClient
from pyhost.scmi.system import SystemClient
from pyhost.scmi.voltage import VoltageClient

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


def attach_clients(agent: Agent) -> None:
    for attr, cls in CLIENTS.items():
        setattr(agent, attr, cls(agent))
