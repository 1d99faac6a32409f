"""A virtio device in a fat-virtqueue window, driven the way a guest driver does it.

    dev = VirtioDevice.open(machine, guest, VBE_VIRTIO_ID_I2C, device_bits=1)
    q = dev.queues[0]
    head = q.submit([request_bytes], [reply_len])
    used = q.wait([head])[head]

``open`` runs virtio 1.2, 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queue
set-up, DRIVER_OK. Status writes are handshakes: driver_status, then status_seq; the
device answers with device_status, then status_ack = status_seq.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pyhost.headers import fault_name
from pyhost.machine.base import MachineTimeout
from pyhost.virtio.errors import (
    DeviceNeedsReset,
    DeviceNotFound,
    FeaturesRefused,
    QueueSetupError,
    RequestTimeout,
    StatusError,
)
from pyhost.virtio.ring import RingLayout, SplitRing, Used
from pyhost.virtio.window import (
    DRIVER_FEATURES,
    F_EVENT_IDX,
    F_INDIRECT_DESC,
    F_VERSION_1,
    FFI,
    C,
    MachineLike,
    Window,
    device_name,
)

ACKNOWLEDGE = C.VBE_VIRTIO_STATUS_ACKNOWLEDGE
DRIVER = C.VBE_VIRTIO_STATUS_DRIVER
FEATURES_OK = C.VBE_VIRTIO_STATUS_FEATURES_OK
DRIVER_OK = C.VBE_VIRTIO_STATUS_DRIVER_OK
NEEDS_RESET = C.VBE_VIRTIO_STATUS_DEVICE_NEEDS_RESET
FAILED = C.VBE_VIRTIO_STATUS_FAILED

_FEATURE_NAMES = {
    F_VERSION_1: "VERSION_1",
    F_EVENT_IDX: "EVENT_IDX",
    F_INDIRECT_DESC: "INDIRECT_DESC",
}


def feature_names(bits: int) -> str:
    names = []
    for b in range(64):
        if bits >> b & 1:
            names.append(_FEATURE_NAMES.get(1 << b, f"bit {b}"))
    return ", ".join(names) or "none"


def status_names(status: int) -> str:
    names = {
        ACKNOWLEDGE: "ACKNOWLEDGE",
        DRIVER: "DRIVER",
        FEATURES_OK: "FEATURES_OK",
        DRIVER_OK: "DRIVER_OK",
        NEEDS_RESET: "DEVICE_NEEDS_RESET",
        FAILED: "FAILED",
    }
    parts = [n for bit, n in names.items() if status & bit]
    parts += [f"0x{b:x}" for b in (1 << i for i in range(32)) if status & b and b not in names]
    return "|".join(parts) or "0 (reset)"


class VirtioDevice:
    """One device slot of a window, seen from the driver."""

    def __init__(self, window: Window, slot: int, timeout: float = 5.0) -> None:
        self.window = window
        self.machine = window.machine
        self.guest = window.guest
        self.slot = slot
        self.timeout = timeout
        off = window.devblock_offset(slot)
        blk = window.mem.struct("struct vbe_fvq_devblock *", off)
        self.dev: Any = blk.dev  # device-written registers (cffi, live)
        self.drv: Any = blk.drv  # driver-written registers (cffi, live)
        self.device_id = int(self.dev.device_id)
        self.name = f"{device_name(self.device_id)} (slot {slot}) of {window}"
        self.features = 0
        self.queues: dict[int, Virtqueue] = {}

    # ---- discovery ----------------------------------------------------------------------

    @classmethod
    def find(
        cls,
        machine: MachineLike,
        guest: int,
        device_id: int,
        *,
        nth: int = 0,
        timeout: float = 5.0,
    ) -> VirtioDevice:
        """The ``nth`` device with ``device_id`` in the guest's window."""
        win = Window.of(machine, guest, timeout)
        slots = [slot for slot, dev_id in win.devices() if dev_id == device_id]
        if nth >= len(slots):
            raise DeviceNotFound(
                f"{win}: no {device_name(device_id)} device (id {device_id})"
                f"{f' number {nth}' if nth else ''}; the window has {win.describe_devices()}"
            )
        return cls(win, slots[nth], timeout)

    @classmethod
    def open(
        cls,
        machine: MachineLike,
        guest: int,
        device_id: int,
        features: int | None = None,
        queue_sizes: Sequence[int] | None = None,
        *,
        device_bits: int = 0,
        timeout: float = 5.0,
    ) -> VirtioDevice:
        """Find the device and run the whole initialisation (virtio 1.2, 3.1.1).

        ``features`` None means: everything the device offers among VERSION_1, EVENT_IDX,
        INDIRECT_DESC and the device-specific ``device_bits`` the caller's driver knows.
        ``queue_sizes`` None sets every queue up at its largest size; 0 leaves one off.
        """
        dev = cls.find(machine, guest, device_id, timeout=timeout)
        dev.reset()
        if features is None:
            features = dev.device_features & (DRIVER_FEATURES | device_bits)
        dev.negotiate(features)
        sizes = list(queue_sizes) if queue_sizes is not None else [0] * dev.num_queues
        if len(sizes) > dev.num_queues:
            raise QueueSetupError(
                f"{dev.name}: {len(sizes)} queue sizes given, the device has {dev.num_queues}"
            )
        for idx, size in enumerate(sizes):
            if queue_sizes is None or size:
                dev.setup_queue(idx, size or None)
        dev.driver_ok()
        return dev

    # ---- registers ----------------------------------------------------------------------

    @property
    def device_features(self) -> int:
        return int(self.dev.device_features_lo) | int(self.dev.device_features_hi) << 32

    @property
    def status(self) -> int:
        return int(self.dev.device_status)

    @property
    def needs_reset(self) -> bool:
        return bool(self.status & NEEDS_RESET)

    @property
    def num_queues(self) -> int:
        return int(self.dev.num_queues)

    def queue_size_max(self, idx: int) -> int:
        self._check_queue_index(idx)
        return int(self.dev.queue[idx].size_max)

    def queue_fault(self, idx: int) -> int:
        self._check_queue_index(idx)
        return int(self.dev.queue[idx].fault)

    def interrupt_seq(self, idx: int) -> int:
        self._check_queue_index(idx)
        return int(self.dev.queue[idx].interrupt_seq)

    @property
    def config(self) -> bytes:
        return bytes(FFI.buffer(self.dev.config, int(self.dev.config_size)))

    def describe_fault(self) -> str:
        faults = [(q, self.queue_fault(q)) for q in range(self.num_queues)]
        named = [f"queue {q} fault {f} = {fault_name(f)}" for q, f in faults if f]
        return "; ".join(named) or "no queue fault recorded"

    def _check_queue_index(self, idx: int) -> None:
        if not 0 <= idx < C.VBE_FVQ_MAX_QUEUES:
            raise QueueSetupError(f"{self.name}: queue {idx} outside 0..{C.VBE_FVQ_MAX_QUEUES - 1}")

    # ---- status handshake ---------------------------------------------------------------

    def write_status(self, value: int, timeout: float | None = None) -> int:
        """Write driver_status, bump status_seq, wait for the device's ack; its status."""
        seq = (int(self.drv.status_seq) + 1) & 0xFFFFFFFF
        self.drv.driver_status = value
        self.drv.status_seq = seq  # after driver_status (x86 keeps stores in order)
        self.machine.notify(self.guest)
        self.machine.wait_for(
            self.guest,
            lambda: int(self.dev.status_ack) == seq,
            self.timeout if timeout is None else timeout,
            f"{self.name} to acknowledge status {status_names(value)} (status_seq {seq})",
        )
        return self.status

    def reset(self) -> None:
        """Device reset: status 0; every queue and buffer in flight is forgotten."""
        status = self.write_status(0)
        if status != 0:
            raise StatusError(f"{self.name}: status {status_names(status)} after a reset")
        for q in self.queues.values():
            q.release()
        self.queues.clear()
        self.features = 0

    def negotiate(self, wanted: int) -> int:
        """ACKNOWLEDGE, DRIVER, write ``wanted``, FEATURES_OK; FeaturesRefused if refused."""
        status = self.status
        if not status & ACKNOWLEDGE:
            status = self.write_status(status | ACKNOWLEDGE)
        if not status & DRIVER:
            status = self.write_status(status | DRIVER)
        self.drv.driver_features_lo = wanted & 0xFFFFFFFF
        self.drv.driver_features_hi = wanted >> 32
        status = self.write_status(status | FEATURES_OK)
        if not status & FEATURES_OK:
            offered = self.device_features
            why = []
            if wanted & ~offered:
                why.append(f"not offered: {feature_names(wanted & ~offered)}")
            if not wanted & F_VERSION_1:
                why.append("VERSION_1 missing (the device is modern-only)")
            if not why:
                why.append("a feature the device type makes mandatory is missing")
            raise FeaturesRefused(
                f"{self.name} refused features {feature_names(wanted)} "
                f"({'; '.join(why)}); it offers "
                f"{feature_names(offered)}. Reset and ask for a subset with VERSION_1"
            )
        self.features = wanted
        return wanted

    def driver_ok(self, check: bool = True) -> int:
        """Set DRIVER_OK; with ``check``, DeviceNeedsReset if the device refused the set-up."""
        status = self.write_status(self.status | DRIVER_OK)
        if check:
            self.check()
            if not status & DRIVER_OK:
                raise StatusError(
                    f"{self.name}: DRIVER_OK not taken (status {status_names(status)}); "
                    "features must be accepted first"
                )
        return status

    def check(self) -> None:
        """DeviceNeedsReset (naming the fault) if the device raised NEEDS_RESET."""
        if self.dev.device_status & NEEDS_RESET:
            faults = [(q, self.queue_fault(q)) for q in range(self.num_queues)]
            queue, fault = next(((q, f) for q, f in faults if f), (None, 0))
            raise DeviceNeedsReset(
                f"{self.name} needs a reset: {self.describe_fault()}", queue, fault
            )

    # ---- queues -------------------------------------------------------------------------

    def configure_queue_raw(
        self, idx: int, size: int, desc_off: int, avail_off: int, used_off: int, enable: int = 1
    ) -> None:
        """Write drv.queue[idx] as given, unchecked (for set-up error tests)."""
        self._check_queue_index(idx)
        q = self.drv.queue[idx]
        q.size, q.desc_off, q.avail_off, q.used_off = size, desc_off, avail_off, used_off
        q.enable = enable

    def setup_queue(self, idx: int, size: int | None = None) -> Virtqueue:
        """Place queue ``idx``'s rings in the ring area and tell the device (before DRIVER_OK)."""
        if not 0 <= idx < self.num_queues:
            raise QueueSetupError(f"{self.name}: no queue {idx} (the device has {self.num_queues})")
        size_max = self.queue_size_max(idx)
        size = size_max if size is None else size
        if size < 1 or size > size_max or size & (size - 1):
            raise QueueSetupError(
                f"{self.name}: queue {idx} size {size}: use a power of two <= {size_max}"
            )
        if idx in self.queues:
            self.queues.pop(idx).release()
        alloc = self.window.ring_alloc
        base = alloc.alloc(RingLayout.at(0, size).end, f"queue {idx} rings of {self.name}", 64)
        layout = RingLayout.at(base, size)
        ring = SplitRing(
            self.window.mem,
            layout,
            self.window.data_alloc,
            event_idx=bool(self.features & F_EVENT_IDX),
            indirect=bool(self.features & F_INDIRECT_DESC),
            name=f"{self.name} queue {idx}",
        )
        self.configure_queue_raw(idx, size, layout.desc, layout.avail, layout.used)
        vq = Virtqueue(self, idx, ring, base)
        self.queues[idx] = vq
        return vq

    def __repr__(self) -> str:
        return f"<VirtioDevice {self.name} status {status_names(self.status)}>"


