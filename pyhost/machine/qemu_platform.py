"""The simulated platform inside a QEMU image, reached through its platform mailbox.

The layout and protocol are boards/qemu_virt_baremetal/src/mailbox_layout.h, read here
through cffi (the header is written in cffi's subset), so both sides share one definition.
One command at a time: write ``cmd`` and ``arg[]``, then ``cmd_seq``; ring the doorbell;
wait until the image writes ``ack_seq = cmd_seq``; read ``result`` and ``data``. The image
serves the windows once more before each command, so an answer includes everything the
driver published before asking.

The SCMI calls (state, set_sensor, system_state, op_log) run the core functions the host
library runs in-process (``vbe_sim_res_state()`` ..., zephyr-app/lib/sim/src/sim_sys.c), so
both machines answer alike. The whole protocol: boards/qemu_virt_baremetal/README.md.
"""

from __future__ import annotations

import errno
import functools
from collections.abc import Callable
from typing import Any, Protocol

from cffi import FFI

from pyhost import corelib
from pyhost.headers import PLAT_H, defines
from pyhost.machine.base import (
    PLATFORM_OPS,
    SCMI_KINDS,
    BusMessage,
    BusTransaction,
    MachineError,
    Platform,
    PlatformOp,
    ResourceState,
)
from pyhost.machine.qemu_image import BOARD

MAILBOX_H = BOARD / "src" / "mailbox_layout.h"
MSG_READ = defines(PLAT_H)["VBE_I2C_MSG_READ"].value
TIMEOUT = 5.0
#: platform operations the image's log keeps (VBE_SIM_OPLOG_LEN)
OPLOG_LEN = 128


@functools.cache
def mailbox_ffi() -> tuple[FFI, Any]:
    """cffi types and #defines of mailbox_layout.h."""
    ffi = FFI()
    ffi.cdef(corelib.cdef_source(MAILBOX_H))
    return ffi, ffi.dlopen(None)


def _s32(v: int) -> int:
    """A 32-bit pattern as the int32_t the mailbox's arg[] holds."""
    return v - (1 << 32) if v & 0x80000000 else v


class Waiter(Protocol):
    def wait_platform(self, cond: Callable[[], bool], timeout: float, what: str) -> None: ...
    def kick_platform(self) -> None: ...


def _errno_name(rc: int) -> str:
    return errno.errorcode.get(-rc, str(rc)) if rc < 0 else str(rc)


class Mailbox:
    """The harness side of the platform mailbox at ``ptr`` (this process's address)."""

    def __init__(self, waiter: Waiter, ptr: int, version: int) -> None:
        ffi, c = mailbox_ffi()
        self.ffi, self.c = ffi, c
        self._w = waiter
        self.mb: Any = ffi.cast("struct bm_mailbox *", ptr)
        self.expected_version = version

    def ready(self) -> bool:
        return int(self.mb.magic) == self.c.BM_MBX_MAGIC

    def check(self) -> None:
        mb = self.mb
        if int(mb.version) != self.c.BM_MBX_VERSION or self.expected_version != mb.version:
            raise MachineError(
                f"platform mailbox version {int(mb.version)} (manifest "
                f"{self.expected_version}), pyhost speaks {self.c.BM_MBX_VERSION}: rebuild"
            )

    def call(self, cmd: int, *args: int, what: str) -> tuple[int, bytes]:
        """Run one command; (result, data)."""
        mb = self.mb
        seq = (int(mb.cmd_seq) + 1) & 0xFFFFFFFF
        mb.cmd = cmd
        for i in range(4):
            mb.arg[i] = args[i] if i < len(args) else 0
        mb.cmd_seq = seq  # after cmd and arg[] (x86 keeps stores in order)
        self._w.kick_platform()
        self._w.wait_platform(
            lambda: int(mb.ack_seq) == seq, TIMEOUT, f"the platform mailbox to run {what}"
        )
        n = min(int(mb.data_len), self.c.BM_MBX_DATA_SIZE)
        return int(mb.result), bytes(self.ffi.buffer(mb.data, n))


