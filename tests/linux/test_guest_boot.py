"""A real Linux guest boots on QEMU virt with vbe's kernel and initramfs, and pytest drives
it over the console. Marked ``linux``: skipped unless the kernel is cached (VBE_LINUX=1)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from sysdesc import gen_linux_dt, load_system

from pyhost.linux.cache import LinuxError
from pyhost.linux.dt import guest_dtb, mmio_transport
from pyhost.linux.fixtures import LinuxImages
from pyhost.linux.guest import CPU, LinuxGuest
from pyhost.machine.qemu_proc import RUN_PREFIX

pytestmark = pytest.mark.linux
REPO = Path(__file__).resolve().parents[2]
APPLETS = ("i2cdetect", "i2cget", "i2cset", "i2cdump", "i2ctransfer")


def test_boots_our_kernel(linux_guest: LinuxGuest) -> None:
    assert linux_guest.release.endswith("-vbe")
    assert linux_guest.check("uname -r").strip() == linux_guest.release
    assert linux_guest.boot_seconds < 30


def test_run_returns_status_and_exact_output(linux_guest: LinuxGuest) -> None:
    assert linux_guest.run("echo out; echo err >&2; exit 3") == (3, "out\nerr\n")
    assert linux_guest.run("printf 'no newline'") == (0, "no newline")
    assert linux_guest.run("true") == (0, "")


def test_guest_stops_a_command_past_its_timeout(linux_guest: LinuxGuest) -> None:
    status, _ = linux_guest.run("sleep 30", timeout=1)
    assert status in (124, 143)
    assert linux_guest.check("echo still here") == "still here\n"


def test_virtio_drivers_registered(linux_guest: LinuxGuest) -> None:
    drivers = linux_guest.check("ls /sys/bus/virtio/drivers").split()
    assert "i2c_virtio" in drivers  # drivers/i2c/busses/i2c-virtio.c
    assert "scmi-virtio" in drivers  # drivers/firmware/arm_scmi/transports/virtio.c


def test_scmi_bus_debugfs_and_i2c_dev(linux_guest: LinuxGuest) -> None:
    assert "scmi_protocol" in linux_guest.check("ls /sys/bus").split()
    assert linux_guest.run("test -d /sys/kernel/debug/clk")[0] == 0
    assert "i2c-dev" in linux_guest.check("ls /sys/class")


def test_busybox_i2c_applets(linux_guest: LinuxGuest) -> None:
    for applet in APPLETS:
        status, out = linux_guest.run(f"which {applet}")
        assert status == 0, f"{applet}: {out}"


def test_dmesg(linux_guest: LinuxGuest) -> None:
    assert f"Linux version {linux_guest.release}" in linux_guest.dmesg()


def test_one_line_commands_only(linux_guest: LinuxGuest) -> None:
    with pytest.raises(ValueError, match="one line"):
        linux_guest.run("echo a\necho b")


def test_boot_with_generated_devicetree(linux_images: LinuxImages, tmp_path: Path) -> None:
    """QEMU's tree + the demo's Linux fragment: /firmware/scmi and the virtio-i2c adapter
    node reach the guest's /proc/device-tree."""
    system = load_system(REPO / "examples" / "demo.yaml").system
    guest = next(g for g in system.guests if g.scmi is not None and g.i2c is not None)
    fragment = gen_linux_dt.fragment(system, guest)
    dtb = guest_dtb(
        tmp_path / "guest.dtb", ["-cpu", CPU, "-m", "256M"], fragment, i2c_device_index=0
    )
    with LinuxGuest(kernel=linux_images.kernel, initramfs=linux_images.initramfs, dtb=dtb) as g:
        dt = "/proc/device-tree"
        assert g.check(f"cat {dt}/firmware/scmi/compatible").rstrip("\0") == "arm,scmi-virtio"
        i2c = f"{dt}{mmio_transport(0)}/i2c/compatible"
        assert g.check(f"cat {i2c}").rstrip("\0") == "virtio,device22"


def test_panic_fails_fast(linux_images: LinuxImages) -> None:
    guest = LinuxGuest(
        kernel=linux_images.kernel,
        initramfs=linux_images.initramfs,
        cmdline="console=ttyAMA0 panic=-1 rdinit=/no-such-init",
        keep_logs=False,
        boot_timeout=60,
    )
    runs = f"{RUN_PREFIX}{os.getpid()}-linux*"
    before = set(Path(tempfile.gettempdir()).glob(runs))
    with pytest.raises(LinuxError, match="Kernel panic"):
        guest.boot()
    assert guest.proc is None
    kept = set(Path(tempfile.gettempdir()).glob(runs)) - before
    assert len(kept) == 1  # a failed boot keeps its logs; this one failed on purpose
    for d in kept:
        shutil.rmtree(d)
