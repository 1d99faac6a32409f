"""``vbe guest``: build, cache and boot the Linux guest whose drivers (i2c-virtio, the
arm_scmi virtio transport) are the real clients of vbe's devices."""

from __future__ import annotations

import argparse
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from vbe.commands.base import CommandError, VbeCommand, VbeCommandGroup
from vbe.output import die, inf, out

BUILD_DESCRIPTION = """\
Build what the Linux guest boots, or find it in the cache (~/.cache/vbe/linux, or
$VBE_CACHE_DIR/linux):

  kernel     Debian's linux-source-6.12 (apt-get download), cross-built for arm64 from
             allnoconfig plus pyhost/linux/guest.config (virtio mmio/pci, SCMI over virtio
             with its clock, power, perf, reset, hwmon and regulator drivers, I2C over virtio,
             i2c-dev, devtmpfs, debugfs); cached by (package version, fragment). A 2-core
             machine takes 2 to 6 minutes. Each =y option of the fragment is checked in the
             resulting .config.
  initramfs  busybox-static (arm64, downloaded with a private arm64 package list) and an
             /init that serves commands on the console; cached by (busybox, init script).

Build tools (flex, bison, bc, libelf-dev, libssl-dev, the aarch64 cross compiler) come
from scripts/setup. docs/linux-guest.md has the details.
"""

BUILD_EPILOG = """\
examples (the first build takes minutes, so the quick suite does not run these;
tests/linux/test_cli_guest.py does, once the guest is cached):
    vbe guest build            build what is missing, print where the results are
    vbe guest build -j 1       the same with one compiler job
  --force rebuilds both (the unpacked kernel source is reused).
"""

BOOT_DESCRIPTION = """\
Boot the cached guest kernel and initramfs on qemu-system-aarch64 -M virt -cpu cortex-a57
-m 256 (guest RAM shared, as vhost-user devices need), wait for its init, run each --cmd
in it and print the output, then stop QEMU. The exit status is the first failing
command's (or 0). Without --cmd it prints the kernel release and boot time.

With --as GUEST the machine is that guest of the system description (--system, default
the built-in demo): its virtio-scmi and virtio-i2c devices are QEMU vhost-user devices,
served by a daemon this command runs in a thread (--serve) or by a `vbe serve --socket-dir
DIR` already running (--sockets DIR), and its devicetree is QEMU's with the guest's
generated fragment merged in (/firmware/scmi with the granted protocols, the virtio-i2c
adapter). The guest's kernel then probes arm_scmi and i2c-virtio against vbe.

QEMU arguments after `--` are added as they are (e.g. -chardev/-device of a vhost-user
device); --dtb boots with a devicetree of your own (see pyhost.linux.dt for merging the
generated /firmware/scmi fragment into QEMU's tree).
"""

BOOT_EPILOG = """\
examples (need `vbe guest build` first; tests/linux/test_cli_guest.py runs them):
    vbe guest boot
    vbe guest boot --cmd 'uname -a' --cmd 'ls /sys/bus/virtio/drivers'
    vbe guest boot --cmd 'dmesg | grep -i i2c' --dmesg
  as guest "ivi" of the demo system, its devices served from this process:
    vbe guest boot --as ivi --serve --cmd 'i2cdetect -y 0' --cmd 'ls /sys/kernel/debug/clk'
  the same in bridge mode (the requests go through the bare-metal backend's window):
    vbe guest boot --as ivi --serve --bridge --cmd 'i2ctransfer -y 0 w1@0x50 0x00 r4@0x50'
  with a vhost-user device served on /tmp/i2c.sock (vbe serve):
    vbe guest boot --cmd 'i2cdetect -l' -- -chardev socket,id=i2c0,path=/tmp/i2c.sock
        -device vhost-user-i2c-device,chardev=i2c0
"""


GROUP_EPILOG = """\
examples (`vbe guest build` first: minutes):
    vbe guest boot --cmd 'uname -r'
"""


