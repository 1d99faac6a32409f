# SPDX-License-Identifier: Apache-2.0
#
# The portable core's components: one list of sources and include directories, used by
# the host build (../../CMakeLists.txt), the bare-metal port (boards/) and the Zephyr
# application (../CMakeLists.txt). Each component is C11, freestanding, heap-free.

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
                          ${VBE_CORE_DIR}/scmi/src/scmi_system.c
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
                         ${VBE_CORE_DIR}/sim/src/sim_sys.c)
set(VBE_CORE_SOURCES_sys ${VBE_CORE_DIR}/sys/src/sys.c
                         ${VBE_CORE_DIR}/sys/src/sys_demo.c
                         ${VBE_CORE_DIR}/sys/src/sys_demo_scmi.c)

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
