"""``vbe check``, ``vbe gen`` and ``vbe build --host`` as a user runs them: exit codes,
what they print, and that nothing is written when the description is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "demo.yaml"
SOC = REPO / "examples" / "soc-3guests.yaml"

BROKEN = """\
system: {name: x, board: qemu_virt_baremetal}
platform:
  i2c_buses:
    - name: i2c0
      targets: [{name: eeprom, address: 0x50, kind: at24}]
guests:
  - name: a
    window: {size: 64K}
    i2c:
      bus: i2c0
      devices: [{target: eeprm}]
"""


def vbe(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vbe", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    p = tmp_path / "broken.yaml"
    p.write_text(BROKEN)
    return p


@pytest.mark.parametrize("example", [DEMO, SOC], ids=["demo", "soc-3guests"])
def test_check_examples(example: Path) -> None:
    r = vbe("check", example)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 1 and ": valid" in lines[0] and ": system " in lines[0]
    # soc-3guests runs on a Zephyr board but names no board devices: a warning per SCMI kind
    warnings = r.stderr.splitlines()
    assert all(w.startswith("WARNING: ") and "NOT_SUPPORTED" in w for w in warnings), warnings
    assert (example == SOC) == bool(warnings)


def test_check_broken(broken: Path) -> None:
    r = vbe("check", broken)
    assert r.returncode == 1
    assert r.stdout == ""
    assert (
        f'ERROR: {broken}:11: guests[0].i2c.devices[0].target: no target "eeprm" on bus '
        '"i2c0" (did you mean "eeprom"?)' in r.stderr
    )
    assert r.stderr.rstrip().endswith(f"ERROR: {broken}: 1 error")


def test_check_missing_file(tmp_path: Path) -> None:
    r = vbe("check", tmp_path / "nope.yaml")
    assert r.returncode == 1
    assert "no such file" in r.stderr


def test_gen_writes_nothing_on_error(broken: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = vbe("gen", broken, "-o", out)
    assert r.returncode == 1
    assert "nothing was written" in r.stderr
    assert not out.exists()


def test_gen_usage_errors(tmp_path: Path) -> None:
    r = vbe("gen", DEMO, "-o", tmp_path, "--only", "c,bogus")
    assert r.returncode == 2
    assert "unknown artefact bogus" in r.stderr
    assert vbe("gen", DEMO).returncode == 2  # -o is required


def test_gen_twice_same_bytes_and_untouched(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    r = vbe("gen", SOC, "-o", a)
    assert r.returncode == 0, r.stderr
    assert "GEN " in r.stdout and "13 files" in r.stdout
    assert vbe("gen", SOC, "-o", b).returncode == 0
    names = sorted(p.name for p in a.iterdir())
    assert names == [
        "linux-cluster.dtsi",
        "linux-ivi.dtsi",
        "linux-tcu.dtsi",
        "manifest.json",
        "system.svg",
        "vbe.conf",
        "vbe.overlay",
        "vbe_sys_cfg.c",
        "vbe_xen_cfg.c",
        "xen-cluster.dts",
        "xen-host.dtsi",
        "xen-ivi.dts",
        "xen-tcu.dts",
    ]
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes()
    mtimes = {n: (a / n).stat().st_mtime_ns for n in names}
    r = vbe("gen", SOC, "-o", a)
    assert "SAME" in r.stdout and "(0 changed)" in r.stdout
    assert {n: (a / n).stat().st_mtime_ns for n in names} == mtimes
    assert not [p for p in a.iterdir() if p.name.startswith(".vbe-gen-")]


def test_gen_only(tmp_path: Path) -> None:
    r = vbe("gen", DEMO, "-o", tmp_path, "--only", "manifest")
    assert r.returncode == 0, r.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


def test_build_host(tmp_path: Path) -> None:
    r = vbe("build", "--host", DEMO, "-o", tmp_path)
    assert r.returncode == 0, r.stderr
    lib = Path(r.stdout.strip().splitlines()[-1])
    assert lib == tmp_path / "libvbe_sys.so" and lib.is_file()
    assert "up to date" in vbe("build", "--host", DEMO, "-o", tmp_path).stdout


def test_build_host_needs_a_system() -> None:
    r = vbe("build", "--host")
    assert r.returncode == 2
    assert "--host needs SYSTEM.yaml" in r.stderr


def test_help_lists_the_commands() -> None:
    r = vbe("--help")
    for name in ("check", "gen", "build"):
        assert f"    {name} " in r.stdout
