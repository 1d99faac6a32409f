/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_i2c: the virtio-i2c device (virtio 1.2, 5.19). See docs/i2c.md.
 *
 * service() collects one FAIL_NEXT group of chains (across calls when the ring runs dry),
 * checks every request of it in order, runs the valid prefix on the bus as one
 * transaction (one platform transfer per run of messages to the same bus address), and
 * completes every chain of the group, each with its own status, before it takes the next.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/i2c.h>
#include <vbe/plat.h>
#include <vbe/port.h>
#include <vbe/shmem.h>
#include <vbe/virtio.h>
#include <vbe/vq.h>

#include "i2c_internal.h"

/* Largest requestq the device accepts (any power of two up to here). */
#define I2C_QUEUE_SIZE_MAX 64

int vbe_i2c_init(struct vbe_i2c_dev *dev, const struct vbe_i2c_view *view,
		 const struct vbe_plat *plat)
{
	if (dev == NULL || view == NULL || plat == NULL ||
	    (view->route_count > 0U && view->routes == NULL)) {
		return -EINVAL;
	}
	for (uint16_t i = 0; i < view->route_count; i++) {
		const struct vbe_i2c_route *r = &view->routes[i];
		bool ten = (r->flags & VBE_I2C_ROUTE_10BIT) != 0U;
		uint16_t max = ten ? VBE_I2C_ADDR10_MAX : VBE_I2C_ADDR7_MAX;

		if (r->guest_addr > max || r->bus_addr > max) {
			return -EINVAL;
		}
		for (uint16_t j = 0; j < i; j++) {
			const struct vbe_i2c_route *o = &view->routes[j];

			if (o->guest_addr == r->guest_addr &&
			    ((o->flags & VBE_I2C_ROUTE_10BIT) != 0U) == ten) {
				return -EINVAL;
			}
		}
	}
	memset(dev, 0, sizeof(*dev));
	dev->view = view;
	dev->plat = plat;
	return 0;
}

/* Run messages [0, k) on the bus: one platform transfer per run of one bus address. */
static void i2c_run(struct vbe_i2c_dev *dev, struct vbe_i2c_msg *msgs, struct vbe_i2c_info *info,
		    uint8_t k)
{
	uint8_t start = 0;

	while (start < k) {
		const struct vbe_i2c_route *r = info[start].route;
		uint8_t ten = r->flags & VBE_I2C_ROUTE_10BIT;
		uint8_t end = start + 1U;
		int rc;

		while (end < k && info[end].route->bus_addr == r->bus_addr &&
		       (info[end].route->flags & VBE_I2C_ROUTE_10BIT) == ten) {
			end++;
		}
		for (uint8_t m = start; m < end; m++) {
			uint8_t f = msgs[m].flags & VBE_I2C_MSG_READ;

			f |= (m > start) ? VBE_I2C_MSG_RESTART : 0U;
			f |= (m + 1U == end) ? VBE_I2C_MSG_STOP : 0U;
			f |= (ten != 0U) ? VBE_I2C_MSG_ADDR_10_BITS : 0U;
			msgs[m].flags = f;
		}
		dev->transactions++;
		rc = vbe_plat_i2c_transfer(dev->plat, dev->view->bus, &msgs[start],
					   (uint8_t)(end - start), r->bus_addr);
		if (rc != 0) {
			/* the API cannot say which message failed: the whole run did */
			VBE_LOG(VBE_LOG_DBG, "i2c: bus %u addr 0x%x: transfer failed (%d)",
				dev->view->bus, r->bus_addr, rc);
			for (uint8_t m = start; m < k; m++) {
				info[m].err = (m < end) ? VBE_I2C_ERR_BUS : VBE_I2C_ERR_SKIPPED;
			}
			return;
		}
		for (uint8_t m = start; m < end; m++) {
			if (info[m].bounced && (msgs[m].flags & VBE_I2C_MSG_READ) != 0U &&
			    vbe_vq_req_write(&dev->group[m], 0, msgs[m].buf, msgs[m].len) !=
				    msgs[m].len) {
				info[m].err = VBE_I2C_ERR_LAYOUT;
			}
		}
		start = end;
	}
}

/* Write the status into in_hdr and hand the chain back. */
static int i2c_complete(struct vbe_i2c_dev *dev, const struct vbe_vq_req *req,
			enum vbe_i2c_error err)
{
	uint8_t status = (err == VBE_I2C_ERR_NONE) ? VBE_I2C_MSG_OK : VBE_I2C_MSG_ERR;
	uint32_t written = 0;

