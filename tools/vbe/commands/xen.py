"""``vbe xen``: the system on real Xen (under QEMU): build and cache what it boots, boot it
and run commands in its domains, or hand the serial line to the terminal."""

from __future__ import annotations

import argparse
import os
import select
import sys
import termios
import time
import tty
from pathlib import Path
from typing import Any

from vbe.commands.base import CommandError, VbeCommand, VbeCommandGroup
from vbe.output import die, inf, out

BUILD_DESCRIPTION = """\
Build what a Xen system boots, or find it in the cache (~/.cache/vbe/xen and
~/.cache/vbe/linux, or under $VBE_CACHE_DIR):

  hypervisor  Debian's own xen source package (apt-get source, bookworm) rebuilt with
              Debian's config plus CONFIG_EXPERT=y and CONFIG_IOREQ_SERVER=y (Debian's arm64
              Xen has no IOREQ server), cross-compiled with aarch64-linux-gnu-gcc
  Dom0        Debian's arm64 linux-image, busybox-static, and vbe-xen (boards/xen_dom0_linux)
              linked statically against libxen-dev, in an initramfs
  DomUs       the project's own guest kernel and initramfs (`vbe guest build`)
  bare-metal  the other Dom0 (--dom0 baremetal): vbe's own image, boards/xen_dom0_baremetal,
  Dom0        built with CMake for the system (seconds)

docs/xen.md has the details and the times.
"""

BOOT_DESCRIPTION = """\
Boot Xen 4.17 on qemu-system-aarch64 (virtualization=on, GICv3, one vCPU) with Dom0 running
vbe-xen and one dom0less Linux DomU per guest of the system description (--system, default
the demo), wait until vbe-xen serves every domain and each DomU is at its init, give the
start-order go signal (each DomU loads virtio_mmio, its drivers bind vbe's devices), then
run each --cmd in its domain and print the output. Without --cmd, the terminal gets Xen's
serial line (Ctrl-a three times switches Xen's input between Xen, Dom0 and each DomU;
Ctrl-] leaves and stops the machine).
"""

BOOT_EPILOG = """\
examples (`vbe xen build` first):
    vbe xen boot --cmd 'ivi: i2cdetect -y 0' --cmd 'cluster: ls /sys/kernel/debug/clk'
    vbe xen boot --cmd 'dom0: vbe-xen ctl stats'
    vbe xen boot                       the serial line on this terminal
    vbe xen boot --dom0 baremetal --cmd 'dom0: vbe-xen ctl stats'
                                       vbe's bare-metal image as Dom0 instead of Linux
"""


class XenBuild(VbeCommand):
    def __init__(self) -> None:
        super().__init__("build", "build and cache what the Xen system boots", BUILD_DESCRIPTION)

    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        p = self._parser(parser_adder)
        p.add_argument("--system", type=Path, metavar="SYSTEM.yaml",
                       help="the system vbe-xen serves (default: the demo)")  # fmt: skip
        return p

    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> int:
        from pyhost.linux.cache import LinuxError
        from pyhost.xen.artefacts import build_images
        from pyhost.xen.baremetal import build_dom0_baremetal

        t0 = time.monotonic()
        try:
            img = build_images(args.system, progress=inf)
        except LinuxError as exc:
            die(str(exc))
        for what in ("xen", "dom0_kernel", "dom0_initramfs", "domu_kernel", "domu_initramfs",
                     "vbe_xen"):  # fmt: skip
            out(f"{what:<15} {getattr(img, what)}")
        try:
            bm = build_dom0_baremetal(args.system, progress=inf)
        except LinuxError as exc:
            die(str(exc))
        out(f"{'dom0_baremetal':<15} {bm.image}")
        inf(f"done in {time.monotonic() - t0:.1f} s")
        return 0


def _target(spec: str) -> tuple[str, str]:
    who, sep, cmd = spec.partition(":")
    if not sep or not cmd.strip():
        raise argparse.ArgumentTypeError(f"{spec!r}: write DOMAIN: COMMAND (dom0, or a guest)")
    return who.strip(), cmd.strip()


