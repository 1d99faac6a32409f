"""Boot a system description on Xen under QEMU and drive its domains' consoles.

    with XenSystem(images) as xs:                 # boots; Dom0 serves; every DomU at init
        xs.go()                                   # the start-order go signal (below)
        ivi = xs.domu("ivi")
        status, out = ivi.run("i2cdetect -y 0")   # the LinuxGuest interface
        xs.platform.eeprom(0, 0x50)               # vbe-xen's simulated platform

QEMU: ``-M virt,virtualization=on,gic-version=3 -cpu cortex-a57 -m 2G -smp 1 -accel
tcg,thread=single`` (one vCPU, one TCG thread: a trapped access costs under a millisecond;
two vCPUs on a busy 2-core host cost 20), Xen as ``-kernel``, the host devicetree QEMU's own
(``dumpdtb``) plus sysdesc.gen_xen's /chosen, every module placed by ``-device loader``
at the slot gen_xen.layout() gives it.

**Start order.** A dom0less DomU starts with Dom0; if its virtio_mmio driver touched a
window before vbe-xen registered the domain's IOREQ server, Xen would inject a data abort.
The DomUs boot with ``vbe.virtio=late`` (gen_xen.DOMU_BOOTARGS): their init leaves the
virtio_mmio module unloaded. :meth:`XenSystem.go` loads it in each DomU once Dom0 said that
vbe-xen serves every domain, and waits until the DomU's drivers have bound its devices.

Consoles (pyhost.xen.console): one serial line; the harness moves Xen's input to the domain
it talks to and sends in 16-byte chunks (Xen drops input that does not fit its buffers).
Each command carries its length, so the guest's init refuses a damaged one and it is sent
again. Process handling is pyhost.machine.qemu_proc's: QEMU dies with this process, is
stopped on ``close()``, and failed runs keep their run directory (console.log, command.txt).
"""

from __future__ import annotations

import itertools
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sysdesc import gen_xen, load_system
from sysdesc.gen_xen import layout

from pyhost.linux.cache import LinuxError, require_tools, run
from pyhost.linux.dt import FDT_MAGIC, patch_dtb
from pyhost.linux.initramfs import BEGIN, END, GARBLED, LOAD_VIRTIO, READY
from pyhost.machine.base import MachineError, ScmiInfo
from pyhost.machine.qemu_image import qemu_binary
from pyhost.machine.qemu_proc import RUN_PREFIX, QemuProcess
from pyhost.sysload import DEMO
from pyhost.xen.artefacts import DOM0_FAILED, XenError, XenImages
from pyhost.xen.console import CHUNK_PAUSE, SWITCH, XEN, Demux, Source, chunks, switches
from pyhost.xen.platform import XenPlatform, parse_stats, scmi_info

MACHINE = "virt,virtualization=on,gic-version=3"
CPU = "cortex-a57"
RAM = "2G"
BOOT_TIMEOUT = float(os.environ.get("VBE_XEN_BOOT_TIMEOUT", "420"))
GO_TIMEOUT = 60.0
CMD_TIMEOUT = 30.0
MARGIN = 15.0
SEND_RETRIES = 3
FAILURES = (
    "Kernel panic - not syncing",
    "Panic on CPU",
    "Unable to open an initial console",
    "Internal error: Oops",
    DOM0_FAILED,
)
_counter = itertools.count(1)


class _XenQemu(QemuProcess):
    """QemuProcess with Xen's machine, the serial line on a socket, RAM not shared."""

    def __init__(self, xs: XenSystem, run_dir: Path) -> None:
        super().__init__(
            qemu=xs.qemu,
            elf=xs.images.xen,
            run_dir=run_dir,
            shm=run_dir / "no-shm",
            ram_size=0,
            doorbell=True,  # the serial line's socket, connected by start()
            keep_logs=xs.keep_logs,
        )
        self._res.sock_path = run_dir / "console.sock"
        self.xs = xs

    def _map_ram(self) -> None:
        pass  # Xen's RAM stays QEMU's: the harness reaches the domains through consoles

    def command(self) -> list[str]:
        res, xs = self._res, self.xs
        cmd = [
            self.qemu,
            "-M", MACHINE, "-cpu", CPU, "-m", RAM, "-smp", "1",
            "-accel", "tcg,thread=single",
            "-nographic", "-nic", "none", "-monitor", "none", "-no-reboot",
            "-chardev",
            f"socket,id=con,path={res.sock_path},server=on,wait=off,logfile={self.console}",
            "-serial", "chardev:con",
            "-kernel", str(xs.images.xen),
            "-dtb", str(xs.host_dtb),
        ]  # fmt: skip
        for path, addr in xs.placements:
            cmd += ["-device", f"loader,file={path},addr={addr:#x},force-raw=on"]
        return cmd


