/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_i2c request checks: address encoding, the guest's view, request shape, the
 * read-only rule, buffers (zero copy or bounce). Nothing here touches the queue or the bus.
 * Each check cites the virtio 1.2 section it comes from; see docs/i2c.md for the table.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/i2c.h>
#include <vbe/plat.h>
#include <vbe/vq.h>

#include "i2c_internal.h"

#define I2C_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const i2c_error_names[] = {
	[VBE_I2C_ERR_NONE] = "none",
	[VBE_I2C_ERR_LAYOUT] = "layout",
	[VBE_I2C_ERR_ADDR] = "address",
	[VBE_I2C_ERR_DENIED] = "denied",
	[VBE_I2C_ERR_READ_ONLY] = "read-only",
	[VBE_I2C_ERR_ZERO_LEN] = "zero-length",
	[VBE_I2C_ERR_GROUP] = "group too long",
	[VBE_I2C_ERR_BUS] = "bus",
	[VBE_I2C_ERR_SKIPPED] = "skipped",
};

_Static_assert(I2C_ARRAY_SIZE(i2c_error_names) == VBE_I2C_ERR_COUNT,
	       "one name per enum vbe_i2c_error");
_Static_assert(VBE_I2C_GROUP_MAX >= 1 && VBE_I2C_GROUP_MAX <= 255,
	       "group index and platform message count are 8-bit");

const char *vbe_i2c_error_str(enum vbe_i2c_error err)
{
	if ((unsigned int)err >= I2C_ARRAY_SIZE(i2c_error_names) ||
	    i2c_error_names[err] == NULL) {
		return "unknown";
	}
	return i2c_error_names[err];
}

int vbe_i2c_decode_addr(uint16_t wire, uint16_t *addr, bool *ten_bit)
{
	if (addr == NULL || ten_bit == NULL) {
		return -EINVAL;
	}
	/* 10-bit: bits 7:0 are 1 1 1 1 0 A9 A8 0, A7..A0 in bits 15:8 (5.19.6.1) */
	if ((wire & 0xf9U) == 0xf0U) {
		*addr = (uint16_t)((((wire >> 1) & 0x3U) << 8) | (wire >> 8));
		*ten_bit = true;
		return 0;
	}
	/* 7-bit: A6..A0 in bits 7:1, bit 0 and bits 15:8 zero */
	if ((wire & 0xff01U) != 0U) {
		return -EINVAL;
	}
	*addr = (uint16_t)(wire >> 1);
	*ten_bit = false;
	return 0;
}

const struct vbe_i2c_route *vbe_i2c_find_route(const struct vbe_i2c_view *view, uint16_t addr,
					       bool ten_bit)
{
	for (uint16_t i = 0; i < view->route_count; i++) {
		const struct vbe_i2c_route *r = &view->routes[i];

		if (r->guest_addr == addr && ((r->flags & VBE_I2C_ROUTE_10BIT) != 0U) == ten_bit) {
			return r;
		}
	}
	return NULL;
}

/* Host pointer to [off, off + len) of one side of a request if one segment holds it all. */
static uint8_t *i2c_span(const struct vbe_vq_req *req, bool writable, uint32_t off, uint32_t len)
{
	unsigned int first = writable ? req->n_rd : 0U;
	unsigned int end = first + (writable ? req->n_wr : req->n_rd);

	for (unsigned int s = first; s < end && s < VBE_VQ_MAX_SEGS; s++) {
		const struct vbe_vq_seg *seg = &req->seg[s];

		if (off < seg->len) {
			return (len <= seg->len - off) ? seg->ptr + off : NULL;
		}
		off -= seg->len;
	}
	return NULL;
}

/* Shape (5.19.6.1), address encoding (5.19.6.1) and the guest's view, in that order. */
static enum vbe_i2c_error i2c_parse(const struct vbe_i2c_dev *dev, uint8_t i,
				    struct vbe_i2c_msg *msg, struct vbe_i2c_info *info)
{
	const struct vbe_vq_req *req = &dev->group[i];
	uint32_t flags = dev->group_flags[i];

	if ((flags & VBE_I2C_HDR_BAD) != 0U || req->rd_len < VBE_I2C_WIRE_OUT_HDR_SIZE ||
	    req->wr_len < VBE_I2C_WIRE_IN_HDR_SIZE) {
		return VBE_I2C_ERR_LAYOUT;
	}
	if ((flags & VBE_I2C_FLAGS_M_RD) != 0U) {
		/* read: nothing readable after out_hdr, read buffer before in_hdr */
		if (req->rd_len != VBE_I2C_WIRE_OUT_HDR_SIZE) {
			return VBE_I2C_ERR_LAYOUT;
		}
		msg->flags = VBE_I2C_MSG_READ;
		msg->len = req->wr_len - VBE_I2C_WIRE_IN_HDR_SIZE;
	} else {
		/* write: write buffer after out_hdr, nothing writable but in_hdr */
		if (req->wr_len != VBE_I2C_WIRE_IN_HDR_SIZE) {
			return VBE_I2C_ERR_LAYOUT;
		}
		msg->flags = VBE_I2C_MSG_WRITE;
		msg->len = req->rd_len - VBE_I2C_WIRE_OUT_HDR_SIZE;
	}
	if (vbe_i2c_decode_addr(dev->group_addr[i], &info->addr, &info->ten_bit) != 0) {
		return VBE_I2C_ERR_ADDR;
	}
	info->route = vbe_i2c_find_route(dev->view, info->addr, info->ten_bit);
	if (info->route == NULL) {
		return VBE_I2C_ERR_DENIED;
	}
	return VBE_I2C_ERR_NONE;
}

