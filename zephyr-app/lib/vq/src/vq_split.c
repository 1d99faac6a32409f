/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Split virtqueue, device side (virtio 1.2, 2.7).
 *
 * The driver owns the descriptor table and the avail ring and may rewrite them at any time.
 * Every value read from them is loaded once (vbe_ld*), checked, and only then used. The
 * first violation latches the queue broken: nothing is read from or written to it again
 * until vbe_vq_init(). Our own used index is kept in vq->used_idx, never read back.
 */

#include <errno.h>
#include <string.h>

#include <vbe/port.h>
#include <vbe/shmem.h>
#include <vbe/virtio.h>
#include <vbe/vq.h>

#include "vring_split.h"

/*
 * Off the fast path (faults, memory mapped per use): out of line, so that pop and push keep
 * their short prologues when vbe_vq_mem.release is NULL (GCC and Clang).
 */
#define VQ_COLD __attribute__((noinline, cold))

static const char *const fault_names[] = {
	[VBE_VQ_FAULT_NONE] = "none",
	[VBE_VQ_FAULT_AVAIL_IDX] = "avail index moved past the ring size",
	[VBE_VQ_FAULT_HEAD_RANGE] = "chain head out of range",
	[VBE_VQ_FAULT_NEXT_RANGE] = "next index out of range",
	[VBE_VQ_FAULT_LOOP] = "descriptor loop",
	[VBE_VQ_FAULT_INDIRECT_FEATURE] = "indirect descriptor not negotiated",
	[VBE_VQ_FAULT_INDIRECT_NESTED] = "nested indirect table",
	[VBE_VQ_FAULT_INDIRECT_LEN] = "indirect table length invalid",
	[VBE_VQ_FAULT_INDIRECT_NEXT] = "indirect descriptor with NEXT",
	[VBE_VQ_FAULT_ADDR] = "buffer outside device memory",
	[VBE_VQ_FAULT_ORDER] = "readable descriptor after a writable one",
	[VBE_VQ_FAULT_LEN_OVERFLOW] = "chain length overflows 32 bits",
	[VBE_VQ_FAULT_USED_HEAD] = "completion without a chain in flight",
	[VBE_VQ_FAULT_INDIRECT_ALIGN] = "indirect table misaligned",
};

_Static_assert(sizeof(fault_names) / sizeof(fault_names[0]) == VBE_VQ_FAULT_COUNT,
	       "one name per fault class");

const char *vbe_vq_fault_str(enum vbe_vq_fault fault)
{
	if ((unsigned int)fault >= VBE_VQ_FAULT_COUNT) {
		return "unknown";
	}
	return fault_names[fault];
}

/*
 * Latch the queue broken: a broken queue is never walked again. The transport, which knows
 * the guest, device and queue, reports it once per latch; this is the debug trace.
 */
__attribute__((noinline, cold)) static int vq_fail(struct vbe_vq *vq, enum vbe_vq_fault fault,
						  int err)
{
	vq->broken = true;
	vq->fault = fault;
	vq->faults[fault]++;
	VBE_LOG(VBE_LOG_DBG, "vq: %s", vbe_vq_fault_str(fault));
	return err;
}

static bool is_pow2(uint32_t v)
{
	return v != 0U && (v & (v - 1U)) == 0U;
}

/* Common set-up; the used ring is left as it is (the callers decide its index). */
static int vq_setup(struct vbe_vq *vq, uint16_t size, void *desc, void *avail, void *used,
		    const struct vbe_vq_mem *mem, uint64_t features)
{
	if (vq == NULL || desc == NULL || avail == NULL || used == NULL || mem == NULL ||
	    mem->xlate == NULL) {
		return -EINVAL;
	}
	/* virtio 1.2, 2.7: Queue Size is a power of two, at most 32768 */
	if (!is_pow2(size) || size > VBE_VRING_SIZE_MAX) {
		return -EINVAL;
	}
	/* virtio 1.2, 2.7 table "Virtqueue Part Alignment": 16, 2, 4 */
	if (((uintptr_t)desc % VRING_DESC_ALIGN) != 0U ||
	    ((uintptr_t)avail % VRING_AVAIL_ALIGN) != 0U ||
	    ((uintptr_t)used % VRING_USED_ALIGN) != 0U) {
		return -EINVAL;
	}

	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	vq->mem = *mem;
	vq->size = size;
	vq->last_avail = 0U;
	vq->used_idx = 0U;
	vq->signalled_used = 0U;
	vq->signalled_valid = false;
	vq->inflight = 0U;
	vq->event_idx = (features & (1ULL << VBE_VIRTIO_F_EVENT_IDX)) != 0U;
	vq->indirect = (features & (1ULL << VBE_VIRTIO_F_INDIRECT_DESC)) != 0U;
	vq->broken = false;
	vq->fault = VBE_VQ_FAULT_NONE;
	vq->popped = 0U;
	vq->notifies = 0U;
	vq->budget = NULL;
	return 0;
}

