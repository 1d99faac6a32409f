"""The virtio-i2c bench as a pytest test (marker ``bench``; run with ``-m bench -s``).

It prints the figures and asserts only that they were measured (every request succeeded,
callgrind collected inside the core), never how fast anything is.
"""

from __future__ import annotations

import shutil

import pytest
from bench_i2c import run_bench, table

pytestmark = pytest.mark.bench


def test_bench_i2c_one_byte_read_figures_are_measured(capsys):
    res = run_bench(n=2000, runs=5, valgrind=shutil.which("valgrind") is not None)
    with capsys.disabled():
        print("\n" + table(res))
    assert len(res.runs) == 5 and all(r > 0 for r in res.runs)
    assert res.polls_per_request >= 1  # at least the poll that served each request
    if shutil.which("valgrind") is not None:
        assert res.ir_per_request is not None and res.ir_per_request > 0
