"""sysdesc.gen_xen: the Xen host /chosen additions, each DomU's partial devicetree and
vbe-xen's table, from one layout. Golden files for the demo (tests/tools/golden/demo/,
refresh with VBE_UPDATE_GOLDEN=1 as test_gen_artefacts.py says); every example compiles
with dtc and the C table against vbe/xen_cfg.h; the numbers are Xen's public ones."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sysdesc import load_system, render
from sysdesc.gen_xen import (
    GUEST_PHANDLE_GIC,
    GUEST_PHANDLE_IOMMU,
    GUEST_VIRTIO_MMIO_BASE,
    GUEST_VIRTIO_MMIO_SPI_FIRST,
    HOST_FILE,
    TABLE_FILE,
    XenLayoutError,
    generate,
    guest_file,
    layout,
    window_size,
)
from sysdesc.model import System

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
GOLDEN = Path(__file__).with_name("golden") / "demo"
UPDATE = os.environ.get("VBE_UPDATE_GOLDEN") == "1"


@pytest.fixture(params=EXAMPLES, ids=[p.stem for p in EXAMPLES])
def system(request: pytest.FixtureRequest) -> System:
    return load_system(request.param).system


def _dtc(*args: str, stdin: str | None = None) -> str:
    dtc = shutil.which("dtc")
    if dtc is None:
        pytest.skip("dtc not installed (device-tree-compiler; scripts/setup installs it)")
    p = subprocess.run([dtc, *args], input=stdin, capture_output=True, text=True, check=False)
    assert p.returncode == 0 and not p.stderr, p.stderr
    return p.stdout


@pytest.mark.parametrize("name", [HOST_FILE, "xen-ivi.dts", "xen-cluster.dts", TABLE_FILE])
def test_demo_matches_golden(name: str) -> None:
    text = generate(load_system(REPO / "examples" / "demo.yaml").system)[name]
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text)
    assert path.exists(), f"no golden {path}: run with VBE_UPDATE_GOLDEN=1"
    assert text == path.read_text(), f"{name} differs from {path} (VBE_UPDATE_GOLDEN=1 if meant)"


def test_registered_with_vbe_gen(system: System) -> None:
    files = render(system, ["xen"])
    assert set(files) == {HOST_FILE, TABLE_FILE, *(guest_file(g) for g in system.guests)}


def test_guest_i_is_domid_i_plus_1_in_chosen_order(system: System) -> None:
    dts = _dtc("-I", "dts", "-O", "dts", stdin="/dts-v1/;\n/ { };\n" + generate(system)[HOST_FILE])
    order = [ln.strip().split()[0] for ln in dts.splitlines() if ln.strip().startswith("domU")]
    assert order == [f"domU{g.index + 1}" for g in system.guests]
    assert [d.domid for d in layout(system).domains] == [g.index + 1 for g in system.guests]


def test_partial_trees_compile_and_carry_every_device(system: System, tmp_path: Path) -> None:
    lay = layout(system)
    for d in lay.domains:
        src = tmp_path / guest_file(d.guest)
        src.write_text(generate(system)[src.name])
        dts = _dtc("-W", "no-simple_bus_reg", "-I", "dts", "-O", "dts", str(src))
        assert f"phandle = <{GUEST_PHANDLE_GIC:#x}>;" in dts
        for k, dev in enumerate(d.devices):
            assert dev.base == GUEST_VIRTIO_MMIO_BASE + k * window_size()
            assert dev.spi == GUEST_VIRTIO_MMIO_SPI_FIRST + k
            assert f"virtio@{dev.base:x} {{" in dts
            assert f"interrupts = <0x00 {dev.spi - 32:#04x} 0x04>;" in dts
        assert ("arm,scmi-virtio" in dts) == (d.guest.scmi is not None)
        assert ("virtio,device22" in dts) == (d.guest.i2c is not None)
        # everything Xen copies is under /passthrough
        top = [
            ln.strip()
            for ln in dts.splitlines()
            if ln[:1] == "\t" and ln[1:2] != "\t" and "{" in ln
        ]
        assert top == ["gic {", "passthrough {"], top


def test_modules_do_not_overlap_and_stay_in_ram(system: System) -> None:
    mods = sorted(layout(system).modules(), key=lambda m: m.addr)
    for a, b in itertools.pairwise(mods):
        assert a.addr + a.size <= b.addr, (a, b)
    assert 0x48000000 + (1 << 20) <= mods[0].addr  # QEMU's devicetree
    assert mods[-1].addr + mods[-1].size <= 0x40000000 + (2 << 30)  # -m 2G


def test_table_compiles_against_the_port_header(system: System, tmp_path: Path) -> None:
    cc = shutil.which("cc") or pytest.skip("no C compiler")
    files = render(system, ["c", "xen"])
    for name in ("vbe_sys_cfg.c", TABLE_FILE):
        (tmp_path / name).write_text(files[name])
    incs = [f"-I{d}" for d in sorted((REPO / "zephyr-app" / "lib").glob("*/include"))]
    for name in ("vbe_sys_cfg.c", TABLE_FILE):
        p = subprocess.run(
            [cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-c", "-o", os.devnull, *incs,
             str(tmp_path / name)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert p.returncode == 0, p.stderr


def test_build_steps_give_vbe_xen_tables_that_link(tmp_path: Path) -> None:
    """What boards/xen_dom0_linux's build runs (sysdesc.buildstep tables and xen) gives two
    files that link: vbe-xen's table points at the core's tables by their one symbol."""
    cc = shutil.which("cc") or pytest.skip("no C compiler")
    demo = REPO / "examples" / "demo.yaml"
    for step in ("tables", "xen"):
        p = subprocess.run(
            [sys.executable, "-m", "sysdesc.buildstep", step, str(demo), "--out", str(tmp_path)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert p.returncode == 0, p.stderr
    assert (tmp_path / TABLE_FILE).read_text() == generate(load_system(demo).system)[TABLE_FILE]
    main = tmp_path / "main.c"
    main.write_text(
        "#include <vbe/sys.h>\n#include <vbe/xen_cfg.h>\n"
        "extern const struct vbe_xen_cfg vbe_xen_generated_cfg;\n"
        "int main(void)\n{\n\treturn vbe_xen_generated_cfg.sys == &vbe_sys_description &&\n"
        "\t       vbe_xen_generated_cfg.domain_count == 2 ? 0 : 1;\n}\n"
    )
    incs = [f"-I{d}" for d in sorted((REPO / "zephyr-app" / "lib").glob("*/include"))]
    exe = tmp_path / "link"
    p = subprocess.run(
        [cc, "-std=c11", "-Wall", "-Werror", *incs, "-o", str(exe), str(main),
         str(tmp_path / "vbe_sys_cfg.c"), str(tmp_path / TABLE_FILE)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert subprocess.run([str(exe)], check=False).returncode == 0


def test_too_many_devices_for_a_domain_is_an_error(system: System) -> None:
    import dataclasses

    from sysdesc import gen_xen

    g = system.guests[0]
    old = gen_xen.max_devices
    gen_xen.max_devices = lambda: 0  # type: ignore[assignment]
    try:
        if g.scmi or g.i2c:
            with pytest.raises(XenLayoutError, match=re.escape(g.key)):
                layout(dataclasses.replace(system, guests=(g,)))
    finally:
        gen_xen.max_devices = old  # type: ignore[assignment]


def test_grants_only_where_the_description_asks(system: System, tmp_path: Path) -> None:
    """A guest with xen.grants gets the grant table (xen,enhanced = "no-xenstore") and an
    iommus link from each virtio node to the xen,grant-dma node, naming Dom0; the others
    none of it, and vbe-xen's table says which is which."""
    files = generate(system)
    host = _dtc("-I", "dts", "-O", "dts", stdin="/dts-v1/;\n/ { };\n" + files[HOST_FILE])
    for d in layout(system).domains:
        node = host.split(f"domU{d.domid} {{")[1].split("module@")[0]
        assert ('xen,enhanced = "no-xenstore";' in node) == d.grants
        src = tmp_path / guest_file(d.guest)
        src.write_text(files[src.name])
        dts = _dtc("-W", "no-simple_bus_reg", "-I", "dts", "-O", "dts", str(src))
        iommus = re.findall(r"iommus = <(\S+) (\S+)>;", dts)
        if d.grants:
            assert f"phandle = <{GUEST_PHANDLE_IOMMU:#x}>;" in dts
            assert 'compatible = "xen,grant-dma";' in dts and "#iommu-cells = <0x01>;" in dts
            assert iommus == [(f"{GUEST_PHANDLE_IOMMU:#x}", "0x00")] * len(d.devices)
        else:
            assert iommus == [] and "xen,grant-dma" not in dts
        entry = files[TABLE_FILE].split(f".domid = {d.domid},")[1].split("},")[0]
        assert f".grants = {int(d.grants)}," in entry


def test_demo_cluster_uses_grants_ivi_does_not() -> None:
    lay = layout(load_system(REPO / "examples" / "demo.yaml").system)
    assert [(d.guest.name, d.grants) for d in lay.domains] == [("ivi", False), ("cluster", True)]
