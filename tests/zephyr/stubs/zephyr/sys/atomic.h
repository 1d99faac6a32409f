/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-in for include/zephyr/sys/atomic.h (sys/atomic_builtin.h): atomic_t and atomic_val_t
 * (long), ATOMIC_INIT, atomic_get(const atomic_t *), atomic_set/atomic_or (return the old
 * value), atomic_inc (returns the old value), on the compiler's __atomic builtins as
 * CONFIG_ATOMIC_OPERATIONS_BUILTIN does.
 */
#ifndef STUB_ZEPHYR_SYS_ATOMIC_H
#define STUB_ZEPHYR_SYS_ATOMIC_H

typedef long atomic_t;
typedef atomic_t atomic_val_t;

#define ATOMIC_INIT(i) (i)

static inline atomic_val_t atomic_get(const atomic_t *target)
{
	return __atomic_load_n(target, __ATOMIC_SEQ_CST);
}

static inline atomic_val_t atomic_set(atomic_t *target, atomic_val_t value)
{
	return __atomic_exchange_n(target, value, __ATOMIC_SEQ_CST);
}

static inline atomic_val_t atomic_or(atomic_t *target, atomic_val_t value)
{
	return __atomic_fetch_or(target, value, __ATOMIC_SEQ_CST);
}

static inline atomic_val_t atomic_inc(atomic_t *target)
{
	return __atomic_fetch_add(target, 1, __ATOMIC_SEQ_CST);
}

#endif /* STUB_ZEPHYR_SYS_ATOMIC_H */
