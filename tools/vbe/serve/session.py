"""One front-end connection to one device: the vhost-user request handlers.

:meth:`Session.handle` applies one message and returns the explicit reply payload (or
None); a message it cannot accept raises :class:`ProtocolError` naming the message and
what is wrong. It takes the fds it keeps out of ``msg.fds``; the caller closes the rest.
"""

from __future__ import annotations

import ctypes
import errno
import mmap
import os
from collections.abc import Callable

from vbe.serve import protocol as p
from vbe.serve.backend import Binding, errno_name
from vbe.serve.protocol import Message, ProtocolError, Req


class Mapping:
    """One guest RAM region mapped from the front-end's fd."""

    def __init__(self, fd: int, region: p.Region, index: int) -> None:
        try:
            self.mm = mmap.mmap(fd, region.mmap_offset + region.size, mmap.MAP_SHARED,
                                mmap.PROT_READ | mmap.PROT_WRITE)  # fmt: skip
        except (OSError, ValueError, OverflowError) as exc:
            raise ProtocolError(
                f"VHOST_USER_SET_MEM_TABLE: region {index} ({region.size:#x} bytes at mmap "
                f"offset {region.mmap_offset:#x}) cannot be mapped: {exc}"
            ) from exc
        self._anchor: ctypes.c_char | None = ctypes.c_char.from_buffer(self.mm)
        self.ptr = ctypes.addressof(self._anchor) + region.mmap_offset
        self.region = region

    def close(self) -> None:
        self._anchor = None
        self.mm.close()


_ERRNO_WHY = {
    -errno.EINVAL: "invalid value",
    -errno.EBUSY: "the ring is running",
    -errno.EFAULT: "a ring part is outside the memory table",
    -errno.EPROTO: "a ring part is misaligned",
    -errno.EEXIST: "it overlaps another region",
    -errno.ENOSPC: "too many regions",
}


def _check(rc: int, what: str) -> None:
    if rc != 0:
        raise ProtocolError(f"{what}: {_ERRNO_WHY.get(rc, 'refused')} ({errno_name(rc)})")


