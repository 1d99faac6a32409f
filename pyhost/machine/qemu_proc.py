"""One qemu-system-aarch64 process and everything it holds: guest RAM mapping, doorbell
socket, console log. Cleanup is guaranteed three ways: ``close()``; a finalizer that runs
at interpreter exit; and a SIGTERM handler that stops every live QEMU before the process
dies. QEMU itself gets PR_SET_PDEATHSIG, so it dies with this process even on SIGKILL, and
the shared-memory file is unlinked as soon as both sides have it open.
"""

from __future__ import annotations

import ctypes
import errno
import mmap
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from cffi import FFI

from pyhost.machine.base import MachineError

START_TIMEOUT = 10.0  # QEMU creating its RAM file and doorbell socket
TERM_GRACE = 2.0  # SIGTERM, then SIGKILL
SHM_DIR = Path("/dev/shm")
_SHM_RE = re.compile(r"vbe-(\d+)-(\d+)$")
RUN_PREFIX = "vbe-qemu-"  # run directories: <tmp>/vbe-qemu-<pid>-<n>-<random>
STALE_LOG_AGE = 24 * 3600.0
SUN_PATH_MAX = 107  # a unix socket path, without its terminating NUL

_ffi = FFI()
_ffi.cdef(
    "void *mmap(void *addr, size_t length, int prot, int flags, int fd, long offset);"
    "int munmap(void *addr, size_t length);"
)
_libc: Any = _ffi.dlopen(None)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds (/proc/<pid>/stat fields 14 and 15)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_shm() -> list[Path]:
    """Remove /dev/shm/vbe-<pid>-<n> files whose process is gone; the ones removed."""
    removed = []
    for f in SHM_DIR.glob("vbe-*-*"):
        m = _SHM_RE.fullmatch(f.name)
        if m and not _pid_alive(int(m[1])):
            try:
                f.unlink()
                removed.append(f)
            except OSError:
                pass
    return removed


def remove_stale_run_dirs(max_age_s: float = STALE_LOG_AGE) -> None:
    """Remove run directories (kept logs) of dead processes older than ``max_age_s``."""
    for d in Path(tempfile.gettempdir()).glob(f"{RUN_PREFIX}*"):
        m = re.match(rf"{RUN_PREFIX}(\d+)-", d.name)
        try:
            old = time.time() - d.stat().st_mtime > max_age_s
        except OSError:
            continue
        if m and old and not _pid_alive(int(m[1])):
            shutil.rmtree(d, ignore_errors=True)


