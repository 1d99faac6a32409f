/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_sys: builds a whole backend from a const system description (vbe/sys.h): one
 * fat-virtqueue window per guest, and in it the devices that guest was given (virtio-i2c,
 * virtio-scmi); the guests' SCMI agents share one server.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/fvq.h>
#include <vbe/i2c.h>
#include <vbe/plat.h>
#include <vbe/port.h>
#include <vbe/scmi.h>
#include <vbe/sys.h>

static int sys_init_scmi(struct vbe_sys *sys, uint8_t i, bool windowed)
{
	const struct vbe_sys_guest *g = &sys->cfg->guests[i];
	int rc;

	if (sys->cfg->scmi == NULL) {
		VBE_LOG(VBE_LOG_ERR, "sys: guest %u (%s): SCMI agent %u but no SCMI platform", i,
			g->name, g->scmi_agent);
		return -EINVAL;
	}
	rc = vbe_scmi_dev_init(&sys->scmi_dev[i], &sys->scmi, g->scmi_agent);
	if (rc != 0) {
		VBE_LOG(VBE_LOG_ERR, "sys: guest %u (%s): SCMI agent %u: %d", i, g->name,
			g->scmi_agent, rc);
		return -EINVAL;
	}
	if (!windowed) {
		return 0;
	}
	rc = vbe_fvq_add_device(&sys->win[i], &vbe_scmi_dev_ops, &sys->scmi_dev[i]);
	if (rc != 0) {
		VBE_LOG(VBE_LOG_ERR, "sys: guest %u (%s): scmi device: %d", i, g->name, rc);
	}
	return rc;
}

static int sys_init_guest(struct vbe_sys *sys, uint8_t i, void *window)
{
	const struct vbe_sys_guest *g = &sys->cfg->guests[i];
	int rc;

	/* window NULL: devices only, for another transport to bind (vbe_sys_init_devices) */
	if (window != NULL) {
		rc = vbe_fvq_init(&sys->win[i], window, g->window_size, i, g->ring_size);
		if (rc != 0) {
			VBE_LOG(VBE_LOG_ERR, "sys: guest %u (%s): window: %d", i, g->name, rc);
			return rc;
		}
	}
	rc = 0;
	if (g->i2c != NULL) {
		rc = vbe_i2c_init(&sys->i2c[i], g->i2c, sys->plat);
		if (rc != 0) {
			VBE_LOG(VBE_LOG_ERR, "sys: guest %u (%s): i2c view: %d", i, g->name, rc);
			return rc;
		}
		rc = window == NULL ? 0
				    : vbe_fvq_add_device(&sys->win[i], &vbe_i2c_dev_ops, &sys->i2c[i]);
		if (rc != 0) {
			VBE_LOG(VBE_LOG_ERR, "sys: guest %u (%s): i2c device: %d", i, g->name, rc);
			return rc;
		}
	}
	if (g->scmi_agent != 0U) {
		rc = sys_init_scmi(sys, i, window != NULL);
	}
	return rc;
}

static int sys_init(struct vbe_sys *sys, const struct vbe_sys_cfg *cfg, const struct vbe_plat *plat,
		    void *const *windows)
{
	if (sys == NULL || cfg == NULL || plat == NULL ||
	    cfg->guest_count > VBE_SYS_MAX_GUESTS ||
	    (cfg->guest_count > 0U && cfg->guests == NULL)) {
		return -EINVAL;
	}
	memset(sys, 0, sizeof(*sys));
	sys->cfg = cfg;
	sys->plat = plat;
	if (cfg->scmi != NULL) {
		int rc = vbe_scmi_server_init(&sys->scmi, cfg->scmi, plat);

		if (rc != 0) {
			VBE_LOG(VBE_LOG_ERR, "sys: SCMI platform configuration: %d", rc);
			return rc;
		}
	}
	for (uint8_t i = 0; i < cfg->guest_count; i++) {
		int rc = sys_init_guest(sys, i, windows != NULL ? windows[i] : NULL);

		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

int vbe_sys_init(struct vbe_sys *sys, const struct vbe_sys_cfg *cfg, const struct vbe_plat *plat,
		 void *const *windows)
{
	if (windows == NULL) {
		return -EINVAL;
	}
	for (uint8_t i = 0; cfg != NULL && i < cfg->guest_count && i < VBE_SYS_MAX_GUESTS; i++) {
		if (windows[i] == NULL) {
			return -EINVAL;
		}
	}
	return sys_init(sys, cfg, plat, windows);
}

int vbe_sys_init_devices(struct vbe_sys *sys, const struct vbe_sys_cfg *cfg,
			 const struct vbe_plat *plat)
{
	return sys_init(sys, cfg, plat, NULL);
}

void vbe_sys_start(struct vbe_sys *sys, const struct vbe_fvq_notify *notify)
{
	if (sys == NULL || sys->cfg == NULL) {
		return;
	}
	for (uint8_t i = 0; i < sys->cfg->guest_count; i++) {
		if (sys->win[i].base != NULL) {
			vbe_fvq_publish(&sys->win[i], notify);
		}
	}
}

void vbe_sys_poll(struct vbe_sys *sys, bool *did_work)
{
	bool any = false;
	uint8_t n = (sys != NULL && sys->cfg != NULL) ? sys->cfg->guest_count : 0U;
	uint8_t i = (n > 0U && sys->next < n) ? sys->next : 0U;

	if (n > 0U) {
		sys->next = (uint8_t)(i + 1U == n ? 0U : i + 1U);
	}
	for (uint8_t k = 0; k < n; k++) {
		struct vbe_fvq *w = &sys->win[i];
		bool work = false;

		/* base NULL: devices only, another transport serves them */
		if (w->base != NULL && vbe_fvq_poll(w, &work) != 0) {
			VBE_LOG(VBE_LOG_WRN, "sys: guest %u: poll failed", i);
		}
		any = any || work;
		i = (uint8_t)(i + 1U == n ? 0U : i + 1U);
	}
	if (did_work != NULL) {
		*did_work = *did_work || any;
	}
}

int vbe_sys_device(struct vbe_sys *sys, uint8_t guest, unsigned int kind,
		   const struct vbe_dev_ops **ops, void **be)
{
	const struct vbe_sys_guest *g;

	if (sys == NULL || sys->cfg == NULL || guest >= sys->cfg->guest_count) {
		return -ENOENT;
	}
	g = &sys->cfg->guests[guest];
	if (kind == VBE_SYS_DEV_SCMI && g->scmi_agent != 0U) {
		*ops = &vbe_scmi_dev_ops;
		*be = &sys->scmi_dev[guest];
	} else if (kind == VBE_SYS_DEV_I2C && g->i2c != NULL) {
		*ops = &vbe_i2c_dev_ops;
		*be = &sys->i2c[guest];
	} else {
		return -ENOENT;
	}
	return 0;
}