class GuestBuild(VbeCommand):
    def __init__(self) -> None:
        super().__init__(
            "build", "build and cache the guest kernel and initramfs", BUILD_DESCRIPTION
        )

    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        p = self._parser(parser_adder, epilog=BUILD_EPILOG)
        p.add_argument("--force", action="store_true", help="rebuild even when cached")
        p.add_argument("-j", "--jobs", type=int, help="make jobs (default: the CPU count)")
        return p

    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> int:
        from pyhost.linux.cache import LinuxError
        from pyhost.linux.initramfs import build_initramfs
        from pyhost.linux.kernel import build_kernel

        if args.jobs is not None and args.jobs < 1:
            assert self.parser is not None
            self.parser.error("--jobs must be at least 1")
        try:
            kb = build_kernel(progress=inf, jobs=args.jobs, force=args.force)
            initramfs = build_initramfs(progress=inf, force=args.force)
        except LinuxError as exc:
            die(str(exc))
        info = kb.info()
        out(f"kernel    {kb.image}  ({info['release']}, {_built_note(info)})")
        out(f"initramfs {initramfs}")
        return 0


def _built_note(info: dict[str, object]) -> str:
    return f"{info['package']} {info['version']}, built in {info['build_seconds']} s"


class GuestBoot(VbeCommand):
    def __init__(self) -> None:
        super().__init__(
            "boot", "boot the guest in QEMU and run commands in it", BOOT_DESCRIPTION,
            accepts_unknown_args=True,
        )  # fmt: skip

    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        p = self._parser(parser_adder, epilog=BOOT_EPILOG)
        p.add_argument(
            "--cmd", action="append", default=[], metavar="CMD",
            help="a shell command line to run in the guest (repeatable, in order)",
        )  # fmt: skip
        p.add_argument("--timeout", type=float, default=30.0, help="seconds per command")
        p.add_argument("--dtb", help="boot with this devicetree blob")
        p.add_argument("--build", action="store_true", help="build what is not cached first")
        p.add_argument("--keep-logs", action="store_true", help="keep QEMU's run directory")
        p.add_argument("--dmesg", action="store_true", help="print the kernel log at the end")
        p.add_argument("--as", dest="as_guest", metavar="GUEST",
                       help="be this guest of the system description: its vhost-user "
                            "devices and generated devicetree (needs --serve or --sockets)")  # fmt: skip
        how = p.add_mutually_exclusive_group()
        how.add_argument("--serve", action="store_true",
                         help="with --as: serve the guest's devices from this process")  # fmt: skip
        how.add_argument("--sockets", type=Path, metavar="DIR",
                         help="with --as: the devices of a running "
                              "`vbe serve --socket-dir DIR`")  # fmt: skip
        p.add_argument("--system", type=Path, metavar="SYSTEM.yaml",
                       help="with --as: the system description (default: the demo)")  # fmt: skip
        p.add_argument("--bridge", action="store_true",
                       help="with --serve: bridge mode, the daemon copying each request into "
                            "the guest's window of the bare-metal backend in a second QEMU "
                            "machine and the answer back")  # fmt: skip
        return p

    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> int:
        from sysdesc import SysdescError

        from pyhost.linux.cache import LinuxError
        from pyhost.machine.base import MachineError
        from vbe.serve.backend import BackendError

        extra = unknown[1:] if unknown[:1] == ["--"] else unknown
        assert self.parser is not None
        if extra and not extra[0].startswith("-"):
            self.parser.error(f"unexpected arguments: {' '.join(extra)} (QEMU's go after --)")
        if args.as_guest is None and (args.serve or args.sockets or args.system or args.bridge):
            self.parser.error("--serve, --sockets, --system and --bridge go with --as GUEST")
        if args.bridge and not args.serve:
            self.parser.error("--bridge goes with --serve")
        if args.as_guest is not None and not (args.serve or args.sockets):
            self.parser.error("--as GUEST needs --serve or --sockets DIR")
        if args.as_guest is not None and args.dtb:
            self.parser.error("--as GUEST makes the devicetree: drop --dtb")
        rc = 0
        with ExitStack() as stack:
            try:
                t0 = time.monotonic()
                rc = self._session(args, self._guest(args, extra, stack), t0)
            except (LinuxError, MachineError, BackendError, SysdescError) as exc:
                die(str(exc))
        if rc:
            raise CommandError(rc)
        return 0

    @staticmethod
    def _guest(args: argparse.Namespace, extra: list[str], stack: ExitStack) -> Any:
        from pyhost.linux.cache import LinuxError
        from pyhost.linux.guest import LinuxGuest
        from pyhost.linux.vhost_guest import SocketDir, make_guest
        from vbe.serve.served import served_backend

        keep = args.keep_logs or None
        if args.as_guest is None:
            return LinuxGuest(extra_args=extra, dtb=Path(args.dtb) if args.dtb else None,
                              build=args.build, keep_logs=keep)  # fmt: skip
        run_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="vbe-guest-")))
        if args.serve:
            if args.bridge:
                if args.system is not None:
                    raise LinuxError("--bridge serves the bare-metal image's system (the demo): "
                                     "drop --system")  # fmt: skip
                inf("starting the bare-metal backend in QEMU (bridge mode)")
            mode = "bridge" if args.bridge else "direct"
            backend: Any = stack.enter_context(served_backend(mode, run_dir, args.system))
            if not backend.devices(args.as_guest):
                backend.host.guest_index(args.as_guest)  # names the guests there are
                raise LinuxError(f"guest {args.as_guest!r} has no virtio-i2c or -scmi device")
            inf(f"serving {args.as_guest}'s {' and '.join(backend.devices(args.as_guest))} "
                f"device(s) from this process")  # fmt: skip
        else:
            kinds = tuple(k for k in ("scmi", "i2c")
                          if (args.sockets / f"{args.as_guest}-{k}.sock").exists())  # fmt: skip
            if not kinds:
                raise LinuxError(f"no {args.as_guest}-scmi.sock or {args.as_guest}-i2c.sock in "
                                 f"{args.sockets}: start `vbe serve --socket-dir "
                                 f"{args.sockets}` first")  # fmt: skip
            backend = SocketDir(args.sockets, args.system, kinds=kinds)
        return make_guest(backend, args.as_guest, None, run_dir, extra=extra, build=args.build,
                          keep_logs=keep)  # fmt: skip

    @staticmethod
    def _session(args: argparse.Namespace, guest: Any, t0: float) -> int:
        """Boot ``guest``, run the commands, stop it: the first failing status (or 0)."""
        rc = 0
        with guest:
            inf(f"guest up: Linux {guest.release}, {guest.boot_seconds:.2f} s to init")
            for cmd in args.cmd:
                status, text = guest.run(cmd, args.timeout)
                if text.strip():
                    out(text.rstrip("\n"))
                if status != 0:
                    inf(f"`{cmd}` exited with status {status}")
                    rc = rc or status
            if args.dmesg:
                out(guest.dmesg().rstrip("\n"))
            if args.keep_logs and guest.run_dir is not None:
                inf(f"logs kept in {guest.run_dir}")
        inf(f"guest stopped after {time.monotonic() - t0:.1f} s")
        return rc


class GuestCommand(VbeCommandGroup):
    def __init__(self) -> None:
        super().__init__(
            "guest",
            "the Linux guest: build it, boot it, run commands in it",
            "The Linux guest whose drivers (i2c-virtio, the arm_scmi virtio transport) are\n"
            "the real clients of vbe's SCMI and I2C devices: docs/linux-guest.md.",
            [GuestBuild(), GuestBoot()],
            epilog=GROUP_EPILOG,
        )
