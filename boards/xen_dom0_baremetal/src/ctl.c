/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dom0's console: the command loop the harness drives, and vbe-xen's control commands.
 *
 * The harness (pyhost.xen.system) talks to a Linux Dom0 through its init's command loop
 * (pyhost.linux.initramfs.COMMAND_LOOP) and reaches vbe-xen with `vbe-xen ctl CMD...` run
 * there. This Dom0 speaks the same loop on Xen's serial line (Dom0 has the input focus),
 * so the same harness drives either Dom0:
 *
 *   "VBE-GUEST-READY <release>"            once every DomU is served (main.c)
 *   in:  "<id>[:<length>] <secs> <command>"  <length>: the command's, checked (Xen drops
 *                                           input its 128-byte buffer cannot hold)
 *   out: "VBE-BEGIN <id>", the command's output, "\nVBE-END <id> <status>"; a command of the
 *        wrong length gets status 254 and "vbe init: garbled command (N of M bytes)"
 *
 * Commands (what a shell would run; there is none here):
 *   vbe-xen ctl [--ctl SOCKET] CTL...   a control command, status 0 (as vbe-xen's client)
 *   poweroff [-f]                       SCHEDOP_shutdown(poweroff): Xen halts the machine
 *   anything else                       status 127
 * A line without the framing is a control command typed by hand (`vbe xen boot` hands the
 * serial line to a terminal): its answer, no framing.
 *
 * Control commands, with vbe-xen's answers (boards/xen_dom0_linux/src/ctl.c):
 *   sim CMD [A0 [A1 [A2 [A3]]]]  a command of the platform protocol (vbe/sim_cmd.h), run
 *                                by the core's handler vbe_sim_cmd() as in every other
 *                                port: "result=R data=HEX" (no port commands here: -ENOSYS)
 *   stats                        the "stats ..." lines of every domain, then "result=0"
 *   destroy DOMID                stop serving the domain (its devices reset) and destroy it
 *   stop DOMID                   stop serving it only: "result=R"
 *   withhold DOMID MASK          offer the domain's devices their features less MASK from the
 *                                next negotiation on (0x20000000: no EVENT_IDX), for
 *                                measurements: "result=0"
 * Numbers are C-style (decimal, 0x hex, 0 octal, an optional '-'). An unknown command or a
 * bad number: "result=-22 ...".
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <vbe/sim.h>
#include <vbe/sim_cmd.h>

#include "bm.h"
#include "xd.h"
#include "xen_abi.h"

#define CTL_LINE 256U
#define CTL_MAX_TOKENS 10U /* vbe-xen ctl --ctl SOCKET sim CMD A0 A1 A2 A3 */

/* pyhost.linux.initramfs: the command loop's markers and statuses */
#define LOOP_BEGIN "VBE-BEGIN"
#define LOOP_END "VBE-END"
#define LOOP_GARBLED 254
#define LOOP_NOT_FOUND 127

#define XD_SCHEDOP_SHUTDOWN 2
#define XD_SHUTDOWN_POWEROFF 0

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

/*
 * Split at blanks, in place: the first CTL_MAX_TOKENS tokens into @p tok; returns how many
 * there are in all (more than CTL_MAX_TOKENS: more than any command takes, refused).
 */
static unsigned int split(char *line, char **tok)
{
	unsigned int n = 0U;

	while (*line != '\0') {
		while (*line == ' ' || *line == '\t') {
			*line++ = '\0';
		}
		if (*line == '\0') {
			break;
		}
		if (n < CTL_MAX_TOKENS) {
			tok[n] = line;
		}
		n++;
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

static void ctl_sim(struct xd_server *s, char **tok, unsigned int n)
{
	static struct vbe_sim_rsp rsp;
	struct vbe_sim_req req = { 0 };
	long v[5] = { 0 };

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
	req.cmd = (uint32_t)v[0];
	for (unsigned int i = 0U; i < 4U; i++) {
		req.arg[i] = (int32_t)v[i + 1U];
	}
	/* Serve what the DomUs asked before the command, so the answer includes it. */
	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		(void)xd_dom_service(&s->dom[i]);
	}
	/* the core's commands only (no port commands here: -ENOSYS, as an unknown one) */
	rsp.result = vbe_sim_cmd(&s->sim, s->cfg->sys, &s->sys, &req, &rsp);
	bm_printf("result=%d data=", (int)rsp.result);
	for (uint32_t i = 0U; i < rsp.data_len; i++) {
		bm_printf("%02x", rsp.data[i]);
	}
	bm_printf("\n");
}

/* A control command (tokens after "vbe-xen ctl"); false: not one. */
static bool ctl_run(struct xd_server *s, char **t, unsigned int n)
{
	long id;

	if (n >= 2U && strcmp(t[0], "--ctl") == 0) {
		t += 2;
		n -= 2U;
	}
	if (n == 0U) {
		return false;
	}
	if (strcmp(t[0], "sim") == 0) {
		ctl_sim(s, t, n);
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
			return true;
		}
		if (t[0][0] == 'd') {
			rc = xd_dom_destroy(d);
		} else {
			xd_dom_stop(d);
		}
		bm_printf("result=%d\n", rc);
	} else if (strcmp(t[0], "withhold") == 0 && n == 3U) {
		struct xd_dom *d = parse_num(t[1], &id) == 0 ? dom_by_id(s, id) : NULL;
		long mask;

		if (d == NULL || parse_num(t[2], &mask) != 0) {
			bm_printf("result=%d\n", -EINVAL);
			return true;
		}
		for (unsigned int k = 0U; k < d->cfg->dev_count; k++) {
			d->mmio[k].dev.withheld = (uint64_t)mask;
		}
		bm_printf("result=0\n");
	} else {
		bm_printf("result=%d unknown command (sim, stats, destroy, stop, withhold)\n",
			  -EINVAL);
	}
	return true;
}

/* One command of the loop; its exit status. */
static int cmd_run(struct xd_server *s, char *cmd)
{
	char *tok[CTL_MAX_TOKENS];
	unsigned int n = split(cmd, tok);

	if (n > CTL_MAX_TOKENS) {
		bm_printf("vbe: more than %u words\n", CTL_MAX_TOKENS);
		return 2;
	}

	if (n >= 2U && strcmp(tok[0], "vbe-xen") == 0 && strcmp(tok[1], "ctl") == 0) {
		if (!ctl_run(s, tok + 2, n - 2U)) {
			bm_printf("usage: vbe-xen ctl [--ctl SOCKET] COMMAND [ARG...]\n");
			return 2;
		}
		return 0;
	}
	if (n >= 1U && strcmp(tok[0], "poweroff") == 0) {
		unsigned int reason = XD_SHUTDOWN_POWEROFF;

		bm_printf("vbe: powering off\n");
		(void)xd_hypercall(XD_HC_SCHED_OP, XD_SCHEDOP_SHUTDOWN, (uintptr_t)&reason, 0, 0, 0);
		return 1; /* only if Xen refused */
	}
	bm_printf("vbe: %s: not found (this Dom0 runs: vbe-xen ctl ..., poweroff)\n",
		  n > 0U ? tok[0] : "");
	return LOOP_NOT_FOUND;
}

/* Is @p s a number (the framing's id, length or seconds)? */
static bool all_digits(const char *s, size_t n)
{
	if (n == 0U) {
		return false;
	}
	for (size_t i = 0U; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
	}
	return true;
}

/* "<id>[:<length>] <secs> <command>", as the init's loop splits it; or a bare command. */
static void line_run(struct xd_server *s, char *line)
{
	char *sp1 = strchr(line, ' ');
	char *sp2 = sp1 != NULL ? strchr(sp1 + 1, ' ') : NULL;
	char *colon;
	char *cmd;
	long want = -1;
	int status;

	if (sp2 == NULL || !all_digits(sp1 + 1, (size_t)(sp2 - sp1 - 1))) {
		char *tok[CTL_MAX_TOKENS];
		unsigned int n = split(line, tok);

		if (n > CTL_MAX_TOKENS || (n > 0U && !ctl_run(s, tok, n))) {
			bm_printf("result=%d\n", -EINVAL);
		}
		return;
	}
	*sp1 = '\0';
	cmd = sp2 + 1;
	colon = strchr(line, ':');
	if (colon != NULL) {
		*colon = '\0';
		if (!all_digits(colon + 1, strlen(colon + 1)) || parse_num(colon + 1, &want) != 0) {
			want = -2; /* a damaged length: the command cannot match it */
		}
	}
	bm_printf(LOOP_BEGIN " %s\n", line);
	if (want != -1 && (long)strlen(cmd) != want) {
		bm_printf("vbe init: garbled command (%u of %ld bytes)\n" LOOP_END " %s %d\n",
			  (unsigned int)strlen(cmd), want, line, LOOP_GARBLED);
		return;
	}
	status = cmd_run(s, cmd);
	bm_printf("\n" LOOP_END " %s %d\n", line, status);
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
					bm_printf("vbe: a line longer than %u bytes, dropped\n",
						  CTL_LINE - 1U);
				} else {
					line_run(s, ctl_line);
				}
				/* a platform command may have queued events (a trip point's
				 * notification): deliver them now, not at the next kick */
				for (unsigned int d = 0U; d < s->cfg->domain_count; d++) {
					(void)xd_dom_run_all(&s->dom[d]);
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
