/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The demo system's SCMI platform: a cockpit SoC serving two guests. "ivi" (agent 1,
 * privileged) is granted a resource of every protocol; "cluster" (agent 2) shares the UART
 * and CAN clocks, the display power domain, the CPU cluster's performance domain, the SoC
 * temperature sensor, the CAN reset and the I/O rail, and owns its own display's clock,
 * power domain, reset and sensor. Hand-written in the shape the YAML generator will emit.
 */

#include <stdint.h>

#include <vbe/scmi.h>
#include <vbe/sys.h>

#define DEMO_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MHZ(x) ((uint64_t)(x) * 1000000U)
#define KHZ(x) ((uint64_t)(x) * 1000U)

/* devices: SET_DEVICE_PERMISSIONS ids */
enum {
	DEV_GPU,
	DEV_DISPLAY,
	DEV_AUDIO,
	DEV_USB,
	DEV_CAN0,
	DEV_UART0,
	DEV_CLUSTER_DISPLAY,
};

static const char *const demo_devices[] = {
	[DEV_GPU] = "gpu",       [DEV_DISPLAY] = "display", [DEV_AUDIO] = "audio",
	[DEV_USB] = "usb",       [DEV_CAN0] = "can0",       [DEV_UART0] = "uart0",
	[DEV_CLUSTER_DISPLAY] = "cluster_display",
};

static const uint64_t demo_cpu_range[] = { MHZ(200), MHZ(2000), MHZ(100) };
static const uint64_t demo_gpu_rates[] = { MHZ(200), MHZ(400), MHZ(600), MHZ(800) };
static const uint64_t demo_uart_rates[] = { MHZ(24), MHZ(48) };
static const uint64_t demo_can_rates[] = { MHZ(20), MHZ(40), MHZ(80) };
static const uint64_t demo_usb_rates[] = { MHZ(12), MHZ(24), MHZ(48), MHZ(60) };
/*
 * 16 standard pixel clocks: more than one 128-byte page of DESCRIBE_RATES (15 a page), and
 * the most a Linux guest reads (SCMI_MAX_NUM_RATES)
 */
static const uint64_t demo_pixel_rates[] = {
	KHZ(25175),  KHZ(27000),  KHZ(33750),  KHZ(40000),  KHZ(49500),  KHZ(65000),
	KHZ(74250),  KHZ(83500),  KHZ(85500),  KHZ(106500), KHZ(108000), KHZ(119000),
	KHZ(135000), KHZ(146250), KHZ(148500), KHZ(162000),
};
static const uint64_t demo_audio_rates[] = { 11289600, 12288000, 22579200, 24576000 };
static const uint64_t demo_cluster_pix_rates[] = { KHZ(33260), KHZ(51200), KHZ(71100) };

static const struct vbe_scmi_clock_cfg demo_clocks[] = {
	/* clocks.cpu: 0 */
	{ .name = "cpu", .plat_id = 0, .device = VBE_SCMI_NO_DEVICE,
	  .flags = VBE_SCMI_RES_F_RANGE, .rates = demo_cpu_range, .rate_count = 3,
	  .initial_rate = MHZ(1000) },
	/* clocks.gpu: 1 */
	{ .name = "gpu", .plat_id = 1, .device = DEV_GPU, .rates = demo_gpu_rates,
	  .rate_count = DEMO_ARRAY_SIZE(demo_gpu_rates), .enable_latency_us = 20,
	  .initial_rate = MHZ(400) },
	/* clocks.uart0: 2, shared */
	{ .name = "uart0", .plat_id = 2, .device = DEV_UART0, .rates = demo_uart_rates,
	  .rate_count = DEMO_ARRAY_SIZE(demo_uart_rates), .initial_rate = MHZ(24) },
	/* clocks.can0: 3, shared */
	{ .name = "can0", .plat_id = 3, .device = DEV_CAN0, .rates = demo_can_rates,
	  .rate_count = DEMO_ARRAY_SIZE(demo_can_rates), .initial_rate = MHZ(40) },
	/* clocks.usb_ref: 4 */
	{ .name = "usb_ref", .plat_id = 4, .device = DEV_USB, .rates = demo_usb_rates,
	  .rate_count = DEMO_ARRAY_SIZE(demo_usb_rates), .initial_rate = MHZ(48) },
	/* clocks.display_pixel_clock: 5, a name longer than 15 characters (CLOCK_NAME_GET) */
	{ .name = "display_pixel_clock", .plat_id = 5, .device = DEV_DISPLAY,
	  .rates = demo_pixel_rates, .rate_count = DEMO_ARRAY_SIZE(demo_pixel_rates),
	  .initial_rate = KHZ(148500) },
	/* clocks.audio_mclk: 6 */
	{ .name = "audio_mclk", .plat_id = 6, .device = DEV_AUDIO, .rates = demo_audio_rates,
	  .rate_count = DEMO_ARRAY_SIZE(demo_audio_rates), .initial_rate = 12288000 },
	/* clocks.cluster_pix: 7, the cluster's own display */
	{ .name = "cluster_pix", .plat_id = 7, .device = DEV_CLUSTER_DISPLAY,
	  .rates = demo_cluster_pix_rates, .rate_count = DEMO_ARRAY_SIZE(demo_cluster_pix_rates),
	  .initial_rate = KHZ(51200) },
};

