"""Bridge mode: guest requests copied into a backend's fat window, answers copied back.

The vhost-user daemon serves the guest's rings with a relay (tools/vbe/serve/relay.py:
the core pops and checks every chain, as in direct mode); this module is the other half. For
each guest device it drives the matching device of that guest's window in a backend
machine (the bare-metal image in QEMU, or any pyhost Machine) as a virtio driver: each
guest request becomes one chain in the window with the same device-readable bytes and the
same device-writable size, and the window's answer is written back into the guest's chain.
The backend never sees guest memory, only the window: the isolation model end to end.

    host = BridgeHost(machine)          # machine: launched, e.g. QemuMachine()
    dev = host.device("ivi", "i2c")     # what Daemon.add() does
    ... Daemon(host, ...).serve() ...   # kick(): forward, wait, complete
    host.tick()                         # late answers, SCMI events; devices to signal

Per device kind:

- virtio-i2c: out bytes split as the driver does (8-byte out_hdr, then the write buffer),
  in size as (read buffer, 1-byte in_hdr). The backend holds a FAIL_NEXT group until its
  last request arrives, so kick() forwards every popped request first and waits only for
  those outside a trailing open group; the rest complete in a later kick() or tick().
- virtio-scmi: cmdq requests forwarded verbatim (header and token unchanged). The bridge
  keeps WINDOW_EVENT_BUFFERS buffers posted in the window's eventq; each notification or
  delayed response goes into the guest's oldest eventq buffer. None posted: a notification
  is dropped (counted), a delayed response held (HELD_DELAYED_MAX) until one is, as the
  core does in direct mode.

kick() is synchronous: it waits (REQUEST_TIMEOUT at most) for the window's answers before
returning, so one slow request stalls the daemon loop for that long. A request still
unanswered then stays outstanding and is completed by a later kick() or tick().
"""

from __future__ import annotations

import struct
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from pyhost.machine.base import GuestInfo, Machine, MachineError, MachineTimeout
from pyhost.virtio.device import VirtioDevice, Virtqueue
from pyhost.virtio.errors import AllocError, QueueFull, VirtioError
from pyhost.virtio.window import DRIVER_FEATURES, Window
from vbe.serve.backend import KINDS, BackendError, guest_index
from vbe.serve.relay import Relay, Request

#: seconds kick() waits for the backend's answers
REQUEST_TIMEOUT = 2.0
#: the daemon wakes at least this often to call tick()
TICK_INTERVAL = 0.02
#: eventq buffers kept posted in the window (bytes each: the largest SCMI event is 32)
WINDOW_EVENT_BUFFERS = 16
EVENT_BUFFER_SIZE = 64
#: delayed responses held for a guest with no eventq buffer posted
HELD_DELAYED_MAX = 16

DEVICE_IDS = {"i2c": 34, "scmi": 32}
#: device-specific feature bits (virtio 1.2, 6: 0-23)
DEVICE_BITS = 0xFFFFFF
I2C_OUT_HDR = 8
I2C_FAIL_NEXT = 0x1
SCMI_P2A = 1 << 0
SCMI_EVENTQ = 1
SCMI_TYPE_DELAYED = 2
LE32 = struct.Struct("<I")

Log = Callable[[str], None]


def _quiet(_msg: str) -> None:
    return None


@dataclass
class BridgeCounters:
    """What one bridge device did (the relay's own counters: BridgeDevice.stats())."""

    forwarded: int = 0  # guest requests put into the window
    answered: int = 0  # window answers written back into the guest's chains
    stale: int = 0  # window answers the relay refused: ring stopped or reset since
    rejected: int = 0  # requests completed with an error: window full, backend gone
    timeouts: int = 0  # kicks that stopped waiting after REQUEST_TIMEOUT
    events: int = 0  # SCMI eventq messages delivered to the guest
    events_dropped: int = 0  # notifications with no guest eventq buffer posted
    events_short: int = 0  # guest eventq buffers too small (given back empty or cut)
    window_resets: int = 0  # window device (re)initialisations after the first


