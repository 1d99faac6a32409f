/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control channel: the commands of vbe-xen's (boards/xen_dom0_linux/src/ctl.c), with the
 * same answers, so the harness reads platform state the same way whichever Dom0 serves.
 * vbe-xen takes them on a socket, through `vbe-xen ctl CMD...` typed on Dom0's shell; here
 * the line typed on Xen's serial line (Dom0 has the input focus) is the command, with or
 * without that "vbe-xen ctl" prefix.
 *
 *   mbx CMD [A0 [A1 [A2 [A3]]]]  a platform command (boards/qemu_virt_baremetal/src/
 *                                mailbox_layout.h, run by platcmd.c): "result=R data=HEX"
 *   stats                        the "stats ..." lines of every domain, then "result=0"
 *   destroy DOMID                stop serving the domain (its devices reset) and destroy it
 *   stop DOMID                   stop serving it only: "result=R"
 *
 * Numbers are C-style (decimal, 0x hex, 0 octal, an optional '-'). An unknown command or a
 * bad number: "result=-22 ...".
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bm.h"
#include "platcmd.h"
#include "xd.h"

#define CTL_LINE 256U
#define CTL_MAX_TOKENS 8U

static char ctl_line[CTL_LINE];
static unsigned int ctl_len;
static bool ctl_overflow;

/* A C-style integer (strtol base 0), the whole token; 0 or -EINVAL. */
static int parse_num(const char *s, long *out)
{
	unsigned long v = 0U;
	unsigned int base = 10U;
	bool neg = false;

	if (*s == '-') {
		neg = true;
		s++;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16U;
		s += 2;
	} else if (s[0] == '0' && s[1] != '\0') {
		base = 8U;
		s++;
	}
	if (*s == '\0') {
		return -EINVAL;
	}
	for (; *s != '\0'; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9') {
			d = (unsigned int)(*s - '0');
		} else if (*s >= 'a' && *s <= 'f') {
			d = (unsigned int)(*s - 'a') + 10U;
		} else if (*s >= 'A' && *s <= 'F') {
			d = (unsigned int)(*s - 'A') + 10U;
		} else {
			return -EINVAL;
		}
		if (d >= base || v > (0x7fffffffffffffffUL - d) / base) {
			return -EINVAL;
		}
		v = v * base + d;
	}
	*out = neg ? -(long)v : (long)v;
	return 0;
}

/* Split at blanks, in place; returns the token count (at most CTL_MAX_TOKENS + 1). */
static unsigned int split(char *line, char **tok)
{
	unsigned int n = 0U;

	while (*line != '\0' && n <= CTL_MAX_TOKENS) {
		while (*line == ' ' || *line == '\t') {
			*line++ = '\0';
		}
		if (*line == '\0') {
			break;
		}
		tok[n++] = line;
		while (*line != '\0' && *line != ' ' && *line != '\t') {
			line++;
		}
	}
	return n;
}

static struct xd_dom *dom_by_id(struct xd_server *s, long id)
{
	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		if (s->dom[i].cfg != NULL && s->dom[i].cfg->domid == id) {
			return &s->dom[i];
		}
	}
	return NULL;
}

static void ctl_mbx(struct xd_server *s, char **tok, unsigned int n)
{
	static uint8_t data[BM_MBX_DATA_SIZE];
	const struct bm_platcmd_ctx ctx = { .sim = &s->sim, .cfg = s->cfg->sys,
					    .scmi = &s->sys.scmi };
	long v[5] = { 0 };
	int32_t arg[4];
	uint32_t len = 0U;
	int32_t result;

	if (n < 2U || n > 6U) {
		bm_printf("result=%d\n", -EINVAL);
		return;
	}
	for (unsigned int i = 1U; i < n; i++) {
		if (parse_num(tok[i], &v[i - 1U]) != 0) {
			bm_printf("result=%d\n", -EINVAL);
			return;
		}
	}
	for (unsigned int i = 0U; i < 4U; i++) {
		arg[i] = (int32_t)v[i + 1U];
	}
	/* Serve what the DomUs asked before the command, so the answer includes it. */
	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		(void)xd_dom_service(&s->dom[i]);
	}
	result = bm_platcmd_run(&ctx, (uint32_t)v[0], arg, data, &len);
	bm_printf("result=%d data=", (int)result);
	for (uint32_t i = 0U; i < len; i++) {
		bm_printf("%02x", data[i]);
	}
	bm_printf("\n");
}

static void ctl_run(struct xd_server *s, char *line)
{
	char *tok[CTL_MAX_TOKENS + 1U];
	unsigned int n = split(line, tok);
	char **t = tok;
	long id;

	/* the line vbe-xen's harness types: "vbe-xen ctl [--ctl SOCKET] CMD ..." */
	if (n >= 2U && strcmp(t[0], "vbe-xen") == 0 && strcmp(t[1], "ctl") == 0) {
		t += 2;
		n -= 2U;
		if (n >= 2U && strcmp(t[0], "--ctl") == 0) {
			t += 2;
			n -= 2U;
		}
	}
	if (n == 0U) {
		return;
	}
	if (strcmp(t[0], "mbx") == 0) {
		ctl_mbx(s, t, n);
	} else if (strcmp(t[0], "stats") == 0 && n == 1U) {
		for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
			if (s->dom[i].cfg != NULL) {
				xd_dom_stats(&s->dom[i]);
			}
		}
		bm_printf("result=0\n");
	} else if ((strcmp(t[0], "destroy") == 0 || strcmp(t[0], "stop") == 0) && n == 2U) {
		struct xd_dom *d = parse_num(t[1], &id) == 0 ? dom_by_id(s, id) : NULL;
		int rc = 0;

		if (d == NULL) {
			bm_printf("result=%d\n", -ENOENT);
			return;
		}
		if (t[0][0] == 'd') {
			rc = xd_dom_destroy(d);
		} else {
			xd_dom_stop(d);
		}
		bm_printf("result=%d\n", rc);
	} else {
		bm_printf("result=%d unknown command (mbx, stats, destroy, stop)\n", -EINVAL);
	}
}

bool xd_ctl_poll(struct xd_server *s)
{
	char buf[64];
	bool ran = false;
	int n;

	while ((n = xd_console_read(buf, sizeof(buf))) > 0) {
		for (int i = 0; i < n; i++) {
			char c = buf[i];

			if (c == '\r' || c == '\n') {
				ctl_line[ctl_len] = '\0';
				if (ctl_overflow) {
					bm_printf("result=%d line too long\n", -EINVAL);
				} else {
					ctl_run(s, ctl_line);
				}
				ctl_len = 0U;
				ctl_overflow = false;
				ran = true;
			} else if (ctl_len + 1U < CTL_LINE) {
				ctl_line[ctl_len++] = c;
			} else {
				ctl_overflow = true;
			}
		}
	}
	return ran;
}
