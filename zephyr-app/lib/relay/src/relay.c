/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A relay backend: requests popped from the guest's rings wait in a fixed table until the
 * owner answers them. See vbe/relay.h and docs/vhost-user.md ("Bridge mode").
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/dev.h>
#include <vbe/port.h>
#include <vbe/relay.h>
#include <vbe/vq.h>

/* Forget every request of queue @p q: its chains are the front-end's again. */
static void relay_void(struct vbe_relay *r, uint32_t q)
{
	r->stats[VBE_RELAY_STAT_VOIDED] += r->count[q];
	memset(r->entry[q], 0, sizeof(r->entry[q]));
	r->count[q] = 0U;
}

/*
 * Can queue @p q take our chains back? Its ring must be live, not broken, and the one we
 * popped them from: the relay is the ring's only user, so a ring set up again since
 * (GET_VRING_BASE, a new memory table or features; vq cleared and re-initialised) shows
 * fewer chains in flight than we hold. Its old chains may name memory that is gone.
 */
static bool relay_running(const struct vbe_relay *r, uint32_t q)
{
	return r->vqs != NULL && r->vqs[q].size != 0U && !r->vqs[q].broken &&
	       r->vqs[q].inflight == r->count[q];
}

static struct vbe_relay_entry *relay_free_slot(struct vbe_relay *r, uint32_t q)
{
	for (unsigned int i = 0U; i < VBE_RELAY_MAX_INFLIGHT; i++) {
		if (r->entry[q][i].id == 0U) {
			return &r->entry[q][i];
		}
	}
	return NULL;
}

static uint32_t relay_new_id(struct vbe_relay *r)
{
	/* free-running, 0 never used: an id comes back only after 2^32 - 1 more pops */
	r->last_id++;
	if (r->last_id == 0U) {
		r->last_id = 1U;
	}
	return r->last_id;
}

/* Hand the chain back with reject_status (or nothing) in it. */
static int relay_push_reject(struct vbe_relay *r, uint32_t q, const struct vbe_vq_req *req)
{
	uint32_t written = 0U;

	if (r->cfg.reject_status >= 0 && req->wr_len > 0U && req->n_wr > 0U) {
		uint8_t status = (uint8_t)r->cfg.reject_status;

		if (vbe_vq_req_write(req, req->wr_len - 1U, &status, 1U) == 1U) {
			written = req->wr_len;
		}
	}
	r->stats[VBE_RELAY_STAT_REJECTED]++;
	return vbe_vq_push(&r->vqs[q], req, written);
}

static void relay_service(void *be)
{
	struct vbe_relay *r = be;

	if (r == NULL || r->vqs == NULL) {
		return;
	}
	for (uint32_t q = 0U; q < r->cfg.num_queues; q++) {
		if (!relay_running(r, q)) {
			relay_void(r, q);
			continue;
		}
		for (;;) {
			struct vbe_relay_entry *e = relay_free_slot(r, q);
			int rc;

			if (e == NULL) {
				break; /* table full: the rest waits in the ring for the next kick */
			}
			rc = vbe_vq_pop(&r->vqs[q], &e->req);
			if (rc == -EAGAIN) {
				break;
			}
			if (rc == -E2BIG) {
				/* valid but more segments than we hold: segs unknown, written 0 */
				e->req.n_rd = 0U;
				e->req.n_wr = 0U;
				r->stats[VBE_RELAY_STAT_POPPED]++;
				r->stats[VBE_RELAY_STAT_REJECTED]++;
				rc = vbe_vq_push(&r->vqs[q], &e->req, 0U);
				memset(e, 0, sizeof(*e));
				if (rc != 0) {
					relay_void(r, q);
					break;
				}
				continue;
			}
			if (rc != 0) {
				relay_void(r, q); /* broken: the transport raises NEEDS_RESET */
				break;
			}
			e->id = relay_new_id(r);
			e->handed = false;
			r->count[q]++;
			r->stats[VBE_RELAY_STAT_POPPED]++;
		}
	}
}

static void relay_reset(void *be)
{
	struct vbe_relay *r = be;

	if (r == NULL) {
		return;
	}
	for (uint32_t q = 0U; q < VBE_DEV_MAX_QUEUES; q++) {
		relay_void(r, q);
	}
	r->vqs = NULL;
	r->features = 0U;
}

static int relay_start(void *be, struct vbe_vq *vqs, uint64_t features)
{
	struct vbe_relay *r = be;

	if (r == NULL || vqs == NULL) {
		return -EINVAL;
	}
	for (uint32_t q = 0U; q < r->cfg.num_queues; q++) {
		uint64_t need = r->cfg.queue_needs[q];

		if (vqs[q].size == 0U && (features & need) == need) {
			return -EINVAL; /* not yet: the transport retries when more rings are up */
		}
	}
	r->vqs = vqs;
	r->features = features;
	for (uint32_t q = 0U; q < r->cfg.num_queues; q++) {
		/* a ring set up again holds nothing of ours; one that stayed live keeps its own */
		if (!relay_running(r, q)) {
			relay_void(r, q);
		}
	}
	return 0;
}

int vbe_relay_init(struct vbe_relay *r, const struct vbe_relay_cfg *cfg)
{
	if (r == NULL || cfg == NULL || cfg->num_queues == 0U ||
	    cfg->num_queues > VBE_DEV_MAX_QUEUES || cfg->queue_size_max == 0U ||
	    (cfg->queue_size_max & (cfg->queue_size_max - 1U)) != 0U) {
		return -EINVAL;
	}
	memset(r, 0, sizeof(*r));
	r->cfg = *cfg;
	r->ops = (struct vbe_dev_ops){
		.device_id = cfg->device_id,
		.features = cfg->features,
		.required_features = cfg->required_features,
		.num_queues = cfg->num_queues,
		.queue_size_max = cfg->queue_size_max,
		.config_size = 0U,
		.get_config = NULL,
		.reset = relay_reset,
		.start = relay_start,
		.service = relay_service,
	};
	return 0;
}

