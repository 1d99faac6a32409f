"""The fuzz targets in the test suite: built with ASan + UBSan, every seed and regression input
replayed, each target fuzzed for a bounded time (VBE_FUZZ_SECONDS, default 20), the seed
corpus checked against its generator, and the core's coverage over the corpus measured and
printed (tests/fuzz/README.md). A finding fails its test with the input's path and the
command that reproduces it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_seeds
import runner as fuzz

SECONDS = float(os.environ.get("VBE_FUZZ_SECONDS", "20"))
#: the core's line coverage over the seeds and what the bounded runs add must not fall below
LINE_FLOOR = 70.0


def _clang_fuzzer_missing() -> str | None:
    try:
        cc = fuzz.tool("clang")
    except fuzz.FuzzError as exc:
        return str(exc)
    probe = subprocess.run([cc, "-fsanitize=fuzzer", "-x", "c", "-", "-o", os.devnull],
                           input="int LLVMFuzzerTestOneInput(const char *d, long n)"
                                 "{ return 0; }\n",
                           capture_output=True, text=True, check=False)  # fmt: skip
    if probe.returncode != 0:
        return f"{cc} cannot link libFuzzer (Debian: libclang-rt-14-dev): {probe.stderr[-300:]}"
    return None


def _copy_corpus(src: Path, dst: Path) -> None:
    """Copy a corpus directory that a running fuzzer may be changing (files come and go)."""
    dst.mkdir(parents=True, exist_ok=True)
    for p in list(src.iterdir()) if src.is_dir() else []:
        try:
            shutil.copyfile(p, dst / p.name)
        except FileNotFoundError:
            pass


@pytest.fixture(scope="session")
def built() -> Path:
    why = _clang_fuzzer_missing()
    if why:
        pytest.skip(why)
    return fuzz.build()


@pytest.mark.parametrize("target", fuzz.targets())
def test_seeds_and_regressions_replay_clean(built: Path, target: str) -> None:
    ok, out = fuzz.replay(target)
    assert ok, f"{target}: a seed or a regression input fails again:\n{out}"


@pytest.mark.parametrize("target", fuzz.targets())
def test_bounded_fuzz_run_finds_nothing(built: Path, target: str, tmp_path: Path) -> None:
    work = tmp_path / "work"
    seeds = fuzz.BUILD / "work" / target  # what earlier runs here found: a better start
    _copy_corpus(seeds, work)
    r = fuzz.run(target, seconds=SECONDS, work=work)
    print(f"\n{target}: {r.executions:,} executions in {r.seconds:.0f} s, "
          f"cov {r.cov}, ft {r.ft}, corpus {r.corpus}")  # fmt: skip
    assert r.ok, (
        f"{target}: finding {r.findings[0]}\nreproduce: {fuzz.binary(target)} {r.findings[0]}\n"
        f"{r.log_tail}"
    )
    assert r.executions > 0, f"{target} ran nothing; its log is in build/fuzz/logs/"
    _copy_corpus(work, seeds)  # coverage and later runs start here


def test_seed_corpus_is_what_the_generator_writes(tmp_path: Path) -> None:
    gen_seeds.write(tmp_path, list(gen_seeds.TARGETS))
    for name in gen_seeds.TARGETS:
        want = {p.name: p.read_bytes() for p in (tmp_path / name).iterdir()}
        have = {p.name: p.read_bytes() for p in (HERE / "corpus" / name).glob("seed-*")}
        assert have == want, (f"tests/fuzz/corpus/{name} is stale: run "
                              "python tests/fuzz/gen_seeds.py")  # fmt: skip


def test_core_coverage_is_printed_and_above_the_floor(built: Path) -> None:
    cov = fuzz.coverage(fuzz.targets())
    table = fuzz.coverage_table(cov)
    print("\n" + table)
    (fuzz.BUILD / "coverage.txt").write_text(table + "\n")
    t = cov.total
    assert t["lines"] > 0, "no coverage data: the coverage build ran nothing"
    assert 100.0 * t["lines_hit"] / t["lines"] >= LINE_FLOOR, table
