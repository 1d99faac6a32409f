/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The doorbell: one byte at a time on the second PL011 (UART1, 0x09040000), which the
 * harness connects to through a QEMU unix-socket chardev
 * (-serial unix:PATH,server=on,wait=off).
 *
 * Harness -> image: BM_DB_KICK after publishing work (any byte wakes the CPU: the UART's
 * receive interrupt goes through the GIC and ends WFI), BM_DB_PING (answered at once: the
 * latency floor), BM_DB_HELLO (doorbell mode on, answered with BM_DB_HELLO).
 * Image -> harness, in doorbell mode only: BM_DB_NOTIFY from the fvq notify callback, and
 * BM_DB_DONE after a round that did work without notifying (a status acknowledged, a
 * mailbox command run), so a harness blocked on the socket always wakes when something it
 * may wait for changed. A harness that never says hello (polling mode) gets no bytes.
 *
 * In doorbell mode the idle sleep is long (a backstop only): the doorbell ends it.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vbe/fvq.h>

#include "bm.h"
#include "board.h"
#include "harness.h"
#include "prof.h"

#define PL011_IMSC 0x038
#define PL011_IMSC_RXIM (1U << 4)
#define PL011_IMSC_RTIM (1U << 6)

/* The devicetree QEMU leaves at the RAM base (the image is linked above it): FDT tokens. */
#define FDT_MAGIC 0xd00dfeedU
#define FDT_BEGIN_NODE 1U
#define FDT_END_NODE 2U
#define FDT_PROP 3U
#define FDT_NOP 4U
#define FDT_END 9U
#define FDT_UART1_NODE "pl011@9040000"
#define FDT_MAX_NAME 64U

#ifndef BM_DOORBELL_SPIN_US
#define BM_DOORBELL_SPIN_US 200U /* doorbell mode: keep polling this long after work */
#endif
#ifndef BM_DOORBELL_SLEEP_MAX_US
#define BM_DOORBELL_SLEEP_MAX_US 100000U /* backstop wake-up, 10 per second */
#endif

static bool db_present; /* UART1 exists and wakes WFI */
static bool db_active;  /* the harness said hello: send notifications */
static bool db_notified; /* a BM_DB_NOTIFY went out this round */
static unsigned int db_tx_room; /* bytes UART1's transmit FIFO takes without a check */
static uint32_t db_spin_us = BM_DOORBELL_SPIN_US;
static uint32_t db_sleep_max_us = BM_DOORBELL_SLEEP_MAX_US;

static uint32_t fdt_be32(uintptr_t addr)
{
	uint32_t v = *(volatile uint32_t *)addr;

	return __builtin_bswap32(v);
}

/*
 * Does QEMU's devicetree have the second PL011? Touching 0x09040000 without one is a
 * data abort, so look before touching. No devicetree (QEMU drops it when it does not fit
 * below the image) reads as "no".
 */
static bool fdt_has_uart1(void)
{
	static const char want[] = FDT_UART1_NODE;
	uintptr_t fdt = BM_RAM_BASE;
	uintptr_t p;
	uintptr_t end;

	if (fdt_be32(fdt) != FDT_MAGIC) {
		return false;
	}
	p = fdt + fdt_be32(fdt + 8U);     /* off_dt_struct */
	end = p + fdt_be32(fdt + 36U);    /* size_dt_struct */
	while (p + 4U <= end) {
		uint32_t tok = fdt_be32(p);
		size_t n = 0U;

		p += 4U;
		if (tok == FDT_BEGIN_NODE) {
			const volatile char *name = (const volatile char *)p;
			bool same = true;

			while (n < FDT_MAX_NAME && p + n < end && name[n] != '\0') {
				same = same && n < sizeof(want) - 1U && name[n] == want[n];
				n++;
			}
			if (same && n == sizeof(want) - 1U) {
				return true;
			}
			p += (n + 4U) & ~(uintptr_t)3U; /* name, NUL, padding to 4 */
		} else if (tok == FDT_PROP) {
			p += 8U + ((fdt_be32(p) + 3U) & ~3U); /* len, nameoff, value, padding */
		} else if (tok != FDT_END_NODE && tok != FDT_NOP) {
			break; /* FDT_END or garbage */
		}
	}
	return false;
}