class BridgeDevice(Relay):
    """A guest's virtio-i2c / virtio-scmi device served by a relay, answered by the same
    device of that guest's window in the backend machine."""

    def __init__(self, host: BridgeHost, guest: GuestInfo, kind: str) -> None:
        self.host = host
        self.machine = host.machine
        self.info = guest
        self.counters = BridgeCounters()
        self.window: VirtioDevice | None = None
        self.outstanding: dict[int, Request] = {}  # window head -> guest request
        self.open_group: set[int] = set()  # i2c: heads of a trailing FAIL_NEXT group
        self.event_buffers: deque[Request] = deque()  # guest eventq buffers, oldest first
        self.held_delayed: deque[bytes] = deque()  # delayed responses waiting for a guest buffer
        self.pending_call = 0  # queues to signal, completed outside a kick()
        self.dead: str | None = None  # why the backend can no longer answer
        self._kind = kind
        self._restarts_seen = 0  # the relay's driver_restarts() already followed
        self._open_window(None)
        assert self.window is not None
        super().__init__(guest.name, kind, self.window.device_features)

    # ---- the window side ----------------------------------------------------------------

    @property
    def reqq(self) -> Virtqueue:
        assert self.window is not None
        return self.window.queues[0]

    @property
    def evq(self) -> Virtqueue | None:
        return self.window.queues.get(SCMI_EVENTQ) if self.window is not None else None

    def _open_window(self, device_bits: int | None) -> None:
        """(Re)initialise the window device: everything it offers, or the guest's bits."""
        idx = self.info.index
        if self.window is None:
            self.window = VirtioDevice.find(self.machine, idx, DEVICE_IDS[self._kind])
        else:
            self.counters.window_resets += 1
        win = self.window
        win.reset()
        offered = win.device_features
        bits = DEVICE_BITS if device_bits is None else device_bits
        features = win.negotiate(offered & (DRIVER_FEATURES | bits))
        win.setup_queue(0)
        if self._kind == "scmi" and features & SCMI_P2A:
            win.setup_queue(SCMI_EVENTQ)
        win.driver_ok()
        self.outstanding.clear()
        self.open_group.clear()
        evq = self.evq
        if evq is not None:
            for _ in range(min(WINDOW_EVENT_BUFFERS, evq.ring.size)):
                evq.ring.add([], [EVENT_BUFFER_SIZE])
            evq.kick_if_needed()

    def _chain(self, req: Request) -> tuple[list[bytes], list[int]]:
        """The window chain for a guest request: same bytes, same writable size."""
        out, n = req.out, req.in_cap
        if self._kind == "i2c":
            # as a driver lays it out: out_hdr | write buffer, then read buffer | in_hdr
            outs = [out[:I2C_OUT_HDR]] + ([out[I2C_OUT_HDR:]] if len(out) > I2C_OUT_HDR else [])
            ins = [n - 1, 1] if n > 1 else [n]
        else:
            outs, ins = [out], [n]
        outs = [b for b in outs if b] or ([b""] if not n else [])
        return outs, [x for x in ins if x]

    def _forward_all(self) -> int:
        """Put every request the relay popped into the window; how many."""
        if self.window is None:
            return 0
        ring = self.reqq.ring
        n = 0
        while (req := self.next(0)) is not None:
            if self.dead is not None:
                self._reject(req)
                continue
            outs, ins = self._chain(req)
            try:
                head = ring.add(outs, ins)
            except (QueueFull, AllocError) as exc:
                self.host.warn(f"{self.label}: window full, request rejected: {exc}")
                self._reject(req)
                continue
            self.outstanding[head] = req
            self.counters.forwarded += 1
            n += 1
            if self._kind == "i2c":
                fail_next = len(req.out) >= I2C_OUT_HDR and LE32.unpack_from(req.out, 4)[0] & 1
                if fail_next:
                    self.open_group.add(head)
                else:
                    self.open_group.clear()  # the group is closed: all of it completes
        if n:
            self.reqq.kick_if_needed()
        return n

    def _reject(self, req: Request) -> None:
        c = self.reject(req.queue, req.id)
        self.counters.rejected += 1
        if c.signal:
            self.pending_call |= 1 << req.queue

    def _collect(self) -> None:
        """Write back every answer the window has now."""
        if self.window is None or not self.outstanding:
            return
        try:
            got = self.reqq.ring.get_used()
            self.window.check()
        except VirtioError as exc:
            self._window_failed(f"the window device failed: {exc}")
            return
        for u in got:
            req = self.outstanding.pop(u.head, None)
            self.open_group.discard(u.head)
            if req is None:
                continue
            c = self.done(req.queue, req.id, u.data)
            if c.rc == 0:
                self.counters.answered += 1
                if c.signal:
                    self.pending_call |= 1 << req.queue
            elif c.stale:
                self.counters.stale += 1
                self.host.debug(f"{self.label}: answer to request {req.id} refused: the "
                                "guest's ring was stopped or reset since")  # fmt: skip

    def _settled(self) -> bool:
        self._collect()
        return all(h in self.open_group for h in self.outstanding)

    def _wait(self) -> bool:
        """Wait for the answers kick() waits for; False when the time ran out."""
        if self._settled():
            return True
        try:
            self.machine.wait_for(self.info.index, self._settled, REQUEST_TIMEOUT,
                                  f"the backend to answer {self.label}")  # fmt: skip
        except MachineTimeout:
            self.counters.timeouts += 1
            self.host.warn(f"{self.label}: {len(self.outstanding)} request(s) unanswered "
                           f"after {REQUEST_TIMEOUT} s; still waiting")  # fmt: skip
            return False
        except MachineError as exc:
            self._window_failed(f"the backend machine failed: {exc}")
        return True

    def _window_failed(self, why: str) -> None:
        """The backend cannot answer: complete everything in flight with an error."""
        self.host.warn(f"{self.label}: {why}; requests in flight rejected")
        for req in self.outstanding.values():
            self._reject(req)
        self.outstanding.clear()
        self.open_group.clear()
        try:
            self._open_window(self.acked_features() & DEVICE_BITS or None)
        except (VirtioError, MachineError) as exc:
            self.dead = f"{why}; cannot reinitialise the window device: {exc}"
            self.window = None

    # ---- SCMI events --------------------------------------------------------------------

    def _events(self) -> None:
        """Take the guest's eventq buffers, move the window's events into them."""
        if self._kind != "scmi":
            return
        while (buf := self.next(SCMI_EVENTQ)) is not None:
            self.event_buffers.append(buf)
        while self.held_delayed and self.event_buffers:
            self._deliver(self.held_delayed.popleft())
        evq = self.evq
        if evq is None:
            return
        try:
            got = evq.ring.get_used()
            self.window.check() if self.window is not None else None
        except VirtioError as exc:
            self._window_failed(f"the window's eventq failed: {exc}")
            return
        for u in got:
            if u.length >= 4:
                self._deliver(u.data)
        if got:
            for _ in got:
                evq.ring.add([], [EVENT_BUFFER_SIZE])
            evq.kick_if_needed()

    def _deliver(self, msg: bytes) -> None:
        while self.event_buffers:
            buf = self.event_buffers.popleft()
            if buf.in_cap < 4:
                self.done(buf.queue, buf.id, b"")  # no room for a header: back empty
                self.counters.events_short += 1
                continue
            c = self.done(buf.queue, buf.id, msg)
            if c.rc != 0:
                continue  # voided by a reset: try the next one
            self.counters.events += 1
            self.counters.events_short += c.written < len(msg)
            if c.signal:
                self.pending_call |= 1 << SCMI_EVENTQ
            return
        msg_type = LE32.unpack_from(msg)[0] >> 8 & 0x3
        if msg_type == SCMI_TYPE_DELAYED and len(self.held_delayed) < HELD_DELAYED_MAX:
            self.held_delayed.append(msg)  # as the core holds delayed responses
        else:
            self.counters.events_dropped += 1

    # ---- what the Session calls ---------------------------------------------------------

    @property
    def label(self) -> str:
        return f"bridge {self.guest}/{self.kind}"

    def kick(self) -> tuple[int, int]:
        """Pop the guest's requests, forward them, wait for the answers, complete them."""
        rc, call = super().kick()
        restarts = self.driver_restarts()
        if restarts != self._restarts_seen:
            # a new driver (the guest's device was reset): the relay voided the old one's
            # requests; the window device is reset so the backend releases what it held
            self._restarts_seen = restarts
            self._new_driver()
        for _ in range(64):  # bounded: a guest that keeps refilling is served next kick
            forwarded = self._forward_all()
            self._events()
            if not forwarded:
                break
            if not self._wait():
                break
            rc2, call2 = super().kick()  # the relay's table may have been full
            rc, call = rc2 or rc, call | call2
        call |= self.pending_call
        self.pending_call = 0
        return rc, call

    def poll(self) -> bool:
        """Late answers and events (tick); True when the guest's driver must be signalled."""
        if self.window is not None:
            try:
                # a doorbell machine's notification bytes must be read, or they pile up
                self.machine.wait_for(self.info.index, lambda: True, 0.0, "nothing")
            except MachineError as exc:
                self._window_failed(f"the backend machine failed: {exc}")
        self._collect()
        self._events()
        return self.pending_call != 0

    def set_features(self, features: int) -> int:
        rc = super().set_features(features)
        if rc == 0 and self.window is not None and self.dead is None:
            bits = features & DEVICE_BITS
            if bits != self.window.features & DEVICE_BITS:
                # the guest's driver took fewer device features: so does the window's
                self._open_window(bits)
        return rc

    def reset(self) -> None:
        """Device reset: the relay voids what it held; the window device is reset too (the
        backend releases what this guest's agent held, as in direct mode)."""
        super().reset()
        self._new_driver()

    def _new_driver(self) -> None:
        """Forget the old driver's buffers and reset the window device."""
        self.event_buffers.clear()
        self.held_delayed.clear()
        self.pending_call = 0
        if self.window is not None and self.dead is None:
            try:
                self._open_window(None)
            except (VirtioError, MachineError) as exc:
                self.dead = f"cannot reinitialise the window device: {exc}"
                self.window = None

    def close(self) -> None:
        super().close()
        if self.window is not None:
            try:
                self.window.reset()
            except (VirtioError, MachineError):
                pass
            self.window = None
        self.host._release(self)


