# SPDX-License-Identifier: Apache-2.0
"""The Zephyr port's Xen transport (CONFIG_VBE_XEN: zephyr-app/src/xen_zephyr*.c).

Compiled as test_port_compiles.py compiles the rest of the port (aarch64-linux-gnu-gcc,
Zephyr's arm64 flags, -Werror, -std=c99 and c17) against stand-ins of Zephyr v4.2.0's Xen
headers (tests/zephyr/stubs/zephyr/xen, arch/arm64/hypercall.h), which declare what that
release declares and nothing after it: no HYPERVISOR_dm_op, no xendom_acquire_resource, no
XENMEM_acquire_resource. The hypercall the port writes itself is read back from the object
code. Then the transport runs on the host (stubs/xen_harness.c) with the harness playing Xen
and two DomUs over the tables `vbe gen` makes for the demo system, reading what the port
passes at the offsets of Xen's public headers.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pyhost.sysload import DEMO
from pyhost.xen.fixtures import grant_variant

sys.path.insert(0, str(Path(__file__).parent))

from fake_dt import Node, Tree
from test_port_compiles import (
    BASE_NODES,
    CHOSEN,
    LIB,
    SRC,
    STUBS,
    ZEPHYR_CFLAGS,
    ZEPHYR_STDS,
    _core_sources,
    compile_c,
    config,
    cross_gcc,
    host_gcc,
    includes,
    write_tree,
)

ROOT = Path(__file__).resolve().parents[2]
XEN_FILES = ("xen_zephyr.c", "xen_zephyr_hypercall.c", "main.c")

# The hypervisor node as the xen_dom0 snippet asks a board to write it: reg 0 the grant
# table range, reg 1.. the extended regions Xen reports for Dom0.
EXT_BASE, EXT_SIZE = 0x8000_0000, 0x4000_0000
HYPERVISOR = Node(
    "/hypervisor@38000000",
    ("hypervisor",),
    ("xen,xen",),
    reg=(0x3800_0000, 0x100_0000),
    more_regs=((EXT_BASE, EXT_SIZE),),
)
XEN_CONFIG = {
    "CONFIG_XEN": "1",
    "CONFIG_XEN_DOM0": "1",
    "CONFIG_VBE_XEN": "1",
    "CONFIG_VBE_IOREQ": "1",
    "CONFIG_VBE_MMIO": "1",
    "CONFIG_VBE_VHU": "1",
}


def xen_tree(hypervisor: Node = HYPERVISOR) -> Tree:
    return Tree([*BASE_NODES, hypervisor], chosen=dict(CHOSEN))


def cross_compile(tmp: Path, source: Path, std: str, *extra: str, tree: Tree | None = None):
    gen = write_tree(tmp, tree or xen_tree(), {**config(()), **XEN_CONFIG})
    return compile_c(
        [
            cross_gcc(),
            std,
            *ZEPHYR_CFLAGS,
            *extra,
            *includes(gen),
            "-c",
            str(source),
            "-o",
            str(tmp / "out.o"),
        ]
    )


# --- compiled as Zephyr compiles it --------------------------------------------------------


@pytest.mark.parametrize("std", ZEPHYR_STDS)
@pytest.mark.parametrize("source", XEN_FILES)
def test_xen_port_compiles_with_zephyrs_arm64_flags(tmp_path: Path, source: str, std: str) -> None:
    proc = cross_compile(tmp_path, SRC / source, std)
    assert proc.returncode == 0, proc.stderr


def test_xen_port_compiles_where_notify_evtchn_returns_int(tmp_path: Path) -> None:
    """notify_evtchn() is void in v4.2.0 and int in later trees' events.h; the port casts its
    value away, so it compiles against both."""
    proc = cross_compile(tmp_path, SRC / "xen_zephyr.c", "-std=c99", "-DSTUB_XEN_NOTIFY_EVTCHN_INT")
    assert proc.returncode == 0, proc.stderr


def test_a_hypervisor_node_without_an_extended_region_does_not_compile(tmp_path: Path) -> None:
    """xenvm.dts's hypervisor node has only the grant table range; Dom0 needs more. C17: with
    C99 the assertion's text is not in the diagnostic (glibc's and Zephyr's pre-C11
    BUILD_ASSERT both fail on a bit-field or a division instead)."""
    plain = Node("/hypervisor@38000000", ("hypervisor",), ("xen,xen",), reg=(0x3800_0000, 0x1000))
    proc = cross_compile(tmp_path, SRC / "xen_zephyr.c", "-std=c17", tree=xen_tree(plain))
    assert proc.returncode != 0
    assert "extended region" in proc.stderr


def test_dm_op_is_hvc_0xea1_with_41_in_x16(tmp_path: Path) -> None:
    """The one hypercall the port makes itself: Xen's arm64 convention (arch-arm.h), as
    Zephyr's hypercall.S issues the others."""
    proc = cross_compile(tmp_path, SRC / "xen_zephyr_hypercall.c", "-std=c99")
    assert proc.returncode == 0, proc.stderr
    objdump = shutil.which("aarch64-linux-gnu-objdump")
    if objdump is None:
        pytest.skip("aarch64-linux-gnu-objdump not installed (Debian: binutils-aarch64-linux-gnu)")
    text = subprocess.run(
        [objdump, "-d", str(tmp_path / "out.o")], capture_output=True, text=True, check=True
    ).stdout
    body = text.split("<vbe_zephyr_xen_dm_op>:", 1)[1].split("\n\n", 1)[0]
    insns = [
        tuple(re.split(r"\s+", line.split("\t", 2)[2].split("//")[0].strip(), maxsplit=1) + [""])[
            :2
        ]
        for line in body.splitlines()
        if line.count("\t") >= 2
    ]
    hvc = insns.index(("hvc", "#0xea1"))
    assert ("mov", "x16, #0x29") in insns[:hvc], insns  # __HYPERVISOR_dm_op = 41
    assert insns[hvc + 1 :] == [("ret", "")], insns  # x0 is the result, untouched


