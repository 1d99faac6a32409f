"""The driver side of a virtio-mmio device (virtio 1.2, 4.2, version 2), as Linux drives it.

Registers are reached through a :class:`Trap`: whatever carries a guest's MMIO access to
the device model (an in-process IOREQ page, :class:`XenIoreqTrap`, or a real hypervisor).
Rings and buffers live in guest RAM (a :class:`WindowMem` whose offsets are guest physical
addresses) and are driven by pyhost's one driver-side ring, :class:`SplitRing`.

The initialisation follows virtio 1.2, 4.2.3.1 and Linux's virtio_mmio.c: magic, version,
device id, reset, ACKNOWLEDGE, DRIVER, features through the two selector words,
FEATURES_OK read back, per queue QueueSel / QueueNumMax / QueueNum / the three addresses /
QueueReady, then DRIVER_OK. Interrupts are counted by the trap; InterruptStatus is read and
acknowledged as the driver's interrupt handler does.

With ``dma`` (pyhost.virtio.grant.GrantDma: a Xen guest with grant DMA ops) the driver
accepts VIRTIO_F_ACCESS_PLATFORM, each queue's rings are one page-aligned coherent
allocation granted for the queue's life (ended after the reset that releases it), and
buffers are granted per request (pyhost.virtio.ring.SplitRing).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pyhost import corelib
from pyhost.virtio.alloc import Allocator
from pyhost.virtio.device import feature_names, status_names
from pyhost.virtio.errors import (
    DeviceNeedsReset,
    DeviceNotFound,
    FeaturesRefused,
    QueueSetupError,
    RequestTimeout,
)
from pyhost.virtio.grant import GrantDma
from pyhost.virtio.ring import RingLayout, SplitRing, Used
from pyhost.virtio.window import DRIVER_FEATURES, F_EVENT_IDX, F_INDIRECT_DESC, C, WindowMem

# Register offsets (virtio 1.2, 4.2.2)
MAGIC_VALUE = 0x000
VERSION = 0x004
DEVICE_ID = 0x008
VENDOR_ID = 0x00C
DEVICE_FEATURES = 0x010
DEVICE_FEATURES_SEL = 0x014
DRIVER_FEATURES_REG = 0x020
DRIVER_FEATURES_SEL = 0x024
QUEUE_SEL = 0x030
QUEUE_NUM_MAX = 0x034
QUEUE_NUM = 0x038
QUEUE_READY = 0x044
QUEUE_NOTIFY = 0x050
INTERRUPT_STATUS = 0x060
INTERRUPT_ACK = 0x064
STATUS = 0x070
QUEUE_DESC_LOW = 0x080
QUEUE_DRIVER_LOW = 0x090
QUEUE_DEVICE_LOW = 0x0A0
SHM_SEL = 0x0AC
SHM_LEN_LOW = 0x0B0
CONFIG_GENERATION = 0x0FC
CONFIG = 0x100
WINDOW_SIZE = 0x200
MAGIC = 0x74726976  # "virt"
F_ACCESS_PLATFORM = 1 << C.VBE_VIRTIO_F_ACCESS_PLATFORM

INT_VRING = 0x1
INT_CONFIG = 0x2

ACKNOWLEDGE = C.VBE_VIRTIO_STATUS_ACKNOWLEDGE
DRIVER = C.VBE_VIRTIO_STATUS_DRIVER
FEATURES_OK = C.VBE_VIRTIO_STATUS_FEATURES_OK
DRIVER_OK = C.VBE_VIRTIO_STATUS_DRIVER_OK
NEEDS_RESET = C.VBE_VIRTIO_STATUS_DEVICE_NEEDS_RESET


class Trap(Protocol):
    """Carries one guest access to the device model and back."""

    def read(self, addr: int, size: int) -> int: ...
    def write(self, addr: int, size: int, value: int) -> None: ...
    def run(self) -> None:
        """Let the device model serve what the accesses asked for (a notify)."""


class MmioDevice:
    """One virtio-mmio device at guest physical ``base``, seen from the driver."""

    def __init__(
        self,
        trap: Trap,
        base: int,
        mem: WindowMem,
        ring_alloc: Allocator,
        data_alloc: Allocator,
        *,
        name: str = "virtio-mmio",
        dma: GrantDma | None = None,
    ) -> None:
        self.trap = trap
        self.dma = dma
        self.base = base
        self.mem = mem
        self.ring_alloc = ring_alloc
        self.data_alloc = data_alloc
        self.name = f"{name} @0x{base:x}"
        self.features = 0
        self.queues: dict[int, MmioQueue] = {}
        magic, version = self.read32(MAGIC_VALUE), self.read32(VERSION)
        if magic != MAGIC or version != 2:
            raise DeviceNotFound(
                f"{self.name}: magic 0x{magic:08x} version {version}: not a virtio-mmio "
                "version 2 device (a legacy or absent device)"
            )
        self.device_id = self.read32(DEVICE_ID)

    # ---- registers --------------------------------------------------------------------

    def read32(self, off: int) -> int:
        return self.trap.read(self.base + off, 4)

    def write32(self, off: int, value: int) -> None:
        self.trap.write(self.base + off, 4, value & 0xFFFFFFFF)

    def config(self, off: int, size: int) -> int:
        """A configuration field, read with its natural width (4.2.2.2)."""
        return self.trap.read(self.base + CONFIG + off, size)

    @property
    def device_features(self) -> int:
        self.write32(DEVICE_FEATURES_SEL, 0)
        lo = self.read32(DEVICE_FEATURES)
        self.write32(DEVICE_FEATURES_SEL, 1)
        return lo | self.read32(DEVICE_FEATURES) << 32

    @property
    def status(self) -> int:
        return self.read32(STATUS)

    def write_status(self, value: int) -> int:
        self.write32(STATUS, value)
        return self.status

    def reset(self) -> None:
        status = self.write_status(0)
        if status != 0:
            raise DeviceNeedsReset(f"{self.name}: status {status_names(status)} after reset")
        for q in self.queues.values():
            q.release()
        self.queues.clear()
        self.features = 0

    def negotiate(self, wanted: int) -> int:
        status = self.write_status(ACKNOWLEDGE)
        status = self.write_status(status | DRIVER)
        self.write32(DRIVER_FEATURES_SEL, 0)
        self.write32(DRIVER_FEATURES_REG, wanted & 0xFFFFFFFF)
        self.write32(DRIVER_FEATURES_SEL, 1)
        self.write32(DRIVER_FEATURES_REG, wanted >> 32)
        status = self.write_status(status | FEATURES_OK)
        if not status & FEATURES_OK:
            raise FeaturesRefused(
                f"{self.name} refused features {feature_names(wanted)}; it offers "
                f"{feature_names(self.device_features)}"
            )
        self.features = wanted
        return wanted

    def setup_queue(self, idx: int, size: int | None = None) -> MmioQueue:
        """Place queue ``idx`` in guest RAM and write its registers, QueueReady last."""
        self.write32(QUEUE_SEL, idx)
        if self.read32(QUEUE_READY):
            raise QueueSetupError(f"{self.name}: queue {idx} is already ready")
        size_max = self.read32(QUEUE_NUM_MAX)
        if size_max == 0:
            raise QueueSetupError(f"{self.name}: no queue {idx} (QueueNumMax 0)")
        size = size_max if size is None else size
        if size < 1 or size > size_max or size & (size - 1):
            raise QueueSetupError(f"{self.name}: queue {idx} size {size} (max {size_max})")
        nbytes = RingLayout.at(0, size).end
        align = 4096 if self.dma is not None else 64  # a coherent allocation: whole pages
        base = self.ring_alloc.alloc(nbytes, f"queue {idx} rings", align)
        layout = RingLayout.at(base, size)
        ring = SplitRing(
            self.mem,
            layout,
            self.data_alloc,
            event_idx=bool(self.features & F_EVENT_IDX),
            indirect=bool(self.features & F_INDIRECT_DESC),
            name=f"{self.name} queue {idx}",
            dma=self.dma,
        )
        # what the device is told: guest addresses, or the rings' grant (dma_alloc_coherent)
        at = base if self.dma is None else self.dma.coherent(base, nbytes)
        self.program_queue(idx, size, at, at + layout.avail - base, at + layout.used - base)
        q = MmioQueue(self, idx, ring, base)
        q.ring_grant = None if self.dma is None else (at, nbytes)
        self.queues[idx] = q
        return q

    def program_queue(
        self, idx: int, size: int, desc: int, avail: int, used: int, ready: bool = True
    ) -> None:
        """Write a queue's registers as given, unchecked (set-up error tests use it)."""
        self.write32(QUEUE_SEL, idx)
        self.write32(QUEUE_NUM, size)
        for off, addr in (
            (QUEUE_DESC_LOW, desc),
            (QUEUE_DRIVER_LOW, avail),
            (QUEUE_DEVICE_LOW, used),
        ):
            self.write32(off, addr & 0xFFFFFFFF)
            self.write32(off + 4, addr >> 32)
        if ready:
            self.write32(QUEUE_READY, 1)

    def driver_ok(self) -> int:
        status = self.write_status(self.status | DRIVER_OK)
        self.check()
        return status

    def check(self) -> None:
        if self.status & NEEDS_RESET:
            raise DeviceNeedsReset(f"{self.name} needs a reset")

    def ack_interrupt(self) -> int:
        """What the interrupt handler does: read InterruptStatus, acknowledge it."""
        pending = self.read32(INTERRUPT_STATUS)
        if pending:
            self.write32(INTERRUPT_ACK, pending)
        return pending

    @classmethod
    def open(
        cls,
        trap: Trap,
        base: int,
        mem: WindowMem,
        ring_alloc: Allocator,
        data_alloc: Allocator,
        *,
        device_bits: int = 0,
        features: int | None = None,
        queues: Iterable[int] | None = None,
        dma: GrantDma | None = None,
    ) -> MmioDevice:
        """Probe and initialise as Linux does; every queue set up at its largest size."""
        dev = cls(trap, base, mem, ring_alloc, data_alloc, dma=dma)
        dev.reset()
        if dma is not None:
            device_bits |= F_ACCESS_PLATFORM  # the DMA API: Linux's virtio core accepts it
        offered = dev.device_features
        dev.negotiate(offered & (DRIVER_FEATURES | device_bits) if features is None else features)
        for idx in queues if queues is not None else range(2):
            dev.write32(QUEUE_SEL, idx)
            if dev.read32(QUEUE_NUM_MAX):
                dev.setup_queue(idx)
        dev.driver_ok()
        return dev


