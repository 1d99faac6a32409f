/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Invalid SCMI platform configurations, one broken thing each, through the two entry points
 * that check them: vbe_scmi_server_init() and vbe_sys_init_devices() (which calls it, then
 * binds each guest to its agent). Built and run by tests/core/test_scmi_config.py.
 *
 * Every case starts from the same small valid configuration (the demo system's shape: a
 * range clock and a list clock, power and perf domains, sensors, a reset, a list and a range
 * regulator, a privileged agent granted everything and a second agent granted some of it;
 * two guests bound to the two agents), changes exactly one thing, and prints one line:
 *
 *   name <TAB> server rc <TAB> server log <TAB> sys rc <TAB> sys log
 *
 * A log is every line VBE_LOG gave during that call ("-" for none), each "level: text",
 * joined by " | ". This program is its own port: vbe_port_log() captures instead of
 * printing. Cases ending in "_ok" are boundary values that must still be accepted.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <vbe/plat.h>
#include <vbe/port.h>
#include <vbe/scmi.h>
#include <vbe/sys.h>

#define MHZ(x) ((uint64_t)(x) * 1000000U)
#define LOG_SIZE 512

/* ---- the port: logs captured per call ---- */

static char log_buf[LOG_SIZE];
static size_t log_len;

void vbe_port_log(int level, const char *fmt, ...)
{
	static const char *const names[] = { "?", "err", "wrn", "inf", "dbg" };
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0) {
		return;
	}
	for (char *p = line; *p != '\0'; p++) {
		if (*p == '\t' || *p == '\n') {
			*p = ' ';
		}
	}
	n = snprintf(log_buf + log_len, sizeof(log_buf) - log_len, "%s%s: %s",
		     log_len > 0U ? " | " : "",
		     names[(level >= VBE_LOG_ERR && level <= VBE_LOG_DBG) ? level : 0], line);
	if (n > 0) {
		log_len += (size_t)n;
		if (log_len >= sizeof(log_buf)) {
			log_len = sizeof(log_buf) - 1U;
		}
	}
}

uint64_t vbe_port_time_us(void)
{
	return 0;
}

/* ---- the fixture: every table one entry longer than its VBE_SCMI_MAX_*, all valid ---- */

#define NCLK (VBE_SCMI_MAX_CLOCKS + 1)
#define NPWR (VBE_SCMI_MAX_POWER + 1)
#define NPERF (VBE_SCMI_MAX_PERF + 1)
#define NSNS (VBE_SCMI_MAX_SENSORS + 1)
#define NRST (VBE_SCMI_MAX_RESETS + 1)
#define NVOL (VBE_SCMI_MAX_VOLTAGE + 1)
#define NDEV (VBE_SCMI_MAX_DEVICES + 1)
#define NAGT (VBE_SCMI_MAX_AGENTS + 1)
#define NLVL (VBE_SCMI_MAX_LEVELS + 1)
#define NGRANT 4

struct fx {
	bool no_srv;
	bool no_cfg;
	bool no_plat;
	const char *devices[NDEV];
	uint64_t rates[NCLK][NLVL];
	struct vbe_scmi_clock_cfg clocks[NCLK];
	struct vbe_scmi_power_cfg power[NPWR];
	struct vbe_scmi_perf_level levels[NPERF][NLVL];
	struct vbe_scmi_perf_cfg perf[NPERF];
	struct vbe_scmi_sensor_cfg sensors[NSNS];
	struct vbe_scmi_reset_cfg resets[NRST];
	int32_t uv[NVOL][NLVL];
	struct vbe_scmi_voltage_cfg voltages[NVOL];
	struct vbe_scmi_grant grants[NAGT][VBE_SCMI_RES_COUNT][NGRANT];
	struct vbe_scmi_agent_cfg agents[NAGT];
	struct vbe_scmi_platform_cfg cfg;
	struct vbe_sys_guest guests[VBE_SYS_MAX_GUESTS + 1];
	struct vbe_sys_cfg sys;
};