def _child_setup() -> None:
    """In QEMU's process before exec: die with the parent (PR_SET_PDEATHSIG = 1)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)


@dataclass
class _Resources:
    """What a QEMU process holds; release() is idempotent and safe from a signal handler."""

    shm: Path
    run_dir: Path
    sock_path: Path
    keep_logs: bool
    popen: subprocess.Popen[bytes] | None = None
    sock: socket.socket | None = None
    ram: Any = None  # void * of the mapping
    ram_size: int = 0
    failed: bool = False
    released: bool = field(default=False)

    def release(self) -> None:
        if self.released:
            return
        self.released = True
        _live.discard(self)
        p = self.popen
        if p is not None and p.poll() is None:
            p.terminate()
            try:
                p.wait(TERM_GRACE)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if self.sock is not None:
            self.sock.close()
        if self.ram is not None:
            _libc.munmap(self.ram, self.ram_size)
            self.ram = None
        for path in (self.shm, self.sock_path):
            try:
                path.unlink()
            except FileNotFoundError:
                pass
        if not (self.failed or self.keep_logs):
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def __hash__(self) -> int:
        return id(self)


_live: set[_Resources] = set()
_sigterm_installed = False


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    for res in list(_live):
        res.release()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


def install_sigterm_handler() -> None:
    """Stop every live QEMU on SIGTERM (only if nobody else handles SIGTERM)."""
    global _sigterm_installed
    if _sigterm_installed or threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, _on_sigterm)
    _sigterm_installed = True


class QemuProcess:
    """Start, watch and stop one QEMU; map its RAM; talk on its doorbell."""

    def __init__(
        self,
        *,
        qemu: str,
        elf: Path,
        run_dir: Path,
        shm: Path,
        ram_size: int,
        doorbell: bool,
        keep_logs: bool,
        extra_args: list[str] | None = None,
    ) -> None:
        self.qemu = qemu
        self.elf = elf
        self.run_dir = run_dir
        self.console = run_dir / "console.log"
        self.qemu_log = run_dir / "qemu.log"
        self.ram_size = ram_size
        self.doorbell = doorbell
        self.extra_args = list(extra_args or [])
        self._res = _Resources(
            shm=shm, run_dir=run_dir, sock_path=run_dir / "doorbell.sock", keep_logs=keep_logs
        )
        self._finalizer = weakref.finalize(self, _Resources.release, self._res)
        self._console_pos = 0
        self._console_text = ""
        self.pid = 0

    @property
    def failed(self) -> bool:
        return self._res.failed

    @failed.setter
    def failed(self, value: bool) -> None:
        self._res.failed = value

    def command(self) -> list[str]:
        res = self._res
        second = f"unix:{res.sock_path},server=on,wait=off" if self.doorbell else "null"
        return [
            self.qemu,
            "-M", "virt,memory-backend=mem",
            "-cpu", "cortex-a53",
            "-m", f"{self.ram_size >> 20}M",
            "-object",
            f"memory-backend-file,id=mem,size={self.ram_size >> 20}M,mem-path={res.shm},share=on",
            "-nographic", "-nic", "none", "-monitor", "none",
            "-serial", f"file:{self.console}",
            "-serial", second,
            "-kernel", str(self.elf),
            *self.extra_args,
        ]  # fmt: skip

    # ---- start --------------------------------------------------------------------------

    def start(self) -> None:
        install_sigterm_handler()
        remove_stale_shm()
        remove_stale_run_dirs()
        cmd = self.command()
        (self.run_dir / "command.txt").write_text(" ".join(cmd) + "\n")
        with open(self.qemu_log, "wb") as log:
            try:
                popen = subprocess.Popen(
                    cmd,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # a terminal's Ctrl-C reaches us, we stop QEMU
                    preexec_fn=_child_setup,  # noqa: PLW1509 (prctl only, no locks)
                )
            except OSError as exc:
                raise MachineError(f"cannot start {self.qemu}: {exc}") from exc
        self._res.popen = popen
        self.pid = popen.pid
        _live.add(self._res)
        self._map_ram()
        if self.doorbell:
            self._connect()

    def _wait_until(self, cond: Any, what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not cond():
            self.check_alive(what)
            if time.monotonic() > deadline:
                raise MachineError(
                    f"QEMU: no {what} after {START_TIMEOUT} s: {self.describe_logs()}"
                )
            time.sleep(0.001)

    def _map_ram(self) -> None:
        shm = self._res.shm

        def full() -> bool:
            try:
                return shm.stat().st_size == self.ram_size
            except FileNotFoundError:
                return False

        self._wait_until(full, f"guest RAM file {shm}")
        fd = os.open(shm, os.O_RDWR)
        try:
            ptr = _libc.mmap(
                _ffi.NULL, self.ram_size, mmap.PROT_READ | mmap.PROT_WRITE, mmap.MAP_SHARED, fd, 0
            )
            if int(_ffi.cast("intptr_t", ptr)) == -1:
                raise MachineError(f"mmap of {shm} failed: {os.strerror(_ffi.errno)}")
        finally:
            os.close(fd)
        self._res.ram, self._res.ram_size = ptr, self.ram_size
        shm.unlink()  # QEMU and we hold it; nothing can leak from here on

    def _connect(self) -> None:
        path = self._res.sock_path
        if len(os.fsencode(path)) > SUN_PATH_MAX:
            raise MachineError(
                f"doorbell socket path {path} is longer than {SUN_PATH_MAX} bytes: "
                "set TMPDIR to a shorter directory"
            )
        self._wait_until(path.exists, f"doorbell socket {path}")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                sock.connect(str(path))
                break
            except (ConnectionRefusedError, FileNotFoundError):
                self.check_alive("the doorbell socket")
                if time.monotonic() > deadline:
                    sock.close()
                    raise MachineError(f"cannot connect to {path}: {self.describe_logs()}")
                time.sleep(0.001)
        self._res.sock = sock

    # ---- state --------------------------------------------------------------------------

    @property
    def ram_ptr(self) -> int:
        if self._res.ram is None:
            raise MachineError("QEMU's RAM is not mapped")
        return int(_ffi.cast("uintptr_t", self._res.ram))

    def console_text(self) -> str:
        try:
            with open(self.console, "rb") as f:
                f.seek(self._console_pos)
                chunk = f.read()
        except FileNotFoundError:
            return self._console_text
        self._console_pos += len(chunk)
        self._console_text += chunk.decode("utf-8", "replace").replace("\r", "")
        return self._console_text

    def _tail(self, path: Path, lines: int) -> str:
        try:
            text = path.read_bytes().decode("utf-8", "replace").replace("\r", "")
        except FileNotFoundError:
            return "(none)"
        tail = [ln for ln in text.splitlines() if ln.strip()][-lines:]
        return " | ".join(tail) or "(empty)"

    def describe_logs(self, lines: int = 10) -> str:
        self._res.failed = True  # whoever asks is about to report an error: keep the logs
        out = f"console log {self.console} (last lines: {self._tail(self.console, lines)})"
        qemu_out = self._tail(self.qemu_log, 3)
        if qemu_out not in ("(none)", "(empty)"):
            out += f"; QEMU said: {qemu_out}"
        return out

    def exit_description(self) -> str | None:
        p = self._res.popen
        if p is None:
            return "not started"
        rc = p.poll()
        if rc is None:
            return None
        if rc < 0:
            return f"was killed by {signal.Signals(-rc).name}"
        return f"exited with status {rc}"

    def check_alive(self, what: str) -> None:
        gone = self.exit_description()
        if gone is not None:
            raise MachineError(
                f"QEMU (pid {self.pid}) {gone} while waiting for {what}: {self.describe_logs()}"
            )

    # ---- doorbell -----------------------------------------------------------------------

    def _sock(self) -> socket.socket:
        if self._res.sock is None:
            raise MachineError("this machine has no doorbell (notify='poll')")
        return self._res.sock

    def send(self, data: bytes) -> None:
        try:
            self._sock().sendall(data)
        except OSError as exc:
            self._dead_socket("a doorbell send", exc)

    def recv(self, timeout: float, what: str) -> bytes:
        """Bytes from the image, or b'' after ``timeout`` s; MachineError if QEMU died."""
        sock = self._sock()
        readable, _, _ = select.select([sock], [], [], max(timeout, 0.0))
        if not readable:
            self.check_alive(what)
            return b""
        try:
            data = sock.recv(4096)
        except OSError as exc:
            self._dead_socket(what, exc)
        if not data:
            self._dead_socket(what, None)
        return data

    def recv_ready(self, what: str) -> bytes:
        """Bytes from the image already waiting, b'' when none: one syscall, never blocks."""
        try:
            data = self._sock().recv(4096, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return b""
        except OSError as exc:
            self._dead_socket(what, exc)
        if not data:
            self._dead_socket(what, None)
        return data

    def drain(self) -> None:
        sock = self._sock()
        while select.select([sock], [], [], 0)[0]:
            if not sock.recv(4096):
                self._dead_socket("draining the doorbell", None)

    def _dead_socket(self, what: str, exc: OSError | None) -> Any:
        p = self._res.popen
        if p is not None:
            try:
                p.wait(TERM_GRACE)  # the socket closes a moment before the process is reaped
            except subprocess.TimeoutExpired:
                pass
        self.check_alive(what)
        why = errno.errorcode.get(exc.errno or 0, str(exc)) if exc else "closed"
        raise MachineError(
            f"QEMU (pid {self.pid}) closed the doorbell ({why}) while waiting for {what}: "
            f"{self.describe_logs()}"
        )

    # ---- stop ---------------------------------------------------------------------------

    def close(self) -> None:
        self._finalizer()
