# SPDX-License-Identifier: Apache-2.0
"""vbe as a Zephyr module (zephyr/module.yml), used by an application other than zephyr-app.

Zephyr's module rules were read in doc/develop/modules.rst and scripts/zephyr_module.py's
schema (`name`, `build: {cmake, kconfig, settings: {dts_root, board_root, ...}}`, paths
relative to the module's root; a `cmake:` directory holds a CMakeLists.txt; `dts_root` holds
`dts/bindings`). The other application is generated here: its west.yml lines are the ones
zephyr-app/README.md tells a user to write, its CMakeLists.txt and prj.conf the ones the
README shows. Without a Zephyr tree it is configured and compiled by CMake against a
stand-in Zephyr package (fake_zephyr/: find_package(Zephyr) adds the module's cmake
directory as Zephyr does, with zephyr_library*() and the stand-in headers), so the module's
real CMakeLists.txt picks the sources; with ZEPHYR_BASE and west it is built for real.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))

from fake_dt import Tree, autoconf, kconfig_defaults
from test_port_compiles import (
    BASE_NODES,
    CHOSEN,
    STUBS,
    ZEPHYR_CFLAGS,
    ZEPHYR_CONFIG,
    cross_gcc,
)

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / "zephyr"
README = ROOT / "zephyr-app" / "README.md"
FAKE_ZEPHYR = Path(__file__).with_name("fake_zephyr")


def _module_yml() -> dict:
    return yaml.safe_load((MODULE / "module.yml").read_text())


def test_module_yml_names_cmake_kconfig_and_dts_root() -> None:
    doc = _module_yml()
    assert set(doc) <= {"name", "build", "test", "samples", "boards", "blobs", "security"}
    assert doc["name"] == "vbe"
    build = doc["build"]
    assert set(build) <= {
        "cmake",
        "kconfig",
        "cmake-ext",
        "kconfig-ext",
        "sysbuild-cmake",
        "sysbuild-kconfig",
        "depends",
        "settings",
    }
    assert (ROOT / build["cmake"] / "CMakeLists.txt").is_file()
    assert (ROOT / build["kconfig"]).is_file()
    settings = build["settings"]
    assert set(settings) <= {
        "board_root",
        "dts_root",
        "snippet_root",
        "soc_root",
        "arch_root",
        "module_ext_root",
        "sca_root",
    }
    bindings = ROOT / settings["dts_root"] / "dts" / "bindings"
    compats = {yaml.safe_load(p.read_text())["compatible"] for p in bindings.glob("vbe,*.yaml")}
    # every compatible the port builds tables from has its binding where Zephyr looks
    used = set(re.findall(r"DT_FOREACH_STATUS_OKAY\((vbe_scmi_\w+)", _port_text()))
    assert {c.replace(",", "_").replace("-", "_") for c in compats} == used
    prefixes = [
        line.split()[0]
        for line in (bindings / "vendor-prefixes.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert prefixes == ["vbe"]


def _port_text() -> str:
    return "".join(p.read_text() for p in (ROOT / "zephyr-app" / "src").glob("*.c"))


def _components() -> list[str]:
    text = (ROOT / "zephyr-app" / "lib" / "vbe_core.cmake").read_text()
    m = re.search(r"set\(VBE_CORE_COMPONENTS\s+([^)]*)\)", text)
    assert m
    return m.group(1).split()


def test_each_component_option_names_a_component_of_vbe_core_cmake() -> None:
    """zephyr/CMakeLists.txt builds component c when CONFIG_VBE_<C> is y (or when it has no
    option); an option naming no component would silently do nothing."""
    options = set(
        re.findall(r"^config (VBE_[A-Z0-9_]+)$", (MODULE / "Kconfig").read_text(), re.MULTILINE)
    )
    components = {f"VBE_{c.upper()}" for c in _components()}
    port_options = {o for o in options if o.startswith(("VBE_SCMI_", "VBE_I2C_", "VBE_LOG_"))}
    assert options - port_options - {"VBE_SCMI", "VBE_I2C"} <= components
    assert components <= options, "add a `config VBE_<COMPONENT>` to zephyr/Kconfig"


def test_module_cmake_takes_the_core_from_vbe_core_cmake() -> None:
    cmake = (MODULE / "CMakeLists.txt").read_text()
    assert "zephyr-app/lib/vbe_core.cmake" in cmake
    assert "${VBE_CORE_COMPONENTS}" in cmake and "${VBE_CORE_SOURCES_${component}}" in cmake
    assert "${VBE_CORE_INCLUDE_DIRS}" in cmake
    assert not re.search(r"lib/\w+/src/\w+\.c", cmake), "list core sources in vbe_core.cmake"
    app = (ROOT / "zephyr-app" / "CMakeLists.txt").read_text()
    code = re.sub(r"#.*", "", app)
    assert re.findall(r"[\w/.-]+\.c\b", code) == ["src/main.c"], "the app uses the module"
    assert re.search(
        r"^CONFIG_VBE=y$", (ROOT / "zephyr-app" / "prj.conf").read_text(), re.MULTILINE
    )


# --- the README's instructions, as another application follows them ---------------------


def _readme_block(lang: str, marker: str) -> str:
    blocks = re.findall(rf"```{lang}\n(.*?)```", README.read_text(), re.DOTALL)
    found = [b for b in blocks if marker in b]
    assert found, f"zephyr-app/README.md has no ```{lang} block with {marker!r}"
    return found[0]


def test_readme_west_yml_lines_load_with_west(tmp_path: Path) -> None:
    from west.manifest import ImportFlag, Manifest

    text = _readme_block("yaml", "manifest:")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "west.yml").write_text(text)
    (tmp_path / ".west").mkdir()
    (tmp_path / ".west" / "config").write_text("[manifest]\npath = app\nfile = west.yml\n")
    manifest = Manifest.from_topdir(topdir=str(tmp_path), import_flags=ImportFlag.IGNORE)
    projects = {p.name: p for p in manifest.get_projects([])}
    assert "vbe" in projects and "zephyr" in projects
    assert projects["zephyr"].revision == "v4.2.0"
    pin = yaml.safe_load((ROOT / "west.yml").read_text())["manifest"]["projects"]
    assert [p["revision"] for p in pin if p["name"] == "zephyr"] == ["v4.2.0"]


def _other_app(where: Path) -> Path:
    app = where / "other-app"
    (app / "src").mkdir(parents=True)
    (app / "CMakeLists.txt").write_text(_readme_block("cmake", "find_package(Zephyr"))
    (app / "prj.conf").write_text(_readme_block("ini", "CONFIG_VBE=y"))
    (app / "src" / "main.c").write_text(
        "/* SPDX-License-Identifier: Apache-2.0 */\n"
        "/* Another application on vbe's backends: the platform and the demo system. */\n"
        "#include <zephyr/kernel.h>\n#include <zephyr/logging/log.h>\n\n"
        '#include <vbe/sys.h>\n\n#include "vbe_zephyr.h"\n\n'
        "LOG_MODULE_REGISTER(other_app, LOG_LEVEL_INF);\n\n"
        "static struct vbe_sys sys;\nstatic void *windows[VBE_SYS_MAX_GUESTS];\n\n"
        "int main(void)\n{\n\tconst struct vbe_plat *plat = NULL;\n"
        "\tint ret = vbe_zephyr_plat_init(&vbe_sys_description, &plat);\n\n"
        "\tif (ret == 0) {\n\t\tret = vbe_sys_init(&sys, &vbe_sys_description, plat, windows);\n\t}\n"
        '\tLOG_INF("vbe_sys_init: %d", ret);\n\treturn 0;\n}\n'
    )
    return app


def _prj_settings(app: Path) -> dict[str, str]:
    out = {}
    for line in (app / "prj.conf").read_text().splitlines():
        m = re.match(r"^(CONFIG_\w+)=(.*)$", line.strip())
        if m:
            out[m.group(1)] = m.group(2)
    return out


def _fake_zephyr(where: Path, app: Path, extra: dict[str, str]) -> Path:
    """A copy of fake_zephyr/ with the configuration of this build."""
    base = where / "fake-zephyr"
    shutil.copytree(FAKE_ZEPHYR, base)
    gen = where / "gen"
    gen.mkdir()
    (gen / "devicetree_generated.h").write_text(Tree(list(BASE_NODES), dict(CHOSEN)).header())
    values = {
        **kconfig_defaults((MODULE / "Kconfig",)),
        **ZEPHYR_CONFIG,
        **_prj_settings(app),
        **extra,
    }
    c_values = {k: ("1" if v == "y" else v) for k, v in values.items() if v != "n"}
    (gen / "autoconf.h").write_text(autoconf(c_values))
    mod = _module_yml()
    lines = [
        f"set(FAKE_ZEPHYR_CC {cross_gcc()})",
        "set(FAKE_ZEPHYR_CFLAGS -std=c99 "
        + " ".join(ZEPHYR_CFLAGS)
        + f" -imacros {gen / 'autoconf.h'})",
        f"set(FAKE_ZEPHYR_INCLUDES {gen} {STUBS})",
        f"set(FAKE_ZEPHYR_MODULES {mod['name']})",
        f"set(FAKE_ZEPHYR_MODULE_DIR_{mod['name']} {ROOT})",
        f"set(FAKE_ZEPHYR_MODULE_CMAKE_{mod['name']} {ROOT / mod['build']['cmake']})",
    ]
    for k, v in values.items():
        if v != "n":
            lines.append(f"set({k} {'y' if v in ('y', '1') and not k.endswith('_LEVEL') else v})")
    (base / "cmake" / "fake_config.cmake").write_text("\n".join(lines) + "\n")
    return base


def _configure_and_build(tmp_path: Path, extra: dict[str, str]) -> tuple[Path, str]:
    if shutil.which("cmake") is None:
        pytest.skip("cmake not installed")
    app = _other_app(tmp_path)
    base = _fake_zephyr(tmp_path, app, extra)
    build = tmp_path / "build"
    env = {**os.environ, "ZEPHYR_BASE": str(base)}
    conf = subprocess.run(
        ["cmake", "-S", str(app), "-B", str(build)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert conf.returncode == 0, conf.stdout + conf.stderr
    make = subprocess.run(
        ["cmake", "--build", str(build), "-j2"], capture_output=True, text=True, check=False
    )
    assert make.returncode == 0, make.stdout[-8000:] + make.stderr[-8000:]
    return build, conf.stdout


def _objects(build: Path, library: str) -> set[str]:
    """The members of lib<library>.a, without extensions."""
    (archive,) = build.rglob(f"lib{library}.a")
    out = subprocess.run(["ar", "t", str(archive)], capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in out.stdout.split()}


def test_other_application_builds_on_the_module_against_stand_ins(tmp_path: Path) -> None:
    build, _ = _configure_and_build(tmp_path, {})
    vbe = _objects(build, "vbe")
    assert {"plat_zephyr", "port_zephyr", "sys", "scmi_server", "fvq", "vq_split"} <= vbe
    assert "vbe_sys_cfg" in vbe, "the module generates the system's tables (VBE_SYSTEM)"
    assert {"plat_zephyr_power", "plat_zephyr_reset", "plat_zephyr_regulator"} <= vbe
    assert "main" not in vbe, "zephyr-app's main.c is the application's, not the module's"
    assert not {"vhu", "relay"} & vbe, "VBE_VHU and VBE_RELAY are off by default"
    assert _objects(build, "app") == {"main"}


def test_component_options_select_what_is_built(tmp_path: Path) -> None:
    build, _ = _configure_and_build(tmp_path, {"CONFIG_VBE_VHU": "y"})
    assert {"vhu", "memtab"} <= _objects(build, "vbe")


def _why_no_west_build() -> str | None:
    base = os.environ.get("ZEPHYR_BASE")
    if not base:
        return (
            "ZEPHYR_BASE is not set: with a west workspace of this repository "
            "(west init -l; west update) and the Zephyr SDK, run pytest with "
            "ZEPHYR_BASE=<workspace>/zephyr to build the other application with west"
        )
    if shutil.which("west") is None:
        return "west is not on PATH"
    if not (Path(base) / "cmake").is_dir():
        return f"ZEPHYR_BASE={base} is not a Zephyr tree"
    return None


@pytest.mark.zephyr
def test_other_application_builds_with_west(tmp_path: Path) -> None:
    reason = _why_no_west_build()
    if reason:
        pytest.skip(reason)
    app = _other_app(tmp_path)
    proc = subprocess.run(
        [
            "west",
            "build",
            "-b",
            "qemu_cortex_a53",
            "-d",
            str(tmp_path / "build"),
            str(app),
            "--",
            f"-DZEPHYR_EXTRA_MODULES={ROOT}",
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-6000:]
    config = (tmp_path / "build" / "zephyr" / ".config").read_text()
    assert "CONFIG_VBE=y" in config and "CONFIG_VBE_SYS=y" in config