static void grant(struct fx *f, int agent, enum vbe_scmi_res kind, uint16_t res, uint8_t perms)
{
	struct vbe_scmi_agent_cfg *a = &f->agents[agent];
	uint8_t n = a->grant_count[kind];

	f->grants[agent][kind][n] = (struct vbe_scmi_grant){ .res = res, .perms = perms };
	a->grants[kind] = f->grants[agent][kind];
	a->grant_count[kind] = (uint8_t)(n + 1U);
}

static void fx_base(struct fx *f)
{
	static const char *const dev_names[] = { "gpu", "display", "can0" };

	memset(f, 0, sizeof(*f));
	for (int i = 0; i < NDEV; i++) {
		f->devices[i] = i < 3 ? dev_names[i] : "spare";
	}
	/* spares: valid entries past the base counts, for the "at the maximum" cases */
	for (int i = 0; i < NCLK; i++) {
		f->rates[i][0] = MHZ(24);
		f->clocks[i] = (struct vbe_scmi_clock_cfg){ .name = "spare", .plat_id = (uint16_t)i,
			.device = VBE_SCMI_NO_DEVICE, .rates = f->rates[i], .rate_count = 1,
			.initial_rate = MHZ(24) };
	}
	for (int i = 0; i < NPWR; i++) {
		f->power[i] = (struct vbe_scmi_power_cfg){ .name = "spare", .plat_id = (uint16_t)i,
			.device = VBE_SCMI_NO_DEVICE };
	}
	for (int i = 0; i < NPERF; i++) {
		f->levels[i][0] = (struct vbe_scmi_perf_level){ .level = 100, .freq_khz = 100000 };
		f->perf[i] = (struct vbe_scmi_perf_cfg){ .name = "spare", .plat_id = (uint16_t)i,
			.device = VBE_SCMI_NO_DEVICE, .levels = f->levels[i], .level_count = 1 };
	}
	for (int i = 0; i < NSNS; i++) {
		f->sensors[i] = (struct vbe_scmi_sensor_cfg){ .name = "spare",
			.plat_id = (uint16_t)i, .device = VBE_SCMI_NO_DEVICE,
			.unit = VBE_SCMI_SENSOR_UNIT_DEGC };
	}
	for (int i = 0; i < NRST; i++) {
		f->resets[i] = (struct vbe_scmi_reset_cfg){ .name = "spare", .plat_id = (uint16_t)i,
			.device = VBE_SCMI_NO_DEVICE };
	}
	for (int i = 0; i < NVOL; i++) {
		f->uv[i][0] = 1800000;
		f->voltages[i] = (struct vbe_scmi_voltage_cfg){ .name = "spare",
			.plat_id = (uint16_t)i, .device = VBE_SCMI_NO_DEVICE, .levels = f->uv[i],
			.level_count = 1, .initial_uv = 1800000 };
	}
	for (int i = 0; i < NAGT; i++) {
		f->agents[i] = (struct vbe_scmi_agent_cfg){ .name = "spare" };
	}

	/* the base platform: the demo's shape, small */
	f->rates[0][0] = MHZ(200); /* clock 0 "cpu": a range */
	f->rates[0][1] = MHZ(2000);
	f->rates[0][2] = MHZ(100);
	f->clocks[0].name = "cpu";
	f->clocks[0].flags = VBE_SCMI_RES_F_RANGE;
	f->clocks[0].rate_count = 3;
	f->clocks[0].initial_rate = MHZ(1000);
	f->rates[1][0] = MHZ(200); /* clock 1 "gpu": a list, device gpu */
	f->rates[1][1] = MHZ(400);
	f->rates[1][2] = MHZ(600);
	f->clocks[1].name = "gpu";
	f->clocks[1].device = 0;
	f->clocks[1].rate_count = 3;
	f->clocks[1].initial_rate = MHZ(400);
	f->power[0].name = "gpu";
	f->power[0].device = 0;
	f->power[1].name = "display";
	f->power[1].device = 1;
	for (int l = 0; l < 3; l++) {
		f->levels[0][l] = (struct vbe_scmi_perf_level){ .level = 400U * (uint32_t)(l + 1),
			.power_mw = 100U * (uint32_t)(l + 1), .freq_khz = 400000U * (uint32_t)(l + 1),
			.latency_us = 50 };
	}
	f->perf[0].name = "cpu_cluster";
	f->perf[0].level_count = 3;
	f->perf[0].sustained = 1;
	f->perf[0].rate_limit_us = 1000;
	f->sensors[0].name = "soc_temp";
	f->sensors[0].scale = -3;
	f->sensors[0].trip_count = 2;
	f->sensors[0].initial = 45000;
	f->sensors[1].name = "gpu_temp";
	f->sensors[1].device = 0;
	f->sensors[1].scale = -3;
	f->sensors[1].trip_count = 1;
	f->resets[0].name = "can0";
	f->resets[0].device = 2;
	f->resets[0].latency_us = 5;
	f->uv[0][0] = 1800000; /* regulator 0 "vdd_io": a list */
	f->uv[0][1] = 3300000;
	f->voltages[0].name = "vdd_io";
	f->voltages[0].level_count = 2;
	f->voltages[0].initial_uv = 3300000;
	f->uv[1][0] = 600000; /* regulator 1 "vdd_gpu": a range, device gpu */
	f->uv[1][1] = 1000000;
	f->uv[1][2] = 12500;
	f->voltages[1].name = "vdd_gpu";
	f->voltages[1].device = 0;
	f->voltages[1].flags = VBE_SCMI_RES_F_RANGE;
	f->voltages[1].level_count = 3;
	f->voltages[1].initial_uv = 800000;

	/* agent 1 "ivi": privileged, everything; agent 2 "cluster": some of it */
	f->agents[0].name = "ivi";
	f->agents[0].flags = VBE_SCMI_AGENT_PRIVILEGED | VBE_SCMI_AGENT_SYSTEM_POWER;
	grant(f, 0, VBE_SCMI_RES_CLOCK, 0, VBE_SCMI_PERM_ALL);
	grant(f, 0, VBE_SCMI_RES_CLOCK, 1, VBE_SCMI_PERM_ALL);
	grant(f, 0, VBE_SCMI_RES_POWER, 0, VBE_SCMI_PERM_ALL);
	grant(f, 0, VBE_SCMI_RES_POWER, 1, VBE_SCMI_PERM_ALL);
	grant(f, 0, VBE_SCMI_RES_PERF, 0, VBE_SCMI_PERM_ALL);
	grant(f, 0, VBE_SCMI_RES_SENSOR, 0, VBE_SCMI_PERM_ALL);
	grant(f, 0, VBE_SCMI_RES_SENSOR, 1, VBE_SCMI_PERM_ALL);
	grant(f, 0, VBE_SCMI_RES_RESET, 0, VBE_SCMI_PERM_ALL);
	grant(f, 0, VBE_SCMI_RES_VOLTAGE, 0, VBE_SCMI_PERM_ALL);
	grant(f, 0, VBE_SCMI_RES_VOLTAGE, 1, VBE_SCMI_PERM_ALL);
	f->agents[1].name = "cluster";
	f->agents[1].flags = VBE_SCMI_AGENT_SYSTEM_POWER;
	grant(f, 1, VBE_SCMI_RES_CLOCK, 1, VBE_SCMI_PERM_STATE);
	grant(f, 1, VBE_SCMI_RES_POWER, 1, VBE_SCMI_PERM_STATE);
	grant(f, 1, VBE_SCMI_RES_PERF, 0, VBE_SCMI_PERM_LEVEL);
	grant(f, 1, VBE_SCMI_RES_SENSOR, 0, VBE_SCMI_PERM_CONFIG);
	grant(f, 1, VBE_SCMI_RES_VOLTAGE, 0, 0); /* read-only */

	f->cfg = (struct vbe_scmi_platform_cfg){
		.vendor = "vbe", .sub_vendor = "cases", .impl_version = 0x00010000,
		.devices = f->devices, .device_count = 3,
		.clocks = f->clocks, .clock_count = 2,
		.power = f->power, .power_count = 2,
		.perf = f->perf, .perf_count = 1,
		.sensors = f->sensors, .sensor_count = 2,
		.resets = f->resets, .reset_count = 1,
		.voltages = f->voltages, .voltage_count = 2,
		.agents = f->agents, .agent_count = 2,
	};

	for (int i = 0; i < VBE_SYS_MAX_GUESTS + 1; i++) {
		f->guests[i] = (struct vbe_sys_guest){ .name = "spare" };
	}
	f->guests[0] = (struct vbe_sys_guest){ .name = "ivi", .scmi_agent = 1 };
	f->guests[1] = (struct vbe_sys_guest){ .name = "cluster", .scmi_agent = 2 };
	f->sys = (struct vbe_sys_cfg){ .name = "cases", .guests = f->guests, .guest_count = 2,
				       .scmi = &f->cfg };
}

