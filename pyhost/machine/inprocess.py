"""The backend in this process: the C core as a shared library, loaded with cffi.

Each guest's window is a GuardedMemory mapping, so a stray access by the core faults at
once. The backend runs only when the harness calls it: ``notify()`` serves the windows
until there is nothing left to do, ``wait_for()`` serves them between checks.
"""

from __future__ import annotations

import errno
import os
import time
from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyhost import corelib
from pyhost.headers import I2C_H, PLAT_H, SIM_H, defines, enum
from pyhost.machine.base import (
    BusMessage,
    BusTransaction,
    GuestInfo,
    I2cRoute,
    Machine,
    MachineError,
    MachineTimeout,
    Platform,
    ScmiInfo,
)
from pyhost.machine.inprocess_scmi import ScmiPlatformMixin, scmi_info
from pyhost.memory import GuardedMemory
from pyhost.sysload import SystemLibrary, load_system_library

#: notify() gives up when the backend still reports work after this many polls
POLL_LIMIT = 100_000
ROUTE_RO = defines(I2C_H)["VBE_I2C_ROUTE_RO"].value
ROUTE_10BIT = defines(I2C_H)["VBE_I2C_ROUTE_10BIT"].value
MSG_READ = defines(PLAT_H)["VBE_I2C_MSG_READ"].value


def _errno_name(rc: int) -> str:
    return errno.errorcode.get(-rc, str(rc)) if rc < 0 else str(rc)


@dataclass(frozen=True)
class I2cStats:
    requests: int
    transactions: int
    errors: dict[str, int]  # enum vbe_i2c_error name (without VBE_I2C_ERR_) -> count


class InProcessPlatform(ScmiPlatformMixin, Platform):
    """The simulated platform of an in-process backend (SCMI side: inprocess_scmi.py)."""

    def __init__(self, machine: InProcessMachine) -> None:
        self._m = machine

    def set_temp(self, bus: int, addr: int, millicelsius: int) -> None:
        rc = self._m.lib.vbe_host_sim_set_temp(self._m.handle, bus, addr, millicelsius)
        if rc != 0:
            raise MachineError(f"no simulated LM75 at bus {bus} address 0x{addr:02x} ({rc})")

    def eeprom(self, bus: int, addr: int) -> bytes:
        size = defines(SIM_H)["VBE_SIM_AT24_SIZE"].value
        out = self._m.ffi.new("uint8_t[]", size)
        rc = self._m.lib.vbe_host_sim_eeprom_peek(self._m.handle, bus, addr, out)
        if rc != 0:
            raise MachineError(f"no simulated AT24 at bus {bus} address 0x{addr:02x} ({rc})")
        return bytes(self._m.ffi.buffer(out, size))

    def bus_log_seq(self) -> int:
        return int(self._m.lib.vbe_host_bus_log_seq(self._m.handle))

    def bus_log(self, since: int = 0) -> list[BusTransaction]:
        ffi, lib, h = self._m.ffi, self._m.lib, self._m.handle
        newest = self.bus_log_seq()
        bus, addr = ffi.new("uint8_t *"), ffi.new("uint16_t *")
        nmsg, result = ffi.new("uint8_t *"), ffi.new("int32_t *")
        flags, length, data = ffi.new("uint8_t *"), ffi.new("uint32_t *"), ffi.new("uint8_t[16]")
        out = []
        for seq in range(since + 1, newest + 1):
            if lib.vbe_host_bus_log_get(h, seq, bus, addr, nmsg, result) != 0:
                continue  # older than what the log keeps
            msgs = []
            for i in range(nmsg[0]):
                if lib.vbe_host_bus_log_msg(h, seq, i, flags, length, data) != 0:
                    break  # messages past what an entry records
                n = min(length[0], 16)
                msgs.append(
                    BusMessage(
                        bool(flags[0] & MSG_READ),
                        int(length[0]),
                        bytes(ffi.buffer(data, n)),
                        int(flags[0]),
                    )
                )
            out.append(BusTransaction(seq, int(bus[0]), int(addr[0]), int(result[0]), tuple(msgs)))
        return out


class PolledMachine(Machine):
    """A backend that runs only when polled from this process (no threads).

    ``notify()`` polls until the backend reports no work; ``wait_for()`` alternates
    ``cond()`` and one poll until ``cond()`` holds or the timeout passes.
    """

    @abstractmethod
    def poll(self) -> bool:
        """Serve every window once; True when the backend did something."""

    def _where(self, guest: int) -> str:
        g = self.guest(guest)
        return f"{self.name}: guest {g.index} ({g.name})"

    def notify(self, guest: int) -> None:
        self.window(guest)  # checks the guest exists and the machine runs
        for _ in range(POLL_LIMIT):
            if not self.poll():
                return
        raise MachineError(
            f"{self._where(guest)}: the backend still had work after "
            f"{POLL_LIMIT} polls (a livelock in the core?)"
        )

    def wait_for(self, guest: int, cond: Callable[[], bool], timeout: float, what: str) -> None:
        self.window(guest)
        deadline = time.monotonic() + timeout
        while not cond():
            busy = self.poll()
            if time.monotonic() > deadline:
                raise MachineTimeout(
                    f"{self._where(guest)}: timed out after {timeout} s waiting for {what} "
                    f"(the backend is {'still busy' if busy else 'idle'})"
                )
            if not busy:
                os.sched_yield()


