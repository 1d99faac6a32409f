"""vbe-guest, the static tool in the guest's initramfs, and its wrappers (pyhost.linux.guest_tool).

Quick tests (no guest): the tool cross-compiles with -Werror, reproducibly; the initramfs
key follows its source and the toolchain; a missing cross compiler names the packages; the
wrappers parse the tool's line and raise on everything else.

Guest tests (marked ``linux``): a guest boots with guest ivi's virtio-scmi and virtio-i2c
served by ``python -m vbe serve --socket-dir`` (started here, always stopped), and the tool
talks to them through Linux's SCMI raw interface and /dev/i2c-N. Expected values come from
scmi_wire.h (pyhost.scmi.W) and the demo system, never from the tool.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sysdesc import gen_linux_dt, load_system

from pyhost.linux import guest_tool, initramfs
from pyhost.linux.cache import LinuxError
from pyhost.linux.dt import guest_dtb
from pyhost.linux.fixtures import LinuxImages
from pyhost.linux.guest import CPU, LinuxGuest
from pyhost.scmi import W
from pyhost.scmi.wire import status_code

REPO = Path(__file__).resolve().parents[2]
GUEST = "ivi"
SERVE_START_TIMEOUT = 30.0
EEPROM, SENSOR, FORBIDDEN = 0x50, 0x48, 0x51  # demo.yaml: ivi's two targets, one it may not use
PT_INTERP = 3
CONFIG_ON = 1  # CLOCK_CONFIG_GET config bit 0 (DEN0056 4.6.2.12)


# ---- quick: the build ---------------------------------------------------------------------------


def _program_header_types(elf: bytes) -> list[int]:
    phoff = int.from_bytes(elf[32:40], "little")
    size, count = int.from_bytes(elf[54:56], "little"), int.from_bytes(elf[56:58], "little")
    return [
        int.from_bytes(elf[phoff + i * size : phoff + i * size + 4], "little") for i in range(count)
    ]


def test_tool_compiles_with_werror_static_arm64(tmp_path: Path) -> None:
    data = initramfs.compile_guest_tool(tmp_path / "vbe-guest")
    assert data[:4] == b"\x7fELF" and int.from_bytes(data[18:20], "little") == 183  # AArch64
    types = _program_header_types(data)
    assert types and PT_INTERP not in types  # static: no dynamic loader
    assert "-Werror" in initramfs.TOOL_CFLAGS
    again = initramfs.compile_guest_tool(tmp_path / "elsewhere" / "other-name")
    assert again == data  # reproducible: no path or time in the binary


def test_a_warning_fails_the_build(tmp_path: Path) -> None:
    src = tmp_path / "vbe-guest.c"
    text = initramfs.TOOL_SOURCE.read_text()
    src.write_text(
        text.replace(
            "int main(int argc, char **argv)\n{",
            "int main(int argc, char **argv)\n{\n\tint unused;",
            1,
        )
    )
    with pytest.raises(LinuxError, match="unused"):
        initramfs.compile_guest_tool(tmp_path / "out", source=src)


def test_missing_cross_compiler_names_the_packages(tmp_path: Path) -> None:
    for call in (
        lambda: initramfs.compile_guest_tool(tmp_path / "out", cc="no-such-aarch64-gcc"),
        lambda: initramfs.cross_toolchain("no-such-aarch64-gcc"),
    ):
        with pytest.raises(LinuxError, match="gcc-aarch64-linux-gnu libc6-dev-arm64-cross"):
            call()


def test_initramfs_key_follows_tool_source_and_toolchain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deb = tmp_path / "busybox-static_1_arm64.deb"
    deb.write_bytes(b"not really a deb")
    original = initramfs.TOOL_SOURCE
    edited = tmp_path / "vbe-guest.c"
    edited.write_text(original.read_text() + "\n/* changed */\n")
    keys = {}
    for source in (original, edited):
        monkeypatch.setattr(initramfs, "TOOL_SOURCE", source)
        keys[source, "installed gcc"] = initramfs._path(deb)
        with monkeypatch.context() as m:
            m.setattr(initramfs, "cross_toolchain", lambda cc="": "aarch64-linux-gnu-gcc 99.1")
            keys[source, "other gcc"] = initramfs._path(deb)
    assert len(set(keys.values())) == 4
    monkeypatch.setattr(initramfs, "TOOL_SOURCE", original)
    assert initramfs._path(deb) == keys[original, "installed gcc"]  # same inputs, same key


def test_tool_is_in_the_archive() -> None:
    items = {e.name: e for e in initramfs.entries(b"busybox", b"tool")}
    entry = items[initramfs.TOOL_PATH]
    assert entry.data == b"tool" and entry.mode & 0o777 == 0o755
    assert os.path.dirname(initramfs.TOOL_PATH) in initramfs.DIRS


# ---- quick: the wrappers, on canned output -------------------------------------------------------


class FakeGuest:
    def __init__(self, status: int, out: str) -> None:
        self.reply = (status, out)
        self.commands: list[str] = []

    def run(self, cmd: str, timeout: float = 30.0) -> tuple[int, str]:
        self.commands.append(cmd)
        return self.reply


def test_wrappers_parse_the_line() -> None:
    g = FakeGuest(0, "status=-2 payload_len=5 payload=0102030405\n")
    assert guest_tool.scmi_raw(g, 0x14, 7, [1, 0xFFFFFFFF]) == guest_tool.RawReply(
        -2, bytes([1, 2, 3, 4, 5])
    )
    assert g.commands == ["vbe-guest scmi-raw 0x14 0x7 0x1 0xffffffff"]
    g = FakeGuest(0, "scmi_round_trips=3 seconds=0.5 per_second=6.0 us_per_round_trip=166666.67\n")
    r = guest_tool.scmi_bench(g, 3)
    assert (r.count, r.seconds, r.per_second, r.us_per_op) == (3, 0.5, 6.0, 166666.67)


@pytest.mark.parametrize(
    "status, out, match",
    [
        (1, "vbe-guest: i2c-bench: open /dev/i2c-9: No such file\n", "status 1.*i2c-9"),
        (0, "", "one line"),
        (0, "i2c_transactions=3 seconds=1\nmore\n", "one line"),
        (0, "i2c_transactions=2 seconds=1 per_second=2 us_per_transaction=5\n", "asked for 3"),
        (0, "i2c_transactions=3 seconds=x per_second=2 us_per_transaction=5\n", "seconds"),
        (0, "i2c_transactions=3 junk\n", "not key=value"),
    ],
)
def test_wrapper_failures_raise_with_the_output(status: int, out: str, match: str) -> None:
    with pytest.raises(LinuxError, match=match):
        guest_tool.i2c_bench(FakeGuest(status, out), 0, EEPROM, 3)


def test_raw_reply_words() -> None:
    assert guest_tool.RawReply(0, bytes.fromhex("0100020007000000")).words() == [0x20001, 7]
    with pytest.raises(ValueError):
        guest_tool.RawReply(0, b"\x01\x02").words()


# ---- in the guest -------------------------------------------------------------------------------


def _stop(p: subprocess.Popen[bytes]) -> None:
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


@pytest.fixture(scope="module")
def served_guest(
    linux_images: LinuxImages, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LinuxGuest]:
    """Guest ivi's devices served by one ``vbe serve --socket-dir`` and a guest using them
    (virtio-scmi the first virtio-mmio device, virtio-i2c the second)."""
    d = tmp_path_factory.mktemp("guest-tool")
    socks = d / "sockets"
    scmi_sock, i2c_sock = socks / f"{GUEST}-scmi.sock", socks / f"{GUEST}-i2c.sock"
    log = d / "serve.log"
    with open(log, "wb") as out:
        serve = subprocess.Popen(
            [sys.executable, "-m", "vbe", "serve", "--socket-dir", str(socks), "--guest", GUEST],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
    guest = None
    try:
        deadline = time.monotonic() + SERVE_START_TIMEOUT
        while not (scmi_sock.exists() and i2c_sock.exists()):
            if serve.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"vbe serve did not create its sockets: {log.read_text()[-2000:]}")
            time.sleep(0.05)
        system = load_system(REPO / "examples" / "demo.yaml").system
        fragment = gen_linux_dt.fragment(system, next(g for g in system.guests if g.name == GUEST))
        dtb = guest_dtb(d / "guest.dtb", ["-cpu", CPU, "-m", "256M"], fragment, i2c_device_index=1)
        devices = [
            "-global", "virtio-mmio.force-legacy=false",
            "-chardev", f"socket,id=vbescmi,path={scmi_sock}",
            "-device", "vhost-user-scmi,chardev=vbescmi",
            "-chardev", f"socket,id=vbei2c,path={i2c_sock}",
            "-device", "vhost-user-i2c-device,chardev=vbei2c",
        ]  # fmt: skip
        guest = LinuxGuest(
            kernel=linux_images.kernel,
            initramfs=linux_images.initramfs,
            dtb=dtb,
            extra_args=devices,
        )
        guest.boot()
        yield guest
    finally:
        if guest is not None:
            guest.close()
        _stop(serve)


@pytest.fixture(scope="module")
def i2c_bus(served_guest: LinuxGuest) -> int:
    """The /dev/i2c-N number of the virtio-i2c adapter (the i2c-N under the virtio device)."""
    out = served_guest.check("ls -d /sys/bus/virtio/drivers/i2c_virtio/virtio*/i2c-*")
    buses = re.findall(r"/i2c-(\d+)$", out, re.MULTILINE)
    assert len(buses) == 1, out
    return int(buses[0])


@pytest.mark.linux
def test_scmi_raw_base_version_is_the_servers(served_guest: LinuxGuest) -> None:
    r = guest_tool.scmi_raw(served_guest, W("PROTO_BASE"), W("MSG_PROTOCOL_VERSION"))
    assert r.status == status_code("SUCCESS")
    assert r.words() == [W("VERSION_BASE")]


@pytest.mark.linux
def test_scmi_raw_unknown_message_not_supported(served_guest: LinuxGuest) -> None:
    r = guest_tool.scmi_raw(served_guest, W("PROTO_BASE"), 0xFF)
    assert r.status == status_code("NOT_SUPPORTED") and r.payload == b""


@pytest.mark.linux
def test_scmi_raw_clock_on_off_reads_back(served_guest: LinuxGuest) -> None:
    """CLOCK_CONFIG_SET (v3: id, attributes, OEM value) votes ivi's clock 0 on and off;
    CLOCK_CONFIG_GET reads ivi's vote back."""
    clock, proto = 0, W("PROTO_CLOCK")

    def state() -> int:
        r = guest_tool.scmi_raw(served_guest, proto, W("CLOCK_CONFIG_GET"), [clock, 0])
        assert r.status == status_code("SUCCESS"), r
        return r.words()[1] & CONFIG_ON

    for want in (W("CLOCK_STATE_ENABLE"), W("CLOCK_STATE_DISABLE")):
        r = guest_tool.scmi_raw(served_guest, proto, W("CLOCK_CONFIG_SET"), [clock, want, 0])
        assert r.status == status_code("SUCCESS"), r
        assert state() == (CONFIG_ON if want == W("CLOCK_STATE_ENABLE") else 0)
    short = guest_tool.scmi_raw(served_guest, proto, W("CLOCK_CONFIG_SET"), [clock])
    assert short.status == status_code("PROTOCOL_ERROR")  # the payload went out as given


