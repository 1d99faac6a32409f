/* SPDX-License-Identifier: Apache-2.0 */
/*
 * C side of the exception vectors: report and halt, or hand an IRQ to the hook.
 *
 * A report is a few "vbe: exception ..." lines (class, ESR, ELR, FAR, SPSR, registers)
 * and then "Bail out! ..." (the TAP abort line a harness can use as its failure pattern).
 */

#include <stddef.h>
#include <stdint.h>

#include "bm.h"

#define ESR_EC(esr) (((esr) >> 26) & 0x3fU)
#define VEC_TYPE_IRQ 1U
#define VEC_GROUP_CUR_SPX 1U

static void (*irq_hook)(void *ctx);
static void *irq_hook_ctx;

void bm_exception_set_irq_hook(void (*hook)(void *ctx), void *ctx)
{
	irq_hook_ctx = ctx;
	irq_hook = hook;
}

/* Exception classes (ESR_ELx.EC) worth a name here; the rest print as a number. */
static const char *ec_name(uint32_t ec)
{
	switch (ec) {
	case 0x00:
		return "unknown instruction";
	case 0x01:
		return "trapped WFI/WFE";
	case 0x07:
		return "FP/SIMD access trapped";
	case 0x0e:
		return "illegal execution state";
	case 0x15:
		return "SVC";
	case 0x16:
		return "HVC";
	case 0x17:
		return "SMC";
	case 0x18:
		return "trapped MSR/MRS";
	case 0x20:
	case 0x21:
		return "instruction abort";
	case 0x22:
		return "PC alignment fault";
	case 0x24:
	case 0x25:
		return "data abort";
	case 0x26:
		return "SP alignment fault";
	case 0x2f:
		return "SError";
	case 0x3c:
		return "BRK";
	default:
		return "other";
	}
}

void bm_exception(unsigned int index, struct bm_frame *frame)
{
	static const char *const groups[] = { "EL1t", "EL1h", "lower EL AArch64",
					      "lower EL AArch32" };
	static const char *const types[] = { "synchronous", "IRQ", "FIQ", "SError" };
	unsigned int group = (index / 4U) % 4U;
	unsigned int type = index % 4U;
	uint64_t esr;
	uint64_t far;

	if (type == VEC_TYPE_IRQ && group == VEC_GROUP_CUR_SPX && irq_hook != NULL) {
		irq_hook(irq_hook_ctx);
		return;
	}
	__asm__ volatile("mrs %0, esr_el1" : "=r"(esr));
	__asm__ volatile("mrs %0, far_el1" : "=r"(far));
	bm_printf("vbe: exception: %s from %s, class 0x%02x (%s)\n", types[type], groups[group],
		  (unsigned int)ESR_EC(esr), ec_name((uint32_t)ESR_EC(esr)));
	bm_printf("vbe: exception: ESR 0x%016llx ELR 0x%016llx FAR 0x%016llx SPSR 0x%08llx\n",
		  (unsigned long long)esr, (unsigned long long)frame->elr,
		  (unsigned long long)far, (unsigned long long)frame->spsr);
	for (unsigned int i = 0U; i < 31U; i += 4U) {
		bm_printf("vbe: exception:");
		for (unsigned int j = i; j < i + 4U && j < 31U; j++) {
			bm_printf(" x%-2u 0x%016llx", j, (unsigned long long)frame->x[j]);
		}
		bm_printf("\n");
	}
	bm_halt("exception");
}

void bm_halt(const char *why)
{
	bm_printf("Bail out! vbe: %s, halted\n", why);
	__asm__ volatile("msr daifset, #0xf" ::: "memory");
	bm_park();
}
