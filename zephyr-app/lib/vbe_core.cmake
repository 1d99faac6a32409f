# SPDX-License-Identifier: Apache-2.0
#
# The portable core's components: one list of sources and include directories, used by
# the host port (../../CMakeLists.txt, boards/host), the bare-metal port
# (boards/qemu_virt_baremetal), vbe-xen (boards/xen_dom0_linux) and the Zephyr module
# (../../zephyr/CMakeLists.txt, which zephyr-app uses). Each component is C11, freestanding,
# heap-free. The system a port serves is not part of the core: vbe_system_tables() below
# generates it from a description at build time.

set(VBE_CORE_DIR ${CMAKE_CURRENT_LIST_DIR})

set(VBE_CORE_COMPONENTS vq dev fvq vhu mmio ioreq gnt relay i2c scmi sim sys)

set(VBE_CORE_SOURCES_vq  ${VBE_CORE_DIR}/vq/src/vq_split.c)
set(VBE_CORE_SOURCES_dev ${VBE_CORE_DIR}/dev/src/dev.c)
set(VBE_CORE_SOURCES_fvq ${VBE_CORE_DIR}/fvq/src/fvq.c)
set(VBE_CORE_SOURCES_mmio ${VBE_CORE_DIR}/mmio/src/mmio.c)
set(VBE_CORE_SOURCES_ioreq ${VBE_CORE_DIR}/ioreq/src/ioreq.c)
set(VBE_CORE_SOURCES_gnt ${VBE_CORE_DIR}/gnt/src/gnt.c)
set(VBE_CORE_SOURCES_vhu ${VBE_CORE_DIR}/vhu/src/memtab.c
                         ${VBE_CORE_DIR}/vhu/src/vhu.c)
set(VBE_CORE_SOURCES_relay ${VBE_CORE_DIR}/relay/src/relay.c)
set(VBE_CORE_SOURCES_i2c ${VBE_CORE_DIR}/i2c/src/i2c.c
                         ${VBE_CORE_DIR}/i2c/src/i2c_check.c)
set(VBE_CORE_SOURCES_scmi ${VBE_CORE_DIR}/scmi/src/scmi_msg.c
                          ${VBE_CORE_DIR}/scmi/src/scmi_status.c
                          ${VBE_CORE_DIR}/scmi/src/scmi_common.c
                          ${VBE_CORE_DIR}/scmi/src/scmi_access.c
                          ${VBE_CORE_DIR}/scmi/src/scmi_notify.c
                          ${VBE_CORE_DIR}/scmi/src/scmi_dev.c
                          ${VBE_CORE_DIR}/scmi/src/scmi_server.c
                          ${VBE_CORE_DIR}/scmi/src/scmi_arb.c
                          ${VBE_CORE_DIR}/scmi/src/scmi_base.c
                          ${VBE_CORE_DIR}/scmi/src/scmi_power.c
                          ${VBE_CORE_DIR}/scmi/src/scmi_syspower.c
                          ${VBE_CORE_DIR}/scmi/src/scmi_perf.c
                          ${VBE_CORE_DIR}/scmi/src/scmi_clock.c
                          ${VBE_CORE_DIR}/scmi/src/scmi_clock_rate.c
                          ${VBE_CORE_DIR}/scmi/src/scmi_sensor.c
                          ${VBE_CORE_DIR}/scmi/src/scmi_reset.c
                          ${VBE_CORE_DIR}/scmi/src/scmi_voltage.c)
set(VBE_CORE_SOURCES_sim ${VBE_CORE_DIR}/sim/src/sim.c
                         ${VBE_CORE_DIR}/sim/src/sim_scmi.c
                         ${VBE_CORE_DIR}/sim/src/sim_at24.c
                         ${VBE_CORE_DIR}/sim/src/sim_lm75.c
                         ${VBE_CORE_DIR}/sim/src/sim_build.c
                         ${VBE_CORE_DIR}/sim/src/sim_cmd.c)
set(VBE_CORE_SOURCES_sys ${VBE_CORE_DIR}/sys/src/sys.c)

set(VBE_CORE_INCLUDE_DIRS
  ${VBE_CORE_DIR}/port/include
  ${VBE_CORE_DIR}/plat/include
  ${VBE_CORE_DIR}/vq/include
  ${VBE_CORE_DIR}/dev/include
  ${VBE_CORE_DIR}/fvq/include
  ${VBE_CORE_DIR}/vhu/include
  ${VBE_CORE_DIR}/mmio/include
  ${VBE_CORE_DIR}/ioreq/include
  ${VBE_CORE_DIR}/gnt/include
  ${VBE_CORE_DIR}/relay/include
  ${VBE_CORE_DIR}/i2c/include
  ${VBE_CORE_DIR}/scmi/include
  ${VBE_CORE_DIR}/sim/include
  ${VBE_CORE_DIR}/sys/include
)

