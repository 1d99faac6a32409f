/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe harness: the service loop's profile (struct bm_profile, symbol vbe_bm_prof;
 * harness_layout.h says what each field means). Compiled in with
 * -DVBE_BM_PROFILE=ON (BM_PROFILE): BM_PROF_ON is then 1, and code written as
 * `if (BM_PROF_ON) ...` exists; otherwise the compiler drops it and the profile reads as
 * all zero (enabled = 0).
 */

#ifndef VBE_BOARDS_QEMU_VIRT_BAREMETAL_PROF_H
#define VBE_BOARDS_QEMU_VIRT_BAREMETAL_PROF_H

#include <stdint.h>

#include "bm.h"
#include "harness_layout.h"

#ifdef BM_PROFILE
#define BM_PROF_ON 1
#else
#define BM_PROF_ON 0
#endif

/** The profile: written by the image only, read by the harness (mailbox.c defines it). */
extern struct bm_profile vbe_bm_prof;
#define bm_prof vbe_bm_prof

/** The virtual counter when profiling, else 0 (no counter read). */
static inline uint64_t bm_prof_now(void)
{
	return BM_PROF_ON ? bm_timer_ticks() : 0U;
}

#endif /* VBE_BOARDS_QEMU_VIRT_BAREMETAL_PROF_H */
