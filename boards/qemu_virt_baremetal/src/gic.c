/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GICv2 distributor: one shared peripheral interrupt as a wake-up source.
 *
 * Like the idle timer (idle.c), the interrupt reaches the CPU interface but is never
 * taken: PSTATE.I stays set, WFI returns when it is pending, and the service loop clears
 * it after it has dealt with its cause. The distributor and the CPU interface themselves
 * are switched on by bm_idle_init(), which must run first.
 *
 * QEMU's GICv2 keeps a level-sensitive interrupt pending while its line is high, plus a
 * latch set on the rising edge that only a clear (GICD_ICPENDR) or an acknowledge resets:
 * clearing after the cause is gone cannot lose a wake-up, because a line that rose again
 * meanwhile keeps the interrupt pending.
 */

#include <errno.h>
#include <stdint.h>

#include "board.h"
#include "harness.h"

#define GICD_ISENABLER(n) (0x100 + 4 * (n))
#define GICD_ICPENDR(n) (0x280 + 4 * (n))
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_PIDR2 0xfe8

#define GIC_PIDR2_ARCHREV(v) (((v) >> 4) & 0xfU)
#define GIC_FIRST_SPI 32U
#define GIC_MAX_INTID 1019U
#define GIC_PRIO_WAKE 0xa0 /* above idle.c's priority mask (0xff) */
#define GIC_TARGET_CPU0 0x01

static inline void gicd_write32(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(BM_GICD_BASE + off) = v;
}

static inline void gicd_write8(uint32_t off, uint8_t v)
{
	*(volatile uint8_t *)(uintptr_t)(BM_GICD_BASE + off) = v;
}

int bm_gic_enable_wake(unsigned int intid)
{
	if (intid < GIC_FIRST_SPI || intid > GIC_MAX_INTID) {
		return -EINVAL;
	}
	if (GIC_PIDR2_ARCHREV(*(volatile uint32_t *)(uintptr_t)(BM_GICD_BASE + GICD_PIDR2)) != 2U) {
		return -ENODEV;
	}
	gicd_write8(GICD_IPRIORITYR + intid, GIC_PRIO_WAKE);
	/* SPIs reset with no target CPU: without this the interrupt never reaches CPU 0. */
	gicd_write8(GICD_ITARGETSR + intid, GIC_TARGET_CPU0);
	bm_gic_clear_pending(intid);
	gicd_write32(GICD_ISENABLER(intid / 32U), 1U << (intid % 32U));
	return 0;
}

void bm_gic_clear_pending(unsigned int intid)
{
	gicd_write32(GICD_ICPENDR(intid / 32U), 1U << (intid % 32U));
}
