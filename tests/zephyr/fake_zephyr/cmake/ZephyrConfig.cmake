# SPDX-License-Identifier: Apache-2.0
#
# A stand-in for Zephyr's CMake package (share/zephyr-package, cmake/modules/*), for
# tests/zephyr/test_module.py: enough for an application's
#   find_package(Zephyr REQUIRED HINTS $ENV{ZEPHYR_BASE})
# to load the Zephyr modules named in ZEPHYR_EXTRA_MODULES the way Zephyr does (each
# module's zephyr/module.yml `build: cmake:` directory, as add_subdirectory()), with the
# zephyr_library*/zephyr_include_directories() functions a module's CMake uses (and
# PYTHON_EXECUTABLE, which Zephyr's python.cmake sets, for its generators), and to
# compile everything with aarch64-linux-gnu-gcc, Zephyr's flags and the stand-in headers.
# The test writes fake_config.cmake beside this file: the CONFIG_* values, the compiler
# flags and include directories, and per module its cmake directory.

include(${CMAKE_CURRENT_LIST_DIR}/fake_config.cmake)

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_C_COMPILER ${FAKE_ZEPHYR_CC})
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
project(Zephyr-Kernel LANGUAGES C)

add_library(zephyr_interface INTERFACE)
target_compile_options(zephyr_interface INTERFACE ${FAKE_ZEPHYR_CFLAGS})
target_include_directories(zephyr_interface INTERFACE ${FAKE_ZEPHYR_INCLUDES})

function(zephyr_include_directories)
  target_include_directories(zephyr_interface INTERFACE ${ARGN})
endfunction()

macro(zephyr_library_named name)
  set(ZEPHYR_CURRENT_LIBRARY ${name})
  add_library(${name} STATIC "")
  target_link_libraries(${name} PUBLIC zephyr_interface)
  set_property(GLOBAL APPEND PROPERTY ZEPHYR_LIBS ${name})
endmacro()

function(zephyr_library_sources)
  target_sources(${ZEPHYR_CURRENT_LIBRARY} PRIVATE ${ARGN})
endfunction()

# extensions.cmake: the sources when the (CONFIG_) variable is true
function(zephyr_library_sources_ifdef feature_toggle)
  if(${${feature_toggle}})
    zephyr_library_sources(${ARGN})
  endif()
endfunction()

function(zephyr_library_compile_options)
  target_compile_options(${ZEPHYR_CURRENT_LIBRARY} PRIVATE ${ARGN})
endfunction()

add_library(app STATIC "")
target_link_libraries(app PUBLIC zephyr_interface)

foreach(module ${FAKE_ZEPHYR_MODULES})
  set(ZEPHYR_CURRENT_MODULE_DIR ${FAKE_ZEPHYR_MODULE_DIR_${module}})
  add_subdirectory(${FAKE_ZEPHYR_MODULE_CMAKE_${module}} ${CMAKE_BINARY_DIR}/modules/${module})
endforeach()

set(Zephyr_FOUND TRUE)
