/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest windows: BM_WINDOW_COUNT page-aligned slots of BM_WINDOW_SLOT bytes in the
 * NOLOAD section .vbe_windows, which link.ld places at a fixed guest-physical address and
 * in no loadable segment. The loader neither copies nor zeroes them, so their contents
 * survive a QEMU system_reset (boot_seq keeps counting); the backend writes every header
 * field itself at boot (vbe_fvq_publish). Symbols vbe_window_<n> carry size and type.
 */

#include "board.h"

	.macro window n
	.balign 4096
	.global vbe_window_\n
	.type vbe_window_\n, %object
	.size vbe_window_\n, BM_WINDOW_SLOT
vbe_window_\n:
	.skip BM_WINDOW_SLOT
	.endm

	.section .vbe_windows, "aw", %nobits
	window 0
	window 1
	window 2
	window 3