# --- the stand-ins refuse what v4.2.0 lacks ------------------------------------------------

LACKING = {
    # arch/arm64/core/xen/hypercall.S got dm_op with the DMOP wrappers (#96727), after 4.2.0
    "HYPERVISOR_dm_op": (
        (
            "#include <zephyr/arch/arm64/hypercall.h>\nint f(void);\n"
            "int f(void) { return HYPERVISOR_dm_op(1, 0, 0); }"
        ),
        "HYPERVISOR_dm_op",
    ),
    # include/zephyr/xen/memory.h got it in #95935, after 4.2.0
    "xendom_acquire_resource": (
        (
            "#include <zephyr/xen/memory.h>\nint f(void);\n"
            "int f(void) { return xendom_acquire_resource(1, 0, 0, 1, 0, 0); }"
        ),
        "xendom_acquire_resource",
    ),
    "XENMEM_acquire_resource": (
        "#include <zephyr/xen/public/memory.h>\nint a = XENMEM_acquire_resource;",
        "XENMEM_acquire_resource",
    ),
    # <zephyr/xen/dmop.h> does not exist in 4.2.0
    "dmop.h": ("#include <zephyr/xen/dmop.h>\n", "dmop.h"),
}


@pytest.mark.parametrize("name", list(LACKING))
def test_stand_ins_refuse_what_zephyr_4_2_lacks(tmp_path: Path, name: str) -> None:
    code, error = LACKING[name]
    src = tmp_path / "t.c"
    src.write_text(code + "\n")
    proc = cross_compile(tmp_path, src, "-std=c99")
    assert proc.returncode != 0, f"the stand-ins offer {name}"
    assert error in proc.stderr, proc.stderr


def test_stand_ins_offer_what_the_port_uses(tmp_path: Path) -> None:
    """The control: the v4.2.0 calls the port makes compile."""
    src = tmp_path / "t.c"
    src.write_text(
        "#include <zephyr/arch/arm64/hypercall.h>\n#include <zephyr/xen/events.h>\n"
        "#include <zephyr/xen/memory.h>\nint f(void);\nint f(void) {\n"
        "\tnotify_evtchn(3);\n"
        "\treturn HYPERVISOR_memory_op(7, 0) + bind_interdomain_event_channel(1, 2, 0, 0) +\n"
        "\t       xendom_add_to_physmap_batch(DOMID_SELF, 1, XENMAPSPACE_gmfn_foreign, 1, 0, 0,"
        " 0);\n}\n"
    )
    proc = cross_compile(tmp_path, src, "-std=c99")
    assert proc.returncode == 0, proc.stderr


