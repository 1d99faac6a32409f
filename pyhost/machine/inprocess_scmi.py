"""The SCMI half of the in-process machine: the system's agents and grants (ScmiInfo) and
the simulated platform's SCMI state, read through the host API (``vbe/host.h``, "SCMI").

Kept apart from inprocess.py: ``InProcessPlatform`` takes :class:`ScmiPlatformMixin` and
``InProcessMachine.scmi`` calls :func:`scmi_info`.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Any

from pyhost.machine.base import (
    PLATFORM_OPS,
    SCMI_KINDS,
    MachineError,
    PlatformOp,
    ResourceState,
    ScmiAgentInfo,
    ScmiGrant,
    ScmiInfo,
)

if TYPE_CHECKING:
    from pyhost.machine.inprocess import InProcessMachine

#: the resource kind each platform operation addresses (None: its id is an agent id)
OP_KIND: dict[str, str | None] = {
    "clock_on": "clock",
    "clock_off": "clock",
    "clock_set_rate": "clock",
    "power_set_state": "power",
    "perf_set_level": "perf",
    "reset_assert": "reset",
    "reset_deassert": "reset",
    "regulator_enable": "voltage",
    "regulator_disable": "voltage",
    "regulator_set_voltage": "voltage",
    "system_request": None,
}


def _kind_code(kind: str) -> int:
    if kind not in SCMI_KINDS:
        raise ValueError(f"SCMI resource kind {kind!r}: use one of {', '.join(SCMI_KINDS)}")
    return SCMI_KINDS.index(kind)


def _str(ffi: Any, p: Any) -> str:
    return ffi.string(p).decode() if p != ffi.NULL else ""


def scmi_info(m: InProcessMachine) -> ScmiInfo | None:
    """Agents, grants and resources of the running system; None when it has no SCMI."""
    ffi, lib, h = m.ffi, m.lib, m.handle
    count = int(lib.vbe_host_scmi_agent_count(h))
    if count <= 0:
        return None
    vendor, sub = ffi.new("const char **"), ffi.new("const char **")
    impl = ffi.new("uint32_t *")
    if lib.vbe_host_scmi_vendor(h, vendor, sub, impl) != 0:
        return None
    name, dev, pid = ffi.new("const char **"), ffi.new("int *"), ffi.new("int *")
    resources: dict[str, tuple[str, ...]] = {}
    for k, kind in enumerate(SCMI_KINDS):
        names = []
        for i in range(max(0, int(lib.vbe_host_scmi_resource(h, k, 0, name, dev, pid)))):
            lib.vbe_host_scmi_resource(h, k, i, name, dev, pid)
            names.append(_str(ffi, name[0]))
        resources[kind] = tuple(names)
    flags, guest = ffi.new("uint32_t *"), ffi.new("int *")
    res, perms = ffi.new("int *"), ffi.new("uint32_t *")
    privileged = int(lib.VBE_HOST_SCMI_AGENT_PRIVILEGED)
    agents = []
    for agent in range(1, count + 1):
        if lib.vbe_host_scmi_agent(h, agent, name, flags, guest) != 0:
            raise MachineError(f"{m.name}: vbe_host_scmi_agent({agent}) failed")
        agent_name = _str(ffi, name[0])
        grants = []
        for k, kind in enumerate(SCMI_KINDS):
            for local in range(max(0, int(lib.vbe_host_scmi_grant(h, agent, k, 0, res, perms)))):
                lib.vbe_host_scmi_grant(h, agent, k, local, res, perms)
                idx = int(res[0])
                grants.append(ScmiGrant(kind, local, idx, resources[kind][idx], int(perms[0])))
        agents.append(
            ScmiAgentInfo(
                agent_id=agent,
                name=agent_name,
                guest=int(guest[0]),
                privileged=bool(flags[0] & privileged),
                grants=tuple(grants),
            )
        )
    return ScmiInfo(
        vendor=_str(ffi, vendor[0]),
        sub_vendor=_str(ffi, sub[0]),
        impl_version=int(impl[0]),
        resources=resources,
        agents=tuple(agents),
    )


class ScmiPlatformMixin:
    """Platform.state()/set_sensor()/system_state()/op_log() over the host API."""

    _m: InProcessMachine

    def _check(self, rc: int, what: str) -> None:
        if rc < 0:
            raise MachineError(f"{self._m.name}: {what}: {errno.errorcode.get(-rc, rc)}")

    def state(self, kind: str, index: int) -> ResourceState:
        ffi, lib, h = self._m.ffi, self._m.lib, self._m.handle
        what = f"no SCMI {kind} with platform index {index}"
        code = _kind_code(kind)
        on, value, votes = ffi.new("int *"), ffi.new("int64_t *"), ffi.new("uint32_t *")
        # the core function the bare-metal image's mailbox runs too: one definition
        self._check(lib.vbe_host_scmi_res_state(h, code, index, on, value, votes), what)
        return ResourceState(kind, index, bool(on[0]), int(value[0]), int(votes[0]))

    def set_sensor(self, index: int, value: int) -> None:
        rc = self._m.lib.vbe_host_scmi_sensor_set(self._m.handle, index, value)
        self._check(rc, f"cannot set SCMI sensor {index} to {value}")

    def system_state(self, agent_id: int) -> tuple[int, int]:
        ffi = self._m.ffi
        state, requests = ffi.new("uint32_t *"), ffi.new("uint32_t *")
        rc = self._m.lib.vbe_host_scmi_system_state(self._m.handle, agent_id, state, requests)
        self._check(rc, f"no SCMI agent {agent_id}")
        return int(state[0]), int(requests[0])

    def system_notify(self, agent_id: int, flags: int, state: int, timeout_ms: int) -> None:
        """The platform asks an agent to change system power state (in-process only):
        SYSTEM_POWER_STATE_NOTIFIER to the agent if it subscribed."""
        rc = self._m.lib.vbe_host_scmi_system_notify(
            self._m.handle, agent_id, flags, state, timeout_ms
        )
        self._check(rc, f"cannot notify SCMI agent {agent_id}")

    def op_log_seq(self) -> int:
        return int(self._m.lib.vbe_host_plat_log_seq(self._m.handle))

    def _plat_index(self, kind: str, plat_id: int) -> int:
        """Platform index of the resource whose platform op id is ``plat_id``."""
        ffi, lib, h = self._m.ffi, self._m.lib, self._m.handle
        name, dev, pid = ffi.new("const char **"), ffi.new("int *"), ffi.new("int *")
        code = _kind_code(kind)
        for i in range(max(0, int(lib.vbe_host_scmi_resource(h, code, 0, name, dev, pid)))):
            lib.vbe_host_scmi_resource(h, code, i, name, dev, pid)
            if pid[0] == plat_id:
                return i
        return plat_id

    def op_log(self, since: int = 0) -> list[PlatformOp]:
        ffi, lib, h = self._m.ffi, self._m.lib, self._m.handle
        op, rid = ffi.new("int *"), ffi.new("int *")
        value, arg, result = ffi.new("int64_t *"), ffi.new("uint32_t *"), ffi.new("int32_t *")
        out = []
        for seq in range(since + 1, self.op_log_seq() + 1):
            if lib.vbe_host_plat_log_get(h, seq, op, rid, value, arg, result) != 0:
                continue  # older than what the log keeps
            code = int(op[0])
            name = PLATFORM_OPS[code] if 0 <= code < len(PLATFORM_OPS) else f"op{code}"
            kind = OP_KIND.get(name)
            res = self._plat_index(kind, int(rid[0])) if kind else int(rid[0])
            out.append(PlatformOp(seq, name, res, int(value[0]), int(arg[0]), int(result[0])))
        return out