static const struct vbe_scmi_power_cfg demo_power[] = {
	{ .name = "gpu", .plat_id = 0, .device = DEV_GPU },                       /* 0 */
	{ .name = "display", .plat_id = 1, .device = DEV_DISPLAY },               /* 1, shared */
	{ .name = "audio", .plat_id = 2, .device = DEV_AUDIO },                   /* 2 */
	{ .name = "usb", .plat_id = 3, .device = DEV_USB },                       /* 3 */
	{ .name = "cluster_display", .plat_id = 4, .device = DEV_CLUSTER_DISPLAY }, /* 4 */
};

/* perf levels are MHz; 8 levels: two pages of PERF_DESCRIBE_LEVELS (6 per 128 bytes) */
static const struct vbe_scmi_perf_level demo_cpu_levels[] = {
	{ .level = 400, .power_mw = 150, .freq_khz = 400000, .latency_us = 50 },
	{ .level = 600, .power_mw = 240, .freq_khz = 600000, .latency_us = 50 },
	{ .level = 800, .power_mw = 350, .freq_khz = 800000, .latency_us = 50 },
	{ .level = 1000, .power_mw = 480, .freq_khz = 1000000, .latency_us = 50 },
	{ .level = 1200, .power_mw = 640, .freq_khz = 1200000, .latency_us = 60 },
	{ .level = 1400, .power_mw = 830, .freq_khz = 1400000, .latency_us = 60 },
	{ .level = 1600, .power_mw = 1050, .freq_khz = 1600000, .latency_us = 70 },
	{ .level = 1800, .power_mw = 1300, .freq_khz = 1800000, .latency_us = 80 },
};

static const struct vbe_scmi_perf_level demo_gpu_levels[] = {
	{ .level = 200, .power_mw = 300, .freq_khz = 200000, .latency_us = 100 },
	{ .level = 400, .power_mw = 700, .freq_khz = 400000, .latency_us = 100 },
	{ .level = 600, .power_mw = 1200, .freq_khz = 600000, .latency_us = 100 },
	{ .level = 800, .power_mw = 1900, .freq_khz = 800000, .latency_us = 100 },
};

static const struct vbe_scmi_perf_cfg demo_perf[] = {
	/* perf_domains.cpu_cluster: 0, shared */
	{ .name = "cpu_cluster", .plat_id = 0, .device = VBE_SCMI_NO_DEVICE, .sustained = 5,
	  .levels = demo_cpu_levels, .level_count = DEMO_ARRAY_SIZE(demo_cpu_levels),
	  .rate_limit_us = 1000 },
	/* perf_domains.gpu: 1 */
	{ .name = "gpu", .plat_id = 1, .device = DEV_GPU, .sustained = 2, .levels = demo_gpu_levels,
	  .level_count = DEMO_ARRAY_SIZE(demo_gpu_levels), .rate_limit_us = 1000 },
};

/* 8 sensors: more than one 128-byte page of SENSOR_DESCRIPTION_GET (4 per page) */
static const struct vbe_scmi_sensor_cfg demo_sensors[] = {
	{ .name = "soc_temp", .plat_id = 0, .device = VBE_SCMI_NO_DEVICE,
	  .unit = VBE_SCMI_SENSOR_UNIT_DEGC, .scale = -3, .trip_count = 4, .initial = 45000 },
	{ .name = "cpu_temp", .plat_id = 1, .device = VBE_SCMI_NO_DEVICE,
	  .unit = VBE_SCMI_SENSOR_UNIT_DEGC, .scale = -3, .trip_count = 2, .initial = 50000 },
	{ .name = "gpu_temp", .plat_id = 2, .device = DEV_GPU, .unit = VBE_SCMI_SENSOR_UNIT_DEGC,
	  .scale = -3, .trip_count = 2, .initial = 48000 },
	{ .name = "board_temp", .plat_id = 3, .device = VBE_SCMI_NO_DEVICE,
	  .unit = VBE_SCMI_SENSOR_UNIT_DEGC, .scale = -3, .trip_count = 1, .initial = 35000 },
	{ .name = "vdd_cpu_volt", .plat_id = 4, .device = VBE_SCMI_NO_DEVICE,
	  .unit = VBE_SCMI_SENSOR_UNIT_VOLTS, .scale = -3, .trip_count = 0, .initial = 900 },
	{ .name = "pmic_current", .plat_id = 5, .device = VBE_SCMI_NO_DEVICE,
	  .unit = VBE_SCMI_SENSOR_UNIT_AMPS, .scale = -3, .trip_count = 1, .initial = 1250 },
	{ .name = "fan", .plat_id = 6, .device = VBE_SCMI_NO_DEVICE,
	  .unit = VBE_SCMI_SENSOR_UNIT_RPM, .scale = 0, .trip_count = 2, .initial = 2400 },
	{ .name = "cluster_lcd_temp", .plat_id = 7, .device = DEV_CLUSTER_DISPLAY,
	  .unit = VBE_SCMI_SENSOR_UNIT_DEGC, .scale = -3, .trip_count = 2, .initial = 40000 },
};