class XenBoot(VbeCommand):
    def __init__(self) -> None:
        super().__init__("boot", "boot the system on Xen and run commands in its domains",
                         BOOT_DESCRIPTION)  # fmt: skip

    def do_add_parser(self, parser_adder: Any) -> argparse.ArgumentParser:
        p = self._parser(parser_adder, epilog=BOOT_EPILOG)
        p.add_argument("--cmd", action="append", default=[], type=_target,
                       metavar="DOMAIN: CMD",
                       help="a shell command line for dom0 or a guest (repeatable, in order)")  # fmt: skip
        p.add_argument("--system", type=Path, metavar="SYSTEM.yaml",
                       help="the system description (default: the demo)")  # fmt: skip
        p.add_argument("--dom0", choices=("linux", "baremetal"), default="linux",
                       help="what serves the DomUs as Dom0: linux (Debian's kernel running "
                            "vbe-xen) or baremetal (vbe's own image; it runs only "
                            "`vbe-xen ctl ...` and `poweroff`)")  # fmt: skip
        p.add_argument("--timeout", type=float, default=30.0, help="seconds per command")
        p.add_argument("--no-go", action="store_true",
                       help="leave the DomUs' virtio-mmio unbound (no go signal)")  # fmt: skip
        p.add_argument("--keep-logs", action="store_true", help="keep QEMU's run directory")
        return p

    def do_run(self, args: argparse.Namespace, unknown: list[str]) -> int:
        from pyhost.linux.cache import LinuxError
        from pyhost.xen.artefacts import cached_images
        from pyhost.xen.system import XenSystem

        img = cached_images(args.system)
        if img is None:
            die("the Xen artefacts are not built: run `vbe xen build` first")
        rc = 0
        t0 = time.monotonic()
        try:
            with XenSystem(img, args.system, dom0=args.dom0, keep_logs=args.keep_logs or None,
                           progress=inf) as xs:  # fmt: skip
                for line in xs.vbe_xen_lines:
                    inf(line)
                if not args.no_go:
                    xs.go()
                for who, cmd in args.cmd:
                    dom = xs.dom0 if who.lower() == "dom0" else xs.domu(who)
                    status, text = dom.run(cmd, args.timeout)
                    if text.strip():
                        out(text.rstrip("\n"))
                    if status != 0:
                        inf(f"{who}: `{cmd}` exited with status {status}")
                        rc = rc or status
                if not args.cmd:
                    _interactive(xs)
                if args.keep_logs and xs.run_dir is not None:
                    inf(f"logs kept in {xs.run_dir}")
        except LinuxError as exc:
            die(str(exc))
        inf(f"Xen stopped after {time.monotonic() - t0:.1f} s")
        if rc:
            raise CommandError(rc)
        return 0


def _interactive(xs: Any) -> None:
    """The serial line on this terminal until Ctrl-] (or end of input)."""
    inf("Xen's serial line: Ctrl-a three times switches the input; Ctrl-] leaves")
    proc = xs._proc()
    sock = proc._sock()
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd) if os.isatty(fd) else None
    try:
        if saved is not None:
            tty.setraw(fd)
        while True:
            ready, _, _ = select.select([sock, fd], [], [], 1.0)
            if sock in ready:
                data = sock.recv(4096)
                if not data:
                    break
                os.write(sys.stdout.fileno(), data)
            if fd in ready:
                data = os.read(fd, 64)
                if not data or b"\x1d" in data:
                    break
                proc.send(data)
    finally:
        if saved is not None:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)


class XenCommand(VbeCommandGroup):
    def __init__(self) -> None:
        super().__init__(
            "xen",
            "the system on real Xen: build what it boots, boot it",
            "Xen 4.17 under QEMU, a Linux Dom0 running vbe-xen (the IOREQ server of every\n"
            "DomU) or vbe's bare-metal image as Dom0, one Linux DomU per guest: docs/xen.md.",
            [XenBuild(), XenBoot()],
        )
