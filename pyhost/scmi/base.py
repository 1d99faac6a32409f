"""Base protocol (0x10, DEN0056E 4.2): discovery as Linux's boot does it, agents, and the
permission commands of a privileged agent."""

from __future__ import annotations

from dataclasses import dataclass

from pyhost.scmi import wire
from pyhost.scmi.common import ProtocolClient
from pyhost.scmi.wire import W

AGENT_SELF = W("BASE_AGENT_SELF")
AGENT_PLATFORM = W("BASE_AGENT_PLATFORM")


@dataclass(frozen=True)
class BaseAttributes:
    num_protocols: int  # 7:0, protocols other than base the caller may use
    num_agents: int  # 15:8


@dataclass(frozen=True)
class AgentName:
    agent_id: int
    name: str


class BaseClient(ProtocolClient):
    PROTO = W("PROTO_BASE")
    NAME = "base"

    def attributes(self) -> BaseAttributes:
        (a,) = self.protocol_attributes_words(4)
        return BaseAttributes(a & 0xFF, (a >> 8) & 0xFF)

    def vendor(self) -> str:
        return wire.name_of(self.ok_bytes(W("BASE_DISCOVER_VENDOR"), size=wire.NAME_SIZE))

    def sub_vendor(self) -> str:
        return wire.name_of(self.ok_bytes(W("BASE_DISCOVER_SUB_VENDOR"), size=wire.NAME_SIZE))

    def impl_version(self) -> int:
        return self.ok(W("BASE_DISCOVER_IMPLEMENTATION_VERSION"), size=4)[0]

    def list_protocols_page(self, skip: int) -> list[int]:
        """One DISCOVER_LIST_PROTOCOLS reply: the ids after ``skip``, padding checked."""
        msg = W("BASE_DISCOVER_LIST_PROTOCOLS")
        r = self.agent.call_ok(self.PROTO, msg, wire.u32s(skip))
        if len(r) < 4:
            raise self.bad_reply(msg, f"{len(r)} bytes, no num_protocols word")
        (n,) = wire.words(r[:4])
        padded = (n + 3) // 4 * 4
        if len(r) != 4 + padded:
            raise self.bad_reply(msg, f"{n} protocols in {len(r) - 4} bytes (want {padded})")
        if any(r[4 + n :]):
            raise self.bad_reply(msg, "padding after the protocol ids is not zero")
        return list(r[4 : 4 + n])

    def list_protocols(self) -> list[int]:
        """Every protocol id the agent may use, asked as Linux does: with ``skip`` = what
        it has so far, until a reply lists none."""
        out: list[int] = []
        for _ in range(256):
            page = self.list_protocols_page(len(out))
            if not page:
                return out
            out.extend(page)
        raise self.bad_reply(W("BASE_DISCOVER_LIST_PROTOCOLS"), "the list never ends")

    def discover_agent(self, agent_id: int = AGENT_SELF) -> AgentName:
        data = self.ok_bytes(W("BASE_DISCOVER_AGENT"), agent_id, size=4 + wire.NAME_SIZE)
        return AgentName(wire.words(data[:4])[0], wire.name_of(data[4:]))

    def notify_errors(self, enable: bool = True) -> None:
        self.ok(W("BASE_NOTIFY_ERRORS"), 1 if enable else 0, size=0)

    def set_device_permissions(self, agent_id: int, device_id: int, allow: bool) -> None:
        self.ok(W("BASE_SET_DEVICE_PERMISSIONS"), agent_id, device_id, int(allow), size=0)

    def set_protocol_permissions(
        self, agent_id: int, device_id: int, protocol: int, allow: bool
    ) -> None:
        msg = W("BASE_SET_PROTOCOL_PERMISSIONS")
        self.ok(msg, agent_id, device_id, protocol, int(allow), size=0)

    def reset_agent_configuration(self, agent_id: int, reset_permissions: bool = False) -> None:
        msg = W("BASE_RESET_AGENT_CONFIGURATION")
        self.ok(msg, agent_id, int(reset_permissions), size=0)
