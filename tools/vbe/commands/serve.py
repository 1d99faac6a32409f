"""``vbe serve``: the vhost-user back-end daemon for guest devices (QEMU's vhost-user-i2c /
vhost-user-scmi front-ends): one socket per device, every device on one platform."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from vbe.commands.base import VbeCommand
from vbe.output import dbg, die, inf, wrn

DESCRIPTION = """\
Serve guests' virtio-i2c and virtio-scmi devices over vhost-user sockets, running the
vbe C core (on the simulated platform) on the rings in the guest's RAM. Start it before
QEMU: QEMU connects to SOCKET as the vhost-user front-end, maps nothing of ours, and
hands over its guest RAM (which must be shared: memory-backend-memfd or -file with
share=on) and the rings. The guest is the SCMI agent / I2C view the system description
gives it. With --socket-dir, every device of every guest (or of --guest, or only --device)
is served from one process and one simulated platform, at DIR/GUEST-DEVICE.sock: guests
sharing a clock or a bus share it as they would on the real SoC.

When the front-end disconnects (QEMU quits or restarts), the device is reset and the
socket accepts the next connection. With --connect, QEMU listens (-chardev
socket,server=on) and the daemon connects, and connects again whenever the connection is
lost, so a restarted daemon finds its front-ends again. QEMU 10.0 cannot use that yet: its
vhost-user-i2c/-scmi abort when a back-end comes back to a running device (and cannot
start at all with a reconnecting client socket, reconnect-ms); docs/vhost-user.md.
"""

EPILOG = """\
examples:
  vbe serve --socket /tmp/ivi-i2c.sock --guest ivi --device i2c --idle-timeout 1
                           serve ivi's virtio-i2c; gives up after 1 s without a front-end
  vbe serve --socket-dir /tmp/vbe --idle-timeout 1
                           every guest's devices, one platform: /tmp/vbe/ivi-i2c.sock,
                           /tmp/vbe/ivi-scmi.sock, /tmp/vbe/cluster-i2c.sock, ...
  vbe serve --socket-dir /tmp/vbe --bridge --idle-timeout 1
                           the same through the bare-metal backend in QEMU (bridge mode)

  then, for a guest (its RAM shared), or with --system SYSTEM.yaml for another system:

  qemu-system-aarch64 -M virt -cpu cortex-a57 -m 256M -nographic -nic none \\
    -object memory-backend-memfd,id=mem,size=256M,share=on -machine memory-backend=mem \\
    -chardev socket,id=c0,path=/tmp/ivi-i2c.sock -device vhost-user-i2c-device,chardev=c0 \\
    -kernel Image ...
"""


class ServeCommand(VbeCommand):
    def __init__(self) -> None:
        super().__init__("serve", "vhost-user back-end daemon for a guest device", DESCRIPTION)

    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        parser = self._parser(parser_adder, epilog=EPILOG)
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--socket", type=Path, metavar="PATH",
                           help="UNIX socket to listen on (replaced if a stale socket); "
                                "needs --guest and --device")  # fmt: skip
        where.add_argument("--socket-dir", type=Path, metavar="DIR",
                           help="serve every device (of --guest, of kind --device, when "
                                "given) at DIR/GUEST-DEVICE.sock; DIR is created")  # fmt: skip
        parser.add_argument("--guest", metavar="NAME",
                            help="guest of the system description whose device to serve")  # fmt: skip
        parser.add_argument("--device", choices=("i2c", "scmi"),
                            help="which of the guest's devices")  # fmt: skip
        parser.add_argument("--system", type=Path, metavar="SYSTEM.yaml",
                            help="system description (default: the built-in demo system)")  # fmt: skip
        parser.add_argument("--connect", action="store_true",
                            help="connect to the sockets instead of listening on them: QEMU "
                                 "is the server (-chardev socket,server=on,...); the daemon "
                                 "connects again whenever the connection is lost, so a "
                                 "restarted daemon picks up running guests")  # fmt: skip
        parser.add_argument("--bridge", nargs="?", const="doorbell", choices=("doorbell", "poll"),
                            help="bridge mode: boot the bare-metal backend image in QEMU and "
                                 "copy each guest request into that guest's window there and "
                                 "the answer back (the backend never sees guest memory); "
                                 "the image waits on a doorbell (default) or polls")  # fmt: skip
        parser.add_argument("--idle-timeout", type=float, metavar="SECONDS",
                            help="exit (status 0) once no front-end has been connected for "
                                 "SECONDS (default: serve until stopped)")  # fmt: skip
        return parser

    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> int:
        from pyhost.machine.base import MachineError
        from vbe.serve.backend import BackendError, Host
        from vbe.serve.daemon import Daemon

        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        machine = None
        try:
            if args.bridge:
                machine, host = self._bridge(args)
            else:
                host = Host(args.system)
        except (BackendError, MachineError) as exc:
            die(str(exc))
        daemon = Daemon(host, inf, wrn, dbg)
        try:
            for guest, kind, path in self._endpoints(args, host):
                daemon.add(path, guest, kind, connect=args.connect)
        except (BackendError, OSError) as exc:
            daemon.close()
            host.close()
            if machine is not None:
                machine.close()
            die(str(exc))
        old = signal.signal(signal.SIGTERM, on_signal)
        try:
            daemon.serve(stop, idle_timeout=args.idle_timeout)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, old)
            daemon.close()
            host.close()
            if machine is not None:
                machine.close()
        inf("vbe serve: stopped")
        return 0

    @staticmethod
    def _bridge(args: argparse.Namespace) -> tuple[Any, Any]:
        """The launched bare-metal backend machine and the bridge host in front of it."""
        from pyhost.machine.qemu import QemuMachine
        from vbe.serve.bridge import BridgeHost

        image = None
        if args.system is not None:
            from vbe.commands.sysdesc_cli import load_or_fail
            from vbe.imagebuild import build_baremetal

            system = load_or_fail(args.system, "; nothing served").system
            inf(f"building the bare-metal image for system {system.name!r}")
            image = build_baremetal(progress=dbg, system=system).elf
        inf(f"starting the bare-metal backend in QEMU ({args.bridge})")
        machine = QemuMachine(notify=args.bridge, image=image)
        machine.launch()
        inf(f"backend up in {machine.boot_seconds or 0:.2f} s; console log {machine.console_log}")
        return machine, BridgeHost(machine, warn=wrn, debug=dbg)

    @staticmethod
    def _endpoints(args: argparse.Namespace, host: Any) -> list[tuple[str, str, Path]]:
        """(guest, device kind, socket path) for each device to serve."""
        from vbe.serve.backend import KINDS, BackendError

        if args.socket is not None:
            if args.guest is None or args.device is None:
                raise BackendError("--socket serves one device: give --guest and --device")
            return [(args.guest, args.device, args.socket)]
        if args.guest is not None:
            host.guest_index(args.guest)  # BackendError naming the guests there are
        guests = [args.guest] if args.guest is not None else host.guests()
        kinds = [args.device] if args.device is not None else list(KINDS)
        found = [(g, k) for g in guests for k in kinds if host.has_device(g, k)]
        if not found:
            raise BackendError(f"no {args.device or 'virtio-i2c or virtio-scmi'} device "
                               f"for {args.guest or 'any guest'} in the system")  # fmt: skip
        args.socket_dir.mkdir(parents=True, exist_ok=True)
        return [(g, k, args.socket_dir / f"{g}-{k}.sock") for g, k in found]
