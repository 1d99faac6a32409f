/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_i2c: the virtio-i2c device (virtio 1.2, 5.19), with a per-guest view of one bus.
 *
 * Requests come from the ring as segments (vbe/vq.h); the backend parses them, applies
 * the guest's policy (allowed addresses, remap, read-only) and runs each FAIL_NEXT group
 * as one bus transaction through the platform (vbe/plat.h). See docs/i2c.md.
 */

#ifndef VBE_I2C_H
#define VBE_I2C_H

#include <stdbool.h>
#include <stdint.h>

#include <vbe/dev.h>
#include <vbe/plat.h>
#include <vbe/vq.h>

/* Wire constants (virtio 1.2, 5.19.3 and 5.19.6) */
#define VBE_I2C_F_ZERO_LENGTH_REQUEST 0
#define VBE_I2C_FLAGS_FAIL_NEXT 0x1
#define VBE_I2C_FLAGS_M_RD 0x2
#define VBE_I2C_MSG_OK 0
#define VBE_I2C_MSG_ERR 1

/** Longest FAIL_NEXT group executed as one transaction; longer groups fail whole. */
#ifndef VBE_I2C_GROUP_MAX
#define VBE_I2C_GROUP_MAX 16
#endif

/** Bytes of bounce buffer per device, for message buffers split over several segments. */
#ifndef VBE_I2C_BOUNCE_SIZE
#define VBE_I2C_BOUNCE_SIZE 512
#endif

/* vbe_i2c_route.flags */
#define VBE_I2C_ROUTE_RO 0x1     /* guest may read; a write only as a register select */
#define VBE_I2C_ROUTE_10BIT 0x2  /* guest_addr and bus_addr are 10-bit addresses */


/** One address a guest may use: what it calls it, what the bus calls it. */
struct vbe_i2c_route {
	uint16_t guest_addr;
	uint16_t bus_addr;
	uint8_t flags; /* VBE_I2C_ROUTE_* */
	/*
	 * Read-only routes: longest write accepted as a register select directly followed by a
	 * read (the target's address width: 1 for a 256-byte EEPROM, 2 for larger ones); 0 = no
	 * write at all. A wider value would let the extra bytes through as data writes.
	 */
	uint8_t select_max;
};

/** A guest's view of one platform bus. Generated from the system description. */
struct vbe_i2c_view {
	uint8_t bus;                       /* platform bus number */
	const struct vbe_i2c_route *routes;
	uint16_t route_count;
};

/** Why a request failed: one counter each, in struct vbe_i2c_dev.errors. */
enum vbe_i2c_error {
	VBE_I2C_ERR_NONE = 0,
	VBE_I2C_ERR_LAYOUT = 1,     /* chain is not out_hdr [buf] in_hdr */
	VBE_I2C_ERR_ADDR = 2,       /* address encoding invalid */
	VBE_I2C_ERR_DENIED = 3,     /* address not in the guest's view */
	VBE_I2C_ERR_READ_ONLY = 4,  /* write to a read-only route */
	VBE_I2C_ERR_ZERO_LEN = 5,   /* zero-length request without the feature */
	VBE_I2C_ERR_GROUP = 6,      /* FAIL_NEXT group longer than VBE_I2C_GROUP_MAX */
	VBE_I2C_ERR_BUS = 7,        /* the platform transfer failed (NACK, bus error) */
	VBE_I2C_ERR_SKIPPED = 8,    /* an earlier request of the group failed */
	VBE_I2C_ERR_COUNT,
};

/** Failed transfers remembered per device (struct vbe_i2c_diag, a ring). */
#ifndef VBE_I2C_DIAG_LEN
#define VBE_I2C_DIAG_LEN 8
#endif

/* vbe_i2c_diag.flags */
#define VBE_I2C_DIAG_10BIT 0x1 /* addr is a 10-bit address */
#define VBE_I2C_DIAG_READ 0x2  /* the request was a read */

