/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host port, vhost-user: a guest's device (the backend's own vbe_i2c_dev / vbe_scmi_dev)
 * bound to rings in guest RAM through the core's vbe_vhu. One calloc per handle.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <vbe/host.h>
#include <vbe/i2c.h>
#include <vbe/scmi.h>
#include <vbe/sys.h>
#include <vbe/vhu.h>

#include "host_internal.h"

int vbe_host_start_vhu(struct vbe_host *h)
{
	int err;

	if (h->started) {
		return -EBUSY;
	}
	err = vbe_sys_init_devices(&h->sys, h->cfg, &h->sim.plat);
	if (err != 0) {
		return err;
	}
	h->started = true;
	h->vhu_mode = true;
	return 0;
}

struct vbe_host_vhu *vbe_host_vhu_create(struct vbe_host *h, int guest, int kind)
{
	const struct vbe_dev_ops *ops;
	const struct vbe_sys_guest *g;
	struct vbe_host_vhu *v;
	void *be;

	if (h == NULL || !h->vhu_mode || guest < 0 || guest >= h->cfg->guest_count ||
	    (kind != VBE_HOST_VHU_I2C && kind != VBE_HOST_VHU_SCMI) || h->vhu_bound[guest][kind]) {
		return NULL;
	}
	g = &h->cfg->guests[guest];
	if (kind == VBE_HOST_VHU_I2C) {
		if (g->i2c == NULL) {
			return NULL;
		}
		ops = &vbe_i2c_dev_ops;
		be = &h->sys.i2c[guest];
	} else {
		if (g->scmi_agent == 0U) {
			return NULL;
		}
		ops = &vbe_scmi_dev_ops;
		be = &h->sys.scmi_dev[guest];
	}
	v = calloc(1, sizeof(*v));
	if (v == NULL) {
		return NULL;
	}
	if (vbe_vhu_init(&v->dev, ops, be) != 0) {
		free(v);
		return NULL;
	}
	v->h = h;
	v->guest = guest;
	v->kind = kind;
	h->vhu_bound[guest][kind] = true;
	vbe_vhu_reset(&v->dev); /* the device starts from power-on state */
	return v;
}

void vbe_host_vhu_destroy(struct vbe_host_vhu *v)
{
	if (v == NULL || v->h == NULL) {
		return; /* a relay's binding goes with vbe_host_relay_destroy() */
	}
	vbe_vhu_reset(&v->dev);
	v->h->vhu_bound[v->guest][v->kind] = false;
	free(v);
}

int vbe_host_vhu_num_queues(struct vbe_host_vhu *v)
{
	return v->dev.ops->num_queues;
}

uint32_t vbe_host_vhu_device_id(struct vbe_host_vhu *v)
{
	return v->dev.ops->device_id;
}

uint64_t vbe_host_vhu_features(struct vbe_host_vhu *v)
{
	return vbe_vhu_features(&v->dev);
}

int vbe_host_vhu_set_features(struct vbe_host_vhu *v, uint64_t features)
{
	return vbe_vhu_set_features(&v->dev, features);
}

void vbe_host_vhu_reset(struct vbe_host_vhu *v)
{
	vbe_vhu_reset(&v->dev);
}

void vbe_host_vhu_mem_clear(struct vbe_host_vhu *v)
{
	vbe_vhu_mem_clear(&v->dev);
}

int vbe_host_vhu_mem_add(struct vbe_host_vhu *v, uint64_t gpa, uint64_t size, uint64_t uaddr,
			 void *host)
{
	return vbe_vhu_mem_add(&v->dev, gpa, size, uaddr, host);
}

int vbe_host_vhu_set_num(struct vbe_host_vhu *v, uint32_t q, uint32_t num)
{
	return vbe_vhu_set_num(&v->dev, q, num);
}

int vbe_host_vhu_set_addr(struct vbe_host_vhu *v, uint32_t q, uint64_t desc, uint64_t used,
			  uint64_t avail)
{
	return vbe_vhu_set_addr(&v->dev, q, desc, used, avail);
}

int vbe_host_vhu_set_base(struct vbe_host_vhu *v, uint32_t q, uint32_t base)
{
	return vbe_vhu_set_base(&v->dev, q, base);
}

int vbe_host_vhu_get_base(struct vbe_host_vhu *v, uint32_t q, uint16_t *base)
{
	return vbe_vhu_get_base(&v->dev, q, base);
}

int vbe_host_vhu_set_kick(struct vbe_host_vhu *v, uint32_t q)
{
	return vbe_vhu_set_kick(&v->dev, q);
}

int vbe_host_vhu_set_enable(struct vbe_host_vhu *v, uint32_t q, uint32_t on)
{
	return vbe_vhu_set_enable(&v->dev, q, on);
}

int vbe_host_vhu_kick(struct vbe_host_vhu *v, uint32_t *call)
{
	return vbe_vhu_kick(&v->dev, call);
}

int vbe_host_vhu_queue_state(struct vbe_host_vhu *v, uint32_t q, uint32_t *fault, int *live)
{
	if (q >= v->dev.ops->num_queues) {
		return -EINVAL;
	}
	*fault = v->dev.ring[q].fault;
	*live = v->dev.ring[q].live && v->dev.running ? 1 : 0;
	return 0;
}

uint32_t vbe_host_vhu_driver_restarts(struct vbe_host_vhu *v)
{
	return v->dev.driver_restarts;
}

const char *vbe_host_vhu_fault_str(uint32_t fault)
{
	return fault == 0U ? "none" : vbe_dev_fault_str(fault);
}
