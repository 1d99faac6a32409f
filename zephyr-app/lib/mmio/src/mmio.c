/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-mmio device, version 2 (virtio 1.2, 4.2). See vbe/mmio.h and docs/xen.md.
 *
 * Every access the driver makes arrives here as (offset, size, value) from a trap. The
 * driver's values are kept in struct vbe_mmio until the status write that uses them; the
 * device state machine (struct vbe_dev) checks them then, exactly as for the window.
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <vbe/dev.h>
#include <vbe/mmio.h>
#include <vbe/port.h>
#include <vbe/virtio.h>

/* Refused accesses are logged, but at most this many per device: a driver cannot flood. */
#define MMIO_LOG_MAX 8U

/* vbe_dev_run()'s result bits that ask for a queue's interrupt (1 << queue) */
#define MMIO_QUEUE_BITS ((1U << VBE_DEV_MAX_QUEUES) - 1U)

int vbe_mmio_init(struct vbe_mmio *m, const struct vbe_dev_ops *ops, void *be,
		  const struct vbe_vq_mem *mem, const struct vbe_mmio_irq *irq)
{
	int rc;

	if (m == NULL || mem == NULL || mem->xlate == NULL || irq == NULL || irq->set == NULL) {
		return -EINVAL;
	}
	memset(m, 0, sizeof(*m));
	rc = vbe_dev_init(&m->dev, ops, be);
	if (rc != 0) {
		return rc;
	}
	m->mem = *mem;
	m->irq = *irq;
	return 0;
}

const char *vbe_mmio_refusal_str(enum vbe_mmio_refusal r)
{
	switch (r) {
	case VBE_MMIO_BAD_WIDTH:
		return "control register access not 32-bit aligned";
	case VBE_MMIO_BAD_CONFIG:
		return "config access of a width or alignment the spec does not allow";
	case VBE_MMIO_BAD_OFFSET:
		return "no register at this offset";
	case VBE_MMIO_BAD_DIRECTION:
		return "read of a write-only or write of a read-only register";
	case VBE_MMIO_BAD_QUEUE:
		return "queue register with QueueSel past the device's queues";
	case VBE_MMIO_BAD_LIVE:
		return "queue set-up changed while the queue is ready";
	default:
		return "unknown";
	}
}

static int mmio_refuse(struct vbe_mmio *m, enum vbe_mmio_refusal why, uint32_t off, bool write)
{
	uint32_t total = 0U;

	for (unsigned int i = 0U; i < VBE_MMIO_REFUSAL_COUNT; i++) {
		total += m->stats.refused[i];
	}
	m->stats.refused[why]++;
	if (total < MMIO_LOG_MAX) {
		VBE_LOG(VBE_LOG_WRN, "mmio: virtio id %u: %s at 0x%03x refused: %s",
			(unsigned int)m->dev.ops->device_id, write ? "write" : "read",
			(unsigned int)off, vbe_mmio_refusal_str(why));
	}
	return -EINVAL;
}

/* The interrupt: a new event sets its bit and asserts the line, every time. */
static void mmio_raise(struct vbe_mmio *m, uint32_t bits)
{
	m->interrupt_status |= bits;
	m->stats.interrupts++;
	m->irq.set(m->irq.ctx, true);
}

/* Device reset (virtio 1.2, 4.2.2.1): InterruptStatus and every QueueReady back to 0. */
static void mmio_reset(struct vbe_mmio *m)
{
	vbe_dev_reset(&m->dev);
	memset(m->queue, 0, sizeof(m->queue));
	m->more = false;
	m->driver_features = 0U;
	m->device_features_sel = 0U;
	m->driver_features_sel = 0U;
	m->queue_sel = 0U;
	if (m->interrupt_status != 0U) {
		m->interrupt_status = 0U;
		m->irq.set(m->irq.ctx, false);
	}
	m->stats.resets++;
}

/* Device-specific configuration: fields read with their natural width (4.2.2.2). */
static int config_read(struct vbe_mmio *m, uint32_t off, uint8_t size, uint64_t *val)
{
	uint8_t cfg[VBE_DEV_CONFIG_SIZE] = { 0 };
	uint32_t rel = off - VBE_MMIO_CONFIG;

	if ((size != 1U && size != 2U && size != 4U) || (rel % size) != 0U ||
	    rel + size > m->dev.ops->config_size) {
		return mmio_refuse(m, VBE_MMIO_BAD_CONFIG, off, false);
	}
	if (m->dev.ops->get_config != NULL) {
		m->dev.ops->get_config(m->dev.be, cfg);
	}
	*val = 0U;
	for (unsigned int i = 0U; i < size; i++) {
		*val |= (uint64_t)cfg[rel + i] << (8U * i);
	}
	return 0;
}

