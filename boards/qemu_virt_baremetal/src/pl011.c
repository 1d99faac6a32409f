/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PL011 UART, polled. UART0 is the console; the same functions serve a second PL011
 * (the future doorbell). The baud-rate divisor is left as the firmware (or QEMU, which
 * ignores it) set it: a real board would program IBRD/FBRD from its UART clock.
 */

#include <stdint.h>

#include "bm.h"
#include "board.h"

#define PL011_DR 0x000
#define PL011_FR 0x018
#define PL011_LCR_H 0x02c
#define PL011_CR 0x030
#define PL011_IMSC 0x038
#define PL011_ICR 0x044

#define PL011_FR_RXFE (1U << 4) /* receive FIFO empty */
#define PL011_FR_TXFF (1U << 5) /* transmit FIFO full */
#define PL011_FR_TXFE (1U << 7) /* transmit FIFO empty */
#define PL011_FIFO_DEPTH 16U    /* the smallest PL011 FIFO (QEMU's is 16 deep too) */
#define PL011_LCR_H_FEN (1U << 4)
#define PL011_LCR_H_WLEN8 (3U << 5)
#define PL011_CR_UARTEN (1U << 0)
#define PL011_CR_TXE (1U << 8)
#define PL011_CR_RXE (1U << 9)
#define PL011_ICR_ALL 0x7ffU

static inline void pl011_write(uintptr_t base, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}

static inline uint32_t pl011_read(uintptr_t base, uint32_t off)
{
	return *(volatile uint32_t *)(base + off);
}

void bm_pl011_init(uintptr_t base)
{
	pl011_write(base, PL011_CR, 0U);
	pl011_write(base, PL011_IMSC, 0U);
	pl011_write(base, PL011_ICR, PL011_ICR_ALL);
	pl011_write(base, PL011_LCR_H, PL011_LCR_H_WLEN8 | PL011_LCR_H_FEN);
	pl011_write(base, PL011_CR, PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE);
}

void bm_pl011_putc(uintptr_t base, uint8_t c)
{
	while ((pl011_read(base, PL011_FR) & PL011_FR_TXFF) != 0U) {
		/* wait for room: QEMU's FIFO never stays full for long */
	}
	pl011_write(base, PL011_DR, c);
}

unsigned int bm_pl011_tx_room(uintptr_t base)
{
	uint32_t fr;

	while (((fr = pl011_read(base, PL011_FR)) & PL011_FR_TXFF) != 0U) {
		/* wait for room */
	}
	return (fr & PL011_FR_TXFE) != 0U ? PL011_FIFO_DEPTH : 1U;
}

void bm_pl011_tx(uintptr_t base, uint8_t c)
{
	pl011_write(base, PL011_DR, c);
}

int bm_pl011_getc(uintptr_t base)
{
	if ((pl011_read(base, PL011_FR) & PL011_FR_RXFE) != 0U) {
		return -1;
	}
	return (int)(pl011_read(base, PL011_DR) & 0xffU);
}

void bm_console_init(void)
{
	bm_pl011_init(BM_UART0_BASE);
}

void bm_console_putc(char c)
{
	if (c == '\n') {
		bm_pl011_putc(BM_UART0_BASE, '\r');
	}
	bm_pl011_putc(BM_UART0_BASE, (uint8_t)c);
}
