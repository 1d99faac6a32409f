/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small printf for the console, and the port's vbe_port_log() on top of it.
 *
 * Conversions: d i u x X o p s c %. Flags: '-' (left), '0' (zero pad), '#' (0x / 0 prefix).
 * Width and precision as numbers or '*'. Length: hh h l ll z j t. No floating point.
 * Output goes straight to the UART; there is no buffer and no lock (one CPU, no IRQs).
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vbe/port.h>

#include "bm.h"

#ifndef BM_LOG_LEVEL
#define BM_LOG_LEVEL VBE_LOG_INF
#endif

struct fmt_spec {
	bool left;
	bool zero;
	bool alt;
	int width;
	int prec; /* -1: none */
	int len;  /* -2 char, -1 short, 0 int, 1 long, 2 long long (z j t: long, LP64) */
};

struct fmt_out {
	int count;
};

static void out_c(struct fmt_out *o, char c)
{
	bm_console_putc(c);
	o->count++;
}

static void out_pad(struct fmt_out *o, char c, int n)
{
	for (int i = 0; i < n; i++) {
		out_c(o, c);
	}
}

static void out_str(struct fmt_out *o, const char *s, const struct fmt_spec *sp)
{
	int n = 0;

	if (s == NULL) {
		s = "(null)";
	}
	while (s[n] != '\0' && (sp->prec < 0 || n < sp->prec)) {
		n++;
	}
	if (!sp->left) {
		out_pad(o, ' ', sp->width - n);
	}
	for (int i = 0; i < n; i++) {
		out_c(o, s[i]);
	}
	if (sp->left) {
		out_pad(o, ' ', sp->width - n);
	}
}

static void out_num(struct fmt_out *o, unsigned long long v, bool neg, unsigned int base,
		    bool upper, const struct fmt_spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24]; /* 2^64 in octal is 22 digits */
	int n = 0;
	int prefix;
	int zeros;
	int used;

	do {
		buf[n++] = digits[v % base];
		v /= base;
	} while (v != 0U);

	prefix = neg ? 1 : 0;
	if (sp->alt && base == 16U) {
		prefix += 2;
	} else if (sp->alt && base == 8U && buf[n - 1] != '0') {
		prefix += 1;
	}
	/* precision: minimum digits; otherwise '0' pads to the width (not with '-') */
	zeros = (sp->prec > n) ? sp->prec - n : 0;
	if (sp->prec < 0 && sp->zero && !sp->left && sp->width > prefix + n) {
		zeros = sp->width - prefix - n;
	}
	used = prefix + zeros + n;
	if (!sp->left) {
		out_pad(o, ' ', sp->width - used);
	}
	if (neg) {
		out_c(o, '-');
	}
	if (sp->alt && base == 16U) {
		out_c(o, '0');
		out_c(o, upper ? 'X' : 'x');
	} else if (sp->alt && base == 8U && buf[n - 1] != '0') {
		out_c(o, '0');
	}
	out_pad(o, '0', zeros);
	while (n > 0) {
		out_c(o, buf[--n]);
	}
	if (sp->left) {
		out_pad(o, ' ', sp->width - used);
	}
}

/* Parse flags, width, precision and length; returns the conversion character's position. */
static const char *parse_spec(const char *f, struct fmt_spec *sp, va_list *ap)
{
	*sp = (struct fmt_spec){ .prec = -1 };
	for (;; f++) {
		if (*f == '-') {
			sp->left = true;
		} else if (*f == '0') {
			sp->zero = true;
		} else if (*f == '#') {
			sp->alt = true;
		} else if (*f != ' ' && *f != '+') {
			break; /* ' ' and '+' are accepted and ignored */
		}
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	}
	while (*f >= '0' && *f <= '9') {
		sp->width = sp->width * 10 + (*f++ - '0');
	}
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9') {
			sp->prec = sp->prec * 10 + (*f++ - '0');
		}
	}
	while (*f == 'h' || *f == 'l' || *f == 'z' || *f == 'j' || *f == 't') {
		if (*f == 'l') {
			sp->len++;
		} else if (*f == 'h') {
			sp->len--;
		} else {
			sp->len = 1;
		}
		f++;
	}
	return f;
}

int bm_vprintf(const char *fmt, va_list ap_in)
{
	struct fmt_out o = { 0 };
	struct fmt_spec sp;
	va_list ap;

	va_copy(ap, ap_in);
	for (const char *f = fmt; *f != '\0'; f++) {
		if (*f != '%') {
			out_c(&o, *f);
			continue;
		}
		f = parse_spec(f + 1, &sp, &ap);
		switch (*f) {
		case 'd':
		case 'i': {
			long long v = (sp.len >= 2) ? va_arg(ap, long long)
				    : (sp.len == 1) ? va_arg(ap, long) : va_arg(ap, int);
			unsigned long long m;

			if (sp.len == -1) {
				v = (short)v;
			} else if (sp.len <= -2) {
				v = (signed char)v;
			}
			/* magnitude without overflowing on LLONG_MIN */
			m = (v < 0) ? 0ULL - (unsigned long long)v : (unsigned long long)v;
			out_num(&o, m, v < 0, 10U, false, &sp);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			unsigned long long v = (sp.len >= 2) ? va_arg(ap, unsigned long long)
					     : (sp.len == 1) ? va_arg(ap, unsigned long)
							     : va_arg(ap, unsigned int);
			unsigned int base = (*f == 'u') ? 10U : (*f == 'o') ? 8U : 16U;

			if (sp.len == -1) {
				v = (unsigned short)v;
			} else if (sp.len <= -2) {
				v = (unsigned char)v;
			}
			out_num(&o, v, false, base, *f == 'X', &sp);
			break;
		}
		case 'p':
			sp.alt = true;
			out_num(&o, (uintptr_t)va_arg(ap, void *), false, 16U, false, &sp);
			break;
		case 's':
			out_str(&o, va_arg(ap, const char *), &sp);
			break;
		case 'c': {
			char c[2] = { (char)va_arg(ap, int), '\0' };

			sp.prec = 1;
			out_str(&o, c, &sp);
			break;
		}
		case '%':
			out_c(&o, '%');
			break;
		case '\0':
			f--; /* a lone '%' at the end: stop at the terminator */
			break;
		default:
			out_c(&o, '%'); /* unknown conversion: show it as written */
			out_c(&o, *f);
			break;
		}
	}
	va_end(ap);
	return o.count;
}

int bm_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = bm_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void vbe_port_log(int level, const char *fmt, ...)
{
	static const char *const names[] = { "", "err", "wrn", "inf", "dbg" };
	va_list ap;

	if (level < VBE_LOG_ERR || level > VBE_LOG_DBG || level > BM_LOG_LEVEL) {
		return;
	}
	bm_printf("vbe: %s: ", names[level]);
	va_start(ap, fmt);
	bm_vprintf(fmt, ap);
	va_end(ap);
	bm_console_putc('\n');
}