/**
 * Why a transfer failed, for the harness: the wire says only VIRTIO_I2C_MSG_ERR. One entry
 * per failed FAIL_NEXT group, for its first failed request (what Linux's i2c_transfer()
 * reports: the later ones are SKIPPED, or failed in the same bus run or the same overlong
 * group).
 */
struct vbe_i2c_diag {
	uint32_t seq;      /* 1, 2, 3 ... since boot: failed groups */
	uint16_t head;     /* descriptor head of the request */
	uint16_t addr;     /* guest address as decoded; the raw out_hdr field for ADDR */
	uint16_t bus_addr; /* where its route leads; 0xffff: no route */
	uint8_t reason;    /* enum vbe_i2c_error */
	uint8_t flags;     /* VBE_I2C_DIAG_* */
	uint32_t len;      /* bytes to read or write (0 when the chain's shape was wrong) */
	uint8_t index;     /* its place in the group */
	uint8_t count;     /* requests in the group; 0: longer than VBE_I2C_GROUP_MAX */
};

/** Device state: one per guest that has a virtio-i2c device. */
struct vbe_i2c_dev {
	const struct vbe_i2c_view *view;
	const struct vbe_plat *plat;
	struct vbe_vq *vq;   /* requestq, set at start */
	uint64_t features;
	/* the FAIL_NEXT group being collected: chains taken, not yet completed */
	struct vbe_vq_req group[VBE_I2C_GROUP_MAX];
	/* each held chain's out_hdr, copied out of guest memory once, when it was popped */
	uint16_t group_addr[VBE_I2C_GROUP_MAX];
	uint32_t group_flags[VBE_I2C_GROUP_MAX];
	uint8_t group_len;
	bool group_overflow;
	/* gather/scatter space for message buffers that span several segments */
	uint8_t bounce[VBE_I2C_BOUNCE_SIZE];
	uint32_t requests;   /* requests completed since boot */
	uint32_t transactions; /* bus transactions started */
	uint32_t errors[VBE_I2C_ERR_COUNT];
	struct vbe_i2c_diag diag[VBE_I2C_DIAG_LEN]; /* diag[(seq - 1) % LEN] */
	uint32_t diag_seq;   /* the newest entry's seq; 0: no failure yet */
};

/** Transport ops for a virtio-i2c device; use with vbe_fvq_add_device(). */
extern const struct vbe_dev_ops vbe_i2c_dev_ops;

/**
 * @brief Bind a device to a guest's view and a platform.
 *
 * @retval 0 done.
 * @retval -EINVAL NULL argument, or a view whose routes repeat a guest address or hold an
 *         address out of range (7-bit > 0x7f, 10-bit > 0x3ff).
 */
int vbe_i2c_init(struct vbe_i2c_dev *dev, const struct vbe_i2c_view *view,
		 const struct vbe_plat *plat);

/**
 * @brief Decode an out_hdr address field (virtio 1.2, 5.19.6.1).
 *
 * 7-bit: bits 7:1, bit 0 and bits 15:8 zero. 10-bit: A7..A0 in bits 15:8 and
 * 0b11110 A9 A8 0 in bits 7:0.
 *
 * @param ten_bit set when the encoding is the 10-bit one.
 * @retval 0 decoded into @p addr.
 * @retval -EINVAL not a valid encoding.
 */
int vbe_i2c_decode_addr(uint16_t wire, uint16_t *addr, bool *ten_bit);

/**
 * @brief A failed transfer's diagnostic, by sequence number.
 *
 * @param seq 1..dev->diag_seq; 0 asks for the newest.
 * @retval 0 copied into @p out.
 * @retval -ENOENT no such entry: nothing failed yet, seq is in the future, or it was
 *         overwritten (the last VBE_I2C_DIAG_LEN are kept).
 * @retval -EINVAL NULL argument.
 */
int vbe_i2c_diag_get(const struct vbe_i2c_dev *dev, uint32_t seq, struct vbe_i2c_diag *out);

/** @brief Name of an error class, for logs. Never NULL. */
const char *vbe_i2c_error_str(enum vbe_i2c_error err);

#endif /* VBE_I2C_H */
