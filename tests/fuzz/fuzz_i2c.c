/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: virtio-i2c request chains. Each guest of the demo system with an I2C view has
 * a virtio-i2c device (vbe_i2c_dev_ops) on a well-formed ring over the simulated bus (EEPROM,
 * LM75). The input is a stream of requests with a fuzzed out_hdr (any address encoding,
 * 7- or 10-bit, any flags: FAIL_NEXT groups, M_RD, reserved bits), fuzzed buffer sizes and
 * chain shapes (header or data split over descriptors, a readable buffer on a read, no
 * status byte, an indirect table), posted in batches and served; device resets between.
 *
 * Besides the sanitizers, the wire is checked: every chain comes back once, in order, with
 * its whole writable length or nothing; the status byte is OK or ERR; after a request of a
 * FAIL_NEXT group fails, the rest of that group fails too; when the queue is idle, only an
 * open group (its last request still carrying FAIL_NEXT) may be held.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/dev.h>
#include <vbe/i2c.h>
#include <vbe/shmem.h>
#include <vbe/sim.h>
#include <vbe/virtio.h>

#include "common/drv.h"
#include "common/fuzz.h"

#define QSIZE 64
#define DATA_SIZE (64U * 1024U)
#define MAX_DEVS 2

struct chain_info {
	uint32_t wr_len;
	uint32_t status_off; /* the last writable byte, in the data region */
	bool ends_group;     /* the device can read its header and FAIL_NEXT is clear */
};

struct dev {
	struct vbe_i2c_dev i2c;
	struct vbe_vq vq;
	struct fz_ring ring;
	struct fz_mem mem;
	uint8_t *ring_mem;
	struct chain_info info[QSIZE];
	uint16_t open_tail;  /* chains posted since the last one that ends a group */
	bool group_failed;   /* a request of the group being completed failed */
	bool live;
};

static struct vbe_sim sim;
static struct vbe_sim sim0;
static struct dev devs[MAX_DEVS];
static uint8_t n_devs;
static uint64_t features;

static void dev_start(struct dev *d)
{
	fz_mem_reset(&d->mem);
	if (fz_ring_init(&d->ring, d->ring_mem, QSIZE, &d->vq, &d->mem, features) != 0) {
		fz_fail(__FILE__, __LINE__, "ring set-up refused");
	}
	d->open_tail = 0U;
	d->group_failed = false;
	d->live = vbe_i2c_dev_ops.start(&d->i2c, &d->vq, features) == 0;
	FZ_CHECK(d->live, "start refused");
}

static void collect(struct dev *d)
{
	uint16_t head;
	uint32_t len;

	while (fz_ring_used(&d->ring, &head, &len)) {
		const struct chain_info *c = &d->info[head];
		bool failed = true;

		FZ_CHECK(len == 0U || len == c->wr_len, "used length neither 0 nor the writable size");
		if (len > 0U) {
			uint8_t status = d->mem.data[c->status_off];

			FZ_CHECK(status == VBE_I2C_MSG_OK || status == VBE_I2C_MSG_ERR,
				 "status byte neither OK nor ERR");
			failed = status != VBE_I2C_MSG_OK;
			FZ_CHECK(!d->group_failed || failed,
				 "a request after a failed one of its group succeeded");
		}
		d->group_failed = (d->group_failed || failed) && !c->ends_group;
	}
	if (d->ring.inflight == 0U) {
		fz_mem_reset(&d->mem);
	}
}

static void serve(struct dev *d)
{
	/* the budget may stop a pass: serve until the device says nothing is left */
	for (unsigned int pass = 0U; pass < 8U; pass++) {
		if ((vbe_dev_service(&vbe_i2c_dev_ops, &d->i2c, &d->vq) & VBE_DEV_SERVICE_MORE) ==
		    0U) {
			break;
		}
	}
	collect(d);
	if (!d->vq.broken) {
		FZ_CHECK(d->ring.inflight <= d->open_tail,
			 "idle with chains held that are not an open FAIL_NEXT group");
	}
}

