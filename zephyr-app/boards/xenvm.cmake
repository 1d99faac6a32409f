# SPDX-License-Identifier: Apache-2.0
#
# Included by ../CMakeLists.txt before find_package(Zephyr) when BOARD is xenvm: this
# application on xenvm is Xen's Dom0, so Zephyr's xen_dom0 snippet (CONFIG_XEN_DOM0, the
# consoleio console, PSCI over HVC) comes with it, as if `-S xen_dom0` were given.
if(NOT "xen_dom0" IN_LIST SNIPPET)
  list(APPEND SNIPPET xen_dom0)
endif()