/* ---- the cases: each changes one thing of the base ---- */

#define CASE(n) static void case_##n(struct fx *f)

CASE(base_ok) { (void)f; }

/* arguments and top-level counts */
CASE(server_null) { f->no_srv = true; }
CASE(cfg_null) { f->no_cfg = true; }
CASE(plat_null) { f->no_plat = true; }
CASE(agents_at_max_ok) { f->cfg.agent_count = VBE_SCMI_MAX_AGENTS; }
CASE(agents_too_many) { f->cfg.agent_count = VBE_SCMI_MAX_AGENTS + 1; }
CASE(agents_table_null) { f->cfg.agents = NULL; }
CASE(no_agents_ok) { f->cfg.agents = NULL; f->cfg.agent_count = 0; f->sys.guest_count = 0; }
CASE(devices_at_max_ok) { f->cfg.device_count = VBE_SCMI_MAX_DEVICES; }
CASE(devices_too_many) { f->cfg.device_count = VBE_SCMI_MAX_DEVICES + 1; }
CASE(devices_table_null) { f->cfg.devices = NULL; }
CASE(no_devices_ok)
{
	f->cfg.devices = NULL;
	f->cfg.device_count = 0;
	f->clocks[1].device = VBE_SCMI_NO_DEVICE;
	f->power[0].device = VBE_SCMI_NO_DEVICE;
	f->power[1].device = VBE_SCMI_NO_DEVICE;
	f->sensors[1].device = VBE_SCMI_NO_DEVICE;
	f->resets[0].device = VBE_SCMI_NO_DEVICE;
	f->voltages[1].device = VBE_SCMI_NO_DEVICE;
}

