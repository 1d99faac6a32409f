"""A guest domain for the virtio-mmio and IOREQ tests: the test plays Xen and the guest.

``Domain`` owns what Xen and the guest would: an ioreq page (one slot per vCPU), guest RAM
(rings at the bottom, buffers above), and the host library's IOREQ server for one guest of
the demo system (vbe_host_xen_*), bound to the same simulated platform as every other guest.
Windows sit where ``vbe gen`` puts them for Xen: 0x02000000 + 0x200 per device. The demo
system is loaded as InProcessMachine loads it (pyhost.sysload: examples/demo.yaml's library
and manifest); the platform is read through the platform protocol (SimPlatform, HostCall).

``Domain(..., grants=True)`` is a guest with Linux's grant DMA ops: the devices reach its
RAM only through the grant table the test plays (pyhost.virtio.grant: every map and unmap
counted, each map a mapping of its own), and the driver grants rings for the queue's life
and buffers per request.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pyhost import corelib
from pyhost.machine.base import ScmiInfo
from pyhost.machine.described import scmi_from_manifest
from pyhost.machine.platform import HostCall, SimPlatform
from pyhost.memory import GuardedMemory
from pyhost.sysload import load_system_library
from pyhost.virtio.alloc import Allocator
from pyhost.virtio.grant import GrantDma, GrantTable, SharedRam
from pyhost.virtio.mmio import MmioDevice, XenIoreqTrap
from pyhost.virtio.window import WindowMem

BASE = 0x0200_0000
RAM_SIZE = 0x4_0000
RING_AREA = 0x1_0000
PAGE_SIZE = 4096
SCMI_ID, I2C_ID = 32, 34
F_ZERO_LENGTH = 1 << 0
F_P2A = 1 << 0


@dataclass
class Domain:
    core: corelib.Core
    host: Any
    guest: int
    vcpus: int = 1
    grants: bool = False
    page: GuardedMemory = field(init=False)
    ram: GuardedMemory | SharedRam = field(init=False)
    handle: Any = field(init=False)
    trap: XenIoreqTrap = field(init=False)
    table: GrantTable | None = field(init=False, default=None)
    dma: GrantDma | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        lib, ffi = self.core.lib, self.core.ffi
        self.page = GuardedMemory(PAGE_SIZE)
        if self.grants:
            self.ram = SharedRam(RAM_SIZE)
            self.table = GrantTable(self.core, self.ram)
            self.dma = GrantDma(self.table)
            gmap, gunmap = self.table.callbacks()
            self.handle = lib.vbe_host_xen_create_gnt(
                self.host, self.guest, self.page.cdata, self.vcpus, BASE, gmap, gunmap, ffi.NULL
            )
        else:
            self.ram = GuardedMemory(RAM_SIZE)
            # guest RAM at guest physical 0: descriptor addresses are offsets in self.ram
            self.handle = lib.vbe_host_xen_create(
                self.host, self.guest, self.page.cdata, self.vcpus, BASE, 0, RAM_SIZE,
                self.ram.cdata,
            )  # fmt: skip
        assert self.handle != ffi.NULL, "vbe_host_xen_create refused the guest"
        self.mem = WindowMem(self.ram.view, self.ram.ptr)
        self.ring_alloc = Allocator(0, RING_AREA, name="ring area")
        self.data_alloc = Allocator(RING_AREA, RAM_SIZE - RING_AREA)
        self.trap = XenIoreqTrap(self.core, self.handle, self.page.view)

    def base_of(self, device_id: int) -> int:
        lib = self.core.lib
        for k in range(lib.vbe_host_xen_num_devices(self.handle)):
            if lib.vbe_host_xen_device_id(self.handle, k) == device_id:
                return BASE + 0x200 * k
        raise LookupError(f"guest {self.guest} has no device {device_id}")

    def window(self, device_id: int) -> int:
        return (self.base_of(device_id) - BASE) // 0x200

    def device(self, device_id: int) -> MmioDevice:
        return MmioDevice(
            self.trap,
            self.base_of(device_id),
            self.mem,
            self.ring_alloc,
            self.data_alloc,
            dma=self.dma,
        )

    def open(self, device_id: int, **kw: Any) -> MmioDevice:
        bits = F_ZERO_LENGTH if device_id == I2C_ID else F_P2A
        return MmioDevice.open(
            self.trap,
            self.base_of(device_id),
            self.mem,
            self.ring_alloc,
            self.data_alloc,
            device_bits=bits,
            dma=self.dma,
            **kw,
        )

    def irq(self, device_id: int) -> tuple[int, int]:
        raised = self.core.ffi.new("uint32_t *")
        level = self.core.lib.vbe_host_xen_irq(self.handle, self.window(device_id), raised)
        return level, int(raised[0])

    def ioreq_stat(self, idx: int) -> int:
        return int(self.core.lib.vbe_host_xen_ioreq_stat(self.handle, idx))

    def mmio_stat(self, device_id: int, idx: int) -> int:
        return int(self.core.lib.vbe_host_xen_mmio_stat(self.handle, self.window(device_id), idx))

    def gnt_stat(self, idx: int) -> int:
        return int(self.core.lib.vbe_host_xen_gnt_stat(self.handle, idx))

    def fault(self, device_id: int, queue: int) -> int:
        return int(self.core.lib.vbe_host_xen_fault(self.handle, self.window(device_id), queue))

    def close(self) -> None:
        if self.handle is not None:
            self.core.lib.vbe_host_xen_destroy(self.handle)
            self.handle = None
        self.page.close()
        self.ram.close()


@contextmanager
def backend() -> Iterator[tuple[corelib.Core, Any]]:
    """The demo system's devices on one simulated platform, without windows."""
    core = corelib.load()
    system = load_system_library()  # the demo, built from examples/demo.yaml when stale
    host = core.lib.vbe_host_create(core.ffi.cast("const void *", system.cfg))
    assert host != core.ffi.NULL
    try:
        assert core.lib.vbe_host_start_vhu(host) == 0
        yield core, host
    finally:
        core.lib.vbe_host_destroy(host)


def i2c_chain(addr: int, *, read: int = 0, write: bytes = b"") -> tuple[list[bytes], list[int]]:
    """One virtio-i2c request without FAIL_NEXT (out_hdr, buffer, in_hdr)."""
    if read:
        return [struct.pack("<HHI", addr << 1, 0, 0x2)], [read, 1]
    return [struct.pack("<HHI", addr << 1, 0, 0), write], [1]


def scmi_header(proto: int, msg: int, token: int = 0) -> int:
    return msg | proto << 10 | token << 18


def platform(core: corelib.Core, host: Any) -> SimPlatform:
    """The backend's simulated platform, through the platform protocol."""
    return SimPlatform(HostCall(core.lib, lambda: host), "vbe_host_xen")


def res_state(core: corelib.Core, host: Any, kind: str, index: int) -> tuple[bool, int]:
    """(on, votes) of a platform resource."""
    st = platform(core, host).state(kind, index)
    return st.on, st.votes


def demo_scmi() -> ScmiInfo:
    """The demo system's SCMI agents and resources, from its manifest."""
    scmi = scmi_from_manifest(load_system_library().manifest)
    assert scmi is not None
    return scmi
