"""Xen artefacts: the system as Xen dom0less domains, each guest a DomU whose virtio-scmi
and virtio-i2c devices are virtio-mmio windows that a Dom0 IOREQ server (vbe-xen,
boards/xen_dom0_linux) serves.

Three kinds of file, all from :func:`layout` (the one place that decides domids, windows,
interrupts and where each boot module lies):

``xen-host.dtsi``
    What the host devicetree's ``/chosen`` gets (append it to the machine's tree): Xen's
    command line, the Dom0 kernel and ramdisk modules, and one ``domUN`` node per guest in
    guest order, so guest i is domain i + 1 (Xen 4.17 numbers dom0less domains in the
    order of the /chosen nodes). Each module sits in a fixed slot; ``reg`` gives the slot,
    the loader writes the file at its start (the rest of the slot reads as zeros).
``xen-<guest>.dts``
    The DomU's partial devicetree (the ``multiboot,device-tree`` module). Xen 4.17 copies
    only the ``/passthrough`` and ``/aliases`` subtrees of it into the domain's tree
    (domain_build.c, domain_handle_dtb_bootmodule), so everything goes under
    ``/passthrough`` (a simple-bus Linux populates): a virtio-mmio node per device, the
    virtio-i2c adapter inside its device's node, and the ``arm,scmi-virtio`` node with its
    protocol children (Linux binds it by compatible, wherever it sits). A guest with
    ``xen: {grants: true}`` also gets a ``xen,grant-dma`` node there and an ``iommus`` link
    to it (naming Dom0) in each virtio node: Linux's grant DMA ops then hand its devices
    grant references, never guest addresses; its ``domUN`` node says ``xen,enhanced =
    "no-xenstore"``, which gives it the grant table (Xen's /hypervisor node) without xenstore.
``vbe_xen_cfg.c``
    The same numbers for vbe-xen: per domain its domid, vCPUs, RAM and devices (kind,
    window, SPI) and whether it uses grants, struct vbe_xen_cfg of
    zephyr-app/lib/ioreq/include/vbe/xen_cfg.h, whose ``sys`` is the system's C tables
    (``vbe_sys_description``, :mod:`sysdesc.gen_c`). vbe-xen's build generates both from the
    description (``python -m sysdesc.buildstep xen``).

Numbers from Xen's public headers (xen/include/public/arch-arm.h and device_tree_defs.h,
4.17): virtio-mmio windows from GUEST_VIRTIO_MMIO_BASE, one VBE_MMIO_WINDOW_SIZE each,
SPIs from GUEST_VIRTIO_MMIO_SPI_FIRST, the GIC's phandle GUEST_PHANDLE_GIC, the grant
"IOMMU"'s GUEST_PHANDLE_IOMMU (libxl's), guest RAM at GUEST_RAM0_BASE.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sysdesc import gen_c
from sysdesc.c_text import c_comment, c_string, comment
from sysdesc.dt_text import Node, cells, dec, header, string
from sysdesc.gen_linux_dt import i2c_adapter, scmi_node
from sysdesc.limits import CORE, read_defines
from sysdesc.model import Guest, System

HOST_FILE = "xen-host.dtsi"
GUEST_PATTERN = "xen-{guest}.dts"
TABLE_FILE = "vbe_xen_cfg.c"
TABLE_SYMBOL = "vbe_xen_generated_cfg"

# Xen 4.17 public interface
GUEST_VIRTIO_MMIO_BASE = 0x02000000
GUEST_VIRTIO_MMIO_SIZE = 0x00100000
GUEST_VIRTIO_MMIO_SPI_FIRST = 33
GUEST_VIRTIO_MMIO_SPI_LAST = 43
GUEST_PHANDLE_GIC = 65000
GUEST_PHANDLE_IOMMU = GUEST_PHANDLE_GIC + 1
GUEST_RAM0_BASE = 0x40000000
GIC_SPI = 0  # interrupts cell 0: an SPI
IRQ_TYPE_LEVEL_HIGH = 4

VIRTIO_ID = {"scmi": 32, "i2c": 34}

#: the domain that serves every device (vbe-xen in Dom0): the cell of a virtio node's
#: ``iommus`` link, the domain the guest grants its buffers to
BACKEND_DOMID = 0
#: a grant DomU's dom0less mode (Xen 4.17 domain_build.c, construct_domU): the /hypervisor
#: node (grant table frames, event channel interrupt) without xenstore
DOMU_ENHANCED = "no-xenstore"
GRANT_DMA_LABEL = "xen_grant_dma"

#: what each domain gets (QEMU virt, 2 GiB: 768 MiB Dom0, 128 MiB per DomU)
DOM0_MEMORY_MIB = 768
DOMU_MEMORY_MIB = 128
DOMU_VCPUS = 1
DOM0_BOOTARGS = "console=hvc0 earlycon=xenboot rdinit=/init panic=-1"
#: ``vbe.virtio=late``: the DomU's init leaves virtio_mmio unloaded until the host says so
#: (pyhost.linux.initramfs.LATE_VIRTIO), after Dom0 serves the domain: a DomU touching its
#: window before the IOREQ server is registered takes a data abort (docs/xen.md)
DOMU_BOOTARGS = "console=ttyAMA0 rdinit=/init panic=-1 vbe.virtio=late"

#: boot module slots in the machine's RAM (QEMU virt: RAM at 0x40000000; QEMU puts its
#: devicetree at 0x48000000 and Xen at 0x40200000, so the modules start at 0x50000000)
MODULES_BASE = 0x50000000
DOM0_KERNEL_SLOT = 64 << 20
DOM0_RAMDISK_SLOT = 64 << 20
DOMU_SLOT = 32 << 20  # per DomU: kernel, ramdisk, partial devicetree
DOMU_KERNEL_SLOT = 16 << 20
DOMU_RAMDISK_SLOT = 15 << 20
DOMU_DTB_SLOT = 1 << 20


@dataclass(frozen=True)
class Dom0:
    """What Xen boots as Dom0: its memory, its command line, its boot module slots. The
    DomUs' slots do not move with it."""

    kind: str
    memory_mib: int
    bootargs: str | None
    kernel_slot: int
    ramdisk_slot: int  # 0: no ramdisk module

    @property
    def xen_bootargs(self) -> str:
        return (
            f"console=dtuart dtuart=serial0 dom0_mem={self.memory_mib}M dom0_max_vcpus=1 "
            "bootscrub=0"
        )


