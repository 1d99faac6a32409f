/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_vq: the device side of a virtio split virtqueue.
 *
 * Backends see requests as lists of segments (device-readable first, then device-writable);
 * they never see descriptors. Transports set a queue up and move chains; they never parse
 * requests. The ring lives in memory the driver can change at any time: every index, offset
 * and length read from it is checked, and the first violation latches the queue broken
 * (the transport then raises DEVICE_NEEDS_RESET). A broken queue is never touched again
 * until vbe_vq_init() sets it up anew. See docs/vq.md.
 */

#ifndef VBE_VQ_H
#define VBE_VQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Most segments one request can carry; longer chains complete with -E2BIG (see pop). */
#ifndef VBE_VQ_MAX_SEGS
#define VBE_VQ_MAX_SEGS 8
#endif

/**
 * Why a queue latched broken. Each class has its own counter (struct vbe_vq.faults) and its
 * own errno from vbe_vq_pop(). Values are ABI: pyhost and the window's fault field use them.
 */
enum vbe_vq_fault {
	VBE_VQ_FAULT_NONE = 0,
	VBE_VQ_FAULT_AVAIL_IDX = 1,       /* avail->idx moved more than size past last_avail */
	VBE_VQ_FAULT_HEAD_RANGE = 2,      /* head index >= queue size */
	VBE_VQ_FAULT_NEXT_RANGE = 3,      /* next index >= descriptor table size */
	VBE_VQ_FAULT_LOOP = 4,            /* chain longer than its table: a loop */
	VBE_VQ_FAULT_INDIRECT_FEATURE = 5, /* INDIRECT used but not negotiated */
	VBE_VQ_FAULT_INDIRECT_NESTED = 6, /* INDIRECT inside an indirect table */
	VBE_VQ_FAULT_INDIRECT_LEN = 7,    /* indirect table empty or not a multiple of 16 */
	VBE_VQ_FAULT_INDIRECT_NEXT = 8,   /* INDIRECT and NEXT both set */
	VBE_VQ_FAULT_ADDR = 9,            /* buffer outside the memory the device may use */
	VBE_VQ_FAULT_ORDER = 10,          /* device-readable descriptor after a writable one */
	VBE_VQ_FAULT_LEN_OVERFLOW = 11,   /* chain's total length does not fit 32 bits */
	VBE_VQ_FAULT_USED_HEAD = 12,      /* completion for a head that is not in flight */
	VBE_VQ_FAULT_INDIRECT_ALIGN = 13, /* indirect table not 16-byte aligned */
	VBE_VQ_FAULT_COUNT,
};

/**
 * Memory the device may reach: a translate-and-check callback.
 *
 * @p xlate returns a pointer to @p len bytes at guest address @p addr, or NULL when any
 * byte of [addr, addr + len) is outside what this device may touch (or @p write is set and
 * the range is read-only). It must be overflow-safe. For the fat window, @p addr is an
 * offset in the window and the range must lie in the data area; for vhost-user it is a
 * guest physical address looked up in the memory table.
 *
 * @p release (optional) is for memory that is mapped per use, such as Xen grants: the
 * guest takes a buffer back when the device hands it back, and must find it unmapped by
 * then. It is called once for every successful xlate, with the pointer and length xlate
 * got: a request's buffers when it is pushed or dropped (before the used ring shows it),
 * an indirect table after its walk, a buffer the request does not keep (zero length, past
 * VBE_VQ_MAX_SEGS) at once, a ring part at device reset (vbe_dev). NULL: memory stays
 * mapped (the window, vhost-user's table), and nothing is called. See docs/vq.md.
 */
struct vbe_vq_mem {
	void *(*xlate)(void *ctx, uint64_t addr, uint32_t len, bool write);
	void (*release)(void *ctx, void *ptr, uint32_t len);
	void *ctx;
	/*
	 * Optional: device memory that is one flat range, [lo, hi) at host address flat + addr
	 * (the fat window's data area). When flat is set the walker checks buffers against the
	 * range itself, with xlate's rules, instead of calling xlate for each descriptor.
	 */
	uint8_t *flat;
	uint64_t lo;
	uint64_t hi;
};

/** One piece of a request: host pointer and length, already checked. */
struct vbe_vq_seg {
	uint8_t *ptr;
	uint32_t len;
};

/** One descriptor chain, as a backend sees it. */
struct vbe_vq_req {
	uint16_t head;   /* chain head: what vbe_vq_push() hands back to the driver */
	uint8_t n_rd;    /* seg[0 .. n_rd) are device-readable */
	uint8_t n_wr;    /* seg[n_rd .. n_rd + n_wr) are device-writable */
	uint32_t rd_len; /* total device-readable bytes */
	uint32_t wr_len; /* total device-writable bytes */
	struct vbe_vq_seg seg[VBE_VQ_MAX_SEGS];
};

