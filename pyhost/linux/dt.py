"""The guest's devicetree: QEMU's own for ``-M virt``, plus vbe's fragments.

QEMU writes the virtio-mmio transport nodes itself (all 32 of them, whether a device sits
behind one or not), but not ``/firmware/scmi``: the arm_scmi virtio transport needs that
node, so the guest boots with ``-dtb`` of QEMU's tree with the fragment merged in:

1. ``dump_dtb``: ``-machine dumpdtb=<file>`` with the guest's machine, CPU and memory (QEMU
   exits after writing it); checked for the FDT magic;
2. ``patch_dtb``: decompiled with dtc, labels added to existing nodes (the fragment of
   sysdesc.gen_linux_dt refers to ``&vbe_virtio_i2c``), the fragments appended,
   compiled back; every label's node must exist in QEMU's tree;
3. ``check_node``: fdtget reads a property back from the result.

Transports: the first ``-device vhost-user-*-device`` (or any virtio-*-device) on the
command line takes the virtio-mmio transport with the HIGHEST address, the second the next
lower one (QEMU's virt fills its mmio buses in reverse address order):
:func:`mmio_transport` names it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from sysdesc.gen_linux_dt import I2C_TRANSPORT_LABEL

from pyhost.linux.cache import LinuxError, require_tools, run
from pyhost.machine.qemu_image import qemu_binary

MMIO_BASE = 0x0A000000  # QEMU virt: the first virtio-mmio transport
MMIO_STRIDE = 0x200
MMIO_COUNT = 32
FDT_MAGIC = b"\xd0\x0d\xfe\xed"
DTC_TOOLS = {"dtc": "device-tree-compiler", "fdtget": "device-tree-compiler"}


def mmio_transport(index: int) -> str:
    """Node path of the transport the ``index``-th (0-based) virtio-mmio device gets."""
    if not 0 <= index < MMIO_COUNT:
        raise ValueError(f"QEMU virt has {MMIO_COUNT} virtio-mmio transports, not {index + 1}")
    return f"/virtio_mmio@{MMIO_BASE + (MMIO_COUNT - 1 - index) * MMIO_STRIDE:x}"


def dump_dtb(out: Path, machine_args: list[str], *, timeout: float = 30.0) -> Path:
    """QEMU's devicetree for ``machine_args`` (everything but -machine) written to ``out``.
    ``machine_args`` must give the same -cpu/-m/-smp as the boot, or the tree will not
    match the machine."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    cmd = [qemu_binary(), "-machine", f"virt,dumpdtb={out}", *machine_args]
    cmd += ["-nographic", "-nic", "none", "-monitor", "none", "-serial", "null"]
    run(cmd, what="QEMU dumpdtb", timeout=timeout, log=out.with_suffix(".log"))
    if not out.is_file() or out.read_bytes()[:4] != FDT_MAGIC:
        raise LinuxError(f"QEMU dumpdtb wrote no devicetree blob to {out}")
    return out


def _tool(cmd: list[str], what: str, stdin: str | None = None) -> str:
    require_tools(DTC_TOOLS)
    try:
        p = subprocess.run(
            cmd, input=stdin, capture_output=True, text=True, timeout=60, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise LinuxError(f"{what}: {cmd[0]} did not finish in 60 s") from exc
    if p.returncode != 0:
        raise LinuxError(f"{what}: {' '.join(cmd)} failed: {p.stderr.strip()[-1500:]}")
    return p.stdout


def decompile(dtb: Path) -> str:
    return _tool(["dtc", "-q", "-I", "dtb", "-O", "dts", str(dtb)], f"decompiling {dtb}")


def node_exists(dtb: Path, path: str) -> bool:
    require_tools(DTC_TOOLS)
    p = subprocess.run(
        ["fdtget", "-l", str(dtb), path], capture_output=True, timeout=30, check=False
    )
    return p.returncode == 0


def check_node(dtb: Path, path: str, prop: str, want: str) -> None:
    """LinuxError unless ``path``'s string property ``prop`` in ``dtb`` is ``want``."""
    got = _tool(["fdtget", "-t", "s", str(dtb), path, prop], f"reading {path} {prop}").strip()
    if got != want:
        raise LinuxError(f"{dtb}: {path} {prop} is {got!r}, not {want!r}")


def patch_dtb(
    base: Path, out: Path, fragments: list[str], labels: dict[str, str] | None = None
) -> Path:
    """``base`` with ``labels`` (label -> existing node path, top-level nodes only) and
    ``fragments`` (dts text: root-node additions and ``&label`` amendments) merged in,
    compiled to ``out``; the merged source is kept next to it (``.dts``)."""
    labels = labels or {}
    for label, path in labels.items():
        if path.count("/") != 1 or not node_exists(base, path):
            raise LinuxError(f"{base}: no top-level node {path} to label {label}")
    text = decompile(base)
    if labels:
        text += "\n/ {\n"
        text += "".join(f"\t{label}: {path[1:]} {{\n\t}};\n" for label, path in labels.items())
        text += "};\n"
    text += "".join(f"\n{f}\n" for f in fragments)
    src = out.with_suffix(".dts")
    src.write_text(text)
    _tool(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(out), str(src)], f"compiling {src}")
    return out


def guest_dtb(
    out: Path, machine_args: list[str], fragment: str, *, i2c_device_index: int | None = None
) -> Path:
    """Dump, patch with one sysdesc.gen_linux_dt fragment, check. ``i2c_device_index``
    is the position of the guest's virtio-i2c device among the virtio-mmio devices on the
    command line (it selects the node ``&vbe_virtio_i2c`` refers to); None when the guest
    has no I2C device or it is on PCI (then drop the fragment's ``&vbe_virtio_i2c`` part)."""
    base = dump_dtb(out.with_name(out.stem + "-qemu.dtb"), machine_args)
    labels = (
        {} if i2c_device_index is None else {I2C_TRANSPORT_LABEL: mmio_transport(i2c_device_index)}
    )
    patch_dtb(base, out, [fragment], labels)
    if "arm,scmi-virtio" in fragment:
        check_node(out, "/firmware/scmi", "compatible", "arm,scmi-virtio")
    if i2c_device_index is not None:
        check_node(out, f"{mmio_transport(i2c_device_index)}/i2c", "compatible", "virtio,device22")
    return out