/*
 * Point msg->buf at the data: in guest memory when one segment holds it (zero copy), else
 * in the bounce pool (write data gathered now, read data scattered after the transfer).
 */
static enum vbe_i2c_error i2c_buffer(struct vbe_i2c_dev *dev, uint8_t i, struct vbe_i2c_msg *msg,
				     struct vbe_i2c_info *info, uint32_t *used)
{
	const struct vbe_vq_req *req = &dev->group[i];
	bool rd = (msg->flags & VBE_I2C_MSG_READ) != 0U;

	if (msg->len == 0U) {
		msg->buf = dev->bounce; /* never dereferenced; not NULL for the platform's sake */
		return VBE_I2C_ERR_NONE;
	}
	msg->buf = i2c_span(req, rd, rd ? 0U : VBE_I2C_WIRE_OUT_HDR_SIZE, msg->len);
	if (msg->buf != NULL) {
		return VBE_I2C_ERR_NONE;
	}
	if (msg->len > VBE_I2C_BOUNCE_SIZE - *used) {
		return VBE_I2C_ERR_LAYOUT;
	}
	msg->buf = &dev->bounce[*used];
	if (!rd && vbe_vq_req_read(req, VBE_I2C_WIRE_OUT_HDR_SIZE, msg->buf, msg->len) !=
			   msg->len) {
		return VBE_I2C_ERR_LAYOUT;
	}
	*used += msg->len;
	info->bounced = true;
	return VBE_I2C_ERR_NONE;
}

/*
 * A write to a read-only route passes only as a register select: 1..route->select_max
 * bytes, followed in the same group by a read of the same guest address that passes its
 * own checks, so the select never reaches the bus without the read it is for.
 */
static bool i2c_ro_select(const struct vbe_i2c_msg *msgs, const struct vbe_i2c_info *info,
			  uint8_t i, uint8_t n)
{
	if (msgs[i].len == 0U || msgs[i].len > info[i].route->select_max || i + 1U >= n) {
		return false;
	}
	return info[i + 1].own == VBE_I2C_ERR_NONE &&
	       (msgs[i + 1].flags & VBE_I2C_MSG_READ) != 0U && info[i + 1].addr == info[i].addr &&
	       info[i + 1].ten_bit == info[i].ten_bit;
}

uint8_t vbe_i2c_check_group(struct vbe_i2c_dev *dev, struct vbe_i2c_msg *msgs,
			    struct vbe_i2c_info *info)
{
	uint8_t n = dev->group_len;
	bool zero_ok = (dev->features & (1ULL << VBE_I2C_F_ZERO_LENGTH_REQUEST)) != 0U;
	uint32_t used = 0;
	uint8_t k = n;

	for (uint8_t i = 0; i < n; i++) {
		enum vbe_i2c_error own;

		memset(&info[i], 0, sizeof(info[i]));
		memset(&msgs[i], 0, sizeof(msgs[i]));
		own = i2c_parse(dev, i, &msgs[i], &info[i]);
		if (own == VBE_I2C_ERR_NONE && msgs[i].len == 0U && !zero_ok) {
			own = VBE_I2C_ERR_ZERO_LEN; /* 5.19.3: only with the feature */
		}
		if (own == VBE_I2C_ERR_NONE) {
			own = i2c_buffer(dev, i, &msgs[i], &info[i], &used);
		}
		info[i].own = (uint8_t)own;
	}
	for (uint8_t i = 0; i < n; i++) {
		uint8_t err = info[i].own;

		/* the read-only rule ranks after the view lookup, before zero-length and bounce */
		if (info[i].route != NULL && (info[i].route->flags & VBE_I2C_ROUTE_RO) != 0U &&
		    (msgs[i].flags & VBE_I2C_MSG_READ) == 0U && !i2c_ro_select(msgs, info, i, n)) {
			err = VBE_I2C_ERR_READ_ONLY;
		}
		/* after the first failure nothing runs (FAIL_NEXT, 5.19.6.2) */
		info[i].err = (k < i) ? (uint8_t)VBE_I2C_ERR_SKIPPED : err;
		if (k == n && err != VBE_I2C_ERR_NONE) {
			k = i;
		}
	}
	return k;
}