class InProcessMachine(PolledMachine):
    """A system served by the C core inside this Python process: the built-in demo, or
    ``system``, a description (.yaml), a library from ``vbe build --host`` or its directory
    (see pyhost.sysload)."""

    name = "inprocess"

    def __init__(self, variant: str | None = None, system: Path | str | None = None) -> None:
        self.variant = variant
        self.system = Path(system) if system is not None else None
        self._system_lib: SystemLibrary | None = None  # keeps a generated cfg loaded
        self.core: corelib.Core | None = None
        self.handle: Any = None
        self._windows: list[GuardedMemory] = []
        self._guests: list[GuestInfo] = []
        self._platform = InProcessPlatform(self)
        self._scmi: ScmiInfo | bool | None = None  # cached; False: the system has no SCMI

    # ---- lifecycle ----------------------------------------------------------------------

    def launch(self) -> None:
        if self.handle is not None:
            return
        self.core = corelib.load(self.variant)
        lib, ffi = self.lib, self.ffi
        handle = self._create_backend()
        self.handle = handle
        try:
            self._guests = [self._guest_info(g) for g in range(lib.vbe_host_guest_count(handle))]
            self._windows = [GuardedMemory(g.window_size) for g in self._guests]
            bases = ffi.new("void *[]", [w.cdata for w in self._windows] or [ffi.NULL])
            rc = lib.vbe_host_start(handle, bases)
            if rc != 0:
                raise MachineError(
                    f"vbe_host_start() failed: {_errno_name(rc)} (the system does not fit "
                    "its windows, see vbe_sys_init)"
                )
        except BaseException:
            self.close()
            raise

    def _create_backend(self) -> Any:
        """The backend handle: the built-in demo, or the system given to the constructor."""
        lib, ffi = self.lib, self.ffi
        if self.system is None:
            handle = lib.vbe_host_create_demo()
            what = "vbe_host_create_demo()"
        else:
            self._system_lib = load_system_library(self.system)
            handle = lib.vbe_host_create(ffi.cast("const void *", self._system_lib.cfg))
            what = f"vbe_host_create() for {self._system_lib.path}"
        if handle == ffi.NULL:
            raise MachineError(f"{what} failed (out of memory, or simulated targets the "
                               "simulated platform refuses)")
        return handle

    def close(self) -> None:
        """Destroy the backend first (it points into the windows), then unmap them."""
        if self.handle is not None:
            self.lib.vbe_host_destroy(self.handle)
            self.handle = None
        self._scmi = None
        for w in self._windows:
            w.close()
        self._windows = []

    @property
    def lib(self) -> Any:
        if self.core is None:
            raise MachineError("the in-process machine is not launched: call launch() first")
        return self.core.lib

    @property
    def ffi(self) -> Any:
        return corelib.make_ffi()

    def _guest_info(self, g: int) -> GuestInfo:
        lib, ffi, h = self.lib, self.ffi, self.handle
        name = ffi.string(lib.vbe_host_guest_name(h, g)).decode()
        bus_name = ffi.new("const char **")
        bus = lib.vbe_host_i2c_bus(h, g, bus_name)
        routes = []
        ga, ba, fl = ffi.new("uint16_t *"), ffi.new("uint16_t *"), ffi.new("uint8_t *")
        count = lib.vbe_host_i2c_route(h, g, 0, ga, ba, fl)
        for i in range(count):
            lib.vbe_host_i2c_route(h, g, i, ga, ba, fl)
            routes.append(
                I2cRoute(
                    int(ga[0]),
                    int(ba[0]),
                    bool(fl[0] & ROUTE_RO),
                    bool(fl[0] & ROUTE_10BIT),
                    select_max=max(0, int(lib.vbe_host_i2c_route_select(h, g, i))),
                )
            )
        return GuestInfo(
            index=g,
            name=name,
            window_size=int(lib.vbe_host_window_size(h, g)),
            i2c_bus=ffi.string(bus_name[0]).decode() if bus >= 0 and bus_name[0] else None,
            i2c_bus_id=bus if bus >= 0 else None,
            i2c_routes=tuple(routes),
        )

    # ---- the guest side's view ----------------------------------------------------------

    def _running(self) -> None:
        if self.handle is None:
            raise MachineError(
                "the in-process machine is not running (launch() it, or it was closed)"
            )

    @property
    def guests(self) -> list[GuestInfo]:
        self._running()
        return list(self._guests)

    def _window(self, guest: int) -> GuardedMemory:
        self._running()
        if not 0 <= guest < len(self._windows):
            self.guest(guest)  # raises, listing the guests
        return self._windows[guest]

    def window(self, guest: int) -> memoryview:
        return self._window(guest).view

    def window_ptr(self, guest: int) -> int:
        return self._window(guest).ptr

    def poll(self) -> bool:
        """Serve every window once; True when the backend did something."""
        self._running()
        return bool(self.lib.vbe_host_poll(self.handle))

    @property
    def platform(self) -> InProcessPlatform:
        self._running()
        return self._platform

    @property
    def scmi(self) -> ScmiInfo | None:
        """SCMI agents, grants and resources, from the host API (see inprocess_scmi.py)."""
        self._running()
        if self._scmi is None:
            self._scmi = scmi_info(self) or False
        return self._scmi if isinstance(self._scmi, ScmiInfo) else None

    def i2c_stats(self, guest: int) -> I2cStats | None:
        """The guest's virtio-i2c counters; None when it has no virtio-i2c device."""
        self._window(guest)
        names = [k.removeprefix("VBE_I2C_ERR_") for k in enum(I2C_H, "vbe_i2c_error")]
        ffi = self.ffi
        req, tra = ffi.new("uint32_t *"), ffi.new("uint32_t *")
        errs = ffi.new("uint32_t[]", max(len(names), 9))
        if self.lib.vbe_host_i2c_stats(self.handle, guest, req, tra, errs) < 0:
            return None
        return I2cStats(int(req[0]), int(tra[0]), {n: int(errs[i]) for i, n in enumerate(names)})
