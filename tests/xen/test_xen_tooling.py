"""The Xen tooling without booting anything: the serial line's demultiplexer and input
switch, the Dom0 initramfs, the control-channel parsers, the start-order contract between
the generated DomU command line and the guest's init, the platform protocol carried as
control-channel text."""

from __future__ import annotations

import stat

from sysdesc.gen_xen import DOMU_BOOTARGS

from pyhost.linux.initramfs import INIT_SCRIPT, LATE_VIRTIO, LOAD_VIRTIO
from pyhost.machine.inprocess import InProcessMachine
from pyhost.machine.platform import FFI, HostCall
from pyhost.xen.artefacts import DOM0_INIT, dom0_entries
from pyhost.xen.console import XEN, Demux, chunks, switches
from pyhost.xen.platform import XenPlatform, parse_stats


def test_demux_attributes_each_line_to_its_source() -> None:
    d = Demux()
    d.feed(b"(XEN) Xen version 4.17\r\n(XEN) *** Serial input to DOM0 (type 'CTRL-a' three")
    d.feed(b" times to switch input)\r\n[    0.0] Booting Linux\r\n(XEN) DOM2: [ 1.0] hello\n")
    d.feed(b"(XEN) DOM1: VBE-GUEST-READY 6.12-vbe\nVBE-GUEST-READY 6.1.0\n")
    assert d.focus == 0
    assert d.text(XEN) == (
        "Xen version 4.17\n*** Serial input to DOM0 (type 'CTRL-a' three times to switch input)\n"
    )
    assert d.text(0) == "[    0.0] Booting Linux\nVBE-GUEST-READY 6.1.0\n"
    assert d.text(1) == "VBE-GUEST-READY 6.12-vbe\n"
    assert d.text(2) == "[ 1.0] hello\n"


def test_demux_gives_bare_xen_lines_to_the_domu_that_has_the_input() -> None:
    """Xen prints the focused DomU's characters as they come, with no DOMn tag."""
    d = Demux()
    d.feed(b"(XEN) *** Serial input to DOM1 (type 'CTRL-a' three times to switch input)\n")
    d.feed(b"(XEN) VBE-BEGIN 3\n(XEN) 50 48\n(XEN) DOM2: other\n(XEN) VBE-END 3 0\n")
    assert d.focus == 1
    assert d.text(1) == "VBE-BEGIN 3\n50 48\nVBE-END 3 0\n"
    assert d.text(2) == "other\n"
    d.feed(b"(XEN) *** Serial input to Xen (type 'CTRL-a' three times to switch input)\n")
    d.feed(b"(XEN) a message of Xen's\n")
    assert d.focus == XEN and d.text(XEN).endswith("a message of Xen's\n")
    d.consume(1, len("VBE-BEGIN 3\n"))
    assert d.text(1).startswith("50 48\n")


def test_a_partial_line_waits_for_its_end() -> None:
    d = Demux()
    d.feed(b"VBE-BEG")
    assert d.text(0) == ""
    d.feed(b"IN 1\n")
    assert d.text(0) == "VBE-BEGIN 1\n"


def test_a_xen_line_that_cuts_into_a_dom0_line_is_still_seen() -> None:
    """Xen prints a DomU's line whole, even in the middle of a line Dom0 is writing."""
    d = Demux()
    d.feed(b"[    0.124726] A(XEN) DOM2: VBE-GUEST-READY 6.12-vbe\r\r\nppArmor: initialized\r\n")
    assert d.text(2) == "VBE-GUEST-READY 6.12-vbe\n"
    assert d.text(0) == "[    0.124726] AppArmor: initialized\n"


def test_an_input_switch_that_cuts_into_the_focused_domus_line_is_still_seen() -> None:
    """Xen prints the focused DomU's characters as they come; its note that the input moved
    can land in the middle of that line (a DomU powering off as the harness switches)."""
    d = Demux()
    d.feed(b"(XEN) *** Serial input to DOM2 (type 'CTRL-a' three times to switch input)\n")
    d.feed(b"(XEN) [    4.31] reboot: Power*** Serial input to Xen (type 'CTRL-a' three times"
           b" to switch input)\r\n(XEN) DOM2:  down\n")  # fmt: skip
    assert d.focus == XEN
    assert d.text(2) == "[    4.31] reboot: Power\n down\n"
    assert d.text(XEN).endswith(
        "*** Serial input to Xen (type 'CTRL-a' three times to switch input)\n"
    )


def test_input_switches_cycle_xen_dom0_and_each_domu() -> None:
    # two DomUs: Xen -> DOM0 -> DOM1 -> DOM2 -> Xen
    assert switches(XEN, 0, 2) == 1
    assert switches(0, 1, 2) == 1
    assert switches(0, 2, 2) == 2
    assert switches(2, 0, 2) == 2
    assert switches(1, 1, 2) == 0
    assert switches(2, XEN, 2) == 1


