"""A minimal vhost-user front-end for tests: it plays QEMU against ``vbe serve``.

Guest RAM is a memfd in two regions (GPA 0, 1 MiB, and GPA 0x80000000, 256 KiB, at
front-end virtual addresses unrelated to either). Rings and buffers live in the first region and
are driven by pyhost's own driver-side ring (pyhost.virtio.ring.SplitRing) over
guest-physical addresses; kick and call are eventfds passed with SCM_RIGHTS.
"""

from __future__ import annotations

import array
import ctypes
import mmap
import os
import select
import socket
import time
from collections.abc import Sequence
from pathlib import Path

from vbe.serve import protocol as p
from vbe.serve.protocol import Req

from pyhost.virtio.alloc import Allocator
from pyhost.virtio.ring import RingLayout, SplitRing, Used
from pyhost.virtio.window import WindowMem

RAM_GPA = 0  # region 0 at guest address 0: GPA == offset in the memfd
RAM_SIZE = 0x10_0000
HI_GPA = 0x8000_0000
HI_SIZE = 0x4_0000
UADDR = 0x7F00_0000_0000  # where "QEMU" pretends region 0 is mapped
HI_UADDR = 0x7F00_4000_0000
RING_AREA = 0x1_0000  # rings in the first 64 KiB of region 0, buffers after
F_VERSION_1 = 1 << 32
F_EVENT_IDX = 1 << 29
F_INDIRECT = 1 << 28


class FrontEndError(RuntimeError):
    pass


class Queue:
    def __init__(self, fe: FrontEnd, index: int, ring: SplitRing) -> None:
        self.fe, self.index, self.ring = fe, index, ring
        self.kick_fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        self.call_fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        self.done: dict[int, Used] = {}

    def submit(self, out: Sequence[bytes], in_lens: Sequence[int]) -> int:
        head = self.ring.add(out, in_lens)
        os.eventfd_write(self.kick_fd, 1)
        return head

    def wait(self, head: int, timeout: float = 5.0) -> Used:
        deadline = time.monotonic() + timeout
        while True:
            for u in self.ring.get_used():
                self.done[u.head] = u
            if head in self.done:
                return self.done.pop(head)
            left = deadline - time.monotonic()
            if left <= 0:
                raise FrontEndError(f"queue {self.index}: no completion for head {head}")
            r, _, _ = select.select([self.call_fd], [], [], min(left, 0.05))
            if r:
                os.eventfd_read(self.call_fd)

    def call(self, out: Sequence[bytes], in_lens: Sequence[int], timeout: float = 5.0) -> bytes:
        return self.wait(self.submit(out, in_lens), timeout).data

    def close(self) -> None:
        os.close(self.kick_fd)
        os.close(self.call_fd)


