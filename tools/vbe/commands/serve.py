"""``vbe serve``: the vhost-user back-end daemon for one guest device (QEMU's
vhost-user-i2c / vhost-user-scmi front-ends)."""

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
Serve one guest's virtio-i2c or virtio-scmi device over a vhost-user socket, running the
vbe C core (on the simulated platform) on the rings in the guest's RAM. Start it before
QEMU: QEMU connects to SOCKET as the vhost-user front-end, maps nothing of ours, and
hands over its guest RAM (which must be shared: memory-backend-memfd or -file with
share=on) and the rings. The guest is the SCMI agent / I2C view the system description
gives it.

When the front-end disconnects (QEMU quits or restarts), the device is reset and the
socket accepts the next connection. Malformed requests are answered with a failure when
the front-end asked for an acknowledgement (REPLY_ACK), else the connection is dropped;
the daemon keeps serving. Ctrl-C or SIGTERM stops it and removes the socket.
"""

EPILOG = """\
examples:
  vbe serve --socket /tmp/ivi-i2c.sock --guest ivi --device i2c --idle-timeout 1
                           serve ivi's virtio-i2c; gives up after 1 s without a front-end

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
        parser.add_argument("--socket", required=True, type=Path, metavar="PATH",
                            help="UNIX socket to listen on (replaced if a stale socket)")  # fmt: skip
        parser.add_argument("--guest", required=True, metavar="NAME",
                            help="guest of the system description whose device to serve")  # fmt: skip
        parser.add_argument("--device", required=True, choices=("i2c", "scmi"),
                            help="which of the guest's devices")  # fmt: skip
        parser.add_argument("--system", type=Path, metavar="SYSTEM.yaml",
                            help="system description (default: the built-in demo system)")  # fmt: skip
        parser.add_argument("--idle-timeout", type=float, metavar="SECONDS",
                            help="exit (status 0) once no front-end has been connected for "
                                 "SECONDS (default: serve until stopped)")  # fmt: skip
        return parser

    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> int:
        from pyhost.vhost_user.backend import BackendError, Host
        from pyhost.vhost_user.daemon import Daemon

        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        try:
            host = Host(args.system)
        except BackendError as exc:
            die(str(exc))
        daemon = Daemon(host, inf, wrn, dbg)
        try:
            daemon.add(args.socket, args.guest, args.device)
        except (BackendError, OSError) as exc:
            daemon.close()
            host.close()
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
        inf("vbe serve: stopped")
        return 0
