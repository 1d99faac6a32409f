"""An SCMI agent over a guest's virtio-scmi device (virtio 1.2, 5.17), as Linux's
``arm_scmi`` virtio transport drives it.

- cmdq (0): one chain per command: the request (header + parameters, device-readable),
  then one response buffer (device-writable; 136 bytes by default, like Linux: header,
  status and the 128-byte payload the transport allows).
- eventq (1), only with VIRTIO_SCMI_F_P2A_CHANNELS: the agent keeps ``event_buffers``
  device-writable buffers posted and posts a fresh one for each it collects. Notifications
  (type 3) queue up for :meth:`ScmiAgent.events`; delayed responses (type 2) are matched
  to their command by token.

Tokens are handed out in sequence (mod 1024), skipping those in flight, as Linux does;
a call may pick its own (``token=``) for tests.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence

from pyhost.machine.base import GuestInfo, Machine, MachineTimeout, ScmiAgentInfo
from pyhost.scmi import wire
from pyhost.scmi.base import BaseClient
from pyhost.scmi.clients import attach_clients
from pyhost.scmi.clock import ClockClient
from pyhost.scmi.perf import PerfClient
from pyhost.scmi.power import PowerClient
from pyhost.scmi.replies import (
    Event,
    Pending,
    Response,
    ScmiError,
    ScmiProtocolError,
    ScmiTimeout,
)
from pyhost.scmi.reset import ResetClient
from pyhost.scmi.sensor import SensorClient
from pyhost.scmi.system import SystemClient
from pyhost.scmi.voltage import VoltageClient
from pyhost.scmi.wire import Header
from pyhost.virtio.device import VirtioDevice, Virtqueue
from pyhost.virtio.ring import Used
from pyhost.virtio.window import DRIVER_FEATURES

VIRTIO_ID_SCMI = 32  # virtio 1.2, 5.17.1 (VBE_VIRTIO_ID_SCMI)
F_P2A_CHANNELS = wire.W("F_P2A_CHANNELS")
CMDQ = wire.W("VQ_CMDQ")
EVENTQ = wire.W("VQ_EVENTQ")
#: header + status + VIRTIO_SCMI_MAX_MSG_SIZE (Linux's receive buffers)
RESPONSE_SIZE = 8 + wire.PAYLOAD_MAX
EVENT_SIZE = RESPONSE_SIZE
EVENT_BUFFERS = 16
DEFAULT_TIMEOUT = 5.0
HISTORY = 256


class ScmiAgent:
    """A guest's SCMI agent: its virtio-scmi device at DRIVER_OK, and protocol clients.

    ``guest`` is a GuestInfo, a name or an index. ``p2a``: negotiate
    VIRTIO_SCMI_F_P2A_CHANNELS and set up the eventq (Linux does when offered).
    ``event_buffers``: eventq buffers kept posted (0: none until post_event_buffers()).
    ``history`` keeps the last responses (tests check lengths of paginated replies).
    """

    base: BaseClient
    power: PowerClient
    system: SystemClient
    perf: PerfClient
    clock: ClockClient
    sensor: SensorClient
    reset: ResetClient
    voltage: VoltageClient

    def __init__(
        self,
        machine: Machine,
        guest: GuestInfo | str | int,
        p2a: bool = True,
        *,
        event_buffers: int = EVENT_BUFFERS,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.machine = machine
        self.guest = guest if isinstance(guest, GuestInfo) else machine.guest(guest)
        scmi = machine.scmi
        self.info: ScmiAgentInfo | None = scmi.agent_of_guest(self.guest.index) if scmi else None
        self.timeout = timeout
        self.p2a = p2a
        self.auto_repost = event_buffers > 0
        self._want_buffers = event_buffers
        self._token = 0
        self._tokens_in_flight: set[int] = set()
        self._events: deque[Event] = deque()
        self._delayed: dict[int, deque[Event]] = {}
        self.history: deque[Response] = deque(maxlen=HISTORY)
        self.device: VirtioDevice
        self.cmdq: Virtqueue
        self.eventq: Virtqueue | None = None
        self._open()
        attach_clients(self)

    @property
    def name(self) -> str:
        return self.guest.name

    def __repr__(self) -> str:
        return f"<ScmiAgent guest {self.guest.name!r} on {self.machine.name}>"

    # ---- device --------------------------------------------------------------------------

    def _open(self) -> None:
        dev = getattr(self, "device", None)  # a reset reuses it: its queues are freed
        if dev is None:
            dev = VirtioDevice.find(
                self.machine, self.guest.index, VIRTIO_ID_SCMI, timeout=self.timeout
            )
        dev.reset()
        p2a_bit = 1 << F_P2A_CHANNELS
        wanted = dev.device_features & (DRIVER_FEATURES | (p2a_bit if self.p2a else 0))
        if self.p2a and not wanted & p2a_bit:
            raise ScmiProtocolError(
                f'guest "{self.guest.name}": the virtio-scmi device does not offer '
                "VIRTIO_SCMI_F_P2A_CHANNELS; open the agent with p2a=False"
            )
        dev.negotiate(wanted)
        self.cmdq = dev.setup_queue(CMDQ)
        self.eventq = dev.setup_queue(EVENTQ) if self.p2a else None
        dev.driver_ok()
        self.device = dev
        self._tokens_in_flight.clear()
        self._events.clear()
        self._delayed.clear()
        if self.eventq is not None and self._want_buffers:
            self.post_event_buffers(self._want_buffers)

    def reset_device(self) -> None:
        """Reset the device and bring it up again (the platform releases the agent's holds)."""
        self._open()

    @property
    def features(self) -> int:
        return self.device.features

    # ---- commands -------------------------------------------------------------------------

    def next_token(self) -> int:
        for _ in range(wire.TOKEN_MASK + 1):
            token = self._token
            self._token = (self._token + 1) & wire.TOKEN_MASK
            if token not in self._tokens_in_flight:
                return token
        raise ScmiProtocolError(f"{self}: every token is in flight")

    def seed_token(self, token: int) -> None:
        """The next token to hand out (tests use it to cross the 10-bit wrap)."""
        self._token = token & wire.TOKEN_MASK

    def send(
        self,
        proto: int,
        msg: int,
        payload: bytes = b"",
        *,
        token: int | None = None,
        response_size: int = RESPONSE_SIZE,
        type_: int = wire.TYPE_COMMAND,
    ) -> Pending:
        """Make one command available (and kick) without waiting for it."""
        token = self.next_token() if token is None else token
        header = wire.encode_header(msg, proto, type_, token)
        head = self.cmdq.submit([wire.u32s(header) + bytes(payload)], [response_size])
        self._tokens_in_flight.add(token & wire.TOKEN_MASK)
        return Pending(head, header, proto, msg)

    def collect(self, pending: Sequence[Pending], timeout: float | None = None) -> list[Response]:
        """Wait for sent commands; their responses in the same order."""
        used = self.cmdq.wait([p.head for p in pending], self._timeout(timeout))
        out = []
        for p in pending:
            self._tokens_in_flight.discard(wire.Header.decode(p.header).token)
            out.append(self._response(p, used[p.head]))
            self.history.append(out[-1])
        self.poll_events()
        return out

    def call(
        self,
        proto: int,
        msg: int,
        payload: bytes = b"",
        *,
        token: int | None = None,
        response_size: int = RESPONSE_SIZE,
        timeout: float | None = None,
    ) -> Response:
        """Send one command and wait for its response (any status)."""
        p = self.send(proto, msg, payload, token=token, response_size=response_size)
        return self.collect([p], timeout)[0]

    def call_ok(
        self, proto: int, msg: int, payload: bytes = b"", size: int | None = None, **kw: object
    ) -> bytes:
        """The return values of a command that must succeed; ScmiError names the status.
        ``size``: the exact return-value length the layout has (else ScmiProtocolError)."""
        r = self.call(proto, msg, payload, **kw)  # type: ignore[arg-type]
        if not r.ok:
            raise ScmiError(r.status_name, proto, msg, status=r.status, guest=self.name)
        if size is not None and len(r.payload) != size:
            raise ScmiProtocolError(
                f'guest "{self.name}": {wire.describe(proto, msg)} returned '
                f"{len(r.payload)} bytes, the layout has {size}"
            )
        return r.payload

    def call_delayed(
        self, proto: int, msg: int, payload: bytes = b"", timeout: float | None = None
    ) -> tuple[bytes, Event]:
        """An async command: its (successful) response's return values and its delayed
        response, matched by token."""
        r = self.call(proto, msg, payload)
        if not r.ok:
            raise ScmiError(r.status_name, proto, msg, status=r.status, guest=self.name)
        return r.payload, self.wait_delayed(r.token, timeout)

    def raw(
        self, out: Sequence[bytes], in_lens: Sequence[int], timeout: float | None = None
    ) -> Used:
        """Any chain on the cmdq (malformed ones included); what the device wrote."""
        return self.cmdq.call(out, in_lens, timeout=self._timeout(timeout))

    def _response(self, p: Pending, u: Used) -> Response:
        data = u.data
        if u.length < 8:
            raise self._bad(p, f"response of {u.length} bytes (no header + status)")
        header, status = wire.words(data[:8])
        if header != p.header:
            raise self._bad(
                p, f"response header {header:#010x} does not echo the command's {p.header:#010x}"
            )
        status = wire.s32(status)
        if status != wire.SUCCESS and u.length != 8:
            raise self._bad(
                p,
                f"{wire.status_name(status)} with {u.length - 8} bytes of return values "
                "(an error response carries the status only)",
            )
        return Response(header, status, bytes(data[8:]), u.length)

    def _bad(self, p: Pending, why: str) -> ScmiProtocolError:
        return ScmiProtocolError(f'guest "{self.name}": {wire.describe(p.proto, p.msg)}: {why}')

    def _timeout(self, timeout: float | None) -> float:
        return self.timeout if timeout is None else timeout

    # ---- eventq ---------------------------------------------------------------------------

    def post_event_buffers(self, n: int, size: int = EVENT_SIZE) -> None:
        """Post ``n`` device-writable buffers of ``size`` bytes on the eventq, one kick."""
        if self.eventq is None:
            raise ScmiProtocolError(f"{self}: no eventq (P2A not negotiated)")
        if n:
            self.eventq.submit_many([([], [size])] * n)

    @property
    def event_buffers_posted(self) -> int:
        return len(self.eventq.ring.in_flight) if self.eventq is not None else 0

    def poll_events(self) -> int:
        """Collect what arrived on the eventq now; returns how many messages."""
        if self.eventq is None:
            return 0
        got = self.eventq.ring.get_used()
        self.device.check()
        for u in got:
            if u.length < 4:
                continue  # the device had nothing for a buffer this small
            ev = Event(Header.decode(wire.words(u.data[:4])[0]), bytes(u.data[4:]), u.length)
            if ev.delayed:
                self._delayed.setdefault(ev.hdr.token, deque()).append(ev)
            else:
                self._events.append(ev)
        if got and self.auto_repost:
            self.post_event_buffers(len(got))
        return len(got)

    def _wait(self, cond: Callable[[], bool], timeout: float, what: str) -> bool:
        """Serve the machine until ``cond()``; False when the time ran out."""

        def check() -> bool:
            self.poll_events()
            return cond()

        try:
            self.machine.wait_for(self.guest.index, check, timeout, what)
        except MachineTimeout:
            return False
        return True

    def wait_delayed(self, token: int, timeout: float | None = None) -> Event:
        """The delayed response with ``token`` (held by the platform until a buffer is posted)."""
        t = self._timeout(timeout)
        if not self._wait(lambda: bool(self._delayed.get(token)), t, f"delayed response {token}"):
            raise ScmiTimeout(
                f'guest "{self.name}": no delayed response with token {token} within {t} s '
                f"({self.event_buffers_posted} eventq buffers posted)"
            )
        q = self._delayed[token]
        ev = q.popleft()
        if not q:
            del self._delayed[token]
        return ev

    def delayed_pending(self) -> dict[int, int]:
        """Delayed responses received and not claimed: token -> count."""
        self.poll_events()
        return {t: len(q) for t, q in self._delayed.items() if q}

    def events(self, timeout: float = 0.0) -> Iterator[Event]:
        """Notifications, oldest first: those already here, then whatever arrives until
        ``timeout`` seconds have passed."""
        deadline = time.monotonic() + timeout
        while True:
            self.poll_events()
            while self._events:
                yield self._events.popleft()
            left = deadline - time.monotonic()
            if left <= 0 or not self._wait(lambda: bool(self._events), left, "a notification"):
                return

    def wait_event(self, predicate: Callable[[Event], bool], timeout: float | None = None) -> Event:
        """The first notification matching ``predicate``; the others stay queued."""
        t = self._timeout(timeout)
        skipped: list[Event] = []
        try:
            for ev in self.events(t):
                if predicate(ev):
                    return ev
                skipped.append(ev)
        finally:
            self._events.extendleft(reversed(skipped))
        raise ScmiTimeout(
            f'guest "{self.name}": no matching notification within {t} s '
            f"(got {len(skipped)} others; {self.event_buffers_posted} eventq buffers posted)"
        )
