/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-in for include/zephyr/kernel.h (with kernel/thread_stack.h, sys_clock.h,
 * sys/time_units.h): the types, macros and calls main.c, port_zephyr.c and xen_zephyr.c use
 * (threads, sleeps, time, semaphores: K_FOREVER is K_TICKS_FOREVER ticks), with the
 * signatures of those headers. k_timeout_t is a struct, as in Zephyr, so a plain integer
 * where a timeout belongs does not compile.
 */
#ifndef STUB_ZEPHYR_KERNEL_H
#define STUB_ZEPHYR_KERNEL_H
#include <stddef.h>
#include <stdint.h>

#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/sys/printk.h>
#include <zephyr/sys/util.h>
#include <zephyr/toolchain.h>

typedef int64_t k_ticks_t;

typedef struct {
	k_ticks_t ticks;
} k_timeout_t;

#define K_TICKS_FOREVER ((k_ticks_t)-1)
#define K_NO_WAIT       ((k_timeout_t){0})
#define K_FOREVER       ((k_timeout_t){K_TICKS_FOREVER})

struct k_thread {
	int stub_state;
};

typedef struct k_thread *k_tid_t;

struct z_thread_stack_element {
	char data;
};

typedef struct z_thread_stack_element k_thread_stack_t;

typedef void (*k_thread_entry_t)(void *p1, void *p2, void *p3);

#define K_THREAD_STACK_DEFINE(sym, size)                                                           \
	struct z_thread_stack_element __attribute__((aligned(16))) sym[size]
#define K_THREAD_STACK_SIZEOF(sym) sizeof(sym)

#define K_PRIO_PREEMPT(x) (x)

k_tid_t k_thread_create(struct k_thread *new_thread, k_thread_stack_t *stack, size_t stack_size,
			k_thread_entry_t entry, void *p1, void *p2, void *p3, int prio,
			uint32_t options, k_timeout_t delay);
int k_thread_name_set(k_tid_t thread, const char *str);
int32_t k_usleep(int32_t us);

/* kernel.h: semaphores (k_sem_give may be called from an ISR) */
struct k_sem {
	unsigned int count;
	unsigned int limit;
};

int k_sem_init(struct k_sem *sem, unsigned int initial_count, unsigned int limit);
int k_sem_take(struct k_sem *sem, k_timeout_t timeout);
void k_sem_give(struct k_sem *sem);
int64_t k_uptime_ticks(void);
uint64_t k_cycle_get_64(void);
uint64_t k_cyc_to_us_floor64(uint64_t t);
uint64_t k_ticks_to_us_floor64(uint64_t t);

#endif /* STUB_ZEPHYR_KERNEL_H */
