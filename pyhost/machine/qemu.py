"""The backend in a QEMU Arm64 guest: the bare-metal image over shared guest RAM.

    m = QemuMachine()                 # notify="doorbell" (default) or "poll"
    m.launch()                        # build the image if stale, boot, wait for readiness
    ...                               # the Machine contract (pyhost.machine.base)
    m.close()

Guest RAM is a ``memory-backend-file`` (``/dev/shm/vbe-<pid>-<n>``, ``share=on``) that this
process maps too: guest physical address ``gpa`` is at offset ``gpa - ram_base`` (the
manifest's windows, mailbox and RAM base). The path is unlinked as soon as both sides have
it, so nothing is left in /dev/shm even if this process dies.

Notification: with ``notify="doorbell"`` a second PL011 is a unix-socket chardev.
``notify()`` sends one byte; ``wait_for()`` checks its condition for ``wait_spin_us``
(default 0, env VBE_QEMU_WAIT_SPIN_US), then blocks on the socket until the image sends
one (a used-buffer notification, or "done" after any round that did work). With
``notify="poll"`` (second UART ``null``) the image polls its windows and ``wait_for()``
polls ``cond()``. Both detect a dead QEMU and raise MachineError naming the console log.

Environment: VBE_QEMU_KEEP_LOGS=1 keeps each machine's run directory (console log, QEMU's
own output, the command line); it is kept anyway after an error.
"""

from __future__ import annotations

import functools
import itertools
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import cffi

from pyhost import corelib
from pyhost.machine.base import GuestInfo, Machine, MachineError, MachineTimeout, ScmiInfo
from pyhost.machine.described import guests_from_manifest, scmi_from_manifest
from pyhost.machine.platform import Mailbox, SimPlatform
from pyhost.machine.qemu_image import BOARD, ImageInfo, ensure_image, load_manifest, qemu_binary
from pyhost.machine.qemu_proc import RUN_PREFIX, QemuProcess, cpu_seconds
from pyhost.virtio.window import FFI, C

RAM_SIZE = 128 << 20
READY_LINE = "vbe: ready"
FAILURE_LINE = "Bail out!"
BOOT_TIMEOUT = 30.0
DOORBELL_TIMEOUT = 5.0
#: doorbell bytes (boards/qemu_virt_baremetal/src/harness.h)
DB_HELLO, DB_PING, DB_KICK = b"H", b"P", b"K"
#: wait_for: how long polling mode spins before it starts to sleep a little
POLL_SPIN_S = 0.002
POLL_NAP_S = 0.0002
#: doorbell mode: wait_for() and ping() spin this long before blocking on the socket (0:
#: block at once). Off by default: it helped only in some host states (tests/bench/README.md)
WAIT_SPIN_US = 0
#: how often a blocked wait checks that QEMU still runs
LIVENESS_S = 0.2

_counter = itertools.count(1)


@functools.cache
def _harness_ffi() -> tuple[cffi.FFI, Any]:
    """The board's harness interface (src/harness_layout.h): its own mailbox commands and
    the profile's layout."""
    ffi = cffi.FFI()
    ffi.cdef(corelib.cdef_source(BOARD / "src" / "harness_layout.h"))
    return ffi, ffi.dlopen(None)