static const struct vbe_scmi_reset_cfg demo_resets[] = {
	/* resets.usb: 0 */
	{ .name = "usb", .plat_id = 0, .device = DEV_USB, .latency_us = 10 },
	/* resets.can0: 1, shared */
	{ .name = "can0", .plat_id = 1, .device = DEV_CAN0, .latency_us = 5 },
	/* resets.gpu: 2 */
	{ .name = "gpu", .plat_id = 2, .device = DEV_GPU, .latency_us = 50 },
	/* resets.display: 3 */
	{ .name = "display", .plat_id = 3, .device = DEV_DISPLAY, .latency_us = 20 },
	/* resets.cluster_lcd: 4 */
	{ .name = "cluster_lcd", .plat_id = 4, .device = DEV_CLUSTER_DISPLAY, .latency_us = 20 },
};

static const int32_t demo_io_levels[] = { 1800000, 3300000 };
static const int32_t demo_gpu_uv_range[] = { 600000, 1000000, 12500 };
static const int32_t demo_sd_levels[] = { 1800000, 2800000, 3300000 };

static const struct vbe_scmi_voltage_cfg demo_voltages[] = {
	/* voltage_domains.vdd_io: 0, shared (read-only for the cluster) */
	{ .name = "vdd_io", .plat_id = 0, .device = VBE_SCMI_NO_DEVICE, .levels = demo_io_levels,
	  .level_count = DEMO_ARRAY_SIZE(demo_io_levels), .initial_uv = 3300000 },
	/* voltage_domains.vdd_gpu: 1 */
	{ .name = "vdd_gpu", .plat_id = 1, .device = DEV_GPU, .flags = VBE_SCMI_RES_F_RANGE,
	  .levels = demo_gpu_uv_range, .level_count = 3, .initial_uv = 800000 },
	/* voltage_domains.vdd_sd: 2 */
	{ .name = "vdd_sd", .plat_id = 2, .device = VBE_SCMI_NO_DEVICE, .levels = demo_sd_levels,
	  .level_count = DEMO_ARRAY_SIZE(demo_sd_levels), .initial_uv = 3300000 },
};

/* guests.ivi.scmi: agent 1; local id = index in each table */
static const struct vbe_scmi_grant ivi_clocks[] = {
	{ 0, VBE_SCMI_PERM_ALL }, { 1, VBE_SCMI_PERM_ALL }, { 2, VBE_SCMI_PERM_ALL },
	{ 3, VBE_SCMI_PERM_ALL }, { 4, VBE_SCMI_PERM_ALL }, { 5, VBE_SCMI_PERM_ALL },
	{ 6, VBE_SCMI_PERM_ALL },
};
static const struct vbe_scmi_grant ivi_power[] = {
	{ 0, VBE_SCMI_PERM_ALL }, { 1, VBE_SCMI_PERM_ALL }, { 2, VBE_SCMI_PERM_ALL },
	{ 3, VBE_SCMI_PERM_ALL },
};
static const struct vbe_scmi_grant ivi_perf[] = { { 0, VBE_SCMI_PERM_ALL },
						  { 1, VBE_SCMI_PERM_ALL } };
