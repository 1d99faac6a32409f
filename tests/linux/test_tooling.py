"""The guest tooling without a guest: cpio writer, config check, cache keys, devicetree
helpers. Quick, runs everywhere (no kernel, no QEMU)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from pyhost.linux import dt, initramfs, kernel
from pyhost.linux.cache import safe_name


def _members(archive: bytes) -> list[tuple[str, int, bytes, tuple[int, int]]]:
    """(name, mode, data, rdev) of a newc archive, checking magic and 4-byte alignment."""
    out, pos = [], 0
    while True:
        assert pos % 4 == 0 and archive[pos : pos + 6] == b"070701"
        f = [int(archive[pos + 6 + 8 * i : pos + 14 + 8 * i], 16) for i in range(13)]
        namesize, filesize = f[11], f[6]
        name = archive[pos + 110 : pos + 110 + namesize - 1].decode()
        data_at = pos + 110 + namesize + (-(110 + namesize) % 4)
        data = archive[data_at : data_at + filesize]
        pos = data_at + filesize + (-filesize % 4)
        if name == "TRAILER!!!":
            assert pos == len(archive)
            return out
        assert f[5] == 0  # mtime: reproducible
        out.append((name, f[1], data, (f[9], f[10])))


def test_cpio_round_trip() -> None:
    members = _members(initramfs.cpio_newc(initramfs.entries(b"\x7fELF-not-really")))
    by_name = {m[0]: m for m in members}
    assert by_name["init"][2] == initramfs.INIT_SCRIPT.encode()
    assert stat.S_IMODE(by_name["init"][1]) == 0o755
    assert by_name["bin/sh"][2] == b"busybox" and stat.S_ISLNK(by_name["bin/sh"][1])
    assert stat.S_ISCHR(by_name["dev/console"][1]) and by_name["dev/console"][3] == (5, 1)
    assert all(stat.S_ISDIR(by_name[d][1]) for d in initramfs.DIRS)


def test_cpio_is_reproducible() -> None:
    e = initramfs.entries(b"x" * 1001)
    assert initramfs.cpio_newc(e) == initramfs.cpio_newc(e)


def test_init_speaks_the_protocol() -> None:
    text = initramfs.INIT_SCRIPT
    for marker in (initramfs.READY, initramfs.BEGIN, initramfs.END):
        assert marker in text
    for fs in ("proc", "sysfs", "devtmpfs", "debugfs"):
        assert f"mount -t {fs}" in text


def test_fragment_asks_for_the_drivers() -> None:
    opts = kernel.parse_config(kernel.fragment_text())
    for name in (
        "CONFIG_I2C_VIRTIO", "CONFIG_I2C_CHARDEV", "CONFIG_ARM_SCMI_TRANSPORT_VIRTIO",
        "CONFIG_COMMON_CLK_SCMI", "CONFIG_ARM_SCMI_POWER_DOMAIN", "CONFIG_ARM_SCMI_PERF_DOMAIN",
        "CONFIG_RESET_SCMI", "CONFIG_SENSORS_ARM_SCMI", "CONFIG_REGULATOR_ARM_SCMI",
        "CONFIG_VIRTIO_PCI", "CONFIG_DEVTMPFS", "CONFIG_DEBUG_FS",
        "CONFIG_ARM_SCMI_RAW_MODE_SUPPORT_COEX",
    ):  # fmt: skip
        assert opts.get(name) == "y", name
    assert opts["CONFIG_NET"] == "n"
    # virtio_mmio is the one module: the init binds virtio-mmio devices when it loads it,
    # late on Xen (docs/xen.md); kernel.MODULES keeps it with the Image
    assert opts["CONFIG_MODULES"] == "y" and opts["CONFIG_VIRTIO_MMIO"] == "m"
    assert "virtio_mmio.ko" in kernel.MODULES


def test_config_mismatches_names_each_option() -> None:
    fragment = 'CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C="x"\nCONFIG_D=y\n'
    config = 'CONFIG_A=y\nCONFIG_B=y\nCONFIG_C="y"\n# CONFIG_D is not set\n'
    assert kernel.config_mismatches(config, fragment) == [
        "CONFIG_B: want n, got y",
        'CONFIG_C: want "x", got "y"',
        "CONFIG_D: want y, got n",
    ]
    assert kernel.config_mismatches(fragment, fragment) == []


def test_cache_key_follows_version_and_fragment() -> None:
    k = kernel.cache_key("6.12.1-1", "CONFIG_A=y\n")
    assert k != kernel.cache_key("6.12.2-1", "CONFIG_A=y\n")
    assert k != kernel.cache_key("6.12.1-1", "CONFIG_A=y\nCONFIG_B=y\n")
    assert len(k) == 16 and k == kernel.cache_key("6.12.1-1", "CONFIG_A=y\n")


def test_cache_dir_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VBE_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("VBE_LINUX_VERSION", "6.12.0-1~test1")
    kb = kernel.kernel_build()
    assert kb.image == tmp_path / "linux" / kb.key / "Image"
    assert kernel.cached_kernel() is None
    assert "~" not in str(kb.source) and safe_name("1:2~3") == "1_2_3"


def test_mmio_transport_order() -> None:
    assert dt.mmio_transport(0) == "/virtio_mmio@a003e00"
    assert dt.mmio_transport(1) == "/virtio_mmio@a003c00"
    assert dt.mmio_transport(31) == "/virtio_mmio@a000000"
    with pytest.raises(ValueError):
        dt.mmio_transport(32)
