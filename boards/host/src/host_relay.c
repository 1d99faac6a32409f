/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host port, bridge mode: a relay backend (vbe/relay.h) bound to a guest's rings through
 * vbe_vhu, for vbe.serve (tools/vbe/serve/bridge.py). One calloc per relay; the binding is driven
 * with the vbe_host_vhu_* calls like a guest's own device.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <vbe/host.h>
#include <vbe/i2c.h>
#include <vbe/relay.h>
#include <vbe/scmi_wire.h>
#include <vbe/vhu.h>
#include <vbe/virtio.h>

#include "host_internal.h"

/* Device-specific feature bits (virtio 1.2, 6: 0-23); the rest belong to the transports. */
#define RELAY_DEVICE_BITS 0xffffffULL
#define RELAY_QUEUE_SIZE_MAX 1024U

_Static_assert(VBE_HOST_RELAY_STATS == VBE_RELAY_STAT_COUNT, "host.h counts every stat");

struct vbe_host_relay {
	struct vbe_relay relay;
	struct vbe_host_vhu vhu;
};

struct vbe_host_relay *vbe_host_relay_create(int kind, uint64_t features)
{
	struct vbe_relay_cfg cfg = {
		.features = features & RELAY_DEVICE_BITS,
		.queue_size_max = RELAY_QUEUE_SIZE_MAX,
		.reject_status = -1,
	};
	struct vbe_host_relay *r;

	if (kind == VBE_HOST_VHU_I2C) {
		/* 5.19: one requestq; Linux needs ZERO_LENGTH_REQUEST as direct mode does */
		cfg.device_id = VBE_VIRTIO_ID_I2C;
		cfg.num_queues = 1U;
		cfg.required_features =
			cfg.features & (1ULL << VBE_I2C_F_ZERO_LENGTH_REQUEST);
		cfg.reject_status = VBE_I2C_MSG_ERR;
	} else if (kind == VBE_HOST_VHU_SCMI) {
		/* 5.17: cmdq, and the eventq when P2A is negotiated */
		cfg.device_id = VBE_VIRTIO_ID_SCMI;
		cfg.num_queues = 2U;
		cfg.queue_needs[VBE_SCMI_VQ_EVENTQ] = 1ULL << VBE_SCMI_F_P2A_CHANNELS;
	} else {
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		return NULL;
	}
	if (vbe_relay_init(&r->relay, &cfg) != 0 ||
	    vbe_vhu_init(&r->vhu.dev, &r->relay.ops, &r->relay) != 0) {
		free(r);
		return NULL;
	}
	r->vhu.h = NULL;
	r->vhu.guest = -1;
	r->vhu.kind = kind;
	vbe_vhu_reset(&r->vhu.dev);
	return r;
}

void vbe_host_relay_destroy(struct vbe_host_relay *r)
{
	if (r == NULL) {
		return;
	}
	vbe_vhu_reset(&r->vhu.dev);
	free(r);
}

struct vbe_host_vhu *vbe_host_relay_vhu(struct vbe_host_relay *r)
{
	return &r->vhu;
}

int vbe_host_relay_next(struct vbe_host_relay *r, uint32_t q, uint8_t *out, uint32_t out_cap,
			uint32_t in_max, uint32_t *out_len, uint32_t *in_cap, uint32_t *id)
{
	return vbe_relay_next(&r->relay, q, out, out_cap, in_max, out_len, in_cap, id);
}

int vbe_host_relay_done(struct vbe_host_relay *r, uint32_t q, uint32_t id, const uint8_t *in,
			uint32_t in_len, uint32_t *written, int *signal)
{
	bool sig = false;
	int rc = vbe_relay_done(&r->relay, q, id, in, in_len, written, &sig);

	*signal = sig ? 1 : 0;
	return rc;
}

int vbe_host_relay_reject(struct vbe_host_relay *r, uint32_t q, uint32_t id, int *signal)
{
	bool sig = false;
	int rc = vbe_relay_reject(&r->relay, q, id, &sig);

	*signal = sig ? 1 : 0;
	return rc;
}

uint32_t vbe_host_relay_held(struct vbe_host_relay *r, uint32_t q)
{
	return vbe_relay_held(&r->relay, q);
}

uint64_t vbe_host_relay_features(struct vbe_host_relay *r)
{
	return r->vhu.dev.features;
}

int vbe_host_relay_stats(struct vbe_host_relay *r, uint32_t *stats)
{
	for (unsigned int i = 0U; i < VBE_RELAY_STAT_COUNT; i++) {
		stats[i] = r->relay.stats[i];
	}
	return 0;
}
