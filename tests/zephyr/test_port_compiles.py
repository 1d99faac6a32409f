# SPDX-License-Identifier: Apache-2.0
"""The Zephyr port's platform files compile, and the sensor scaling is right, without Zephyr.

There is no Zephyr tree here, so zephyr-app/src/plat_zephyr*.c are compiled with the host gcc
(-std=c11 -Wall -Wextra -Werror, as the core) against tests/zephyr/stubs/: stand-in headers
that declare exactly the Zephyr prototypes the port was checked against (each file names the
upstream header it was read from) and a fake generated devicetree in the shape `vbe gen`
writes. Each file is compiled with every SCMI kind hooked up, with none, and with clocks
only, so code that only builds under some CONFIG_VBE_SCMI_* shows up here. A signature the
port gets wrong (a uint64_t * for clock_control_get_rate's uint32_t *, a missing argument, a
table macro that does not expand to an initializer) fails here; drift in Zephyr itself shows
up as a difference between a stub and its upstream header, in one place.

Then plat_zephyr_sensor.c runs on the host with stand-in sensor drivers
(stubs/sensor_harness.c): struct sensor_value to the SCMI unit and scale, the unit check.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "zephyr-app" / "src"
LIB = ROOT / "zephyr-app" / "lib"
STUBS = Path(__file__).with_name("stubs")

KINDS = ("CLOCKS", "POWER_DOMAINS", "RESETS", "REGULATORS", "SENSORS")
CONFIGS = {
    "all-kinds": [f"-DCONFIG_VBE_SCMI_{k}=1" for k in KINDS],
    "no-kinds": ["-DSTUB_EMPTY_TREE"],
    "clocks-only": ["-DCONFIG_VBE_SCMI_CLOCKS=1"],
}
PORT_FILES = sorted(p.name for p in SRC.glob("plat_zephyr*.c"))


def _gcc() -> str:
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc not installed")
    return gcc


def _flags() -> list[str]:
    includes = [f"-I{d}" for d in sorted(LIB.glob("*/include"))]
    return [
        "-std=c11",
        "-Wall",
        "-Wextra",
        "-Werror",
        f"-I{STUBS}",
        *includes,
        f"-I{SRC}",
        "-include",
        str(SRC / "port_zephyr.h"),
        "-DCONFIG_VBE_LOG_LEVEL=3",
    ]


def test_every_platform_file_is_checked() -> None:
    assert {"plat_zephyr.c", "plat_zephyr_clock.c", "plat_zephyr_power.c"} <= set(PORT_FILES)
    assert {"plat_zephyr_reset.c", "plat_zephyr_regulator.c"} <= set(PORT_FILES)
    assert {"plat_zephyr_sensor.c", "plat_zephyr_i2c.c"} <= set(PORT_FILES)


@pytest.mark.parametrize("config", list(CONFIGS))
@pytest.mark.parametrize("source", PORT_FILES)
def test_compiles_against_the_checked_prototypes(source: str, config: str) -> None:
    proc = subprocess.run(
        [_gcc(), *_flags(), *CONFIGS[config], "-fsyntax-only", str(SRC / source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    exe = tmp_path_factory.mktemp("harness") / "sensor_harness"
    proc = subprocess.run(
        [
            _gcc(),
            *_flags(),
            "-DCONFIG_VBE_SCMI_SENSORS=1",
            str(SRC / "plat_zephyr_sensor.c"),
            str(STUBS / "sensor_harness.c"),
            "-o",
            str(exe),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    run = subprocess.run([str(exe)], capture_output=True, text=True, check=True, timeout=30)
    out: dict[str, str] = {}
    for line in run.stdout.splitlines():
        if " -> " in line:
            case, result = line.split(" -> ")
            out.setdefault(case, result)  # the first read of a sensor
            out[f"last {case}"] = result
        else:
            out.setdefault("log", "")
            out["log"] += line + "\n"
    return out


@pytest.mark.parametrize(
    "case, result",
    [
        ("scale 45 678900 -3", "0 45678"),  # 45.6789 C in mC, truncated
        ("scale -1 -250000 -3", "0 -1250"),  # -1.25 A in mA
        ("scale 0 -500000 0", "0 0"),  # -0.5 toward zero
        ("scale 2400 0 0", "0 2400"),  # RPM
        ("scale 1 500000 -9", "0 1500000000"),  # 1.5 V in nV
        ("scale 2147483647 999999 -16", "-34 0"),  # does not fit: -ERANGE
        ("scale -2147483647 0 15", "0 0"),
    ],
)
def test_sensor_value_to_scmi_scale(harness: dict[str, str], case: str, result: str) -> None:
    assert harness[case] == result


def test_sensor_reads(harness: dict[str, str]) -> None:
    assert harness["read 2"] == "0 45678"  # die_temp, mC
    assert harness["read 7"] == "-95 0"  # volts described, current channel: -ENOTSUP
    assert "SCMI unit 5 is not the unit of Zephyr channel" in harness["log"]
    assert harness["read 3"] == "-38 0"  # no hookup: -ENOSYS, NOT_SUPPORTED
    assert harness["read 99"] == "-22 0"  # past the table: -EINVAL
    assert harness["last read 7"] == "0 -1250000"  # described again, in uA
