# SPDX-License-Identifier: Apache-2.0
"""The Zephyr port compiles as Zephyr's arm64 build compiles it, and behaves, without Zephyr.

There is no Zephyr tree here, so every file of the port (zephyr-app/src/*.c, main.c and
port_zephyr.c included) and every core source the module builds is compiled with
aarch64-linux-gnu-gcc and the flags of Zephyr's arm64 build (ZEPHYR_CFLAGS below, read in
Zephyr's cmake), -Werror, against tests/zephyr/stubs: stand-in headers with the upstream
signatures and macro shapes (each names the header it stands for), over a fake generated
devicetree (fake_dt.py) in the shape Zephyr's gen_defines.py writes. The stand-ins refuse
what Zephyr refuses where the port could get it wrong: DEVICE_DT_GET() of a node that is
not enabled does not compile, DEVICE_DT_GET_OR_NULL() tests the status,
DT_FOREACH_STATUS_OKAY() names nothing for a compatible without an enabled node, LOG_* need
a registered module, k_timeout_t is not an integer.

Then the platform files run on the host with stand-in drivers (stubs/harness.c), answering
what the core would put on the wire for each case.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fake_dt import Node, Phandle, Specifier, Tree, autoconf, kconfig_defaults

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "zephyr-app" / "src"
LIB = ROOT / "zephyr-app" / "lib"
STUBS = Path(__file__).with_name("stubs")
KINDS = ("CLOCKS", "POWER_DOMAINS", "RESETS", "REGULATORS", "SENSORS")

# The C standard of Zephyr's build: v4.2.0 (west.yml's pin) defaults to CONFIG_STD_C99 and
# passes -std=c99 (top-level CMakeLists.txt: CSTD from CONFIG_STD_C*; GNU extensions only with
# CONFIG_GNU_C_EXTENSIONS, default n); main moved the default to C17 in October 2025
# (zephyrproject-rtos/zephyr#97076). Both are checked.
ZEPHYR_STDS = ("-std=c99", "-std=c17")
# cmake/compiler/gcc/compiler_flags.cmake, property warning_base (plus the
# warning_extended and warning_error_implicit_int properties the top-level CMakeLists.txt
# adds), -Wdouble-promotion as newer trees add it; CONFIG_COMPILER_WARNINGS_AS_ERRORS gives
# -Werror. arch/arm64 builds for -mcpu of the SoC (qemu_cortex_a53: cortex-a53) with
# -mabi=lp64; CONFIG_SIZE_OPTIMIZATIONS (the default) gives -Os.
ZEPHYR_CFLAGS = [
    "-Wall",
    "-Wformat",
    "-Wformat-security",
    "-Wno-format-zero-length",
    "-Wno-main",
    "-Wno-pointer-sign",
    "-Wpointer-arith",
    "-Wexpansion-to-defined",
    "-Wno-address-of-packed-member",
    "-Wno-unused-but-set-variable",
    "-Werror=implicit-int",
    "-Wdouble-promotion",
    "-Werror",
    "-Os",
    "-fno-strict-aliasing",
    "-fno-common",
    "-ffunction-sections",
    "-fdata-sections",
    "-mcpu=cortex-a53",
    "-mabi=lp64",
]
# What the module's CMake adds to core sources (zephyr/CMakeLists.txt).
CORE_FLAGS = ["-std=c11", "-ffreestanding"]
# Zephyr symbols the port reads, as qemu_cortex_a53's configuration sets them.
ZEPHYR_CONFIG = {
    "CONFIG_ARM64": "1",
    "CONFIG_MMU": "1",
    "CONFIG_NUM_PREEMPT_PRIORITIES": "15",
    "CONFIG_TIMER_HAS_64BIT_CYCLE_COUNTER": "1",
    "CONFIG_VBE": "1",
    "CONFIG_VBE_LOG_LEVEL": "3",
}

CHOSEN = {"vbe,i2c-bus0": "/i2c@100"}
BASE_NODES = [
    Node("/i2c@100", ("vbe_i2c0",), ("zephyr,i2c-emul-controller",), reg=(0x100, 4)),
    Node("/reserved-memory"),
    Node("/reserved-memory/window@48000000", ("vbe_win0",), reg=(0x48000000, 0x40000)),
    Node("/reserved-memory/window@48040000", ("vbe_win1",), reg=(0x48040000, 0x40000)),
    # device nodes the hookups name; *_off are status = "disabled"
    Node("/firmware/scmi/protocol@14", ("scmi_clk",), ("arm,scmi-clock",), reg=(0x14, None)),
    Node("/osc", ("osc",), ("fixed-clock",)),
    Node("/rcc@40023800", ("rcc",), ("st,stm32f4-rcc",)),
    Node("/clk_off", ("clk_off",), ("arm,scmi-clock",), status="disabled"),
    Node("/pd_gpu", ("pd_gpu",), ("power-domain",)),
    Node("/pd_off", ("pd_off",), ("power-domain",), status="disabled"),
    Node("/rstc", ("rstc",), ("vnd,reset",)),
    Node("/rstc_off", ("rstc_off",), ("vnd,reset",), status="disabled"),
    Node("/ldo1", ("ldo1",), ("regulator-fixed",)),
    Node("/ldo_off", ("ldo_off",), ("regulator-fixed",), status="disabled"),
    Node("/tsens", ("tsens",), ("vnd,temp",)),
    Node("/ina", ("ina",), ("ti,ina230",)),
    Node("/vmon_off", ("vmon_off",), ("vnd,volt",), status="disabled"),
]


def _child(path: str, rid: int, **props: Phandle | Specifier | str) -> Node:
    return Node(path, reg=(rid, None), props={k.replace("_", "-"): v for k, v in props.items()})


HOOKUPS = {
    "CLOCKS": [
        Node("/scmi-clocks", compatible=("vbe,scmi-clocks",)),
        _child(
            "/scmi-clocks/clock@0",
            0,
            clocks=Specifier("/firmware/scmi/protocol@14", {"name": 12}),
            subsys_cell="name",
        ),
        _child("/scmi-clocks/clock@5", 5, clocks=Specifier("/osc")),
        _child(
            "/scmi-clocks/clock@6",
            6,
            clocks=Specifier("/rcc@40023800", {"bus": 0x30, "bits": 4}),
            subsys_cell="bits",
        ),
        _child(
            "/scmi-clocks/clock@7", 7, clocks=Specifier("/clk_off", {"name": 3}), subsys_cell="name"
        ),
    ],
    "POWER_DOMAINS": [
        Node("/scmi-power-domains", compatible=("vbe,scmi-power-domains",)),
        _child("/scmi-power-domains/domain@1", 1, domain=Phandle("/pd_gpu")),
        _child("/scmi-power-domains/domain@2", 2, domain=Phandle("/pd_off")),
    ],
    "RESETS": [
        Node("/scmi-resets", compatible=("vbe,scmi-resets",)),
        _child("/scmi-resets/reset@3", 3, resets=Specifier("/rstc", {"id": 4})),
        _child("/scmi-resets/reset@4", 4, resets=Specifier("/rstc_off", {"id": 1})),
    ],
    "REGULATORS": [
        Node("/scmi-regulators", compatible=("vbe,scmi-regulators",)),
        _child("/scmi-regulators/regulator@0", 0, regulator=Phandle("/ldo1")),
        _child("/scmi-regulators/regulator@1", 1, regulator=Phandle("/ldo_off")),
    ],
    "SENSORS": [
        Node("/scmi-sensors", compatible=("vbe,scmi-sensors",)),
        _child("/scmi-sensors/sensor@2", 2, sensor=Phandle("/tsens"), channel="die_temp"),
        _child("/scmi-sensors/sensor@7", 7, sensor=Phandle("/ina"), channel="current"),
        _child("/scmi-sensors/sensor@4", 4, sensor=Phandle("/vmon_off"), channel="voltage"),
    ],
}
# Device objects a driver would define: the enabled nodes the tree's hookups name.
DRIVEN = [
    "/i2c@100",
    "/firmware/scmi/protocol@14",
    "/osc",
    "/rcc@40023800",
    "/pd_gpu",
    "/rstc",
    "/ldo1",
    "/tsens",
    "/ina",
]
TREES = {
    "all-kinds": KINDS,
    "no-kinds": (),
    "clocks-only": ("CLOCKS",),
}


def tree(kinds: tuple[str, ...]) -> Tree:
    nodes = list(BASE_NODES)
    for k in kinds:
        nodes += HOOKUPS[k]
    return Tree(nodes, chosen=dict(CHOSEN))


def config(kinds: tuple[str, ...]) -> dict[str, str]:
    # CONFIG_VBE_SCMI_<KIND> is default y with depends on DT_HAS_VBE_SCMI_<KIND>_ENABLED.
    return {
        **kconfig_defaults(),
        **ZEPHYR_CONFIG,
        **{f"CONFIG_VBE_SCMI_{k}": "1" for k in kinds},
    }


def cross_gcc() -> str:
    gcc = shutil.which(os.environ.get("VBE_AARCH64_GCC", "aarch64-linux-gnu-gcc"))
    if gcc is None:
        pytest.skip("aarch64-linux-gnu-gcc not installed (Debian: gcc-aarch64-linux-gnu)")
    return gcc


def host_gcc() -> str:
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc not installed")
    return gcc


def write_tree(where: Path, t: Tree, settings: dict[str, str]) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    (where / "devicetree_generated.h").write_text(t.header())
    (where / "autoconf.h").write_text(autoconf(settings))
    return where


def includes(gen: Path) -> list[str]:
    return [
        f"-I{gen}",
        f"-I{STUBS}",
        *(f"-I{d}" for d in sorted(LIB.glob("*/include"))),
        f"-I{SRC}",
        "-imacros",
        str(gen / "autoconf.h"),
    ]


def compile_c(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


PORT_FILES = sorted(p.name for p in SRC.glob("*.c"))


def test_every_file_of_the_port_is_checked() -> None:
    assert {"main.c", "port_zephyr.c", "plat_zephyr.c", "plat_zephyr_i2c.c"} <= set(PORT_FILES)
    assert {"plat_zephyr_clock.c", "plat_zephyr_power.c", "plat_zephyr_sensor.c"} <= set(PORT_FILES)
    assert {"plat_zephyr_reset.c", "plat_zephyr_regulator.c"} <= set(PORT_FILES)


@pytest.mark.parametrize("std", ZEPHYR_STDS)
@pytest.mark.parametrize("kinds", list(TREES))
@pytest.mark.parametrize("source", PORT_FILES)
def test_port_compiles_with_zephyrs_arm64_flags(
    tmp_path: Path, source: str, kinds: str, std: str
) -> None:
    gen = write_tree(tmp_path, tree(TREES[kinds]), config(TREES[kinds]))
    proc = compile_c(
        [
            cross_gcc(),
            std,
            *ZEPHYR_CFLAGS,
            *includes(gen),
            "-c",
            str(SRC / source),
            "-o",
            str(tmp_path / "out.o"),
        ]
    )
    assert proc.returncode == 0, proc.stderr


def _core_sources() -> list[Path]:
    text = (LIB / "vbe_core.cmake").read_text()
    return sorted(LIB / p for p in set(re.findall(r"\$\{VBE_CORE_DIR\}/([\w/]+\.c)", text)))


@pytest.mark.parametrize("source", [p.relative_to(LIB).as_posix() for p in _core_sources()])
def test_core_compiles_as_the_module_builds_it(tmp_path: Path, source: str) -> None:
    """Core sources: Zephyr's flags, then the module's (-std=c11 and the core's warnings from
    vbe_core.cmake), with port_zephyr.h force-included as zephyr/CMakeLists.txt does."""
    warnings = re.search(
        r"set\(VBE_CORE_WARNINGS\s+(.*?)\)", (LIB / "vbe_core.cmake").read_text(), re.DOTALL
    )
    assert warnings
    gen = write_tree(tmp_path, tree(()), config(()))
    proc = compile_c(
        [
            cross_gcc(),
            *ZEPHYR_CFLAGS,
            *CORE_FLAGS,
            *warnings.group(1).split(),
            *includes(gen),
            "-include",
            str(SRC / "port_zephyr.h"),
            "-c",
            str(LIB / source),
            "-o",
            str(tmp_path / "out.o"),
        ]
    )
    assert proc.returncode == 0, proc.stderr


# --- the stand-ins refuse what Zephyr refuses ----------------------------------------------

REFUSED = {
    # device.h declares __device_dts_ord_N only for okay nodes
    "DEVICE_DT_GET of a disabled node": (
        "const struct device *d = DEVICE_DT_GET(DT_NODELABEL(ldo_off));",
        "__device_dts_ord_",
    ),
    # RESET_DT_SPEC_GET names the controller with DEVICE_DT_GET
    "RESET_DT_SPEC_GET on a disabled controller": (
        (
            "#include <zephyr/drivers/reset.h>\n"
            "const struct reset_dt_spec s = RESET_DT_SPEC_GET(DT_NODELABEL(rst_user));"
        ),
        "__device_dts_ord_",
    ),
    # no DT_FOREACH_OKAY_<compat> without an enabled node: only the COND_CODE_1 shape compiles
    "the FOREACH helper of a compatible without nodes": (
        "#define F(n) 1,\nint a[] = {DT_FOREACH_OKAY_vbe_scmi_clocks(F) 0};",
        "DT_FOREACH_OKAY_vbe_scmi_clocks",
    ),
    "LOG_ERR without a log module": (
        ('#include <zephyr/logging/log.h>\nvoid f(void);\nvoid f(void) { LOG_ERR("x"); }'),
        "stub_log_current",
    ),
    "an integer for a k_timeout_t": (
        (
            "#include <zephyr/kernel.h>\nvoid f(void);\n"
            "void f(void) { k_thread_create(0, 0, 0, 0, 0, 0, 0, 0, 0, 100); }"
        ),
        "k_timeout_t",
    ),
    "a wrong printf format in a log line": (
        (
            "#include <zephyr/logging/log.h>\nLOG_MODULE_REGISTER(t, 3);\nvoid f(void);\n"
            'void f(void) { LOG_INF("%s", 3); }'
        ),
        "format",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_stand_ins_refuse_what_zephyr_refuses(tmp_path: Path, case: str) -> None:
    code, error = REFUSED[case]
    t = tree(())
    t.nodes.append(
        Node("/rst_user", ("rst_user",), props={"resets": Specifier("/rstc_off", {"id": 1})})
    )
    gen = write_tree(tmp_path, t, config(()))
    src = tmp_path / "t.c"
    src.write_text("#include <zephyr/device.h>\n#include <zephyr/devicetree.h>\n" + code + "\n")
    proc = compile_c(
        [
            cross_gcc(),
            "-std=c99",
            *ZEPHYR_CFLAGS,
            *includes(gen),
            "-c",
            str(src),
            "-o",
            str(tmp_path / "t.o"),
        ]
    )
    assert proc.returncode != 0, f"the stand-ins accept {case}"
    assert error in proc.stderr, proc.stderr


def test_stand_ins_accept_what_zephyr_accepts(tmp_path: Path) -> None:
    """The control for the refusals: the same macros on enabled nodes, and the
    COND_CODE_1-shaped FOREACH on a compatible without nodes."""
    t = tree(())
    gen = write_tree(tmp_path, t, config(()))
    src = tmp_path / "t.c"
    src.write_text(
        "#include <zephyr/device.h>\n#include <zephyr/kernel.h>\n#include <zephyr/logging/log.h>\n"
        "LOG_MODULE_REGISTER(t, 3);\n#define F(n) 1,\n"
        "int a[] = {DT_FOREACH_STATUS_OKAY(vbe_scmi_clocks, F) 0};\n"
        "const struct device *d = DEVICE_DT_GET(DT_NODELABEL(ldo1));\n"
        "const struct device *e = DEVICE_DT_GET_OR_NULL(DT_NODELABEL(ldo_off));\n"
        "void f(void);\n"
        'void f(void) { LOG_INF("%d", 3); (void)k_thread_create(0, 0, 0, 0, 0, 0, 0, 0, 0, '
        "K_NO_WAIT); }\n"
    )
    proc = compile_c(
        [
            cross_gcc(),
            "-std=c99",
            *ZEPHYR_CFLAGS,
            *includes(gen),
            "-c",
            str(src),
            "-o",
            str(tmp_path / "t.o"),
        ]
    )
    assert proc.returncode == 0, proc.stderr


# --- the platform files at run time ------------------------------------------------------


def build_harness(where: Path, kinds: tuple[str, ...] = KINDS) -> Path:
    t = tree(kinds)
    gen = write_tree(where, t, config(kinds))
    devices = where / "devices.c"
    lines = ["#include <zephyr/device.h>"]
    for path in DRIVEN:
        name = path.rsplit("/", 1)[-1].split("@")[0]
        lines.append(
            f'const struct device __device_dts_ord_{t.ordinal(path)} = {{.name = "{name}"}};'
        )
    devices.write_text("\n".join(lines) + "\n")
    exe = where / "harness"
    plat = sorted(str(p) for p in SRC.glob("plat_zephyr*.c"))
    proc = compile_c(
        [
            host_gcc(),
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            *includes(gen),
            "-include",
            str(SRC / "port_zephyr.h"),
            *plat,
            str(devices),
            str(STUBS / "harness.c"),
            str(LIB / "scmi" / "src" / "scmi_status.c"),
            "-o",
            str(exe),
        ]
    )
    assert proc.returncode == 0, proc.stderr
    return exe


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_harness(tmp_path_factory.mktemp("harness"))


def run(exe: Path, *args: str) -> list[str]:
    proc = subprocess.run(
        [str(exe), *args], capture_output=True, text=True, check=False, timeout=30
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.splitlines()


def answer(lines: list[str], case: str) -> str:
    found = [line.split(" -> ", 1)[1] for line in lines if line.startswith(case + " -> ")]
    assert found, f"no {case!r} in {lines}"
    return found[0]


def test_hookup_to_a_disabled_node_compiles_and_answers_not_supported(harness: Path) -> None:
    lines = run(
        harness,
        "clock_on",
        "7",
        "reset_assert",
        "4",
        "regulator_enable",
        "1",
        "power_on",
        "2",
        "sensor_read",
        "4",
    )
    for case in (
        "clock_on 7",
        "reset_assert 4",
        "regulator_enable 1",
        "power_on 2",
        "sensor_read 4",
    ):
        assert answer(lines, case).split()[1] == "NOT_SUPPORTED", case
    assert not [line for line in lines if line.startswith("drv ")], "nothing reaches a driver"
    text = "\n".join(lines)
    for kind in ("clocks", "power domains", "reset lines", "voltage domains", "sensors"):
        assert (
            f"{kind}: 1 hooked up to a devicetree node that is not enabled (status okay); "
            "they answer NOT_SUPPORTED" in text
        ), kind


def test_enabled_hookups_reach_their_drivers(harness: Path) -> None:
    lines = run(harness, "reset_assert", "3", "regulator_enable", "0", "power_on", "1")
    assert answer(lines, "reset_assert 3").startswith("0 SUCCESS")
    assert "drv reset_assert rstc 4" in lines
    assert "drv regulator_enable ldo1" in lines and "drv pm_get pd_gpu" in lines


def test_no_hookup_answers_not_supported(harness: Path) -> None:
    lines = run(harness, "clock_on", "3")
    assert answer(lines, "clock_on 3").split()[:2] == [f"-{errno.ENOSYS}", "NOT_SUPPORTED"]
    assert "log2 vbe: clocks: 1 of 5 without a devicetree hookup answer NOT_SUPPORTED" in lines


def test_scmi_clock_takes_its_id_and_hz_as_integers(harness: Path) -> None:
    lines = run(harness, "clock_on", "0", "clock_set_rate", "0", "clock_get_rate", "0")
    assert "drv clock_on protocol 12" in lines  # the specifier's "name" cell
    assert "drv clock_set_rate protocol 12 400000000" in lines  # (uintptr_t)rate is Hz
    assert answer(lines, "clock_get_rate 0") == "0 SUCCESS 24000000"


def test_fixed_clock_reads_its_rate_and_sets_none(harness: Path) -> None:
    lines = run(harness, "clock_on", "5", "clock_get_rate", "5", "clock_set_rate", "5")
    assert "drv clock_on osc 0" in lines  # no cells: NULL subsystem
    assert answer(lines, "clock_get_rate 5") == "0 SUCCESS 24000000"
    assert answer(lines, "clock_set_rate 5").split()[1] == "NOT_SUPPORTED"
    assert not any(line.startswith("drv clock_set_rate") for line in lines)


def test_clock_controller_outside_the_table_is_refused_and_logged(harness: Path) -> None:
    lines = run(harness, "clock_on", "6", "clock_set_rate", "6", "clock_get_rate", "6")
    for case in ("clock_on 6", "clock_set_rate 6", "clock_get_rate 6"):
        assert answer(lines, case).split()[:2] == [f"-{errno.ENOTSUP}", "NOT_SUPPORTED"], case
    assert not any(line.startswith("drv clock") for line in lines), "nothing reaches stm32"
    assert (
        'log1 vbe: clock 6: controller rcc@40023800 (compatible "st,stm32f4-rcc") is not one '
        "the port knows how to drive (arm,scmi-clock, fixed-clock); it answers NOT_SUPPORTED"
    ) in lines


def test_sensor_fetches_all_channels(harness: Path) -> None:
    """tsens asserts chan == SENSOR_CHAN_ALL (the harness aborts otherwise), ina answers
    -ENOTSUP for one channel: both read, because the port fetches SENSOR_CHAN_ALL."""
    lines = run(harness, "sensor_read", "2", "sensor_read", "7")
    assert answer(lines, "sensor_read 2") == "0 SUCCESS 45678"  # 45.6789 C in mC
    assert answer(lines, "sensor_read 7") == "0 SUCCESS -1250000"  # -1.25 A in uA
    assert "drv sensor_fetch tsens all" in lines and "drv sensor_fetch ina all" in lines


def test_sensor_reads_past_the_table_and_unknown(harness: Path) -> None:
    lines = run(harness, "sensor_read", "99", "sensor_read", "3")
    assert answer(lines, "sensor_read 99").split()[0] == f"-{errno.EINVAL}"
    assert answer(lines, "sensor_read 3").split()[1] == "NOT_SUPPORTED"


@pytest.mark.parametrize(
    "args, result",
    [
        (("45", "678900", "-3"), "0 45678"),  # 45.6789 C in mC, truncated
        (("-1", "-250000", "-3"), "0 -1250"),  # -1.25 A in mA
        (("0", "-500000", "0"), "0 0"),  # -0.5 toward zero
        (("2400", "0", "0"), "0 2400"),  # RPM
        (("1", "500000", "-9"), "0 1500000000"),  # 1.5 V in nV
        (("2147483647", "999999", "-16"), f"-{errno.ERANGE} 0"),  # does not fit
        (("-2147483647", "0", "15"), "0 0"),
    ],
)
def test_sensor_value_to_scmi_scale(harness: Path, args: tuple[str, ...], result: str) -> None:
    lines = run(harness, "scale", *args)
    assert [line for line in lines if line.startswith("scale ")] == [
        f"scale {' '.join(args)} -> {result}"
    ]