/* every kind: no more resources than the server's state holds */
CASE(tables_at_max_ok)
{
	f->cfg.clock_count = VBE_SCMI_MAX_CLOCKS;
	f->cfg.power_count = VBE_SCMI_MAX_POWER;
	f->cfg.perf_count = VBE_SCMI_MAX_PERF;
	f->cfg.sensor_count = VBE_SCMI_MAX_SENSORS;
	f->cfg.reset_count = VBE_SCMI_MAX_RESETS;
	f->cfg.voltage_count = VBE_SCMI_MAX_VOLTAGE;
}
CASE(clocks_too_many) { f->cfg.clock_count = VBE_SCMI_MAX_CLOCKS + 1; }
CASE(power_too_many) { f->cfg.power_count = VBE_SCMI_MAX_POWER + 1; }
CASE(perf_too_many) { f->cfg.perf_count = VBE_SCMI_MAX_PERF + 1; }
CASE(sensors_too_many) { f->cfg.sensor_count = VBE_SCMI_MAX_SENSORS + 1; }
CASE(resets_too_many) { f->cfg.reset_count = VBE_SCMI_MAX_RESETS + 1; }
CASE(voltages_too_many) { f->cfg.voltage_count = VBE_SCMI_MAX_VOLTAGE + 1; }