#: Linux (Debian's arm64 kernel) with vbe-xen in its initramfs (boards/xen_dom0_linux)
DOM0_LINUX = Dom0("linux", DOM0_MEMORY_MIB, DOM0_BOOTARGS, DOM0_KERNEL_SLOT, DOM0_RAMDISK_SLOT)
#: the bare-metal image (boards/xen_dom0_baremetal): Xen copies the whole slot, so a small
#: one; its image, .bss and stack take about 0.2 MiB, and Xen puts Dom0's devicetree in the
#: same 16 MiB bank. No command line, no ramdisk.
DOM0_BAREMETAL = Dom0("baremetal", 16, None, 2 << 20, 0)
DOM0S = {d.kind: d for d in (DOM0_LINUX, DOM0_BAREMETAL)}
XEN_BOOTARGS = DOM0_LINUX.xen_bootargs


@functools.cache
def window_size() -> int:
    return read_defines(CORE / "mmio" / "include" / "vbe" / "mmio.h")["VBE_MMIO_WINDOW_SIZE"]


@functools.cache
def max_devices() -> int:
    return read_defines(CORE / "ioreq" / "include" / "vbe" / "ioreq.h")["VBE_IOREQ_MAX_DEVICES"]


class XenLayoutError(ValueError):
    """The system does not fit what Xen or vbe-xen can give a domain."""


@dataclass(frozen=True)
class XenDevice:
    key: str  # the description key that gives the device
    kind: str  # "scmi" or "i2c"
    index: int  # k: the domain's k-th device
    base: int  # guest physical address of its register window
    spi: int

    @property
    def device_id(self) -> int:
        return VIRTIO_ID[self.kind]

    @property
    def node_name(self) -> str:
        return f"virtio@{self.base:x}"


@dataclass(frozen=True)
class Module:
    """One boot module: where the loader writes the file and the slot ``reg`` gives."""

    what: str
    addr: int
    size: int


@dataclass(frozen=True)
class XenDomain:
    guest: Guest
    domid: int
    vcpus: int
    memory: int  # bytes
    devices: tuple[XenDevice, ...]
    kernel: Module
    ramdisk: Module
    dtb: Module

    @property
    def ram_base(self) -> int:
        return GUEST_RAM0_BASE

    @property
    def grants(self) -> bool:
        return self.guest.xen_grants


