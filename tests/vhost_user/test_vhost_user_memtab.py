"""The core's memory table and ring binding (vbe/memtab.h, vbe/vhu.h), in-process."""

from __future__ import annotations

import ctypes
import errno
from collections.abc import Iterator

import pytest
from vbe.serve.backend import Device, Host

U64_MAX = 2**64 - 1


@pytest.fixture(scope="module")
def dev() -> Iterator[Device]:
    host = Host()
    d = host.device("ivi", "i2c")
    yield d
    d.close()
    host.close()


@pytest.fixture
def buf() -> Iterator[int]:
    b = ctypes.create_string_buffer(0x4000)
    yield ctypes.addressof(b)


def test_region_checks(dev: Device, buf: int) -> None:
    dev.reset()
    assert dev.mem_add(0x1000, 0, 0, buf) == -errno.EINVAL  # empty
    assert dev.mem_add(0x1000, 0x1000, 0, 0) == -errno.EINVAL  # no host memory
    assert dev.mem_add(U64_MAX - 0xFFF, 0x2000, 0, buf) == -errno.EINVAL  # gpa wraps
    assert dev.mem_add(0, 0x2000, U64_MAX - 0xFFF, buf) == -errno.EINVAL  # uaddr wraps
    assert dev.mem_add(U64_MAX - 0xFFF, 0x1000, 0, buf) == 0  # ends exactly at the top
    assert dev.mem_add(0x10000, 0x1000, 0x800, buf) == -errno.EEXIST  # uaddr overlaps
    assert dev.mem_add(U64_MAX, 1, 0x9000, buf) == -errno.EEXIST  # same gpa
    for i in range(7):
        assert dev.mem_add(0x100000 * (i + 1), 0x100, 0x100000 * (i + 1), buf) == 0
    assert dev.mem_add(0x7000_0000, 0x100, 0x7000_0000, buf) == -errno.ENOSPC
    dev.reset()


def test_ring_checks(dev: Device, buf: int) -> None:
    dev.reset()
    assert dev.set_num(0, 0) == -errno.EINVAL
    assert dev.set_num(0, 48) == -errno.EINVAL
    assert dev.set_num(0, 65536) == -errno.EINVAL
    assert dev.set_num(1, 16) == -errno.EINVAL  # the i2c device has one queue
    assert dev.set_num(0, 16) == 0
    assert dev.mem_add(0x4000_0000, 0x4000, 0x7F00_0000_0000, buf) == 0
    ua = 0x7F00_0000_0000
    assert dev.set_addr(0, ua + 8, ua + 0x1000, ua + 0x800) == -errno.EPROTO  # desc align
    assert dev.set_addr(0, ua + 0x3F10, ua + 0x1000, ua + 0x800) == -errno.EFAULT
    assert dev.set_addr(0, 0x4000_0000, 0x4000_1000, 0x4000_0800) == -errno.EFAULT  # a GPA
    assert dev.set_addr(0, ua, ua + 0x1000, ua + 0x800) == 0
    assert dev.set_base(0, 70000) == -errno.EINVAL
    assert dev.set_enable(0, 2) == -errno.EINVAL
    assert dev.set_features(1 << 32) == -errno.ENOTSUP  # ZERO_LENGTH_REQUEST is required
    assert dev.set_features((1 << 32) | (1 << 40)) == -errno.EINVAL  # not offered
    assert dev.set_features((1 << 32) | 1) == 0
    assert dev.set_kick(0) == 0 and dev.set_enable(0, 1) == 0
    assert dev.kick() == (0, 0)
    assert dev.queue_state(0) == (0, True)
    assert dev.set_num(0, 32) == -errno.EBUSY
    assert dev.get_base(0) == (0, 0)
    assert dev.queue_state(0) == (0, False)
    dev.reset()
