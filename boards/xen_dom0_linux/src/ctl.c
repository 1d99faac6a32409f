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

/* ---- statistics ---------------------------------------------------------------------- */

static void vx_refused(FILE *out, const uint32_t *r, unsigned int n)
{
	fputs(" refused=", out);
	for (unsigned int i = 0U; i < n; i++) {
		fprintf(out, "%s%u", i ? "," : "", r[i]);
	}
}

void vx_stats(const struct vx_server *s, FILE *out)
{
	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		const struct vx_dom *d = &s->dom[i];
		const struct vbe_ioreq_stats *st = &d->ioreq.stats;

		const struct vbe_gnt_stats *gs = &d->gnt.stats;

		fprintf(out, "stats domid=%u guest=%s live=%u events=%u served=%u reads=%u "
			     "writes=%u spurious=%u frames=%u frame_maps=%u", d->cfg->domid, d->cfg->name,
			d->live, d->events, st->served, st->reads, st->writes, st->spurious,
			d->lazy.mapped, d->lazy.map_calls);
		vx_refused(out, st->refused, VBE_IOREQ_REFUSAL_COUNT);
		fprintf(out, " grants=%u maps=%u unmaps=%u pages=%u mapped=%u mapped_max=%u "
			     "mapped_pages=%u mapped_pages_max=%u map_ns=%llu unmap_ns=%llu "
			     "gnt_refused=%u,%u,%u,%u", d->cfg->grants,
			gs->maps, gs->unmaps, gs->pages, gs->live, gs->live_max, gs->live_pages,
			gs->live_pages_max,
			(unsigned long long)d->gnt_map_ns, (unsigned long long)d->gnt_unmap_ns,
			gs->refused[VBE_GNT_NOT_GRANT], gs->refused[VBE_GNT_BAD_REF],
			gs->refused[VBE_GNT_TOO_LONG], gs->refused[VBE_GNT_MAP_FAILED]);
		fputc('\n', out);
		for (unsigned int k = 0U; k < d->cfg->dev_count; k++) {
			const struct vbe_mmio *m = &d->mmio[k];
			const struct vbe_mmio_stats *ms = &m->stats;

			fprintf(out, "stats domid=%u dev=%u kind=%s base=%#llx spi=%u status=%#x "
				     "features=%#llx fault=%u,%u reads=%u writes=%u notifies=%u "
				     "interrupts=%u raised=%u resets=%u popped=%u,%u",
				d->cfg->domid, k, d->cfg->devs[k].kind == VBE_XEN_DEV_SCMI ? "scmi" : "i2c",
				(unsigned long long)d->cfg->devs[k].base, d->irq[k].spi, m->dev.status,
				(unsigned long long)m->dev.features, m->dev.fault[0], m->dev.fault[1],
				ms->reads, ms->writes, ms->notifies, ms->interrupts, d->irq[k].raised,
				ms->resets, m->dev.vq[0].popped, m->dev.vq[1].popped);
			vx_refused(out, ms->refused, VBE_MMIO_REFUSAL_COUNT);
			/* the rings as the driver programmed them (guest or grant addresses) */
			fprintf(out, " qsize=%u,%u desc=%#llx,%#llx avail=%#llx,%#llx used=%#llx,%#llx",
				m->queue[0].cfg.size, m->queue[1].cfg.size,
				(unsigned long long)m->queue[0].cfg.desc,
				(unsigned long long)m->queue[1].cfg.desc,
				(unsigned long long)m->queue[0].cfg.avail,
				(unsigned long long)m->queue[1].cfg.avail,
				(unsigned long long)m->queue[0].cfg.used,
				(unsigned long long)m->queue[1].cfg.used);
			fputc('\n', out);
		}
	}
	fflush(out);
}
