/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_vhu: a backend (struct vbe_dev_ops: virtio-i2c, virtio-scmi) bound to rings that
 * live in a guest's RAM, set up the vhost-user way (SET_VRING_NUM/ADDR/BASE/KICK/ENABLE,
 * GET_VRING_BASE). The socket, the fds and the mappings belong to the port (the daemon);
 * this component owns the ring state machine and the memory checks, and runs the backend
 * exactly as the window transport does (same ops, vbe_dev_service()).
 *
 * A ring is *ready* when its size and addresses are set, it was started (a kick fd or
 * polling: SET_VRING_KICK) and it is enabled. The backend is started (ops->start) once the
 * ready rings satisfy it, and stopped when any ring is stopped (GET_VRING_BASE) or the
 * memory table changes; it restarts on the next kick. See docs/vhost-user.md.
 *
 * A guest's virtio reset reaches a vhost-user back-end only as a ring stop (the front-end
 * stops the rings the same way when the VM pauses) followed, once the new driver is ready,
 * by SET_VRING_BASE 0. So a ring that had moved (stopped at a base other than 0) and comes
 * back at base 0 means a new driver: before the backend starts again it is reset
 * (ops->reset: the SCMI agent's clocks, domains and votes are released, as on a real
 * device reset) and driver_restarts counts it. The one false positive is a VM paused with
 * a ring exactly at a multiple of 65536 requests: the agent is then reset while paused.
 */

#ifndef VBE_VHU_H
#define VBE_VHU_H

#include <stdbool.h>
#include <stdint.h>

#include <vbe/dev.h>
#include <vbe/memtab.h>
#include <vbe/vq.h>

#define VBE_VHU_MAX_QUEUES VBE_DEV_MAX_QUEUES

/** One ring as the front-end described it. */
struct vbe_vhu_ring {
	uint64_t desc_ua;  /* front-end virtual addresses of the three parts */
	uint64_t avail_ua;
	uint64_t used_ua;
	uint16_t num;      /* 0: not set */
	uint16_t base;     /* next avail entry, for the next start */
	bool addr_set;
	bool kicked;       /* started by SET_VRING_KICK; stopped by GET_VRING_BASE */
	bool enabled;
	bool live;         /* vq[] is set up on it */
	uint32_t fault;    /* last set-up fault (VBE_DEV_FAULT_*) or ring fault (vbe_vq_fault) */
};

struct vbe_vhu {
	const struct vbe_dev_ops *ops;
	void *be;
	struct vbe_memtab mem;
	struct vbe_vq_mem vq_mem;
	struct vbe_vq vq[VBE_VHU_MAX_QUEUES];
	struct vbe_vhu_ring ring[VBE_VHU_MAX_QUEUES];
	uint64_t features;     /* acknowledged by SET_FEATURES */
	bool running;          /* ops->start accepted the live rings */
	uint32_t broken;       /* bit per queue latched broken: the front-end must reset */
	bool new_driver;       /* a ring came back at base 0 after it had moved (see below) */
	uint32_t driver_restarts; /* times the backend was reset for a new driver */
};

/**
 * @brief Bind a backend; nothing runs until rings are set up and kicked.
 * @retval 0 done. @retval -EINVAL NULL or incomplete ops (no service, 0 or too many queues).
 */
int vbe_vhu_init(struct vbe_vhu *d, const struct vbe_dev_ops *ops, void *be);

/** @brief Virtio features offered: the backend's plus the ring features vbe_vq implements. */
uint64_t vbe_vhu_features(const struct vbe_vhu *d);

/**
 * @brief SET_FEATURES (virtio bits only; the port strips VHOST_USER_F_PROTOCOL_FEATURES).
 * @retval 0 accepted.
 * @retval -EINVAL a bit that was not offered.
 * @retval -ENOTSUP VERSION_1 or a feature the device requires is missing.
 */
int vbe_vhu_set_features(struct vbe_vhu *d, uint64_t features);

/**
 * @brief Device reset (RESET_DEVICE, or the front-end went away): stop every ring, reset
 * the backend, forget features, rings and the memory table. Fault counters survive.
 */
void vbe_vhu_reset(struct vbe_vhu *d);

/**
 * @brief A new memory table is coming (SET_MEM_TABLE): stop the backend, keep each live
 * ring's position for its restart, empty the table. Add regions with vbe_vhu_mem_add().
 */
void vbe_vhu_mem_clear(struct vbe_vhu *d);

/** @brief Add a region; errors as vbe_memtab_add(). */
int vbe_vhu_mem_add(struct vbe_vhu *d, uint64_t gpa, uint64_t size, uint64_t uaddr, void *host);

/**
 * @brief SET_VRING_NUM.
 * @retval 0 done. @retval -EINVAL bad queue index, or @p num not a power of two in
 * 1..32768. @retval -EBUSY the ring is running.
 */
int vbe_vhu_set_num(struct vbe_vhu *d, uint32_t q, uint32_t num);

/**
 * @brief SET_VRING_ADDR: front-end virtual addresses of the ring parts.
 * @retval 0 done. @retval -EINVAL bad index. @retval -EBUSY the ring is running (with
 * other addresses). @retval -EFAULT with a size set and a memory table present: a part is
 * not inside one region. @retval -EPROTO a part misaligned (16, 2, 4 bytes).
 */
int vbe_vhu_set_addr(struct vbe_vhu *d, uint32_t q, uint64_t desc, uint64_t used,
		     uint64_t avail);

/**
 * @brief SET_VRING_BASE.
 * @retval 0 done. @retval -EINVAL bad index. @retval -EBUSY the ring is running.
 */
int vbe_vhu_set_base(struct vbe_vhu *d, uint32_t q, uint32_t base);

/**
 * @brief GET_VRING_BASE: stop the ring (and the backend) and give the next avail index.
 * @retval 0 done. @retval -EINVAL bad index.
 */
int vbe_vhu_get_base(struct vbe_vhu *d, uint32_t q, uint16_t *base);

/** @brief SET_VRING_KICK: the ring is started. -EINVAL: bad index. */
int vbe_vhu_set_kick(struct vbe_vhu *d, uint32_t q);

/** @brief SET_VRING_ENABLE. -EINVAL: bad index or @p on not 0/1. */
int vbe_vhu_set_enable(struct vbe_vhu *d, uint32_t q, uint32_t on);

/**
 * @brief A kick (or a poll): start what is ready, run one service pass (vbe_dev_service()).
 *
 * @param call set to the queues whose driver must be signalled (bit per queue), plus
 *        VBE_DEV_SERVICE_MORE when the pass stopped at its budget: kick again soon, without
 *        waiting for the driver (it was not asked to notify).
 * @retval 0 done (the backend may still be waiting for rings).
 * @retval -EFAULT a ready ring's parts are outside the memory table (ring[q].fault says).
 * @retval -EIO a ring latched broken (bit in d->broken): the front-end must reset.
 */
int vbe_vhu_kick(struct vbe_vhu *d, uint32_t *call);

/**
 * @brief Were chains completed on a live ring outside a kick (an SCMI notification caused by
 * another guest's command or by the platform, pushed into this guest's eventq), and its
 * driver not told yet? The port then runs a kick pass for this device, which signals.
 */
bool vbe_vhu_unsignalled(const struct vbe_vhu *d);

#endif /* VBE_VHU_H */
