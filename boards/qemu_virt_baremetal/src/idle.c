/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sleeping between polls without taking interrupts.
 *
 * The service loop is polling-only, but a busy-polling vCPU costs a whole host core. When
 * it has been idle for a while it sleeps here: arm the virtual timer for the deadline, WFI,
 * disarm. The timer's interrupt is enabled at the GICv2 so that it reaches the CPU as a
 * wake-up event, but PSTATE.I stays set, so it is never taken: WFI simply returns, and we
 * clear the pending state ourselves. (On QEMU, WFE does not sleep at all: it only yields.)
 *
 * Any other interrupt enabled at the GIC also ends the sleep: that is the hook for the
 * doorbell (second PL011's RX interrupt) to come.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "bm.h"
#include "board.h"
#include "prof.h"

#define GICD_CTLR 0x000
#define GICD_ISENABLER0 0x100
#define GICD_ICPENDR0 0x280
#define GICD_IPRIORITYR 0x400
#define GICD_PIDR2 0xfe8
#define GICC_CTLR 0x000
#define GICC_PMR 0x004

#define GIC_PIDR2_ARCHREV(v) (((v) >> 4) & 0xfU)
#define GIC_PRIO_WAKE 0xa0 /* any priority above the mask below */
#define GIC_PMR_ALL 0xff

#define CNTV_CTL_ENABLE 1U

static bool idle_gic; /* the virtual timer can wake us from WFI */
static uint64_t idle_woke_at; /* profile: counter at the last WFI return, until taken */
static uint64_t idle_ret_ticks; /* profile: WFI return -> return to the loop */

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
	return *(volatile uint32_t *)addr;
}

int bm_idle_init(void)
{
	/* virt's default GIC is v2 (ArchRev 2); a GICv3 reads 0 here: fall back to spinning. */
	if (GIC_PIDR2_ARCHREV(mmio_read32(BM_GICD_BASE + GICD_PIDR2)) != 2U) {
		idle_gic = false;
		return -ENODEV;
	}
	__asm__ volatile("msr cntv_ctl_el0, xzr\n\tisb" ::: "memory");
	*(volatile uint8_t *)(BM_GICD_BASE + GICD_IPRIORITYR + BM_IRQ_VTIMER) = GIC_PRIO_WAKE;
	mmio_write32(BM_GICD_BASE + GICD_ICPENDR0, 1U << BM_IRQ_VTIMER);
	mmio_write32(BM_GICD_BASE + GICD_ISENABLER0, 1U << BM_IRQ_VTIMER);
	mmio_write32(BM_GICD_BASE + GICD_CTLR, 1U);
	mmio_write32(BM_GICC_BASE + GICC_PMR, GIC_PMR_ALL);
	mmio_write32(BM_GICC_BASE + GICC_CTLR, 1U);
	idle_gic = true;
	return 0;
}

void bm_idle_sleep_us(uint32_t us)
{
	uint64_t deadline = bm_timer_ticks() + bm_timer_us_to_ticks(us);

	if (!idle_gic) {
		while (bm_timer_ticks() < deadline) {
			/* no wake-up source: spin */
		}
		return;
	}
	/* Arm: the timer condition is CNTVCT >= CVAL, so a deadline already past wakes at once. */
	__asm__ volatile("msr cntv_cval_el0, %0\n\t"
			 "msr cntv_ctl_el0, %1\n\t"
			 "isb" ::"r"(deadline), "r"((uint64_t)CNTV_CTL_ENABLE) : "memory");
	/* DSB: every earlier store (replies in the window) completes before we sleep. */
	__asm__ volatile("dsb sy\n\twfi" ::: "memory");
	if (BM_PROF_ON) {
		idle_woke_at = bm_timer_ticks();
		bm_prof.last_wake = idle_woke_at;
		bm_prof.sleeps++;
	}
	/*
	 * Disarm (the line drops), then clear what the GIC latched while it was high. If the
	 * counter is still below the deadline now, the timer never fired (the counter only
	 * grows): no edge, no latch, and no GIC access (an exit into QEMU) to clear it.
	 */
	__asm__ volatile("msr cntv_ctl_el0, xzr\n\tisb" ::: "memory");
	if (bm_timer_ticks() >= deadline) {
		mmio_write32(BM_GICD_BASE + GICD_ICPENDR0, 1U << BM_IRQ_VTIMER);
	}
	if (BM_PROF_ON) {
		idle_ret_ticks = bm_timer_ticks() - idle_woke_at;
	}
}

void bm_idle_clear_timer_latch(void)
{
	if (idle_gic) {
		mmio_write32(BM_GICD_BASE + GICD_ICPENDR0, 1U << BM_IRQ_VTIMER);
	}
}

uint64_t bm_idle_woke(uint64_t *ret_ticks)
{
	uint64_t t = idle_woke_at;

	*ret_ticks = idle_ret_ticks;
	idle_woke_at = 0U;
	return t;
}
