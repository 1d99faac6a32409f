/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-i2c internals shared by i2c.c (queue side) and i2c_check.c (request checks).
 *
 * Wire layout (virtio 1.2, 5.19.6.1): a request is one descriptor chain,
 *   device-readable:  struct virtio_i2c_out_hdr (8 bytes), then the write buffer
 *   device-writable:  the read buffer, then struct virtio_i2c_in_hdr (1 byte)
 * Either buffer is absent for a zero-length request, and only one of them is present
 * otherwise (VIRTIO_I2C_FLAGS_M_RD says which). The backend parses by byte offsets, never
 * by segment count: a driver may split any part over several descriptors.
 */

#ifndef VBE_I2C_SRC_I2C_INTERNAL_H
#define VBE_I2C_SRC_I2C_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <vbe/i2c.h>
#include <vbe/plat.h>

/* struct virtio_i2c_out_hdr: le16 addr, le16 padding, le32 flags */
#define VBE_I2C_WIRE_OUT_HDR_SIZE 8
#define VBE_I2C_WIRE_OUT_ADDR 0
#define VBE_I2C_WIRE_OUT_FLAGS 4

/* struct virtio_i2c_in_hdr: u8 status, the last device-writable byte */
#define VBE_I2C_WIRE_IN_HDR_SIZE 1

/* The flags bits the device acts on; the spec reserves the others (5.19.6.1). */
#define VBE_I2C_WIRE_FLAGS_KNOWN (VBE_I2C_FLAGS_FAIL_NEXT | VBE_I2C_FLAGS_M_RD)

/* group_flags bit of a chain whose out_hdr could not be read: never a wire bit (masked). */
#define VBE_I2C_HDR_BAD 0x80000000U

/* 7-bit addresses are 0..0x7f, 10-bit ones 0..0x3ff */
#define VBE_I2C_ADDR7_MAX 0x7f
#define VBE_I2C_ADDR10_MAX 0x3ff

/** One request of the group being executed, next to its struct vbe_i2c_msg. */
struct vbe_i2c_info {
	const struct vbe_i2c_route *route; /* set once the view lookup succeeded */
	uint16_t addr;                     /* guest address, decoded */
	bool ten_bit;
	bool bounced;   /* the buffer is in dev->bounce: read data must be scattered back */
	uint8_t own;    /* enum vbe_i2c_error of every check but the read-only rule */
	uint8_t err;    /* enum vbe_i2c_error: the verdict, the status sent back */
};

/** @brief The route of @p view for guest address @p addr, NULL when it has none. */
const struct vbe_i2c_route *vbe_i2c_find_route(const struct vbe_i2c_view *view, uint16_t addr,
					       bool ten_bit);

/**
 * @brief Check the held group in order and prepare its messages (i2c_check.c).
 *
 * Fills @p msgs (direction, length, buffer: zero copy or bounce) and @p info (route,
 * verdict) for dev->group[0 .. dev->group_len). Requests after the first invalid one get
 * VBE_I2C_ERR_SKIPPED.
 *
 * @return k, the index of the first invalid request, or dev->group_len when all are valid.
 */
uint8_t vbe_i2c_check_group(struct vbe_i2c_dev *dev, struct vbe_i2c_msg *msgs,
			    struct vbe_i2c_info *info);

#endif /* VBE_I2C_SRC_I2C_INTERNAL_H */