@dataclass(frozen=True)
class XenLayout:
    dom0_kernel: Module
    dom0_ramdisk: Module | None
    domains: tuple[XenDomain, ...]
    dom0: Dom0 = DOM0_LINUX

    def domain(self, guest: str) -> XenDomain:
        found = next((d for d in self.domains if d.guest.name == guest), None)
        if found is None:
            raise KeyError(f"no guest {guest!r}; guests: {[d.guest.name for d in self.domains]}")
        return found

    def modules(self) -> list[Module]:
        out = [self.dom0_kernel] + ([self.dom0_ramdisk] if self.dom0_ramdisk else [])
        for d in self.domains:
            out += [d.kernel, d.ramdisk, d.dtb]
        return out


def _devices(guest: Guest) -> tuple[XenDevice, ...]:
    kinds = []
    if guest.scmi is not None:
        kinds.append(("scmi", guest.scmi.key))
    if guest.i2c is not None:
        kinds.append(("i2c", guest.i2c.key))
    slots = GUEST_VIRTIO_MMIO_SPI_LAST - GUEST_VIRTIO_MMIO_SPI_FIRST + 1
    if len(kinds) > min(slots, max_devices(), GUEST_VIRTIO_MMIO_SIZE // window_size()):
        raise XenLayoutError(f"{guest.key}: {len(kinds)} devices, more than a domain can have")
    return tuple(
        XenDevice(key, kind, k, GUEST_VIRTIO_MMIO_BASE + k * window_size(),
                  GUEST_VIRTIO_MMIO_SPI_FIRST + k)
        for k, (kind, key) in enumerate(kinds)
    )  # fmt: skip


def layout(system: System, dom0: Dom0 = DOM0_LINUX) -> XenLayout:
    """Domains, devices and boot module slots of ``system`` on Xen, with ``dom0`` as Dom0."""
    base = MODULES_BASE
    dom0_kernel = Module("Dom0 kernel", base, dom0.kernel_slot)
    dom0_ramdisk = (
        Module("Dom0 ramdisk", base + DOM0_KERNEL_SLOT, dom0.ramdisk_slot)
        if dom0.ramdisk_slot
        else None
    )
    base += DOM0_KERNEL_SLOT + DOM0_RAMDISK_SLOT
    domains = []
    for g in system.guests:
        at = base + g.index * DOMU_SLOT
        domains.append(
            XenDomain(
                guest=g,
                domid=g.index + 1,
                vcpus=DOMU_VCPUS,
                memory=DOMU_MEMORY_MIB << 20,
                devices=_devices(g),
                kernel=Module(f"{g.name} kernel", at, DOMU_KERNEL_SLOT),
                ramdisk=Module(f"{g.name} ramdisk", at + DOMU_KERNEL_SLOT, DOMU_RAMDISK_SLOT),
                dtb=Module(
                    f"{g.name} devicetree", at + DOMU_KERNEL_SLOT + DOMU_RAMDISK_SLOT, DOMU_DTB_SLOT
                ),
            )
        )
    return XenLayout(dom0_kernel, dom0_ramdisk, tuple(domains), dom0)


def guest_file(guest: Guest) -> str:
    return GUEST_PATTERN.format(guest=guest.name)


# ---- host /chosen ------------------------------------------------------------------------


def _reg(m: Module) -> str:
    return cells(m.addr >> 32, m.addr & 0xFFFFFFFF, m.size >> 32, m.size & 0xFFFFFFFF)


def _module(m: Module, compatible: str, bootargs: str | None = None) -> Node:
    node = Node(f"module@{m.addr:x}", comment=f"{m.what}: a {m.size >> 20} MiB slot")
    node.prop("compatible", f'{string(compatible)}, "multiboot,module"')
    node.prop("reg", _reg(m))
    if bootargs is not None:
        node.prop("bootargs", string(bootargs))
    return node


def host(system: System, dom0: Dom0 = DOM0_LINUX) -> str:
    lay = layout(system, dom0)
    chosen = Node("chosen")
    chosen.prop("#address-cells", dec(2)).prop("#size-cells", dec(2))
    chosen.prop("xen,xen-bootargs", string(dom0.xen_bootargs))
    chosen.child(_module(lay.dom0_kernel, "multiboot,kernel", dom0.bootargs))
    if lay.dom0_ramdisk is not None:
        chosen.child(_module(lay.dom0_ramdisk, "multiboot,ramdisk"))
    for d in lay.domains:
        dev = ", ".join(f"{x.kind} at {x.base:#x} SPI {x.spi}" for x in d.devices) or "none"
        node = Node(
            f"domU{d.domid}", comment=f"{d.guest.key}: {d.guest.name}, domid {d.domid}; {dev}"
        )
        node.prop("compatible", string("xen,domain"))
        node.prop("#address-cells", dec(2)).prop("#size-cells", dec(2))
        node.prop("memory", cells(0, d.memory >> 10), "KiB")
        node.prop("cpus", dec(d.vcpus))
        node.prop("vpl011", None, "its console: a PL011 Xen emulates, output on Xen's serial")
        if d.grants:
            node.prop(
                "xen,enhanced",
                string(DOMU_ENHANCED),
                f"{d.guest.key}.xen.grants: a grant table (the /hypervisor node), no xenstore",
            )
        node.child(_module(d.kernel, "multiboot,kernel", DOMU_BOOTARGS))
        node.child(_module(d.ramdisk, "multiboot,ramdisk"))
        node.child(_module(d.dtb, "multiboot,device-tree"))
        chosen.child(node)
    top = Node("/")
    top.child(chosen)
    head = header(
        system.source,
        f'Xen host devicetree additions for system "{system.name}": Dom0 and one dom0less '
        "DomU per guest.",
        [
            (
                "Append it to the machine's devicetree (QEMU virt's, from dumpdtb). Each module "
                "reg is a fixed slot: write the file at its start, the rest reads as zeros. "
                "Guest i is domid i + 1 (Xen numbers dom0less domains in /chosen order)."
            ),
        ],
    )
    return head + "\n" + "\n".join(top.lines()) + "\n"


# ---- DomU partial trees ------------------------------------------------------------------


def _virtio(dev: XenDevice, grants: bool) -> Node:
    node = Node(
        dev.node_name,
        comment=f"{dev.key}: virtio-{dev.kind} (device id {dev.device_id}), SPI {dev.spi}",
    )
    node.prop("compatible", string("virtio,mmio"))
    node.prop("reg", cells(0, dev.base, 0, window_size()))
    node.prop("interrupt-parent", cells(GUEST_PHANDLE_GIC), "GUEST_PHANDLE_GIC")
    node.prop("interrupts", cells(GIC_SPI, dev.spi - 32, IRQ_TYPE_LEVEL_HIGH))
    node.prop("dma-coherent")
    if grants:
        node.prop(
            "iommus",
            f"<&{GRANT_DMA_LABEL} {BACKEND_DOMID:#x}>",
            "the grant table (GUEST_PHANDLE_IOMMU), the backend's domid: grants to Dom0",
        )
    return node


def _grant_dma() -> Node:
    """Linux's xen,grant-dma binding (Documentation/devicetree/bindings/iommu/): the node the
    virtio nodes' ``iommus`` name; a stub IOMMU driver binds it."""
    node = Node(
        "xen-grant-dma",
        label=GRANT_DMA_LABEL,
        comment="the Xen grant table as the virtio devices' IOMMU",
    )
    node.prop("compatible", string("xen,grant-dma"))
    node.prop("#iommu-cells", dec(1), "the cell: the domid the guest grants to")
    node.prop("phandle", cells(GUEST_PHANDLE_IOMMU), "GUEST_PHANDLE_IOMMU")
    return node


def guest_tree(system: System, d: XenDomain) -> str:
    g = d.guest
    passthrough = Node("passthrough", comment="Xen copies this subtree into the DomU's tree")
    passthrough.prop("compatible", string("simple-bus")).prop("ranges")
    passthrough.prop("#address-cells", dec(2)).prop("#size-cells", dec(2))
    if d.grants and d.devices:
        passthrough.child(_grant_dma())
    for dev in d.devices:
        node = passthrough.child(_virtio(dev, d.grants))
        if dev.kind == "i2c":
            node.child(i2c_adapter(g))
    if g.scmi is not None:
        passthrough.child(scmi_node(system, g.scmi))
    gic = Node(
        "gic",
        comment="Xen takes only this node's phandle (the DomU's GIC): it lets dtc check the "
        "interrupts above",
    )
    gic.prop("interrupt-controller").prop("#interrupt-cells", dec(3))
    gic.prop("#address-cells", dec(0))
    gic.prop("phandle", cells(GUEST_PHANDLE_GIC), "GUEST_PHANDLE_GIC")
    top = Node("/")
    top.prop("#address-cells", dec(2)).prop("#size-cells", dec(2))
    top.child(gic)
    top.child(passthrough)
    head = header(
        system.source,
        f'Xen partial devicetree of guest {g.index} "{g.name}" (domid {d.domid}) of system '
        f'"{system.name}".',
        [
            (
                "Compile it with dtc (-W no-simple_bus_reg: the SCMI node has no address) and "
                "give it as the domain's multiboot,device-tree module. Only /passthrough is "
                "copied by Xen: the virtio-mmio windows vbe-xen serves, the virtio-i2c adapter "
                "inside its device's node, the SCMI node and its protocols."
                + (
                    " Grants: the devices reach only the pages the guest grants to Dom0 "
                    "(xen,grant-dma and iommus)."
                    if d.grants
                    else ""
                )
            )
        ],
    )
    return head + "\n/dts-v1/;\n\n" + "\n".join(top.lines()) + "\n"


# ---- the table vbe-xen compiles in -------------------------------------------------------


def grants_note(d: XenDomain) -> str:
    return f" /* {d.guest.key}.xen.grants */" if d.grants else ""


def table(system: System, sys_symbol: str = gen_c.SYMBOL) -> str:
    lay = layout(system)
    out = [
        "/* SPDX-License-Identifier: Apache-2.0 */",
        "/*",
        f" * generated by vbe from {c_comment(system.source)}, do not edit.",
        " *",
        f' * System "{c_comment(system.name)}" on Xen: each guest a dom0less DomU (guest i is',
        " * domid i + 1), its devices virtio-mmio windows served by vbe-xen (struct vbe_xen_cfg,",
        " * vbe/xen_cfg.h).",
        " */",
        "",
        "#include <stddef.h>",
        "#include <stdint.h>",
        "",
        "#include <vbe/sys.h>",
        "#include <vbe/xen_cfg.h>",
        "",
        f"extern const struct vbe_sys_cfg {sys_symbol};",
        "",
    ]
    for d in lay.domains:
        if not d.devices:
            continue
        out.append(f"static const struct vbe_xen_dev vbe_xen_{d.guest.name}_devs[] = {{")
        for dev in d.devices:
            out += comment(1, f"{dev.key}: virtio-{dev.kind}")
            out.append(
                f"\t{{ .kind = VBE_XEN_DEV_{dev.kind.upper()}, .base = {dev.base:#010x}ULL, "
                f".spi = {dev.spi} }},"
            )
        out += ["};", ""]
    out.append("static const struct vbe_xen_domain vbe_xen_domains[] = {")
    for d in lay.domains:
        out += comment(1, f"{d.guest.key}: {d.guest.name}")
        devs = f"vbe_xen_{d.guest.name}_devs" if d.devices else "NULL"
        out += [
            "\t{",
            f"\t\t.guest = {d.guest.index},",
            f"\t\t.name = {c_string(d.guest.name)},",
            f"\t\t.domid = {d.domid},",
            f"\t\t.vcpus = {d.vcpus},",
            f"\t\t.ram_base = {d.ram_base:#010x}ULL,",
            f"\t\t.ram_size = {d.memory:#010x}ULL,",
            f"\t\t.devs = {devs},",
            f"\t\t.dev_count = {len(d.devices)},",
            f"\t\t.grants = {int(d.grants)},{grants_note(d)}",
            "\t},",
        ]
    out += [
        "};",
        "",
        f"const struct vbe_xen_cfg {TABLE_SYMBOL} = {{",
        f"\t.sys = &{sys_symbol},",
        "\t.domains = vbe_xen_domains,",
        f"\t.domain_count = {len(lay.domains)},",
        "};",
    ]
    return "\n".join(out) + "\n"


def generate(system: System) -> dict[str, str]:
    """File name -> text: the host additions, each guest's partial tree, the table."""
    files = {HOST_FILE: host(system), TABLE_FILE: table(system)}
    lay = layout(system)
    for d in lay.domains:
        files[guest_file(d.guest)] = guest_tree(system, d)
    return files
