"""The simulated platform behind a machine, reached through the one platform protocol.

The core's command handler (``vbe_sim_cmd()``, zephyr-app/lib/sim/src/sim_cmd.c; layout and
commands in vbe/sim_cmd.h, read here through cffi) is the only way the harness reads and
sets the platform: I2C targets and the bus log, SCMI resources by platform index, system
power, the operation log, and what each guest's virtio-i2c device did (counters, why a
transfer failed). :class:`SimPlatform` speaks it over a byte transport, a callable that
takes a request's bytes and returns the response's:

- :class:`HostCall`: in process, one call of the host library (``vbe_host_sim_cmd()``);
- :class:`Mailbox`: a mailbox in memory the backend shares (the bare-metal image's page
  of guest RAM, ``struct vbe_sim_mailbox``): write the request and ``seq``, wake the
  backend, wait for ``ack``. The backend serves its windows once more before each
  command, so an answer includes everything the driver published before asking.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pyhost import corelib
from pyhost.headers import I2C_H, PLAT_H, defines, enum
from pyhost.machine.base import (
    PLATFORM_OPS,
    SCMI_KINDS,
    BusMessage,
    BusTransaction,
    I2cDiag,
    I2cStats,
    MachineError,
    Platform,
    PlatformOp,
    ResourceState,
)

MSG_READ = defines(PLAT_H)["VBE_I2C_MSG_READ"].value
DIAG_10BIT = defines(I2C_H)["VBE_I2C_DIAG_10BIT"].value
DIAG_READ = defines(I2C_H)["VBE_I2C_DIAG_READ"].value
#: a mailbox command's answer must come within this many seconds
MAILBOX_TIMEOUT = 5.0
#: platform operations the log keeps (VBE_SIM_OPLOG_LEN)
OPLOG_LEN = 128
#: bus transactions the log keeps (VBE_SIM_LOG_LEN)
BUS_LOG_LEN = 64

FFI = corelib.make_ffi()
C: Any = FFI.dlopen(None)  # the #defines of the cdef (no library needed)
REQ_SIZE = FFI.sizeof("struct vbe_sim_req")
RSP_HEAD = FFI.offsetof("struct vbe_sim_rsp", "data")

#: a transport: request bytes (struct vbe_sim_req) -> response bytes (struct vbe_sim_rsp,
#: its data cut at data_len); ``what`` names the command for errors
Transport = Callable[[bytes, str], bytes]


def errno_name(rc: int) -> str:
    return errno.errorcode.get(-rc, str(rc)) if rc < 0 else str(rc)


def _s32(v: int) -> int:
    """A 32-bit pattern as the int32_t an argument is."""
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


@dataclass(frozen=True)
class Reply:
    result: int
    data: bytes

    def as_struct(self, ctype: str) -> Any:
        if len(self.data) < FFI.sizeof(ctype):
            raise MachineError(f"platform protocol: {ctype} answered with {len(self.data)} bytes")
        return FFI.from_buffer(f"{ctype} *", bytearray(self.data))


class SimPlatform(Platform):
    """Every Platform call as platform protocol commands over ``transport``."""

    def __init__(self, transport: Transport, where: str) -> None:
        self._transport = transport
        self._where = where  # for errors: the machine's name

    def call(self, cmd: int, *args: int, what: str) -> Reply:
        """One command: its result and data."""
        req = FFI.new("struct vbe_sim_req *")
        req.cmd = cmd
        for i, a in enumerate(args):
            req.arg[i] = _s32(a)
        raw = self._transport(bytes(FFI.buffer(req, REQ_SIZE)), what)
        head: Any = FFI.from_buffer("struct vbe_sim_rsp *", bytearray(raw.ljust(RSP_HEAD, b"\0")))
        n = min(int(head.data_len), len(raw) - RSP_HEAD)
        return Reply(int(head.result), raw[RSP_HEAD : RSP_HEAD + n])

    def _fail(self, what: str, rc: int) -> MachineError:
        return MachineError(f"{self._where}: {what}: {errno_name(rc)}")

    # ---- I2C ----------------------------------------------------------------------------

    def set_temp(self, bus: int, addr: int, millicelsius: int) -> None:
        r = self.call(C.VBE_SIM_CMD_SET_TEMP, bus, addr, millicelsius, what="set_temp")
        if r.result != 0:
            raise self._fail(f"no simulated LM75 at bus {bus} address 0x{addr:02x}", r.result)

    def eeprom(self, bus: int, addr: int) -> bytes:
        r = self.call(C.VBE_SIM_CMD_EEPROM, bus, addr, what="eeprom")
        if r.result != 0:
            raise self._fail(f"no simulated AT24 at bus {bus} address 0x{addr:02x}", r.result)
        return r.data

    def bus_log_seq(self) -> int:
        return self.call(C.VBE_SIM_CMD_BUS_LOG_SEQ, what="bus_log_seq").result & 0xFFFFFFFF

    def bus_log(self, since: int = 0) -> list[BusTransaction]:
        newest = self.bus_log_seq()
        out = []
        for seq in range(max(since + 1, newest - BUS_LOG_LEN + 1), newest + 1):
            r = self.call(C.VBE_SIM_CMD_BUS_LOG_GET, seq, what=f"bus_log_get({seq})")
            if r.result != 0:
                continue  # older than what the log keeps
            e = r.as_struct("struct vbe_sim_cmd_bus_entry")
            msgs = tuple(
                BusMessage(
                    bool(m.flags & MSG_READ),
                    int(m.len),
                    bytes(FFI.buffer(m.data, min(int(m.len), 16))),
                    int(m.flags),
                )
                for m in (e.msgs[i] for i in range(min(int(e.num_msgs), 4)))
            )
            out.append(BusTransaction(int(e.seq), int(e.bus), int(e.addr), int(e.result), msgs))
        return out

    def i2c_stats(self, guest: int) -> I2cStats | None:
        r = self.call(C.VBE_SIM_CMD_I2C_STATS, guest, what="i2c_stats")
        if r.result == -errno.ENOENT:
            return None
        if r.result != 0:
            raise self._fail(f"I2C counters of guest {guest}", r.result)
        s = r.as_struct("struct vbe_sim_cmd_i2c_stats")
        names = _i2c_error_names()
        return I2cStats(
            int(s.requests), int(s.transactions), {n: int(s.errors[i]) for i, n in names.items()}
        )

    def i2c_diag(self, guest: int, seq: int = 0) -> I2cDiag | None:
        r = self.call(C.VBE_SIM_CMD_I2C_DIAG, guest, seq, what="i2c_diag")
        if r.result != 0:
            return None
        d = r.as_struct("struct vbe_sim_cmd_i2c_diag")
        return I2cDiag(
            seq=int(d.seq),
            head=int(d.head),
            reason=_i2c_error_names().get(int(d.reason), f"error {int(d.reason)}"),
            addr=int(d.addr),
            ten_bit=bool(d.flags & DIAG_10BIT),
            read=bool(d.flags & DIAG_READ),
            bus_addr=None if d.bus_addr == 0xFFFF else int(d.bus_addr),
            length=int(d.len),
            index=int(d.index),
            count=int(d.count),
        )

    # ---- SCMI -----------------------------------------------------------------------------

    def state(self, kind: str, index: int) -> ResourceState:
        if kind not in SCMI_KINDS:
            raise ValueError(f"SCMI resource kind {kind!r}: use one of {', '.join(SCMI_KINDS)}")
        r = self.call(C.VBE_SIM_CMD_RES_STATE, SCMI_KINDS.index(kind), index, what="state")
        if r.result != 0:
            raise self._fail(f"no SCMI {kind} with platform index {index}", r.result)
        st = r.as_struct("struct vbe_sim_cmd_res_state")
        return ResourceState(kind, index, bool(st.on), int(st.value), int(st.votes))

    def set_sensor(self, index: int, value: int) -> None:
        raw = value & 0xFFFFFFFFFFFFFFFF
        r = self.call(
            C.VBE_SIM_CMD_SENSOR_SET, index, raw & 0xFFFFFFFF, raw >> 32, what="set_sensor"
        )
        if r.result != 0:
            raise self._fail(f"cannot set SCMI sensor {index} to {value}", r.result)

    def system_state(self, agent_id: int) -> tuple[int, int]:
        r = self.call(C.VBE_SIM_CMD_SYSTEM_STATE, agent_id, what="system_state")
        if r.result != 0:
            raise self._fail(f"no SCMI agent {agent_id}", r.result)
        st = r.as_struct("struct vbe_sim_cmd_system")
        return int(st.state), int(st.requests)

    def system_notify(self, agent_id: int, flags: int, state: int, timeout_ms: int) -> None:
        """The platform asks an agent to change system power state:
        SYSTEM_POWER_STATE_NOTIFIER to the agent if it subscribed."""
        r = self.call(
            C.VBE_SIM_CMD_SYSTEM_NOTIFY, agent_id, flags, state, timeout_ms, what="system_notify"
        )
        if r.result != 0:
            raise self._fail(f"cannot notify SCMI agent {agent_id}", r.result)

    def op_log_seq(self) -> int:
        return self.call(C.VBE_SIM_CMD_OP_LOG_SEQ, what="op_log_seq").result & 0xFFFFFFFF

    def op_log(self, since: int = 0) -> list[PlatformOp]:
        newest = self.op_log_seq()
        out = []
        for seq in range(max(since + 1, newest - OPLOG_LEN + 1), newest + 1):
            r = self.call(C.VBE_SIM_CMD_OP_LOG_GET, seq, what=f"op_log_get({seq})")
            if r.result != 0:
                continue  # older than what the log keeps
            e = r.as_struct("struct vbe_sim_cmd_op_entry")
            code = int(e.op)
            name = PLATFORM_OPS[code] if 0 <= code < len(PLATFORM_OPS) else f"op{code}"
            resource = int(e.index) if e.index >= 0 else int(e.id)  # as logged, if unmapped
            out.append(
                PlatformOp(int(e.seq), name, resource, int(e.value), int(e.arg), int(e.result))
            )
        return out

    def nop(self) -> None:
        """One round trip that does nothing (benchmarks)."""
        self.call(C.VBE_SIM_CMD_NOP, what="nop")



def _i2c_error_names() -> dict[int, str]:
    """enum vbe_i2c_error value -> name without the prefix (``DENIED``)."""
    members = enum(I2C_H, "vbe_i2c_error")
    return {c.value: k.removeprefix("VBE_I2C_ERR_") for k, c in members.items()}


class HostCall:
    """The in-process transport: one vbe_host_sim_cmd() call on a host library backend."""

    def __init__(self, lib: Any, handle: Callable[[], Any]) -> None:
        self._lib = lib
        self._handle = handle  # the backend's handle now (it may be closed meanwhile)

    def __call__(self, req: bytes, what: str) -> bytes:
        h = self._handle()
        if h is None:
            raise MachineError(f"the platform is gone (the machine was closed): {what}")
        r = FFI.from_buffer("struct vbe_sim_req *", bytearray(req))
        rsp = FFI.new("struct vbe_sim_rsp *")
        rsp.result = self._lib.vbe_host_sim_cmd(h, r, rsp)
        return bytes(FFI.buffer(rsp, RSP_HEAD + min(int(rsp.data_len), C.VBE_SIM_CMD_DATA_SIZE)))


class Waiter(Protocol):
    def wait_platform(self, cond: Callable[[], bool], timeout: float, what: str) -> None: ...
    def kick_platform(self) -> None: ...


class Mailbox:
    """The memory transport: the harness side of a ``struct vbe_sim_mailbox`` at ``ptr``
    (this process's address), woken and waited for through ``waiter``."""

    def __init__(self, waiter: Waiter, ptr: int, version: int) -> None:
        self._w = waiter
        self.mb: Any = FFI.cast("struct vbe_sim_mailbox *", ptr)
        self.expected_version = version

    def ready(self) -> bool:
        return int(self.mb.magic) == C.VBE_SIM_MAILBOX_MAGIC

    def check(self) -> None:
        mb = self.mb
        if int(mb.version) != C.VBE_SIM_CMD_VERSION or self.expected_version != mb.version:
            raise MachineError(
                f"platform mailbox version {int(mb.version)} (manifest "
                f"{self.expected_version}), pyhost speaks {C.VBE_SIM_CMD_VERSION}: rebuild"
            )

    def __call__(self, req: bytes, what: str) -> bytes:
        mb = self.mb
        seq = (int(mb.seq) + 1) & 0xFFFFFFFF
        FFI.memmove(FFI.addressof(mb.req), req, REQ_SIZE)
        mb.seq = seq  # after req (x86 keeps stores in order)
        self._w.kick_platform()
        self._w.wait_platform(
            lambda: int(mb.ack) == seq, MAILBOX_TIMEOUT, f"the platform mailbox to run {what}"
        )
        n = min(int(mb.rsp.data_len), C.VBE_SIM_CMD_DATA_SIZE)
        return bytes(FFI.buffer(FFI.addressof(mb.rsp), RSP_HEAD + n))