class MmioQueue:
    """A set-up queue of a virtio-mmio device."""

    def __init__(self, device: MmioDevice, index: int, ring: SplitRing, ring_base: int) -> None:
        self.device = device
        self.index = index
        self.ring = ring
        self._ring_base: int | None = ring_base
        self._done: dict[int, Used] = {}
        self.ring_grant: tuple[int, int] | None = None  # (DMA address, bytes) of the rings

    def kick(self) -> None:
        self.device.write32(QUEUE_NOTIFY, self.index)
        self.device.trap.run()

    def submit(self, out: Sequence[bytes], in_lens: Sequence[int], indirect: bool = False) -> int:
        head = self.ring.add(out, in_lens, indirect)
        if self.ring.kick_needed():
            self.kick()
        return head

    def wait(self, heads: Iterable[int]) -> dict[int, Used]:
        """Completions of ``heads`` (the in-process device has served them by now)."""
        want = list(heads)
        for u in self.ring.get_used():
            self._done[u.head] = u
        missing = [h for h in want if h not in self._done]
        if missing:
            self.device.check()
            raise RequestTimeout(f"{self.ring.name}: heads {missing} not completed")
        return {h: self._done.pop(h) for h in want}

    def call(self, out: Sequence[bytes], in_lens: Sequence[int], indirect: bool = False) -> Used:
        head = self.submit(out, in_lens, indirect)
        return self.wait([head])[head]

    def release(self) -> None:
        """After a device reset: buffers in flight unmapped (virtqueue_detach_unused_buf),
        then the rings freed (their grants end: the device must have let them go)."""
        self.ring.discard()
        if self.ring_grant is not None and self.device.dma is not None:
            self.device.dma.unmap(*self.ring_grant)
            self.ring_grant = None
        if self._ring_base is not None:
            self.device.ring_alloc.free(self._ring_base)
            self._ring_base = None


