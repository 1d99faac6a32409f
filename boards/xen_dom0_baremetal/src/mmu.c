/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Identity MMU mapping, so that memory shared with Xen and the DomUs is Normal write-back
 * cacheable (arch-arm.h requires it for hypercall arguments, shared_info, grant and ioreq
 * pages): with the MMU off every access would be Device memory, which Xen does not promise
 * to be coherent with (QEMU models no caches, so a mistake here would not show under QEMU).
 *
 * One level-1 table with 4 KiB granule and a 39-bit address space (T0SZ = 25): 512 blocks
 * of 1 GiB. Block 0 (GIC and other devices below 1 GiB) is Device-nGnRnE, execute-never;
 * the rest is Normal WB, inner shareable: Dom0's RAM, the extended regions where DomU RAM
 * and Xen's pages are mapped. Hypercall buffers are passed by virtual address, and Xen
 * translates them with this table: identity keeps VA == guest physical address.
 */

#include <stdint.h>

#include "xd.h"

#define MAIR_DEVICE_NGNRNE 0x00ULL
#define MAIR_NORMAL_WB 0xffULL /* inner and outer write-back, read/write-allocate */
#define ATTR_DEVICE 0U
#define ATTR_NORMAL 1U

#define DESC_BLOCK 0x1ULL
#define DESC_ATTR(i) ((uint64_t)(i) << 2)
#define DESC_SH_INNER (3ULL << 8)
#define DESC_AF (1ULL << 10)
#define DESC_PXN (1ULL << 53)
#define DESC_UXN (1ULL << 54)

#define TCR_T0SZ(n) ((uint64_t)(n))
#define TCR_IRGN0_WBWA (1ULL << 8)
#define TCR_ORGN0_WBWA (1ULL << 10)
#define TCR_SH0_INNER (3ULL << 12)
#define TCR_TG0_4K (0ULL << 14)
#define TCR_EPD1 (1ULL << 23) /* no walks through TTBR1: only the low half is mapped */
#define TCR_IPS_SHIFT 32

#define SCTLR_RES1 0x30d00800ULL
#define SCTLR_M (1ULL << 0)
#define SCTLR_C (1ULL << 2)
#define SCTLR_SA (1ULL << 3)
#define SCTLR_I (1ULL << 12)

#define L1_ENTRIES 512U
#define GIB 0x40000000ULL

static uint64_t xd_l1[L1_ENTRIES] __attribute__((aligned(4096), section(".bss.xd_pgtable")));

extern uint8_t __image_start[], __image_end[];

void xd_mmu_enable(void)
{
	uint64_t mmfr0;
	uint64_t tcr;

	/* With the MMU off: these stores reach memory directly (start.S step 1). */
	xd_l1[0] = DESC_BLOCK | DESC_ATTR(ATTR_DEVICE) | DESC_AF | DESC_PXN | DESC_UXN;
	for (unsigned int i = 1U; i < L1_ENTRIES; i++) {
		xd_l1[i] = ((uint64_t)i * GIB) | DESC_BLOCK | DESC_ATTR(ATTR_NORMAL) |
			   DESC_SH_INNER | DESC_AF;
	}
	/* No stale line may hide what was written with the MMU off (table, .bss, relocations). */
	xd_dcache_ivac((uintptr_t)__image_start, (uintptr_t)__image_end);

	__asm__ volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(mmfr0));
	tcr = TCR_T0SZ(64U - XD_VA_BITS) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER |
	      TCR_TG0_4K | TCR_EPD1 | ((mmfr0 & 0x7ULL) << TCR_IPS_SHIFT);
	__asm__ volatile("msr mair_el1, %0" ::"r"(MAIR_DEVICE_NGNRNE | (MAIR_NORMAL_WB << 8)));
	__asm__ volatile("msr tcr_el1, %0" ::"r"(tcr));
	__asm__ volatile("msr ttbr0_el1, %0" ::"r"((uint64_t)(uintptr_t)xd_l1));
	__asm__ volatile("isb\n\t"
			 "tlbi vmalle1\n\t"
			 "dsb nsh\n\t"
			 "ic iallu\n\t"
			 "dsb nsh\n\t"
			 "isb" ::: "memory");
	__asm__ volatile("msr sctlr_el1, %0\n\t"
			 "isb" ::"r"(SCTLR_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I)
			 : "memory");
}
