"""The two Dom0s side by side as a pytest test (markers ``bench`` and ``xen``; run with
``-m bench -s``). It prints the table (bench_xen_dom0.py), writes build/bench/xen_dom0.json
and asserts only that every figure was measured for each Dom0, never how fast anything is."""

from __future__ import annotations

import json

import pytest
from bench_xen_dom0 import FIGURES, OUT, run, table, to_json
from sysdesc.gen_xen import DOM0S

from pyhost.xen.artefacts import XenImages
from pyhost.xen.fixtures import xen_images

__all__ = ["xen_images"]
pytestmark = [pytest.mark.bench, pytest.mark.xen]


def test_bench_xen_dom0_figures_are_measured(xen_images: XenImages, capsys) -> None:
    results = run(n=2000, runs=3, dom0s=tuple(DOM0S), images=xen_images)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(to_json(results), indent=2) + "\n")
    with capsys.disabled():
        print("\n" + table(results) + f"\n\nJSON: {OUT}")
    assert [r.dom0 for r in results] == list(DOM0S)
    for r in results:
        assert r.serving_s > 0 and r.dom0_used_kib > 0 and r.boot_bytes > 0
        assert len(r.figures) == len(FIGURES)
        assert all(len(f.us_per_op) == 3 and min(f.us_per_op) > 0 for f in r.figures)
