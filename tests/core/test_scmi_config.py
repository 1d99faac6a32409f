"""vbe_scmi_server_init() and vbe_sys_init_devices() refuse invalid SCMI configurations.

scmi_config_cases.c (beside this file) is built on the host with gcc against the core
sources vbe_core.cmake lists (ASan + UBSan when the compiler has them). Each case starts from
one small valid configuration, breaks exactly one thing, and calls both inits; "_ok" cases are
the boundary values next to a check, which must still be accepted. Every refusal is -EINVAL
and the server logs nothing, so a case could pass by tripping some other check: the "_ok"
neighbours, and the rule that each case changes one field of a base that is accepted, are
what tie a case to its check.

What the caller sees:
- vbe_scmi_server_init(): -EINVAL for every problem, no log line (init failures are not
  logged), so the problems are indistinguishable to the caller;
- vbe_sys_init_devices(): -EINVAL and one generic line ("sys: SCMI platform configuration:
  -22") for all of them; its own checks of the guests' agents name the guest and the agent.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

import pytest

HERE = Path(__file__).resolve().parent
CORE = HERE.parents[1] / "zephyr-app" / "lib"
PROGRAM = HERE / "scmi_config_cases.c"
SANITIZERS = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all"]

EINVAL = -errno.EINVAL
SYS_SCMI = f"err: sys: SCMI platform configuration: {EINVAL}"
SYS_GUEST1 = "err: sys: guest 1 (cluster): SCMI"
NO_PLATFORM = "err: sys: guest 0 (ivi): SCMI agent 1 but no SCMI platform"


class Expect(NamedTuple):
    server_rc: int
    sys_rc: int
    sys_log: str  # "-": nothing logged


ACCEPTED = Expect(0, 0, "-")
REFUSED = Expect(EINVAL, EINVAL, SYS_SCMI)

CASES: dict[str, Expect] = {
    "base_ok": ACCEPTED,
    # arguments and top-level counts
    "server_null": Expect(EINVAL, 0, "-"),  # vbe_sys passes its own server
    "cfg_null": Expect(EINVAL, EINVAL, NO_PLATFORM),  # vbe_sys: scmi = NULL, guests have agents
    "plat_null": Expect(EINVAL, EINVAL, "-"),  # vbe_sys refuses it before the SCMI check
    "agents_at_max_ok": ACCEPTED,
    "agents_too_many": REFUSED,
    "agents_table_null": REFUSED,
    "no_agents_ok": ACCEPTED,
    "devices_at_max_ok": ACCEPTED,
    "devices_too_many": REFUSED,
    "devices_table_null": REFUSED,  # device names are read from it (SET_DEVICE_PERMISSIONS)
    "no_devices_ok": ACCEPTED,
    # per kind: no more than VBE_SCMI_MAX_*
    "tables_at_max_ok": ACCEPTED,
    "clocks_too_many": REFUSED,
    "power_too_many": REFUSED,
    "perf_too_many": REFUSED,
    "sensors_too_many": REFUSED,
    "resets_too_many": REFUSED,
    "voltages_too_many": REFUSED,
    # per kind: a NULL table with a non-zero count
    "clocks_table_null": REFUSED,
    "power_table_null": REFUSED,
    "perf_table_null": REFUSED,
    "sensors_table_null": REFUSED,
    "resets_table_null": REFUSED,
    "voltages_table_null": REFUSED,
    "empty_tables_null_ok": ACCEPTED,
    # every resource: a name, a device that exists
    "clock_name_null": REFUSED,
    "reset_name_null": REFUSED,
    "device_last_ok": ACCEPTED,
    "power_device_past_end": REFUSED,
    "voltage_device_past_end": REFUSED,
    # clock rates: list (1..32, strictly ascending, <= INT64_MAX) or range {min <= max, step > 0}
    "clock_rates_null": REFUSED,
    "clock_list_empty": REFUSED,
    "clock_list_at_max_ok": ACCEPTED,
    "clock_list_too_long": REFUSED,
    "clock_list_unsorted": REFUSED,
    "clock_list_duplicate": REFUSED,
    "clock_rate_int64_max_ok": ACCEPTED,
    "clock_rate_over_int64": REFUSED,
    "clock_range_two_entries": REFUSED,
    "clock_range_min_eq_max_ok": ACCEPTED,
    "clock_range_min_gt_max": REFUSED,
    "clock_range_step_zero": REFUSED,
    # perf levels: 1..32, strictly ascending, the first > 0; sustained one of them
    "perf_levels_null": REFUSED,
    "perf_no_levels": REFUSED,
    "perf_list_too_long": REFUSED,
    "perf_sustained_last_ok": ACCEPTED,
    "perf_sustained_past_end": REFUSED,
    "perf_first_level_zero": REFUSED,
    "perf_levels_descending": REFUSED,
    "perf_levels_duplicate": REFUSED,
    # sensors: trip points <= VBE_SCMI_MAX_TRIPS, scale -16..15
    "sensor_limits_ok": ACCEPTED,
    "sensor_trips_too_many": REFUSED,
    "sensor_scale_below_min": REFUSED,
    "sensor_scale_above_max": REFUSED,
    # regulator levels: as clock rates
    "voltage_levels_null": REFUSED,
    "voltage_list_empty": REFUSED,
    "voltage_list_duplicate": REFUSED,
    "voltage_list_unsorted": REFUSED,
    "voltage_range_four_entries": REFUSED,
    "voltage_range_min_eq_max_ok": ACCEPTED,
    "voltage_range_min_gt_max": REFUSED,
    "voltage_range_step_negative": REFUSED,
    # agents and grants
    "agent_name_null": REFUSED,
    "agent_grants_null": REFUSED,
    "agent_grants_null_count_zero_ok": ACCEPTED,
    "grant_last_resource_ok": ACCEPTED,
    "grant_clock_past_end": REFUSED,
    "grant_voltage_past_end": REFUSED,
    "grant_perms_unknown_bit": REFUSED,
    "grant_duplicate": REFUSED,
    # vbe_sys: the guests' agents (the SCMI configuration itself is valid)
    "sys_agent_past_end": Expect(0, EINVAL, f"{SYS_GUEST1} agent 3: {EINVAL}"),
    # -EBUSY from vbe_scmi_dev_init() is in the log only: the caller gets -EINVAL
    "sys_agent_taken": Expect(0, EINVAL, f"{SYS_GUEST1} agent 1: {-errno.EBUSY}"),
    "sys_too_many_guests": Expect(0, EINVAL, "-"),
    "sys_guests_null": Expect(0, EINVAL, "-"),
    "sys_no_scmi_platform": Expect(0, EINVAL, NO_PLATFORM),
}


def core_sources() -> list[Path]:
    """The sources vbe_core.cmake lists: the one list every build of the core uses."""
    found = re.findall(r"\$\{VBE_CORE_DIR\}/(\S+\.c)", (CORE / "vbe_core.cmake").read_text())
    assert found, "no sources found in vbe_core.cmake"
    return [CORE / f for f in found]


def sanitizers_work(cc: str, tmp: Path) -> bool:
    src = tmp / "probe.c"
    src.write_text("int main(void) { return 0; }\n")
    exe = tmp / "probe"
    cmd = [cc, *SANITIZERS, str(src), "-o", str(exe)]
    if subprocess.run(cmd, capture_output=True, check=False).returncode != 0:
        return False
    return subprocess.run([str(exe)], capture_output=True, check=False).returncode == 0


def run_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    env["ASAN_OPTIONS"] = "detect_leaks=0"
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    return env


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str, int, str]]:
    cc = shutil.which("gcc")
    if cc is None:
        pytest.fail("gcc is missing: run scripts/setup")
    out = tmp_path_factory.mktemp("scmi_config")
    flags = SANITIZERS if sanitizers_work(cc, out) else []
    includes = [f"-I{d}" for d in sorted(CORE.glob("*/include")) if d.parent.name != "host"]
    exe = out / "scmi_config_cases"
    cmd = [
        cc, "-std=c11", "-g", "-O1", "-Wall", "-Wextra", "-Werror", *flags, *includes,
        str(PROGRAM), *map(str, core_sources()), "-o", str(exe),
    ]  # fmt: skip
    built = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert built.returncode == 0, f"{PROGRAM.name} does not build:\n{built.stderr}"
    proc = subprocess.run(
        [str(exe)], capture_output=True, text=True, check=False, env=run_env(), timeout=120
    )
    assert proc.returncode == 0 and not proc.stderr, (
        f"{PROGRAM.name} failed (rc {proc.returncode}):\n{proc.stderr[-6000:]}\n{proc.stdout}"
    )
    found = {}
    for line in proc.stdout.splitlines():
        name, server_rc, server_log, sys_rc, sys_log = line.split("\t")
        found[name] = (int(server_rc), server_log, int(sys_rc), sys_log)
    return found


def test_every_case_is_expected(results: dict[str, tuple[int, str, int, str]]) -> None:
    """The C program and this table list the same cases, in any order."""
    assert sorted(results) == sorted(CASES)


def test_enough_cases_break_something() -> None:
    refused = [n for n, e in CASES.items() if EINVAL in (e.server_rc, e.sys_rc)]
    assert len(refused) >= 30, refused


@pytest.mark.parametrize("name", list(CASES))
def test_config_case(name: str, results: dict[str, tuple[int, str, int, str]]) -> None:
    want = CASES[name]
    assert name in results, f"{name}: not run by {PROGRAM.name}"
    server_rc, server_log, sys_rc, sys_log = results[name]
    assert server_rc == want.server_rc, f"{name}: vbe_scmi_server_init() gave {server_rc}"
    # init failures are not logged: the caller's errno is all there is
    assert server_log == "-", f"{name}: vbe_scmi_server_init() logged {server_log!r}"
    assert sys_rc == want.sys_rc, f"{name}: vbe_sys_init_devices() gave {sys_rc}"
    assert sys_log == want.sys_log, f"{name}: vbe_sys_init_devices() logged {sys_log!r}"
