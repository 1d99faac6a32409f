"""The QEMU machine itself: boot and readiness, death of QEMU, cleanup, missing tools.

The I2C and harness suites run on this machine through the ``machine`` fixture
(tests/core); this file tests what only a machine in another process can get wrong.
"""

from __future__ import annotations

import array
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
import textwrap
import time
from pathlib import Path

import pytest
from qemu_helpers import needs_qemu, process_gone, shm_files, wait_gone

from pyhost.i2c import I2cClient, I2cMsg
from pyhost.machine import MachineError, MachineTimeout, make_machine
from pyhost.machine import qemu_image as qi
from pyhost.machine.qemu import DB_PING, READY_LINE, QemuMachine
from pyhost.machine.qemu_proc import RUN_PREFIX
from pyhost.virtio import VirtioDevice, Window
from pyhost.virtio.window import C

pytestmark = needs_qemu
MODES = ["doorbell", "poll"]
SENSOR = 0x48


def assert_cleaned_up(pid: int, run_dir: Path | None = None) -> None:
    assert wait_gone(pid), f"QEMU pid {pid} still runs"
    assert shm_files(os.getpid()) == [], "a /dev/shm/vbe-* file of ours is left"
    if run_dir is not None:
        assert not (run_dir / "doorbell.sock").exists()


# ---- boot and readiness -----------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_boots_to_ready_with_every_window_published_and_the_console_logged(image, mode):
    with QemuMachine(notify=mode, image=image) as m:
        assert READY_LINE in m.console_log.read_text()
        assert m.boot_seconds is not None and 0 < m.boot_seconds < m.boot_timeout
        for g in m.guests:
            win = Window.of(m, g.index)
            assert win.layout.guest_id == g.index and win.layout.window_size == g.window_size
            assert win.layout.notify_methods & C.VBE_FVQ_NOTIFY_DOORBELL
        assert m.info()["notify"] == mode and m.info()["pid"] == m.pid


def test_manifest_guests_match_the_same_system_in_process(image):
    """The image's manifest (names, windows, I2C views) says what the host core says."""
    with QemuMachine(image=image) as q, make_machine("inprocess") as local:
        assert q.guests == local.guests
        assert q.notes == [], "the manifest carries the I2C views itself"


@pytest.mark.parametrize("mode", MODES)
def test_i2c_read_and_platform_mailbox_work_in_both_notify_modes(image, mode):
    with QemuMachine(notify=mode, image=image) as m:
        m.platform.set_temp(0, SENSOR, 25_000)
        seq = m.platform.bus_log_seq()
        res = I2cClient(m, "ivi").transfer([I2cMsg(SENSOR, True, 2)])
        assert res.ok and res.reads() == [b"\x19\x00"]
        (t,) = m.platform.bus_log(seq)
        assert (t.addr, t.result, t.messages[0].data) == (SENSOR, 0, b"\x19\x00")


def test_platform_errors_name_the_missing_target(image):
    with QemuMachine(image=image) as m:
        with pytest.raises(MachineError, match=r"no simulated LM75 at bus 0 address 0x50"):
            m.platform.set_temp(0, 0x50, 1)
        with pytest.raises(MachineError, match=r"no simulated AT24 at bus 1 address 0x50"):
            m.platform.eeprom(1, 0x50)


def test_doorbell_ping_is_echoed(image):
    with QemuMachine(image=image) as m:
        for _ in range(3):
            m.ping()


def test_a_wait_already_satisfied_still_reads_the_doorbell_bytes_waiting(image):
    """A spinning image often completes a request before the driver first looks. Its
    notification must be read all the same: left to pile up, the bytes fill the socket, QEMU
    blocks writing the next one with its big lock held and stops reading kicks (deadlock)."""
    with QemuMachine(image=image) as m:
        sock = m.proc._sock()
        unread = array.array("i", [0])
        for _ in range(3):
            m.proc.send(DB_PING)  # three bytes back, nobody reading them
        deadline = time.monotonic() + 5.0
        while unread[0] < 3 and time.monotonic() < deadline:
            fcntl.ioctl(sock.fileno(), termios.FIONREAD, unread)
        assert unread[0] == 3
        m.wait_for(0, lambda: True, 1.0, "something already true")
        fcntl.ioctl(sock.fileno(), termios.FIONREAD, unread)
        assert unread[0] == 0, "the bytes were left on the socket"
        m.ping()


def test_boot_timeout_names_the_console_log(image):
    m = QemuMachine(image=image, boot_timeout=0.0)
    with pytest.raises(MachineError, match=r"did not get ready within 0.0 s.*console log /"):
        m.launch()
    assert m.proc is None
    m.close()