void vbe_vq_stop(struct vbe_vq *vq)
{
	uint32_t faults[VBE_VQ_FAULT_COUNT];

	memcpy(faults, vq->faults, sizeof(faults));
	memset(vq, 0, sizeof(*vq));
	memcpy(vq->faults, faults, sizeof(faults));
}

int vbe_vq_init(struct vbe_vq *vq, uint16_t size, void *desc, void *avail, void *used,
		const struct vbe_vq_mem *mem, uint64_t features)
{
	int rc = vq_setup(vq, size, desc, avail, used, mem, features);

	if (rc != 0) {
		return rc;
	}
	/* The used ring is ours: start it clean whatever the driver left there. */
	vbe_st16(vring_used_flags(vq), 0U);
	vbe_st16(vring_used_idx(vq), 0U);
	vbe_st16(vring_avail_event(vq), 0U);
	return 0;
}

int vbe_vq_init_at(struct vbe_vq *vq, uint16_t size, void *desc, void *avail, void *used,
		   const struct vbe_vq_mem *mem, uint64_t features, uint16_t last_avail)
{
	int rc = vq_setup(vq, size, desc, avail, used, mem, features);

	if (rc != 0) {
		return rc;
	}
	/*
	 * Resuming a ring the driver already uses: the used index in memory is where we left
	 * off (any value is safe: entries are written at used_idx % size). Chains between it
	 * and last_avail were in flight when the ring stopped and are not ours any more.
	 */
	vq->last_avail = last_avail;
	vq->used_idx = vbe_ld16(vring_used_idx(vq));
	vq->signalled_used = vq->used_idx;
	vq->signalled_valid = true; /* nothing new since: no interrupt until we push */
	vbe_st16(vring_used_flags(vq), 0U);
	vbe_st16(vring_avail_event(vq), last_avail);
	return 0;
}

/*
 * Host pointer to [addr, addr + len) of device memory, or NULL: the flat range inline (no
 * call per descriptor), else the transport's callback. addr and len are at most 64 and 32
 * bits: compared without computing addr + len.
 */
static inline void *vq_xlate(const struct vbe_vq_mem *m, uint64_t addr, uint32_t len, bool write)
{
	if (m->flat != NULL) {
		if (addr < m->lo || addr > m->hi || (uint64_t)len > m->hi - addr) {
			return NULL;
		}
		return m->flat + addr;
	}
	return m->xlate(m->ctx, addr, len, write);
}

/* Walk state: the table being walked and what has been collected so far. */
struct walk {
	const uint8_t *table;
	uint32_t table_size;
	uint32_t steps;
	bool in_indirect;
	bool seen_write;
	bool truncated;
	uint64_t rd_len;
	uint64_t wr_len;
};

/* Release a request's segments (vbe_vq_mem.release, which the caller checked is set). */
static void vq_release_segs(const struct vbe_vq *vq, const struct vbe_vq_req *req)
{
	for (unsigned int s = 0U; s < (unsigned int)req->n_rd + req->n_wr; s++) {
		vq->mem.release(vq->mem.ctx, req->seg[s].ptr, req->seg[s].len);
	}
}