@dataclass
class Domain:
    """One domain's console: Dom0 (domid 0) or a DomU, with LinuxGuest's run/check/dmesg."""

    xs: XenSystem
    domid: int
    name: str
    release: str = ""
    ready_s: float = 0.0
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def run(self, cmd: str, timeout: float = CMD_TIMEOUT) -> tuple[int, str]:
        """Run one line of sh in the domain: (exit status, stdout+stderr)."""
        if "\n" in cmd or "\r" in cmd or "\x01" in cmd:
            raise ValueError("a domain command is one line without Ctrl-a: join with ';'")
        secs = max(1, int(timeout + 0.999))
        for attempt in range(SEND_RETRIES):
            n = next(self._ids)
            self.xs._send(self.domid, f"{n}:{len(cmd)} {secs} {cmd}\n".encode())
            try:
                self.xs._wait(self.domid, re.compile(rf"^{BEGIN} {n}$\n", re.MULTILINE),
                              MARGIN, f"{self.name}: command {n} to start", consume=True)  # fmt: skip
            except XenError:
                if attempt + 1 == SEND_RETRIES:
                    raise
                continue  # its id or newline was dropped: say it again
            end = self.xs._wait(self.domid, re.compile(rf"\n{END} {n} (\d+)\n"), secs + MARGIN,
                                f"{self.name}: {cmd!r}")  # fmt: skip
            out = self.xs.demux.text(self.domid)[: end.start()]
            self.xs.demux.consume(self.domid, end.end())
            status = int(end[1])
            if status == GARBLED and out.startswith("vbe init: garbled command"):
                continue
            return status, out
        raise XenError(f"{self.name}: {cmd!r} arrived damaged {SEND_RETRIES} times")

    def check(self, cmd: str, timeout: float = CMD_TIMEOUT) -> str:
        status, out = self.run(cmd, timeout)
        if status != 0:
            raise XenError(f"{self.name}: {cmd!r} exited with status {status}: {out[-2000:]}")
        return out

    def dmesg(self) -> str:
        return self.check("dmesg")