/** Queue state. Fields are private to vq_split.c except where noted. */
struct vbe_vq {
	/* ring in host memory, checked by the transport before vbe_vq_init() */
	void *desc;
	void *avail;
	void *used;
	struct vbe_vq_mem mem;
	uint16_t size;
	uint16_t last_avail;    /* next avail ring entry to read */
	uint16_t used_idx;      /* our copy of used->idx (the driver cannot corrupt it) */
	uint16_t signalled_used; /* used_idx at the last notification (EVENT_IDX) */
	uint16_t inflight;      /* chains popped and not yet pushed */
	bool event_idx;
	bool indirect;
	bool signalled_valid;
	bool broken; /* public: latched on the first fault */
	enum vbe_vq_fault fault; /* public: why it broke */
	uint32_t faults[VBE_VQ_FAULT_COUNT]; /* public: latches per class since boot */
	uint32_t popped;  /* public: chains taken since init */
	uint32_t notifies; /* public: driver notifications sent since init */
	/*
	 * Chains the device may still take in this service pass, shared by the queues of one
	 * device; NULL: no limit. Set and cleared by vbe_dev_service() (vbe_vq_budget()).
	 */
	uint32_t *budget;
};

/**
 * @brief Is the queue set up (vbe_vq_init() or vbe_vq_init_at() since the last
 * vbe_vq_stop(), or ever)? A queue that is not gives -ENODEV from pop and push and is never
 * read or written: a device may reach a stopped ring from outside its own service (another
 * agent's notification, the platform, a relay's owner) and must find it safe.
 */
static inline bool vbe_vq_ready(const struct vbe_vq *vq)
{
	return vq->size != 0U;
}

/**
 * @brief Has the device pushed chains the driver was not told about yet (pushes outside a
 * service pass: events, a relay's late answers)? The transport then runs the pass, whose
 * vbe_vq_should_notify() decides. Never for a broken queue (it is not touched again, so
 * it would ask forever).
 */
static inline bool vbe_vq_unsignalled(const struct vbe_vq *vq)
{
	return vq->used_idx != vq->signalled_used && !vq->broken;
}

/**
 * @brief Limit the chains vbe_vq_pop() takes from now on to *@p budget (decremented per
 * chain; 0: pop says -EAGAIN with chains left); NULL lifts the limit. Several queues may
 * share one budget. vbe_dev_service() sets it around each service pass.
 */
static inline void vbe_vq_budget(struct vbe_vq *vq, uint32_t *budget)
{
	vq->budget = budget;
}

/*
 * The layout of a split ring as the transports check it before a queue starts
 * (virtio 1.2, 2.7): the three parts, their sizes for n entries, their alignments.
 */
enum vbe_vq_part { VBE_VQ_PART_DESC, VBE_VQ_PART_AVAIL, VBE_VQ_PART_USED, VBE_VQ_PARTS };

/** One part of a ring: [off, off + len) in whatever address space the transport uses. */
struct vbe_vq_span {
	uint64_t off;
	uint64_t len;
};

static inline uint64_t vbe_vq_part_size(enum vbe_vq_part part, uint64_t n)
{
	return part == VBE_VQ_PART_DESC ? 16U * n : (part == VBE_VQ_PART_AVAIL ? 6U + 2U * n
									     : 6U + 8U * n);
}

static inline uint32_t vbe_vq_part_align(enum vbe_vq_part part)
{
	return part == VBE_VQ_PART_DESC ? 16U : (part == VBE_VQ_PART_AVAIL ? 2U : 4U);
}

/**
 * @brief Do two rings of one device clash: does either's used ring (the device writes it)
 * overlap a part of the other, or, for one ring (@p same), its own descriptor table or avail
 * ring? Driver-written parts may overlap each other: only the driver is fooled. The spans
 * must not wrap (the transports check them against their memory first).
 */
static inline bool vbe_vq_rings_clash(const struct vbe_vq_span a[VBE_VQ_PARTS],
				      const struct vbe_vq_span b[VBE_VQ_PARTS], bool same)
{
	for (unsigned int k = 0U; k < VBE_VQ_PARTS; k++) {
		for (unsigned int j = 0U; j < VBE_VQ_PARTS; j++) {
			if ((same && k == j) ||
			    (k != VBE_VQ_PART_USED && j != VBE_VQ_PART_USED)) {
				continue; /* a part itself; two driver-written parts */
			}
			if (a[k].len != 0U && b[j].len != 0U && a[k].off < b[j].off + b[j].len &&
			    b[j].off < a[k].off + a[k].len) {
				return true;
			}
		}
	}
	return false;
}

/**
 * @brief Stop using a queue: forget its ring (the driver's memory may go away) and every
 * other state but the fault counters (statistics since boot). Chains in flight are void.
 * Until the next vbe_vq_init(), vbe_vq_ready() is false and every call is refused without
 * touching memory.
 */
void vbe_vq_stop(struct vbe_vq *vq);