class Virtqueue:
    """A set-up queue: submit requests, kick, wait for completions."""

    def __init__(self, device: VirtioDevice, index: int, ring: SplitRing, ring_base: int) -> None:
        self.device = device
        self.index = index
        self.ring = ring
        self._ring_base: int | None = ring_base
        self._done: dict[int, Used] = {}

    @property
    def name(self) -> str:
        return self.ring.name

    @property
    def interrupt_seq(self) -> int:
        return self.device.interrupt_seq(self.index)

    def kick(self) -> None:
        """Driver -> device notification: bump notify_seq, then the machine's doorbell."""
        drv = self.device.drv
        drv.notify_seq = (int(drv.notify_seq) + 1) & 0xFFFFFFFF
        self.device.machine.notify(self.device.guest)

    def kick_if_needed(self) -> bool:
        if self.ring.kick_needed():
            self.kick()
            return True
        return False

    def submit(self, out: Sequence[bytes], in_lens: Sequence[int], indirect: bool = False) -> int:
        """Add one chain and notify the device if it asked to be; returns the head."""
        head = self.ring.add(out, in_lens, indirect)
        self.kick_if_needed()
        return head

    def submit_many(
        self, requests: Iterable[tuple[Sequence[bytes], Sequence[int]]], indirect: bool = False
    ) -> list[int]:
        """Add every chain, then notify once."""
        heads = [self.ring.add(out, in_lens, indirect) for out, in_lens in requests]
        self.kick_if_needed()
        return heads

    def poll(self) -> list[Used]:
        """Collect completions now (kept for wait()); NEEDS_RESET raises."""
        got = self.ring.get_used()
        if got:
            done = self._done
            for u in got:
                done[u.head] = u
        self.device.check()
        return got

    def wait(self, heads: Iterable[int], timeout: float = 5.0) -> dict[int, Used]:
        """Wait until every head is completed; their Used entries by head."""
        want = list(heads)
        have = self._done
        poll = self.poll

        def done() -> bool:
            poll()
            for h in want:
                if h not in have:
                    return False
            return True

        dev = self.device
        try:
            dev.machine.wait_for(
                dev.guest, done, timeout, f"{self.ring.name} to complete heads {want}"
            )
        except MachineTimeout as exc:
            pending = [h for h in want if h not in have]
            raise RequestTimeout(
                f"{self.name}: heads {pending} still pending after {timeout} s (avail idx "
                f"{self.ring.avail_idx}, used idx {self.ring.used_idx()}, device status "
                f"{status_names(self.device.status)}): {exc}"
            ) from exc
        return {h: have.pop(h) for h in want}

    def call(
        self,
        out: Sequence[bytes],
        in_lens: Sequence[int],
        indirect: bool = False,
        timeout: float = 5.0,
    ) -> Used:
        """submit() then wait() for that one request."""
        head = self.submit(out, in_lens, indirect)
        return self.wait([head], timeout)[head]

    def release(self) -> None:
        """Forget the queue after a reset: free buffers in flight and the ring memory."""
        self.ring.discard()
        self._done.clear()
        if self._ring_base is not None:
            self.device.window.ring_alloc.free(self._ring_base)
            self._ring_base = None