int vbe_mmio_read(struct vbe_mmio *m, uint32_t off, uint8_t size, uint64_t *val)
{
	const struct vbe_dev_ops *ops = m->dev.ops;
	const struct vbe_mmio_queue *q;

	*val = 0U;
	m->stats.reads++;
	if (off >= VBE_MMIO_CONFIG) {
		return config_read(m, off, size, val);
	}
	if (size != 4U || (off % 4U) != 0U) {
		return mmio_refuse(m, VBE_MMIO_BAD_WIDTH, off, false);
	}
	q = m->queue_sel < ops->num_queues ? &m->queue[m->queue_sel] : NULL;
	switch (off) {
	case VBE_MMIO_MAGIC_VALUE:
		*val = VBE_MMIO_MAGIC;
		break;
	case VBE_MMIO_VERSION:
		*val = 2U;
		break;
	case VBE_MMIO_DEVICE_ID:
		*val = ops->device_id;
		break;
	case VBE_MMIO_VENDOR_ID:
		*val = VBE_MMIO_VENDOR;
		break;
	case VBE_MMIO_DEVICE_FEATURES:
		/* bits 32 * sel .. 32 * sel + 31; selectors past 1 read 0 */
		*val = m->device_features_sel == 0U ? (uint32_t)vbe_dev_offered(&m->dev)
			: m->device_features_sel == 1U ? (uint32_t)(vbe_dev_offered(&m->dev) >> 32)
						      : 0U;
		break;
	case VBE_MMIO_QUEUE_NUM_MAX:
		/* 0: no such queue (4.2.3.2 step 3) */
		*val = q != NULL ? ops->queue_size_max : 0U;
		break;
	case VBE_MMIO_QUEUE_READY:
		*val = (q != NULL && q->cfg.enabled) ? 1U : 0U;
		break;
	case VBE_MMIO_INTERRUPT_STATUS:
		*val = m->interrupt_status;
		break;
	case VBE_MMIO_STATUS:
		*val = m->dev.status;
		break;
	case VBE_MMIO_SHM_LEN_LOW:
	case VBE_MMIO_SHM_LEN_HIGH:
		/* no shared memory regions: length -1 for every SHMSel (4.2.2, SHMLen) */
		*val = 0xffffffffU;
		break;
	case VBE_MMIO_SHM_BASE_LOW:
	case VBE_MMIO_SHM_BASE_HIGH:
		*val = 0xffffffffU;
		break;
	case VBE_MMIO_CONFIG_GENERATION:
		*val = m->config_generation;
		break;
	case VBE_MMIO_DEVICE_FEATURES_SEL:
	case VBE_MMIO_DRIVER_FEATURES:
	case VBE_MMIO_DRIVER_FEATURES_SEL:
	case VBE_MMIO_QUEUE_SEL:
	case VBE_MMIO_QUEUE_NUM:
	case VBE_MMIO_QUEUE_NOTIFY:
	case VBE_MMIO_INTERRUPT_ACK:
	case VBE_MMIO_QUEUE_DESC_LOW:
	case VBE_MMIO_QUEUE_DESC_HIGH:
	case VBE_MMIO_QUEUE_DRIVER_LOW:
	case VBE_MMIO_QUEUE_DRIVER_HIGH:
	case VBE_MMIO_QUEUE_DEVICE_LOW:
	case VBE_MMIO_QUEUE_DEVICE_HIGH:
	case VBE_MMIO_SHM_SEL:
		return mmio_refuse(m, VBE_MMIO_BAD_DIRECTION, off, false);
	default:
		return mmio_refuse(m, VBE_MMIO_BAD_OFFSET, off, false);
	}
	return 0;
}

/* Replace the low or high half of a 64-bit ring address. */
static void set_half(uint64_t *addr, bool high, uint32_t v)
{
	*addr = high ? ((*addr & 0xffffffffULL) | ((uint64_t)v << 32))
		     : ((*addr & ~0xffffffffULL) | v);
}

