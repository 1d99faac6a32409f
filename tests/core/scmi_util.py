"""Helpers for the SCMI tests (tests/core/test_scmi_*.py): spec constants read from
scmi_wire.h, and questions about the system description (never about the C internals)."""

from __future__ import annotations

from pyhost.machine.base import (  # noqa: F401 (for tests)
    PERM_CONFIG,
    PERM_LEVEL,
    PERM_STATE,
    ScmiAgentInfo,
    ScmiGrant,
    ScmiInfo,
)
from pyhost.scmi import Response, W
from pyhost.scmi.wire import KIND_PROTOCOL, PAYLOAD_MAX, PROTOCOLS, request_sizes  # noqa: F401

#: a response's status + return values never exceed Linux's 128-byte payload
RESPONSE_MAX = 4 + PAYLOAD_MAX
SERVED = sorted(p for p in PROTOCOLS if p != W("PROTO_BASE"))
ALL_PROTOCOLS = sorted(PROTOCOLS)


def status_is(r: Response, name: str) -> None:
    """Assert the status by name; an error response carries the status only (4.1.4)."""
    assert r.status_name == name, f"got {r.status_name}, expected {name}"
    if name != "SUCCESS":
        assert r.length == 8 and r.payload == b""


def fits(r: Response) -> bool:
    """Status + return values within the 128-byte payload."""
    return r.length - 4 <= RESPONSE_MAX


def shared(info: ScmiInfo, kind: str, perm: int = 0) -> list[tuple[ScmiGrant, ...]]:
    """Resources of ``kind`` granted to several agents, each grant with ``perm``: one tuple of
    grants (one per agent, by agent id) per resource."""
    out = []
    for res in range(len(info.resources[kind])):
        grants = tuple(
            g
            for a in sorted(info.agents, key=lambda a: a.agent_id)
            for g in a.granted(kind)
            if g.resource == res and g.perms & perm == perm
        )
        if len(grants) > 1:
            out.append(grants)
    return out


def owner_of(info: ScmiInfo, grant: ScmiGrant) -> ScmiAgentInfo:
    for a in info.agents:
        if grant in a.grants:
            return a
    raise LookupError(grant)


def only_theirs(info: ScmiInfo, kind: str, me: ScmiAgentInfo) -> list[int]:
    """Platform indexes of ``kind`` granted to some other agent and not to ``me``."""
    mine = {g.resource for g in me.granted(kind)}
    return sorted({g.resource for a in info.agents if a != me for g in a.granted(kind)} - mine)


def messages_of(proto: int) -> dict[int, int]:
    """Message id -> request size of every command vbe serves for ``proto``."""
    return request_sizes(proto)