/* every kind: a NULL table with a non-zero count */
CASE(clocks_table_null) { f->cfg.clocks = NULL; }
CASE(power_table_null) { f->cfg.power = NULL; }
CASE(perf_table_null) { f->cfg.perf = NULL; }
CASE(sensors_table_null) { f->cfg.sensors = NULL; }
CASE(resets_table_null) { f->cfg.resets = NULL; }
CASE(voltages_table_null) { f->cfg.voltages = NULL; }
CASE(empty_tables_null_ok)
{
	memset(f->agents[0].grant_count, 0, sizeof(f->agents[0].grant_count));
	memset(f->agents[1].grant_count, 0, sizeof(f->agents[1].grant_count));
	f->cfg.clocks = NULL;
	f->cfg.clock_count = 0;
	f->cfg.power = NULL;
	f->cfg.power_count = 0;
	f->cfg.perf = NULL;
	f->cfg.perf_count = 0;
	f->cfg.sensors = NULL;
	f->cfg.sensor_count = 0;
	f->cfg.resets = NULL;
	f->cfg.reset_count = 0;
	f->cfg.voltages = NULL;
	f->cfg.voltage_count = 0;
}

/* every resource: a name, a device that exists (one accessor for every kind) */
CASE(clock_name_null) { f->clocks[1].name = NULL; }
CASE(reset_name_null) { f->resets[0].name = NULL; }
CASE(device_last_ok) { f->power[1].device = 2; f->voltages[0].device = VBE_SCMI_NO_DEVICE; }
CASE(power_device_past_end) { f->power[1].device = 3; }
CASE(voltage_device_past_end) { f->voltages[1].device = 0xfe; }

/* clocks: a list of 1..VBE_SCMI_MAX_LEVELS ascending rates, or a range {min, max, step} */
CASE(clock_rates_null) { f->clocks[1].rates = NULL; }
CASE(clock_list_empty) { f->clocks[1].rate_count = 0; }
CASE(clock_list_at_max_ok)
{
	for (int r = 0; r < VBE_SCMI_MAX_LEVELS; r++) {
		f->rates[1][r] = MHZ(100) * (uint64_t)(r + 1);
	}
	f->clocks[1].rate_count = VBE_SCMI_MAX_LEVELS;
}
CASE(clock_list_too_long)
{
	for (int r = 0; r < NLVL; r++) {
		f->rates[1][r] = MHZ(100) * (uint64_t)(r + 1);
	}
	f->clocks[1].rate_count = VBE_SCMI_MAX_LEVELS + 1;
}
CASE(clock_list_unsorted) { f->rates[1][1] = MHZ(100); }
CASE(clock_list_duplicate) { f->rates[1][2] = f->rates[1][1]; }
CASE(clock_rate_int64_max_ok) { f->rates[1][2] = (uint64_t)INT64_MAX; }
/* one entry: in a longer list it would read as negative and fail the ascending check first */
CASE(clock_rate_over_int64)
{
	f->rates[1][0] = (uint64_t)INT64_MAX + 1U;
	f->clocks[1].rate_count = 1;
}
CASE(clock_range_two_entries) { f->clocks[0].rate_count = 2; }
CASE(clock_range_min_eq_max_ok) { f->rates[0][1] = f->rates[0][0]; }
CASE(clock_range_min_gt_max) { f->rates[0][1] = f->rates[0][0] - 1U; }
CASE(clock_range_step_zero) { f->rates[0][2] = 0; }

/* perf: 1..VBE_SCMI_MAX_LEVELS levels, ascending, the first > 0, sustained one of them */
CASE(perf_levels_null) { f->perf[0].levels = NULL; }
CASE(perf_no_levels) { f->perf[0].level_count = 0; }
CASE(perf_list_too_long)
{
	for (int l = 0; l < NLVL; l++) {
		f->levels[0][l].level = 100U * (uint32_t)(l + 1);
	}
	f->perf[0].level_count = VBE_SCMI_MAX_LEVELS + 1;
}
CASE(perf_sustained_last_ok) { f->perf[0].sustained = 2; }
CASE(perf_sustained_past_end) { f->perf[0].sustained = 3; }
CASE(perf_first_level_zero) { f->levels[0][0].level = 0; }
CASE(perf_levels_descending) { f->levels[0][2].level = 300; }
CASE(perf_levels_duplicate) { f->levels[0][1].level = f->levels[0][0].level; }

