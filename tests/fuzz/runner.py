"""Build and run the libFuzzer targets, replay findings, measure coverage (tests/fuzz/README.md).

    scripts/fuzz                          # every target, 60 s each, then coverage
    scripts/fuzz --time 900 scmi i2c      # two targets, 15 minutes each
    scripts/fuzz --runs 10000000 fvq      # until 10 million executions
    scripts/fuzz --replay                 # seeds and regression inputs once each, no fuzzing
    scripts/fuzz --cov-only               # coverage of the corpus as it is
    scripts/fuzz --json build/fuzz/report.json ...

Targets are the fuzz_<name>.c files next to this script. Each runs with its seed corpus
(tests/fuzz/corpus/<name>, read only) and a working corpus that grows across runs
(build/fuzz/work/<name>); a crash, a sanitizer report, a timeout or a wire invariant the
target checks (FZ_CHECK) stops the run and leaves the input in build/fuzz/findings/<name>/.
Copy it to tests/fuzz/regress/<name>/ once fixed: the test suite replays that directory.

Coverage is clang's source-based coverage: the same targets built with
-fprofile-instr-generate -fcoverage-mapping (build/fuzz-cov), run once over the seed and
working corpora, merged with llvm-profdata and reported by llvm-cov for the core's sources
(zephyr-app/lib, without the host port): lines and branches per component and in total.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BUILD = REPO / "build" / "fuzz"
BUILD_COV = REPO / "build" / "fuzz-cov"
CORE = REPO / "zephyr-app" / "lib"
#: per-input limit (s): a pass of the core that takes this long is a hang
TIMEOUT_S = 10
#: longest input per target: a session of a few dozen operations (window targets need room
#: for ring and buffer bytes); longer inputs only slow the search down
MAX_LEN = {"fvq": 2048, "vhu": 2048}
MAX_LEN_DEFAULT = 1024
RSS_LIMIT_MB = 2048


class FuzzError(RuntimeError):
    """A tool is missing or a build failed: says what to do."""


def tool(name: str) -> str:
    """A clang/LLVM tool: the plain name, else the highest -NN suffix on PATH."""
    if shutil.which(name):
        return name
    for v in range(20, 10, -1):
        if shutil.which(f"{name}-{v}"):
            return f"{name}-{v}"
    raise FuzzError(f"{name} not found: install clang and llvm (Debian: clang-14, llvm-14, "
                    "libclang-rt-14-dev), or run scripts/setup")  # fmt: skip


def targets() -> list[str]:
    return sorted(p.stem.removeprefix("fuzz_") for p in HERE.glob("fuzz_*.c"))


def build(coverage: bool = False, quiet: bool = True) -> Path:
    """Configure and build the targets (sanitizers, or coverage); returns the build dir."""
    bdir = BUILD_COV if coverage else BUILD
    cfg = [
        "cmake",
        "-S",
        str(HERE),
        "-B",
        str(bdir),
        f"-DCMAKE_C_COMPILER={tool('clang')}",
        f"-DVBE_PYTHON={sys.executable}",
        f"-DVBE_FUZZ_COVERAGE={'ON' if coverage else 'OFF'}",
    ]
    jobs = os.environ.get("VBE_FUZZ_BUILD_JOBS", "2")
    for cmd in (cfg, ["cmake", "--build", str(bdir), "-j", jobs]):
        proc = subprocess.run(cmd, capture_output=quiet, text=True, check=False)
        if proc.returncode != 0:
            out = (proc.stdout or "") + (proc.stderr or "") if quiet else ""
            raise FuzzError(f"{' '.join(cmd)} failed:\n{out[-4000:]}")
    return bdir


def binary(name: str, bdir: Path = BUILD) -> Path:
    return bdir / f"vbe-fuzz-{name}"


@dataclass
class RunResult:
    target: str
    seconds: float
    executions: int
    exec_per_s: int
    corpus: int
    cov: int  # libFuzzer's edge count
    ft: int  # libFuzzer's features
    findings: list[str] = field(default_factory=list)
    log_tail: str = ""

    @property
    def ok(self) -> bool:
        return not self.findings


def _stat(text: str, key: str) -> int:
    m = re.findall(rf"stat::{key}:\s*(\d+)", text)
    return int(m[-1]) if m else 0


def run(name: str, seconds: float | None = None, runs: int | None = None,
        work: Path | None = None, bdir: Path = BUILD) -> RunResult:  # fmt: skip
    """Fuzz one target for ``seconds`` or ``runs`` executions (whichever comes first)."""
    seeds = HERE / "corpus" / name
    work = work or BUILD / "work" / name
    findings = BUILD / "findings" / name
    work.mkdir(parents=True, exist_ok=True)
    findings.mkdir(parents=True, exist_ok=True)
    before = set(findings.iterdir())
    cmd = [
        str(binary(name, bdir)),
        f"-max_len={MAX_LEN.get(name, MAX_LEN_DEFAULT)}",
        f"-timeout={TIMEOUT_S}",
        f"-rss_limit_mb={RSS_LIMIT_MB}",
        "-print_final_stats=1",
        f"-artifact_prefix={findings}/",
        str(work),
    ]
    if seconds is not None:
        cmd.insert(1, f"-max_total_time={int(seconds)}")
    if runs is not None:
        cmd.insert(1, f"-runs={runs}")
    if seeds.is_dir():
        cmd.append(str(seeds))
    log = BUILD / "logs" / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    with log.open("w") as f:
        proc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, check=False,
                              env={**os.environ, "ASAN_OPTIONS": "detect_leaks=1"})  # fmt: skip
    took = time.monotonic() - start
    text = log.read_text(errors="replace")
    new = sorted(str(p) for p in set(findings.iterdir()) - before)
    if proc.returncode != 0 and not new:
        new = [f"{name}: exit status {proc.returncode}, see {log}"]
    cov = re.findall(r"cov: (\d+) ft: (\d+)", text)
    return RunResult(
        target=name,
        seconds=round(took, 1),
        executions=_stat(text, "number_of_executed_units"),
        exec_per_s=_stat(text, "average_exec_per_sec"),
        corpus=sum(1 for _ in work.iterdir()),
        cov=int(cov[-1][0]) if cov else 0,
        ft=int(cov[-1][1]) if cov else 0,
        findings=new,
        log_tail="\n".join(text.splitlines()[-40:]) if new else "",
    )


def replay(name: str, bdir: Path = BUILD) -> tuple[bool, str]:
    """Run the seeds and the regression inputs of ``name`` once each."""
    inputs = [p for d in (HERE / "corpus" / name, HERE / "regress" / name) if d.is_dir()
              for p in sorted(d.iterdir()) if p.is_file() and p.name[0] not in ".R"]  # fmt: skip
    if not inputs:
        return True, "no inputs"
    proc = subprocess.run([str(binary(name, bdir)), f"-timeout={TIMEOUT_S}",
                           *map(str, inputs)], capture_output=True, text=True,
                          check=False)  # fmt: skip
    return proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]


@dataclass
class Coverage:
    files: dict[str, dict[str, int]]  # path -> lines, lines_hit, branches, branches_hit
    components: dict[str, dict[str, int]]
    total: dict[str, int]


def _pct(hit: int, n: int) -> str:
    return f"{100.0 * hit / n:5.1f} %" if n else "    -  "


def coverage(names: list[str]) -> Coverage:
    """Source-based coverage of the core over the seed and working corpora of ``names``."""
    bdir = build(coverage=True)
    prof = bdir / "profiles"
    shutil.rmtree(prof, ignore_errors=True)
    prof.mkdir()
    objects = []
    for name in names:
        dirs = [str(d) for d in (BUILD / "work" / name, HERE / "corpus" / name,
                                 HERE / "regress" / name) if d.is_dir()]  # fmt: skip
        env = {**os.environ, "LLVM_PROFILE_FILE": str(prof / f"{name}-%p.profraw")}
        subprocess.run([str(binary(name, bdir)), "-runs=0", *dirs], env=env,
                       capture_output=True, check=False)  # fmt: skip
        objects.append(str(binary(name, bdir)))
    merged = bdir / "merged.profdata"
    subprocess.run([tool("llvm-profdata"), "merge", "-sparse", "-o", str(merged),
                    *map(str, prof.glob("*.profraw"))], check=True)  # fmt: skip
    cmd = [tool("llvm-cov"), "export", "-summary-only", f"-instr-profile={merged}", objects[0]]
    for o in objects[1:]:
        cmd += ["-object", o]
    data = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    files: dict[str, dict[str, int]] = {}
    for f in data["data"][0]["files"]:
        path = Path(f["filename"]).resolve()
        try:
            rel = path.relative_to(CORE)
        except ValueError:
            continue
        if rel.parts[0] == "host":
            continue
        s = f["summary"]
        files[str(rel)] = {"lines": s["lines"]["count"], "lines_hit": s["lines"]["covered"],
                           "branches": s["branches"]["count"],
                           "branches_hit": s["branches"]["covered"]}  # fmt: skip
    comps: dict[str, dict[str, int]] = {}
    for rel, s in files.items():
        c = comps.setdefault(rel.split("/")[0], dict.fromkeys(s, 0))
        for k, v in s.items():
            c[k] += v
    total = dict.fromkeys(["lines", "lines_hit", "branches", "branches_hit"], 0)
    for s in comps.values():
        for k in total:
            total[k] += s[k]
    return Coverage(files, comps, total)


def coverage_table(cov: Coverage, per_file: bool = False) -> str:
    lines = [f"{'core (zephyr-app/lib)':<34} {'lines':>14} {'branches':>16}"]
    rows = sorted(cov.files.items()) if per_file else sorted(cov.components.items())
    for name, s in rows:
        lines.append(f"{name:<34} {_pct(s['lines_hit'], s['lines'])} {s['lines']:>6} "
                     f"{_pct(s['branches_hit'], s['branches'])} {s['branches']:>6}")  # fmt: skip
    t = cov.total
    lines.append(f"{'total':<34} {_pct(t['lines_hit'], t['lines'])} {t['lines']:>6} "
                 f"{_pct(t['branches_hit'], t['branches'])} {t['branches']:>6}")  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(prog="scripts/fuzz", description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    ap.add_argument("targets", nargs="*", help=f"targets (default: all of {', '.join(targets())})")
    ap.add_argument(
        "--time",
        type=float,
        default=None,
        metavar="S",
        help="seconds per target (default 60, or unbounded with --runs)",
    )
    ap.add_argument(
        "--runs", type=int, default=None, metavar="N", help="stop a target after N executions"
    )
    ap.add_argument("--replay", action="store_true", help="only run seeds and regressions once")
    ap.add_argument(
        "--no-build",
        action="store_true",
        help="use the targets as built (several runs side by side)",
    )
    ap.add_argument("--no-cov", action="store_true", help="skip the coverage report")
    ap.add_argument("--cov-only", action="store_true", help="only the coverage report")
    ap.add_argument("--per-file", action="store_true", help="coverage per source file")
    ap.add_argument("--json", type=Path, metavar="FILE", help="write the results as JSON")
    args = ap.parse_args()
    names = args.targets or targets()
    unknown = set(names) - set(targets())
    if unknown:
        ap.error(f"no target {', '.join(sorted(unknown))} (targets: {', '.join(targets())})")
    seconds = args.time if args.time is not None else (None if args.runs else 60.0)
    report: dict[str, object] = {}
    failed = False
    try:
        if not args.cov_only:
            if not args.no_build:
                build()
            for name in names:
                ok, out = replay(name)
                if not ok:
                    print(f"{name}: a seed or regression input fails:\n{out}", file=sys.stderr)
                    return 1
            if not args.replay:
                print(f"{'target':<8} {'seconds':>8} {'executions':>12} {'exec/s':>8} "
                      f"{'corpus':>7} {'cov':>6} {'ft':>7}  findings")  # fmt: skip
                results = []
                for name in names:
                    r = run(name, seconds=seconds, runs=args.runs)
                    results.append(r)
                    print(f"{r.target:<8} {r.seconds:>8.0f} {r.executions:>12,} "
                          f"{r.exec_per_s:>8,} {r.corpus:>7} {r.cov:>6} {r.ft:>7}  "
                          f"{', '.join(r.findings) or 'none'}", flush=True)  # fmt: skip
                    if r.findings:
                        failed = True
                        print(r.log_tail, file=sys.stderr)
                        print(f"reproduce: {binary(name)} {r.findings[0]}\nonce fixed: copy it "
                              f"to tests/fuzz/regress/{name}/", file=sys.stderr)  # fmt: skip
                report["runs"] = [asdict(r) for r in results]
        if not args.no_cov and not args.replay:
            cov = coverage(names)
            print()
            print(coverage_table(cov, args.per_file))
            report["coverage"] = asdict(cov)
    except FuzzError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
