/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EL1 exception vector table (16 entries of 0x80 bytes, 2 KiB aligned).
 *
 * Each entry saves x0/x1, loads its index (0..15) into x0 and branches to a common path
 * that saves the rest of the frame (struct bm_frame in bm.h) and calls
 * bm_exception(index, frame). Synchronous exceptions and SErrors never return from it
 * (it prints and halts); an interrupt handled by the IRQ hook returns, and we restore the
 * frame and eret.
 *
 * Index = 4 * group + type; group: 0 current EL with SP_EL0, 1 current EL with SP_ELx,
 * 2 lower EL AArch64, 3 lower EL AArch32; type: 0 sync, 1 IRQ, 2 FIQ, 3 SError.
 */

#define BM_FRAME_SIZE 272	/* x0..x30, elr, spsr, pad: 34 * 8, a multiple of 16 */

	.macro ventry index
	.balign 0x80
	sub	sp, sp, #BM_FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\index
	b	bm_exc_common
	.endm

	.section .text.vectors, "ax"
	.balign 2048
	.global bm_vectors
bm_vectors:
	ventry 0
	ventry 1
	ventry 2
	ventry 3
	ventry 4
	ventry 5
	ventry 6
	ventry 7
	ventry 8
	ventry 9
	ventry 10
	ventry 11
	ventry 12
	ventry 13
	ventry 14
	ventry 15

	.type bm_exc_common, %function
bm_exc_common:
	/* x0 = index; x0/x1 of the interrupted code are at [sp, #0] already. */
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x1, elr_el1
	stp	x30, x1, [sp, #240]	/* x30, elr */
	mrs	x1, spsr_el1
	str	x1, [sp, #256]		/* spsr */
	mov	x1, sp			/* x1 = struct bm_frame * */
	bl	bm_exception

	/* Returned: an interrupt was handled. Restore (elr/spsr may have been changed). */
	ldp	x30, x1, [sp, #240]
	msr	elr_el1, x1
	ldr	x1, [sp, #256]
	msr	spsr_el1, x1
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #BM_FRAME_SIZE
	eret
	.size bm_exc_common, . - bm_exc_common
