/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr port: the platform (vbe/plat.h) the core runs on, one const ops table.
 *
 * Each SCMI op is present only when its resource kind is hooked up in the devicetree
 * (CONFIG_VBE_SCMI_<KIND>, default y when a vbe,scmi-<kind> node is enabled); otherwise it is
 * NULL and the core answers NOT_SUPPORTED, as it does for an op the platform lacks.
 *
 * Performance domains stay NULL: Zephyr v4.2 has no API that sets a device's operating
 * point (the CPU frequency subsystem, since 4.3, only scales the CPU Zephyr itself runs on,
 * from its own policy), so PERFORMANCE_LEVEL_SET answers NOT_SUPPORTED. System power
 * requests stay NULL until the port can act on a guest (stop or restart its VM).
 */

#include "port_zephyr.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <zephyr/device.h>
#include <zephyr/logging/log.h>
#include <zephyr/sys/util.h>

#include <vbe/plat.h>
#include <vbe/sys.h>

#include "vbe_zephyr.h"

LOG_MODULE_DECLARE(vbe, CONFIG_VBE_LOG_LEVEL);

/* The op when @p kind is hooked up, else NULL. */
#define VBE_ZEPHYR_OP(kind, fn) COND_CODE_1(kind, (fn), (NULL))

static const struct vbe_plat_ops vbe_zephyr_plat_ops = {
	.i2c_transfer = vbe_zephyr_i2c_transfer,
	.clock_on = VBE_ZEPHYR_OP(CONFIG_VBE_SCMI_CLOCKS, vbe_zephyr_clock_on),
	.clock_off = VBE_ZEPHYR_OP(CONFIG_VBE_SCMI_CLOCKS, vbe_zephyr_clock_off),
	.clock_set_rate = VBE_ZEPHYR_OP(CONFIG_VBE_SCMI_CLOCKS, vbe_zephyr_clock_set_rate),
	.clock_get_rate = VBE_ZEPHYR_OP(CONFIG_VBE_SCMI_CLOCKS, vbe_zephyr_clock_get_rate),
	.power_set_state = VBE_ZEPHYR_OP(CONFIG_VBE_SCMI_POWER_DOMAINS, vbe_zephyr_power_set_state),
	.perf_set_level = NULL,
	.sensor_read = VBE_ZEPHYR_OP(CONFIG_VBE_SCMI_SENSORS, vbe_zephyr_sensor_read),
	.reset_assert = VBE_ZEPHYR_OP(CONFIG_VBE_SCMI_RESETS, vbe_zephyr_reset_assert),
	.reset_deassert = VBE_ZEPHYR_OP(CONFIG_VBE_SCMI_RESETS, vbe_zephyr_reset_deassert),
	.regulator_enable = VBE_ZEPHYR_OP(CONFIG_VBE_SCMI_REGULATORS, vbe_zephyr_regulator_enable),
	.regulator_disable =
		VBE_ZEPHYR_OP(CONFIG_VBE_SCMI_REGULATORS, vbe_zephyr_regulator_disable),
	.regulator_set_voltage =
		VBE_ZEPHYR_OP(CONFIG_VBE_SCMI_REGULATORS, vbe_zephyr_regulator_set_voltage),
	.system_request = NULL,
};

static const struct vbe_plat vbe_zephyr_plat = {
	.ops = &vbe_zephyr_plat_ops,
	.ctx = NULL,
};

/*
 * Per kind: its name in the boot report, and the platform file's lookups of the Zephyr
 * device behind a platform id (NULL without a hookup, or when the node it names is not
 * enabled) and of whether a vbe,scmi-<kind> child names the id (enabled node or not). A
 * kind that is not hooked up has neither.
 */
struct vbe_zephyr_kind_info {
	const char *name;
	const struct device *(*dev)(uint16_t id);
	bool (*hooked)(uint16_t id);
};

#define VBE_ZEPHYR_KIND(kind, name, dev, hooked)                                                   \
	{ name, VBE_ZEPHYR_OP(kind, dev), VBE_ZEPHYR_OP(kind, hooked) }

static const struct vbe_zephyr_kind_info vbe_zephyr_kinds[] = {
	[VBE_ZEPHYR_CLOCKS] = VBE_ZEPHYR_KIND(CONFIG_VBE_SCMI_CLOCKS, "clocks",
					      vbe_zephyr_clock_dev, vbe_zephyr_clock_hooked),
	[VBE_ZEPHYR_POWER_DOMAINS] = VBE_ZEPHYR_KIND(CONFIG_VBE_SCMI_POWER_DOMAINS,
						     "power domains", vbe_zephyr_power_dev,
						     vbe_zephyr_power_hooked),
	[VBE_ZEPHYR_RESETS] = VBE_ZEPHYR_KIND(CONFIG_VBE_SCMI_RESETS, "reset lines",
					      vbe_zephyr_reset_dev, vbe_zephyr_reset_hooked),
	[VBE_ZEPHYR_REGULATORS] = VBE_ZEPHYR_KIND(CONFIG_VBE_SCMI_REGULATORS, "voltage domains",
						  vbe_zephyr_regulator_dev,
						  vbe_zephyr_regulator_hooked),
	[VBE_ZEPHYR_SENSORS] = VBE_ZEPHYR_KIND(CONFIG_VBE_SCMI_SENSORS, "sensors",
					       vbe_zephyr_sensor_dev, vbe_zephyr_sensor_hooked),
};

