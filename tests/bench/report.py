"""The benchmark report: every figure in one run, written as JSON and an SVG plot.

    scripts/bench                     # everything: build/bench/report.json, report.svg
    scripts/bench --quick             # fewer requests and boots (a minute or two)
    scripts/bench --no-qemu           # the in-process figures and the footprint only
    scripts/bench --update-readme     # also put the table into README.md
    scripts/bench --xen none          # leave the Xen machine out (default: auto)
    scripts/bench --xen FILE          # merge Xen figures measured elsewhere (JSON)

Figures (each from the bench script that owns it, run here in one process):

- C core instructions per request (callgrind, Ir inside vbe_sys_poll, tests/bench/callgrind.py)
  for SCMI BASE PROTOCOL_VERSION, SCMI CLOCK_RATE_GET and a 1-byte I2C read through the ring
  (guest ivi, in-process, the demo system), split into the request's own work and the idle
  polls: the harness polls until the backend reports no work, so each request costs the poll
  that served it plus one poll that finds nothing; the idle poll (every window of the system
  looked at once with nothing to do) is measured on its own and subtracted, polls x idle.
- requests/s in-process (the Python driver dominates), median of runs;
- QEMU (bare-metal image): a doorbell round trip against the raw doorbell ping measured in
  the same run (image asleep, and back to back), polling against the same Python code
  in-process, boot to ready, idle host CPU (tests/bench/bench_qemu.py);
- arm64 footprint per core component (vbe inspect's DWARF attribution of the linked image),
  against the 24 KiB target for the core's text;
- Xen (tests/bench/bench_xen_dom0.py): both Dom0s side by side, Xen under QEMU with the
  demo's two Linux DomUs: QEMU start to Dom0 serving, the trapped-access round trip, an I2C
  transfer and an SCMI round trip timed inside a DomU with the traps and interrupts each
  costs, Dom0's memory and what Xen boots as Dom0. ``--xen auto`` (the default) measures
  them when the Xen artefacts are built (`vbe xen build`) and says why not otherwise;
  ``--xen FILE`` takes them from a JSON file ({"figures": {name: value}, "note": ...}).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tools"))

import callgrind

OUT = REPO / "build" / "bench"
GUEST = "ivi"
#: request name -> (label, target Ir of the request's own work)
REQUESTS: dict[str, tuple[str, int | None]] = {
    "scmi_version": ("SCMI BASE PROTOCOL_VERSION", 600),
    "scmi_clock_rate_get": ("SCMI CLOCK_RATE_GET", None),
    "i2c_read1": ("I2C 1-byte read (r1@0x48)", 800),
}
CORE_COMPONENTS = ("vq", "dev", "fvq", "i2c", "scmi", "sys")
TEXT_TARGET = 24 * 1024
README_BEGIN = "<!-- bench:begin (scripts/bench --update-readme writes this table) -->"
README_END = "<!-- bench:end -->"


# ---- workers: what callgrind and the timers run ----------------------------------------------


def _request_fn(machine: Any, name: str) -> Any:
    from pyhost.i2c import I2cClient, I2cMsg
    from pyhost.scmi import ScmiAgent

    if name.startswith("scmi"):
        agent = ScmiAgent(machine, GUEST)
        if name == "scmi_version":
            return agent.base.version
        return lambda: agent.clock.rate_get(0)
    client = I2cClient(machine, GUEST)
    msg = I2cMsg(0x48, True, 1)

    def one() -> None:
        if not client.transfer([msg]).ok:
            raise RuntimeError(f"{msg.describe()} from {GUEST} failed")

    return one


def worker(name: str, n: int, idle: int) -> int:
    """Set up, ``n`` requests, ``idle`` polls with nothing to do; returns the polls made."""
    from pyhost.machine import make_machine

    with make_machine("inprocess") as m:
        fn = _request_fn(m, name)
        polls = 0
        poll = m.poll  # type: ignore[attr-defined]

        def counting() -> bool:
            nonlocal polls
            polls += 1
            return poll()

        m.poll = counting  # type: ignore[attr-defined]
        for _ in range(n):
            fn()
        for _ in range(idle):
            m.poll()  # type: ignore[attr-defined]
        return polls


# ---- in-process figures -----------------------------------------------------------------------


@dataclass
class IrFigure:
    request: str
    what: str
    ir_per_request: float  # everything inside vbe_sys_poll, per request
    polls_per_request: float
    idle_poll_ir: float  # one poll with nothing to do, measured alone
    request_ir: float  # ir_per_request - polls_per_request * idle_poll_ir
    target: int | None
    requests_per_s: float


def _ir(args: list[str], tmp: Path, tag: str) -> int:
    ir, _ = callgrind.callgrind_ir(Path(__file__), ["--worker", *args], tmp / f"cg.{tag}")
    return ir


def in_process(n: int, runs: int, valgrind: bool) -> tuple[list[IrFigure], float | None]:
    from pyhost.machine import make_machine

    figures = []
    idle_ir: float | None = None
    with tempfile.TemporaryDirectory(prefix="vbe-bench-") as tmp_s:
        tmp = Path(tmp_s)
        if valgrind:
            base = _ir(["scmi_version", "0", "0"], tmp, "base")
            idle_ir = (_ir(["scmi_version", "0", str(n)], tmp, "idle") - base) / n
        for name, (what, target) in REQUESTS.items():
            rates = []
            for _ in range(runs):
                with make_machine("inprocess") as m:
                    fn = _request_fn(m, name)
                    fn()
                    t = time.perf_counter()
                    for _ in range(n):
                        fn()
                    rates.append(n / (time.perf_counter() - t))
            polls = worker(name, n, 0) / n
            per = req = float("nan")
            if valgrind and idle_ir is not None:
                b = _ir([name, "0", "0"], tmp, f"{name}.0")
                per = (_ir([name, str(n), "0"], tmp, f"{name}.n") - b) / n
                req = per - polls * idle_ir
            figures.append(IrFigure(name, what, round(per, 1), round(polls, 2),
                                    round(idle_ir or float("nan"), 1), round(req, 1), target,
                                    round(statistics.median(rates))))  # fmt: skip
    return figures, idle_ir


# ---- footprint --------------------------------------------------------------------------------


@dataclass
class FootprintFigure:
    image: str
    components: dict[str, int]  # core component -> text bytes
    core_text: int
    sim_text: int
    target: int


def footprint() -> FootprintFigure:
    from vbe.elfimage import footprint as elf_footprint

    from pyhost.machine.qemu_image import ensure_image

    elf = ensure_image()
    fp = elf_footprint(elf)
    comps = {c: int(fp.modules.get(f"core/{c}", {}).get("text", 0)) for c in CORE_COMPONENTS}
    sim = int(fp.modules.get("core/sim", {}).get("text", 0))
    return FootprintFigure(str(elf.relative_to(REPO)), comps, sum(comps.values()), sim,
                           TEXT_TARGET)  # fmt: skip


# ---- QEMU -------------------------------------------------------------------------------------


def qemu(n: int, boots: int, idle_s: float) -> dict[str, Any]:
    import bench_qemu

    pairs = bench_qemu.latency_pairs(n)
    out: dict[str, Any] = {"pairs": []}
    for p in pairs:
        out["pairs"].append({
            "what": p.what, "p50_us": round(p.measured.p50_us, 1),
            "p99_us": round(p.measured.p99_us, 1), "floor_what": p.floor_what,
            "floor_p50_us": round(p.floor.p50_us, 1), "floor_p99_us": round(p.floor.p99_us, 1),
            "ratio_p50": round(p.ratio_p50, 2), "ratio_p99": round(p.ratio_p99, 2),
            "n": p.measured.n,
        })  # fmt: skip
    boot = bench_qemu.boot_times(boots)
    out["boot_ms"] = {k: round(statistics.median(v) * 1000, 1) for k, v in boot.items()}
    out["idle_cpu_pct"] = {k: round(v, 2) for k, v in bench_qemu.idle_cpu(idle_s).items()}
    return out


# ---- output: table, SVG -----------------------------------------------------------------------


def table(doc: dict[str, Any]) -> str:
    lines = ["| figure | value | target / floor |", "| --- | ---: | --- |"]
    for f in doc["in_process"]:
        tgt = f"<= {f['target']}" if f["target"] else ""
        lines.append(f"| {f['what']}: C core Ir per request (bench) | {f['ir_per_request']:,.0f}"
                     " | |")  # fmt: skip
        lines.append(f"| ... of which the request (minus {f['polls_per_request']:g} idle polls "
                     f"of {f['idle_poll_ir']:,.0f}) | {f['request_ir']:,.0f} | {tgt} |")  # fmt: skip
        lines.append(f"| {f['what']}: requests/s in-process | {f['requests_per_s']:,.0f} | |")
    q = doc.get("qemu")
    if q:
        for p in q["pairs"]:
            lines.append(f"| QEMU {p['what']}: p50 / p99 us | {p['p50_us']} / {p['p99_us']} | "
                         f"{p['floor_what']}: {p['floor_p50_us']} / {p['floor_p99_us']} "
                         f"(x{p['ratio_p50']} / x{p['ratio_p99']}) |")  # fmt: skip
        for mode, ms in q["boot_ms"].items():
            lines.append(f"| QEMU boot to ready, {mode} | {ms} ms | |")
        for mode, pct in q["idle_cpu_pct"].items():
            lines.append(f"| QEMU idle host CPU, {mode} | {pct} % | |")
    fp = doc.get("footprint")
    if fp:
        parts = ", ".join(f"{k} {v}" for k, v in fp["components"].items())
        lines.append(f"| arm64 core text ({parts}) | {fp['core_text']:,} B | <= {fp['target']:,}"
                     f" B |")  # fmt: skip
    xen = doc.get("xen") or {}
    if xen.get("figures"):
        for k, v in xen["figures"].items():
            lines.append(f"| Xen: {k} | {v} | |")
    else:
        lines.append(f"| Xen | {xen.get('note', 'not measured yet')} | |")
    return "\n".join(lines)


def _bars(x: int, y: int, w: int, title: str, rows: list[tuple[str, list[tuple[float, str]]]],
          unit: str, mark: float | None = None) -> tuple[list[str], int]:  # fmt: skip
    """A horizontal stacked bar chart; returns its SVG elements and its height."""
    label_w, bar_h, gap = 300, 16, 6
    top = max([sum(v for v, _ in segs) for _, segs in rows] + [mark or 0, 1])
    scale = (w - label_w - 90) / top
    out = [f'<text x="{x}" y="{y + 14}" font-weight="bold">{title}</text>']
    cy = y + 26
    for label, segs in rows:
        out.append(f'<text x="{x}" y="{cy + 12}">{label}</text>')
        cx = x + label_w
        for v, color in segs:
            out.append(f'<rect x="{cx:.1f}" y="{cy}" width="{max(v * scale, 0):.1f}" '
                       f'height="{bar_h}" fill="{color}"/>')  # fmt: skip
            cx += v * scale
        total = sum(v for v, _ in segs)
        out.append(f'<text x="{cx + 4:.1f}" y="{cy + 12}">{total:,.0f} {unit}</text>')
        cy += bar_h + gap
    if mark:
        mx = x + label_w + mark * scale
        out.append(f'<line x1="{mx:.1f}" y1="{y + 22}" x2="{mx:.1f}" y2="{cy}" '
                   'stroke="#c00" stroke-dasharray="4 3"/>')  # fmt: skip
        out.append(f'<text x="{mx + 3:.1f}" y="{y + 22}" fill="#c00">target {mark:,.0f}</text>')
    return out, cy - y + 10


def svg(doc: dict[str, Any]) -> str:
    w = 900
    parts: list[str] = []
    y = 10
    legend = ('<text x="10" y="{y}"><tspan fill="#2a6">■ the request</tspan>  '
              '<tspan fill="#bbb">■ idle polls</tspan>  <tspan fill="#48c">■ measured</tspan>  '
              '<tspan fill="#999">■ floor</tspan></text>')  # fmt: skip
    parts.append(legend.format(y=y + 12))
    y += 24
    rows = []
    for f in doc["in_process"]:
        idle = f["ir_per_request"] - f["request_ir"]
        rows.append((f["what"], [(f["request_ir"], "#2a6"), (idle, "#bbb")]))
    targets = [f["target"] for f in doc["in_process"] if f["target"]]
    els, h = _bars(10, y, w, "C core instructions per request (callgrind, in-process)", rows,
                   "Ir", min(targets) if targets else None)  # fmt: skip
    parts += els
    y += h
    q = doc.get("qemu")
    if q:
        rows = []
        for p in q["pairs"]:
            rows.append((p["what"][:44] + " p50", [(p["p50_us"], "#48c")]))
            rows.append(("  floor: " + p["floor_what"][:35], [(p["floor_p50_us"], "#999")]))
        els, h = _bars(10, y, w, "QEMU round trip, p50 (us)", rows, "us")
        parts += els
        y += h
    fp = doc.get("footprint")
    if fp:
        rows = [(f"core/{k}", [(v, "#a6c")]) for k, v in fp["components"].items()]
        rows.append(("core total", [(fp["core_text"], "#649")]))
        els, h = _bars(10, y, w, "arm64 text per core component (bytes)", rows, "B",
                       fp["target"])  # fmt: skip
        parts += els
        y += h
    xen = doc.get("xen") or {}
    parts.append(f'<text x="10" y="{y + 14}">Xen: {xen.get("note") or ""}</text>')
    y += 24
    for k, v in (xen.get("figures") or {}).items():
        parts.append(f'<text x="20" y="{y + 10}">{k}: {v}</text>')
        y += 16
    parts.append(f'<text x="10" y="{y + 10}" fill="#666">{doc["when"]}, {doc["host"]}</text>')
    y += 20
    body = "\n".join(parts)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{y}" '
            f'font-family="sans-serif" font-size="12">\n'
            f'<rect width="100%" height="100%" fill="white"/>\n{body}\n</svg>\n')  # fmt: skip


def update_readme(text: str, path: Path = REPO / "README.md") -> None:
    doc = path.read_text()
    block = f"{README_BEGIN}\n{text}\n{README_END}"
    if README_BEGIN in doc and README_END in doc:
        head, rest = doc.split(README_BEGIN, 1)
        doc = head + block + rest.split(README_END, 1)[1]
    else:
        doc = doc.rstrip("\n") + f"\n\n## Benchmarks (latest)\n\n{block}\n"
    path.write_text(doc)


def xen(how: str, n: int, runs: int) -> dict[str, Any]:
    """The Xen figures: measured here (auto, when the artefacts are built), none, or a file."""
    if how == "none":
        return {"figures": None, "note": "left out (--xen none)"}
    if how != "auto":
        return json.loads(Path(how).read_text())
    from pyhost.xen.artefacts import cached_images

    images = cached_images()
    if images is None:
        return {"figures": None, "note": "not measured: the Xen artefacts are not built "
                "(`vbe xen build`, or scripts/setup)"}  # fmt: skip
    sys.path.insert(0, str(REPO / "tests" / "bench"))
    import bench_xen_dom0

    print(f"Xen: both Dom0s, {n} operations x {runs} runs each (minutes)", flush=True)
    figures: dict[str, str] = {}
    for r in bench_xen_dom0.run(n, runs, images=images):
        who = f"{r.dom0} Dom0"
        figures[f"{who}: QEMU start to serving"] = f"{r.serving_s:.2f} s"
        for f in r.figures:
            figures[f"{who}: {f.name} (traps, irqs per op)"] = (
                f"{f.median_us:.0f} us ({f.traps_per_op:.1f}, {f.irqs_per_op:.1f})"
            )
        figures[f"{who}: memory given / in use"] = (
            f"{r.dom0_mem_mib} MiB / {r.dom0_used_kib:,} KiB"
        )
        figures[f"{who}: what Xen boots"] = f"{r.boot_bytes >> 10:,} KiB"
    return {"figures": figures, "note": "tests/bench/bench_xen_dom0.py, medians"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    ap.add_argument("-n", type=int, default=2000, help="requests per measurement")
    ap.add_argument("--runs", type=int, default=3, help="timed in-process runs (median)")
    ap.add_argument("--boots", type=int, default=5, help="QEMU boots timed")
    ap.add_argument("--idle", type=float, default=3.0, help="seconds of idle CPU per mode")
    ap.add_argument("--quick", action="store_true", help="-n 300 --runs 1 --boots 2 --idle 1")
    ap.add_argument("--no-qemu", action="store_true", help="skip the QEMU machine")
    ap.add_argument("--no-valgrind", action="store_true", help="skip the callgrind figures")
    ap.add_argument("--xen", default="auto", metavar="auto|none|FILE",
                    help="the Xen machine's figures: measure them when its artefacts are built "
                         "(auto), leave them out (none), or read them from a JSON file")  # fmt: skip
    ap.add_argument("--out", type=Path, default=OUT, help="where report.json/.svg go")
    ap.add_argument("--update-readme", action="store_true", help="write the table into README")
    ap.add_argument("--worker", nargs=3, metavar=("REQUEST", "N", "IDLE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), int(args.worker[2]))
        return 0
    if args.quick:
        args.n, args.runs, args.boots, args.idle = 300, 1, 2, 1.0
    valgrind = not args.no_valgrind and shutil.which("valgrind") is not None
    figures, _ = in_process(args.n, args.runs, valgrind)
    doc: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "host": subprocess.run(
            ["uname", "-srm"], capture_output=True, text=True, check=False
        ).stdout.strip(),
        "commit": subprocess.run(
            ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip(),
        "n": args.n,
        "in_process": [asdict(f) for f in figures],
        "footprint": asdict(footprint()),
        "qemu": None if args.no_qemu else qemu(args.n, args.boots, args.idle),
        "xen": xen(args.xen, 300 if args.quick else 1000, args.runs),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(doc, indent=2) + "\n")
    (args.out / "report.svg").write_text(svg(doc))
    text = table(doc)
    print(text)
    print(f"\nwritten: {args.out / 'report.json'}, {args.out / 'report.svg'}")
    if args.update_readme:
        update_readme(f"Measured {doc['when']} on {doc['host']} (commit {doc['commit']}), "
                      f"`scripts/bench`; the plot: `build/bench/report.svg`.\n\n{text}")  # fmt: skip
        print("README.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
