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
from pathlib import Path
from typing import Any

from pyhost import corelib
from pyhost.machine.base import GuestInfo, Machine, MachineError, MachineTimeout, ScmiInfo
from pyhost.machine.described import guests_from_manifest, scmi_from_manifest
from pyhost.machine.platform import HostCall, SimPlatform
from pyhost.memory import GuardedMemory
from pyhost.sysload import SystemLibrary, load_system_library

#: notify() gives up when the backend still reports work after this many polls
POLL_LIMIT = 100_000


def _errno_name(rc: int) -> str:
    return errno.errorcode.get(-rc, str(rc)) if rc < 0 else str(rc)


class InProcessPlatform(SimPlatform):
    """The simulated platform of an in-process backend: the platform protocol through one
    call of the host library (``vbe_host_sim_cmd()``)."""

    def __init__(self, lib: Any, handle: Callable[[], Any], where: str) -> None:
        super().__init__(HostCall(lib, handle), where)


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
    """A system served by the C core inside this Python process: the demo system
    (examples/demo.yaml), or ``system``, a description (.yaml), a library from
    ``vbe build --host`` or its directory (see pyhost.sysload). What the system is comes
    from its manifest, generated from the same description as its tables."""

    name = "inprocess"

    def __init__(self, variant: str | None = None, system: Path | str | None = None) -> None:
        self.variant = variant
        self.system = Path(system) if system is not None else None
        self._system_lib: SystemLibrary | None = None  # keeps a generated cfg loaded
        self.core: corelib.Core | None = None
        self.handle: Any = None
        self._windows: list[GuardedMemory] = []
        self._guests: list[GuestInfo] = []
        self._platform: InProcessPlatform | None = None
        self._scmi: ScmiInfo | None = None
        self.polls = 0  # poll() calls since the machine was made

    # ---- lifecycle ----------------------------------------------------------------------

    def launch(self) -> None:
        if self.handle is not None:
            return
        self.core = corelib.load(self.variant)
        lib, ffi = self.lib, self.ffi
        self._system_lib = system = load_system_library(self.system)
        handle = lib.vbe_host_create(ffi.cast("const void *", system.cfg))
        if handle == ffi.NULL:
            raise MachineError(
                f"vbe_host_create() for {system.path} failed (out of memory, or simulated "
                "targets the simulated platform refuses)"
            )
        self.handle = handle
        try:
            self._guests = guests_from_manifest(system.manifest)
            self._scmi = scmi_from_manifest(system.manifest)
            self._windows = [GuardedMemory(g.window_size) for g in self._guests]
            bases = ffi.new("void *[]", [w.cdata for w in self._windows] or [ffi.NULL])
            rc = lib.vbe_host_start(handle, bases)
            if rc != 0:
                raise MachineError(
                    f"vbe_host_start() failed: {_errno_name(rc)} (the system does not fit "
                    "its windows, see vbe_sys_init)"
                )
            self._platform = InProcessPlatform(lib, lambda: self.handle, self.name)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Destroy the backend first (it points into the windows), then unmap them."""
        if self.handle is not None:
            self.lib.vbe_host_destroy(self.handle)
            self.handle = None
        self._platform = None
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
        """Serve every window once; True when the backend did something. ``polls`` counts
        the calls (benchmarks: backend polls per request)."""
        self._running()
        self.polls += 1
        return bool(self.lib.vbe_host_poll(self.handle))

    @property
    def platform(self) -> InProcessPlatform:
        self._running()
        assert self._platform is not None
        return self._platform

    @property
    def scmi(self) -> ScmiInfo | None:
        """SCMI agents, grants and resources, from the system's manifest."""
        self._running()
        return self._scmi
