"""The C core's side of a vhost-user device: the host backend (platform + SCMI server +
every guest's devices, no windows) and one binding per served guest device (vbe/vhu.h)."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

from pyhost.corelib import Core, load
from pyhost.machine.base import MachineError
from pyhost.sysload import SystemLibrary, load_system_library

KINDS = {"i2c": 0, "scmi": 1}


class BackendError(RuntimeError):
    """The backend cannot serve what was asked; the message says why."""


def errno_name(rc: int) -> str:
    return errno.errorcode.get(-rc, str(rc))


def guest_index(names: list[str], name: str) -> int:
    """Index of guest ``name`` among ``names``; BackendError lists the guests there are."""
    if name not in names:
        raise BackendError(f"no guest {name!r} in the system (guests: {', '.join(names)})")
    return names.index(name)


class Host:
    """One simulated platform and its system description (default the demo), shared by
    every served device."""

    def __init__(self, system: Path | None = None) -> None:
        self.core: Core = load()
        lib, ffi = self.core.lib, self.core.ffi
        try:
            self.system: SystemLibrary = load_system_library(system)
        except MachineError as exc:
            raise BackendError(str(exc)) from exc
        handle = lib.vbe_host_create(ffi.cast("const void *", self.system.cfg))
        if handle == ffi.NULL:
            raise BackendError("cannot create the backend (out of memory or bad description)")
        self.handle = handle
        rc = lib.vbe_host_start_vhu(handle)
        if rc != 0:
            lib.vbe_host_destroy(handle)
            raise BackendError(f"cannot set the guests' devices up: {errno_name(rc)}")

    def guests(self) -> list[str]:
        """Guest names by index, from the system's manifest."""
        return [str(g["name"]) for g in self.system.manifest["guests"]]

    def guest_index(self, name: str) -> int:
        return guest_index(self.guests(), name)

    def device(self, guest: str, kind: str) -> Device:
        return Device(self, guest, kind)

    def has_device(self, guest: str, kind: str) -> bool:
        """Whether ``guest`` has a virtio-``kind`` device (that is not being served)."""
        try:
            Device(self, guest, kind).close()
        except BackendError:
            return False
        return True

    def close(self) -> None:
        if self.handle is not None:
            self.core.lib.vbe_host_destroy(self.handle)
            self.handle = None


class Binding:
    """A device bound to rings in guest RAM through the core's vbe_vhu (handle ``v``): the
    calls the Session makes. Subclasses create the handle and release it in close()."""

    lib: Any
    ffi: Any
    v: Any
    guest: str
    kind: str
    num_queues: int
    device_id: int

    def _bind(self, v: Any) -> None:
        self.v = v
        self.num_queues = int(self.lib.vbe_host_vhu_num_queues(v))
        self.device_id = int(self.lib.vbe_host_vhu_device_id(v))

    def features(self) -> int:
        return int(self.lib.vbe_host_vhu_features(self.v))

    def set_features(self, features: int) -> int:
        return int(self.lib.vbe_host_vhu_set_features(self.v, features))

    def reset(self) -> None:
        self.lib.vbe_host_vhu_reset(self.v)

    def mem_clear(self) -> None:
        self.lib.vbe_host_vhu_mem_clear(self.v)

    def mem_add(self, gpa: int, size: int, uaddr: int, host_ptr: int) -> int:
        ptr = self.ffi.cast("void *", host_ptr)
        return int(self.lib.vbe_host_vhu_mem_add(self.v, gpa, size, uaddr, ptr))

    def set_num(self, q: int, num: int) -> int:
        return int(self.lib.vbe_host_vhu_set_num(self.v, q, num))

    def set_addr(self, q: int, desc: int, used: int, avail: int) -> int:
        return int(self.lib.vbe_host_vhu_set_addr(self.v, q, desc, used, avail))

    def set_base(self, q: int, base: int) -> int:
        return int(self.lib.vbe_host_vhu_set_base(self.v, q, base))

    def get_base(self, q: int) -> tuple[int, int]:
        out = self.ffi.new("uint16_t *")
        rc = int(self.lib.vbe_host_vhu_get_base(self.v, q, out))
        return rc, int(out[0])

    def set_kick(self, q: int) -> int:
        return int(self.lib.vbe_host_vhu_set_kick(self.v, q))

    def set_enable(self, q: int, on: int) -> int:
        return int(self.lib.vbe_host_vhu_set_enable(self.v, q, on))

    def kick(self) -> tuple[int, int]:
        """(rc, bit per queue whose driver must be signalled)."""
        call = self.ffi.new("uint32_t *")
        rc = int(self.lib.vbe_host_vhu_kick(self.v, call))
        return rc, int(call[0])

    def queue_state(self, q: int) -> tuple[int, bool]:
        fault = self.ffi.new("uint32_t *")
        live = self.ffi.new("int *")
        self.lib.vbe_host_vhu_queue_state(self.v, q, fault, live)
        return int(fault[0]), bool(live[0])

    def fault_str(self, fault: int) -> str:
        return self.ffi.string(self.lib.vbe_host_vhu_fault_str(fault)).decode()

    def driver_restarts(self) -> int:
        """Times the backend was reset because the guest's rings restarted from 0 (a new
        driver after a virtio reset, which vhost-user only shows that way: vbe/vhu.h)."""
        return int(self.lib.vbe_host_vhu_driver_restarts(self.v))


class Device(Binding):
    """A guest's virtio-i2c or virtio-scmi device, bound to rings in guest RAM."""

    def __init__(self, host: Host, guest: str, kind: str) -> None:
        if kind not in KINDS:
            raise BackendError(f"device kind {kind!r}: use one of {', '.join(KINDS)}")
        self.host = host
        self.lib = host.core.lib
        self.ffi = host.core.ffi
        self.guest = guest
        self.kind = kind
        v = self.lib.vbe_host_vhu_create(host.handle, host.guest_index(guest), KINDS[kind])
        if v == self.ffi.NULL:
            raise BackendError(f"guest {guest!r} has no virtio-{kind} device (or it is in use)")
        self._bind(v)

    def close(self) -> None:
        if self.v is not None:
            self.lib.vbe_host_vhu_destroy(self.v)
            self.v = None
