"""The vhost-user daemon: one listening socket per served guest device, one selector loop.

Each endpoint takes one front-end at a time. When it goes away (or sends something that
breaks the protocol), the device is reset, every fd and mapping is released and the
socket accepts again: a restarted QEMU, or a reconnecting one, starts clean.

An endpoint added with ``connect=True`` is the socket's client instead: the front-end
listens (QEMU: ``-chardev socket,server=on``) and the daemon connects, and connects again
whenever the connection is lost, so a restarted daemon finds its front-ends again. (QEMU
10.0's vhost-user-i2c/-scmi abort when a back-end comes back to a running device:
vhost-user-base's connect never re-initialises what its disconnect cleaned up.)
"""

from __future__ import annotations

import array
import os
import selectors
import socket
import stat
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from vbe.serve import protocol as p
from vbe.serve.backend import Device, Host
from vbe.serve.protocol import Message, ProtocolError
from vbe.serve.session import EXPLICIT_REPLY, Session

#: Seconds a front-end may take to finish sending a message it started.
MSG_TIMEOUT = 5.0
IDLE_TICK = 0.2
CONNECT_RETRY = 0.1  # client mode: seconds between connection attempts
POLL_TICK = 0.005

Log = Callable[[str], None]


class _Closed(Exception):
    """The front-end closed the connection."""


def recv_msg(sock: socket.socket) -> Message:
    """One whole message with its fds. _Closed on EOF; ProtocolError when framing is lost."""
    fds: list[int] = []
    data, anc, flags, _ = sock.recvmsg(p.HDR.size, socket.CMSG_SPACE(p.MAX_FDS * 4))
    for level, kind, blob in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            arr = array.array("i")
            arr.frombytes(blob[: len(blob) - len(blob) % arr.itemsize])
            fds += list(arr)
    try:
        if not data:
            raise _Closed()
        if flags & socket.MSG_CTRUNC:
            raise ProtocolError(f"a message carried more than {p.MAX_FDS} fds")
        data += _recv_exact(sock, p.HDR.size - len(data))
        request, mflags, size = p.parse_header(data)
        return Message(request, mflags, _recv_exact(sock, size), fds)
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise _Closed()
        buf += chunk
    return buf


@dataclass
class Endpoint:
    path: Path
    device: Device
    listener: socket.socket | None  # None: the daemon connects to path (client mode)
    conn: socket.socket | None = None
    session: Session | None = None
    connections: int = 0
    next_try: float = 0.0  # client mode: when to try connecting again

    @property
    def label(self) -> str:
        return f"{self.device.guest}/{self.device.kind} ({self.path})"


