/* SPDX-License-Identifier: Apache-2.0 */
/* Stand-in for include/zephyr/drivers/sensor.h: struct sensor_value {int32_t val1, val2}
 * (val1 + val2 * 10^-6), the channels the port accepts (a subset of enum sensor_channel,
 * same names; the values here are arbitrary, SENSOR_CHAN_ALL included), sensor_sample_fetch
 * (= the driver's sample_fetch with SENSOR_CHAN_ALL), sensor_sample_fetch_chan,
 * sensor_channel_get. */
#ifndef STUB_ZEPHYR_DRIVERS_SENSOR_H
#define STUB_ZEPHYR_DRIVERS_SENSOR_H
#include <stdint.h>

#include <zephyr/device.h>

struct sensor_value {
	int32_t val1;
	int32_t val2;
};

enum sensor_channel {
	SENSOR_CHAN_ACCEL_X,
	SENSOR_CHAN_DIE_TEMP,
	SENSOR_CHAN_AMBIENT_TEMP,
	SENSOR_CHAN_VOLTAGE,
	SENSOR_CHAN_CURRENT,
	SENSOR_CHAN_POWER,
	SENSOR_CHAN_RPM,
	SENSOR_CHAN_ALL,
};

int sensor_sample_fetch(const struct device *dev);
int sensor_sample_fetch_chan(const struct device *dev, enum sensor_channel type);
int sensor_channel_get(const struct device *dev, enum sensor_channel chan,
		       struct sensor_value *val);
#endif
