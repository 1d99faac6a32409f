/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Runs the Zephyr port's platform files (zephyr-app/src/plat_zephyr*.c) on the host over the
 * fake devicetree of tests/zephyr/test_port_compiles.py (HOOKED_TREE), with stand-in drivers,
 * and prints one line per case:
 *
 *   OP ID -> RC STATUS        (STATUS: the SCMI status the core answers for RC)
 *   drv ...                   (what reached a stand-in driver, with its arguments)
 *   log<level> ...            (the port's log lines)
 *
 * The device objects (__device_dts_ord_N) come from the generated devices.c; a device whose
 * name starts with '!' is not ready. The stand-in sensor drivers behave as Zephyr's do with a
 * channel other than SENSOR_CHAN_ALL: "tsens" asserts (__ASSERT_NO_MSG(chan ==
 * SENSOR_CHAN_ALL), as bmp085 and htu21d do: the process aborts), "ina" answers -ENOTSUP.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zephyr/device.h>
#include <zephyr/drivers/clock_control.h>
#include <zephyr/drivers/i2c.h>
#include <zephyr/drivers/regulator.h>
#include <zephyr/drivers/reset.h>
#include <zephyr/drivers/sensor.h>
#include <zephyr/logging/log.h>
#include <zephyr/pm/device_runtime.h>

#include <vbe/plat.h>
#include <vbe/scmi.h>
#include <vbe/scmi_wire.h>
#include <vbe/sys.h>

#include "vbe_zephyr.h"

/* The port registers the module in port_zephyr.c, which the harness does not link. */
LOG_MODULE_REGISTER(vbe, LOG_LEVEL_DBG);

bool device_is_ready(const struct device *dev)
{
	return (dev != NULL) && (dev->name[0] != '!');
}

/* ---- stand-in drivers ------------------------------------------------------------------ */

int clock_control_on(const struct device *dev, clock_control_subsys_t sys)
{
	printf("drv clock_on %s %lu\n", dev->name, (unsigned long)(uintptr_t)sys);
	return 0;
}

int clock_control_off(const struct device *dev, clock_control_subsys_t sys)
{
	printf("drv clock_off %s %lu\n", dev->name, (unsigned long)(uintptr_t)sys);
	return 0;
}

int clock_control_get_rate(const struct device *dev, clock_control_subsys_t sys, uint32_t *rate)
{
	printf("drv clock_get_rate %s %lu\n", dev->name, (unsigned long)(uintptr_t)sys);
	*rate = 24000000U;
	return 0;
}

int clock_control_set_rate(const struct device *dev, clock_control_subsys_t sys,
			   clock_control_subsys_rate_t rate)
{
	/* arm,scmi-clock's driver: cfg.rate[0] = (uintptr_t)rate */
	printf("drv clock_set_rate %s %lu %lu\n", dev->name, (unsigned long)(uintptr_t)sys,
	       (unsigned long)(uintptr_t)rate);
	return 0;
}

static struct sensor_value fetched;

static int sensor_driver_fetch(const struct device *dev, enum sensor_channel chan)
{
	printf("drv sensor_fetch %s %s\n", dev->name, chan == SENSOR_CHAN_ALL ? "all" : "one");
	if (strcmp(dev->name, "tsens") == 0) {
		if (chan != SENSOR_CHAN_ALL) {
			printf("drv ASSERTION FAIL chan == SENSOR_CHAN_ALL\n");
			fflush(stdout);
			abort();
		}
		fetched = (struct sensor_value){.val1 = 45, .val2 = 678900}; /* 45.6789 C */
		return 0;
	}
	if (strcmp(dev->name, "ina") == 0) {
		if (chan != SENSOR_CHAN_ALL) {
			return -ENOTSUP;
		}
		fetched = (struct sensor_value){.val1 = -1, .val2 = -250000}; /* -1.25 A */
		return 0;
	}
	return -EIO;
}

int sensor_sample_fetch(const struct device *dev)
{
	return sensor_driver_fetch(dev, SENSOR_CHAN_ALL);
}

int sensor_sample_fetch_chan(const struct device *dev, enum sensor_channel type)
{
	return sensor_driver_fetch(dev, type);
}

int sensor_channel_get(const struct device *dev, enum sensor_channel chan,
		       struct sensor_value *val)
{
	(void)dev;
	(void)chan;
	*val = fetched;
	return 0;
}

int reset_line_assert_dt(const struct reset_dt_spec *spec)
{
	printf("drv reset_assert %s %u\n", spec->dev->name, (unsigned int)spec->id);
	return 0;
}

int reset_line_deassert_dt(const struct reset_dt_spec *spec)
{
	printf("drv reset_deassert %s %u\n", spec->dev->name, (unsigned int)spec->id);
	return 0;
}

int regulator_enable(const struct device *dev)
{
	printf("drv regulator_enable %s\n", dev->name);
	return 0;
}

int regulator_disable(const struct device *dev)
{
	printf("drv regulator_disable %s\n", dev->name);
	return 0;
}

int regulator_set_voltage(const struct device *dev, int32_t min_uv, int32_t max_uv)
{
	printf("drv regulator_set_voltage %s %d %d\n", dev->name, (int)min_uv, (int)max_uv);
	return 0;
}

bool pm_device_runtime_is_enabled(const struct device *dev)
{
	(void)dev;
	return true;
}

int pm_device_runtime_get(const struct device *dev)
{
	printf("drv pm_get %s\n", dev->name);
	return 0;
}

int pm_device_runtime_put(const struct device *dev)
{
	printf("drv pm_put %s\n", dev->name);
	return 0;
}

int i2c_transfer(const struct device *dev, struct i2c_msg *msgs, uint8_t num_msgs, uint16_t addr)
{
	(void)msgs;
	printf("drv i2c_transfer %s %u 0x%x\n", dev->name, (unsigned int)num_msgs,
	       (unsigned int)addr);
	return 0;
}

/* ---- cases ----------------------------------------------------------------------------- */

static void result(const char *op, unsigned int id, int rc, long long value)
{
	printf("%s %u -> %d %s %lld\n", op, id, rc, vbe_scmi_status_str(vbe_scmi_status_from_errno(rc)),
	       value);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct vbe_scmi_clock_cfg clocks[] = {
		{.name = "scmi", .plat_id = 0}, {.name = "none", .plat_id = 3},
		{.name = "osc", .plat_id = 5},  {.name = "rcc", .plat_id = 6},
		{.name = "off", .plat_id = 7},
	};
	static const struct vbe_scmi_power_cfg power[] = {
		{.name = "gpu", .plat_id = 1}, {.name = "off", .plat_id = 2},
	};
	static const struct vbe_scmi_reset_cfg resets[] = {
		{.name = "rst", .plat_id = 3}, {.name = "off", .plat_id = 4},
	};
	static const struct vbe_scmi_voltage_cfg voltages[] = {
		{.name = "ldo", .plat_id = 0}, {.name = "off", .plat_id = 1},
	};
	static const struct vbe_scmi_sensor_cfg sensors[] = {
		{.name = "soc", .plat_id = 2, .unit = VBE_SCMI_SENSOR_UNIT_DEGC, .scale = -3},
		{.name = "cur", .plat_id = 7, .unit = VBE_SCMI_SENSOR_UNIT_AMPS, .scale = -6},
		{.name = "off", .plat_id = 4, .unit = VBE_SCMI_SENSOR_UNIT_VOLTS, .scale = -3},
	};
	static const struct vbe_scmi_platform_cfg scmi = {
		.clocks = clocks,
		.clock_count = ARRAY_SIZE(clocks),
		.power = power,
		.power_count = ARRAY_SIZE(power),
		.resets = resets,
		.reset_count = ARRAY_SIZE(resets),
		.voltages = voltages,
		.voltage_count = ARRAY_SIZE(voltages),
		.sensors = sensors,
		.sensor_count = ARRAY_SIZE(sensors),
	};
	static const struct vbe_sys_cfg cfg = {.name = "harness", .scmi = &scmi};
	const struct vbe_plat *plat = NULL;
	const struct vbe_plat_ops *ops;
	uint64_t hz = 0U;
	int64_t value = 0;
	int rc;

	rc = vbe_zephyr_plat_init(&cfg, &plat);
	printf("init -> %d\n", rc);
	ops = plat->ops;

	for (int i = 1; i < argc; i++) {
		const char *op = argv[i];
		unsigned int id = (unsigned int)atoi(argv[++i]);

		if (strcmp(op, "clock_on") == 0) {
			result(op, id, ops->clock_on(plat->ctx, (uint16_t)id), 0);
		} else if (strcmp(op, "clock_off") == 0) {
			result(op, id, ops->clock_off(plat->ctx, (uint16_t)id), 0);
		} else if (strcmp(op, "clock_set_rate") == 0) {
			result(op, id, ops->clock_set_rate(plat->ctx, (uint16_t)id, 400000000U), 0);
		} else if (strcmp(op, "clock_get_rate") == 0) {
			rc = ops->clock_get_rate(plat->ctx, (uint16_t)id, &hz);
			result(op, id, rc, (long long)hz);
		} else if (strcmp(op, "sensor_read") == 0) {
			value = 0;
			rc = ops->sensor_read(plat->ctx, (uint16_t)id, &value);
			result(op, id, rc, (long long)value);
		} else if (strcmp(op, "reset_assert") == 0) {
			result(op, id, ops->reset_assert(plat->ctx, (uint16_t)id), 0);
		} else if (strcmp(op, "regulator_enable") == 0) {
			result(op, id, ops->regulator_enable(plat->ctx, (uint16_t)id), 0);
		} else if (strcmp(op, "power_on") == 0) {
			result(op, id,
			       ops->power_set_state(plat->ctx, (uint16_t)id, VBE_PLAT_POWER_ON), 0);
		} else if (strcmp(op, "scale") == 0) {
			int32_t v2 = atoi(argv[++i]);
			int8_t s = (int8_t)atoi(argv[++i]);

			rc = vbe_zephyr_sensor_scale((int32_t)atoi(argv[i - 2]), v2, s, &value);
			printf("scale %s %d %d -> %d %lld\n", argv[i - 2], (int)v2, (int)s, rc,
			       (long long)value);
		} else {
			printf("unknown op %s\n", op);
			return 2;
		}
	}
	return 0;
}
