/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe-xen's control channel: one text line in, the answer out. It is how the harness reaches
 * the simulated platform inside Dom0 (through `vbe-xen ctl ...` run on Dom0's console).
 *
 *   sim CMD [A0 [A1 [A2 [A3]]]]   a command of the platform protocol (vbe/sim_cmd.h), run by
 *                                 the core's handler vbe_sim_cmd() as in every other port:
 *                                 "result=R data=HEX", the response's result and data
 *                                 (pyhost.xen.platform carries them as the protocol's bytes)
 *   stats                         vx_stats() lines, then "result=0"
 *   destroy DOMID                 stop serving the domain (its devices reset: its SCMI
 *                                 votes go) and destroy it: "result=R"
 *   stop DOMID                    stop serving the domain only: "result=R"
 *   withhold DOMID MASK           offer the domain's devices their features less MASK from
 *                                 the next negotiation on (0x20000000: no EVENT_IDX), for
 *                                 measurements: "result=0"
 *
 * Numbers are C-style (strtol base 0). An unknown command or a bad number: "result=-22".
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vbe/sim.h>
#include <vbe/sim_cmd.h>

#include "xen_port.h"

static struct vx_dom *dom_by_id(struct vx_server *s, long id)
{
	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		if (s->dom[i].cfg != NULL && s->dom[i].cfg->domid == id) {
			return &s->dom[i];
		}
	}
	return NULL;
}

static int parse(const char *tok, long *out)
{
	char *end;

	if (tok == NULL) {
		return -EINVAL;
	}
	errno = 0;
	*out = strtol(tok, &end, 0);
	return (errno != 0 || *end != '\0') ? -EINVAL : 0;
}

int vx_ctl_run(struct vx_server *s, char *line, FILE *out)
{
	char *save = NULL;
	char *cmd = strtok_r(line, " \t", &save);
	long n[5] = { 0 };
	int rc = 0;

	if (cmd != NULL && strcmp(cmd, "sim") == 0) {
		struct vbe_sim_req req = { 0 };
		struct vbe_sim_rsp rsp;
		char *tok;
		int count = 0;

		while ((tok = strtok_r(NULL, " \t", &save)) != NULL && count < 5 && rc == 0) {
			rc = parse(tok, &n[count++]);
		}
		if (rc != 0 || count < 1 || tok != NULL) {
			fprintf(out, "result=%d\n", -EINVAL);
			return -EINVAL;
		}
		req.cmd = (uint32_t)n[0];
		for (int i = 0; i < 4; i++) {
			req.arg[i] = (int32_t)n[i + 1];
		}
		/* No port commands here (no doorbell, no profile): the core's commands only. */
		rsp.data_len = 0U;
		rsp.result = (req.cmd >= VBE_SIM_CMD_PORT)
				     ? -ENOSYS
				     : vbe_sim_cmd(&s->sim, s->cfg->sys, &s->sys, &req, &rsp);
		if (rsp.data_len > VBE_SIM_CMD_DATA_SIZE) {
			rsp.data_len = 0U;
		}
		fprintf(out, "result=%d data=", rsp.result);
		for (uint32_t i = 0U; i < rsp.data_len; i++) {
			fprintf(out, "%02x", rsp.data[i]);
		}
		fputc('\n', out);
		return 0;
	}
	if (cmd != NULL && strcmp(cmd, "stats") == 0) {
		vx_stats(s, out);
		fprintf(out, "result=0\n");
		return 0;
	}
	if (cmd != NULL && (strcmp(cmd, "destroy") == 0 || strcmp(cmd, "stop") == 0)) {
		struct vx_dom *d;

		rc = parse(strtok_r(NULL, " \t", &save), &n[0]);
		d = rc == 0 ? dom_by_id(s, n[0]) : NULL;
		if (d == NULL) {
			fprintf(out, "result=%d\n", -ENOENT);
			return -ENOENT;
		}
		if (strcmp(cmd, "destroy") == 0) {
			rc = vx_dom_destroy(d);
		} else {
			vx_dom_stop(d);
		}
		fprintf(out, "result=%d\n", rc);
		return rc;
	}
	if (cmd != NULL && strcmp(cmd, "withhold") == 0) {
		struct vx_dom *d;
		char *end;
		unsigned long long mask;

		rc = parse(strtok_r(NULL, " \t", &save), &n[0]);
		d = rc == 0 ? dom_by_id(s, n[0]) : NULL;
		cmd = strtok_r(NULL, " \t", &save);
		mask = cmd != NULL ? strtoull(cmd, &end, 0) : 0ULL;
		if (d == NULL || cmd == NULL || *end != '\0') {
			fprintf(out, "result=%d\n", -EINVAL);
			return -EINVAL;
		}
		for (unsigned int k = 0U; k < d->cfg->dev_count; k++) {
			d->mmio[k].dev.withheld = (uint64_t)mask;
		}
		fprintf(out, "result=0\n");
		return 0;
	}
	fprintf(out, "result=%d unknown command (sim, stats, destroy, stop, withhold)\n", -EINVAL);
	return -EINVAL;
}
