/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry as Xen's Dom0.
 *
 * Xen 4.17 boots Dom0 as an arm64 Linux Image: it checks the magic "ARM\x64" at 0x38, copies
 * the file (only the file: .bss is whatever the RAM held) to Dom0's first RAM bank +
 * text_offset, and enters at its first byte at EL1 with the MMU and caches off, interrupts
 * masked, FP/SIMD trapped, x0 = the physical address of Dom0's devicetree. The bank is
 * wherever Xen found memory for dom0_mem, so the image is linked at 0 as a static PIE and
 * applies its own R_AARCH64_RELATIVE relocations first.
 *
 * Steps (no C before the stack, .bss and relocations are right; every data access with
 * the MMU off is Device memory, so everything here is aligned):
 *   1. clean and invalidate the whole image (file, .bss, stack) from the data cache: Xen
 *      wrote it through its cacheable mapping; our MMU-off writes go to memory;
 *   2. refuse a devicetree inside our own .bss (it would be zeroed);
 *   3. relocate, zero .bss, set the stack and the vectors, allow FP/SIMD;
 *   4. xd_mmu_enable(): identity map, caches on (mmu.c);
 *   5. xd_main(devicetree).
 */

#define R_AARCH64_RELATIVE 1027 /* ELF for the Arm 64-bit Architecture: dynamic relocations */

	.section .text.head, "ax"
	.global _start
	.type _start, %function
_start:
	/* The arm64 Image header (Linux's Documentation/arch/arm64/booting.rst layout). */
	b	xd_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset: load at the bank's start (2 MiB aligned) */
	.quad	__image_size		/* image_size, .bss and stack included (Xen ignores it) */
	.quad	0xa			/* flags: little-endian, 4 KiB pages, anywhere in RAM */
	.quad	0			/* res2 */
	.quad	0			/* res3 */
	.quad	0			/* res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5: no PE header */
	.size _start, . - _start

	.section .text.boot, "ax"
	.type xd_entry, %function
xd_entry:
	mov	x19, x0			/* x19: the devicetree, for xd_main */
	msr	daifset, #0xf

	/* 1. The image's range out of the data cache. */
	adrp	x0, __image_start
	add	x0, x0, :lo12:__image_start
	adrp	x1, __image_end
	add	x1, x1, :lo12:__image_end
	bl	xd_dcache_civac

	/* 2. A devicetree in [__bss_start, __image_end) would be lost. */
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __image_end
	add	x1, x1, :lo12:__image_end
	cmp	x19, x0
	b.lo	1f
	cmp	x19, x1
	b.lo	xd_park
1:
	/* 3a. Relocations: *(base + r_offset) = base + r_addend; RELATIVE and NONE only. */
	adrp	x9, __image_start
	add	x9, x9, :lo12:__image_start
	adrp	x10, __rela_start
	add	x10, x10, :lo12:__rela_start
	adrp	x11, __rela_end
	add	x11, x11, :lo12:__rela_end
2:	cmp	x10, x11
	b.hs	3f
	ldp	x12, x13, [x10], #16	/* r_offset, r_info */
	ldr	x14, [x10], #8		/* r_addend */
	cbz	w13, 2b			/* R_AARCH64_NONE: a slot the linker left empty */
	cmp	w13, #R_AARCH64_RELATIVE
	b.ne	xd_park			/* a static PIE has no other kind */
	add	x14, x14, x9
	str	x14, [x12, x9]
	b	2b
3:
	/* 3b. .bss (16-byte aligned bounds, link.ld). */
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
4:	cmp	x0, x1
	b.hs	5f
	stp	xzr, xzr, [x0], #16
	b	4b
5:
	/* 3c. Stack, vectors, FP/SIMD (CPACR_EL1.FPEN = 0b11: no trap). */
	adrp	x0, __stack_top
	add	x0, x0, :lo12:__stack_top
	mov	sp, x0
	adrp	x0, bm_vectors
	add	x0, x0, :lo12:bm_vectors
	msr	vbar_el1, x0
	mov	x0, #(3 << 20)
	msr	cpacr_el1, x0
	isb

	/* 4., 5. */
	bl	xd_mmu_enable
	mov	x0, x19
	bl	xd_main
	b	xd_park
	.size xd_entry, . - xd_entry

/*
 * void xd_dcache_civac(uintptr_t start, uintptr_t end): clean and invalidate [start, end)
 * to the point of coherency. void xd_dcache_ivac(...): invalidate (at EL1 under Xen's
 * stage 2 this cleans too, which is harmless). x0..x3 only: callable before the stack.
 */
	.text
	.global xd_dcache_civac
	.type xd_dcache_civac, %function
xd_dcache_civac:
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4		/* DminLine: log2(words) */
	mov	x2, #4
	lsl	x2, x2, x3		/* line size in bytes */
	sub	x3, x2, #1
	bic	x0, x0, x3
1:	cmp	x0, x1
	b.hs	2f
	dc	civac, x0
	add	x0, x0, x2
	b	1b
2:	dsb	sy
	ret
	.size xd_dcache_civac, . - xd_dcache_civac

	.global xd_dcache_ivac
	.type xd_dcache_ivac, %function
xd_dcache_ivac:
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4
	mov	x2, #4
	lsl	x2, x2, x3
	sub	x3, x2, #1
	bic	x0, x0, x3
1:	cmp	x0, x1
	b.hs	2f
	dc	ivac, x0
	add	x0, x0, x2
	b	1b
2:	dsb	sy
	ret
	.size xd_dcache_ivac, . - xd_dcache_ivac

	.global xd_park
	.type xd_park, %function
xd_park:
	wfi
	b	xd_park
	.size xd_park, . - xd_park

	/* exception.c's bm_halt() parks through this name (shared runtime, bm.h). */
	.global bm_park
	.set bm_park, xd_park