class Session:
    def __init__(self, device: Binding, on_kick_fd: Callable[[int, int | None, int | None], None]):
        self.dev = device
        self.on_kick_fd = on_kick_fd  # (queue, old fd, new fd): the daemon (un)registers
        self.protocol_features = 0
        self.features_proto = False  # F_PROTOCOL_FEATURES acknowledged: rings start disabled
        self.maps: list[Mapping] = []
        self.retired: list[Mapping] = []  # old tables: the backend may still hold pointers
        self.kick: dict[int, int] = {}
        self.call: dict[int, int] = {}
        self.err: dict[int, int] = {}
        self.polling: set[int] = set()

    @property
    def reply_ack(self) -> bool:
        return bool(self.protocol_features & (1 << p.ProtoF.REPLY_ACK))

    # ---- helpers ------------------------------------------------------------------------

    def _queue(self, msg: Message, q: int) -> int:
        if q >= self.dev.num_queues:
            raise ProtocolError(
                f"{msg.name}: queue {q} does not exist (the {self.dev.kind} device has "
                f"{self.dev.num_queues})"
            )
        return q

    def _take_fd(self, msg: Message, value: int) -> int | None:
        if value & p.VRING_NOFD:
            return None
        if len(msg.fds) != 1:
            raise ProtocolError(f"{msg.name}: expected one fd, got {len(msg.fds)}")
        return msg.fds.pop()

    def _set_fd(self, table: dict[int, int], q: int, fd: int | None) -> int | None:
        old = table.pop(q, None)
        if fd is not None:
            table[q] = fd
        return old

    def kick_pass(self, warn: Callable[[str], None]) -> None:
        """Serve the device once and signal the queues it completed work on."""
        rc, call = self.dev.kick()
        for q in range(self.dev.num_queues):
            if call & (1 << q) and q in self.call:
                os.eventfd_write(self.call[q], 1)
        if rc == -errno.EIO or rc == -errno.EFAULT:
            for q in range(self.dev.num_queues):
                fault, _live = self.dev.queue_state(q)
                if fault and q in self.err:
                    os.eventfd_write(self.err[q], 1)
            faults = [f"queue {q}: {self.dev.fault_str(self.dev.queue_state(q)[0])}"
                      for q in range(self.dev.num_queues) if self.dev.queue_state(q)[0]]  # fmt: skip
            warn(f"{self.dev.kind} device of {self.dev.guest}: {'; '.join(faults)}")

    # ---- requests -----------------------------------------------------------------------

    def handle(self, msg: Message, warn: Callable[[str], None]) -> bytes | None:
        if msg.request != Req.SET_MEM_TABLE:
            p.check_size(msg)
        handler = _HANDLERS.get(msg.request)
        if handler is None:
            raise ProtocolError(f"{msg.name}: not supported by this back-end")
        return handler(self, msg, warn)

    def _get_features(self, msg: Message, warn: Callable[[str], None]) -> bytes:
        return p.U64.pack(self.dev.features() | p.F_PROTOCOL_FEATURES)

    def _set_features(self, msg: Message, warn: Callable[[str], None]) -> None:
        f = p.u64(msg)
        offered = self.dev.features() | p.F_PROTOCOL_FEATURES
        if f & ~offered:
            raise ProtocolError(f"{msg.name}: features {f & ~offered:#x} were not offered")
        rc = self.dev.set_features(f & ~p.F_PROTOCOL_FEATURES)
        if rc == -errno.ENOTSUP:
            raise ProtocolError(f"{msg.name}: {f:#x} lacks VERSION_1 or a required feature")
        _check(rc, msg.name)
        self.features_proto = bool(f & p.F_PROTOCOL_FEATURES)

    def _get_protocol_features(self, msg: Message, warn: Callable[[str], None]) -> bytes:
        return p.U64.pack(p.PROTOCOL_FEATURES)

    def _set_protocol_features(self, msg: Message, warn: Callable[[str], None]) -> None:
        f = p.u64(msg)
        if f & ~p.PROTOCOL_FEATURES:
            raise ProtocolError(
                f"{msg.name}: protocol features {f & ~p.PROTOCOL_FEATURES:#x} were not offered"
            )
        self.protocol_features = f

    def _nothing(self, msg: Message, warn: Callable[[str], None]) -> None:
        return None  # SET_OWNER; RESET_OWNER is deprecated and ignored (the spec allows it)

    def _get_queue_num(self, msg: Message, warn: Callable[[str], None]) -> bytes:
        return p.U64.pack(self.dev.num_queues)

    def _set_mem_table(self, msg: Message, warn: Callable[[str], None]) -> None:
        regions = p.mem_table(msg)
        if len(msg.fds) != len(regions):
            raise ProtocolError(f"{msg.name}: {len(regions)} regions but {len(msg.fds)} fds")
        new: list[Mapping] = []
        try:
            for i, (fd, r) in enumerate(zip(msg.fds, regions, strict=True)):
                new.append(Mapping(fd, r, i))
            self.dev.mem_clear()
            for i, m in enumerate(new):
                r = m.region
                _check(self.dev.mem_add(r.gpa, r.size, r.uaddr, m.ptr),
                       f"{msg.name}: region {i} (guest {r.gpa:#x}+{r.size:#x})")  # fmt: skip
        except ProtocolError:
            self.dev.mem_clear()
            self.retired += self.maps + new  # nothing may point into them, but be safe
            self.maps = []
            raise
        self.retired += self.maps
        self.maps = new
        self.kick_pass(warn)

    def _set_vring_num(self, msg: Message, warn: Callable[[str], None]) -> None:
        q, num = p.state(msg)
        _check(self.dev.set_num(self._queue(msg, q), num), f"{msg.name}: queue {q} size {num}")

    def _set_vring_addr(self, msg: Message, warn: Callable[[str], None]) -> None:
        a = p.vring_addr(msg)
        q = self._queue(msg, a.index)
        _check(self.dev.set_addr(q, a.desc, a.used, a.avail),
               f"{msg.name}: queue {q} desc {a.desc:#x} used {a.used:#x} avail {a.avail:#x}")  # fmt: skip

    def _set_vring_base(self, msg: Message, warn: Callable[[str], None]) -> None:
        q, base = p.state(msg)
        _check(self.dev.set_base(self._queue(msg, q), base), f"{msg.name}: queue {q} {base}")

    def _get_vring_base(self, msg: Message, warn: Callable[[str], None]) -> bytes:
        q, _ = p.state(msg)
        rc, base = self.dev.get_base(self._queue(msg, q))
        _check(rc, f"{msg.name}: queue {q}")
        old = self._set_fd(self.kick, q, None)  # the ring is stopped: its kick fd goes
        self.polling.discard(q)
        self.on_kick_fd(q, old, None)
        return p.STATE.pack(q, base)

    def _set_vring_kick(self, msg: Message, warn: Callable[[str], None]) -> None:
        v = p.u64(msg)
        q = self._queue(msg, v & p.VRING_IDX_MASK)
        fd = self._take_fd(msg, v)
        old = self._set_fd(self.kick, q, fd)
        self.on_kick_fd(q, old, fd)
        if fd is None:
            self.polling.add(q)
        else:
            self.polling.discard(q)
        _check(self.dev.set_kick(q), f"{msg.name}: queue {q}")
        if not self.features_proto:
            _check(self.dev.set_enable(q, 1), f"{msg.name}: queue {q}")  # starts enabled
        self.kick_pass(warn)

    def _set_vring_fd(self, table: dict[int, int], msg: Message) -> None:
        v = p.u64(msg)
        q = self._queue(msg, v & p.VRING_IDX_MASK)
        old = self._set_fd(table, q, self._take_fd(msg, v))
        if old is not None:
            os.close(old)

    def _set_vring_call(self, msg: Message, warn: Callable[[str], None]) -> None:
        self._set_vring_fd(self.call, msg)

    def _set_vring_err(self, msg: Message, warn: Callable[[str], None]) -> None:
        self._set_vring_fd(self.err, msg)

    def _set_vring_enable(self, msg: Message, warn: Callable[[str], None]) -> None:
        q, on = p.state(msg)
        _check(self.dev.set_enable(self._queue(msg, q), on), f"{msg.name}: queue {q} {on}")
        if on:
            self.kick_pass(warn)

    def _reset_device(self, msg: Message, warn: Callable[[str], None]) -> None:
        self.reset()

    def reset(self) -> None:
        """Device reset: rings, features and memory forgotten; fds closed."""
        self.dev.reset()
        for table in (self.kick, self.call, self.err):
            for q, fd in list(table.items()):
                if table is self.kick:
                    self.on_kick_fd(q, fd, None)
                else:
                    os.close(fd)
            table.clear()
        self.polling.clear()
        for m in self.maps + self.retired:
            m.close()
        self.maps, self.retired = [], []
        self.features_proto = False

    def close(self) -> None:
        self.reset()