def test_input_goes_in_chunks_xen_can_hold() -> None:
    data = bytes(range(40))
    parts = chunks(data)
    assert b"".join(parts) == data and max(len(p) for p in parts) <= 16


def test_domus_boot_with_late_virtio_and_the_init_honours_it() -> None:
    assert LATE_VIRTIO in DOMU_BOOTARGS.split()
    assert f'*" {LATE_VIRTIO} "*) ;;' in INIT_SCRIPT
    assert LOAD_VIRTIO.split()[-1] in INIT_SCRIPT  # the module the init loads otherwise


def test_dom0_initramfs_holds_the_server_the_modules_and_an_init() -> None:
    items = {e.name: e for e in dom0_entries(b"\x7fELFbb", {"xenfs.ko": b"m"}, b"\x7fELFvx")}
    assert items["usr/bin/vbe-xen"].data == b"\x7fELFvx"
    assert items["lib/modules/xenfs.ko"].data == b"m"
    assert stat.S_ISCHR(items["dev/console"].mode)
    assert items["init"].data == DOM0_INIT.encode()
    for word in ("xen-evtchn.ko", "xen-privcmd.ko", "mount -t xenfs", "/usr/bin/vbe-xen"):
        assert word in DOM0_INIT


def test_stats_lines_parse_per_domain_and_device() -> None:
    text = (
        "stats domid=1 guest=ivi live=1 events=9 served=9 reads=5 writes=4 spurious=0 "
        "refused=0,0,0,0,0,0 grants=1 maps=7 unmaps=4 pages=9 mapped=3 mapped_max=5 "
        "mapped_pages=3 mapped_pages_max=6 map_ns=1200 unmap_ns=3400 "
        "gnt_refused=1,0,0,2\n"
        "stats domid=1 dev=0 kind=scmi base=0x2000000 spi=33 status=0xf features=0x130000000 "
        "fault=0,0 reads=3 writes=2 notifies=1 interrupts=1 raised=1 resets=1 popped=1,0 "
        "refused=0,0,0,0,0,0 qsize=64,0 desc=0x8000000000009000,0 avail=0x8000000000009400,0 "
        "used=0x800000000000a000,0\nresult=0\n"
    )
    s = parse_stats(text)
    assert s[1]["ioreq"]["served"] == 9 and s[1]["ioreq"]["guest"] == "ivi"
    assert s[1]["ioreq"]["mapped"] == 3 and s[1]["ioreq"]["gnt_refused"] == [1, 0, 0, 2]
    assert s[1]["devs"][0]["kind"] == "scmi" and s[1]["devs"][0]["fault"] == [0, 0]
    assert s[1]["devs"][0]["base"] == 0x2000000
    assert s[1]["devs"][0]["qsize"] == [64, 0] and s[1]["devs"][0]["desc"][0] == 1 << 63 | 0x9000


class _Ctl:
    """vbe-xen's ``sim`` control command as ctl.c answers it, run by the host library's
    vbe_sim_cmd() (what vbe-xen runs too); ``lines`` records what was sent."""

    def __init__(self, machine: InProcessMachine) -> None:
        self.call = HostCall(machine.lib, lambda: machine.handle)
        self.lines: list[str] = []

    def ctl(self, line: str) -> str:
        self.lines.append(line)
        word, cmd, *args = line.split()
        assert word == "sim" and len(args) == 4
        req = FFI.new("struct vbe_sim_req *", {"cmd": int(cmd), "arg": [int(a) for a in args]})
        raw = self.call(bytes(FFI.buffer(req)), line)
        rsp = FFI.from_buffer("struct vbe_sim_rsp *", bytearray(raw.ljust(520, b"\0")))
        data = bytes(rsp.data)[: rsp.data_len].hex()
        return f"vbe-xen ctl {line}\nresult={rsp.result} data={data}\n"


def test_platform_protocol_travels_as_control_text() -> None:
    """XenPlatform is the machines' SimPlatform over vbe-xen's ``sim`` text: the same
    answers as the in-process machine's platform, for commands with and without data."""
    with InProcessMachine() as m:
        ctl = _Ctl(m)
        xen = XenPlatform(ctl)
        assert xen.eeprom(0, 0x50) == m.platform.eeprom(0, 0x50)
        xen.set_temp(0, 0x48, -12500)
        assert ctl.lines[-1] == f"sim 1 0 {0x48} -12500 0"  # VBE_SIM_CMD_SET_TEMP, signed
        xen.set_sensor(0, 41_000)
        assert xen.state("sensor", 0) == m.platform.state("sensor", 0)
        assert xen.state("sensor", 0).value == 41_000
        assert xen.op_log_seq() == m.platform.op_log_seq()
        assert xen.system_state(1) == m.platform.system_state(1)
