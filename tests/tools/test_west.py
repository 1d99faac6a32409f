"""``west vbe``: the generated west-commands.yml is current, and ``west vbe`` works in a
workspace made with ``west init -l`` on a copy of this repository, before ``west update``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from vbe.westyml import WEST_COMMANDS, west_commands_yml

REPO = Path(__file__).resolve().parents[2]
IGNORE = shutil.ignore_patterns(
    "build", ".git", "*.egg-info", ".pytest_cache", "__pycache__", ".ruff_cache", ".benchmarks"
)


def test_west_commands_yml_up_to_date() -> None:
    assert WEST_COMMANDS.read_text() == west_commands_yml(), (
        "scripts/west-commands.yml is out of date: run python -m vbe.westyml"
    )


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k != "ZEPHYR_BASE"}
    # the west installed beside this interpreter (the set-up's virtual environment) first,
    # also when the suite runs as .venv/bin/python -m pytest without activating it
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    west = shutil.which("west", path=env["PATH"])
    if west is None:
        pytest.skip("west is not installed (scripts/setup installs it into .venv)")
    top = tmp_path_factory.mktemp("ws")
    shutil.copytree(REPO, top / "vbe", ignore=IGNORE)
    env.update(WEST_CONFIG_GLOBAL=str(top / "global.cfg"), NO_COLOR="1")
    r = subprocess.run(
        [west, "init", "-l", "vbe"],
        cwd=top,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert not (top / "zephyr").exists()
    return top, env


def west(ws: tuple[Path, dict[str, str]], *args: str) -> subprocess.CompletedProcess[str]:
    top, env = ws
    return subprocess.run(
        ["west", *args], cwd=top, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_west_vbe_help(workspace: tuple[Path, dict[str, str]]) -> None:
    r = west(workspace, "vbe", "--help")
    assert r.returncode == 0, r.stderr
    for name in ("run", "i2c", "check", "gen", "build"):
        assert f"    {name} " in r.stdout


def test_west_help_lists_vbe(workspace: tuple[Path, dict[str, str]]) -> None:
    r = west(workspace, "help")
    assert r.returncode == 0, r.stderr
    assert "vbe:" in r.stdout


def test_west_vbe_check(workspace: tuple[Path, dict[str, str]]) -> None:
    r = west(workspace, "vbe", "check", "vbe/examples/demo.yaml")
    assert r.returncode == 0, r.stderr
    assert ': valid: system "demo"' in r.stdout
    bad = west(workspace, "vbe", "gen", "vbe/examples/demo.yaml")
    assert bad.returncode == 2  # -o missing: a usage error, as with vbe
