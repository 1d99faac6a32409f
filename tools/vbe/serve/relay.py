"""The C core's relay (vbe/relay.h) bound to a guest's rings: the guest-facing half of
bridge mode.

The relay answers nothing itself. A kick pops the guest's chains (every ring access checked
by the core, as in direct mode) into a fixed table; :meth:`Relay.next` hands each request
out as flat bytes; :meth:`Relay.done` writes an answer back into that chain (never past its
writable part) and hands it to the driver. A completion for a request the relay no longer
holds (the ring was stopped or the device reset since) is refused: nothing is written.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass

from pyhost.corelib import load
from vbe.serve.backend import KINDS, BackendError, Binding

#: largest request (device-readable bytes) and answer (device-writable bytes) carried;
#: bigger ones are rejected by the relay (virtio-i2c: status ERR; virtio-scmi: nothing
#: written, as the core does with a chain it cannot answer)
OUT_MAX = 4096
IN_MAX = 4096

STATS = ("popped", "handed", "done", "rejected", "stale", "voided", "truncated")


@dataclass(frozen=True)
class Request:
    """One guest request: its queue, the relay's id, device-readable bytes, writable size."""

    queue: int
    id: int
    out: bytes
    in_cap: int


@dataclass(frozen=True)
class Completion:
    """What :meth:`Relay.done` / :meth:`Relay.reject` did: 0 or a negative errno, bytes
    written into the guest's chain, whether its driver must be notified now."""

    rc: int
    written: int = 0
    signal: bool = False

    @property
    def stale(self) -> bool:
        return self.rc == -errno.ESTALE


class Relay(Binding):
    """A relay for a virtio-``kind`` device offering the device-specific bits of
    ``features``; the Session drives it like a direct-mode Device (Binding calls)."""

    def __init__(self, guest: str, kind: str, features: int) -> None:
        if kind not in KINDS:
            raise BackendError(f"device kind {kind!r}: use one of {', '.join(KINDS)}")
        core = load()
        self.lib, self.ffi = core.lib, core.ffi
        self.guest, self.kind = guest, kind
        r = self.lib.vbe_host_relay_create(KINDS[kind], features)
        if r == self.ffi.NULL:
            raise BackendError(f"cannot create a relay for virtio-{kind} (out of memory)")
        self.r = r
        self._bind(self.lib.vbe_host_relay_vhu(r))
        self._out = self.ffi.new("uint8_t[]", OUT_MAX)
        self._u32 = self.ffi.new("uint32_t[3]")
        self._sig = self.ffi.new("int *")

    def next(self, q: int) -> Request | None:
        """The oldest request of queue ``q`` not taken yet; None when there is none (or the
        queue is broken: the binding reports that, see queue_state())."""
        u = self._u32
        rc = int(self.lib.vbe_host_relay_next(self.r, q, self._out, OUT_MAX, IN_MAX,
                                              u, u + 1, u + 2))  # fmt: skip
        if rc != 0:
            return None
        return Request(q, int(u[2]), bytes(self.ffi.buffer(self._out, int(u[0]))), int(u[1]))

    def done(self, q: int, rid: int, data: bytes) -> Completion:
        """Answer request ``rid`` of queue ``q`` with ``data`` (cut at its writable size)."""
        w = self._u32
        rc = int(self.lib.vbe_host_relay_done(self.r, q, rid, data, len(data), w, self._sig))
        return Completion(rc, int(w[0]), bool(self._sig[0]))

    def reject(self, q: int, rid: int) -> Completion:
        """Complete request ``rid`` without an answer (virtio-i2c: status ERR)."""
        rc = int(self.lib.vbe_host_relay_reject(self.r, q, rid, self._sig))
        return Completion(rc, 0, bool(self._sig[0]))

    def held(self, q: int) -> int:
        """Requests of queue ``q`` the relay holds (taken or not)."""
        return int(self.lib.vbe_host_relay_held(self.r, q))

    def acked_features(self) -> int:
        """Features the front-end acknowledged (0 before SET_FEATURES / after a reset)."""
        return int(self.lib.vbe_host_relay_features(self.r))

    def stats(self) -> dict[str, int]:
        out = self.ffi.new("uint32_t[]", len(STATS))
        self.lib.vbe_host_relay_stats(self.r, out)
        return {name: int(out[i]) for i, name in enumerate(STATS)}

    def close(self) -> None:
        if getattr(self, "r", None) is not None:
            self.lib.vbe_host_relay_destroy(self.r)
            self.r = None
            self.v = None
