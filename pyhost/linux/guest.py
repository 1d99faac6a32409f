"""Boot the vbe Linux guest in QEMU and drive it from Python.

    with LinuxGuest(extra_args=[...], dtb=path) as g:      # boots, waits for READY
        status, out = g.run("i2cdetect -y 0", timeout=10)
        print(g.dmesg())

The console is the first PL011, on a unix socket this process connects to (and QEMU logs it
to ``console.log`` in the run directory). Guest RAM is a shared ``memory-backend-file``, as
vhost-user devices need. Process handling, logs and cleanup are pyhost.machine.qemu_proc's
(``QemuProcess``): QEMU dies with this process, run directories of failed runs are kept.
Every wait has a timeout and fails at once on "Kernel panic" or QEMU exiting.
"""

from __future__ import annotations

import itertools
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from pyhost.linux.cache import LinuxError
from pyhost.linux.initramfs import BEGIN, END, READY, build_initramfs, cached_initramfs
from pyhost.linux.kernel import build_kernel, cached_kernel, no_kernel_reason
from pyhost.machine.base import MachineError
from pyhost.machine.qemu_image import qemu_binary
from pyhost.machine.qemu_proc import RUN_PREFIX, QemuProcess

RAM_SIZE = 256 << 20
CPU = "cortex-a57"
MACHINE = "virt"
BOOT_TIMEOUT = float(os.environ.get("VBE_LINUX_BOOT_TIMEOUT", "60"))
CMD_TIMEOUT = 30.0
MARGIN = 10.0  # host-side grace past the guest's own timeout
CMDLINE = "console=ttyAMA0 panic=-1 rdinit=/init"
FAILURES = ("Kernel panic - not syncing", "Unable to open an initial console")
_counter = itertools.count(1)


@dataclass(frozen=True)
class LinuxImages:
    """What a guest boots: the kernel Image and the initramfs."""

    kernel: Path
    initramfs: Path


def cached_images() -> LinuxImages | str:
    """The cached kernel (the newest build of the current fragment, apt not asked) and
    initramfs, or the reason there are none and what builds them. Never builds."""
    kernel = cached_kernel()
    if kernel is None:
        return no_kernel_reason()
    initramfs = cached_initramfs()
    if initramfs is None:
        return "no guest initramfs is cached: `vbe guest build` builds it (seconds)"
    return LinuxImages(kernel, initramfs)


class _GuestQemu(QemuProcess):
    """QemuProcess with the console on its socket and a Linux command line."""

    def __init__(self, guest: LinuxGuest, run_dir: Path, n: int) -> None:
        super().__init__(
            qemu=guest.qemu,
            elf=guest.kernel,
            run_dir=run_dir,
            shm=Path(f"/dev/shm/vbe-{os.getpid()}-{n}"),
            ram_size=RAM_SIZE,
            doorbell=True,  # the console socket, connected by start()
            keep_logs=guest.keep_logs,
        )
        self._res.sock_path = run_dir / "console.sock"
        self.guest = guest

    def command(self) -> list[str]:
        g, res = self.guest, self._res
        mib = self.ram_size >> 20
        cmd = [
            self.qemu,
            "-M", f"{MACHINE},memory-backend=mem",
            "-cpu", CPU,
            "-m", f"{mib}M",
            "-object", f"memory-backend-file,id=mem,size={mib}M,mem-path={res.shm},share=on",
            "-nographic", "-nic", "none", "-monitor", "none", "-no-reboot",
            "-chardev",
            f"socket,id=vbecon,path={res.sock_path},server=on,wait=off,logfile={self.console}",
            "-serial", "chardev:vbecon",
            "-kernel", str(g.kernel),
            "-initrd", str(g.initramfs),
            "-append", g.cmdline,
        ]  # fmt: skip
        if g.dtb is not None:
            cmd += ["-dtb", str(g.dtb)]
        return cmd + list(g.extra_args)