/* Enter an indirect table (virtio 1.2, 2.7.5.3). */
__attribute__((noinline)) static int walk_indirect(struct vbe_vq *vq, struct walk *w,
						    uint64_t addr, uint32_t len, uint16_t flags)
{
	void *table;

	if (!vq->indirect) {
		return vq_fail(vq, VBE_VQ_FAULT_INDIRECT_FEATURE, -EPROTO);
	}
	/* 2.7.5.3.1: the device MUST NOT follow an indirect descriptor inside a table */
	if (w->in_indirect) {
		return vq_fail(vq, VBE_VQ_FAULT_INDIRECT_NESTED, -EPROTO);
	}
	/* 2.7.5.3.1: the driver MUST NOT set both INDIRECT and NEXT */
	if ((flags & VBE_VRING_DESC_F_NEXT) != 0U) {
		return vq_fail(vq, VBE_VQ_FAULT_INDIRECT_NEXT, -EPROTO);
	}
	if (len == 0U || (len % VRING_DESC_SIZE) != 0U ||
	    len / VRING_DESC_SIZE > VBE_VRING_SIZE_MAX) {
		return vq_fail(vq, VBE_VQ_FAULT_INDIRECT_LEN, -EINVAL);
	}
	/* Descriptors are read as aligned words: a misaligned table is refused, not walked. */
	if ((addr % VRING_DESC_ALIGN) != 0U) {
		return vq_fail(vq, VBE_VQ_FAULT_INDIRECT_ALIGN, -EINVAL);
	}
	table = vq_xlate(&vq->mem, addr, len, false);
	if (table == NULL) {
		return vq_fail(vq, VBE_VQ_FAULT_ADDR, -EFAULT);
	}
	w->table = table;
	w->table_size = len / VRING_DESC_SIZE;
	w->steps = 0U;
	w->in_indirect = true;
	return 0;
}

/*
 * The indirect table a walk is in, once its descriptors were loaded (each once): with memory
 * mapped per use it goes back now. w->table is what xlate returned for it.
 */
static VQ_COLD void walk_release_table(const struct vbe_vq *vq, const struct walk *w)
{
	if (w->in_indirect) {
		vq->mem.release(vq->mem.ctx, (void *)(uintptr_t)w->table,
				w->table_size * VRING_DESC_SIZE);
	}
}

/*
 * A walk that refused the chain (@p err, a fault) or found it too long (-E2BIG): the request
 * keeps no segment, and with memory mapped per use the @p nseg segments it kept and its
 * indirect table go back.
 */
static VQ_COLD int walk_abort(struct vbe_vq *vq, const struct walk *w, struct vbe_vq_req *req,
			      unsigned int nseg, int err)
{
	if (vq->mem.release != NULL) {
		for (unsigned int s = 0U; s < nseg; s++) {
			vq->mem.release(vq->mem.ctx, req->seg[s].ptr, req->seg[s].len);
		}
		walk_release_table(vq, w);
	}
	req->n_rd = 0U;
	req->n_wr = 0U;
	return err;
}

/* A buffer the request does not keep (zero length, past VBE_VQ_MAX_SEGS) goes back at once. */
static VQ_COLD void walk_release_buffer(const struct vbe_vq *vq, void *ptr, uint32_t len)
{
	vq->mem.release(vq->mem.ctx, ptr, len);
}

/*
 * Walk one chain into @p req. The running totals and the segment count live in locals (the
 * walk is the hot path of every request); each descriptor is loaded once, then checked.
 */