/* The entry of queue @p q with @p id, checking the queue can still take it back. */
static int relay_find(struct vbe_relay *r, uint32_t q, uint32_t id, struct vbe_relay_entry **out)
{
	if (r == NULL || q >= r->cfg.num_queues) {
		return -EINVAL;
	}
	if (r->vqs != NULL && r->vqs[q].broken) {
		relay_void(r, q);
		return -EIO;
	}
	if (!relay_running(r, q)) {
		relay_void(r, q); /* the ring stopped since: its chains are not ours to write */
	}
	for (unsigned int i = 0U; id != 0U && i < VBE_RELAY_MAX_INFLIGHT; i++) {
		struct vbe_relay_entry *e = &r->entry[q][i];

		if (e->id == id && e->handed) {
			*out = e;
			return 0;
		}
	}
	r->stats[VBE_RELAY_STAT_STALE]++;
	return -ESTALE;
}

static void relay_release(struct vbe_relay *r, uint32_t q, struct vbe_relay_entry *e)
{
	memset(e, 0, sizeof(*e));
	r->count[q]--;
}

int vbe_relay_next(struct vbe_relay *r, uint32_t q, uint8_t *out, uint32_t out_cap,
		   uint32_t in_max, uint32_t *out_len, uint32_t *in_cap, uint32_t *id)
{
	if (r == NULL || q >= r->cfg.num_queues || out_len == NULL || in_cap == NULL ||
	    id == NULL || (out == NULL && out_cap != 0U)) {
		return -EINVAL;
	}
	if (r->vqs != NULL && r->vqs[q].broken) {
		relay_void(r, q);
		return -EIO;
	}
	for (;;) {
		struct vbe_relay_entry *e = NULL;

		if (!relay_running(r, q)) {
			relay_void(r, q);
			return -EAGAIN;
		}
		/* oldest first: ids grow with each pop (a wrap is 2^32 pops away) */
		for (unsigned int i = 0U; i < VBE_RELAY_MAX_INFLIGHT; i++) {
			struct vbe_relay_entry *c = &r->entry[q][i];

			if (c->id != 0U && !c->handed &&
			    (e == NULL || (int32_t)(c->id - e->id) < 0)) {
				e = c;
			}
		}
		if (e == NULL) {
			return -EAGAIN;
		}
		if (e->req.rd_len > out_cap || e->req.wr_len > in_max) {
			VBE_LOG(VBE_LOG_DBG, "relay: queue %u: request of %u+%u bytes too big (%u+%u)",
				(unsigned int)q, (unsigned int)e->req.rd_len,
				(unsigned int)e->req.wr_len, (unsigned int)out_cap,
				(unsigned int)in_max);
			if (relay_push_reject(r, q, &e->req) != 0) {
				relay_void(r, q);
				return -EIO;
			}
			relay_release(r, q, e);
			continue;
		}
		*out_len = (uint32_t)vbe_vq_req_read(&e->req, 0, out, e->req.rd_len);
		*in_cap = e->req.wr_len;
		*id = e->id;
		e->handed = true;
		r->stats[VBE_RELAY_STAT_HANDED]++;
		return 0;
	}
}

int vbe_relay_done(struct vbe_relay *r, uint32_t q, uint32_t id, const uint8_t *in,
		   uint32_t in_len, uint32_t *written, bool *signal)
{
	struct vbe_relay_entry *e = NULL;
	uint32_t n;
	int rc;

	if (written == NULL || signal == NULL || (in == NULL && in_len != 0U)) {
		return -EINVAL;
	}
	*written = 0U;
	*signal = false;
	rc = relay_find(r, q, id, &e);
	if (rc != 0) {
		return rc;
	}
	/* scatter, never past the writable part the driver gave (vbe_vq_req_write clamps) */
	n = (uint32_t)vbe_vq_req_write(&e->req, 0, in, in_len);
	if (n < in_len) {
		r->stats[VBE_RELAY_STAT_TRUNCATED]++;
	}
	rc = vbe_vq_push(&r->vqs[q], &e->req, n);
	relay_release(r, q, e);
	if (rc != 0) {
		relay_void(r, q);
		return -EIO;
	}
	r->stats[VBE_RELAY_STAT_DONE]++;
	*written = n;
	*signal = vbe_vq_should_notify(&r->vqs[q]);
	return 0;
}

int vbe_relay_reject(struct vbe_relay *r, uint32_t q, uint32_t id, bool *signal)
{
	struct vbe_relay_entry *e = NULL;
	int rc;

	if (signal == NULL) {
		return -EINVAL;
	}
	*signal = false;
	rc = relay_find(r, q, id, &e);
	if (rc != 0) {
		return rc;
	}
	rc = relay_push_reject(r, q, &e->req);
	relay_release(r, q, e);
	if (rc != 0) {
		relay_void(r, q);
		return -EIO;
	}
	*signal = vbe_vq_should_notify(&r->vqs[q]);
	return 0;
}

uint32_t vbe_relay_held(const struct vbe_relay *r, uint32_t q)
{
	return (r != NULL && q < r->cfg.num_queues) ? r->count[q] : 0U;
}
