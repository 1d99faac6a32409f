/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr port: vbe_plat_ops.sensor_read on Zephyr's sensor API.
 *
 * Platform sensor N is the child node with reg = <N> of the enabled vbe,scmi-sensors node:
 *
 *   sensor@0 { reg = <0>; sensor = <&die_temp0>; channel = "die_temp"; };
 *
 * A read is sensor_sample_fetch() then sensor_channel_get() on that channel. Zephyr
 * reports the channel in its SI unit (degrees Celsius, volts, amperes, watts, RPM) as
 * val1 + val2 * 10^-6; the core wants an integer in the SCMI sensor's unit times
 * 10^scale (vbe_scmi_sensor_cfg.scale, e.g. -3 for mC), so the value is scaled here. The
 * unit and scale come from the system description the core serves, checked at boot against
 * the channel's unit: one source for both sides.
 */

#include "port_zephyr.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/logging/log.h>
#include <zephyr/sys/util.h>

#if defined(CONFIG_VBE_SCMI_SENSORS)
#include <zephyr/drivers/sensor.h>
#endif

#include <vbe/plat.h>
#include <vbe/scmi.h>
#include <vbe/scmi_wire.h>

#include "vbe_zephyr.h"

LOG_MODULE_DECLARE(vbe, CONFIG_VBE_LOG_LEVEL);

int vbe_zephyr_sensor_scale(int32_t val1, int32_t val2, int8_t scale, int64_t *out)
{
	/* |val1| < 2^31 and |val2| < 10^6: micro fits with room to spare (< 2.2e15). */
	int64_t v = ((int64_t)val1 * 1000000) + val2;
	int exp = -(int)scale - 6; /* value in 10^scale units = micro * 10^exp */

	for (; exp > 0; exp--) {
		if ((v > INT64_MAX / 10) || (v < INT64_MIN / 10)) {
			return -ERANGE;
		}
		v *= 10;
	}
	for (; (exp < 0) && (v != 0); exp++) {
		v /= 10; /* C division truncates toward zero, step after step as in one go */
	}
	*out = v;

	return 0;
}

#if defined(CONFIG_VBE_SCMI_SENSORS)

struct vbe_zephyr_sensor {
	const struct device *dev;
	enum sensor_channel chan;
};

/* channel = "die_temp" -> SENSOR_CHAN_DIE_TEMP (the binding lists the accepted ones). */
#define VBE_ZEPHYR_SENSOR(node)                                                                    \
	[VBE_ZEPHYR_ID(node)] = {                                                                    \
		.dev = DEVICE_DT_GET_OR_NULL(DT_PHANDLE(node, sensor)),                            \
		.chan = UTIL_CAT(SENSOR_CHAN_, DT_STRING_UPPER_TOKEN(node, channel)),              \
	},

#define VBE_ZEPHYR_SENSORS(parent) DT_FOREACH_CHILD_STATUS_OKAY(parent, VBE_ZEPHYR_SENSOR)

static const struct vbe_zephyr_sensor vbe_zephyr_sensors[VBE_SCMI_MAX_SENSORS] = {
	DT_FOREACH_STATUS_OKAY(vbe_scmi_sensors, VBE_ZEPHYR_SENSORS)
};

static const bool vbe_zephyr_sensors_hooked[ARRAY_SIZE(vbe_zephyr_sensors)] = {
	DT_FOREACH_STATUS_OKAY(vbe_scmi_sensors, VBE_ZEPHYR_HOOKED)
};

/* Unit and scale per platform sensor, from the description (vbe_zephyr_sensor_setup). */
struct vbe_zephyr_sensor_fmt {
	int8_t scale;
	bool known;  /* the description has this sensor */
	bool usable; /* its unit is the channel's and its scale is unambiguous */
};

static struct vbe_zephyr_sensor_fmt vbe_zephyr_sensor_fmt[ARRAY_SIZE(vbe_zephyr_sensors)];

/* The SCMI unit a Zephyr channel reports in (sensor.h: enum sensor_channel); 0: none here. */
static uint8_t vbe_zephyr_channel_unit(enum sensor_channel chan)
{
	switch (chan) {
	case SENSOR_CHAN_DIE_TEMP:
	case SENSOR_CHAN_AMBIENT_TEMP:
		return VBE_SCMI_SENSOR_UNIT_DEGC;
	case SENSOR_CHAN_VOLTAGE:
		return VBE_SCMI_SENSOR_UNIT_VOLTS;
	case SENSOR_CHAN_CURRENT:
		return VBE_SCMI_SENSOR_UNIT_AMPS;
	case SENSOR_CHAN_POWER:
		return VBE_SCMI_SENSOR_UNIT_WATTS;
	case SENSOR_CHAN_RPM:
		return VBE_SCMI_SENSOR_UNIT_RPM;
	default:
		return 0U;
	}
}