/* Queue registers: QueueSel must name a queue, and a ready queue's set-up is frozen. */
static int queue_write(struct vbe_mmio *m, uint32_t off, uint32_t v)
{
	struct vbe_mmio_queue *q;

	if (m->queue_sel >= m->dev.ops->num_queues) {
		return mmio_refuse(m, VBE_MMIO_BAD_QUEUE, off, true);
	}
	q = &m->queue[m->queue_sel];
	if (off == VBE_MMIO_QUEUE_READY) {
		/*
		 * Ready 1 -> 0 only stops the driver's use (4.2.3.2 is about RING_RESET, which
		 * is not offered): the device keeps the queue until reset. A queue first becomes
		 * live at DRIVER_OK, where vbe_dev checks it.
		 */
		if (v == 0U && q->cfg.enabled && vbe_dev_running(&m->dev)) {
			return mmio_refuse(m, VBE_MMIO_BAD_LIVE, off, true);
		}
		q->cfg.enabled = v != 0U;
		return 0;
	}
	if (q->cfg.enabled) {
		return mmio_refuse(m, VBE_MMIO_BAD_LIVE, off, true);
	}
	switch (off) {
	case VBE_MMIO_QUEUE_NUM:
		/* checked at DRIVER_OK (power of two, <= QueueNumMax); 16 bits on the wire */
		q->cfg.size = v > 0xffffU ? 0U : (uint16_t)v;
		break;
	case VBE_MMIO_QUEUE_DESC_LOW:
	case VBE_MMIO_QUEUE_DESC_HIGH:
		set_half(&q->cfg.desc, off == VBE_MMIO_QUEUE_DESC_HIGH, v);
		break;
	case VBE_MMIO_QUEUE_DRIVER_LOW:
	case VBE_MMIO_QUEUE_DRIVER_HIGH:
		set_half(&q->cfg.avail, off == VBE_MMIO_QUEUE_DRIVER_HIGH, v);
		break;
	default: /* VBE_MMIO_QUEUE_DEVICE_LOW / _HIGH */
		set_half(&q->cfg.used, off == VBE_MMIO_QUEUE_DEVICE_HIGH, v);
		break;
	}
	return 0;
}

/*
 * NEEDS_RESET was just raised (virtio 1.2, 2.1.2): report each faulty queue once and send
 * the configuration change interrupt, with the used-buffer one when @p vring is set.
 */
static void mmio_needs_reset(struct vbe_mmio *m, bool vring)
{
	for (unsigned int q = 0U; q < m->dev.ops->num_queues; q++) {
		if (m->dev.fault[q] != 0U) {
			VBE_LOG(VBE_LOG_WRN,
				"mmio: virtio id %u queue %u: fault %u (%s); device needs reset",
				(unsigned int)m->dev.ops->device_id, q,
				(unsigned int)m->dev.fault[q], vbe_dev_fault_str(m->dev.fault[q]));
		}
	}
	m->config_generation++;
	mmio_raise(m, VBE_MMIO_INT_CONFIG | (vring ? VBE_MMIO_INT_VRING : 0U));
}

/* A status write (virtio 1.2, 3.1.1 through 4.2.3.1): the device state machine decides. */
static void status_write(struct vbe_mmio *m, uint32_t v)
{
	struct vbe_dev_queue_cfg qc[VBE_DEV_MAX_QUEUES];

	if (v == 0U) {
		mmio_reset(m);
		return;
	}
	for (unsigned int q = 0U; q < VBE_DEV_MAX_QUEUES; q++) {
		qc[q] = m->queue[q].cfg;
	}
	if (vbe_dev_set_status(&m->dev, v, m->driver_features, qc, &m->mem, &m->mem) != 0) {
		mmio_needs_reset(m, false);
	}
}

