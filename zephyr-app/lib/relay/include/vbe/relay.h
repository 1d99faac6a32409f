/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_relay: a backend (struct vbe_dev_ops) that does not answer requests itself but
 * hands them to someone else and writes back what comes back. Bound to a guest's rings
 * through any transport (vbe_vhu: bridge mode, docs/vhost-user.md), it keeps every guest
 * ring access inside the core's checks: chains are popped and pushed by vbe_vq, requests
 * leave as flat copies of their device-readable bytes, answers come back as flat bytes
 * scattered into the chain's device-writable part, never beyond it.
 *
 * Pull API, no callbacks: the transport's kick pops chains into a fixed table (service op);
 * the owner takes them with vbe_relay_next() and completes each with vbe_relay_done() or
 * vbe_relay_reject(). Every chain popped is completed once, or voided when its ring is
 * stopped or reset (the chain then belongs to the front-end again): a completion naming a
 * voided or completed request is refused (-ESTALE) and nothing is written.
 */

#ifndef VBE_RELAY_H
#define VBE_RELAY_H

#include <stdbool.h>
#include <stdint.h>

#include <vbe/dev.h>
#include <vbe/vq.h>

/** Requests held per queue (popped, not completed); more wait in the ring. */
#ifndef VBE_RELAY_MAX_INFLIGHT
#define VBE_RELAY_MAX_INFLIGHT 32
#endif

/** What the relay serves: the far device's identity and the rules its transport checks. */
struct vbe_relay_cfg {
	uint32_t device_id;         /* VBE_VIRTIO_ID_* */
	uint64_t features;          /* device-specific bits offered (the far device's) */
	uint64_t required_features; /* as vbe_dev_ops.required_features */
	uint16_t num_queues;        /* 1..VBE_DEV_MAX_QUEUES */
	uint16_t queue_size_max;    /* power of two (window transports only) */
	/** Queue q must be live to start when every bit of queue_needs[q] was negotiated
	 *  (0: always). virtio-scmi: eventq with VIRTIO_SCMI_F_P2A_CHANNELS (5.17.2). */
	uint64_t queue_needs[VBE_DEV_MAX_QUEUES];
	/** A chain the relay rejects gets this byte in its last device-writable byte
	 *  (virtio-i2c: VIRTIO_I2C_MSG_ERR, 5.19.6.1); -1: nothing is written. */
	int16_t reject_status;
};

/** Counters (struct vbe_relay.stats). Values are ABI: the host API reads them by index. */
enum vbe_relay_stat {
	VBE_RELAY_STAT_POPPED = 0,    /* chains taken off the guest's rings */
	VBE_RELAY_STAT_HANDED = 1,    /* requests given out by vbe_relay_next() */
	VBE_RELAY_STAT_DONE = 2,      /* completed with an answer */
	VBE_RELAY_STAT_REJECTED = 3,  /* completed with reject_status (too big, -E2BIG, owner) */
	VBE_RELAY_STAT_STALE = 4,     /* completions refused: not in flight */
	VBE_RELAY_STAT_VOIDED = 5,    /* requests forgotten: ring stopped, reset or broken */
	VBE_RELAY_STAT_TRUNCATED = 6, /* answers longer than the chain's writable part */
	VBE_RELAY_STAT_COUNT,
};

struct vbe_relay_entry {
	struct vbe_vq_req req; /* as vbe_vq_pop() gave it */
	uint32_t id;           /* 0: free slot */
	bool handed;           /* given out by vbe_relay_next() */
};

struct vbe_relay {
	struct vbe_relay_cfg cfg;
	struct vbe_dev_ops ops; /* bind with (ops, be = this relay) */
	struct vbe_vq *vqs;         /* from ops->start; NULL when not started */
	uint64_t features;
	uint32_t last_id;
	uint16_t count[VBE_DEV_MAX_QUEUES];
	struct vbe_relay_entry entry[VBE_DEV_MAX_QUEUES][VBE_RELAY_MAX_INFLIGHT];
	uint32_t stats[VBE_RELAY_STAT_COUNT];
};

/**
 * @brief Set a relay up; bind it to a transport with (&r->ops, r).
 * @retval 0 done. @retval -EINVAL NULL, 0 or too many queues, queue_size_max not a power
 * of two.
 */
int vbe_relay_init(struct vbe_relay *r, const struct vbe_relay_cfg *cfg);

/**
 * @brief The oldest request of queue @p q not handed out yet.
 *
 * Requests whose device-readable part exceeds @p out_cap or whose device-writable part
 * exceeds @p in_max are rejected here (completed with reject_status, counted) and skipped.
 *
 * @param out receives the device-readable bytes, flattened (@p out_len of them).
 * @param in_cap set to the request's device-writable size: the most an answer can hold.
 * @param id set to the request's id for vbe_relay_done() / vbe_relay_reject().
 * @retval 0 a request. @retval -EAGAIN none waiting. @retval -EINVAL bad queue or NULL.
 * @retval -EIO the queue is broken: its requests were voided.
 */
int vbe_relay_next(struct vbe_relay *r, uint32_t q, uint8_t *out, uint32_t out_cap,
		   uint32_t in_max, uint32_t *out_len, uint32_t *in_cap, uint32_t *id);

/**
 * @brief Answer request @p id of queue @p q: write @p in (at most the request's writable
 * size: the rest is cut and counted), hand the chain back to the driver.
 *
 * @param written set to the bytes written into the chain (the used length).
 * @param signal set true when the driver must be notified now (EVENT_IDX honoured).
 * @retval 0 done. @retval -ESTALE @p id is not in flight (already completed, voided by a
 * ring stop or reset, never given): nothing written. @retval -EIO the queue is broken:
 * nothing written, its requests voided. @retval -EINVAL bad queue or NULL.
 */
int vbe_relay_done(struct vbe_relay *r, uint32_t q, uint32_t id, const uint8_t *in,
		   uint32_t in_len, uint32_t *written, bool *signal);

/**
 * @brief Complete request @p id without an answer: reject_status is written (or nothing).
 * Errors as vbe_relay_done().
 */
int vbe_relay_reject(struct vbe_relay *r, uint32_t q, uint32_t id, bool *signal);

/** @brief Requests held on queue @p q (handed out or not); 0 for a bad queue. */
uint32_t vbe_relay_held(const struct vbe_relay *r, uint32_t q);

#endif /* VBE_RELAY_H */
