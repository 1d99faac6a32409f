/* SPDX-License-Identifier: Apache-2.0 */
/* Stand-in for include/zephyr/sys/util.h and util_macro.h: ARRAY_SIZE, ARG_UNUSED, MIN,
 * IS_ENABLED, COND_CODE_1, UTIL_CAT, BUILD_ASSERT (toolchain.h), written for the tests. */
#ifndef STUB_ZEPHYR_SYS_UTIL_H
#define STUB_ZEPHYR_SYS_UTIL_H

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ARG_UNUSED(x) (void)(x)
#define MIN(a, b) (((a) < (b)) ? (a) : (b))
#define BUILD_ASSERT(cond, msg) _Static_assert(cond, msg)

#define STUB_EXPAND(...) __VA_ARGS__
#define STUB_ARG2(a, b, ...) b
#define STUB_ARG2_(args) STUB_ARG2 args
#define STUB_PROBE_1 ~, 1
#define STUB_IS1_(x) STUB_ARG2_((STUB_PROBE_##x, 0))
/* 1 when x expands to 1, 0 for anything else (an undefined CONFIG_ symbol included). */
#define STUB_IS1(x) STUB_IS1_(x)
#define STUB_IF_1(a, b) STUB_EXPAND a
#define STUB_IF_0(a, b) STUB_EXPAND b
#define STUB_IF__(c) STUB_IF_##c
#define STUB_IF_(c) STUB_IF__(c)

#define COND_CODE_1(flag, if_1, else_code) STUB_IF_(STUB_IS1(flag))(if_1, else_code)
#define IS_ENABLED(flag) STUB_IS1(flag)

#define UTIL_PRIMITIVE_CAT(a, ...) a##__VA_ARGS__
#define UTIL_CAT(a, ...) UTIL_PRIMITIVE_CAT(a, __VA_ARGS__)

#endif