class FrontEnd:
    def __init__(self, path: Path, timeout: float = 10.0, sock: socket.socket | None = None):
        """Connect to the back-end at ``path``, or use ``sock``, a connection the back-end
        made to a socket this front-end listens on (``vbe serve --connect``)."""
        self.sock = sock or socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        deadline = time.monotonic() + timeout
        while sock is None:
            try:
                self.sock.connect(str(path))
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline:
                    self.sock.close()
                    raise
                time.sleep(0.05)
        self.memfd = os.memfd_create("vbe-test-guest-ram", os.MFD_CLOEXEC)
        os.ftruncate(self.memfd, RAM_SIZE + HI_SIZE)
        self.mm = mmap.mmap(self.memfd, RAM_SIZE + HI_SIZE)
        self._anchor: ctypes.c_char | None = ctypes.c_char.from_buffer(self.mm)
        self.view = memoryview(self.mm)
        self.mem = WindowMem(self.view[:RAM_SIZE], ctypes.addressof(self._anchor))
        self.alloc = Allocator(RAM_GPA + RING_AREA, RAM_SIZE - RING_AREA)
        self.queues: list[Queue] = []
        self.reply_ack = False

    # ---- messages -----------------------------------------------------------------------

    def send(self, req: int, payload: bytes = b"", fds: Sequence[int] = (), flags: int = 0,
             size: int | None = None) -> None:  # fmt: skip
        hdr = p.HDR.pack(req, p.VERSION | flags, len(payload) if size is None else size)
        anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
        self.sock.sendmsg([hdr + payload], anc)

    def recv(self, req: int) -> bytes:
        hdr = self._exact(p.HDR.size)
        r, flags, size = p.HDR.unpack(hdr)
        if r != req or flags != p.VERSION | p.FLAG_REPLY:
            raise FrontEndError(f"reply to {req}: got request {r} flags {flags:#x}")
        return self._exact(size)

    def _exact(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise FrontEndError("back-end closed the connection")
            buf += chunk
        return buf

    def get_u64(self, req: int) -> int:
        self.send(req)
        return int(p.U64.unpack(self.recv(req))[0])

    def ack(self, req: int, payload: bytes = b"", fds: Sequence[int] = ()) -> int:
        """Send with NEED_REPLY (REPLY_ACK negotiated): 0 on success."""
        self.send(req, payload, fds, p.FLAG_NEED_REPLY)
        return int(p.U64.unpack(self.recv(req))[0])

    def do(self, req: int, payload: bytes = b"", fds: Sequence[int] = ()) -> None:
        if self.reply_ack:
            if self.ack(req, payload, fds) != 0:
                raise FrontEndError(f"{p.req_name(req)} failed")
        else:
            self.send(req, payload, fds)

    # ---- set-up as QEMU does it ---------------------------------------------------------

    def negotiate(self, features: int) -> int:
        offered = self.get_u64(Req.GET_FEATURES)
        if offered & p.F_PROTOCOL_FEATURES:
            proto = self.get_u64(Req.GET_PROTOCOL_FEATURES)
            self.send(Req.SET_PROTOCOL_FEATURES, p.U64.pack(proto & p.PROTOCOL_FEATURES))
            self.reply_ack = bool(proto & (1 << p.ProtoF.REPLY_ACK))
            self.num_queues = self.get_u64(Req.GET_QUEUE_NUM)
        self.send(Req.SET_OWNER)
        acked = offered & (features | p.F_PROTOCOL_FEATURES)
        self.do(Req.SET_FEATURES, p.U64.pack(acked))
        self.features = acked & ~p.F_PROTOCOL_FEATURES
        return self.features

    def regions(self) -> list[p.Region]:
        return [p.Region(RAM_GPA, RAM_SIZE, UADDR, 0),
                p.Region(HI_GPA, HI_SIZE, HI_UADDR, RAM_SIZE)]  # fmt: skip

    def set_mem_table(self, regions: list[p.Region] | None = None) -> None:
        regions = self.regions() if regions is None else regions
        self.do(Req.SET_MEM_TABLE, p.pack_mem_table(regions), [self.memfd] * len(regions))

    def uaddr(self, gpa: int) -> int:
        return gpa - RAM_GPA + UADDR

    def setup_queue(self, index: int, size: int = 16) -> Queue:
        layout = RingLayout.at(RAM_GPA + index * 0x4000, size)
        ring = SplitRing(self.mem, layout, self.alloc, event_idx=bool(self.features & F_EVENT_IDX),
                         indirect=bool(self.features & F_INDIRECT), name=f"vq{index}")  # fmt: skip
        q = Queue(self, index, ring)
        self.do(Req.SET_VRING_NUM, p.STATE.pack(index, size))
        self.do(Req.SET_VRING_BASE, p.STATE.pack(index, 0))
        self.do(Req.SET_VRING_ADDR, p.ADDR.pack(index, 0, self.uaddr(layout.desc),
                                                self.uaddr(layout.used),
                                                self.uaddr(layout.avail), 0))  # fmt: skip
        self.do(Req.SET_VRING_CALL, p.U64.pack(index), [q.call_fd])
        self.do(Req.SET_VRING_KICK, p.U64.pack(index), [q.kick_fd])
        self.do(Req.SET_VRING_ENABLE, p.STATE.pack(index, 1))
        self.queues.append(q)
        return q

    def start(self, features: int, queues: int = 1, size: int = 16) -> list[Queue]:
        self.negotiate(features)
        self.set_mem_table()
        return [self.setup_queue(i, size) for i in range(queues)]

    def close(self) -> None:
        self.sock.close()
        for q in self.queues:
            q.close()
        self.queues = []
        self.mem.view.release()
        self.view.release()
        self._anchor = None
        self.mm.close()
        os.close(self.memfd)
