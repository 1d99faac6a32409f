/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The port interface: everything the portable core needs from the system it runs on.
 *
 * The core calls nothing else. A port (host library, bare-metal Arm64, Zephyr) provides:
 * - the barrier macros below (or overrides them by defining VBE_PORT_BARRIERS before
 *   including this header),
 * - vbe_port_log() and vbe_port_time_us().
 * Platform operations (I2C transfers, later clocks, power, sensors) are a separate ops
 * table, see vbe/plat.h, because one port can serve several platforms (real or simulated).
 */

#ifndef VBE_PORT_H
#define VBE_PORT_H

#include <stdint.h>

/*
 * Memory barriers between the two sides of a shared ring.
 *
 * vbe_mb()  - full barrier: orders earlier loads and stores against later ones.
 * vbe_rmb() - orders earlier loads against later loads (read an index, then the payload).
 * vbe_wmb() - orders earlier stores against later stores (write the payload, then the index).
 *
 * Every call site names, in a comment, the write on the other side it pairs with.
 * The Arm64 variants use the system domain (dmb sy/ld/st) because the other side may be a
 * different OS on another cluster, or a host process through a shared file mapping.
 */
#ifndef VBE_PORT_BARRIERS
#if defined(__aarch64__)
#define vbe_mb() __asm__ volatile("dmb sy" ::: "memory")
#define vbe_rmb() __asm__ volatile("dmb ld" ::: "memory")
#define vbe_wmb() __asm__ volatile("dmb st" ::: "memory")
#elif defined(__x86_64__) || defined(__i386__)
/* x86 is TSO: only store->load needs a fence; the others only stop the compiler. */
#define vbe_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define vbe_rmb() __atomic_signal_fence(__ATOMIC_SEQ_CST)
#define vbe_wmb() __atomic_signal_fence(__ATOMIC_SEQ_CST)
#else
#define vbe_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define vbe_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define vbe_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif
#endif /* VBE_PORT_BARRIERS */

/** Log levels, Zephyr's order. */
enum vbe_log_level {
	VBE_LOG_ERR = 1,
	VBE_LOG_WRN = 2,
	VBE_LOG_INF = 3,
	VBE_LOG_DBG = 4,
};

/**
 * @brief Emit one log line. Provided by the port.
 *
 * @param level one of enum vbe_log_level.
 * @param fmt printf-style format; ports support at least %d %u %x %s %c and the l/ll
 *            length modifiers.
 */
void vbe_port_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** @brief Monotonic time in microseconds. Provided by the port. */
uint64_t vbe_port_time_us(void);

#define VBE_LOG(level, ...) vbe_port_log((level), __VA_ARGS__)

#endif /* VBE_PORT_H */
