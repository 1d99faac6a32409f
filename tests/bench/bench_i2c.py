"""virtio-i2c throughput and C-core cost, in-process. A script, not a timed test.

    python tests/bench/bench_i2c.py [-n 2000] [--runs 5] [--json] [--no-valgrind]

Prints, as a table (or JSON):
  - requests/second for a 1-byte I2C read (one r1 message to the LM75 at 0x48 from guest
    "ivi") through the ring, driver and device in this process: median of --runs runs of
    N requests each;
  - instructions per request executed by the C core, measured by callgrind collecting
    only inside vbe_sys_poll() (the portable core's service loop, which the host port's
    vbe_host_poll() calls; callgrind does not see vbe_host_poll itself as a function in
    the optimised build): (Ir of N requests - Ir of 0 requests) / N, so set-up and
    negotiation cancel out;
  - polls per request (busy and idle polls both count in the Ir).

``--worker N`` is the loop callgrind runs: set up, N requests, exit.
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
from dataclasses import asdict, dataclass
from pathlib import Path

import callgrind
from callgrind import ENTRY

from pyhost.i2c import I2cClient, I2cMsg
from pyhost.machine import make_machine
from pyhost.machine.inprocess import InProcessMachine

GUEST = "ivi"
REQUEST = I2cMsg(0x48, True, 1)


@dataclass
class BenchResult:
    n: int
    runs: list[float]  # requests/second of each run
    median_rps: float
    polls_per_request: float
    ir_per_request: float | None = None
    ir_total: int | None = None
    ir_baseline: int | None = None
    valgrind_command: str | None = None
    valgrind_note: str | None = None


def request_loop(n: int) -> int:
    """Set a machine up, send ``n`` 1-byte reads; return the backend polls made during
    the loop (each one vbe_host_poll() -> vbe_sys_poll()). Raises if any request fails."""
    with InProcessMachine() as m:
        client = I2cClient(m, GUEST)
        before = m.polls
        for _ in range(n):
            if not client.transfer([REQUEST]).ok:
                raise RuntimeError(f"request failed: {REQUEST.describe()} from {GUEST}")
        return m.polls - before


def timed_run(n: int) -> tuple[float, int]:
    with make_machine("inprocess") as m:
        client = I2cClient(m, GUEST)
        client.transfer_or_raise([REQUEST])  # warm up
        start = time.perf_counter()
        for _ in range(n):
            client.transfer_or_raise([REQUEST])
        elapsed = time.perf_counter() - start
    return n / elapsed, n


def callgrind_ir(n: int, out_dir: Path) -> tuple[int, list[str]]:
    """Ir collected inside ENTRY for a worker run of ``n`` requests, and the command."""
    return callgrind.callgrind_ir(
        Path(__file__), ["--worker", str(n)], out_dir / f"callgrind.out.{n}"
    )


def run_bench(n: int, runs: int, valgrind: bool) -> BenchResult:
    rates = [timed_run(n)[0] for _ in range(runs)]
    polls = request_loop(n)
    res = BenchResult(n, rates, statistics.median(rates), polls / n)
    if not valgrind:
        res.valgrind_note = "skipped (--no-valgrind)"
    elif shutil.which("valgrind") is None:
        res.valgrind_note = "valgrind is not installed (apt-get install valgrind)"
    else:
        with tempfile.TemporaryDirectory(prefix="vbe-bench-") as tmp:
            base, _ = callgrind_ir(0, Path(tmp))
            total, cmd = callgrind_ir(n, Path(tmp))
        res.ir_baseline, res.ir_total = base, total
        res.ir_per_request = (total - base) / n
        res.valgrind_command = shlex.join(cmd)
    return res


def table(res: BenchResult) -> str:
    rows = [
        ("request", f"{REQUEST.describe()} from guest {GUEST!r}, in-process"),
        (f"requests/second (median of {len(res.runs)} x {res.n})", f"{res.median_rps:,.0f}"),
        ("each run (requests/second)", ", ".join(f"{r:,.0f}" for r in res.runs)),
        (f"{ENTRY}() calls per request", f"{res.polls_per_request:.2f}"),
    ]
    if res.ir_per_request is not None:
        rows += [
            ("C core instructions per request", f"{res.ir_per_request:,.0f} Ir"),
            (f"  Ir in {ENTRY}: N={res.n} / N=0", f"{res.ir_total:,} / {res.ir_baseline:,}"),
        ]
    else:
        rows.append(("C core instructions per request", f"not measured: {res.valgrind_note}"))
    width = max(len(k) for k, _ in rows)
    lines = ["vbe virtio-i2c bench", "-" * (width + 30)]
    lines += [f"{k:<{width}}  {v}" for k, v in rows]
    if res.valgrind_command:
        lines += [
            "",
            "valgrind command (also run with --worker 0 for the baseline):",
            f"  {res.valgrind_command}",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-n", type=int, default=2000, help="requests per run (default 2000)")
    p.add_argument("--runs", type=int, default=5, help="timed runs, median reported")
    p.add_argument("--json", action="store_true", help="print JSON instead of the table")
    p.add_argument("--no-valgrind", action="store_true", help="skip the callgrind part")
    p.add_argument("--worker", type=int, metavar="N", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker is not None:
        request_loop(args.worker)
        return 0
    if args.n < 1 or args.runs < 1:
        p.error("-n and --runs must be at least 1")
    res = run_bench(args.n, args.runs, not args.no_valgrind)
    print(json.dumps(asdict(res), indent=2) if args.json else table(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