void vbe_zephyr_sensor_setup(const struct vbe_scmi_platform_cfg *scmi)
{
	/* A description replaces the previous one whole. */
	for (size_t i = 0U; i < ARRAY_SIZE(vbe_zephyr_sensor_fmt); i++) {
		vbe_zephyr_sensor_fmt[i] = (struct vbe_zephyr_sensor_fmt){0};
	}

	for (uint8_t i = 0U; i < scmi->sensor_count; i++) {
		const struct vbe_scmi_sensor_cfg *s = &scmi->sensors[i];
		struct vbe_zephyr_sensor_fmt *f;
		const struct vbe_zephyr_sensor *z;

		if (s->plat_id >= ARRAY_SIZE(vbe_zephyr_sensors)) {
			continue; /* the core refuses such a description */
		}
		z = &vbe_zephyr_sensors[s->plat_id];
		f = &vbe_zephyr_sensor_fmt[s->plat_id];
		if (z->dev == NULL) {
			continue;
		}
		if (f->known) {
			if (f->scale != s->scale) {
				LOG_ERR("sensor %u '%s': scale 10^%d, another SCMI sensor on the "
					"same device has 10^%d; it reads NOT_SUPPORTED",
					(unsigned int)s->plat_id, s->name, s->scale, f->scale);
				f->usable = false;
			}
			continue;
		}
		f->known = true;
		f->scale = s->scale;
		f->usable = (vbe_zephyr_channel_unit(z->chan) == s->unit);
		if (!f->usable) {
			LOG_ERR("sensor %u '%s': SCMI unit %u is not the unit of Zephyr channel %d; "
				"it reads NOT_SUPPORTED",
				(unsigned int)s->plat_id, s->name, (unsigned int)s->unit,
				(int)z->chan);
		}
	}
}

const struct device *vbe_zephyr_sensor_dev(uint16_t id)
{
	return (id < ARRAY_SIZE(vbe_zephyr_sensors)) ? vbe_zephyr_sensors[id].dev : NULL;
}

bool vbe_zephyr_sensor_hooked(uint16_t id)
{
	return (id < ARRAY_SIZE(vbe_zephyr_sensors_hooked)) && vbe_zephyr_sensors_hooked[id];
}

int vbe_zephyr_sensor_read(void *ctx, uint16_t sensor, int64_t *value)
{
	const struct vbe_zephyr_sensor *z;
	struct sensor_value v;
	int rc;

	ARG_UNUSED(ctx);

	if ((sensor >= ARRAY_SIZE(vbe_zephyr_sensors)) || (value == NULL)) {
		return -EINVAL;
	}
	z = &vbe_zephyr_sensors[sensor];
	rc = vbe_zephyr_ready(z->dev);
	if (rc != 0) {
		return rc;
	}
	if (!vbe_zephyr_sensor_fmt[sensor].usable) {
		return -ENOTSUP;
	}

	/*
	 * Fetch every channel, never one: many drivers accept only SENSOR_CHAN_ALL in their
	 * sample_fetch (bmp085, isl29035, htu21d, icm20948 __ASSERT_NO_MSG() it, others answer
	 * -ENOTSUP), while every driver implements ALL. Blocks for the bus transfer (an I2C
	 * sensor: a few hundred microseconds).
	 */
	rc = sensor_sample_fetch(z->dev);
	if (rc != 0) {
		return rc;
	}
	rc = sensor_channel_get(z->dev, z->chan, &v);
	if (rc != 0) {
		return rc;
	}

	return vbe_zephyr_sensor_scale(v.val1, v.val2, vbe_zephyr_sensor_fmt[sensor].scale, value);
}

#else /* !CONFIG_VBE_SCMI_SENSORS */

void vbe_zephyr_sensor_setup(const struct vbe_scmi_platform_cfg *scmi)
{
	ARG_UNUSED(scmi);
}

#endif /* CONFIG_VBE_SCMI_SENSORS */
