"""``vbe run --xen`` end to end (one Xen boot: marked ``xen``) and ``vbe xen`` usage errors
(no boot)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pyhost.xen.artefacts import XenImages

REPO = Path(__file__).resolve().parents[2]


def vbe(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=f"{REPO / 'tools'}:{REPO}")
    return subprocess.run(
        [sys.executable, "-m", "vbe", *args], capture_output=True, text=True, env=env,
        timeout=timeout, check=False,
    )  # fmt: skip


def test_xen_boot_cmd_needs_a_domain() -> None:
    p = vbe("xen", "boot", "--cmd", "i2cdetect -y 0")
    assert p.returncode == 2 and "DOMAIN: COMMAND" in p.stderr


@pytest.mark.xen
def test_vbe_run_xen_reports_every_step_as_expected(xen_images: XenImages) -> None:
    p = vbe("run", "--xen", "--json")
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    doc = json.loads(p.stdout)
    assert doc["ok"] and set(doc["guests"]) == {"ivi", "cluster"}
    for name, g in doc["guests"].items():
        assert g["steps"] and all(s["passed"] for s in g["steps"]), name
    assert doc["bus_log"] and doc["platform_ops"]
    assert any(k.startswith("DomU cluster") for k in doc["marks"])
