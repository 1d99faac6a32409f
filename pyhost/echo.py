"""A window with the core's echo device, for ring conformance tests.

The echo device (``VBE_HOST_ECHO_ID``) answers each chain with a 16-byte summary
(le32 n_rd, n_wr, rd_len, wr_len) followed by the readable bytes, as far as they fit. In
hold mode it keeps chains until :meth:`EchoWindow.release`, which completes them newest
first. ``EchoWindow`` looks like a one-guest machine (guest 0), so VirtioDevice and
Virtqueue drive it unchanged.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from pyhost import corelib
from pyhost.headers import vq_faults
from pyhost.machine.base import GuestInfo, MachineError, Platform
from pyhost.machine.inprocess import PolledMachine
from pyhost.memory import GuardedMemory

SUMMARY = struct.Struct("<IIII")


@dataclass(frozen=True)
class Summary:
    """What the echo device saw of a chain (segments of length 0 are not counted)."""

    n_rd: int
    n_wr: int
    rd_len: int
    wr_len: int

    @classmethod
    def parse(cls, data: bytes) -> Summary:
        if len(data) < SUMMARY.size:
            raise ValueError(f"echo reply of {len(data)} bytes has no 16-byte summary")
        return cls(*SUMMARY.unpack_from(data))


class EchoWindow(PolledMachine):
    """One window, one echo device, served in this process."""

    name = "echo"

    def __init__(
        self,
        size: int = 1 << 20,
        ring_size: int = 64 << 10,
        queue_size_max: int = 256,
        variant: str | None = None,
    ) -> None:
        self.core = corelib.load(variant)
        self.mem = GuardedMemory(size)
        self.size = size
        self.handle: Any = self.core.lib.vbe_host_echo_create(
            self.mem.cdata, size, ring_size, queue_size_max
        )
        if self.handle == self.core.ffi.NULL:
            self.mem.close()
            raise MachineError(
                f"vbe_host_echo_create(size={size}, ring_size={ring_size}, "
                f"queue_size_max={queue_size_max}) failed: ring_size must be a multiple of 64 "
                "and the window must hold the header page, the ring area and a data page"
            )

    # ---- Machine ------------------------------------------------------------------------

    def launch(self) -> None:
        """Nothing to do: the window is published by the constructor."""

    def close(self) -> None:
        if self.handle is not None:
            self.lib.vbe_host_echo_destroy(self.handle)
            self.handle = None
        self.mem.close()

    @property
    def lib(self) -> Any:
        if self.handle is None:
            raise MachineError("the echo window is closed")
        return self.core.lib

    @property
    def guests(self) -> list[GuestInfo]:
        return [GuestInfo(index=0, name="echo", window_size=self.size)]

    def _guest0(self, guest: int) -> None:
        if guest != 0:
            raise MachineError(f"the echo window has only guest 0, not {guest}")

    def window(self, guest: int = 0) -> memoryview:
        self._guest0(guest)
        return self.mem.view

    def window_ptr(self, guest: int = 0) -> int:
        self._guest0(guest)
        return self.mem.ptr

    @property
    def platform(self) -> Platform:
        raise MachineError("the echo window has no platform; use an InProcessMachine")

    # ---- echo controls ------------------------------------------------------------------

    def poll(self) -> bool:
        """Serve the window once; True when something was done."""
        return bool(self.lib.vbe_host_echo_poll(self.handle))

    def hold(self, on: bool = True) -> None:
        self.lib.vbe_host_echo_hold(self.handle, int(on))

    def release(self) -> int:
        """Complete every held chain, newest first; how many."""
        return int(self.lib.vbe_host_echo_release(self.handle))

    def fault(self) -> int:
        """The fault latched on the queue (enum vbe_vq_fault), 0 for none."""
        return int(self.lib.vbe_host_echo_fault(self.handle))

    def fault_count(self, fault: int | str) -> int:
        """Times the queue latched this fault class (a number or a name like 'LOOP')."""
        code = vq_faults()[fault].value if isinstance(fault, str) else fault
        return int(self.lib.vbe_host_echo_fault_count(self.handle, code))

    def fault_counts(self) -> dict[str, int]:
        return {name: self.fault_count(c.value) for name, c in vq_faults().items()}

    def notifies(self) -> int:
        """Used-buffer notifications the device sent."""
        return int(self.lib.vbe_host_echo_notifies(self.handle))
