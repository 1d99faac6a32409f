"""The virtio-scmi bench as a pytest test (marker ``bench``; run with ``-m bench -s``).

It prints the figures and asserts only that they were measured (every request succeeded,
callgrind collected inside the core), never how fast anything is.
"""

from __future__ import annotations

import shutil

import pytest
from bench_scmi import REQUESTS, run_bench, table

pytestmark = pytest.mark.bench


def test_bench_scmi_base_version_and_clock_rate_get_figures_are_measured(capsys):
    valgrind = shutil.which("valgrind") is not None
    results = [run_bench(r, n=2000, runs=5, valgrind=valgrind) for r in REQUESTS]
    with capsys.disabled():
        print("\n" + table(results))
    for res in results:
        assert len(res.runs) == 5 and all(r > 0 for r in res.runs)
        assert res.polls_per_request >= 1  # at least the poll that served each request
        if valgrind:
            assert res.ir_per_request is not None and res.ir_per_request > 0
