/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Arbitration between agents sharing a platform resource (docs/scmi.md, "Agents"):
 * - clocks, regulators: on while any agent has it on; the first vote on and the last vote
 *   off reach the platform; a second "off" from the same agent changes nothing;
 * - power domains: on while any agent wants it on (POWER_STATE_CHANGED on each change);
 * - reset lines: asserted while any agent holds them asserted;
 * - performance: the highest level any agent asked for, clamped to the intersection of
 *   every agent's limits (if the limits exclude each other, the lowest maximum wins).
 * A vote is recorded only if the platform accepted the change it caused.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vbe/plat.h>
#include <vbe/port.h>
#include <vbe/scmi.h>
#include <vbe/shmem.h>

#include "scmi_internal.h"

/* Add or remove @p bit in @p votes; call @p change(on) when the set becomes (non-)empty. */
static int scmi_vote(struct vbe_scmi_server *srv, uint32_t *votes, uint32_t bit, bool on,
		     int (*change)(struct vbe_scmi_server *srv, uint16_t id, bool on), uint16_t id)
{
	int rc = 0;

	if (on) {
		if ((*votes & bit) == 0U) {
			if (*votes == 0U) {
				rc = change(srv, id, true);
			}
			if (rc == 0) {
				*votes |= bit;
			}
		}
	} else if ((*votes & bit) != 0U) {
		if (*votes == bit) {
			rc = change(srv, id, false);
		}
		if (rc == 0) {
			*votes &= ~bit;
		}
	}
	return rc;
}

static int scmi_clock_change(struct vbe_scmi_server *srv, uint16_t clk, bool on)
{
	uint16_t pid = srv->cfg->clocks[clk].plat_id;
	int rc = on ? vbe_plat_clock_on(srv->plat, pid) : vbe_plat_clock_off(srv->plat, pid);

	if (rc == 0) {
		srv->clock[clk].on = on;
	}
	return rc;
}

int vbe_scmi_clock_vote(struct vbe_scmi_server *srv, uint16_t clk, uint8_t agent, bool on)
{
	return scmi_vote(srv, &srv->clock[clk].votes, SCMI_AGENT_BIT(agent), on,
			 scmi_clock_change, clk);
}

static int scmi_regulator_change(struct vbe_scmi_server *srv, uint16_t reg, bool on)
{
	uint16_t pid = srv->cfg->voltages[reg].plat_id;
	int rc = on ? vbe_plat_regulator_enable(srv->plat, pid)
		    : vbe_plat_regulator_disable(srv->plat, pid);

	if (rc == 0) {
		srv->voltage[reg].on = on;
	}
	return rc;
}

int vbe_scmi_voltage_vote(struct vbe_scmi_server *srv, uint16_t reg, uint8_t agent, bool on)
{
	return scmi_vote(srv, &srv->voltage[reg].votes, SCMI_AGENT_BIT(agent), on,
			 scmi_regulator_change, reg);
}

static int scmi_reset_change(struct vbe_scmi_server *srv, uint16_t line, bool hold)
{
	uint16_t pid = srv->cfg->resets[line].plat_id;

	return hold ? vbe_plat_reset_assert(srv->plat, pid)
		    : vbe_plat_reset_deassert(srv->plat, pid);
}

int vbe_scmi_reset_vote(struct vbe_scmi_server *srv, uint16_t line, uint8_t agent, bool hold)
{
	return scmi_vote(srv, &srv->reset[line].holders, SCMI_AGENT_BIT(agent), hold,
			 scmi_reset_change, line);
}

/* The agent whose vote changes the power domain, for the notification (set by the caller). */
static int scmi_power_change(struct vbe_scmi_server *srv, uint16_t pd, bool on)
{
	uint32_t state = on ? VBE_SCMI_POWER_ON : VBE_SCMI_POWER_OFF;
	int rc = vbe_plat_power_set_state(srv->plat, srv->cfg->power[pd].plat_id, state);

	if (rc == 0) {
		srv->power[pd].state = state;
	}
	return rc;
}

int vbe_scmi_power_vote(struct vbe_scmi_server *srv, uint16_t pd, uint8_t agent, bool on)
{
	struct vbe_scmi_power_state *st = &srv->power[pd];
	uint32_t before = st->state;
	int rc;

	rc = scmi_vote(srv, &st->votes, SCMI_AGENT_BIT(agent), on, scmi_power_change, pd);
	if (rc == 0 && st->state != before) {
		/* POWER_STATE_CHANGED (4.3.3.1): agent_id, domain_id, power_state */
		vbe_scmi_notify_res(srv, st->notify, VBE_SCMI_RES_POWER, pd,
				    VBE_SCMI_POWER_STATE_CHANGED, agent, &st->state, 1);
	}
	return rc;
}

void vbe_scmi_perf_agent_defaults(struct vbe_scmi_server *srv, uint16_t dom, uint8_t agent)
{
	const struct vbe_scmi_perf_cfg *c = &srv->cfg->perf[dom];
	struct vbe_scmi_perf_state *st = &srv->perf[dom];

	st->req[agent - 1U] = 0;
	st->min[agent - 1U] = c->levels[0].level;
	st->max[agent - 1U] = c->levels[c->level_count - 1U].level;
}

int vbe_scmi_perf_update(struct vbe_scmi_server *srv, uint16_t dom, uint8_t cause)
{
	const struct vbe_scmi_perf_cfg *c = &srv->cfg->perf[dom];
	struct vbe_scmi_perf_state *st = &srv->perf[dom];
	uint32_t lo = c->levels[0].level;
	uint32_t hi = c->levels[c->level_count - 1U].level;
	uint32_t want = 0;
	uint32_t level;
	int rc;

	for (uint8_t a = 0; a < srv->cfg->agent_count; a++) {
		lo = (st->min[a] > lo) ? st->min[a] : lo;
		hi = (st->max[a] < hi) ? st->max[a] : hi;
		want = (st->req[a] > want) ? st->req[a] : want;
	}
	if (lo > hi) {
		lo = hi; /* limits that exclude each other: the caps win */
	}
	level = (want == 0U) ? c->levels[0].level : want;
	level = (level < lo) ? lo : ((level > hi) ? hi : level);
	if (lo != st->eff_min || hi != st->eff_max) {
		uint32_t range[2] = { hi, lo };

		st->eff_min = lo;
		st->eff_max = hi;
		/* PERFORMANCE_LIMITS_CHANGED (4.5.4.1): agent_id, domain_id, range max, min */
		vbe_scmi_notify_res(srv, st->notify_limits, VBE_SCMI_RES_PERF, dom,
				    VBE_SCMI_PERF_LIMITS_CHANGED, cause, range, 2);
	}
	if (level == st->level) {
		return 0;
	}
	rc = vbe_plat_perf_set_level(srv->plat, c->plat_id, level);
	if (rc != 0) {
		return rc;
	}
	st->level = level;
	/* PERFORMANCE_LEVEL_CHANGED (4.5.4.2): agent_id, domain_id, performance_level */
	vbe_scmi_notify_res(srv, st->notify_level, VBE_SCMI_RES_PERF, dom,
			    VBE_SCMI_PERF_LEVEL_CHANGED, cause, &level, 1);
	return 0;
}
