/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Xen IOREQ page protocol, device side. See vbe/ioreq.h and docs/xen.md.
 *
 * Per vCPU slot: NONE -> (Xen) READY -> (here) INPROCESS -> (here) IORESP_READY -> (Xen,
 * once it has read the answer) NONE. Xen writes the request fields, then the state with a
 * barrier between; we read the state, then the fields after a barrier, and write the data
 * before the state the same way. The page is another domain's view: fields are read once.
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <vbe/ioreq.h>
#include <vbe/mmio.h>
#include <vbe/port.h>
#include <vbe/virtio.h>

_Static_assert(sizeof(struct vbe_ioreq_slot) == 32, "Xen's struct ioreq is 32 bytes");
_Static_assert(offsetof(struct vbe_ioreq_slot, vp_eport) == 24, "vp_eport at 24");
_Static_assert(offsetof(struct vbe_ioreq_slot, flags) == 30, "state bit-fields at 30");
_Static_assert(offsetof(struct vbe_ioreq_slot, type) == 31, "type at 31");

/* Refused requests are logged, at most this many per server. */
#define IOREQ_LOG_MAX 8U

int vbe_ioreq_init(struct vbe_ioreq_server *s, void *page, unsigned int vcpus,
		   const struct vbe_ioreq_ops *ops, void *ctx)
{
	if (s == NULL || page == NULL || ops == NULL || ops->notify == NULL || vcpus == 0U ||
	    vcpus > VBE_IOREQ_MAX_VCPUS) {
		return -EINVAL;
	}
	memset(s, 0, sizeof(*s));
	s->page = page;
	s->vcpus = vcpus;
	s->ops = ops;
	s->ctx = ctx;
	return 0;
}

int vbe_ioreq_add_device(struct vbe_ioreq_server *s, uint64_t base, struct vbe_mmio *mmio)
{
	if (s->num_devices >= VBE_IOREQ_MAX_DEVICES) {
		return -ENOSPC;
	}
	if (mmio == NULL || (base % VBE_MMIO_WINDOW_SIZE) != 0U ||
	    base > UINT64_MAX - VBE_MMIO_WINDOW_SIZE) {
		return -EINVAL;
	}
	for (unsigned int i = 0U; i < s->num_devices; i++) {
		/* equal-sized aligned windows overlap only when they are the same */
		if (s->dev[i].base == base) {
			return -EEXIST;
		}
	}
	s->dev[s->num_devices].base = base;
	s->dev[s->num_devices].mmio = mmio;
	s->num_devices++;
	return 0;
}

uint32_t vbe_ioreq_vcpu_port(const struct vbe_ioreq_server *s, unsigned int vcpu)
{
	if (vcpu >= s->vcpus) {
		return 0U;
	}
	return *(volatile const uint32_t *)&s->page[vcpu].vp_eport;
}

const char *vbe_ioreq_refusal_str(enum vbe_ioreq_refusal r)
{
	switch (r) {
	case VBE_IOREQ_BAD_TYPE:
		return "not an MMIO access";
	case VBE_IOREQ_BAD_PTR:
		return "data by pointer (string access)";
	case VBE_IOREQ_BAD_COUNT:
		return "repeated access";
	case VBE_IOREQ_BAD_SIZE:
		return "size not 1, 2, 4 or 8";
	case VBE_IOREQ_BAD_ADDR:
		return "no device at this address";
	case VBE_IOREQ_BAD_DEVICE:
		return "refused by the device";
	default:
		return "unknown";
	}
}

static void ioreq_refuse(struct vbe_ioreq_server *s, enum vbe_ioreq_refusal why,
			 const struct vbe_ioreq_slot *r)
{
	uint32_t total = 0U;

	for (unsigned int i = 0U; i < VBE_IOREQ_REFUSAL_COUNT; i++) {
		total += s->stats.refused[i];
	}
	s->stats.refused[why]++;
	if (total < IOREQ_LOG_MAX) {
		VBE_LOG(VBE_LOG_WRN, "ioreq: %s of %u bytes at 0x%llx refused: %s",
			(r->flags & VBE_IOREQ_FLAG_DIR_READ) != 0U ? "read" : "write",
			(unsigned int)r->size, (unsigned long long)r->addr,
			vbe_ioreq_refusal_str(why));
	}
}