@pytest.mark.linux
def test_i2c_bench_reports_n(served_guest: LinuxGuest, i2c_bus: int) -> None:
    for addr in (EEPROM, SENSOR):
        r = guest_tool.i2c_bench(served_guest, i2c_bus, addr, 20)
        assert r.count == 20 and r.seconds > 0
        assert r.per_second == pytest.approx(20 / r.seconds, rel=0.01)


@pytest.mark.linux
def test_i2c_bench_fails_where_the_guest_may_not_go(served_guest: LinuxGuest, i2c_bus: int) -> None:
    with pytest.raises(LinuxError, match=f"addr {FORBIDDEN:#04x}: transaction 1 of 5"):
        guest_tool.i2c_bench(served_guest, i2c_bus, FORBIDDEN, 5)


@pytest.mark.linux
def test_scmi_bench_reports_n(served_guest: LinuxGuest) -> None:
    r = guest_tool.scmi_bench(served_guest, 20)
    assert r.count == 20 and r.seconds > 0
    assert r.us_per_op == pytest.approx(r.seconds * 1e6 / 20, rel=0.01)


@pytest.mark.linux
def test_usage_errors_exit_2(served_guest: LinuxGuest) -> None:
    for args in ("", "scmi-bench 0", "i2c-bench 0 0x50", "scmi-raw 0x100 0", "frobnicate"):
        status, out = served_guest.run(f"vbe-guest {args}")
        assert status == 2 and "usage: vbe-guest" in out, (args, out)


@pytest.mark.linux
def test_missing_bus_is_an_error(served_guest: LinuxGuest, i2c_bus: int) -> None:
    with pytest.raises(LinuxError, match=f"i2c-{i2c_bus + 7}"):
        guest_tool.i2c_bench(served_guest, i2c_bus + 7, EEPROM, 1)
