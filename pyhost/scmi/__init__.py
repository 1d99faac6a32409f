"""The guest side of SCMI: an agent over a guest's virtio-scmi device, with one typed
client per protocol (``agent.base``, ``agent.clock``, ``agent.power``, ``agent.system``,
``agent.perf``, ``agent.sensor``, ``agent.reset``, ``agent.voltage``) and notifications.

    agent = ScmiAgent(machine, "ivi")
    agent.base.list_protocols()            # [0x11, 0x12, ...]
    agent.clock.describe_rates(2)          # [24000000, 48000000] or a ValueRange
    agent.clock.rate_set(2, 48_000_000, async_=True)   # waits for the delayed response
    ev = agent.wait_event(lambda e: e.proto == 0x15, timeout=1.0)
"""

from pyhost.scmi.agent import ScmiAgent
from pyhost.scmi.common import ValueRange
from pyhost.scmi.replies import (
    Event,
    Pending,
    Response,
    ScmiError,
    ScmiProtocolError,
    ScmiTimeout,
)
from pyhost.scmi.wire import Header, W, encode_header, status_code, status_name

__all__ = [
    "Event",
    "Header",
    "Pending",
    "Response",
    "ScmiAgent",
    "ScmiError",
    "ScmiProtocolError",
    "ScmiTimeout",
    "ValueRange",
    "W",
    "encode_header",
    "status_code",
    "status_name",
]
