/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry point. QEMU's -kernel loader jumps here with the MMU off, at EL1 (or EL2 with
 * -M virt,virtualization=on). We run at EL1 with the MMU and caches off, so every data
 * access is Device-nGnRnE: no unaligned accesses (the build uses -mstrict-align).
 *
 * Steps: park all but core 0, drop EL2 -> EL1 if needed, allow FP/SIMD (the C code is
 * built with -mgeneral-regs-only, this only keeps a stray FP instruction from trapping),
 * set the stack, install the vectors, zero .bss, call bm_main(entry EL).
 */

	.section .text.boot, "ax"
	.global _start
	.type _start, %function
_start:
	/* Only core 0 (Aff0 == 0) runs; others wait forever (virt keeps them off anyway). */
	mrs	x0, mpidr_el1
	and	x0, x0, #0xff
	cbnz	x0, bm_park

	/* CurrentEL[3:2] is the exception level; x19 keeps it for bm_main(entry_el). */
	mrs	x0, CurrentEL
	lsr	x0, x0, #2
	and	x0, x0, #3
	mov	x19, x0
	cmp	x0, #1
	b.eq	el1_entry
	cmp	x0, #2
	b.ne	bm_park			/* EL3: not supported (no firmware to return to) */

	/* --- EL2: configure EL1 and drop to it --- */
	mov	x0, #(1 << 31)		/* HCR_EL2.RW: EL1 is AArch64; no other traps */
	msr	hcr_el2, x0
	mrs	x0, cnthctl_el2
	orr	x0, x0, #3		/* EL1PCTEN | EL1PCEN: EL1 may use the physical timer */
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr	/* virtual counter == physical counter */
	mov	x0, #0x33ff		/* CPTR_EL2: RES1 bits, TFP = 0 (no FP/SIMD trap) */
	msr	cptr_el2, x0
	msr	hstr_el2, xzr		/* no AArch32 CP15 traps */
	mrs	x0, midr_el1		/* EL1 reads of MIDR/MPIDR see the real values */
	msr	vpidr_el2, x0
	mrs	x0, mpidr_el1
	msr	vmpidr_el2, x0
	ldr	x0, =0x30d00800		/* SCTLR_EL1: RES1 bits only: MMU, caches, checks off, LE */
	msr	sctlr_el1, x0
	mov	x0, #0x3c5		/* SPSR: EL1h (SP_EL1), D, A, I, F masked */
	msr	spsr_el2, x0
	adr	x0, el1_entry
	msr	elr_el2, x0
	eret

el1_entry:
	/* CPACR_EL1.FPEN = 0b11: FP/SIMD instructions do not trap at EL1/EL0. */
	mov	x0, #(3 << 20)
	msr	cpacr_el1, x0
	isb

	/* Interrupts stay masked (DAIF): the idle loop wakes from WFI without taking them. */
	msr	daifset, #0xf

	/* Stack: top of the NOLOAD .stack section, 16-byte aligned by link.ld. */
	ldr	x0, =__stack_top
	mov	sp, x0

	/* Exception vectors (vectors.S), 2 KiB aligned. */
	ldr	x0, =bm_vectors
	msr	vbar_el1, x0
	isb

	/* Zero .bss: both bounds are 16-byte aligned by link.ld. Do not rely on the loader. */
	ldr	x0, =__bss_start
	ldr	x1, =__bss_end
1:	cmp	x0, x1
	b.hs	2f
	stp	xzr, xzr, [x0], #16
	b	1b
2:
	mov	x0, x19			/* bm_main(entry_el) */
	bl	bm_main
	/* bm_main() does not return; if it ever does, fall through and park. */
	.size _start, . - _start

	.global bm_park
	.type bm_park, %function
bm_park:
	wfe
	b	bm_park
	.size bm_park, . - bm_park
