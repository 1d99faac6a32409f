"""Benchmarks run only when asked for (``pytest -m bench``); a plain run skips them."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "bench" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="benchmark: run with -m bench")
    for item in items:
        if item.get_closest_marker("bench"):
            item.add_marker(skip)


from pyhost.linux.fixtures import linux_images  # noqa: F401 (bench_linux's guest)