class Daemon:
    """Serves every endpoint added with :meth:`add` from one loop (:meth:`serve`).

    ``host`` makes the devices (``host.device(guest, kind)``); a host with a ``tick()``
    method has it called once per loop iteration, at least every ``host.tick_interval``
    seconds (the bridge forwards late answers and the backend's notifications there); the
    devices it returns are served once more, so their drivers are signalled."""

    def __init__(self, host: Host, info: Log, warn: Log, debug: Log | None = None) -> None:
        self.host = host
        self.info = info
        self.warn = warn
        self.debug = debug
        self.sel = selectors.DefaultSelector()
        self.endpoints: list[Endpoint] = []
        #: held while the daemon touches the backend; another thread that reads or changes
        #: the platform (a test setting a sensor) takes it too
        self.lock = threading.RLock()

    def add(self, path: Path, guest: str, kind: str, connect: bool = False) -> Endpoint:
        """Serve ``guest``'s ``kind`` device on the socket ``path``: listening, or with
        ``connect`` connecting to the front-end listening there (retried until it does)."""
        device = self.host.device(guest, kind)
        if connect:
            ep = Endpoint(path, device, None)
            self.endpoints.append(ep)
            self.info(f"{ep.label}: virtio id {device.device_id}, {device.num_queues} "
                      "queue(s), connecting to the front-end")  # fmt: skip
            self._try_connect(ep)
            return ep
        if path.exists() or path.is_symlink():
            if not stat.S_ISSOCK(path.lstat().st_mode):
                device.close()
                raise OSError(f"{path} exists and is not a socket: refusing to replace it")
            path.unlink()
        lst = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lst.bind(str(path))
        lst.listen(1)
        ep = Endpoint(path, device, lst)
        self.sel.register(lst, selectors.EVENT_READ, ("listen", ep, None))
        self.endpoints.append(ep)
        self.info(f"{ep.label}: virtio id {device.device_id}, {device.num_queues} queue(s), "
                  "waiting for a front-end")  # fmt: skip
        return ep

    # ---- connections --------------------------------------------------------------------

    def _accept(self, ep: Endpoint) -> None:
        assert ep.listener is not None
        conn, _ = ep.listener.accept()
        if ep.conn is not None:
            self.warn(f"{ep.label}: a second front-end connected; refused (one at a time)")
            conn.close()
            return
        self._attach(ep, conn)

    def _try_connect(self, ep: Endpoint) -> None:
        """Client mode: one connection attempt, the next one CONNECT_RETRY s later."""
        ep.next_try = time.monotonic() + CONNECT_RETRY
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(str(ep.path))
        except OSError:
            conn.close()
            return
        self._attach(ep, conn)

    def _attach(self, ep: Endpoint, conn: socket.socket) -> None:
        conn.settimeout(MSG_TIMEOUT)
        ep.conn = conn
        ep.connections += 1

        def on_kick_fd(q: int, old: int | None, new: int | None) -> None:
            if old is not None:
                self.sel.unregister(old)
                os.close(old)
            if new is not None:
                os.set_blocking(new, False)
                self.sel.register(new, selectors.EVENT_READ, ("kick", ep, q))

        ep.session = Session(ep.device, on_kick_fd)
        self.sel.register(conn, selectors.EVENT_READ, ("conn", ep, None))
        self.info(f"{ep.label}: front-end connected")

    def _drop(self, ep: Endpoint, why: str) -> None:
        if ep.session is not None:
            ep.session.close()
            ep.session = None
        if ep.conn is not None:
            self.sel.unregister(ep.conn)
            ep.conn.close()
            ep.conn = None
        again = "waiting for a front-end" if ep.listener else "connecting again"
        self.info(f"{ep.label}: {why}; device reset, {again}")

    def _message(self, ep: Endpoint) -> None:
        assert ep.conn is not None and ep.session is not None
        try:
            msg = recv_msg(ep.conn)
        except _Closed:
            self._drop(ep, "front-end disconnected")
            return
        except (ProtocolError, OSError) as exc:
            self.warn(f"{ep.label}: {exc}")
            self._drop(ep, "connection dropped")
            return
        if self.debug is not None:
            self.debug(f"{ep.label}: {msg.name} flags {msg.flags:#x} size {len(msg.payload)} "
                       f"fds {len(msg.fds)}")  # fmt: skip
        try:
            body = ep.session.handle(msg, lambda s: self.warn(f"{ep.label}: {s}"))
            ok = True
        except ProtocolError as exc:
            self.warn(f"{ep.label}: {exc}")
            body, ok = None, False
        except Exception as exc:  # noqa: BLE001 (a bug must not take the daemon down)
            self.warn(f"{ep.label}: {msg.name}: internal error: {exc!r}")
            body, ok = None, False
        finally:
            for fd in msg.fds:
                os.close(fd)
        if not ok and (msg.request in EXPLICIT_REPLY or not (msg.need_reply and
                                                             ep.session.reply_ack)):  # fmt: skip
            self._drop(ep, f"{msg.name} failed")
            return
        if body is None and msg.need_reply and ep.session.reply_ack:
            body = p.U64.pack(0 if ok else 1)
        if body is not None:
            try:
                ep.conn.sendall(p.reply(msg, body).pack())
            except OSError as exc:
                self._drop(ep, f"reply to {msg.name} failed: {exc}")

    def _signal(self, devices: Iterable[object]) -> None:
        """Devices that completed guest buffers outside a kick (the host's tick(): late
        answers, events): serve them once, which signals their drivers."""
        for dev in devices:
            for ep in self.endpoints:
                if ep.device is dev and ep.session is not None:
                    ep.session.kick_pass(lambda s, ep=ep: self.warn(f"{ep.label}: {s}"))

    def _kick(self, ep: Endpoint, fd: int) -> None:
        try:
            os.eventfd_read(fd)
        except BlockingIOError:
            return
        if ep.session is not None:
            ep.session.kick_pass(lambda s: self.warn(f"{ep.label}: {s}"))

    # ---- the loop -----------------------------------------------------------------------

    def serve(self, stop: threading.Event | None = None, idle_timeout: float | None = None) -> None:
        """Serve until ``stop`` is set (checked at least every IDLE_TICK seconds), or until
        no front-end has been connected for ``idle_timeout`` seconds."""
        idle_since = time.monotonic()
        tick = getattr(self.host, "tick", None)
        tick_interval = getattr(self.host, "tick_interval", IDLE_TICK)
        while stop is None or not stop.is_set():
            if any(ep.conn is not None for ep in self.endpoints):
                idle_since = time.monotonic()
            elif idle_timeout is not None and time.monotonic() - idle_since > idle_timeout:
                self.info(f"no front-end for {idle_timeout:g} s: stopping")
                return
            polling = [ep for ep in self.endpoints if ep.session and ep.session.polling]
            dialing = [ep for ep in self.endpoints if ep.listener is None and ep.conn is None]
            wait = POLL_TICK if polling else tick_interval
            if dialing:
                wait = min(wait, CONNECT_RETRY)
            events = self.sel.select(min(wait, IDLE_TICK))
            with self.lock:
                for key, _ in events:
                    kind, ep, _q = key.data
                    if kind == "listen":
                        self._accept(ep)
                    elif kind == "conn":
                        self._message(ep)
                    elif kind == "kick" and isinstance(key.fileobj, int):
                        self._kick(ep, key.fileobj)
                for ep in polling:
                    if ep.session is not None:
                        ep.session.kick_pass(lambda s, ep=ep: self.warn(f"{ep.label}: {s}"))
                if tick is not None:
                    self._signal(tick() or ())
                for ep in dialing:
                    if ep.conn is None and time.monotonic() >= ep.next_try:
                        self._try_connect(ep)

    def close(self) -> None:
        for ep in self.endpoints:
            if ep.conn is not None:
                self._drop(ep, "daemon stopping")
            if ep.listener is not None:  # a client leaves the front-end's socket alone
                self.sel.unregister(ep.listener)
                ep.listener.close()
                try:
                    ep.path.unlink()
                except FileNotFoundError:
                    pass
            ep.device.close()
        self.endpoints = []
        self.sel.close()