int vbe_mmio_write(struct vbe_mmio *m, uint32_t off, uint8_t size, uint64_t val)
{
	uint32_t v = (uint32_t)val;

	m->stats.writes++;
	if (off >= VBE_MMIO_CONFIG) {
		/* no backend has a writable configuration field */
		return mmio_refuse(m, VBE_MMIO_BAD_CONFIG, off, true);
	}
	if (size != 4U || (off % 4U) != 0U) {
		return mmio_refuse(m, VBE_MMIO_BAD_WIDTH, off, true);
	}
	switch (off) {
	case VBE_MMIO_DEVICE_FEATURES_SEL:
		m->device_features_sel = v;
		break;
	case VBE_MMIO_DRIVER_FEATURES:
		/* only two words exist; bits written past them would not be offered anyway */
		if (m->driver_features_sel == 0U) {
			set_half(&m->driver_features, false, v);
		} else if (m->driver_features_sel == 1U) {
			set_half(&m->driver_features, true, v);
		} else if (v != 0U) {
			m->driver_features |= 1ULL << 63; /* an unoffered bit: FEATURES_OK fails */
		}
		break;
	case VBE_MMIO_DRIVER_FEATURES_SEL:
		m->driver_features_sel = v;
		break;
	case VBE_MMIO_QUEUE_SEL:
		m->queue_sel = v;
		break;
	case VBE_MMIO_QUEUE_NUM:
	case VBE_MMIO_QUEUE_READY:
	case VBE_MMIO_QUEUE_DESC_LOW:
	case VBE_MMIO_QUEUE_DESC_HIGH:
	case VBE_MMIO_QUEUE_DRIVER_LOW:
	case VBE_MMIO_QUEUE_DRIVER_HIGH:
	case VBE_MMIO_QUEUE_DEVICE_LOW:
	case VBE_MMIO_QUEUE_DEVICE_HIGH:
		return queue_write(m, off, v);
	case VBE_MMIO_QUEUE_NOTIFY:
		/* the queue index (no NOTIFICATION_DATA); served by vbe_mmio_poll() */
		m->stats.notifies++;
		if (v >= m->dev.ops->num_queues) {
			return mmio_refuse(m, VBE_MMIO_BAD_QUEUE, off, true);
		}
		m->queue[v].kicked = true;
		break;
	case VBE_MMIO_INTERRUPT_ACK:
		m->interrupt_status &= ~v;
		if (m->interrupt_status == 0U) {
			m->irq.set(m->irq.ctx, false);
		}
		break;
	case VBE_MMIO_STATUS:
		status_write(m, v);
		break;
	case VBE_MMIO_SHM_SEL:
		break; /* no regions: every selector reads length -1 */
	case VBE_MMIO_MAGIC_VALUE:
	case VBE_MMIO_VERSION:
	case VBE_MMIO_DEVICE_ID:
	case VBE_MMIO_VENDOR_ID:
	case VBE_MMIO_DEVICE_FEATURES:
	case VBE_MMIO_QUEUE_NUM_MAX:
	case VBE_MMIO_INTERRUPT_STATUS:
	case VBE_MMIO_SHM_LEN_LOW:
	case VBE_MMIO_SHM_LEN_HIGH:
	case VBE_MMIO_SHM_BASE_LOW:
	case VBE_MMIO_SHM_BASE_HIGH:
	case VBE_MMIO_CONFIG_GENERATION:
		return mmio_refuse(m, VBE_MMIO_BAD_DIRECTION, off, true);
	default:
		return mmio_refuse(m, VBE_MMIO_BAD_OFFSET, off, true);
	}
	return 0;
}

bool vbe_mmio_poll(struct vbe_mmio *m, bool all)
{
	bool kicked = all || m->more;
	uint32_t before = 0U;
	uint32_t after = 0U;
	uint32_t notify;
	uint32_t broke;

	for (unsigned int q = 0U; q < m->dev.ops->num_queues; q++) {
		kicked = kicked || m->queue[q].kicked;
		m->queue[q].kicked = false;
		before += m->dev.vq[q].popped;
	}
	m->more = false;
	if (!kicked || !vbe_dev_running(&m->dev)) {
		return false;
	}
	notify = vbe_dev_run(&m->dev, &broke);
	if (broke != 0U) {
		mmio_needs_reset(m, (notify & MMIO_QUEUE_BITS) != 0U);
		return true;
	}
	m->more = (notify & VBE_DEV_SERVICE_MORE) != 0U;
	if ((notify & MMIO_QUEUE_BITS) != 0U) {
		mmio_raise(m, VBE_MMIO_INT_VRING);
	}
	for (unsigned int q = 0U; q < m->dev.ops->num_queues; q++) {
		after += m->dev.vq[q].popped;
	}
	return (notify & (VBE_DEV_SERVICE_MORE | VBE_DEV_SERVICE_TOOK | MMIO_QUEUE_BITS)) != 0U ||
	       after != before;
}

bool vbe_mmio_more(const struct vbe_mmio *m)
{
	return m->more;
}
