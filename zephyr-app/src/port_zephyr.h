/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr port: the barrier half of the port interface (vbe/port.h).
 *
 * The build force-includes this header into every core source (zephyr-app/CMakeLists.txt),
 * so it must stay self-contained and pull in nothing but <zephyr/sys/barrier.h>. Port
 * sources include it before any vbe header.
 *
 * Zephyr's barrier API offers only full fences (barrier_dmem_fence_full() is "dmb sy" on
 * arm64), so the read and write barriers map to the full data memory barrier too: stronger
 * than the core needs, never weaker.
 */

#ifndef VBE_PORT_ZEPHYR_H
#define VBE_PORT_ZEPHYR_H

#include <zephyr/sys/barrier.h>

#define VBE_PORT_BARRIERS 1

#define vbe_mb()  barrier_dmem_fence_full()
#define vbe_rmb() barrier_dmem_fence_full()
#define vbe_wmb() barrier_dmem_fence_full()

#endif /* VBE_PORT_ZEPHYR_H */