BUILD_ASSERT(ARRAY_SIZE(vbe_zephyr_kinds) == VBE_ZEPHYR_KIND_COUNT, "an entry per kind");

/* Resource @p i of @p kind in the SCMI platform description: its platform id. */
static uint16_t vbe_zephyr_plat_id(const struct vbe_scmi_platform_cfg *scmi,
				   enum vbe_zephyr_kind kind, uint8_t i)
{
	switch (kind) {
	case VBE_ZEPHYR_CLOCKS:
		return scmi->clocks[i].plat_id;
	case VBE_ZEPHYR_POWER_DOMAINS:
		return scmi->power[i].plat_id;
	case VBE_ZEPHYR_RESETS:
		return scmi->resets[i].plat_id;
	case VBE_ZEPHYR_REGULATORS:
		return scmi->voltages[i].plat_id;
	default:
		return scmi->sensors[i].plat_id;
	}
}

static uint8_t vbe_zephyr_count(const struct vbe_scmi_platform_cfg *scmi,
				enum vbe_zephyr_kind kind)
{
	switch (kind) {
	case VBE_ZEPHYR_CLOCKS:
		return scmi->clock_count;
	case VBE_ZEPHYR_POWER_DOMAINS:
		return scmi->power_count;
	case VBE_ZEPHYR_RESETS:
		return scmi->reset_count;
	case VBE_ZEPHYR_REGULATORS:
		return scmi->voltage_count;
	default:
		return scmi->sensor_count;
	}
}

/*
 * Per kind: how many resources have no hookup, a hookup naming a node that is not enabled,
 * a device that is not ready, a ready device.
 */
static void vbe_zephyr_scmi_report(const struct vbe_scmi_platform_cfg *scmi)
{
	for (int k = 0; k < (int)VBE_ZEPHYR_KIND_COUNT; k++) {
		enum vbe_zephyr_kind kind = (enum vbe_zephyr_kind)k;
		const struct vbe_zephyr_kind_info *info = &vbe_zephyr_kinds[k];
		uint8_t count = vbe_zephyr_count(scmi, kind);
		unsigned int hooked = 0U;
		unsigned int wired = 0U;
		unsigned int ready = 0U;

		for (uint8_t i = 0U; i < count; i++) {
			uint16_t id = vbe_zephyr_plat_id(scmi, kind, i);
			const struct device *dev = (info->dev != NULL) ? info->dev(id) : NULL;

			hooked += ((info->hooked != NULL) && info->hooked(id)) ? 1U : 0U;
			wired += (dev != NULL) ? 1U : 0U;
			ready += ((dev != NULL) && device_is_ready(dev)) ? 1U : 0U;
		}

		if (hooked < count) {
			LOG_WRN("%s: %u of %u without a devicetree hookup answer NOT_SUPPORTED",
				info->name, (unsigned int)count - hooked,
				(unsigned int)count);
		}
		if (wired < hooked) {
			LOG_WRN("%s: %u hooked up to a devicetree node that is not enabled "
				"(status okay); they answer NOT_SUPPORTED",
				info->name, hooked - wired);
		}
		if (ready < wired) {
			LOG_WRN("%s: %u hooked up but not ready; they fail", info->name,
				wired - ready);
		}
		if (ready > 0U) {
			LOG_INF("%s: %u of %u on Zephyr devices", info->name, ready,
				(unsigned int)count);
		}
	}
	vbe_zephyr_clock_report();
}

int vbe_zephyr_plat_init(const struct vbe_sys_cfg *cfg, const struct vbe_plat **plat)
{
	if ((cfg == NULL) || (plat == NULL)) {
		return -EINVAL;
	}

	vbe_zephyr_i2c_report(cfg);

	if (cfg->scmi != NULL) {
		vbe_zephyr_scmi_report(cfg->scmi);
		vbe_zephyr_sensor_setup(cfg->scmi);
		for (uint8_t i = 0U; i < cfg->scmi->perf_count; i++) {
			LOG_WRN("perf domain %u '%s': Zephyr has no DVFS API for it; "
				"PERFORMANCE_LEVEL_SET answers NOT_SUPPORTED",
				(unsigned int)cfg->scmi->perf[i].plat_id, cfg->scmi->perf[i].name);
		}
	}

	*plat = &vbe_zephyr_plat;

	return 0;
}
