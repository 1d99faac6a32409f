"""pytest plugin (entry point ``pytest11: vbe``): machines and devices as fixtures.

    --machine NAME   run machine-based tests on this machine; repeat or comma-separate
                     for several (``--machine inprocess --machine qemu``, ``--machine all``).
                     Each test using ``machine`` runs once per name. Default: every machine
                     that can run here: inprocess, and qemu when qemu-system-aarch64 >= 10
                     is installed (otherwise a warning says why not). The pytest header
                     names the machines in use. VBE_MACHINES=a,b sets the default.

Fixtures:
    machine   a launched Machine (closed after the test, whatever happens)
    echo      an EchoWindow: one window with the core's echo device. Tests may pass
              constructor arguments: @pytest.mark.parametrize("echo", [dict(size=...)],
              indirect=True)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from pyhost.echo import EchoWindow
from pyhost.machine import MACHINES, Machine, make_machine
from pyhost.machine.qemu_image import qemu_available

_MACHINES_KEY = pytest.StashKey[list[str]]()
_WHY_KEY = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("vbe", "vbe harness")
    group.addoption(
        "--machine",
        action="append",
        metavar="NAME",
        help=f"machine to run machine tests on, repeatable or comma-separated "
        f"(known: {', '.join(MACHINES)}, or 'all'; default: every one that can run here)",
    )


def _selected(config: pytest.Config) -> tuple[list[str], str]:
    """The machines to run on and how they were chosen (for the header)."""
    given: list[str] = config.getoption("machine") or []
    env = os.environ.get("VBE_MACHINES", "")
    names = [n for arg in (given or [env]) for n in arg.split(",") if n.strip()]
    names = [n.strip() for n in names]
    if names and names != ["all"]:
        unknown = [n for n in names if n not in MACHINES]
        if unknown:
            raise pytest.UsageError(
                f"--machine {', '.join(unknown)}: unknown; known: {', '.join(MACHINES)}, all"
            )
        how = "--machine" if given else "VBE_MACHINES"
        return list(dict.fromkeys(names)), f"chosen by {how}"
    ok, why = qemu_available()
    if ok:
        return ["inprocess", "qemu"], f"every machine that runs here; qemu: {why}"
    if names == ["all"]:
        raise pytest.UsageError(f"--machine all: the qemu machine cannot run here: {why}")
    config.issue_config_time_warning(
        pytest.PytestConfigWarning(f"vbe: machine-parametrized tests run in-process only: {why}"),
        stacklevel=2,
    )
    return ["inprocess"], f"qemu left out: {why}"


def pytest_configure(config: pytest.Config) -> None:
    names, why = _selected(config)
    config.stash[_MACHINES_KEY] = names
    config.stash[_WHY_KEY] = why


def pytest_report_header(config: pytest.Config) -> str:
    return f"vbe machines: {', '.join(config.stash[_MACHINES_KEY])} ({config.stash[_WHY_KEY]})"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "machine" in metafunc.fixturenames:
        names = metafunc.config.stash[_MACHINES_KEY]
        metafunc.parametrize("machine", names, indirect=True, ids=[f"m={n}" for n in names])


@pytest.fixture
def machine(request: pytest.FixtureRequest) -> Iterator[Machine]:
    # a failed launch releases what it took; the with closes the machine whatever the test does
    with make_machine(request.param) as m:
        yield m


@pytest.fixture
def echo(request: pytest.FixtureRequest) -> Iterator[EchoWindow]:
    kwargs: dict[str, Any] = getattr(request, "param", None) or {}
    e = EchoWindow(**kwargs)
    try:
        yield e
    finally:
        e.close()


# ---- device fixtures (virtio-i2c: `i2c`; later virtio-scmi) go below this line ----

# ---- virtio-i2c fixtures (i2c), kept in pyhost/fixtures_i2c.py by the I2C side ----
from pyhost.fixtures_i2c import i2c  # noqa: F401  (re-exported for pytest)

# ---- virtio-scmi fixtures (scmi), kept in pyhost/fixtures_scmi.py by the SCMI side ----
from pyhost.fixtures_scmi import scmi  # noqa: F401  (re-exported for pytest)