class QemuPlatform(SimPlatform):
    """The simulated platform inside the image: the platform protocol through its mailbox,
    and the board's own commands and profile."""

    def __init__(self, mailbox: Mailbox, machine: QemuMachine, profile: tuple[int, int] | None):
        super().__init__(mailbox, machine.name)
        self.mbx = mailbox
        self._profile = profile  # (address in this process, size)

    def set_doorbell_idle(self, spin_us: int, sleep_max_us: int) -> None:
        """Doorbell mode's idle policy in the image: spin, then sleep at most this long."""
        _, c = _harness_ffi()
        r = self.call(c.BM_CMD_IDLE, spin_us, sleep_max_us, what="idle")
        if r.result != 0:
            raise MachineError(f"idle policy ({spin_us}, {sleep_max_us}) refused: {r.result}")

    def counter(self) -> int:
        """The image's virtual counter (CNTVCT_EL0) as the mailbox command ran."""
        _, c = _harness_ffi()
        r = self.call(c.BM_CMD_TIME, what="time")
        if r.result != 0 or len(r.data) != 8:
            raise MachineError(f"qemu: the TIME command failed: {r.result}")
        return int.from_bytes(r.data, "little")

    @property
    def prof(self) -> Any:
        """The service loop's profile in the image's memory (``struct bm_profile *``, live:
        each read sees what the image wrote last)."""
        if self._profile is None:
            raise MachineError("the image's manifest names no profile: rebuild it")
        ffi, _ = _harness_ffi()
        ptr, size = self._profile
        if size < ffi.sizeof("struct bm_profile"):
            raise MachineError(f"the image's profile is {size} bytes: rebuild it")
        return ffi.cast("struct bm_profile *", ptr)

    def profile(self) -> dict[str, Any]:
        """The service loop's profile (struct bm_profile, harness_layout.h), a snapshot:
        every field by name, ``win`` as a list; all zero unless the image was built with
        VBE_BM_PROFILE=ON (``enabled``). Read it while the image is idle."""
        ffi, _ = _harness_ffi()
        p = self.prof
        out: dict[str, Any] = {}
        for name, _ in ffi.typeof("struct bm_profile").fields:
            if name == "reserved":
                continue
            v = getattr(p, name)
            out[name] = [int(x) for x in v] if name == "win" else int(v)
        return out


