/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-in for include/zephyr/sys/util_macro.h: IS_ENABLED, COND_CODE_1, COND_CODE_0,
 * IF_ENABLED, UTIL_CAT, UTIL_PRIMITIVE_CAT, with Zephyr's semantics (written for the tests):
 * a flag counts as set only when it expands to the token 1; anything else, an undefined
 * macro included, is 0. COND_CODE_1's branches are parenthesized and only the chosen one is
 * expanded, so the other may name macros that do not exist, as in Zephyr.
 */
#ifndef STUB_ZEPHYR_SYS_UTIL_MACRO_H
#define STUB_ZEPHYR_SYS_UTIL_MACRO_H

#define UTIL_PRIMITIVE_CAT(a, ...) a##__VA_ARGS__
#define UTIL_CAT(a, ...)           UTIL_PRIMITIVE_CAT(a, __VA_ARGS__)

/* The second of its arguments; STUB_ONE_1 adds an argument in front only for a 1. */
#define STUB_SECOND_(a, b, ...) b
#define STUB_SECOND(args)       STUB_SECOND_ args
#define STUB_ONE_1              ~, 1
#define STUB_IS_ONE_(x)         STUB_SECOND((STUB_ONE_##x, 0))
#define STUB_IS_ONE(x)          STUB_IS_ONE_(x)

#define IS_ENABLED(config_macro) STUB_IS_ONE(config_macro)

#define STUB_UNPAREN(...)          __VA_ARGS__
#define STUB_PICK_1(yes, no)       STUB_UNPAREN yes
#define STUB_PICK_0(yes, no)       STUB_UNPAREN no
#define STUB_PICK_(bit, yes, no)   STUB_PICK_##bit(yes, no)
#define STUB_PICK(bit, yes, no)    STUB_PICK_(bit, yes, no)

#define COND_CODE_1(flag, if_1_code, else_code) STUB_PICK(STUB_IS_ONE(flag), if_1_code, else_code)
#define COND_CODE_0(flag, if_0_code, else_code) STUB_PICK(STUB_IS_ONE(flag), else_code, if_0_code)
#define IF_ENABLED(flag, code)                  COND_CODE_1(flag, code, ())

#endif /* STUB_ZEPHYR_SYS_UTIL_MACRO_H */