_HANDLERS: dict[int, Callable[[Session, Message, Callable[[str], None]], bytes | None]] = {
    Req.GET_FEATURES: Session._get_features,
    Req.SET_FEATURES: Session._set_features,
    Req.SET_OWNER: Session._nothing,
    Req.RESET_OWNER: Session._nothing,
    Req.SET_MEM_TABLE: Session._set_mem_table,
    Req.SET_VRING_NUM: Session._set_vring_num,
    Req.SET_VRING_ADDR: Session._set_vring_addr,
    Req.SET_VRING_BASE: Session._set_vring_base,
    Req.GET_VRING_BASE: Session._get_vring_base,
    Req.SET_VRING_KICK: Session._set_vring_kick,
    Req.SET_VRING_CALL: Session._set_vring_call,
    Req.SET_VRING_ERR: Session._set_vring_err,
    Req.GET_PROTOCOL_FEATURES: Session._get_protocol_features,
    Req.SET_PROTOCOL_FEATURES: Session._set_protocol_features,
    Req.GET_QUEUE_NUM: Session._get_queue_num,
    Req.SET_VRING_ENABLE: Session._set_vring_enable,
    Req.RESET_DEVICE: Session._reset_device,
}

#: Requests whose normal reply carries a body: on an error the connection drops.
EXPLICIT_REPLY = {Req.GET_FEATURES, Req.GET_PROTOCOL_FEATURES, Req.GET_VRING_BASE,
                  Req.GET_QUEUE_NUM}  # fmt: skip