static int walk_chain(struct vbe_vq *vq, uint16_t head, struct vbe_vq_req *req)
{
	struct walk w = {
		.table = vq->desc,
		.table_size = vq->size,
	};
	uint32_t i = head;
	unsigned int nseg = 0U;
	unsigned int n_rd = 0U;
	int err;

	for (;;) {
		const uint8_t *d = w.table + (size_t)i * VRING_DESC_SIZE;
		uint64_t addr = vbe_ld64(d + VRING_DESC_ADDR);
		uint32_t len = vbe_ld32(d + VRING_DESC_LEN);
		uint16_t flags = vbe_ld16(d + VRING_DESC_FLAGS);
		uint16_t next = vbe_ld16(d + VRING_DESC_NEXT);
		bool write = (flags & VBE_VRING_DESC_F_WRITE) != 0U;
		uint8_t *ptr;

		/* A chain cannot be longer than its table: more steps means a loop. */
		if (++w.steps > w.table_size) {
			return walk_abort(vq, &w, req, nseg, vq_fail(vq, VBE_VQ_FAULT_LOOP, -ELOOP));
		}
		if ((flags & VBE_VRING_DESC_F_INDIRECT) != 0U) {
			err = walk_indirect(vq, &w, addr, len, flags);
			if (err != 0) {
				return walk_abort(vq, &w, req, nseg, err);
			}
			i = 0U;
			continue;
		}
		/* 2.7.4.2: device-writable descriptors come after all device-readable ones */
		if (!write && w.seen_write) {
			return walk_abort(vq, &w, req, nseg, vq_fail(vq, VBE_VQ_FAULT_ORDER, -EPROTO));
		}
		/* A zero-length buffer still has to point into device memory. */
		ptr = vq_xlate(&vq->mem, addr, len, write);
		if (ptr == NULL) {
			return walk_abort(vq, &w, req, nseg, vq_fail(vq, VBE_VQ_FAULT_ADDR, -EFAULT));
		}
		if (write) {
			w.seen_write = true;
			w.wr_len += len;
		} else {
			w.rd_len += len;
		}
		if (w.rd_len + w.wr_len > UINT32_MAX) {
			if (vq->mem.release != NULL) {
				walk_release_buffer(vq, ptr, len); /* not kept yet */
			}
			return walk_abort(vq, &w, req, nseg,
					  vq_fail(vq, VBE_VQ_FAULT_LEN_OVERFLOW, -EOVERFLOW));
		}
		if (len != 0U && nseg < VBE_VQ_MAX_SEGS) {
			/* readable ones first (checked above): n_rd counts the prefix */
			req->seg[nseg].ptr = ptr;
			req->seg[nseg].len = len;
			nseg++;
			n_rd += write ? 0U : 1U;
		} else {
			/* not kept: nothing to hand on, a mapping to give back at once */
			w.truncated = w.truncated || len != 0U;
			if (vq->mem.release != NULL) {
				walk_release_buffer(vq, ptr, len);
			}
		}
		if ((flags & VBE_VRING_DESC_F_NEXT) == 0U) {
			break;
		}
		if (next >= w.table_size) {
			return walk_abort(vq, &w, req, nseg,
					  vq_fail(vq, VBE_VQ_FAULT_NEXT_RANGE, -EINVAL));
		}
		i = next;
	}

	req->head = head;
	req->n_rd = (uint8_t)n_rd;
	req->n_wr = (uint8_t)(nseg - n_rd);
	req->rd_len = (uint32_t)w.rd_len;
	req->wr_len = (uint32_t)w.wr_len;
	if (w.truncated) {
		return walk_abort(vq, &w, req, nseg, -E2BIG); /* its totals only */
	}
	if (vq->mem.release != NULL) {
		walk_release_table(vq, &w);
	}
	return 0;
}

int vbe_vq_pop(struct vbe_vq *vq, struct vbe_vq_req *req)
{
	uint16_t avail_idx;
	uint16_t pending;
	uint16_t head;
	int err;

	if (!vbe_vq_ready(vq)) {
		return -ENODEV; /* stopped or never set up: no ring to read */
	}
	if (vq->broken) {
		return -EIO;
	}
	avail_idx = vbe_ld16(vring_avail_idx(vq));
	pending = (uint16_t)(avail_idx - vq->last_avail);
	if (pending == 0U || (vq->budget != NULL && *vq->budget == 0U)) {
		return -EAGAIN; /* nothing, or this pass took its share: the next pass comes */
	}
	/* More entries than the ring holds: the index is garbage (DoS or corruption). */
	if (pending > vq->size) {
		return vq_fail(vq, VBE_VQ_FAULT_AVAIL_IDX, -EPROTO);
	}
	/* Pairs with the driver's write barrier between filling avail->ring[] and avail->idx. */
	vbe_rmb();
	head = vbe_ld16(vring_avail_entry(vq, vq->last_avail));
	if (head >= vq->size) {
		return vq_fail(vq, VBE_VQ_FAULT_HEAD_RANGE, -EINVAL);
	}
	err = walk_chain(vq, head, req);
	if (err != 0 && err != -E2BIG) {
		return err;
	}
	/* Taken: from here on the chain must be completed with vbe_vq_push(). */
	vq->last_avail++;
	vq->inflight++;
	vq->popped++;
	if (vq->budget != NULL) {
		(*vq->budget)--;
	}
	return err;
}

VQ_COLD void vbe_vq_drop(struct vbe_vq *vq, const struct vbe_vq_req *req)
{
	if (vq->inflight == 0U) {
		return; /* nothing was taken (or the queue was stopped since): nothing to give up */
	}
	if (vq->mem.release != NULL) {
		vq_release_segs(vq, req);
	}
	vq->inflight--;
}

/* Publish a chain the checks of vbe_vq_push() accepted. */
static int vq_push_used(struct vbe_vq *vq, const struct vbe_vq_req *req, uint32_t written)
{
	uint8_t *elem;

	if (written > req->wr_len) {
		written = req->wr_len;
	}
	elem = vring_used_elem(vq, vq->used_idx);
	vbe_st32(elem + VRING_USED_ELEM_ID, req->head);
	vbe_st32(elem + VRING_USED_ELEM_LEN, written);
	/* The element before the index: pairs with the driver's read barrier after used->idx. */
	vbe_wmb();
	vq->used_idx++;
	vbe_st16(vring_used_idx(vq), vq->used_idx);
	vq->inflight--;
	return 0;
}

