/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The console: Xen's console_io hypercall. Dom0's writes go straight to Xen's serial line
 * (no prefix; Xen adds the '\r' before '\n'), so the shared printf (bm.h) writes here
 * through a line buffer: one hypercall per line, not per character. Input: the bytes Xen's
 * serial line receives while its input focus is Dom0 (the default after boot; Ctrl-a three
 * times moves it on), signalled on VIRQ_CONSOLE and read with CONSOLEIO_read.
 */

#include <stddef.h>
#include <stdint.h>

#include "bm.h"
#include "xd.h"
#include "xen_abi.h"

#define CONSOLE_LINE 256U

static char con_buf[CONSOLE_LINE];
static unsigned int con_len;

void bm_console_init(void)
{
	con_len = 0U;
}

void xd_console_flush(void)
{
	if (con_len != 0U) {
		(void)xd_hypercall(XD_HC_CONSOLE_IO, XD_CONSOLEIO_WRITE, con_len,
				   (uintptr_t)con_buf, 0, 0);
		con_len = 0U;
	}
}

void bm_console_putc(char c)
{
	con_buf[con_len++] = c;
	if (c == '\n' || con_len == CONSOLE_LINE) {
		xd_console_flush();
	}
}

int xd_console_read(char *buf, unsigned int len)
{
	return (int)xd_hypercall(XD_HC_CONSOLE_IO, XD_CONSOLEIO_READ, len, (uintptr_t)buf, 0, 0);
}