/* Buffers of one request, as the input shapes them. */
static bool post_request(struct dev *d, struct fz_in *in)
{
	uint16_t addr = fz_u16(in);
	uint32_t flags = fz_u8(in);
	uint8_t shape = fz_u8(in);
	uint32_t wlen = fz_u8(in) % 48U;
	uint32_t rlen = fz_u8(in) % 48U;
	struct fz_buf b[8];
	unsigned int n = 0U;
	uint8_t hdr[8];
	uint32_t off;
	uint8_t *p;
	int head;

	flags |= (shape & 0x80U) != 0U ? ((uint32_t)fz_u8(in) << 8) : 0U; /* reserved bits */
	vbe_put_le16(hdr, addr);
	vbe_put_le16(hdr + 2, 0U);
	vbe_put_le32(hdr + 4, flags);
	/* out_hdr: 8 bytes, or cut short, or split in two descriptors */
	p = fz_mem_alloc(&d->mem, 8U, &off);
	if (p == NULL) {
		return false;
	}
	memcpy(p, hdr, 8U);
	if ((shape & 3U) == 1U) {
		b[n++] = (struct fz_buf){ .off = off, .len = 3U };
		b[n++] = (struct fz_buf){ .off = off + 3U, .len = 5U };
	} else if ((shape & 3U) == 2U) {
		b[n++] = (struct fz_buf){ .off = off, .len = shape & 0x7U }; /* short header */
	} else {
		b[n++] = (struct fz_buf){ .off = off, .len = 8U };
	}
	/* write data (readable), split in two when asked */
	if (wlen > 0U) {
		p = fz_mem_alloc(&d->mem, wlen, &off);
		if (p == NULL) {
			return false;
		}
		fz_bytes(in, p, wlen);
		if ((shape & 4U) != 0U && wlen > 1U) {
			b[n++] = (struct fz_buf){ .off = off, .len = 1U };
			b[n++] = (struct fz_buf){ .off = off + 1U, .len = wlen - 1U };
		} else {
			b[n++] = (struct fz_buf){ .off = off, .len = wlen };
		}
	}
	/* read buffer (writable), split when asked, then the 1-byte in_hdr unless dropped */
	if (rlen > 0U) {
		if (fz_mem_alloc(&d->mem, rlen, &off) == NULL) {
			return false;
		}
		if ((shape & 8U) != 0U && rlen > 1U) {
			b[n++] = (struct fz_buf){ .off = off, .len = rlen / 2U, .write = true };
			b[n++] = (struct fz_buf){ .off = off + rlen / 2U, .len = rlen - rlen / 2U,
						  .write = true };
		} else {
			b[n++] = (struct fz_buf){ .off = off, .len = rlen, .write = true };
		}
	}
	if ((shape & 0x10U) == 0U) {
		if (fz_mem_alloc(&d->mem, 1U, &off) == NULL) {
			return false;
		}
		d->mem.data[off] = 0xee;
		b[n++] = (struct fz_buf){ .off = off, .len = 1U, .write = true };
	}
	if (n == 0U) {
		return false;
	}
	head = fz_ring_add(&d->ring, &d->mem, b, n,
			   (shape & 0x20U) != 0U &&
				   (features & (1ULL << VBE_VIRTIO_F_INDIRECT_DESC)) != 0U);
	if (head < 0) {
		return false;
	}
	d->info[head].wr_len = 0U;
	for (unsigned int i = 0U; i < n; i++) {
		if (b[i].write) {
			d->info[head].wr_len += b[i].len;
			d->info[head].status_off = b[i].off + b[i].len - 1U;
		}
	}
	/* the device reads out_hdr as the first 8 readable bytes, whatever buffers hold them */
	{
		uint8_t first[8];
		uint32_t got = 0U;

		for (unsigned int i = 0U; i < n && !b[i].write && got < 8U; i++) {
			uint32_t k = b[i].len < 8U - got ? b[i].len : 8U - got;

			memcpy(first + got, d->mem.data + b[i].off, k);
			got += k;
		}
		d->info[head].ends_group = got < 8U || (vbe_get_le32(first + 4) &
							 VBE_I2C_FLAGS_FAIL_NEXT) == 0U;
	}
	d->open_tail = d->info[head].ends_group ? 0U : (uint16_t)(d->open_tail + 1U);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct vbe_sys_cfg *cfg = &vbe_sys_description;
	struct fz_in in = { .p = data, .n = size };
	uint8_t fbits = fz_u8(&in);

	features = (1ULL << VBE_VIRTIO_F_VERSION_1) |
		   ((fbits & 1U) ? 0U : (1ULL << VBE_I2C_F_ZERO_LENGTH_REQUEST)) |
		   ((fbits & 2U) ? (1ULL << VBE_VIRTIO_F_EVENT_IDX) : 0U) |
		   ((fbits & 4U) ? 0U : (1ULL << VBE_VIRTIO_F_INDIRECT_DESC));
	if (devs[0].ring_mem == NULL) {
		for (unsigned int i = 0U; i < MAX_DEVS; i++) {
			devs[i].ring_mem = fz_guarded(fz_ring_bytes(QSIZE));
			fz_mem_init(&devs[i].mem, fz_guarded(DATA_SIZE), DATA_SIZE);
		}
	}
	if (sim0.plat.ops == NULL && vbe_sim_populate(&sim0, cfg) != 0) {
		fz_fail(__FILE__, __LINE__, "the demo system does not set up");
	}
	sim = sim0; /* the platform as set up, without redoing it */
	sim.plat.ctx = &sim;
	n_devs = 0U;
	for (uint8_t g = 0U; g < cfg->guest_count && n_devs < MAX_DEVS; g++) {
		struct dev *d = &devs[n_devs];

		if (cfg->guests[g].i2c == NULL) {
			continue;
		}
		memset(&d->vq, 0, sizeof(d->vq));
		FZ_CHECK(vbe_i2c_init(&d->i2c, cfg->guests[g].i2c, &sim.plat) == 0, "i2c init");
		dev_start(d);
		n_devs++;
	}
	if (n_devs == 0U) {
		return 0;
	}
	while (fz_more(&in)) {
		uint8_t op = fz_u8(&in);
		struct dev *d = &devs[(op >> 4) % n_devs];

		switch (op & 0x3U) {
		case 0:
			if (!post_request(d, &in)) {
				serve(d);
			}
			break;
		case 1:
			serve(d);
			break;
		case 2:
			vbe_i2c_dev_ops.reset(&d->i2c);
			dev_start(d);
			break;
		default:
			(void)vbe_sim_lm75_set_temp(&sim, 0U, 0x48U, (int32_t)fz_u32(&in) % 200000);
			break;
		}
	}
	serve(&devs[0]);
	return 0;
}