set(VBE_CORE_SOURCES)
foreach(c ${VBE_CORE_COMPONENTS})
  list(APPEND VBE_CORE_SOURCES ${VBE_CORE_SOURCES_${c}})
endforeach()

# Warnings every build of the core uses.
set(VBE_CORE_WARNINGS -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wpointer-arith -Wvla)

# The system a port serves comes from a description, generated at build time. The Python
# that runs the generators needs the packages of the repository's pyproject.toml (PyYAML,
# jsonschema, cbor2, pyelftools); the sysdesc package itself is taken from this checkout.
# vbe's own build commands pass theirs (-DVBE_PYTHON=...).
get_filename_component(VBE_REPO_DIR ${VBE_CORE_DIR}/../.. ABSOLUTE)

# vbe_sysdesc_command(<var>): set <var> to the command that runs sysdesc's build steps
# (python -m sysdesc.buildstep), checking once that the Python can run them.
function(vbe_sysdesc_command var)
  if(NOT VBE_PYTHON)
    if(PYTHON_EXECUTABLE)
      set(VBE_PYTHON ${PYTHON_EXECUTABLE}) # Zephyr's
    else()
      find_program(VBE_PYTHON NAMES python3 python REQUIRED)
    endif()
  endif()
  set(VBE_PYTHON ${VBE_PYTHON} CACHE FILEPATH "Python with vbe's requirements (generators)")
  set(run ${CMAKE_COMMAND} -E env PYTHONPATH=${VBE_REPO_DIR}/tools ${VBE_PYTHON}
      -m sysdesc.buildstep)
  get_property(checked GLOBAL PROPERTY VBE_SYSDESC_CHECKED)
  if(NOT checked)
    execute_process(COMMAND ${run} --check RESULT_VARIABLE rc OUTPUT_QUIET
                    ERROR_VARIABLE why)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "${VBE_PYTHON} cannot run vbe's generators (${why}): pass "
                          "-DVBE_PYTHON=<a python with the packages of pyproject.toml>, or "
                          "run scripts/setup")
    endif()
    set_property(GLOBAL PROPERTY VBE_SYSDESC_CHECKED TRUE)
  endif()
  set(${var} ${run} PARENT_SCOPE)
endfunction()

# What a generated file depends on: the generators, the schema and the core's headers
# (the capacities a description is checked against).
file(GLOB VBE_SYSDESC_DEPENDS ${VBE_REPO_DIR}/tools/sysdesc/*.py
     ${VBE_REPO_DIR}/tools/sysdesc/schema.json ${VBE_CORE_DIR}/*/include/vbe/*.h)

# vbe_generated(<var> <step> <SYSTEM.yaml> <dir> <file>): run `sysdesc.buildstep <step>` on a
# system description at build time, writing <dir>/<file>, and set <var> to that file.
function(vbe_generated var step system dir file)
  vbe_sysdesc_command(run)
  get_filename_component(system ${system} ABSOLUTE)
  set(out ${dir}/${file})
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${run} ${step} ${system} --out ${dir}
    DEPENDS ${system} ${VBE_SYSDESC_DEPENDS}
    COMMENT "${file} from ${system}"
    VERBATIM)
  set(${var} ${out} PARENT_SCOPE)
endfunction()

# vbe_system_tables(<var> <SYSTEM.yaml> <dir>): generate the C tables of a system
# description (vbe_sys_cfg.c, defining vbe_sys_description) into <dir> at build time and
# set <var> to the file, for the port to compile with the core.
function(vbe_system_tables var system dir)
  vbe_generated(out tables ${system} ${dir} vbe_sys_cfg.c)
  set(${var} ${out} PARENT_SCOPE)
endfunction()

# vbe_xen_table(<var> <SYSTEM.yaml> <dir>): generate the Xen table of a system description
# (vbe_xen_cfg.c, defining vbe_xen_generated_cfg, whose system is vbe_sys_description; the
# types are vbe/xen_cfg.h) into <dir> at build time and set <var> to the file: what a Xen
# Dom0 port compiles next to vbe_system_tables()' file of the same description.
function(vbe_xen_table var system dir)
  vbe_generated(out xen ${system} ${dir} vbe_xen_cfg.c)
  set(${var} ${out} PARENT_SCOPE)
endfunction()
