/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The built-in demo system, "demo": one I2C bus with an EEPROM and a temperature sensor,
 * two guests with different views of it, and an SCMI platform (sys_demo_scmi.c) whose
 * agents are the two guests: "ivi" (agent 1, privileged) and "cluster" (agent 2).
 * Hand-written in the shape the YAML generator will emit; tests and the QEMU images use it
 * until a system description is given.
 */

#include <stdint.h>

#include <vbe/i2c.h>
#include <vbe/sim.h>
#include <vbe/sys.h>

#define DEMO_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define DEMO_WINDOW_SIZE 262144 /* 256 KiB per guest */
#define DEMO_RING_SIZE 16384

static const struct vbe_sys_bus demo_buses[] = {
	/* buses.i2c0: the one platform I2C bus */
	{ .name = "i2c0", .id = 0 },
};

static const struct vbe_sys_sim_target demo_sim_targets[] = {
	/* targets.eeprom: AT24-style EEPROM, 256 bytes */
	{ .name = "eeprom", .bus = 0, .addr = 0x50, .kind = VBE_SIM_AT24 },
	/* targets.temp: LM75-style temperature sensor */
	{ .name = "temp", .bus = 0, .addr = 0x48, .kind = VBE_SIM_LM75 },
};

static const struct vbe_i2c_route demo_ivi_routes[] = {
	/* guests.ivi.i2c.eeprom: read-write */
	{ .guest_addr = 0x50, .bus_addr = 0x50, .flags = 0 },
	/* guests.ivi.i2c.temp: read-write */
	{ .guest_addr = 0x48, .bus_addr = 0x48, .flags = 0 },
};

static const struct vbe_i2c_route demo_cluster_routes[] = {
	/* guests.cluster.i2c.eeprom: read-only; a 1-byte word-address select may precede a read */
	{ .guest_addr = 0x50, .bus_addr = 0x50, .flags = VBE_I2C_ROUTE_RO, .select_max = 1 },
	/* guests.cluster.i2c.temp: the sensor remapped, guest 0x49 -> bus 0x48 */
	{ .guest_addr = 0x49, .bus_addr = 0x48, .flags = 0 },
	/* guests.cluster.i2c.absent: allowed but nothing on the bus (NACK tests) */
	{ .guest_addr = 0x51, .bus_addr = 0x51, .flags = 0 },
	/* guests.cluster.i2c.absent10: 10-bit, allowed but nothing on the bus */
	{ .guest_addr = 0x150, .bus_addr = 0x150, .flags = VBE_I2C_ROUTE_10BIT },
};

static const struct vbe_i2c_view demo_ivi_i2c = {
	.bus = 0,
	.routes = demo_ivi_routes,
	.route_count = DEMO_ARRAY_SIZE(demo_ivi_routes),
};

static const struct vbe_i2c_view demo_cluster_i2c = {
	.bus = 0,
	.routes = demo_cluster_routes,
	.route_count = DEMO_ARRAY_SIZE(demo_cluster_routes),
};

static const struct vbe_sys_guest demo_guests[] = {
	/* guests.ivi: guest 0, full access to both targets */
	{
		.name = "ivi",
		.window_size = DEMO_WINDOW_SIZE,
		.ring_size = DEMO_RING_SIZE,
		.i2c = &demo_ivi_i2c,
		.scmi_agent = 1, /* guests.ivi.scmi */
	},
	/* guests.cluster: guest 1, read-only EEPROM, remapped sensor, absent addresses */
	{
		.name = "cluster",
		.window_size = DEMO_WINDOW_SIZE,
		.ring_size = DEMO_RING_SIZE,
		.i2c = &demo_cluster_i2c,
		.scmi_agent = 2, /* guests.cluster.scmi */
	},
};

_Static_assert(DEMO_ARRAY_SIZE(demo_guests) <= VBE_SYS_MAX_GUESTS, "demo guests fit vbe_sys");
_Static_assert(DEMO_ARRAY_SIZE(demo_sim_targets) <= VBE_SIM_MAX_TARGETS,
	       "demo targets fit the simulated platform");

const struct vbe_sys_cfg vbe_sys_demo_cfg = {
	.name = "demo",
	.guests = demo_guests,
	.guest_count = DEMO_ARRAY_SIZE(demo_guests),
	.buses = demo_buses,
	.bus_count = DEMO_ARRAY_SIZE(demo_buses),
	.sim_targets = demo_sim_targets,
	.sim_target_count = DEMO_ARRAY_SIZE(demo_sim_targets),
	.scmi = &vbe_sys_demo_scmi_cfg,
};