# ---- QEMU dies --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_killed_qemu_gives_a_clear_error_not_a_hang_and_the_next_machine_works(image, mode):
    m = QemuMachine(notify=mode, image=image)
    m.launch()
    try:
        client = I2cClient(m, "ivi")
        assert client.transfer([I2cMsg(SENSOR, True, 1)]).ok
        pid = m.pid
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(
            MachineError, match=r"QEMU \(pid \d+\) (was killed by SIGKILL|closed)"
        ) as err:
            client.transfer([I2cMsg(SENSOR, True, 1)], timeout=30.0)
        assert not isinstance(err.value, MachineTimeout), "a dead QEMU is not a timeout"
    finally:
        m.close()
    assert_cleaned_up(pid)
    with QemuMachine(notify=mode, image=image) as again:
        assert I2cClient(again, "ivi").transfer([I2cMsg(SENSOR, True, 1)]).ok


def test_killed_qemu_error_names_the_console_log(image):
    m = QemuMachine(image=image)
    m.launch()
    try:
        log = m.console_log
        os.kill(m.pid, signal.SIGKILL)
        with pytest.raises(MachineError) as err:
            m.wait_for(0, lambda: False, 30.0, "nothing")
        assert str(log) in str(err.value) and READY_LINE in str(err.value)
        assert not isinstance(err.value, MachineTimeout)
        assert log.exists(), "the log named in the error must survive close()"
    finally:
        m.close()


def test_timeout_is_a_machine_timeout_naming_what_was_awaited(image):
    with (
        QemuMachine(image=image) as m,
        pytest.raises(MachineTimeout, match=r"guest 0 \(ivi\).*waiting for the moon"),
    ):
        m.wait_for(0, lambda: False, 0.2, "the moon")


# ---- cleanup ----------------------------------------------------------------------------


def test_close_after_pass_leaves_nothing_and_is_idempotent(image):
    m = make_machine("qemu", image=image)
    m.launch()
    assert isinstance(m, QemuMachine)
    pid, run_dir = m.pid, m.console_log.parent
    VirtioDevice.open(m, 0, C.VBE_VIRTIO_ID_I2C, device_bits=1)
    m.close()
    m.close()
    assert_cleaned_up(pid, run_dir)
    assert not run_dir.exists(), "a machine that worked keeps no logs"
    with pytest.raises(MachineError, match="not running"):
        m.window(0)


@pytest.mark.parametrize("error", [AssertionError, KeyboardInterrupt, RuntimeError])
def test_close_after_failure_or_exception_leaves_nothing(image, error):
    pid = None
    with pytest.raises(error), QemuMachine(image=image) as m:
        pid = m.pid
        raise error("inside the test")
    assert pid is not None
    assert_cleaned_up(pid)


CHILD = textwrap.dedent("""
    import signal
    import sys
    from pathlib import Path
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored
    from pyhost.machine.qemu import QemuMachine
    m = QemuMachine(image=Path(sys.argv[1]))
    m.launch()
    print(m.pid, flush=True)
    m.wait_for(0, lambda: False, 120.0, "the parent to stop us")
""")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_interrupted_process_leaves_no_qemu_and_no_shm_file(image, sig):
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(image)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()  # blocks until the child's machine is up
        assert line.strip().isdigit(), child.stderr.read() if child.stderr else line
        qemu_pid = int(line)
        child.send_signal(sig)
        child.wait(timeout=15)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert wait_gone(qemu_pid), f"QEMU pid {qemu_pid} outlived its parent ({sig.name})"
    assert shm_files(child.pid) == []
    assert process_gone(child.pid)
    run_dirs = list(Path(tempfile.gettempdir()).glob(f"{RUN_PREFIX}{child.pid}-*"))
    for d in run_dirs:
        shutil.rmtree(d, ignore_errors=True)  # SIGKILL leaves it (logs, a dead socket)
    if sig != signal.SIGKILL:
        assert run_dirs == [], "the child's cleanup left its run directory"


# ---- missing tools ----------------------------------------------------------------------


def test_missing_qemu_says_which_package_to_install(monkeypatch):
    monkeypatch.setenv("VBE_QEMU", "qemu-system-aarch64-not-installed")
    with pytest.raises(MachineError) as err:
        QemuMachine().launch()
    msg = str(err.value)
    assert "qemu-system-arm" in msg and "bookworm-backports" in msg and "scripts/setup" in msg
    ok, why = qi.qemu_available()
    assert not ok and "qemu-system-arm" in why


def test_missing_cross_compiler_says_which_package_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("VBE_BAREMETAL_BUILD_DIR", str(tmp_path / "bm"))
    monkeypatch.setattr(qi, "CROSS_GCC", "aarch64-linux-gnu-gcc-not-installed")
    with pytest.raises(MachineError, match=r"gcc-aarch64-linux-gnu.*scripts/setup"):
        QemuMachine().launch()
    assert not (tmp_path / "bm" / qi.ELF_NAME).exists()
