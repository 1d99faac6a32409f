/* SPDX-License-Identifier: Apache-2.0 */
/* Stand-in for include/zephyr/sys/barrier.h: barrier_dmem_fence_full(void). */
#ifndef STUB_ZEPHYR_SYS_BARRIER_H
#define STUB_ZEPHYR_SYS_BARRIER_H
static inline void barrier_dmem_fence_full(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
#endif
