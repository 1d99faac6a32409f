/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Arm generic timer: the virtual counter (CNTVCT_EL0) at CNTFRQ_EL0 Hz (62.5 MHz on
 * QEMU virt), and the port's vbe_port_time_us() on top of it.
 */

#include <stdint.h>

#include <vbe/port.h>

#include "bm.h"

#define BM_TIMER_FREQ_FALLBACK 62500000U /* what QEMU virt reports; used if CNTFRQ is 0 */
#define US_PER_S 1000000U

static uint64_t timer_freq = BM_TIMER_FREQ_FALLBACK;

void bm_timer_init(void)
{
	uint64_t f;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
	f &= 0xffffffffU; /* the frequency is the low 32 bits */
	if (f != 0U) {
		timer_freq = f;
	}
}

uint64_t bm_timer_freq(void)
{
	return timer_freq;
}

uint64_t bm_timer_ticks(void)
{
	uint64_t t;

	/* ISB: the counter read must not be hoisted above earlier instructions. */
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(t)::"memory");
	return t;
}

uint64_t bm_timer_us_to_ticks(uint64_t us)
{
	return (us / US_PER_S) * timer_freq + ((us % US_PER_S) * timer_freq) / US_PER_S;
}

uint64_t vbe_port_time_us(void)
{
	uint64_t t = bm_timer_ticks();

	/* Split so that t * 10^6 cannot overflow (it would after ~5 minutes at 62.5 MHz). */
	return (t / timer_freq) * US_PER_S + ((t % timer_freq) * US_PER_S) / timer_freq;
}