	/* in_hdr is the last device-writable byte; without one there is no status to give */
	if (req->wr_len > 0U &&
	    vbe_vq_req_write(req, req->wr_len - 1U, &status, sizeof(status)) == sizeof(status)) {
		written = req->wr_len;
	}
	dev->requests++;
	if (err != VBE_I2C_ERR_NONE) {
		dev->errors[err]++;
	}
	return vbe_vq_push(dev->vq, req, written);
}

/* Give up held chains [first, group_len) (the queue broke or resets): none is pushed. */
static void i2c_drop_from(struct vbe_i2c_dev *dev, uint8_t first)
{
	for (uint8_t i = first; dev->vq != NULL && i < dev->group_len; i++) {
		vbe_vq_drop(dev->vq, &dev->group[i]);
	}
	dev->group_len = 0;
}

/*
 * Remember why group request @p i failed (struct vbe_i2c_diag): the wire status says only
 * ERR. @p msgs and @p info are NULL for a group too long to check.
 */
static void i2c_diag(struct vbe_i2c_dev *dev, uint8_t i, const struct vbe_i2c_msg *msgs,
		     const struct vbe_i2c_info *info, enum vbe_i2c_error err)
{
	struct vbe_i2c_diag *d = &dev->diag[dev->diag_seq % VBE_I2C_DIAG_LEN];
	const struct vbe_i2c_route *route = NULL;
	uint16_t addr;
	bool ten;

	dev->diag_seq++;
	memset(d, 0, sizeof(*d));
	d->seq = dev->diag_seq;
	d->head = dev->group[i].head;
	d->reason = (uint8_t)err;
	d->index = i;
	d->count = (info != NULL) ? dev->group_len : 0U;
	d->addr = dev->group_addr[i];
	if (vbe_i2c_decode_addr(dev->group_addr[i], &addr, &ten) == 0) {
		d->addr = addr;
		d->flags = ten ? VBE_I2C_DIAG_10BIT : 0U;
		route = vbe_i2c_find_route(dev->view, addr, ten);
	}
	d->bus_addr = (route != NULL) ? route->bus_addr : 0xffffU;
	if ((dev->group_flags[i] & VBE_I2C_FLAGS_M_RD) != 0U) {
		d->flags |= VBE_I2C_DIAG_READ;
	}
	d->len = (msgs != NULL) ? msgs[i].len : 0U;
}

int vbe_i2c_diag_get(const struct vbe_i2c_dev *dev, uint32_t seq, struct vbe_i2c_diag *out)
{
	if (dev == NULL || out == NULL) {
		return -EINVAL;
	}
	if (seq == 0U) {
		seq = dev->diag_seq;
	}
	if (seq == 0U || seq > dev->diag_seq || dev->diag_seq - seq >= VBE_I2C_DIAG_LEN) {
		return -ENOENT;
	}
	*out = dev->diag[(seq - 1U) % VBE_I2C_DIAG_LEN];
	return 0;
}

/*
 * Complete every held chain: with one error class (@p info NULL) or each its own verdict.
 * With @p diag, the first failed request of the group is remembered (i2c_diag()).
 */
static int i2c_complete_group(struct vbe_i2c_dev *dev, const struct vbe_i2c_msg *msgs,
			      const struct vbe_i2c_info *info, enum vbe_i2c_error err, bool diag)
{
	for (uint8_t i = 0; i < dev->group_len; i++) {
		enum vbe_i2c_error e = (info != NULL) ? (enum vbe_i2c_error)info[i].err : err;
		int rc;

		if (e != VBE_I2C_ERR_NONE && diag) {
			i2c_diag(dev, i, msgs, info, e);
			diag = false;
		}
		rc = i2c_complete(dev, &dev->group[i], e);
		if (rc != 0) {
			i2c_drop_from(dev, i + 1U); /* the push took chain i; the rest are void */
			return rc;
		}
		if (e != VBE_I2C_ERR_NONE) {
			VBE_LOG(VBE_LOG_DBG, "i2c: request %u/%u: %s", i + 1U, dev->group_len,
				vbe_i2c_error_str(e));
		}
	}
	dev->group_len = 0;
	return 0;
}