class QemuPlatform(Platform):
    """Platform operations of a QEMU machine, each one mailbox command."""

    def __init__(self, mailbox: Mailbox) -> None:
        self.mbx = mailbox
        self.c = mailbox.c

    def set_temp(self, bus: int, addr: int, millicelsius: int) -> None:
        rc, _ = self.mbx.call(self.c.BM_MBX_CMD_SET_TEMP, bus, addr, millicelsius, what="set_temp")
        if rc != 0:
            raise MachineError(
                f"no simulated LM75 at bus {bus} address 0x{addr:02x} ({_errno_name(rc)})"
            )

    def eeprom(self, bus: int, addr: int) -> bytes:
        rc, data = self.mbx.call(self.c.BM_MBX_CMD_EEPROM, bus, addr, what="eeprom")
        if rc != 0:
            raise MachineError(
                f"no simulated AT24 at bus {bus} address 0x{addr:02x} ({_errno_name(rc)})"
            )
        return data

    def bus_log_seq(self) -> int:
        rc, _ = self.mbx.call(self.c.BM_MBX_CMD_LOG_SEQ, what="bus_log_seq")
        return rc & 0xFFFFFFFF

    def bus_log(self, since: int = 0) -> list[BusTransaction]:
        newest = self.bus_log_seq()
        ffi = self.mbx.ffi
        out = []
        for seq in range(max(since + 1, newest - 63), newest + 1):
            rc, data = self.mbx.call(self.c.BM_MBX_CMD_LOG_GET, seq, what=f"bus_log_get({seq})")
            if rc != 0:
                continue  # older than what the log keeps
            e: Any = ffi.from_buffer("struct bm_mbx_log_entry *", bytearray(data))
            msgs = tuple(
                BusMessage(
                    bool(m.flags & MSG_READ),
                    int(m.len),
                    bytes(ffi.buffer(m.data, min(int(m.len), 16))),
                    int(m.flags),
                )
                for m in (e.msgs[i] for i in range(min(int(e.num_msgs), 4)))
            )
            out.append(BusTransaction(int(e.seq), int(e.bus), int(e.addr), int(e.result), msgs))
        return out

    # ---- SCMI: the same core calls as the in-process machine (vbe_sim_res_state() ...) ----

    def state(self, kind: str, index: int) -> ResourceState:
        if kind not in SCMI_KINDS:
            raise ValueError(f"SCMI resource kind {kind!r}: use one of {', '.join(SCMI_KINDS)}")
        rc, data = self.mbx.call(
            self.c.BM_MBX_CMD_SCMI_STATE, SCMI_KINDS.index(kind), index, what=f"state({kind})"
        )
        if rc != 0:
            raise MachineError(
                f"qemu: no SCMI {kind} with platform index {index}: {_errno_name(rc)}"
            )
        st: Any = self.mbx.ffi.from_buffer("struct bm_mbx_scmi_state *", bytearray(data))
        return ResourceState(kind, index, bool(st.on), int(st.value), int(st.votes))

    def set_sensor(self, index: int, value: int) -> None:
        raw = value & 0xFFFFFFFFFFFFFFFF
        lo, hi = (_s32(raw & 0xFFFFFFFF), _s32(raw >> 32))
        rc, _ = self.mbx.call(self.c.BM_MBX_CMD_SCMI_SENSOR, index, lo, hi, what="set_sensor")
        if rc != 0:
            raise MachineError(
                f"qemu: cannot set SCMI sensor {index} to {value}: {_errno_name(rc)}"
            )

    def system_state(self, agent_id: int) -> tuple[int, int]:
        rc, data = self.mbx.call(self.c.BM_MBX_CMD_SCMI_SYSTEM, agent_id, what="system_state")
        if rc != 0:
            raise MachineError(f"qemu: no SCMI agent {agent_id}: {_errno_name(rc)}")
        st: Any = self.mbx.ffi.from_buffer("struct bm_mbx_scmi_system *", bytearray(data))
        return int(st.state), int(st.requests)

    def system_notify(self, agent_id: int, flags: int, state: int, timeout_ms: int) -> None:
        """The platform asks an agent to change system power state:
        SYSTEM_POWER_STATE_NOTIFIER to the agent if it subscribed."""
        args = (
            agent_id,
            _s32(flags & 0xFFFFFFFF),
            _s32(state & 0xFFFFFFFF),
            _s32(timeout_ms & 0xFFFFFFFF),
        )
        rc, _ = self.mbx.call(self.c.BM_MBX_CMD_SCMI_NOTIFY, *args, what="system_notify")
        if rc != 0:
            raise MachineError(f"qemu: cannot notify SCMI agent {agent_id}: {_errno_name(rc)}")

    def op_log_seq(self) -> int:
        rc, _ = self.mbx.call(self.c.BM_MBX_CMD_OP_SEQ, what="op_log_seq")
        return rc & 0xFFFFFFFF

    def op_log(self, since: int = 0) -> list[PlatformOp]:
        newest = self.op_log_seq()
        out = []
        for seq in range(max(since + 1, newest - OPLOG_LEN + 1), newest + 1):
            rc, data = self.mbx.call(self.c.BM_MBX_CMD_OP_GET, seq, what=f"op_log_get({seq})")
            if rc != 0:
                continue  # older than what the log keeps
            e: Any = self.mbx.ffi.from_buffer("struct bm_mbx_op_entry *", bytearray(data))
            code = int(e.op)
            name = PLATFORM_OPS[code] if 0 <= code < len(PLATFORM_OPS) else f"op{code}"
            resource = int(e.index) if e.index >= 0 else int(e.id)  # as logged, if unmapped
            out.append(
                PlatformOp(int(e.seq), name, resource, int(e.value), int(e.arg), int(e.result))
            )
        return out

    def nop(self) -> None:
        """One mailbox round trip that does nothing (benchmarks)."""
        self.mbx.call(self.c.BM_MBX_CMD_NOP, what="nop")

    def set_doorbell_idle(self, spin_us: int, sleep_max_us: int) -> None:
        """Doorbell mode's idle policy in the image: spin, then sleep at most this long."""
        rc, _ = self.mbx.call(self.c.BM_MBX_CMD_IDLE, spin_us, sleep_max_us, what="idle")
        if rc != 0:
            raise MachineError(f"idle policy ({spin_us}, {sleep_max_us}) refused: {rc}")

    # ---- the image's own figures (benchmarks) ----------------------------------------------

    def counter(self) -> int:
        """The image's virtual counter (CNTVCT_EL0) as the mailbox command ran."""
        rc, data = self.mbx.call(self.c.BM_MBX_CMD_TIME, what="time")
        if rc != 0 or len(data) != 8:
            raise MachineError(f"qemu: the TIME command failed: {_errno_name(rc)}")
        return int.from_bytes(data, "little")

    def profile(self) -> dict[str, Any]:
        """The service loop's profile (struct bm_mbx_prof, mailbox_layout.h), a snapshot:
        every field by name, ``win`` as a list; all zero unless the image was built with
        VBE_BM_PROFILE=ON (``enabled``). Read it while the image is idle."""
        p = self.mbx.mb.prof
        ffi = self.mbx.ffi
        out: dict[str, Any] = {}
        for name, _ in ffi.typeof("struct bm_mbx_prof").fields:
            if name == "reserved":
                continue
            v = getattr(p, name)
            out[name] = [int(x) for x in v] if name == "win" else int(v)
        return out
