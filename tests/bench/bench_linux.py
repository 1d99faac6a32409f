"""I2C transactions and SCMI round trips per second seen from inside a Linux guest, with
its devices served directly (the daemon runs the C core on the guest's rings) or bridged
(the daemon copies each request into the guest's fat window of the bare-metal backend in a
second QEMU machine and the answer back).

    python tests/bench/bench_linux.py                  # table
    python tests/bench/bench_linux.py --json
    python tests/bench/bench_linux.py -n 500 --runs 1 --modes direct
    pytest tests/bench/test_bench_linux.py -m bench -s

Each figure is timed inside the guest by pyhost/linux/guest-tools/vbe-guest.c with
CLOCK_MONOTONIC: ``i2c-bench`` (N x I2C_RDWR, a 1-byte register write + 1-byte read, to the
EEPROM and to the LM75) and ``scmi-bench`` (N x BASE PROTOCOL_VERSION through the kernel's
SCMI raw interface, reply checked). Median of ``--runs`` runs after a warm-up of 50.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
for p in (REPO, REPO / "tools"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from vbe.serve.served import served_backend

from pyhost.linux.fixtures import LinuxImages
from pyhost.linux.guest_tool import BenchResult, i2c_bench, scmi_bench
from pyhost.linux.vhost_guest import make_guest

OUT = REPO / "build" / "bench" / "linux.json"
GUEST = "ivi"
WARMUP = 50
#: (figure, what it runs)
FIGURES = (
    ("i2c 0x50 (EEPROM)", "i2c", 0x50),
    ("i2c 0x48 (LM75)", "i2c", 0x48),
    ("scmi BASE_PROTOCOL_VERSION", "scmi", 0),
)


@dataclass
class Figure:
    name: str
    per_second: list[float] = field(default_factory=list)
    us_per_op: list[float] = field(default_factory=list)

    @property
    def median_per_second(self) -> float:
        return statistics.median(self.per_second)

    @property
    def median_us(self) -> float:
        return statistics.median(self.us_per_op)


@dataclass
class ModeResult:
    mode: str
    boot_s: float
    figures: list[Figure]


MODES = ("direct", "bridge")


def _once(g: Any, kind: str, addr: int, n: int) -> BenchResult:
    if kind == "i2c":
        return i2c_bench(g, 0, addr, n)
    return scmi_bench(g, n)


def run_mode(mode: str, images: LinuxImages | None, n: int, runs: int) -> ModeResult:
    with ExitStack() as stack:
        run_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="vbe-bench-")))
        be = stack.enter_context(served_backend(mode, run_dir))
        g = stack.enter_context(make_guest(be, GUEST, images, run_dir))
        figures = []
        for name, kind, addr in FIGURES:
            _once(g, kind, addr, WARMUP)
            f = Figure(name)
            for _ in range(runs):
                r = _once(g, kind, addr, n)
                f.per_second.append(r.per_second)
                f.us_per_op.append(r.us_per_op)
            figures.append(f)
        return ModeResult(mode, g.boot_seconds, figures)


def run(n: int = 2000, runs: int = 3, modes: tuple[str, ...] = ("direct", "bridge"),
        images: LinuxImages | None = None) -> list[ModeResult]:  # fmt: skip
    return [run_mode(m, images, n, runs) for m in modes]


def table(results: list[ModeResult]) -> str:
    head = f"{'figure':30} " + " ".join(f"{r.mode + ' /s':>12} {'us':>7}" for r in results)
    lines = [head, "-" * len(head)]
    for i, (name, _, _) in enumerate(FIGURES):
        cells = " ".join(
            f"{r.figures[i].median_per_second:12,.0f} {r.figures[i].median_us:7.1f}"
            for r in results
        )
        lines.append(f"{name:30} {cells}")
    if len(results) == 2:
        a, b = results
        lines.append("")
        for i, (name, _, _) in enumerate(FIGURES):
            ratio = b.figures[i].median_us / a.figures[i].median_us
            lines.append(f"{name}: {b.mode} takes {ratio:.2f}x the time of {a.mode}")
    lines.append("")
    lines.append("guest boot to init: " + ", ".join(f"{r.mode} {r.boot_s:.2f} s" for r in results))
    return "\n".join(lines)


def to_json(results: list[ModeResult]) -> dict[str, Any]:
    return {
        r.mode: {
            "boot_s": r.boot_s,
            "figures": [
                asdict(f) | {"median_per_second": f.median_per_second, "median_us": f.median_us}
                for f in r.figures
            ],
        }
        for r in results
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=2000, help="operations per run (default 2000)")
    ap.add_argument("--runs", type=int, default=3, help="runs per figure (default 3)")
    ap.add_argument("--modes", default="direct,bridge", help="comma-separated: direct,bridge")
    ap.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = ap.parse_args()
    modes = tuple(m for m in args.modes.split(",") if m)
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        ap.error(f"unknown mode(s) {', '.join(unknown)}: use {', '.join(MODES)}")
    results = run(args.n, args.runs, modes)
    print(json.dumps(to_json(results), indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
