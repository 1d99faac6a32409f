# SPDX-License-Identifier: Apache-2.0
"""zephyr-app/sample.yaml: what `west twister -T zephyr-app` runs.

The rules are those of twister's scripts/schemas/twister/testsuite-schema.yaml (a pykwalify
schema; the revision read types platform_allow and tags as strings, newer ones also accept
lists, and names scenarios with [a-zA-Z0-9_] and dots), written here as a pykwalify schema
of our own for the keys sample.yaml may use. The console harness's regex must match the
readiness line the bare-metal image really prints (booted here in QEMU when it can be) and
the line zephyr-app/src/main.c prints.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "zephyr-app" / "sample.yaml"

_STR = {"type": "str", "required": False}
_STRS = {"type": "seq", "required": False, "sequence": [{"type": "str"}]}
_HARNESS_CONFIG = {
    "type": "map",
    "required": False,
    "mapping": {
        "type": {"type": "str", "required": False, "enum": ["one_line", "multi_line"]},
        "ordered": {"type": "bool", "required": False},
        "regex": _STRS,
        "fixture": _STR,
    },
}
_SCENARIO_KEYS = {
    "tags": _STR,
    "platform_allow": _STR,
    "platform_exclude": _STR,
    "integration_platforms": _STRS,
    "timeout": {"type": "int", "required": False},
    "harness": {"type": "str", "required": False, "enum": ["console", "ztest", "pytest"]},
    "harness_config": _HARNESS_CONFIG,
    "extra_args": _STR,
    "extra_configs": _STRS,
    "build_only": {"type": "bool", "required": False},
    "filter": _STR,
}
SCHEMA = {
    "type": "map",
    "mapping": {
        "sample": {
            "type": "map",
            "required": False,
            "mapping": {"name": {"type": "str", "required": True}, "description": _STR},
        },
        "common": {"type": "map", "required": False, "mapping": _SCENARIO_KEYS},
        "tests": {
            "type": "map",
            "required": True,
            "mapping": {
                "regex;(^[a-zA-Z0-9_.]+$)": {
                    "type": "map",
                    "required": False,
                    "mapping": _SCENARIO_KEYS,
                }
            },
        },
    },
}


def _doc() -> dict:
    return yaml.safe_load(SAMPLE.read_text())


def test_sample_yaml_follows_twisters_schema() -> None:
    from pykwalify.core import Core

    Core(source_data=_doc(), schema_data=SCHEMA).validate(raise_exception=True)


def test_schema_refuses_what_twister_refuses() -> None:
    from pykwalify.core import Core
    from pykwalify.errors import SchemaError

    bad = _doc()
    bad["common"]["platform_alow"] = "qemu_cortex_a53"
    with pytest.raises(SchemaError):
        Core(source_data=bad, schema_data=SCHEMA).validate(raise_exception=True)


def _scenarios() -> dict[str, dict]:
    doc = _doc()
    return {name: {**doc.get("common", {}), **s} for name, s in doc["tests"].items()}


def _run_scenarios() -> dict[str, dict]:
    return {n: s for n, s in _scenarios().items() if not s.get("build_only")}


def test_runs_on_qemu_cortex_a53_with_a_console_harness() -> None:
    assert _run_scenarios()
    for name, s in _run_scenarios().items():
        assert "qemu_cortex_a53" in s["platform_allow"].split(), name
        assert s["harness"] == "console" and s["harness_config"]["regex"], name


def test_xen_dom0_scenario_builds_for_xenvm_with_its_board_files() -> None:
    """Running it needs Xen as QEMU's kernel, which twister's QEMU runner does not start: it
    is build-only. Its platform gets boards/xenvm.overlay and .conf (Zephyr picks files of
    the board's name for every variant) and the GICv3 overlay of its variant."""
    (xen,) = [s for s in _scenarios().values() if s.get("build_only")]
    assert xen["build_only"] is True
    assert xen["platform_allow"].split() == ["xenvm/xenvm/gicv3"]
    assert xen["integration_platforms"] == ["xenvm/xenvm/gicv3"]
    boards = ROOT / "zephyr-app" / "boards"
    for name in ("xenvm.overlay", "xenvm.conf", "xenvm.cmake", "xenvm_xenvm_gicv3.overlay"):
        assert (boards / name).is_file(), name


def _regexes() -> list[str]:
    return [r for s in _run_scenarios().values() for r in s["harness_config"]["regex"]]


def test_regex_matches_the_zephyr_apps_readiness_line() -> None:
    main = (ROOT / "zephyr-app" / "src" / "main.c").read_text()
    m = re.search(r'#define VBE_ZEPHYR_READY_LINE "([^"]*)"', main)
    assert m and re.search(r'printk\(VBE_ZEPHYR_READY_LINE "\\n"\)', main)
    for r in _regexes():
        assert re.search(r, m.group(1)), r


def test_regex_matches_the_line_the_bare_metal_image_prints() -> None:
    """Boots the bare-metal image (pyhost's QEMU machine) and reads its console."""
    qemu = pytest.importorskip("pyhost.machine.qemu")
    machine = qemu.QemuMachine()
    try:
        machine.launch()
    except Exception as e:  # noqa: BLE001 - no QEMU or no image here: say so
        pytest.skip(f"the bare-metal image did not boot here ({e})")
    try:
        lines = machine.console_log.read_text(errors="replace").splitlines()
    finally:
        machine.close()
    ready = [line for line in lines if qemu.READY_LINE in line]
    assert ready, lines
    for r in _regexes():
        assert any(re.search(r, line) for line in ready), (r, ready)