# ---- an in-process Xen: the IOREQ page played by the test ---------------------------------

SLOT = struct.Struct(
    "<QQIIIHBB"
)  # Xen's struct ioreq: addr data count size vp_eport pad flags type
STATE_NONE, STATE_READY, STATE_INPROCESS, STATE_RESP_READY = 0, 1, 2, 3
TYPE_PIO, TYPE_COPY = 0, 1
FLAG_DATA_IS_PTR, FLAG_DIR_READ = 0x10, 0x20
PAGE = 4096


@dataclass
class IoreqAnswer:
    """What the device model left in the slot."""

    state: int
    data: int


class XenIoreqTrap:
    """Plays Xen for one domain against the host library's IOREQ server (vbe_host_xen_*).

    Each access fills vCPU ``vcpu``'s slot of the ioreq page as Xen does (fields, then the
    state READY), lets the server answer it, checks that it did (state IORESP_READY and an
    event sent), and completes it (state NONE). ``traps`` counts the accesses.
    """

    def __init__(self, core: corelib.Core, handle: Any, page: memoryview, vcpu: int = 0) -> None:
        self.core = core
        self.handle = handle
        self.page = page
        self.vcpu = vcpu
        self.traps = 0

    def request(
        self,
        addr: int,
        size: int,
        *,
        read: bool,
        data: int = 0,
        type_: int = TYPE_COPY,
        count: int = 1,
        ptr: bool = False,
    ) -> IoreqAnswer:
        """One raw request; the answer as the slot holds it."""
        off = self.vcpu * SLOT.size
        flags = STATE_READY | (FLAG_DIR_READ if read else 0) | (FLAG_DATA_IS_PTR if ptr else 0)
        port = SLOT.unpack_from(self.page, off)[4]
        SLOT.pack_into(self.page, off, addr, data, count, size, port, 0, flags & ~0xF, type_)
        self.page[off + 30] = flags  # the state last, as Xen writes it
        before = self.core.lib.vbe_host_xen_notified(self.handle, self.vcpu)
        rc = self.core.lib.vbe_host_xen_handle(self.handle, self.vcpu)
        if rc != 0:
            raise AssertionError(f"vbe_host_xen_handle: {rc} for a READY slot")
        after = self.core.lib.vbe_host_xen_notified(self.handle, self.vcpu)
        _, got, *_rest, flags_out, _type = SLOT.unpack_from(self.page, off)
        if after != before + 1:
            raise AssertionError("the server answered without signalling the vCPU's event")
        self.traps += 1
        answer = IoreqAnswer(flags_out & 0xF, got)
        self.page[off + 30] = flags_out & ~0xF  # Xen consumed the answer: NONE
        return answer

    def read(self, addr: int, size: int) -> int:
        a = self.request(addr, size, read=True)
        if a.state != STATE_RESP_READY:
            raise AssertionError(f"slot state {a.state} after a read, not IORESP_READY")
        return a.data

    def write(self, addr: int, size: int, value: int) -> None:
        a = self.request(addr, size, read=False, data=value)
        if a.state != STATE_RESP_READY:
            raise AssertionError(f"slot state {a.state} after a write, not IORESP_READY")

    def run(self) -> None:
        self.core.lib.vbe_host_xen_poll(self.handle, 0)