/* Serve one request (a private copy); returns the data a read answers. */
static uint64_t ioreq_dispatch(struct vbe_ioreq_server *s, const struct vbe_ioreq_slot *r)
{
	bool read = (r->flags & VBE_IOREQ_FLAG_DIR_READ) != 0U;
	uint64_t val = 0U;
	int rc;

	if (r->type != VBE_IOREQ_TYPE_COPY) {
		ioreq_refuse(s, VBE_IOREQ_BAD_TYPE, r);
		return ~0ULL;
	}
	if ((r->flags & VBE_IOREQ_FLAG_DATA_IS_PTR) != 0U) {
		ioreq_refuse(s, VBE_IOREQ_BAD_PTR, r);
		return ~0ULL;
	}
	if (r->count != 1U) {
		ioreq_refuse(s, VBE_IOREQ_BAD_COUNT, r);
		return ~0ULL;
	}
	if (r->size != 1U && r->size != 2U && r->size != 4U && r->size != 8U) {
		ioreq_refuse(s, VBE_IOREQ_BAD_SIZE, r);
		return ~0ULL;
	}
	for (unsigned int i = 0U; i < s->num_devices; i++) {
		const struct vbe_ioreq_dev *d = &s->dev[i];

		/* the whole access inside the window; no overflow: base + window does not wrap */
		if (r->addr < d->base || r->addr - d->base > VBE_MMIO_WINDOW_SIZE - r->size) {
			continue;
		}
		if (read) {
			s->stats.reads++;
			rc = vbe_mmio_read(d->mmio, (uint32_t)(r->addr - d->base),
					   (uint8_t)r->size, &val);
		} else {
			s->stats.writes++;
			rc = vbe_mmio_write(d->mmio, (uint32_t)(r->addr - d->base),
					    (uint8_t)r->size, r->data);
		}
		if (rc != 0) {
			s->stats.refused[VBE_IOREQ_BAD_DEVICE]++;
		}
		return val;
	}
	ioreq_refuse(s, VBE_IOREQ_BAD_ADDR, r);
	return ~0ULL;
}

int vbe_ioreq_handle(struct vbe_ioreq_server *s, unsigned int vcpu)
{
	volatile struct vbe_ioreq_slot *slot;
	struct vbe_ioreq_slot r;
	uint64_t val;

	if (vcpu >= s->vcpus) {
		return -EINVAL;
	}
	slot = &s->page[vcpu];
	if ((slot->flags & VBE_IOREQ_FLAG_STATE_MASK) != VBE_IOREQ_STATE_READY) {
		return -EAGAIN;
	}
	/* The fields after the state: pairs with Xen's write barrier before it sets READY. */
	vbe_rmb();
	r.addr = slot->addr;
	r.data = slot->data;
	r.count = slot->count;
	r.size = slot->size;
	r.flags = slot->flags;
	r.type = slot->type;
	slot->flags = (uint8_t)((r.flags & ~VBE_IOREQ_FLAG_STATE_MASK) | VBE_IOREQ_STATE_INPROCESS);

	val = ioreq_dispatch(s, &r);
	if ((r.flags & VBE_IOREQ_FLAG_DIR_READ) != 0U) {
		/* only the access's bytes; Xen extends the value to the register as it decoded it */
		slot->data = r.size >= 8U ? val : (val & ((1ULL << (8U * r.size)) - 1U));
	}
	/* The answer before its state: pairs with Xen's read barrier after it sees IORESP_READY. */
	vbe_wmb();
	slot->flags = (uint8_t)((r.flags & ~VBE_IOREQ_FLAG_STATE_MASK) | VBE_IOREQ_STATE_RESP_READY);
	s->stats.served++;
	(void)s->ops->notify(s->ctx, vcpu);
	return 0;
}

bool vbe_ioreq_poll(struct vbe_ioreq_server *s, bool all)
{
	bool worked = false;

	for (unsigned int v = 0U; v < s->vcpus; v++) {
		worked = vbe_ioreq_handle(s, v) == 0 || worked;
	}
	for (unsigned int i = 0U; i < s->num_devices; i++) {
		worked = vbe_mmio_poll(s->dev[i].mmio, all) || worked;
	}
	if (!worked) {
		s->stats.spurious++;
	}
	return worked;
}

bool vbe_ioreq_more(const struct vbe_ioreq_server *s)
{
	for (unsigned int i = 0U; i < s->num_devices; i++) {
		if (vbe_mmio_more(s->dev[i].mmio)) {
			return true;
		}
	}
	return false;
}

int vbe_ioreq_bind(struct vbe_ioreq_server *s, struct vbe_mmio *mmio, uint64_t base,
		   const struct vbe_dev_ops *ops, void *be, const struct vbe_vq_mem *mem,
		   const struct vbe_mmio_irq *irq, bool platform)
{
	int rc = vbe_mmio_init(mmio, ops, be, mem, irq);

	if (rc != 0) {
		return rc;
	}
	if (platform) {
		/* buffers are grant references: the driver must use its DMA API (virtio 1.2, 6.1) */
		mmio->dev.platform = 1ULL << VBE_VIRTIO_F_ACCESS_PLATFORM;
	}
	return vbe_ioreq_add_device(s, base, mmio);
}