/* sensors: trip points and scale */
CASE(sensor_limits_ok)
{
	f->sensors[0].trip_count = VBE_SCMI_MAX_TRIPS;
	f->sensors[0].scale = -16;
	f->sensors[1].scale = 15;
}
CASE(sensor_trips_too_many) { f->sensors[0].trip_count = VBE_SCMI_MAX_TRIPS + 1; }
CASE(sensor_scale_below_min) { f->sensors[0].scale = -17; }
CASE(sensor_scale_above_max) { f->sensors[1].scale = 16; }

/* regulators: as clocks, in µV */
CASE(voltage_levels_null) { f->voltages[0].levels = NULL; }
CASE(voltage_list_empty) { f->voltages[0].level_count = 0; }
CASE(voltage_list_duplicate) { f->uv[0][1] = f->uv[0][0]; }
CASE(voltage_list_unsorted) { f->uv[0][0] = 3300000; f->uv[0][1] = 1800000; }
CASE(voltage_range_four_entries) { f->uv[1][3] = 1; f->voltages[1].level_count = 4; }
CASE(voltage_range_min_eq_max_ok) { f->uv[1][1] = f->uv[1][0]; }
CASE(voltage_range_min_gt_max) { f->uv[1][1] = f->uv[1][0] - 1; }
CASE(voltage_range_step_negative) { f->uv[1][2] = -12500; }

/* agents and grants */
CASE(agent_name_null) { f->agents[1].name = NULL; }
CASE(agent_grants_null) { f->agents[1].grants[VBE_SCMI_RES_SENSOR] = NULL; }
CASE(agent_grants_null_count_zero_ok)
{
	f->agents[1].grants[VBE_SCMI_RES_RESET] = NULL;
	f->agents[1].grant_count[VBE_SCMI_RES_RESET] = 0;
	f->agents[1].grants[VBE_SCMI_RES_CLOCK] = NULL;
	f->agents[1].grant_count[VBE_SCMI_RES_CLOCK] = 0;
}
CASE(grant_last_resource_ok) { f->grants[1][VBE_SCMI_RES_POWER][0].res = 1; }
CASE(grant_clock_past_end) { f->grants[1][VBE_SCMI_RES_CLOCK][0].res = 2; }
CASE(grant_voltage_past_end) { f->grants[0][VBE_SCMI_RES_VOLTAGE][1].res = 2; }
CASE(grant_perms_unknown_bit) { f->grants[1][VBE_SCMI_RES_CLOCK][0].perms = 0x8; }
CASE(grant_duplicate) { f->grants[0][VBE_SCMI_RES_CLOCK][1].res = 0; }

/* vbe_sys: the guests' agents */
CASE(sys_agent_past_end) { f->guests[1].scmi_agent = 3; }
CASE(sys_agent_taken) { f->guests[1].scmi_agent = 1; }
CASE(sys_too_many_guests) { f->sys.guest_count = VBE_SYS_MAX_GUESTS + 1; }
CASE(sys_guests_null) { f->sys.guests = NULL; }
CASE(sys_no_scmi_platform) { f->sys.scmi = NULL; }

#define ENTRY(n) { #n, case_##n }

