/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qemu_virt_baremetal runtime: what its files provide to each other. The core sees only
 * vbe/port.h (vbe_port_log, vbe_port_time_us); everything here is board-private.
 */

#ifndef VBE_BOARDS_QEMU_VIRT_BAREMETAL_BM_H
#define VBE_BOARDS_QEMU_VIRT_BAREMETAL_BM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- flattened devicetree tokens (devicetree specification, 5.4), for the boot tree's readers */
#define FDT_MAGIC 0xd00dfeedU
#define FDT_BEGIN_NODE 1U
#define FDT_END_NODE 2U
#define FDT_PROP 3U
#define FDT_NOP 4U
#define FDT_END 9U

/* --- pl011.c: polled PL011 UART ------------------------------------------------------ */

/** @brief Enable UART0 (the console) for polled transmit and receive. */
void bm_console_init(void);

/** @brief Write one character to the console; '\n' goes out as "\r\n". */
void bm_console_putc(char c);

/** @brief Enable a PL011 at @p base (8N1, FIFOs on, no interrupts). */
void bm_pl011_init(uintptr_t base);

/** @brief Send one byte, waiting while the transmit FIFO is full. */
void bm_pl011_putc(uintptr_t base, uint8_t c);

/**
 * @brief Bytes that may be written with bm_pl011_tx() without a check: waits while the
 * transmit FIFO is full, then 1, or the FIFO depth (16) when it is empty. One FR read.
 */
unsigned int bm_pl011_tx_room(uintptr_t base);

/** @brief Write one byte to the data register, unchecked (see bm_pl011_tx_room()). */
void bm_pl011_tx(uintptr_t base, uint8_t c);

/** @brief One received byte, or -1 when the receive FIFO is empty. Never waits. */
int bm_pl011_getc(uintptr_t base);

/* --- printf.c: a small printf to the console ------------------------------------------ */

/**
 * @brief printf to the console: %d %i %u %x %X %o %p %s %c %%, flags '-' '0' '#',
 * width and precision (numbers or '*'), length modifiers hh h l ll z j t.
 *
 * @return characters written.
 */
int bm_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int bm_vprintf(const char *fmt, va_list ap);

/* --- timer.c: the Arm generic timer ---------------------------------------------------- */

/** @brief Read the counter frequency (CNTFRQ_EL0). Call before any other bm_timer_*. */
void bm_timer_init(void);

/** @brief Counter frequency in Hz. */
uint64_t bm_timer_freq(void);

/** @brief The virtual counter (CNTVCT_EL0), read after an ISB so it is not read early. */
uint64_t bm_timer_ticks(void);

/** @brief Microseconds to counter ticks (no overflow for any 64-bit input below ~2^44). */
uint64_t bm_timer_us_to_ticks(uint64_t us);

/* --- idle.c: sleeping between polls ----------------------------------------------------- */

/**
 * @brief Set up the wake-up source for bm_idle_sleep_us(): the virtual timer, routed
 * through the GICv2 but never taken (interrupts stay masked; WFI wakes on a pending one).
 *
 * @retval 0 the CPU can sleep.
 * @retval -ENODEV no GICv2: bm_idle_sleep_us() busy-waits instead.
 */
int bm_idle_init(void);

/**
 * @brief Sleep at most @p us microseconds; any interrupt enabled at the GIC ends it early
 * (the future doorbell UART's RX interrupt is the intended second source).
 */
void bm_idle_sleep_us(uint32_t us);

/**
 * @brief Profile (VBE_BM_PROFILE): the counter value at the last WFI return, once (then 0),
 * and in @p ret_ticks how long the wake-up took to return to the caller; always 0 without
 * the profile.
 */
uint64_t bm_idle_woke(uint64_t *ret_ticks);

/**
 * @brief Clear the GIC latch of the idle timer (its line is low outside
 * bm_idle_sleep_us()): for an interrupt found pending that was not the doorbell.
 */
void bm_idle_clear_timer_latch(void);

/** @brief An interrupt is pending at the CPU (ISR_EL1.I): a system register, not MMIO. */
static inline bool bm_irq_pending(void)
{
	uint64_t isr;

	__asm__ volatile("mrs %0, isr_el1" : "=r"(isr));
	return (isr & (1U << 7)) != 0U;
}

/* --- exception.c: vectors' C side -------------------------------------------------------- */

/** The registers vectors.S saves (272 bytes, layout fixed by vectors.S). */
struct bm_frame {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t pad;
};

/** @brief Called by vectors.S; returns only for an interrupt the IRQ hook handled. */
void bm_exception(unsigned int index, struct bm_frame *frame);

/**
 * @brief Handler for IRQs taken at EL1 (NULL: none). Interrupts are masked today; this is
 * where the doorbell path (GIC + second PL011) plugs in.
 */
void bm_exception_set_irq_hook(void (*hook)(void *ctx), void *ctx);

/** @brief Print "Bail out! vbe: <why>" and stop this CPU for good. */
void bm_halt(const char *why) __attribute__((noreturn));

/* --- start.S ------------------------------------------------------------------------------ */

/** @brief The C entry point; @p entry_el is the exception level QEMU started us at. */
void bm_main(unsigned int entry_el) __attribute__((noreturn));
void bm_park(void) __attribute__((noreturn));

#endif /* VBE_BOARDS_QEMU_VIRT_BAREMETAL_BM_H */