class BridgeHost:
    """Serves the guests of a backend machine through its windows: the ``host`` of a
    vhost-user Daemon in bridge mode (same surface as backend.Host)."""

    tick_interval = TICK_INTERVAL

    def __init__(self, machine: Machine, warn: Log | None = None, debug: Log | None = None):
        self.machine = machine
        self.warn: Log = warn or _quiet
        self.debug: Log = debug or _quiet
        self.devices: dict[tuple[str, str], BridgeDevice] = {}

    def guests(self) -> list[str]:
        return [g.name for g in self.machine.guests]

    def guest_index(self, name: str) -> int:
        return guest_index(self.guests(), name)

    def _window_has(self, guest: str, kind: str) -> bool:
        win = Window.of(self.machine, self.guest_index(guest))
        return any(dev_id == DEVICE_IDS[kind] for _slot, dev_id in win.devices())

    def has_device(self, guest: str, kind: str) -> bool:
        """Whether ``guest``'s window has a virtio-``kind`` device not being served."""
        if kind not in KINDS or (guest, kind) in self.devices:
            return False
        try:
            return self._window_has(guest, kind)
        except BackendError:
            return False

    def device(self, guest: str, kind: str) -> BridgeDevice:
        if kind not in KINDS:
            raise BackendError(f"device kind {kind!r}: use one of {', '.join(KINDS)}")
        if (guest, kind) in self.devices:
            raise BackendError(f"guest {guest!r}: its virtio-{kind} device is already served")
        if not self._window_has(guest, kind):
            raise BackendError(f"guest {guest!r} has no virtio-{kind} device in its window")
        try:
            dev = BridgeDevice(self, self.machine.guest(guest), kind)
        except (VirtioError, MachineError) as exc:
            raise BackendError(f"guest {guest!r}: cannot open its virtio-{kind} window "
                               f"device: {exc}") from exc  # fmt: skip
        self.devices[(guest, kind)] = dev
        return dev

    def _release(self, dev: BridgeDevice) -> None:
        self.devices.pop((dev.guest, dev.kind), None)

    def tick(self) -> list[BridgeDevice]:
        """Late answers and SCMI events into the guests' rings. Returns the devices whose
        front-end must be signalled now: the daemon runs its kick pass on them (their
        kick() returns the queues to signal)."""
        return [dev for dev in list(self.devices.values()) if dev.poll()]

    def close(self) -> None:
        for dev in list(self.devices.values()):
            dev.close()