static const struct {
	const char *name;
	void (*apply)(struct fx *f);
} cases[] = {
	ENTRY(base_ok),
	ENTRY(server_null),
	ENTRY(cfg_null),
	ENTRY(plat_null),
	ENTRY(agents_at_max_ok),
	ENTRY(agents_too_many),
	ENTRY(agents_table_null),
	ENTRY(no_agents_ok),
	ENTRY(devices_at_max_ok),
	ENTRY(devices_too_many),
	ENTRY(devices_table_null),
	ENTRY(no_devices_ok),
	ENTRY(tables_at_max_ok),
	ENTRY(clocks_too_many),
	ENTRY(power_too_many),
	ENTRY(perf_too_many),
	ENTRY(sensors_too_many),
	ENTRY(resets_too_many),
	ENTRY(voltages_too_many),
	ENTRY(clocks_table_null),
	ENTRY(power_table_null),
	ENTRY(perf_table_null),
	ENTRY(sensors_table_null),
	ENTRY(resets_table_null),
	ENTRY(voltages_table_null),
	ENTRY(empty_tables_null_ok),
	ENTRY(clock_name_null),
	ENTRY(reset_name_null),
	ENTRY(device_last_ok),
	ENTRY(power_device_past_end),
	ENTRY(voltage_device_past_end),
	ENTRY(clock_rates_null),
	ENTRY(clock_list_empty),
	ENTRY(clock_list_at_max_ok),
	ENTRY(clock_list_too_long),
	ENTRY(clock_list_unsorted),
	ENTRY(clock_list_duplicate),
	ENTRY(clock_rate_int64_max_ok),
	ENTRY(clock_rate_over_int64),
	ENTRY(clock_range_two_entries),
	ENTRY(clock_range_min_eq_max_ok),
	ENTRY(clock_range_min_gt_max),
	ENTRY(clock_range_step_zero),
	ENTRY(perf_levels_null),
	ENTRY(perf_no_levels),
	ENTRY(perf_list_too_long),
	ENTRY(perf_sustained_last_ok),
	ENTRY(perf_sustained_past_end),
	ENTRY(perf_first_level_zero),
	ENTRY(perf_levels_descending),
	ENTRY(perf_levels_duplicate),
	ENTRY(sensor_limits_ok),
	ENTRY(sensor_trips_too_many),
	ENTRY(sensor_scale_below_min),
	ENTRY(sensor_scale_above_max),
	ENTRY(voltage_levels_null),
	ENTRY(voltage_list_empty),
	ENTRY(voltage_list_duplicate),
	ENTRY(voltage_list_unsorted),
	ENTRY(voltage_range_four_entries),
	ENTRY(voltage_range_min_eq_max_ok),
	ENTRY(voltage_range_min_gt_max),
	ENTRY(voltage_range_step_negative),
	ENTRY(agent_name_null),
	ENTRY(agent_grants_null),
	ENTRY(agent_grants_null_count_zero_ok),
	ENTRY(grant_last_resource_ok),
	ENTRY(grant_clock_past_end),
	ENTRY(grant_voltage_past_end),
	ENTRY(grant_perms_unknown_bit),
	ENTRY(grant_duplicate),
	ENTRY(sys_agent_past_end),
	ENTRY(sys_agent_taken),
	ENTRY(sys_too_many_guests),
	ENTRY(sys_guests_null),
	ENTRY(sys_no_scmi_platform),
};

static struct fx fx;
static struct vbe_scmi_server srv;
static struct vbe_sys sys;

static const char *log_take(void)
{
	return log_len > 0U ? log_buf : "-";
}

int main(int argc, char **argv)
{
	static const struct vbe_plat_ops no_ops;
	static const struct vbe_plat plat = { .ops = &no_ops };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool wanted = argc < 2;
		int rc_srv;
		int rc_sys;

		for (int a = 1; a < argc; a++) {
			wanted = wanted || strcmp(argv[a], cases[i].name) == 0;
		}
		if (!wanted) {
			continue;
		}
		fx_base(&fx);
		cases[i].apply(&fx);

		log_len = 0;
		log_buf[0] = '\0';
		rc_srv = vbe_scmi_server_init(fx.no_srv ? NULL : &srv, fx.no_cfg ? NULL : &fx.cfg,
					      fx.no_plat ? NULL : &plat);
		printf("%s\t%d\t%s", cases[i].name, rc_srv, log_take());

		/* the system init on the same tables (no server argument of its own) */
		if (fx.no_cfg) {
			fx.sys.scmi = NULL;
		}
		log_len = 0;
		log_buf[0] = '\0';
		rc_sys = vbe_sys_init_devices(&sys, &fx.sys, fx.no_plat ? NULL : &plat);
		printf("\t%d\t%s\n", rc_sys, log_take());
		fflush(stdout);
	}
	return 0;
}
