"""pyhost's own pieces: guarded memory, the data-area allocator, machines and the registry."""

from __future__ import annotations

import errno
import struct
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from pyhost.machine import MACHINES, Machine, MachineError, make_machine
from pyhost.memory import GuardedMemory
from pyhost.virtio import Allocator, AllocError, VirtioDevice, Window
from pyhost.virtio.window import C

# ---- GuardedMemory ----------------------------------------------------------------------


def test_guarded_memory_is_zeroed_writable_and_exact() -> None:
    with GuardedMemory(10_000) as mem:
        assert len(mem.view) == 10_000 and bytes(mem.view) == bytes(10_000)
        mem.view[-1] = 0xAB
        assert mem.view[9_999] == 0xAB and mem.ptr % 64 == 0
    assert mem.closed


@pytest.mark.parametrize("where", ["before", "after"])
def test_access_just_outside_guarded_memory_crashes(where: str) -> None:
    offset = "-1" if where == "before" else "mem.size"
    code = textwrap.dedent(f"""
        from cffi import FFI
        from pyhost.memory import GuardedMemory
        mem = GuardedMemory(8192)
        ffi = FFI()
        ffi.cast("unsigned char *", mem.ptr)[{offset}] = 1
        print("survived")
    """)
    proc = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    assert proc.returncode == -11 and "survived" not in proc.stdout, proc.stderr


# ---- Allocator --------------------------------------------------------------------------


def test_allocator_aligns_and_reuses_freed_space_first_fit() -> None:
    a = Allocator(0x1000, 0x100)
    x, y, z = a.alloc(1), a.alloc(17), a.alloc(16)
    assert (x, y, z) == (0x1000, 0x1010, 0x1030)
    a.free(y)
    assert a.alloc(20) == y, "first fit takes the freed hole"
    assert a.alloc(8, align=64) == 0x1040


def test_allocator_coalesces_neighbours() -> None:
    a = Allocator(0, 64)
    pieces = [a.alloc(16) for _ in range(4)]
    for p in (pieces[1], pieces[3], pieces[2], pieces[0]):
        a.free(p)
    st = a.stats()
    assert (st.free_bytes, st.free_pieces, st.largest_free, st.live) == (64, 1, 64, 0)
    assert a.alloc(64) == 0


def test_allocator_full_says_what_ran_out() -> None:
    a = Allocator(0, 64, name="data area of test")
    a.alloc(48)
    with pytest.raises(AllocError, match=r"data area of test: no room for reply \(32 bytes"):
        a.alloc(32, "reply")


def test_allocator_double_free_is_an_error() -> None:
    a = Allocator(0, 64)
    p = a.alloc(16)
    a.free(p)
    with pytest.raises(AllocError, match="double free"):
        a.free(p)


# ---- machines ---------------------------------------------------------------------------


def test_unknown_machine_lists_the_known_ones() -> None:
    with pytest.raises(MachineError, match="known: " + ", ".join(sorted(MACHINES))):
        make_machine("nosuch")


def test_every_guest_window_is_published(machine: Machine) -> None:
    assert machine.guests, "the system has no guests"
    for g in machine.guests:
        win = Window.of(machine, g.index)
        assert win.layout.window_size == g.window_size == len(machine.window(g.index))
        assert win.layout.guest_id == g.index
        ids = [dev_id for _, dev_id in win.devices()]
        assert (C.VBE_VIRTIO_ID_I2C in ids) == (g.i2c_bus is not None)


def test_guest_lookup_by_name_and_unknown_guest(machine: Machine) -> None:
    first = machine.guests[0]
    assert machine.guest(first.name) == first
    with pytest.raises(MachineError, match=first.name):
        machine.guest("no-such-guest")


def test_i2c_device_of_every_guest_initialises(machine: Machine) -> None:
    for g in machine.guests:
        if g.i2c_bus is None:
            continue
        dev = VirtioDevice.open(machine, g.index, C.VBE_VIRTIO_ID_I2C, device_bits=1)
        assert dev.status & C.VBE_VIRTIO_STATUS_DRIVER_OK and not dev.needs_reset
        assert 0 in dev.queues


def test_broken_guest_does_not_stop_the_others(machine: Machine) -> None:
    i2c = [g.index for g in machine.guests if g.i2c_bus is not None]
    if len(i2c) < 2:
        pytest.skip("needs two guests with virtio-i2c")
    bad = VirtioDevice.open(machine, i2c[0], C.VBE_VIRTIO_ID_I2C, device_bits=1)
    good = VirtioDevice.open(machine, i2c[1], C.VBE_VIRTIO_ID_I2C, device_bits=1)
    ring = bad.queues[0].ring
    ring.publish(ring.size)  # a head out of range
    bad.queues[0].kick()
    # a notification is asynchronous on a machine that runs on its own (qemu): wait for it
    machine.wait_for(bad.guest, lambda: bad.needs_reset, 5.0, "the bad guest's NEEDS_RESET")
    out_hdr = struct.pack("<HHI", 0x7F << 1, 0, 0)  # a write to an address nobody has
    used = good.queues[0].call([out_hdr], [1])
    assert used.length == 1 and not good.needs_reset


@pytest.mark.parametrize("cmd", [C.VBE_SIM_CMD_I2C_DIAG + 1, 0xFF, C.VBE_SIM_CMD_PORT + 0x7F])
def test_platform_protocol_refuses_an_unknown_command(machine: Machine, cmd: int) -> None:
    """The one platform protocol (vbe_sim_cmd(), on this machine's transport): a command
    neither the core nor the port knows answers -ENOSYS with no data."""
    plat: Any = machine.platform
    reply = plat.call(cmd, 1, 2, what="an unknown command")
    assert (reply.result, reply.data) == (-errno.ENOSYS, b"")


def test_machine_close_is_idempotent_and_stops_access() -> None:
    m = make_machine("inprocess")
    m.launch()
    m.close()
    m.close()
    with pytest.raises(MachineError, match="not running"):
        m.window(0)
