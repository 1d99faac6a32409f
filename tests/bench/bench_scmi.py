"""virtio-scmi throughput and C-core cost, in-process. A script, not a timed test.

    python tests/bench/bench_scmi.py [-n 2000] [--runs 5] [--json] [--no-valgrind]

For each request (BASE PROTOCOL_VERSION, and CLOCK_RATE_GET of the guest's clock 0), sent
by guest "ivi"'s SCMI agent through its cmdq, prints as a table (or JSON):
  - requests/second through the ring, driver and device in this process: median of
    --runs runs of N requests each;
  - instructions per request executed by the C core, measured as bench_i2c.py does:
    callgrind collecting only inside vbe_sys_poll() (the core's service loop), the same
    loop run with N requests and with 0, (Ir(N) - Ir(0)) / N;
  - polls per request (busy and idle polls both count in the Ir).

``--worker N --request NAME`` is the loop callgrind runs: set up, N requests, exit.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import callgrind

from pyhost.machine import make_machine
from pyhost.machine.inprocess import InProcessMachine
from pyhost.scmi import ScmiAgent

GUEST = "ivi"
#: request name -> (what it is, the call)
REQUESTS: dict[str, tuple[str, Callable[[ScmiAgent], object]]] = {
    "base_version": ("BASE PROTOCOL_VERSION (0x10/0x0)", lambda a: a.base.version()),
    "clock_rate_get": ("CLOCK_RATE_GET of clock 0 (0x14/0x6)", lambda a: a.clock.rate_get(0)),
}


@dataclass
class BenchResult:
    request: str
    what: str
    n: int
    runs: list[float]  # requests/second of each run
    median_rps: float
    polls_per_request: float
    ir_per_request: float | None = None
    ir_total: int | None = None
    ir_baseline: int | None = None
    valgrind_command: str | None = None
    valgrind_note: str | None = None


def request_loop(request: str, n: int) -> int:
    """Set a machine up, send ``n`` requests; the backend polls made during the loop."""
    call = REQUESTS[request][1]
    with InProcessMachine() as m:
        agent = ScmiAgent(m, GUEST)
        before = m.polls
        for _ in range(n):
            call(agent)  # raises ScmiError if the request fails
        return m.polls - before


def timed_run(request: str, n: int) -> float:
    call = REQUESTS[request][1]
    with make_machine("inprocess") as m:
        agent = ScmiAgent(m, GUEST)
        call(agent)  # warm up
        start = time.perf_counter()
        for _ in range(n):
            call(agent)
        elapsed = time.perf_counter() - start
    return n / elapsed


def callgrind_ir(request: str, n: int, out_dir: Path) -> tuple[int, list[str]]:
    """Ir collected inside ENTRY for a worker run of ``n`` requests, and the command."""
    return callgrind.callgrind_ir(
        Path(__file__),
        ["--worker", str(n), "--request", request],
        out_dir / f"callgrind.out.{request}.{n}",
    )


def run_bench(request: str, n: int, runs: int, valgrind: bool) -> BenchResult:
    rates = [timed_run(request, n) for _ in range(runs)]
    polls = request_loop(request, n)
    res = BenchResult(request, REQUESTS[request][0], n, rates, statistics.median(rates), polls / n)
    if not valgrind:
        res.valgrind_note = "skipped (--no-valgrind)"
    elif shutil.which("valgrind") is None:
        res.valgrind_note = "valgrind is not installed (apt-get install valgrind)"
    else:
        with tempfile.TemporaryDirectory(prefix="vbe-bench-") as tmp:
            base, _ = callgrind_ir(request, 0, Path(tmp))
            total, cmd = callgrind_ir(request, n, Path(tmp))
        res.ir_baseline, res.ir_total = base, total
        res.ir_per_request = (total - base) / n
        res.valgrind_command = shlex.join(cmd)
    return res


def table(results: list[BenchResult]) -> str:
    head = ("request", "requests/s", "runs (requests/s)", "polls/req", "C core Ir/req")
    rows = []
    for r in results:
        ir = f"{r.ir_per_request:,.0f}" if r.ir_per_request is not None else "not measured"
        runs = ", ".join(f"{x:,.0f}" for x in r.runs)
        rows.append((r.what, f"{r.median_rps:,.0f}", runs, f"{r.polls_per_request:.2f}", ir))
    widths = [max(len(str(x[i])) for x in (head, *rows)) for i in range(len(head))]
    lines = [f"vbe virtio-scmi bench (guest {GUEST!r}, in-process, N={results[0].n} per run)"]
    for row in (head, *rows):
        lines.append("  ".join(f"{c:<{w}}" for c, w in zip(row, widths, strict=True)).rstrip())
        if row is head:
            lines.append("  ".join("-" * w for w in widths))
    notes = {r.valgrind_note for r in results if r.valgrind_note}
    lines += [f"C core Ir: {n}" for n in notes]
    cmds = [r.valgrind_command for r in results if r.valgrind_command]
    if cmds:
        lines += ["", "valgrind commands (each also run with --worker 0 for the baseline):"]
        lines += [f"  {c}" for c in cmds]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-n", type=int, default=2000, help="requests per run (default 2000)")
    p.add_argument("--runs", type=int, default=5, help="timed runs, median reported")
    p.add_argument("--json", action="store_true", help="print JSON instead of the table")
    p.add_argument("--no-valgrind", action="store_true", help="skip the callgrind part")
    p.add_argument("--worker", type=int, metavar="N", help=argparse.SUPPRESS)
    p.add_argument("--request", choices=list(REQUESTS), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker is not None:
        request_loop(args.request or "base_version", args.worker)
        return 0
    if args.n < 1 or args.runs < 1:
        p.error("-n and --runs must be at least 1")
    results = [run_bench(r, args.n, args.runs, not args.no_valgrind) for r in REQUESTS]
    print(json.dumps([asdict(r) for r in results], indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