class LinuxGuest:
    """One booted guest; ``close()`` (or leaving the ``with``) always stops QEMU."""

    def __init__(
        self,
        *,
        extra_args: list[str] | None = None,
        dtb: Path | None = None,
        kernel: Path | None = None,
        initramfs: Path | None = None,
        cmdline: str = CMDLINE,
        build: bool = False,
        keep_logs: bool | None = None,
        boot_timeout: float = BOOT_TIMEOUT,
    ) -> None:
        """``kernel``/``initramfs`` default to the cached ones; ``build=True`` builds what is
        missing (minutes), else a missing one is a LinuxError saying how to build it."""
        self.qemu = qemu_binary()
        self.kernel = kernel or _cached(cached_kernel(), build, "kernel")
        self.initramfs = initramfs or _cached(cached_initramfs(), build, "initramfs")
        self.extra_args = extra_args or []
        self.dtb = dtb
        self.cmdline = cmdline
        self.keep_logs = (
            os.environ.get("VBE_QEMU_KEEP_LOGS") == "1" if keep_logs is None else keep_logs
        )
        self.boot_timeout = boot_timeout
        self.proc: _GuestQemu | None = None
        self.release = ""
        self.boot_seconds = 0.0
        self._buf = ""
        self._ids = itertools.count(1)

    # ---- lifecycle ----------------------------------------------------------------------

    def boot(self) -> Self:
        if self.proc is not None:
            return self
        n = next(_counter)
        run_dir = Path(tempfile.mkdtemp(prefix=f"{RUN_PREFIX}{os.getpid()}-linux{n}-"))
        self.proc = _GuestQemu(self, run_dir, n)
        try:
            t0 = time.monotonic()
            self.proc.start()
            m = self._wait(
                re.compile(rf"^{READY} (\S+)\n", re.MULTILINE),
                self.boot_timeout,
                "the guest's init",
            )
            self.release = m[1]
            self._buf = self._buf[m.end() :]
            self.boot_seconds = time.monotonic() - t0
        except BaseException:
            self.proc.failed = True
            self.close()
            raise
        return self

    def close(self) -> None:
        if self.proc is not None:
            self.proc.close()
            self.proc = None

    def __enter__(self) -> Self:
        return self.boot()

    def __exit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        if t is not None and self.proc is not None:
            self.proc.failed = True
        self.close()

    @property
    def run_dir(self) -> Path | None:
        return self.proc.run_dir if self.proc else None

    def console_log(self) -> str:
        """Everything the guest printed so far (QEMU's log of the console)."""
        return self._proc().console_text()

    # ---- commands -----------------------------------------------------------------------

    def run(self, cmd: str, timeout: float = CMD_TIMEOUT) -> tuple[int, str]:
        """Run ``cmd`` (one line of sh) in the guest: (exit status, stdout+stderr). The guest
        stops it after ``timeout`` s (status 124, or 143 from SIGTERM)."""
        if "\n" in cmd or "\r" in cmd:
            raise ValueError("a guest command is one line: join commands with ';'")
        proc = self._proc()
        n = next(self._ids)
        secs = max(1, int(timeout + 0.999))
        proc.send(f"{n} {secs} {cmd}\n".encode())
        begin = self._wait(
            re.compile(rf"^{BEGIN} {n}$\n", re.MULTILINE), MARGIN, f"command {n} to start"
        )
        self._buf = self._buf[begin.end() :]
        end = self._wait(re.compile(rf"\n{END} {n} (\d+)\n"), secs + MARGIN, f"command {cmd!r}")
        out = self._buf[: end.start()]
        self._buf = self._buf[end.end() :]
        return int(end[1]), out

    def check(self, cmd: str, timeout: float = CMD_TIMEOUT) -> str:
        """``run()`` that raises LinuxError unless the status is 0; the output."""
        status, out = self.run(cmd, timeout)
        if status != 0:
            raise LinuxError(f"guest: {cmd!r} exited with status {status}: {out.strip()[-2000:]}")
        return out

    def dmesg(self) -> str:
        return self.check("dmesg")

    # ---- internals ----------------------------------------------------------------------

    def _proc(self) -> _GuestQemu:
        if self.proc is None:
            raise LinuxError("the guest is not running: call boot() (or use it in a with)")
        return self.proc

    def _wait(self, pattern: re.Pattern[str], timeout: float, what: str) -> re.Match[str]:
        proc = self._proc()
        deadline = time.monotonic() + timeout
        while True:
            m = pattern.search(self._buf)
            if m is not None:
                return m
            for bad in FAILURES:
                if bad in self._buf:
                    raise LinuxError(
                        f"guest: {bad!r} while waiting for {what}: {proc.describe_logs(20)}"
                    )
            left = deadline - time.monotonic()
            if left <= 0:
                raise LinuxError(
                    f"guest: no {what} after {timeout:.0f} s: {proc.describe_logs(20)}"
                )
            try:
                data = proc.recv(min(left, 0.5), what)
            except MachineError as exc:
                raise LinuxError(str(exc)) from exc
            self._buf += data.decode("utf-8", "replace").replace("\r", "")


def _cached(path: Path | None, build: bool, what: str) -> Path:
    if path is not None:
        return path
    if build:
        return build_kernel().image if what == "kernel" else build_initramfs()
    if what == "kernel":
        raise LinuxError(no_kernel_reason())
    raise LinuxError(f"no cached guest {what}: run `vbe guest build` (the kernel takes minutes)")
