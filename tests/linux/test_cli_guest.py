"""The `vbe guest` help examples run as written (marked ``linux``: they need the cached
guest; the quick suite's help-example test skips them because they are indented deeper)."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from vbe.commands.guest import GuestCommand

from pyhost.linux.fixtures import LinuxImages

pytestmark = pytest.mark.linux


def _examples() -> list[str]:
    group = GuestCommand()
    texts = [group.epilog or ""]
    for child in group.children:
        child.add_parser(argparse.ArgumentParser().add_subparsers())
        texts.append((child.parser.epilog if child.parser else "") or "")
    lines = [ln.strip() for t in texts for ln in t.splitlines() if ln.startswith("    vbe guest")]
    return [ln for ln in lines if " -- " not in ln]  # those need a vhost-user backend


@pytest.mark.parametrize("line", _examples())
def test_guest_help_example_runs(line: str, linux_images: LinuxImages) -> None:
    command = line.partition("  ")[0]
    args = shlex.split(command)[1:]
    p = subprocess.run(
        [sys.executable, "-m", "vbe", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert p.returncode == 0, f"{command}: {p.stdout}{p.stderr}"
    if "boot" in args:
        assert "guest up: Linux" in p.stdout + p.stderr


def test_boot_as_a_system_guest_serves_its_devices(linux_images: LinuxImages) -> None:
    p = subprocess.run(
        [sys.executable, "-m", "vbe", "guest", "boot", "--as", "cluster", "--serve",
         "--cmd", "dmesg | grep -c 'SCMI Protocol v2.1'", "--cmd", "ls /sys/kernel/debug/clk"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert p.returncode == 0, p.stdout + p.stderr
    lines = p.stdout.splitlines()
    up = next(i for i, ln in enumerate(lines) if ln.startswith("guest up: Linux"))
    assert lines[up + 1] == "1"  # arm_scmi probed the served agent
    clocks = set(" ".join(lines[up + 2 :]).split())
    assert {"uart0", "can0", "cluster_pix"} <= clocks and "gpu" not in clocks


def test_boot_as_needs_a_backend() -> None:
    p = subprocess.run([sys.executable, "-m", "vbe", "guest", "boot", "--as", "ivi"],
                       capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert p.returncode == 2 and "--as GUEST needs --serve or --sockets DIR" in p.stderr


def test_vbe_run_drives_a_linux_guest_bridged_onto_the_backend(
    linux_images: LinuxImages, tmp_path: Path
) -> None:
    """... with an apt that now offers a linux-source nothing was built from (what an
    apt-get update after the build does): the cached guest is used all the same."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    calls = tmp_path / "apt-calls"
    apt = bindir / "apt-cache"
    apt.write_text(f'#!/bin/sh\necho "$@" >> {calls}\necho "  Candidate: 6.12.999-1~test1"\n')
    apt.chmod(0o755)
    env = dict(os.environ, PATH=f"{bindir}{os.pathsep}{os.environ['PATH']}")
    env.pop("VBE_LINUX_VERSION", None)
    p = subprocess.run(
        [sys.executable, "-m", "vbe", "run", "--machine", "inprocess", "--json", "--linux", "yes"],
        capture_output=True, text=True, timeout=300, check=False, env=env,
    )  # fmt: skip
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr
    assert not calls.exists(), "vbe run asked apt which kernel to boot"
    linux = json.loads(p.stdout)["linux"]
    assert linux["skipped"] is None and linux["release"].endswith("-vbe")
    assert len(linux["steps"]) == 5 and all(s["passed"] for s in linux["steps"])