class XenSystem:
    """Xen, Dom0 with vbe-xen, one DomU per guest. ``close()`` always stops QEMU."""

    def __init__(
        self,
        images: XenImages,
        system: Path | None = None,
        *,
        keep_logs: bool | None = None,
        boot_timeout: float = BOOT_TIMEOUT,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.images = images
        self.system_path = system or DEMO
        self.system = load_system(self.system_path).system
        self.layout = layout(self.system)
        self.qemu = qemu_binary()
        self.keep_logs = (
            os.environ.get("VBE_QEMU_KEEP_LOGS") == "1" if keep_logs is None else keep_logs
        )
        self.boot_timeout = boot_timeout
        self.say = progress or (lambda _m: None)
        self.proc: _XenQemu | None = None
        self.demux = Demux()
        self.host_dtb = Path()
        self.placements: list[tuple[Path, int]] = []
        self.dom0 = Domain(self, 0, "Dom0")
        self.domus = {
            d.guest.name: Domain(self, d.domid, d.guest.name) for d in self.layout.domains
        }
        self.marks: dict[str, float] = {}  # milestone -> seconds since QEMU started
        self.vbe_xen_lines: list[str] = []
        self.served = False
        self._t0 = 0.0
        self._seen = 0

    # ---- lifecycle ----------------------------------------------------------------------

    def domu(self, guest: str) -> Domain:
        if guest not in self.domus:
            raise XenError(f"no DomU {guest!r}; guests: {', '.join(self.domus)}")
        return self.domus[guest]

    @property
    def run_dir(self) -> Path | None:
        return self.proc.run_dir if self.proc else None

    def boot(self) -> Self:
        if self.proc is not None:
            return self
        run_dir = Path(tempfile.mkdtemp(prefix=f"{RUN_PREFIX}{os.getpid()}-xen{next(_counter)}-"))
        try:
            self._compose(run_dir)
            self.proc = _XenQemu(self, run_dir)
            self._t0 = time.monotonic()
            self.proc.start()
            self._boot()
        except BaseException:
            if self.proc is not None:
                self.proc.failed = True
            else:
                self.keep_logs = True
            self.close()
            raise
        return self

    def _mark(self, what: str, at: float | None = None) -> None:
        self.marks[what] = round((at or time.monotonic()) - self._t0, 2)
        self.say(f"  {self.marks[what]:6.2f} s  {what}")

    def _boot(self) -> None:
        deadline = time.monotonic() + self.boot_timeout
        m = self._wait(0, re.compile(rf"^{READY} (\S+)\n", re.MULTILINE),
                       deadline - time.monotonic(), "Dom0's init")  # fmt: skip
        self.dom0.release = m[1]
        self.dom0.ready_s = time.monotonic() - self._t0
        xen_up = self.demux.first(XEN, "Xen version")
        if xen_up is not None:
            self._mark("Xen banner", xen_up)
        for d in self.layout.domains:
            at = self.demux.first(0, f"vbe-xen: ready domid={d.domid} ")
            if at is not None:
                self._mark(f"vbe-xen serves domid {d.domid} ({d.guest.name})", at)
        head = self.demux.text(0)[: m.start()]
        self.vbe_xen_lines = [ln for ln in head.splitlines() if ln.startswith("vbe-xen: ")]
        self.demux.consume(0, m.end())
        self._mark("Dom0 at init, vbe-xen serving", self.demux.first(0, READY))
        serving = [ln for ln in self.vbe_xen_lines if ln.startswith("vbe-xen: serving")]
        want = sum(1 for d in self.layout.domains if d.devices)
        if not serving or f"serving {want} domains" not in serving[0]:
            raise XenError(f"vbe-xen does not serve every domain: {self.vbe_xen_lines}; "
                           f"{self._describe()}")  # fmt: skip
        for d in self.layout.domains:
            dom = self.domus[d.guest.name]
            m = self._wait(d.domid, re.compile(rf"^{READY} (\S+)\n", re.MULTILINE),
                           deadline - time.monotonic(), f"{dom.name}'s init")  # fmt: skip
            dom.release = m[1]
            at = self.demux.first(d.domid, READY) or time.monotonic()
            dom.ready_s = at - self._t0
            self.demux.consume(d.domid, m.end())
            self._mark(f"DomU {dom.name} at init", at)

    def go(self) -> None:
        """The start-order go signal: load virtio_mmio in every DomU (vbe-xen serves them
        all, :meth:`boot` checked) and wait until each one's drivers bound its devices."""
        if self.served:
            return
        for d in self.layout.domains:
            if not d.devices:
                continue
            dom = self.domus[d.guest.name]
            dom.check(LOAD_VIRTIO)
            want = len(d.devices)
            dom.check(
                f"i=0; while [ $(ls /sys/bus/virtio/drivers/*/ | grep -c '^virtio') -lt {want} ]"
                f"; do i=$((i+1)); [ $i -gt {int(GO_TIMEOUT * 10)} ] && exit 1; sleep 0.1; done",
                GO_TIMEOUT + 5,
            )
            self._mark(f"DomU {dom.name}: {want} devices bound")
        self.served = True

    def close(self) -> None:
        """Stop QEMU (Dom0 is asked to power the machine off first, when it can)."""
        if self.proc is None:
            return
        try:
            if self.proc.exit_description() is None and self.dom0.release:
                self._send(0, b"0 5 poweroff -f\n")
                deadline = time.monotonic() + 5
                while self.proc.exit_description() is None and time.monotonic() < deadline:
                    time.sleep(0.1)
        except (MachineError, LinuxError):
            pass
        finally:
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

    # ---- composing the machine ------------------------------------------------------------

    def _compose(self, run_dir: Path) -> None:
        require_tools({"dtc": "device-tree-compiler"})
        files = gen_xen.generate(self.system)
        base = run_dir / "qemu.dtb"
        cmd = [
            self.qemu,
            "-machine",
            f"{MACHINE},dumpdtb={base}",
            "-cpu",
            CPU,
            "-m",
            RAM,
            "-smp",
            "1",
            "-nographic",
            "-nic",
            "none",
            "-monitor",
            "none",
            "-serial",
            "null",
        ]
        run(cmd, what="QEMU dumpdtb", timeout=60, log=run_dir / "dumpdtb.log")  # fmt: skip
        if not base.is_file() or base.read_bytes()[:4] != FDT_MAGIC:
            raise XenError(f"QEMU dumpdtb wrote no devicetree blob to {base}")
        self.host_dtb = patch_dtb(base, run_dir / "host.dtb", [files[gen_xen.HOST_FILE]])
        lay, img = self.layout, self.images
        place = [(img.dom0_kernel, lay.dom0_kernel), (img.dom0_initramfs, lay.dom0_ramdisk)]
        for d in lay.domains:
            src = run_dir / gen_xen.guest_file(d.guest)
            src.write_text(files[src.name])
            dtb = src.with_suffix(".dtb")
            run(["dtc", "-q", "-W", "no-simple_bus_reg", "-I", "dts", "-O", "dtb", "-o",
                 str(dtb), str(src)], what=f"compiling {src.name}", timeout=60,
                log=run_dir / "dtc.log")  # fmt: skip
            place += [(img.domu_kernel, d.kernel), (img.domu_initramfs, d.ramdisk), (dtb, d.dtb)]
        for path, slot in place:
            size = path.stat().st_size
            if size > slot.size:
                raise XenError(
                    f"{path} ({size >> 10} KiB) does not fit the {slot.what} slot of "
                    f"{slot.size >> 10} KiB at {slot.addr:#x} (sysdesc.gen_xen)"
                )
        self.placements = [(p, s.addr) for p, s in place]

    # ---- the serial line --------------------------------------------------------------------

    def _proc(self) -> _XenQemu:
        if self.proc is None:
            raise XenError("the Xen system is not running: boot() it (or use it in a with)")
        return self.proc

    def _pump(self, timeout: float, what: str) -> None:
        try:
            data = self._proc().recv(timeout, what)
        except MachineError as exc:
            raise XenError(f"{exc}; {self._describe()}") from exc
        if data:
            self.demux.feed(data)

    def _check_failures(self, what: str) -> None:
        log = self.demux.log
        for source, line in log[self._seen :]:
            for bad in FAILURES:
                if bad in line:
                    self._proc().failed = True
                    raise XenError(f"[{source}] {line.strip()!r} while waiting for {what}; "
                                   f"{self._describe()}")  # fmt: skip
        self._seen = len(log)

    def _describe(self) -> str:
        where = self.proc.describe_logs(5) if self.proc else "(not started)"
        return f"{where}\nlast lines by source:\n{self.demux.transcript(30)}"

    def _wait(
        self, source: Source, pattern: re.Pattern[str], timeout: float, what: str,
        consume: bool = False,
    ) -> re.Match[str]:  # fmt: skip
        deadline = time.monotonic() + timeout
        while True:
            m = pattern.search(self.demux.text(source))
            if m is not None:
                if consume:
                    self.demux.consume(source, m.end())
                return m
            self._check_failures(what)
            left = deadline - time.monotonic()
            if left <= 0:
                raise XenError(f"no {what} after {timeout:.0f} s; {self._describe()}")
            self._pump(min(left, 0.5), what)

    def _focus(self, target: Source) -> None:
        d = self.demux
        if d.focus == target:
            return
        for _ in range(switches(d.focus, target, len(self.layout.domains))):
            before = d.focus
            self._proc().send(SWITCH)
            deadline = time.monotonic() + MARGIN
            while d.focus == before:
                if time.monotonic() > deadline:
                    raise XenError(f"Xen did not move its input on from {before}; "
                                   f"{self._describe()}")  # fmt: skip
                self._pump(0.2, "Xen's input switch")
        if d.focus != target:
            raise XenError(f"Xen's input went to {d.focus}, not {target}")

    def _send(self, domid: int, data: bytes) -> None:
        self._focus(domid)
        for piece in chunks(data):
            self._proc().send(piece)
            end = time.monotonic() + CHUNK_PAUSE
            while (left := end - time.monotonic()) > 0:
                self._pump(left, "the console")

    # ---- vbe-xen ---------------------------------------------------------------------------

    def ctl(self, command: str, timeout: float = CMD_TIMEOUT) -> str:
        """One vbe-xen control command (boards/xen_dom0_linux/src/ctl.c) through Dom0; its
        answer."""
        return self.dom0.check(f"vbe-xen ctl {command}", timeout)

    @property
    def platform(self) -> XenPlatform:
        return XenPlatform(self)

    def scmi_info(self) -> ScmiInfo | None:
        return scmi_info(self.system)

    def stats(self) -> dict[str, Any]:
        return parse_stats(self.ctl("stats"))
