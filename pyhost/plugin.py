"""pytest plugin (entry point ``pytest11: vbe``): machines and devices as fixtures.

    --machine NAME   run machine-based tests on this machine; repeat for several
                     (default: inprocess). Each test using ``machine`` runs once per name.

Fixtures:
    machine   a launched Machine (closed after the test, whatever happens)
    echo      an EchoWindow: one window with the core's echo device. Tests may pass
              constructor arguments: @pytest.mark.parametrize("echo", [dict(size=...)],
              indirect=True)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pyhost.echo import EchoWindow
from pyhost.machine import MACHINES, Machine, make_machine


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("vbe", "vbe harness")
    group.addoption(
        "--machine",
        action="append",
        metavar="NAME",
        help=f"machine to run machine tests on, repeatable (known: {', '.join(MACHINES)}; "
        "default: inprocess)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "machine" in metafunc.fixturenames:
        names = metafunc.config.getoption("machine") or ["inprocess"]
        unknown = [n for n in names if n not in MACHINES]
        if unknown:
            raise pytest.UsageError(
                f"--machine {', '.join(unknown)}: unknown; known: {', '.join(MACHINES)}"
            )
        metafunc.parametrize("machine", names, indirect=True, ids=[f"m={n}" for n in names])


@pytest.fixture
def machine(request: pytest.FixtureRequest) -> Iterator[Machine]:
    m = make_machine(request.param)
    try:
        m.launch()
        yield m
    finally:
        m.close()


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
