/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Runs zephyr-app/src/plat_zephyr_sensor.c on the host over the fake devicetree
 * (fake_devicetree.h: platform sensor 2 = die_temp of tsens, 7 = current of ina) with
 * stand-in drivers, and prints one line per case for tests/zephyr/test_port_compiles.py:
 *   scale VAL1 VAL2 SCALE -> RC VALUE
 *   read ID -> RC VALUE
 */

#include <stdarg.h>
#include <stdio.h>

#include <zephyr/device.h>
#include <zephyr/drivers/sensor.h>

#include <vbe/scmi.h>
#include <vbe/scmi_wire.h>

#include "vbe_zephyr.h"

const struct device stub_dev_N_i2c0 = {.name = "i2c0"}, stub_dev_N_cru = {.name = "cru"},
		    stub_dev_N_osc = {.name = "osc"}, stub_dev_N_pd_gpu = {.name = "pd_gpu"},
		    stub_dev_N_rstc = {.name = "rstc"}, stub_dev_N_ldo1 = {.name = "ldo1"},
		    stub_dev_N_tsens = {.name = "tsens"}, stub_dev_N_ina = {.name = "ina"};

void stub_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("log%d ", level);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

bool device_is_ready(const struct device *dev)
{
	return dev != NULL;
}

static struct sensor_value fetched;

int sensor_sample_fetch_chan(const struct device *dev, enum sensor_channel type)
{
	if (dev == &stub_dev_N_tsens && type == SENSOR_CHAN_DIE_TEMP) {
		fetched = (struct sensor_value){.val1 = 45, .val2 = 678900}; /* 45.6789 C */
		return 0;
	}
	if (dev == &stub_dev_N_ina && type == SENSOR_CHAN_CURRENT) {
		fetched = (struct sensor_value){.val1 = -1, .val2 = -250000}; /* -1.25 A */
		return 0;
	}
	return -5;
}

int sensor_channel_get(const struct device *dev, enum sensor_channel chan,
		       struct sensor_value *val)
{
	(void)dev;
	(void)chan;
	*val = fetched;
	return 0;
}

static void scale(int32_t v1, int32_t v2, int8_t s)
{
	int64_t out = 0;
	int rc = vbe_zephyr_sensor_scale(v1, v2, s, &out);

	printf("scale %d %d %d -> %d %lld\n", v1, v2, s, rc, (long long)out);
}

static void read(uint16_t id)
{
	int64_t out = 0;
	int rc = vbe_zephyr_sensor_read(NULL, id, &out);

	printf("read %u -> %d %lld\n", id, rc, (long long)out);
}

int main(void)
{
	/* platform sensor 2 in mC, 7 in mA with the wrong unit first, then 7 in mA */
	static const struct vbe_scmi_sensor_cfg bad[] = {
		{.name = "soc", .plat_id = 2, .unit = VBE_SCMI_SENSOR_UNIT_DEGC, .scale = -3},
		{.name = "cur", .plat_id = 7, .unit = VBE_SCMI_SENSOR_UNIT_VOLTS, .scale = -3},
	};
	static const struct vbe_scmi_sensor_cfg good[] = {
		{.name = "cur", .plat_id = 7, .unit = VBE_SCMI_SENSOR_UNIT_AMPS, .scale = -6},
	};
	struct vbe_scmi_platform_cfg cfg = {.sensors = bad, .sensor_count = 2};

	scale(45, 678900, -3);
	scale(-1, -250000, -3);
	scale(0, -500000, 0);
	scale(2400, 0, 0);
	scale(1, 500000, -9);
	scale(2147483647, 999999, -16);
	scale(-2147483647, 0, 15);

	vbe_zephyr_sensor_setup(&cfg);
	read(2);
	read(7);
	read(3);
	read(99);
	cfg.sensors = good;
	cfg.sensor_count = 1;
	vbe_zephyr_sensor_setup(&cfg);
	read(7);
	return 0;
}
