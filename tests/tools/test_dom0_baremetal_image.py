"""The bare-metal Dom0's Image (boards/xen_dom0_baremetal, built by pyhost.xen.baremetal), as
Xen 4.17 reads it before any of its code runs: the arm64 Image header (magic at 0x38,
text_offset, image_size, flags; xen/arch/arm/kernel.c, kernel_zimage64_probe), a first
instruction that branches to the entry code, and a position-independent link whose only
relocations are the ones start.S applies, inside the file Xen copies. Without Xen: a
broken header or relocation would otherwise show only as a Dom0 that never prints.

And the Xen host tree for it: 16 MiB of Dom0 memory, a small kernel slot, no ramdisk, the
DomUs' slots where the Linux Dom0's layout puts them."""

from __future__ import annotations

import shutil
import struct

import pytest
from elftools.elf.elffile import ELFFile
from elftools.elf.relocation import RelocationSection
from sysdesc import load_system
from sysdesc.gen_xen import (
    DOM0_BAREMETAL,
    DOM0_LINUX,
    GRANT_DMA_LABEL,
    guest_tree,
    host,
    layout,
)

from pyhost.linux.cache import LinuxError
from pyhost.sysload import DEMO

R_AARCH64_NONE, R_AARCH64_RELATIVE = 0, 1027
B_OPCODE_MASK, B_OPCODE = 0xFC000000, 0x14000000


@pytest.fixture(scope="module")
def image():
    for tool in ("cmake", "aarch64-linux-gnu-gcc"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed (scripts/setup installs it)")
    from pyhost.xen.baremetal import build_dom0_baremetal

    try:
        return build_dom0_baremetal()
    except LinuxError as exc:
        pytest.fail(f"building the bare-metal Dom0 failed: {exc}")


def _symbols(elf: ELFFile) -> dict[str, int]:
    return {s.name: s["st_value"] for s in elf.get_section_by_name(".symtab").iter_symbols()}


def test_the_image_header_is_one_xen_loads(image) -> None:
    data = image.image.read_bytes()
    code0, _, text_offset, image_size, flags = struct.unpack_from("<IIQQQ", data, 0)
    assert data[0x38:0x3C] == b"ARM\x64"
    assert code0 & B_OPCODE_MASK == B_OPCODE  # "b xd_entry": the header is not executed
    assert text_offset == 0  # loaded at the bank's start
    assert flags & 1 == 0 and (flags >> 1) & 3 == 1  # little-endian, 4 KiB pages
    with image.elf.open("rb") as f:
        sym = _symbols(ELFFile(f))
    assert image_size == sym["__image_end"] - sym["__image_start"] >= len(data)
    assert sym["__stack_top"] <= sym["__image_end"]


def test_only_the_relocations_start_s_applies_and_all_in_the_file(image) -> None:
    data = image.image.read_bytes()
    with image.elf.open("rb") as f:
        elf = ELFFile(f)
        assert elf.header.e_type == "ET_DYN"  # linked at 0, relocated at run time
        assert not any(seg["p_type"] == "PT_INTERP" for seg in elf.iter_segments())
        sections = [s for s in elf.iter_sections() if isinstance(s, RelocationSection)]
        assert [s.name for s in sections] == [".rela.dyn"]
        kinds = {r["r_info_type"] for r in sections[0].iter_relocations()}
        sym = _symbols(elf)
    assert kinds <= {R_AARCH64_NONE, R_AARCH64_RELATIVE}, kinds
    assert R_AARCH64_RELATIVE in kinds  # the core's const tables hold pointers
    assert sym["__rela_start"] < sym["__rela_end"] <= len(data) <= sym["__bss_start"]


def test_the_host_tree_gives_it_a_small_dom0_and_no_ramdisk() -> None:
    system = load_system(DEMO).system
    text = host(system, DOM0_BAREMETAL)
    assert f"dom0_mem={DOM0_BAREMETAL.memory_mib}M" in text and "dom0_mem=768M" not in text
    assert "multiboot,ramdisk" not in text.split("domU")[0]  # Dom0's part of /chosen
    bm, linux = layout(system, DOM0_BAREMETAL), layout(system, DOM0_LINUX)
    assert bm.dom0_ramdisk is None and bm.dom0_kernel.size == DOM0_BAREMETAL.kernel_slot
    assert [d.kernel.addr for d in bm.domains] == [d.kernel.addr for d in linux.domains]
    assert host(system) == host(system, DOM0_LINUX)  # the default stays the Linux Dom0


def test_the_demo_with_its_grant_guest_lays_out_for_it_as_for_the_linux_dom0() -> None:
    """The bare-metal Dom0 maps grant references (src/gnt.c): the demo itself, whose cluster
    grants, gets the same domains, devices and grant modes as with the Linux Dom0, and the
    grant DomU's tree names Dom0 as the domain it grants to."""
    system = load_system(DEMO).system
    bm, linux = layout(system, DOM0_BAREMETAL), layout(system, DOM0_LINUX)
    assert [(d.guest.name, d.domid, d.grants, [x.base for x in d.devices]) for d in bm.domains] == [
        (d.guest.name, d.domid, d.grants, [x.base for x in d.devices]) for d in linux.domains
    ]
    cluster = bm.domain("cluster")
    assert cluster.grants and not bm.domain("ivi").grants
    tree = guest_tree(system, cluster)
    assert 'compatible = "xen,grant-dma";' in tree and f"<&{GRANT_DMA_LABEL} 0x0>" in tree
    host_text = host(system, DOM0_BAREMETAL)
    assert f"dom0_mem={DOM0_BAREMETAL.memory_mib}M" in host_text


def test_the_image_is_built_with_the_grant_mapper(image) -> None:
    """The default image serves the demo: its grant DomU is mapped through GNTTABOP, so the
    port's map and unmap operations are linked in (not garbage-collected as unused)."""
    with image.elf.open("rb") as f:
        sym = _symbols(ELFFile(f))
    assert {"xd_gnt_map", "xd_gnt_unmap", "xd_gnt_ops"} <= set(sym), sorted(sym)[:20]
