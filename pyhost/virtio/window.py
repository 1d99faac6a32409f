"""The driver's view of one guest's fat-virtqueue window.

``WindowMem`` does sized loads and stores at window offsets (single 16/32-bit accesses
through cffi for the fields the other side reads concurrently, so they never tear).
``Window`` reads the header the device published, finds the device blocks, and owns the
two allocators every device of the window shares: the ring area and the data area.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any, Protocol

from pyhost import corelib
from pyhost.virtio.alloc import Allocator
from pyhost.virtio.errors import WindowError

FFI = corelib.make_ffi()
#: The #defines of virtio.h, fvq_layout.h and host.h (constants only: never call through it).
C: Any = FFI.dlopen(None)

F_INDIRECT_DESC = 1 << C.VBE_VIRTIO_F_INDIRECT_DESC
F_EVENT_IDX = 1 << C.VBE_VIRTIO_F_EVENT_IDX
F_VERSION_1 = 1 << C.VBE_VIRTIO_F_VERSION_1
#: Transport features this driver implements.
DRIVER_FEATURES = F_VERSION_1 | F_EVENT_IDX | F_INDIRECT_DESC

DEVICE_NAMES = {
    C.VBE_VIRTIO_ID_I2C: "i2c",
    C.VBE_VIRTIO_ID_SCMI: "scmi",
    C.VBE_HOST_ECHO_ID: "echo",
}


def device_name(device_id: int) -> str:
    return DEVICE_NAMES.get(device_id, f"id {device_id}")


class MachineLike(Protocol):
    """What the driver side needs from a machine (pyhost.machine.base.Machine has it)."""

    name: str

    def window(self, guest: int) -> memoryview: ...
    def window_ptr(self, guest: int) -> int: ...
    def notify(self, guest: int) -> None: ...
    def wait_for(self, guest: int, cond: Any, timeout: float, what: str) -> None: ...


class WindowMem:
    """Loads and stores at window offsets. Offsets are checked: a bad one raises IndexError."""

    def __init__(self, view: memoryview, ptr: int) -> None:
        self.view = view
        self.size = len(view)
        self.ptr = ptr
        #: the window as a uint16_t array (unchecked: index = offset / 2)
        self.u16: Any = FFI.cast("uint16_t *", ptr)

    def check(self, off: int, n: int, align: int) -> None:
        """IndexError unless ``[off, off + n)`` is inside the window and ``off`` aligned."""
        if off < 0 or off + n > self.size or off % align:
            raise IndexError(
                f"window access [0x{off:x}, +{n}) outside 0x{self.size:x} bytes "
                f"or not {align}-aligned"
            )

    def st16(self, off: int, value: int) -> None:
        if off < 0 or off + 2 > self.size or off & 1:
            self.check(off, 2, 2)
        self.u16[off >> 1] = value & 0xFFFF

    def read(self, off: int, n: int) -> bytes:
        self.check(off, n, 1)
        return bytes(self.view[off : off + n])

    def write(self, off: int, data: bytes) -> None:
        self.check(off, len(data), 1)
        self.view[off : off + len(data)] = data

    def fill(self, off: int, n: int, byte: int = 0) -> None:
        self.check(off, n, 1)
        self.view[off : off + n] = bytes([byte]) * n

    def struct(self, cdecl: str, off: int) -> Any:
        """A cffi pointer of type ``cdecl`` (e.g. 'struct vbe_fvq_header *') at ``off``."""
        self.check(off, FFI.sizeof(FFI.typeof(cdecl).item), 4)
        return FFI.cast(cdecl, self.ptr + off)


@dataclass(frozen=True)
class Layout:
    """The header fields the driver relies on, as published."""

    window_size: int
    version: tuple[int, int]
    guest_id: int
    num_devices: int
    devblock_off: int
    devblock_size: int
    ring_off: int
    ring_size: int
    data_off: int
    data_size: int
    boot_seq: int
    notify_methods: int


_windows: weakref.WeakKeyDictionary[Any, dict[int, Window]] = weakref.WeakKeyDictionary()


class Window:
    """One guest's window: header, device blocks, ring and data allocators."""

    def __init__(self, machine: MachineLike, guest: int, timeout: float = 5.0) -> None:
        self.machine = machine
        self.guest = guest
        self.mem = WindowMem(machine.window(guest), machine.window_ptr(guest))
        self.header = self.mem.struct("struct vbe_fvq_header *", 0)
        machine.wait_for(guest, self.ready, timeout, "the backend to publish the window")
        self.layout = self._read_layout()
        lay = self.layout
        self.ring_alloc = Allocator(lay.ring_off, lay.ring_size, name=f"{self} ring area")
        self.data_alloc = Allocator(lay.data_off, lay.data_size, name=f"{self} data area")

    @classmethod
    def of(cls, machine: MachineLike, guest: int, timeout: float = 5.0) -> Window:
        """The shared Window of a machine's guest (a new one if the backend restarted)."""
        per_machine = _windows.setdefault(machine, {})
        win = per_machine.get(guest)
        if win is None or not win.ready() or win.header.boot_seq != win.layout.boot_seq:
            win = cls(machine, guest, timeout)
            per_machine[guest] = win
        return win

    def ready(self) -> bool:
        h = self.header
        return h.magic == C.VBE_FVQ_MAGIC and h.backend_state == C.VBE_FVQ_BACKEND_READY

    def _read_layout(self) -> Layout:
        h = self.header
        lay = Layout(
            window_size=h.window_size,
            version=(h.version_major, h.version_minor),
            guest_id=h.guest_id,
            num_devices=h.num_devices,
            devblock_off=h.devblock_off,
            devblock_size=h.devblock_size,
            ring_off=h.ring_off,
            ring_size=h.ring_size,
            data_off=h.data_off,
            data_size=h.data_size,
            boot_seq=h.boot_seq,
            notify_methods=h.notify_methods,
        )
        problems = []
        if lay.version[0] != C.VBE_FVQ_VERSION_MAJOR:
            problems.append(
                f"layout version {lay.version[0]}.{lay.version[1]}, pyhost speaks "
                f"{C.VBE_FVQ_VERSION_MAJOR}.x"
            )
        if lay.window_size != self.mem.size:
            problems.append(f"window_size {lay.window_size} but {self.mem.size} bytes mapped")
        if lay.num_devices > C.VBE_FVQ_MAX_DEVICES:
            problems.append(f"num_devices {lay.num_devices} > {C.VBE_FVQ_MAX_DEVICES}")
        if lay.devblock_size < FFI.sizeof("struct vbe_fvq_devblock"):
            problems.append(f"devblock_size {lay.devblock_size} is smaller than the struct")
        areas = {
            "device blocks": (lay.devblock_off, lay.num_devices * lay.devblock_size),
            "ring area": (lay.ring_off, lay.ring_size),
            "data area": (lay.data_off, lay.data_size),
        }
        for what, (off, size) in areas.items():
            if off + size > self.mem.size:
                problems.append(f"{what} [0x{off:x}, +0x{size:x}) ends past the window")
        if problems:
            raise WindowError(f"{self}: bad window header: " + "; ".join(problems))
        return lay

    def devblock_offset(self, slot: int) -> int:
        if not 0 <= slot < self.layout.num_devices:
            raise WindowError(f"{self}: no device slot {slot} ({self.layout.num_devices} slots)")
        return self.layout.devblock_off + slot * self.layout.devblock_size

    def devices(self) -> list[tuple[int, int]]:
        """(slot, device_id) of every slot (device_id 0 = empty)."""
        out = []
        for slot in range(self.layout.num_devices):
            blk = self.mem.struct("struct vbe_fvq_devblock *", self.devblock_offset(slot))
            out.append((slot, int(blk.dev.device_id)))
        return out

    def describe_devices(self) -> str:
        parts = [
            f"slot {slot}: {device_name(dev_id) if dev_id else 'empty'}"
            + (f" (id {dev_id})" if dev_id else "")
            for slot, dev_id in self.devices()
        ]
        return ", ".join(parts) or "no device slots"

    def __str__(self) -> str:
        lookup = getattr(self.machine, "guest", None)
        try:
            name = f" ({lookup(self.guest).name})" if lookup else ""
        except (LookupError, RuntimeError):
            name = ""
        return f"guest {self.guest}{name} on {getattr(self.machine, 'name', '?')}"