/* One byte to the harness: the FIFO's flags are read once per FIFO-full, not per byte. */
static void db_putc(uint8_t c)
{
	if (db_tx_room == 0U) {
		db_tx_room = bm_pl011_tx_room(BM_UART1_BASE);
	}
	db_tx_room--;
	bm_pl011_tx(BM_UART1_BASE, c);
}

static void db_notify(void *ctx, uint16_t guest_id)
{
	(void)ctx;
	(void)guest_id;
	if (db_active) {
		uint64_t t = bm_prof_now();

		db_putc(BM_DB_NOTIFY);
		if (BM_PROF_ON && !db_notified) {
			bm_prof.last_notify = bm_timer_ticks();
			bm_prof.notify_write += bm_prof.last_notify - t;
		}
		db_notified = true;
	}
}

static const struct vbe_fvq_notify db_notifier = {
	.notify = db_notify,
	.ctx = NULL,
};

int bm_doorbell_init(void)
{
	int rc;

	/* QEMU adds UART1 only with a second -serial; without it, 0x09040000 aborts. */
	if (!fdt_has_uart1()) {
		return -ENODEV;
	}
	bm_pl011_init(BM_UART1_BASE);
	rc = bm_gic_enable_wake(BM_IRQ_UART1);
	if (rc != 0) {
		return rc;
	}
	/* Receive and receive-timeout interrupts: any byte raises the line. */
	*(volatile uint32_t *)(uintptr_t)(BM_UART1_BASE + PL011_IMSC) =
		PL011_IMSC_RXIM | PL011_IMSC_RTIM;
	db_present = true;
	return 0;
}

const struct vbe_fvq_notify *bm_doorbell_notifier(void)
{
	return &db_notifier;
}

unsigned int bm_doorbell_rx(void)
{
	unsigned int n = 0U;
	uint64_t t;
	int c;

	/*
	 * A byte in the receive FIFO raises UART1's interrupt, which stays pending until the
	 * drain below clears its latch: no pending interrupt, no byte, and no UART or GIC
	 * access (each one an exit into QEMU's device model).
	 */
	if (!db_present || !bm_irq_pending()) {
		return 0U;
	}
	while ((c = bm_pl011_getc(BM_UART1_BASE)) >= 0) {
		n++;
		if (c == BM_DB_PING) {
			db_putc(BM_DB_PING);
		} else if (c == BM_DB_HELLO) {
			db_active = true;
			db_putc(BM_DB_HELLO);
		}
		/* anything else is a kick: the caller polls next */
	}
	/* The FIFO is empty, so the UART's line is low: drop the latch (see gic.c). */
	t = bm_prof_now();
	bm_gic_clear_pending(BM_IRQ_UART1);
	if (n == 0U) {
		bm_idle_clear_timer_latch(); /* pending, but not the doorbell: never stay stuck */
	}
	if (BM_PROF_ON && n != 0U) {
		bm_prof.rx_gic += bm_prof_now() - t;
		bm_prof.rx_drains++;
	}
	return n;
}

void bm_doorbell_round_end(bool work)
{
	if (db_active && work && !db_notified) {
		db_putc(BM_DB_DONE);
	}
	db_notified = false;
}

void bm_doorbell_idle_policy(uint32_t *spin_us, uint32_t *sleep_max_us)
{
	if (db_active) {
		*spin_us = db_spin_us;
		*sleep_max_us = db_sleep_max_us;
	}
}

void bm_doorbell_set_idle(uint32_t spin_us, uint32_t sleep_max_us)
{
	db_spin_us = spin_us;
	db_sleep_max_us = sleep_max_us;
}
