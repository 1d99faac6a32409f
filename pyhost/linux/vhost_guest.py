"""Linux guests whose virtio-i2c and virtio-scmi devices are vbe's vhost-user devices:
the guest side (QEMU's command line, the guest's devicetree). Whatever serves the devices
(``vbe serve`` in another process, vbe.serve.served.ServedBackend in this one) is any
object with ``system``, ``devices(guest)`` and ``socket(guest, kind)``.

:func:`make_guest` makes a :class:`LinuxGuest` with:

- the guest's devicetree: QEMU's tree plus sysdesc.gen_linux_dt's fragment for it;
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sysdesc import gen_linux_dt, load_system
from sysdesc.model import System

from pyhost.linux.cache import LinuxError
from pyhost.linux.dt import guest_dtb
from pyhost.linux.fixtures import LinuxImages
from pyhost.linux.guest import CPU, RAM_SIZE, LinuxGuest
from pyhost.sysload import DEMO

QDEV = {"scmi": "vhost-user-scmi", "i2c": "vhost-user-i2c-device"}


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
def system_model(system: Path | None) -> System:
    """The loaded description of ``system`` (default the demo's); loaded once per process
    (the model is frozen)."""
    return load_system(system or DEMO).system


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
    backend: Any,
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
