"""The in-guest bench as a pytest test (marker ``bench``; run with ``-m bench -s``).

It prints the table (direct vs bridge), writes build/bench/linux.json and asserts only that
every figure was measured, never how fast anything is."""

from __future__ import annotations

import json

import pytest
from bench_linux import FIGURES, MODES, OUT, run, table, to_json

from pyhost.linux.fixtures import LinuxImages
from pyhost.machine.qemu_image import qemu_available

pytestmark = pytest.mark.bench


def test_bench_linux_figures_are_measured(linux_images: LinuxImages, capsys) -> None:
    ok, why = qemu_available()
    if not ok:
        pytest.skip(f"bridge mode needs the bare-metal backend in QEMU: {why}")
    results = run(n=2000, runs=3, modes=MODES, images=linux_images)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(to_json(results), indent=2) + "\n")
    with capsys.disabled():
        print("\n" + table(results) + f"\n\nJSON: {OUT}")
    assert [r.mode for r in results] == list(MODES)
    for r in results:
        assert len(r.figures) == len(FIGURES)
        assert all(len(f.per_second) == 3 and min(f.per_second) > 0 for f in r.figures)