class QemuMachine(Machine):
    """The demo system served by the bare-metal image in qemu-system-aarch64."""

    name = "qemu"

    def __init__(
        self,
        notify: str = "doorbell",
        boot_timeout: float = BOOT_TIMEOUT,
        keep_logs: bool | None = None,
        image: Path | None = None,
        qemu_args: list[str] | None = None,
        wait_spin_us: int | None = None,
    ) -> None:
        if notify not in ("doorbell", "poll"):
            raise MachineError(f'notify={notify!r}: use "doorbell" or "poll"')
        self.notify_mode = notify
        self.boot_timeout = boot_timeout
        self.keep_logs = (
            os.environ.get("VBE_QEMU_KEEP_LOGS") == "1" if keep_logs is None else keep_logs
        )
        self._image_path = image
        self._qemu_args = list(qemu_args or [])  # appended to QEMU's command line (tracing)
        if wait_spin_us is None:
            wait_spin_us = int(os.environ.get("VBE_QEMU_WAIT_SPIN_US", WAIT_SPIN_US))
        self.wait_spin_us = max(0, wait_spin_us)
        self.image: ImageInfo | None = None
        self.proc: QemuProcess | None = None
        self._guests: list[GuestInfo] = []
        self._views: list[memoryview] = []
        self._ptrs: list[int] = []
        self._platform: QemuPlatform | None = None
        self._scmi: ScmiInfo | None = None
        self.notes: list[str] = []  # how the machine was set up
        self.boot_seconds: float | None = None

    # ---- lifecycle ----------------------------------------------------------------------

    def launch(self) -> None:
        if self.proc is not None:
            return
        qemu = qemu_binary()
        elf = self._image_path or ensure_image()
        self.image = img = load_manifest(elf)
        if self.notify_mode == "doorbell" and img.doorbell is None:
            raise MachineError(f"{elf}: the image has no doorbell; use notify='poll' or rebuild")
        if img.mailbox is None:
            raise MachineError(f"{elf}: the image has no platform mailbox; rebuild it")
        self.notes = []
        n = next(_counter)
        run_dir = Path(tempfile.mkdtemp(prefix=f"{RUN_PREFIX}{os.getpid()}-{n}-"))
        self.proc = QemuProcess(
            qemu=qemu,
            elf=elf,
            run_dir=run_dir,
            shm=Path(f"/dev/shm/vbe-{os.getpid()}-{n}"),
            ram_size=RAM_SIZE,
            doorbell=self.notify_mode == "doorbell",
            keep_logs=self.keep_logs,
            extra_args=self._qemu_args,
        )
        try:
            t0 = time.monotonic()
            self.proc.start()
            self._map_guests(img)
            self._wait_ready(img)
            if self.notify_mode == "doorbell":
                self._hello()
            self.boot_seconds = time.monotonic() - t0
        except BaseException:
            self.proc.failed = True
            self.close()
            raise

    def close(self) -> None:
        """Stop QEMU (SIGTERM, then SIGKILL after 2 s), unmap, remove shm file and socket."""
        self._views = []
        self._ptrs = []
        self._platform = None
        if self.proc is not None:
            self.proc.close()
            self.proc = None

    def _map_guests(self, img: ImageInfo) -> None:
        proc = self._proc()
        base = proc.ram_ptr
        self._guests = guests_from_manifest(img.manifest)
        self._scmi = scmi_from_manifest(img.manifest)
        for g, doc in zip(self._guests, img.manifest["guests"]):
            off = int(doc["window_gpa"]) - img.ram_base
            if off < 0 or off + g.window_size > RAM_SIZE:
                raise MachineError(f"guest {g.name}: window 0x{doc['window_gpa']:x} outside RAM")
            self._ptrs.append(base + off)
            self._views.append(
                memoryview(FFI.buffer(FFI.cast("char *", base + off), g.window_size))
            )
        mbx = img.mailbox
        assert mbx is not None
        mailbox = Mailbox(self, base + self._ram_offset(img, mbx, "mailbox"), int(mbx["version"]))
        prof = img.manifest.get("profile")
        where = (base + self._ram_offset(img, prof, "profile"), int(prof["size"])) if prof else None
        self._platform = QemuPlatform(mailbox, self, where)

    @staticmethod
    def _ram_offset(img: ImageInfo, region: dict[str, int], what: str) -> int:
        off = int(region["gpa"]) - img.ram_base
        if off < 0 or off + int(region["size"]) > RAM_SIZE:
            raise MachineError(f"the {what} at 0x{region['gpa']:x} is outside RAM")
        return off

    def _windows_ready(self) -> bool:
        for ptr in self._ptrs:
            h = FFI.cast("struct vbe_fvq_header *", ptr)
            if h.magic != C.VBE_FVQ_MAGIC or h.backend_state != C.VBE_FVQ_BACKEND_READY:
                return False
        return True

    def _wait_ready(self, img: ImageInfo) -> None:
        proc = self._proc()
        deadline = time.monotonic() + self.boot_timeout
        mbx = self._platform.mbx if self._platform else None
        while True:
            console = proc.console_text()
            if FAILURE_LINE in console:
                raise MachineError(
                    f"the image failed to start ({FAILURE_LINE!r} on its console): "
                    f"{proc.describe_logs()}"
                )
            if READY_LINE in console and self._windows_ready() and mbx is not None and mbx.ready():
                mbx.check()
                return
            proc.check_alive("booting")
            if time.monotonic() > deadline:
                missing = "console line" if READY_LINE not in console else "window magic"
                raise MachineError(
                    f"QEMU did not get ready within {self.boot_timeout} s (no {missing} "
                    f"{READY_LINE!r}): {proc.describe_logs()}"
                )
            time.sleep(0.002)

    def _hello(self) -> None:
        """Doorbell mode on in the image; proves the byte path works both ways."""
        proc = self._proc()
        proc.send(DB_HELLO)
        deadline = time.monotonic() + DOORBELL_TIMEOUT
        got = b""
        while DB_HELLO not in got:
            left = deadline - time.monotonic()
            if left <= 0:
                raise MachineError(
                    f"the doorbell did not answer hello within {DOORBELL_TIMEOUT} s "
                    f"(got {got!r}): {proc.describe_logs()}"
                )
            got += proc.recv(min(left, LIVENESS_S), "the doorbell hello")

    # ---- the guest side's view ----------------------------------------------------------

    def _proc(self) -> QemuProcess:
        if self.proc is None:
            raise MachineError("the qemu machine is not running (launch() it, or it was closed)")
        return self.proc

    @property
    def guests(self) -> list[GuestInfo]:
        self._proc()
        return list(self._guests)

    def _index(self, guest: int) -> int:
        self._proc()
        if not 0 <= guest < len(self._views):
            self.guest(guest)  # raises, listing the guests
        return guest

    def window(self, guest: int) -> memoryview:
        return self._views[self._index(guest)]

    def window_ptr(self, guest: int) -> int:
        return self._ptrs[self._index(guest)]

    @property
    def platform(self) -> QemuPlatform:
        self._proc()
        assert self._platform is not None
        return self._platform

    @property
    def scmi(self) -> ScmiInfo | None:
        """SCMI agents and resources, from the image's manifest (its ``scmi`` section)."""
        self._proc()
        return self._scmi

    @property
    def console_log(self) -> Path:
        return self._proc().console

    @property
    def pid(self) -> int:
        return self._proc().pid

    def cpu_seconds(self) -> float:
        """User + system CPU time QEMU has used so far (from /proc/<pid>/stat)."""
        return cpu_seconds(self.pid)

    # ---- notifications ------------------------------------------------------------------

    def notify(self, guest: int) -> None:
        self._index(guest)
        self.kick_platform()

    def kick_platform(self) -> None:
        proc = self._proc()
        if self.notify_mode == "doorbell":
            proc.send(DB_KICK)
        else:
            proc.check_alive("a notification")

    def wait_for(self, guest: int, cond: Callable[[], bool], timeout: float, what: str) -> None:
        self._wait(cond, timeout, what, self._index(guest))

    def wait_platform(self, cond: Callable[[], bool], timeout: float, what: str) -> None:
        self._wait(cond, timeout, what, None)

    def _wait(self, cond: Callable[[], bool], timeout: float, what: str, guest: int | None) -> None:
        proc = self._proc()
        doorbell = self.notify_mode == "doorbell"
        if cond():
            if doorbell:
                # Done before we looked: the image's byte for it (if any) is still unread.
                # Read it now: left to pile up (a driver faster than a spinning image), the
                # bytes fill the socket, QEMU blocks writing the next one with its big lock
                # held, stops reading our kicks, and both sides wait forever.
                proc.recv_ready(what)
            return
        start = time.monotonic()
        deadline = start + timeout
        if doorbell:
            # Spin a little first: an answer that comes within wait_spin_us is seen in the
            # window at once, and the image's byte then wakes nobody (a blocked harness
            # costs the image a slower write and itself a scheduler wake-up).
            if self.wait_spin_us:
                t_end = time.perf_counter_ns() + self.wait_spin_us * 1000
                while time.perf_counter_ns() < t_end:
                    if cond():
                        proc.recv_ready(what)
                        return
            # Block until the image sends a byte (it does after every round that did work),
            # then look again; stale bytes only cost one more look. cond() was just false:
            # block at once.
            while True:
                now = time.monotonic()
                if now > deadline:
                    self._timed_out(proc, timeout, what, guest)
                proc.recv(min(deadline - now, LIVENESS_S), what)
                if cond():
                    return
        next_check = start + LIVENESS_S
        while not cond():
            now = time.monotonic()
            if now > deadline:
                self._timed_out(proc, timeout, what, guest)
            if now - start > POLL_SPIN_S:
                time.sleep(POLL_NAP_S)
            if now > next_check:
                proc.check_alive(what)
                next_check = now + LIVENESS_S

    def _timed_out(
        self, proc: QemuProcess, timeout: float, what: str, guest: int | None
    ) -> NoReturn:
        proc.check_alive(what)
        if guest is None:
            where = "platform"
        else:
            g = self.guest(guest)
            where = f"guest {g.index} ({g.name})"
        raise MachineTimeout(
            f"qemu ({self.notify_mode}): {where}: timed out after {timeout} s waiting "
            f"for {what}; {proc.describe_logs(lines=5)}"
        )

    def ping(self, timeout: float = DOORBELL_TIMEOUT) -> None:
        """One raw doorbell round trip: the image echoes the byte at once (latency floor)."""
        proc = self._proc()
        if self.notify_mode != "doorbell":
            raise MachineError("ping() needs notify='doorbell'")
        proc.drain()
        proc.send(DB_PING)
        if self.wait_spin_us:  # as _wait() does: non-blocking reads first
            t_end = time.perf_counter_ns() + self.wait_spin_us * 1000
            while time.perf_counter_ns() < t_end:
                if DB_PING in proc.recv_ready("a doorbell ping"):
                    return
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise MachineTimeout(f"doorbell ping unanswered after {timeout} s")
            if DB_PING in proc.recv(left, "a doorbell ping"):
                return

    def info(self) -> dict[str, Any]:
        """What runs, for reports: image, QEMU, mode, logs, notes."""
        proc = self._proc()
        assert self.image is not None
        return {
            "machine": self.name,
            "notify": self.notify_mode,
            "image": str(self.image.elf),
            "build": self.image.manifest.get("build", {}),
            "qemu": proc.qemu,
            "pid": proc.pid,
            "console_log": str(proc.console),
            "boot_seconds": self.boot_seconds,
            "notes": list(self.notes),
        }