# --- the transport at run time -------------------------------------------------------------


def _tables(where: Path, system: Path) -> Path:
    """A system's tables as the module's build generates them (sysdesc.buildstep tables and
    xen, zephyr/CMakeLists.txt): vbe_sys_cfg.c and vbe_xen_cfg.c."""
    out = where / f"gen-{system.stem}"
    for step in ("tables", "xen"):
        proc = subprocess.run(
            [sys.executable, "-m", "sysdesc.buildstep", step, str(system), "--out", str(out)],
            capture_output=True,
            text=True,
            check=False,
            env={"PYTHONPATH": str(ROOT / "tools"), "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def _harness(where: Path, system: Path) -> Path:
    tables = _tables(where, system)
    gen = write_tree(where, xen_tree(), {**config(()), **XEN_CONFIG})
    exe = where / "harness"
    proc = compile_c(
        [
            host_gcc(),
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-Wno-unused-parameter",
            *includes(gen),
            "-include",
            str(SRC / "port_zephyr.h"),
            str(SRC / "xen_zephyr.c"),
            str(STUBS / "xen_harness.c"),
            str(STUBS / "log.c"),
            *(str(p) for p in _core_sources()),
            str(tables / "vbe_sys_cfg.c"),
            str(tables / "vbe_xen_cfg.c"),
            "-o",
            str(exe),
        ]
    )
    assert proc.returncode == 0, proc.stderr
    return exe


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The port against the harness, serving the demo without grants (the port maps none)."""
    where = tmp_path_factory.mktemp("xen-harness")
    return _harness(where, grant_variant(DEMO, frozenset(), where / "demo.yaml"))


def run(exe: Path, *args: str) -> list[str]:
    proc = subprocess.run(
        [str(exe), *args], capture_output=True, text=True, check=False, timeout=60
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr
    return proc.stdout.splitlines()


def _ram_page() -> int:
    """Where the port puts the first DomU's RAM: the extended region after one ioreq page per
    possible domain (VBE_SYS_MAX_GUESTS), on a 2 MiB boundary."""
    sys_h = (LIB / "sys" / "include" / "vbe" / "sys.h").read_text()
    guests = int(re.search(r"#define VBE_SYS_MAX_GUESTS (\d+)", sys_h).group(1))
    block = 2 << 20
    return (EXT_BASE + guests * 4096 + block - 1) // block * block


def test_each_domain_gets_its_server_page_windows_and_channel(harness: Path) -> None:
    lines = run(harness, "start")
    assert "start -> 2" in lines
    for domid in (1, 2):
        seq = [
            line
            for line in lines
            if line.startswith(("dm_op", "memory_op", "evtchn bind")) and f"dom {domid} " in line
        ]
        assert seq == [
            f"dm_op dom {domid} create_ioreq_server bufioreq=0",
            (
                f"memory_op acquire_resource dom {domid} type=0 id={5 + domid} nr_frames=1 "
                f"frame=1 gfn=0x{(EXT_BASE >> 12) + domid - 1:x}"
            ),
            # the demo's windows: virtio-scmi, then virtio-i2c (vbe_xen_cfg.c)
            f"dm_op dom {domid} map_io_range id={5 + domid} type=1 0x2000000-0x20001ff",
            f"dm_op dom {domid} map_io_range id={5 + domid} type=1 0x2000200-0x20003ff",
            f"dm_op dom {domid} set_ioreq_server_state id={5 + domid} enabled=1",
            f"evtchn bind dom {domid} remote {40 + domid * 4} -> local {99 + domid}",
        ], lines
        # all of its 128 MiB, in batches of at most 64 frames, read back in order by
        # device_map (the harness checks every frame)
        assert f"dom {domid}: 32768 RAM frames mapped" in lines
    assert f"device_map 0x{_ram_page():x}: 128 MiB of dom 1's RAM from 0x40000000" in lines
    assert (
        f"device_map 0x{_ram_page() + (128 << 20):x}: 128 MiB of dom 2's RAM from 0x40000000"
        in lines
    )


def test_a_trapped_read_is_answered_and_signalled_back(harness: Path) -> None:
    lines = run(harness, "start", "read", "1", "0x2000000", "4", "event", "1", "poll")
    assert "poll -> 1" in lines
    assert "slot dom 1 state=3 data=0x74726976" in lines  # "virt", IORESP_READY
    assert lines[lines.index("poll -> 1") - 1] == "evtchn notify 100"  # dom 1's local port


def test_only_domains_that_had_an_event_are_served(harness: Path) -> None:
    lines = run(
        harness,
        "start",
        "read",
        "2",
        "0x2000208",
        "4",
        "event",
        "1",
        "poll",
        "event",
        "2",
        "poll",
    )
    first, second = (i for i, line in enumerate(lines) if line.startswith("poll -> "))
    assert lines[first] == "poll -> 0" and "slot dom 2 state=1 data=0x0" in lines[first:second]
    assert lines[second] == "poll -> 1" and "slot dom 2 state=3 data=0x22" in lines[second:]
    assert "evtchn notify 101" in lines[second - 3 : second + 1]


def test_virtio_i2c_request_through_domu_ram_raises_the_devices_spi(harness: Path) -> None:
    """A whole driver on dom 2's virtio-i2c window: its ring and buffers in dom 2's RAM as
    the port mapped it; the guest's 0x49 is the bus's 0x48 (the demo's remap for
    'cluster'); the answer raises SPI 34, the window's interrupt in vbe_xen_cfg.c."""
    lines = run(harness, "start", "i2c-read", "2", "0x2000200", "0x49", "stats", "2")
    assert "probe magic=0x74726976 version=2 id=34" in lines
    assert "features_ok=1" in lines and "status=0xf" in lines
    assert "plat i2c bus 0 addr 0x48 msgs 1 r1" in lines
    assert "used idx=1 id=0 len=2 status=0 data=0x5a isr=0x1" in lines
    assert "dm_op dom 2 set_irq_level spi=34 level=1" in lines
    (stats,) = [line for line in lines if line.startswith("stats dom 2 ")]
    m = re.fullmatch(r"stats dom 2 live=1 events=(\d+) irqs=1 failed=0 traps=(\d+)", stats)
    assert m and m.group(1) == m.group(2), stats  # one event per trapped access


def test_a_ring_outside_domu_ram_needs_reset_and_interrupts(harness: Path) -> None:
    lines = run(harness, "start", "fault", "1", "0x2000200")
    assert any("needs reset" in line for line in lines), lines
    assert "dm_op dom 1 set_irq_level spi=34 level=1" in lines
    # DEVICE_NEEDS_RESET (0x40) with ACKNOWLEDGE, DRIVER, FEATURES_OK; DRIVER_OK not taken
    assert "status=0x4b" in lines


def test_a_domain_xen_refuses_is_left_out_and_the_other_served(harness: Path) -> None:
    lines = run(
        harness, "fail-create", "1", "start", "read", "2", "0x2000000", "4", "event", "2", "poll"
    )
    assert "start -> 1" in lines
    assert any(
        "create_ioreq_server: Xen error -38 (a hypervisor built without "
        "CONFIG_IOREQ_SERVER)" in line
        for line in lines
    )
    assert any("dom 1 'ivi': not served" in line for line in lines)
    assert not [line for line in lines if line.startswith("evtchn bind dom 1 ")]
    assert "slot dom 2 state=3 data=0x74726976" in lines


def test_a_domain_whose_ram_fails_half_way_keeps_its_frames_from_the_next(harness: Path) -> None:
    """dom 1's mapping stops after 64 frames; dom 2's RAM must not land on those frames (a
    second foreign mapping there would replace the first)."""
    lines = run(harness, "fail-map", "1", "start")
    assert "start -> 1" in lines
    assert any("dom 1: RAM page 0x40040000: Xen error -12" in line for line in lines), lines
    assert not any(line.startswith("dm_op dom 1 ") for line in lines)
    assert (
        f"device_map 0x{_ram_page() + (128 << 20):x}: 128 MiB of dom 2's RAM from 0x40000000"
        in lines
    )


# --- boards/xenvm.*: the layout the transport needs -----------------------------------------

BOARDS = ROOT / "zephyr-app" / "boards"


def _cells(text: str) -> list[int]:
    text = re.sub(r"DT_SIZE_M\((\d+)\)", lambda m: str(int(m.group(1)) << 20), text)
    return [int(c, 0) for c in re.findall(r"0x[0-9a-fA-F]+|\d+", text)]


def _node_regs(overlay: str, label: str) -> list[tuple[int, int]]:
    body = re.search(rf"\b{label}:\s*[\w,-]+@[0-9a-f]+\s*\{{(.*?)\}};", overlay, re.DOTALL)
    assert body, f"no node labelled {label} in xenvm.overlay"
    reg = re.search(r"\breg\s*=\s*(.*?);", body.group(1), re.DOTALL)
    assert reg
    cells = _cells(reg.group(1))
    assert len(cells) % 4 == 0, cells  # #address-cells = #size-cells = 2
    return [
        ((cells[i] << 32) | cells[i + 1], (cells[i + 2] << 32) | cells[i + 3])
        for i in range(0, len(cells), 4)
    ]


def test_xenvm_overlay_gives_dom0_room_for_the_demos_domus(tmp_path: Path) -> None:
    """The extended region (the hypervisor node's reg 1) holds one ioreq page per possible
    domain and every DomU's RAM of the generated table, 2 MiB aligned, apart from Dom0's RAM;
    CONFIG_KERNEL_VM_SIZE holds Dom0's RAM and those mappings."""
    overlay = re.sub(r"/\*.*?\*/", "", (BOARDS / "xenvm.overlay").read_text(), flags=re.DOTALL)
    ((ram, ram_size),) = _node_regs(overlay, "ram")
    (gnttab, gnttab_size), (ext, ext_size) = _node_regs(overlay, "hypervisor")
    assert '"xen,xen"' in overlay and re.search(r"/delete-node/ &hypervisor;", overlay)
    table = (_tables(tmp_path, DEMO) / "vbe_xen_cfg.c").read_text()
    domu_ram = [int(v, 16) for v in re.findall(r"\.ram_size = 0x([0-9a-fA-F]+)ULL", table)]
    assert len(domu_ram) == 2
    block = 2 << 20
    need = _ram_page() - EXT_BASE + sum((r + block - 1) // block * block for r in domu_ram)
    assert ext % 4096 == 0 and ext_size % 4096 == 0
    assert need <= ext_size, f"the extended region holds {ext_size >> 20} MiB, needs {need >> 20}"
    for start, size in ((ram, ram_size), (gnttab, gnttab_size)):
        assert start + size <= ext or ext + ext_size <= start, "overlaps the extended region"
    conf = (BOARDS / "xenvm.conf").read_text()
    vm = int(
        re.search(r"^CONFIG_KERNEL_VM_SIZE=(0x[0-9a-fA-F]+)$", conf, re.MULTILINE).group(1), 16
    )
    assert vm >= ram_size + need
    assert re.search(r"^CONFIG_XEN_DOM0=y$", conf, re.MULTILINE)
    assert "xen_dom0" in (BOARDS / "xenvm.cmake").read_text()


def test_a_domain_that_uses_grants_is_left_unserved_and_the_other_served(tmp_path: Path) -> None:
    """The demo itself: its cluster hands out grant references, which this port does not map:
    the cluster is left out with the reason, ivi is served."""
    exe = _harness(tmp_path, DEMO)
    lines = run(exe, "start", "read", "1", "0x2000000", "4", "event", "1", "poll")
    assert "start -> 1" in lines
    assert any("dom 2: uses grants" in line and "left unserved" in line for line in lines)
    assert not [line for line in lines if line.startswith("evtchn bind dom 2 ")]
    assert "slot dom 1 state=3 data=0x74726976" in lines
