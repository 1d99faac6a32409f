"""Fixtures: ``vbe serve`` in a subprocess, one per test, always stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


class Served:
    def __init__(self, proc: subprocess.Popen[str], path: Path, log: Path) -> None:
        self.proc, self.path, self.log = proc, path, log

    def alive(self) -> bool:
        return self.proc.poll() is None

    def output(self) -> str:
        return self.log.read_text()

    def wait_log(self, text: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = self.output()
            if text in out:
                return out
            if not self.alive():
                break
            time.sleep(0.02)
        pytest.fail(f"daemon log never showed {text!r}:\n{self.output()}")


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(guest: str = "ivi", device: str = "i2c", verbose: bool = False,
              connect: bool = False) -> Served:  # fmt: skip
        path = tmp_path / f"{guest}-{device}.sock"
        log = tmp_path / f"{guest}-{device}.log"
        env = dict(os.environ, PYTHONPATH=f"{REPO}/tools:{REPO}")
        with log.open("w") as f:
            proc = subprocess.Popen(
                [sys.executable, "-m", "vbe", *(["-vv"] if verbose else []), "serve",
                 "--socket", str(path), "--guest", guest,
                 "--device", device, *(["--connect"] if connect else [])],
                stdout=f, stderr=subprocess.STDOUT, text=True, env=env, cwd=REPO,
            )  # fmt: skip
        s = Served(proc, path, log)
        started.append(s)
        s.wait_log("connecting to the front-end" if connect else "waiting for a front-end",
                   timeout=30.0)  # fmt: skip
        return s

    yield start
    for s in started:
        if s.alive():
            s.proc.send_signal(signal.SIGTERM)
            try:
                s.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                s.proc.kill()
                s.proc.wait(timeout=10)
