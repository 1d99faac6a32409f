"""The QEMU bench as a pytest test (marker ``bench``; run with ``-m bench -s``).

It prints the table, writes build/bench/qemu.json and asserts only that every figure was
measured, never how fast anything is.
"""

from __future__ import annotations

import json

import pytest
from bench_qemu import OUT, run, table, to_json

from pyhost.machine.qemu_image import qemu_available

pytestmark = pytest.mark.bench


def test_bench_qemu_figures_are_measured(capsys):
    ok, why = qemu_available()
    if not ok:
        pytest.skip(f"qemu machine unavailable: {why}")
    res = run(n=2000, boots=5, idle_s=5.0)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(to_json(res), indent=2) + "\n")
    with capsys.disabled():
        print("\n" + table(res) + f"\n\nJSON: {OUT}")
    assert len(res.pairs) == 3 and all(
        p.measured.p50_us > 0 and p.floor.p50_us > 0 for p in res.pairs
    )
    assert all(len(v) == 5 for v in res.boot_s.values())
    assert set(res.idle_cpu_pct) == {"doorbell", "poll"}
    assert res.footprint is not None and res.footprint.total["text"] > 0