static int i2c_execute(struct vbe_i2c_dev *dev)
{
	struct vbe_i2c_msg msgs[VBE_I2C_GROUP_MAX];
	struct vbe_i2c_info info[VBE_I2C_GROUP_MAX];
	uint8_t k = vbe_i2c_check_group(dev, msgs, info);

	i2c_run(dev, msgs, info, k);
	return i2c_complete_group(dev, msgs, info, VBE_I2C_ERR_NONE, true);
}

/* Copy a fresh chain's out_hdr out of guest memory: the only read of it. */
static void i2c_take(struct vbe_i2c_dev *dev, uint8_t i)
{
	uint8_t hdr[VBE_I2C_WIRE_OUT_HDR_SIZE];

	if (vbe_vq_req_read(&dev->group[i], 0, hdr, sizeof(hdr)) != sizeof(hdr)) {
		dev->group_addr[i] = 0;
		dev->group_flags[i] = VBE_I2C_HDR_BAD; /* no FAIL_NEXT: it ends the group */
		return;
	}
	dev->group_addr[i] = vbe_get_le16(&hdr[VBE_I2C_WIRE_OUT_ADDR]);
	/* reserved bits are ignored: the device must not act on them (5.19.6.1) */
	dev->group_flags[i] = vbe_get_le32(&hdr[VBE_I2C_WIRE_OUT_FLAGS]) & VBE_I2C_WIRE_FLAGS_KNOWN;
}

/* Forget the held group (queue broken, reset, start): its chains are dropped, not pushed. */
static void i2c_forget(struct vbe_i2c_dev *dev)
{
	i2c_drop_from(dev, 0);
	dev->group_overflow = false;
}

static void i2c_service(void *be)
{
	struct vbe_i2c_dev *dev = be;

	if (dev == NULL || dev->vq == NULL) {
		return;
	}
	for (;;) {
		struct vbe_vq_req *req = &dev->group[dev->group_len];
		bool fail_next;
		int rc = vbe_vq_pop(dev->vq, req);

		if (rc == -EAGAIN) {
			return; /* a partial group stays held until its last chain arrives */
		}
		if (rc == -E2BIG) {
			/* too many segments to parse: no header, no status, written 0 */
			req->n_rd = 0;
			req->n_wr = 0;
			req->rd_len = 0;
			req->wr_len = 0;
		} else if (rc != 0) {
			/* the queue is broken (NEEDS_RESET): held chains are void */
			i2c_forget(dev);
			return;
		}
		i2c_take(dev, dev->group_len);
		fail_next = (dev->group_flags[dev->group_len] & VBE_I2C_FLAGS_FAIL_NEXT) != 0U;
		dev->group_len++;
		rc = 0;
		if (dev->group_overflow || (fail_next && dev->group_len == VBE_I2C_GROUP_MAX)) {
			/* longer than we can hold: the whole group fails, chain by chain */
			bool first = !dev->group_overflow;

			dev->group_overflow = fail_next;
			rc = i2c_complete_group(dev, NULL, NULL, VBE_I2C_ERR_GROUP, first);
		} else if (!fail_next) {
			rc = i2c_execute(dev);
		}
		if (rc != 0) {
			i2c_forget(dev);
			return;
		}
	}
}

static void i2c_reset(void *be)
{
	struct vbe_i2c_dev *dev = be;

	if (dev == NULL) {
		return;
	}
	i2c_forget(dev);
	dev->vq = NULL;
	dev->features = 0;
}

static int i2c_start(void *be, struct vbe_vq *vqs, uint64_t features)
{
	struct vbe_i2c_dev *dev = be;

	if (dev == NULL || vqs == NULL || vqs[0].size == 0U) {
		return -EINVAL;
	}
	i2c_forget(dev);
	dev->vq = &vqs[0];
	dev->features = features;
	return 0;
}

const struct vbe_dev_ops vbe_i2c_dev_ops = {
	.device_id = VBE_VIRTIO_ID_I2C,
	.features = 1ULL << VBE_I2C_F_ZERO_LENGTH_REQUEST,
	/* a mandatory feature since virtio 1.2 (5.19.3): a driver without it is refused */
	.required_features = 1ULL << VBE_I2C_F_ZERO_LENGTH_REQUEST,
	.num_queues = 1,
	.queue_size_max = I2C_QUEUE_SIZE_MAX,
	.config_size = 0,
	.get_config = NULL,
	.reset = i2c_reset,
	.start = i2c_start,
	.service = i2c_service,
};
