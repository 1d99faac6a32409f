"""Linux guests whose virtio-i2c and virtio-scmi devices are served by vbe's vhost-user
daemon running in this process (a thread), so a test can both drive the guest and read or
change the platform the daemon simulates.

    with ServedBackend(run_dir) as be:                    # every guest's devices
        with served_guest(be, "ivi", images) as g:        # QEMU + vhost-user devices
            be.platform.set_sensor(0, 61000)
            g.check("cat /sys/class/hwmon/hwmon0/temp1_input")

:class:`ServedBackend` is ``vbe serve --socket-dir`` (one platform for every guest, one
socket per device) with its lock held around every platform access, so the daemon thread
and the test never run the C core at once. ``host`` may be any daemon host (the bridge's):
then the platform is the one of the machine behind it.

:func:`served_guest` boots a :class:`LinuxGuest` with:

- the guest's devicetree: QEMU's tree plus vbe.sysdesc.gen_linux_dt's fragment for it;
- ``-global virtio-mmio.force-legacy=false``: QEMU virt's virtio-mmio transports are
  legacy (version 1) by default, and the vhost-user back-end is only started for a modern
  driver;
- one ``vhost-user-scmi`` and/or ``vhost-user-i2c-device`` on virtio-mmio, SCMI first
  (the fragment's ``&vbe_virtio_i2c`` label goes on the I2C one's transport), each on a
  socket chardev. Not ``reconnect-ms``: with it QEMU 10 connects asynchronously and both
  devices fail at realize ("Failed to set msg fds"; vhost-user-scmi then aborts).
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from pyhost.linux.cache import LinuxError
from pyhost.linux.dt import guest_dtb
from pyhost.linux.guest import CPU, RAM_SIZE, LinuxGuest, LinuxImages
from pyhost.vhost_user.backend import KINDS, Host
from pyhost.vhost_user.daemon import Daemon

REPO = Path(__file__).resolve().parents[2]
DEMO_YAML = REPO / "examples" / "demo.yaml"  # field for field the built-in demo system
QDEV = {"scmi": "vhost-user-scmi", "i2c": "vhost-user-i2c-device"}
STOP_TIMEOUT = 10.0


@dataclass
class _HostView:
    """What pyhost.machine.inprocess's platform and scmi_info read of a backend."""

    lib: Any
    ffi: Any
    handle: Any
    name: str = "vbe serve"


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
    ``system`` (default: the built-in demo) at ``run_dir``/GUEST-KIND.sock."""

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
        from pyhost.machine.inprocess import InProcessPlatform

        return _Locked(InProcessPlatform(self._view()), self.lock)  # type: ignore[arg-type]

    def scmi_info(self) -> Any:
        if self.machine is not None:
            return self.machine.scmi
        from pyhost.machine.inprocess_scmi import scmi_info

        with self.lock:
            return scmi_info(self._view())  # type: ignore[arg-type]

    def _view(self) -> _HostView:
        core = self.host.core
        return _HostView(core.lib, core.ffi, self.host.handle)

    def wait_log(self, *texts: str, timeout: float = 10.0) -> str:
        """The first log line holding every one of ``texts``; LinuxError after ``timeout``."""
        import time

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
    the answer back (pyhost.vhost_user.bridge). Both stopped on leaving."""
    from pyhost.machine.qemu import QemuMachine
    from pyhost.vhost_user.bridge import BridgeHost

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


@dataclass
class SocketDir:
    """Where a ``vbe serve --socket-dir`` in another process serves (for make_guest)."""

    run_dir: Path
    system: Path | None = None
    connect: bool = False
    kinds: tuple[str, ...] = ("scmi", "i2c")

    def socket(self, guest: str, kind: str) -> Path:
        return self.run_dir / f"{guest}-{kind}.sock"

    def devices(self, guest: str) -> list[str]:
        return list(self.kinds)


@functools.cache
def system_model(system: Path | None) -> Any:
    """The loaded description of ``system`` (the demo's YAML for the built-in demo); loaded
    once per process (the model is frozen)."""
    from vbe.sysdesc import load_system

    return load_system(system or DEMO_YAML).system


def vhost_user_args(sockets: dict[str, Path], server: bool = False) -> list[str]:
    """QEMU arguments for one guest's vhost-user devices (``kind -> socket``), in the
    order given; ``server``: QEMU listens and waits for the back-end to connect."""
    args = ["-global", "virtio-mmio.force-legacy=false"]
    listen = ",server=on,wait=on" if server else ""
    for kind, path in sockets.items():
        args += ["-chardev", f"socket,id=vbe-{kind},path={path}{listen}",
                 "-device", f"{QDEV[kind]},chardev=vbe-{kind}"]  # fmt: skip
    return args


def make_guest(
    backend: ServedBackend,
    guest: str,
    images: LinuxImages | None,
    run_dir: Path,
    *,
    kinds: tuple[str, ...] | None = None,
    extra: list[str] | None = None,
    server: bool | None = None,
    **kwargs: Any,
) -> LinuxGuest:
    """A (not yet booted) LinuxGuest wired to ``guest``'s devices of ``backend``; ``kinds``
    limits them (default: every device the guest has); ``images`` None: the cached ones;
    ``extra``: more QEMU arguments. ``server`` (default: the backend's
    ``connect``): QEMU listens on the sockets. ``backend`` may be any object with
    ``system``, ``devices(guest)`` and ``socket(guest, kind)`` (a daemon in another
    process, for instance)."""
    from vbe.sysdesc import gen_linux_dt

    model = system_model(backend.system)
    spec = next((g for g in model.guests if g.name == guest), None)
    if spec is None:
        raise LinuxError(f"no guest {guest!r} in the system description")
    served = [k for k in backend.devices(guest) if kinds is None or k in kinds]
    if not served:
        raise LinuxError(f"guest {guest!r} has no served device (of {kinds or 'any kind'})")
    sockets = {k: backend.socket(guest, k) for k in served}
    spec = dataclasses.replace(
        spec,
        scmi=spec.scmi if "scmi" in served else None,
        i2c=spec.i2c if "i2c" in served else None,
    )
    fragment = gen_linux_dt.fragment(model, spec)
    i2c_index = served.index("i2c") if "i2c" in served else None
    machine = ["-cpu", CPU, "-m", f"{RAM_SIZE >> 20}M"]
    dtb = guest_dtb(run_dir / f"{guest}.dtb", machine, fragment, i2c_device_index=i2c_index)
    return LinuxGuest(
        kernel=images.kernel if images else None,
        initramfs=images.initramfs if images else None,
        dtb=dtb,
        extra_args=vhost_user_args(
            sockets, getattr(backend, "connect", False) if server is None else server
        )
        + list(extra or []),
        **kwargs,
    )


@contextmanager
def served_guest(
    backend: ServedBackend, guest: str, images: LinuxImages, run_dir: Path, **kwargs: Any
) -> Iterator[LinuxGuest]:
    """:func:`make_guest`, booted; stopped on leaving."""
    g = make_guest(backend, guest, images, run_dir, **kwargs)
    with g:
        yield g