/*
 * With memory mapped per use, the buffers go back before the used entry: once the driver
 * sees it, it may end the guest's grant of them, which fails while we still map them.
 */
static VQ_COLD int vq_push_mapped(struct vbe_vq *vq, const struct vbe_vq_req *req,
				  uint32_t written)
{
	vq_release_segs(vq, req);
	return vq_push_used(vq, req, written);
}

int vbe_vq_push(struct vbe_vq *vq, const struct vbe_vq_req *req, uint32_t written)
{
	if (!vbe_vq_ready(vq)) {
		return -ENODEV; /* stopped since the chain was taken: it is void */
	}
	if (vq->broken) {
		vbe_vq_drop(vq, req); /* never handed back: its buffers are released all the same */
		return -EIO;
	}
	if (vq->inflight == 0U || req->head >= vq->size) {
		return vq_fail(vq, VBE_VQ_FAULT_USED_HEAD, -EINVAL);
	}
	if (vq->mem.release != NULL) {
		return vq_push_mapped(vq, req, written);
	}
	return vq_push_used(vq, req, written);
}

bool vbe_vq_should_notify(struct vbe_vq *vq)
{
	uint16_t old = vq->signalled_used;
	uint16_t new = vq->used_idx;
	bool valid = vq->signalled_valid;
	bool notify;

	if (vq->broken || !vbe_vq_ready(vq)) {
		return false;
	}
	/*
	 * used->idx must be visible before we read the driver's used_event or flags: pairs with
	 * the driver's full barrier between writing used_event/flags and reading used->idx.
	 */
	vbe_mb();
	vq->signalled_used = new;
	vq->signalled_valid = true;
	if (valid && new == old) {
		return false;
	}
	if (vq->event_idx) {
		/* virtio 1.2, 2.7.7.2: notify when used_event lies in (old, new] */
		uint16_t event = vbe_ld16(vring_used_event(vq));

		notify = !valid || (uint16_t)(new - event - 1U) < (uint16_t)(new - old);
	} else {
		notify = (vbe_ld16(vring_avail_flags(vq)) & VBE_VRING_AVAIL_F_NO_INTERRUPT) == 0U;
	}
	if (notify) {
		vq->notifies++;
	}
	return notify;
}

bool vbe_vq_enable_notify(struct vbe_vq *vq)
{
	if (vq->broken || !vbe_vq_ready(vq)) {
		return false;
	}
	if (vq->event_idx) {
		vbe_st16(vring_avail_event(vq), vq->last_avail);
	} else {
		vbe_st16(vring_used_flags(vq), 0U);
	}
	/*
	 * Our avail_event/flags store before re-reading avail->idx: pairs with the driver's full
	 * barrier between writing avail->idx and reading avail_event/flags.
	 */
	vbe_mb();
	return vbe_ld16(vring_avail_idx(vq)) != vq->last_avail;
}

/* Copy between a flat buffer and segments [first, first + count) of a request. */
__attribute__((noinline)) static size_t req_copy(const struct vbe_vq_req *req, unsigned int first, unsigned int count,
		       size_t off, uint8_t *buf, size_t len, bool to_req)
{
	size_t done = 0U;

	for (unsigned int s = first; s < first + count && done < len; s++) {
		const struct vbe_vq_seg *seg = &req->seg[s];
		size_t n;

		if (off >= seg->len) {
			off -= seg->len;
			continue;
		}
		n = seg->len - off;
		if (n > len - done) {
			n = len - done;
		}
		if (to_req) {
			memcpy(seg->ptr + off, buf + done, n);
		} else {
			memcpy(buf + done, seg->ptr + off, n);
		}
		done += n;
		off = 0U;
	}
	return done;
}

size_t vbe_vq_req_read(const struct vbe_vq_req *req, size_t off, void *dst, size_t len)
{
	return req_copy(req, 0U, req->n_rd, off, dst, len, false);
}

size_t vbe_vq_req_write(const struct vbe_vq_req *req, size_t off, const void *src, size_t len)
{
	/* the cast drops const only on the path that reads from src (to_req) */
	return req_copy(req, req->n_rd, req->n_wr, off, (uint8_t *)(uintptr_t)src, len, true);
}
