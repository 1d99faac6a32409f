"""The two Dom0s side by side, in one run: Xen under QEMU with the demo's two Linux DomUs,
served once by vbe-xen in a Linux Dom0 and once by the bare-metal image as Dom0
(boards/xen_dom0_baremetal), the same DomU kernels, the same measurements.

    python tests/bench/bench_xen_dom0.py                 # table
    python tests/bench/bench_xen_dom0.py --json
    python tests/bench/bench_xen_dom0.py -n 500 --dom0 baremetal
    pytest tests/bench/test_bench_xen_dom0.py -m bench -s

Per Dom0:

- boot: seconds from QEMU's start until Dom0 said it serves every DomU (the harness sees
  the command loop's ready line), and until each DomU's drivers bound its devices;
- the trapped-access round trip: ``vbe-guest mmio-bench``, N 32-bit reads of ivi's
  virtio-i2c MagicValue register through /dev/mem (DomU -> Xen -> Dom0's IOREQ server ->
  back), timed inside the DomU;
- an I2C transfer (``i2c-bench``: I2C_RDWR, a 1-byte register write and a 1-byte read, to
  the EEPROM) and an SCMI round trip (``scmi-bench``: BASE PROTOCOL_VERSION through the
  kernel's SCMI raw interface), timed inside ivi, with the trapped accesses and interrupts
  each one cost (Dom0's counters before and after);
- Dom0's memory: what Xen gave it (dom0_mem) and what it uses (Linux: MemTotal minus
  MemAvailable; bare-metal: its image, .bss and stack), the size of what Xen boots as Dom0,
  and QEMU's resident memory.

Medians of ``--runs`` runs after a warm-up of 50. Host-dependent: QEMU TCG, one vCPU, on a
2-core machine shared with other jobs; compare the two columns, not across runs.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
for p in (REPO, REPO / "tools"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from sysdesc.gen_xen import DOM0S
from sysdesc.limits import CORE, read_defines

from pyhost.linux.guest_tool import BenchResult, i2c_bench, mmio_bench, scmi_bench
from pyhost.linux.guest_view import virtio_i2c_bus
from pyhost.xen.artefacts import XenImages, cached_images
from pyhost.xen.system import XenSystem

OUT = REPO / "build" / "bench" / "xen_dom0.json"
GUEST = "ivi"
WARMUP = 50
SERVING_MARK = "Dom0 at init, vbe-xen serving"
MAGIC_OFF = read_defines(CORE / "mmio" / "include" / "vbe" / "mmio.h")["VBE_MMIO_MAGIC_VALUE"]
#: (figure, what it runs, I2C address)
FIGURES = (
    ("trapped read (MagicValue)", "mmio", 0),
    ("i2c 0x50 (EEPROM)", "i2c", 0x50),
    ("scmi BASE_PROTOCOL_VERSION", "scmi", 0),
)
_IMAGE_LINE = re.compile(r"^vbe: Dom0 image (0x[0-9a-f]+)\.\.(0x[0-9a-f]+)")


@dataclass
class Figure:
    name: str
    us_per_op: list[float] = field(default_factory=list)
    traps_per_op: float = 0.0  # trapped accesses Dom0 answered per operation
    irqs_per_op: float = 0.0  # interrupts it raised per operation

    @property
    def median_us(self) -> float:
        return statistics.median(self.us_per_op)


@dataclass
class Dom0Result:
    dom0: str
    serving_s: float  # QEMU start -> Dom0 serving every DomU (its ready line seen)
    bound_s: dict[str, float]  # QEMU start -> each DomU's devices bound
    figures: list[Figure]
    dom0_mem_mib: int  # what Xen gave Dom0
    dom0_used_kib: int  # what Dom0 uses of it
    boot_bytes: int  # what Xen boots as Dom0 (kernel + ramdisk, or the Image)
    qemu_rss_kib: int


def _served(xs: XenSystem, domid: int) -> tuple[int, int]:
    d = xs.stats()[domid]
    return d["ioreq"]["served"], sum(dev["raised"] for dev in d["devs"])


def _once(xs: XenSystem, kind: str, addr: int, n: int) -> BenchResult:
    g = xs.domu(GUEST)
    if kind == "mmio":
        i2c = next(x for x in xs.layout.domain(GUEST).devices if x.kind == "i2c")
        return mmio_bench(g, i2c.base + MAGIC_OFF, n)
    if kind == "i2c":
        return i2c_bench(g, virtio_i2c_bus(g), addr, n)
    return scmi_bench(g, n)


def _dom0_used_kib(xs: XenSystem) -> int:
    if xs.dom0_kind.kind == "baremetal":
        for source, line in xs.demux.log:
            m = _IMAGE_LINE.match(line) if source == 0 else None
            if m:
                return (int(m[2], 16) - int(m[1], 16)) >> 10
        return 0
    info = {}
    for line in xs.dom0.check("cat /proc/meminfo").splitlines():
        key, _, rest = line.partition(":")
        if rest.strip():
            info[key] = int(rest.split()[0])
    return info["MemTotal"] - info["MemAvailable"]


def _boot_bytes(xs: XenSystem) -> int:
    size = xs.dom0_image().stat().st_size
    if xs.layout.dom0_ramdisk is not None:
        size += xs.images.dom0_initramfs.stat().st_size
    return size


def _qemu_rss_kib(xs: XenSystem) -> int:
    status = Path(f"/proc/{xs._proc().pid}/status").read_text()
    m = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(m[1]) if m else 0


def run_dom0(dom0: str, images: XenImages, n: int, runs: int) -> Dom0Result:
    with XenSystem(images, dom0=dom0) as xs:
        xs.go()
        domid = xs.layout.domain(GUEST).domid
        figures = []
        for name, kind, addr in FIGURES:
            _once(xs, kind, addr, WARMUP)
            f = Figure(name)
            traps0, irqs0 = _served(xs, domid)
            for _ in range(runs):
                f.us_per_op.append(_once(xs, kind, addr, n).us_per_op)
            traps1, irqs1 = _served(xs, domid)
            f.traps_per_op = (traps1 - traps0) / (n * runs)
            f.irqs_per_op = (irqs1 - irqs0) / (n * runs)
            figures.append(f)
        bound = {
            name: xs.marks[m]
            for name in xs.domus
            for m in xs.marks
            if m.startswith(f"DomU {name}:") and m.endswith("bound")
        }
        return Dom0Result(
            dom0=dom0,
            serving_s=xs.marks[SERVING_MARK],
            bound_s=bound,
            figures=figures,
            dom0_mem_mib=xs.dom0_kind.memory_mib,
            dom0_used_kib=_dom0_used_kib(xs),
            boot_bytes=_boot_bytes(xs),
            qemu_rss_kib=_qemu_rss_kib(xs),
        )


def run(
    n: int = 2000, runs: int = 3, dom0s: tuple[str, ...] = tuple(DOM0S),
    images: XenImages | None = None,
) -> list[Dom0Result]:  # fmt: skip
    images = images or cached_images()
    if images is None:
        raise SystemExit("the Xen artefacts are not built: run `vbe xen build` first")
    return [run_dom0(d, images, n, runs) for d in dom0s]


def table(results: list[Dom0Result]) -> str:
    w = 16
    head = f"{'':34}" + "".join(f"{r.dom0 + ' Dom0':>{w}}" for r in results)
    lines = [head, "-" * len(head)]

    def row(label: str, cells: list[str]) -> None:
        lines.append(f"{label:34}" + "".join(f"{c:>{w}}" for c in cells))

    row("QEMU start -> Dom0 serving", [f"{r.serving_s:.2f} s" for r in results])
    for name in results[0].bound_s:
        row(f"QEMU start -> {name} devices bound", [f"{r.bound_s[name]:.2f} s" for r in results])
    for i, (name, _, _) in enumerate(FIGURES):
        row(name, [f"{r.figures[i].median_us:.0f} us" for r in results])
        row("  traps, interrupts per op", [
            f"{r.figures[i].traps_per_op:.1f}, {r.figures[i].irqs_per_op:.1f}" for r in results
        ])  # fmt: skip
    row("Dom0 memory given (dom0_mem)", [f"{r.dom0_mem_mib} MiB" for r in results])
    row("Dom0 memory in use", [f"{r.dom0_used_kib:,} KiB" for r in results])
    row("what Xen boots as Dom0", [f"{r.boot_bytes >> 10:,} KiB" for r in results])
    row("QEMU resident memory", [f"{r.qemu_rss_kib >> 10} MiB" for r in results])
    return "\n".join(lines)


def to_json(results: list[Dom0Result]) -> dict[str, Any]:
    return {
        r.dom0: asdict(r) | {"figures": [asdict(f) | {"median_us": f.median_us} for f in r.figures]}
        for r in results
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=2000, help="operations per run (default 2000)")
    ap.add_argument("--runs", type=int, default=3, help="runs per figure (default 3)")
    ap.add_argument("--dom0", default=",".join(DOM0S), help="comma-separated: linux,baremetal")
    ap.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = ap.parse_args()
    dom0s = tuple(d for d in args.dom0.split(",") if d)
    unknown = [d for d in dom0s if d not in DOM0S]
    if unknown:
        ap.error(f"unknown Dom0 {', '.join(unknown)}: use {', '.join(DOM0S)}")
    results = run(args.n, args.runs, dom0s)
    print(json.dumps(to_json(results), indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
