/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper: print every value of a struct vbe_sys_cfg (and its SCMI platform) as text,
 * one "path = value" line each, so two descriptions can be compared by value whatever their
 * source looks like. Built by tests/tools/test_sysdesc_gen.py with sys_demo.c and a
 * generated table file; "sysdump demo" prints vbe_sys_demo_cfg, "sysdump generated"
 * vbe_sys_generated_cfg.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <vbe/scmi.h>
#include <vbe/sys.h>

extern const struct vbe_sys_cfg vbe_sys_generated_cfg;

static const char *str(const char *s)
{
	return s != NULL ? s : "(null)";
}

static void dump_grants(unsigned int a, const struct vbe_scmi_agent_cfg *ag)
{
	for (unsigned int k = 0; k < VBE_SCMI_RES_COUNT; k++) {
		printf("scmi.agents[%u].grant_count[%u] = %u\n", a, k, ag->grant_count[k]);
		for (unsigned int i = 0; i < ag->grant_count[k]; i++) {
			printf("scmi.agents[%u].grants[%u][%u] = res %u perms %#x\n", a, k, i,
			       ag->grants[k][i].res, ag->grants[k][i].perms);
		}
	}
}

static void dump_scmi(const struct vbe_scmi_platform_cfg *p)
{
	if (p == NULL) {
		printf("scmi = (null)\n");
		return;
	}
	printf("scmi.vendor = %s\nscmi.sub_vendor = %s\nscmi.impl_version = %#" PRIx32 "\n",
	       str(p->vendor), str(p->sub_vendor), p->impl_version);
	for (unsigned int i = 0; i < p->device_count; i++) {
		printf("scmi.devices[%u] = %s\n", i, str(p->devices[i]));
	}
	for (unsigned int i = 0; i < p->clock_count; i++) {
		const struct vbe_scmi_clock_cfg *c = &p->clocks[i];

		printf("scmi.clocks[%u] = %s plat %u dev %u flags %#x latency %" PRIu32
		       " initial %" PRIu64 "\n", i, str(c->name), c->plat_id, c->device, c->flags,
		       c->enable_latency_us, c->initial_rate);
		for (unsigned int j = 0; j < c->rate_count; j++) {
			printf("scmi.clocks[%u].rates[%u] = %" PRIu64 "\n", i, j, c->rates[j]);
		}
	}
	for (unsigned int i = 0; i < p->power_count; i++) {
		printf("scmi.power[%u] = %s plat %u dev %u\n", i, str(p->power[i].name),
		       p->power[i].plat_id, p->power[i].device);
	}
	for (unsigned int i = 0; i < p->perf_count; i++) {
		const struct vbe_scmi_perf_cfg *d = &p->perf[i];

		printf("scmi.perf[%u] = %s plat %u dev %u sustained %u rate_limit %" PRIu32 "\n", i,
		       str(d->name), d->plat_id, d->device, d->sustained, d->rate_limit_us);
		for (unsigned int j = 0; j < d->level_count; j++) {
			printf("scmi.perf[%u].levels[%u] = %" PRIu32 " %" PRIu32 " mW %" PRIu32
			       " kHz %u us\n", i, j, d->levels[j].level, d->levels[j].power_mw,
			       d->levels[j].freq_khz, d->levels[j].latency_us);
		}
	}
	for (unsigned int i = 0; i < p->sensor_count; i++) {
		const struct vbe_scmi_sensor_cfg *s = &p->sensors[i];

		printf("scmi.sensors[%u] = %s plat %u dev %u unit %u scale %d trips %u initial %"
		       PRId64 "\n", i, str(s->name), s->plat_id, s->device, s->unit, s->scale,
		       s->trip_count, s->initial);
	}
	for (unsigned int i = 0; i < p->reset_count; i++) {
		printf("scmi.resets[%u] = %s plat %u dev %u latency %" PRIu32 "\n", i,
		       str(p->resets[i].name), p->resets[i].plat_id, p->resets[i].device,
		       p->resets[i].latency_us);
	}
	for (unsigned int i = 0; i < p->voltage_count; i++) {
		const struct vbe_scmi_voltage_cfg *v = &p->voltages[i];

		printf("scmi.voltages[%u] = %s plat %u dev %u flags %#x initial %" PRId32 "\n", i,
		       str(v->name), v->plat_id, v->device, v->flags, v->initial_uv);
		for (unsigned int j = 0; j < v->level_count; j++) {
			printf("scmi.voltages[%u].levels[%u] = %" PRId32 "\n", i, j, v->levels[j]);
		}
	}
	for (unsigned int a = 0; a < p->agent_count; a++) {
		printf("scmi.agents[%u] = %s flags %#x\n", a, str(p->agents[a].name),
		       p->agents[a].flags);
		dump_grants(a, &p->agents[a]);
	}
}

static void dump(const struct vbe_sys_cfg *cfg)
{
	printf("name = %s\n", str(cfg->name));
	for (unsigned int i = 0; i < cfg->bus_count; i++) {
		printf("buses[%u] = %s id %u\n", i, str(cfg->buses[i].name), cfg->buses[i].id);
	}
	for (unsigned int i = 0; i < cfg->sim_target_count; i++) {
		const struct vbe_sys_sim_target *t = &cfg->sim_targets[i];

		printf("sim_targets[%u] = %s bus %u addr %#x kind %u\n", i, str(t->name), t->bus,
		       t->addr, t->kind);
	}
	for (unsigned int i = 0; i < cfg->guest_count; i++) {
		const struct vbe_sys_guest *g = &cfg->guests[i];

		printf("guests[%u] = %s window %" PRIu32 " ring %" PRIu32 " scmi_agent %u\n", i,
		       str(g->name), g->window_size, g->ring_size, g->scmi_agent);
		if (g->i2c == NULL) {
			printf("guests[%u].i2c = (null)\n", i);
			continue;
		}
		printf("guests[%u].i2c.bus = %u\n", i, g->i2c->bus);
		for (unsigned int r = 0; r < g->i2c->route_count; r++) {
			const struct vbe_i2c_route *rt = &g->i2c->routes[r];

			printf("guests[%u].i2c.routes[%u] = %#x -> %#x flags %#x select %u\n", i, r,
			       rt->guest_addr, rt->bus_addr, rt->flags, rt->select_max);
		}
	}
	dump_scmi(cfg->scmi);
}

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "demo") != 0 && strcmp(argv[1], "generated") != 0)) {
		fprintf(stderr, "usage: sysdump demo|generated\n");
		return 2;
	}
	dump(strcmp(argv[1], "demo") == 0 ? &vbe_sys_demo_cfg : &vbe_sys_generated_cfg);
	return 0;
}