/**
 * @brief Set a queue up on rings the transport has checked.
 *
 * @param vq queue state; its fault counters survive re-initialisation.
 * @param size number of entries, a power of two, 1..32768.
 * @param desc, avail, used ring areas (sizes: 16*size, 6+2*size, 6+8*size bytes), aligned
 *        16, 2 and 4 bytes as the spec requires.
 * @param features negotiated features (VBE_VIRTIO_F_EVENT_IDX and _INDIRECT_DESC matter).
 * @retval 0 ready.
 * @retval -EINVAL bad size or alignment, NULL ring or NULL mem callback.
 */
int vbe_vq_init(struct vbe_vq *vq, uint16_t size, void *desc, void *avail, void *used,
		const struct vbe_vq_mem *mem, uint64_t features);

/**
 * @brief Set a queue up on rings the driver is already using (vhost-user SET_VRING_BASE).
 *
 * As vbe_vq_init(), but the next avail entry to read is @p last_avail and the used index is
 * taken from the used ring as it is in memory (not zeroed).
 *
 * @retval 0 ready.
 * @retval -EINVAL as vbe_vq_init().
 */
int vbe_vq_init_at(struct vbe_vq *vq, uint16_t size, void *desc, void *avail, void *used,
		   const struct vbe_vq_mem *mem, uint64_t features, uint16_t last_avail);

/**
 * @brief Take the next available chain.
 *
 * @retval 0 @p req holds a chain; complete it with vbe_vq_push().
 * @retval -EAGAIN nothing available, or the pass budget (vbe_vq_budget()) is spent: the
 *         transport calls the device again in its next pass.
 * @retval -ENODEV the queue is not set up (never, or stopped since): nothing was read.
 * @retval -E2BIG the chain is valid but has more than VBE_VQ_MAX_SEGS segments; @p req
 *         holds its head and totals only (no segments). The caller must still complete it
 *         (written 0).
 * @retval -EIO the queue is broken (now or before); see vq->fault. Nothing was taken.
 * @retval -EPROTO, -EINVAL, -ELOOP, -EFAULT, -EOVERFLOW the fault that broke it just now
 *         (also latched: later calls return -EIO).
 */
int vbe_vq_pop(struct vbe_vq *vq, struct vbe_vq_req *req);

/**
 * @brief Hand a chain back to the driver.
 *
 * The request's buffers are released first (vbe_vq_mem.release), whatever the result but
 * -EINVAL: the backend must not touch its segments again.
 *
 * @param written bytes written into the writable segments (clamped to req->wr_len).
 * @retval 0 done.
 * @retval -ENODEV the queue was stopped since the chain was taken: it is void.
 * @retval -EIO the queue is broken; the chain is not returned (the driver must reset).
 * @retval -EINVAL no chain is in flight (a backend bug); latches VBE_VQ_FAULT_USED_HEAD.
 */
int vbe_vq_push(struct vbe_vq *vq, const struct vbe_vq_req *req, uint32_t written);

/**
 * @brief Give up a chain taken with vbe_vq_pop() without handing it back: the queue broke
 * or the device is being reset, and the driver will not look for it. Releases what the
 * memory callback mapped for it (vbe_vq_mem.release); nothing is written to the ring. A
 * backend that holds chains across service calls drops them when it forgets them. Call it
 * at most once per chain, and not for a chain vbe_vq_push() took (pushed or refused).
 */
void vbe_vq_drop(struct vbe_vq *vq, const struct vbe_vq_req *req);

/**
 * @brief After a batch of pushes: must the driver be notified?
 *
 * Honours VIRTQ_AVAIL_F_NO_INTERRUPT, or used_event with EVENT_IDX (virtio 1.2, 2.7.7.2).
 * Counts a notification in vq->notifies when it answers true. False for a queue that is
 * broken or not set up.
 */
bool vbe_vq_should_notify(struct vbe_vq *vq);

/**
 * @brief Ask the driver to notify us of new chains, then recheck.
 *
 * Call when vbe_vq_pop() returned -EAGAIN and the device is about to sleep. Writes
 * avail_event (EVENT_IDX) or clears VIRTQ_USED_F_NO_NOTIFY.
 *
 * @retval true chains arrived meanwhile: pop again before sleeping.
 * @retval false nothing new, or the queue is broken or not set up (nothing written).
 */
bool vbe_vq_enable_notify(struct vbe_vq *vq);

/**
 * @brief Copy device-readable bytes out of a request (gather).
 *
 * @return bytes copied: min(len, req->rd_len - off), 0 when off is past the end.
 */
size_t vbe_vq_req_read(const struct vbe_vq_req *req, size_t off, void *dst, size_t len);

/**
 * @brief Copy bytes into a request's device-writable segments (scatter).
 *
 * @return bytes copied: min(len, req->wr_len - off), 0 when off is past the end.
 */
size_t vbe_vq_req_write(const struct vbe_vq_req *req, size_t off, const void *src, size_t len);

/** @brief Name of a fault class, for logs. Never NULL. */
const char *vbe_vq_fault_str(enum vbe_vq_fault fault);

#endif /* VBE_VQ_H */
