"""vbe's vhost-user daemon running in this process (a thread), so a test or ``vbe run``
can both drive Linux guests on its devices and read or change the platform it simulates.

    with ServedBackend(run_dir) as be:                    # every guest's devices
        with make_guest(be, "ivi", images, run_dir) as g:   # QEMU + vhost-user devices
            be.platform.set_sensor(0, 61000)
            g.check("cat /sys/class/hwmon/hwmon0/temp1_input")

:class:`ServedBackend` is ``vbe serve --socket-dir`` (one platform for every guest, one
socket per device) with its lock held around every platform access, so the daemon thread
and the test never run the C core at once. ``host`` may be any daemon host (the bridge's):
then the platform is the one of the machine behind it. The guest side (QEMU's command
line, devicetrees) is pyhost.linux.vhost_guest.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from pyhost.linux.cache import LinuxError
from pyhost.machine.base import ScmiInfo
from pyhost.machine.described import scmi_from_manifest
from pyhost.machine.inprocess import InProcessPlatform
from pyhost.machine.qemu import QemuMachine
from vbe.serve.backend import KINDS, Host
from vbe.serve.bridge import BridgeHost
from vbe.serve.daemon import Daemon

STOP_TIMEOUT = 10.0


class _Locked:
    """Every method call of ``target`` under ``lock``."""

    def __init__(self, target: Any, lock: threading.RLock) -> None:
        self._target, self._lock = target, lock

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attr(*args, **kwargs)

        return call


@dataclass
class ServedBackend:
    """The vhost-user daemon in a thread of this process, serving every guest device of
    ``system`` (default: the demo) at ``run_dir``/GUEST-KIND.sock."""

    run_dir: Path
    system: Path | None = None
    host: Any = None
    connect: bool = False  # QEMU listens on the sockets, the daemon connects (reconnects)
    machine: Any = None  # bridge mode: the backend machine the host forwards to
    log: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._own_host = self.host is None
        self.daemon: Daemon | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._error: BaseException | None = None

    # ---- lifecycle ----------------------------------------------------------------------

    def start(self) -> Self:
        if self.host is None:
            self.host = Host(self.system)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        d = Daemon(self.host, self._say("info"), self._say("warn"))
        self.daemon = d
        for guest in self.host.guests():
            for kind in KINDS:
                if self.host.has_device(guest, kind):
                    d.add(self.socket(guest, kind), guest, kind, connect=self.connect)
        self._thread = threading.Thread(target=self._serve, name="vbe-serve", daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        assert self.daemon is not None
        try:
            self.daemon.serve(self._stop)
        except BaseException as exc:  # noqa: BLE001 (reported by check() and stop())
            self._error = exc
            self.log.append(f"ERROR: daemon stopped: {exc!r}")

    def stop(self) -> None:
        """Stop serving (the front-ends see their sockets close) and free the backend."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT)
            if self._thread.is_alive():
                raise LinuxError(f"the vhost-user daemon did not stop in {STOP_TIMEOUT:.0f} s")
            self._thread = None
        if self.daemon is not None:
            self.daemon.close()
            self.daemon = None
        if self._own_host and self.host is not None:
            self.host.close()
            self.host = None

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.stop()  # sockets and devices added so far
            raise

    def __exit__(
        self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def check(self) -> None:
        """LinuxError if the daemon thread died."""
        if self._error is not None:
            raise LinuxError(f"the vhost-user daemon died: {self._error!r}")

    # ---- what tests use -----------------------------------------------------------------

    def socket(self, guest: str, kind: str) -> Path:
        return self.run_dir / f"{guest}-{kind}.sock"

    def devices(self, guest: str) -> list[str]:
        """The device kinds served for ``guest``, SCMI first (the command-line order)."""
        assert self.daemon is not None, "start() the backend first"
        served = {(ep.device.guest, ep.device.kind) for ep in self.daemon.endpoints}
        return [k for k in ("scmi", "i2c") if (guest, k) in served]

    @property
    def lock(self) -> threading.RLock:
        assert self.daemon is not None, "start() the backend first"
        return self.daemon.lock

    @property
    def mode(self) -> str:
        return "direct" if self.machine is None else "bridge"

    @property
    def platform(self) -> Any:
        """The platform (pyhost.machine.base.Platform): the daemon's simulated one, or in
        bridge mode the backend machine's; every call under the daemon's lock."""
        if self.machine is not None:
            return _Locked(self.machine.platform, self.lock)
        host = self.host
        plat = InProcessPlatform(host.core.lib, lambda: host.handle, "vbe serve")
        return _Locked(plat, self.lock)

    def scmi_info(self) -> ScmiInfo | None:
        """The system's SCMI agents and resources, from its manifest."""
        if self.machine is not None:
            return self.machine.scmi
        return scmi_from_manifest(self.host.system.manifest)

    def wait_log(self, *texts: str, timeout: float = 10.0) -> str:
        """The first log line holding every one of ``texts``; LinuxError after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            for line in list(self.log):
                if all(t in line for t in texts):
                    return line
            if time.monotonic() > deadline:
                tail = "\n".join(self.log[-20:])
                raise LinuxError(f"the daemon never logged {texts!r}; its last lines:\n{tail}")
            time.sleep(0.02)

    def _say(self, level: str) -> Callable[[str], None]:
        def say(text: str) -> None:
            self.log.append(f"{level}: {text}")

        return say


@contextmanager
def bridge_backend(run_dir: Path, notify: str = "doorbell") -> Iterator[ServedBackend]:
    """Bridge mode: the bare-metal backend image (the demo system) in its own QEMU
    machine, and the daemon copying every guest request into that guest's fat window and
    the answer back (vbe.serve.bridge). Both stopped on leaving."""
    machine = QemuMachine(notify=notify)
    machine.launch()
    try:
        host = BridgeHost(machine)
        try:
            with ServedBackend(run_dir / "sock", host=host, machine=machine) as be:
                be.log.append(f"info: bridge to {machine.name} ({notify}), console "
                              f"{machine.console_log}")  # fmt: skip
                yield be
        finally:
            host.close()
    finally:
        machine.close()


@contextmanager
def served_backend(mode: str, run_dir: Path, system: Path | None = None) -> Iterator[ServedBackend]:
    """``direct`` (the daemon runs the core on ``system``) or ``bridge``
    (:func:`bridge_backend`: the bare-metal image's system, the demo)."""
    if mode == "direct":
        with ServedBackend(run_dir / "sock", system) as be:
            yield be
    elif mode == "bridge":
        with bridge_backend(run_dir) as be:
            yield be
    else:
        raise ValueError(f"mode {mode!r}: use direct or bridge")