static const struct vbe_scmi_grant ivi_sensors[] = {
	{ 0, VBE_SCMI_PERM_ALL }, { 1, VBE_SCMI_PERM_ALL }, { 2, VBE_SCMI_PERM_ALL },
	{ 3, VBE_SCMI_PERM_ALL }, { 4, VBE_SCMI_PERM_ALL }, { 5, VBE_SCMI_PERM_ALL },
	{ 6, VBE_SCMI_PERM_ALL },
};
static const struct vbe_scmi_grant ivi_resets[] = {
	{ 0, VBE_SCMI_PERM_ALL }, { 1, VBE_SCMI_PERM_ALL }, { 2, VBE_SCMI_PERM_ALL },
	{ 3, VBE_SCMI_PERM_ALL },
};
static const struct vbe_scmi_grant ivi_voltages[] = {
	{ 0, VBE_SCMI_PERM_ALL }, { 1, VBE_SCMI_PERM_ALL }, { 2, VBE_SCMI_PERM_ALL },
};

/* guests.cluster.scmi: agent 2 */
static const struct vbe_scmi_grant cluster_clocks[] = {
	{ 2, VBE_SCMI_PERM_STATE }, /* uart0: on/off only */
	{ 3, VBE_SCMI_PERM_STATE }, /* can0: on/off only */
	{ 7, VBE_SCMI_PERM_ALL },   /* cluster_pix */
};
static const struct vbe_scmi_grant cluster_power[] = {
	{ 1, VBE_SCMI_PERM_STATE }, /* display */
	{ 4, VBE_SCMI_PERM_ALL },   /* cluster_display */
};
static const struct vbe_scmi_grant cluster_perf[] = { { 0, VBE_SCMI_PERM_LEVEL } };
static const struct vbe_scmi_grant cluster_sensors[] = {
	{ 0, VBE_SCMI_PERM_CONFIG }, /* soc_temp: may arm its own trip points */
	{ 7, VBE_SCMI_PERM_ALL },    /* cluster_lcd_temp */
};
static const struct vbe_scmi_grant cluster_resets[] = {
	{ 1, VBE_SCMI_PERM_STATE }, /* can0 */
	{ 4, VBE_SCMI_PERM_ALL },   /* cluster_lcd */
};
static const struct vbe_scmi_grant cluster_voltages[] = { { 0, 0 } }; /* vdd_io: read-only */

#define DEMO_GRANTS(kind, table) .grants[kind] = table, .grant_count[kind] = DEMO_ARRAY_SIZE(table)

static const struct vbe_scmi_agent_cfg demo_agents[] = {
	{
		.name = "ivi",
		.flags = VBE_SCMI_AGENT_PRIVILEGED | VBE_SCMI_AGENT_SYSTEM_POWER,
		DEMO_GRANTS(VBE_SCMI_RES_CLOCK, ivi_clocks),
		DEMO_GRANTS(VBE_SCMI_RES_POWER, ivi_power),
		DEMO_GRANTS(VBE_SCMI_RES_PERF, ivi_perf),
		DEMO_GRANTS(VBE_SCMI_RES_SENSOR, ivi_sensors),
		DEMO_GRANTS(VBE_SCMI_RES_RESET, ivi_resets),
		DEMO_GRANTS(VBE_SCMI_RES_VOLTAGE, ivi_voltages),
	},
	{
		.name = "cluster",
		.flags = VBE_SCMI_AGENT_SYSTEM_POWER,
		DEMO_GRANTS(VBE_SCMI_RES_CLOCK, cluster_clocks),
		DEMO_GRANTS(VBE_SCMI_RES_POWER, cluster_power),
		DEMO_GRANTS(VBE_SCMI_RES_PERF, cluster_perf),
		DEMO_GRANTS(VBE_SCMI_RES_SENSOR, cluster_sensors),
		DEMO_GRANTS(VBE_SCMI_RES_RESET, cluster_resets),
		DEMO_GRANTS(VBE_SCMI_RES_VOLTAGE, cluster_voltages),
	},
};

const struct vbe_scmi_platform_cfg vbe_sys_demo_scmi_cfg = {
	.vendor = "vbe",
	.sub_vendor = "demo",
	.impl_version = 0x00010000,
	.devices = demo_devices,
	.device_count = DEMO_ARRAY_SIZE(demo_devices),
	.clocks = demo_clocks,
	.clock_count = DEMO_ARRAY_SIZE(demo_clocks),
	.power = demo_power,
	.power_count = DEMO_ARRAY_SIZE(demo_power),
	.perf = demo_perf,
	.perf_count = DEMO_ARRAY_SIZE(demo_perf),
	.sensors = demo_sensors,
	.sensor_count = DEMO_ARRAY_SIZE(demo_sensors),
	.resets = demo_resets,
	.reset_count = DEMO_ARRAY_SIZE(demo_resets),
	.voltages = demo_voltages,
	.voltage_count = DEMO_ARRAY_SIZE(demo_voltages),
	.agents = demo_agents,
	.agent_count = DEMO_ARRAY_SIZE(demo_agents),
};
