/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr port, Xen transport (CONFIG_VBE_XEN): each DomU of the generated table
 * (vbe_xen_generated_cfg, vbe/xen_cfg.h) served over its own IOREQ server by the core's
 * vbe_ioreq and vbe_mmio, with this image as Xen's Dom0. The same sequence as the Linux Dom0
 * server (boards/xen_dom0_linux) on Zephyr's Xen layer instead of Xen's libraries:
 *
 *   guest RAM    xendom_add_to_physmap_batch(DOMID_SELF, domid, XENMAPSPACE_gmfn_foreign)
 *                into the extended region (the xen,xen node's reg 1), then device_map()
 *   server       dm_op create_ioreq_server (bufioreq off); XENMEM_acquire_resource maps its
 *                ioreq page at a frame of the extended region; dm_op map_io_range per
 *                device window; dm_op set_ioreq_server_state(1)
 *   vCPUs        bind_interdomain_event_channel(domid, slot's vp_eport, callback)
 *   answers      notify_evtchn(local port); interrupts dm_op set_irq_level(spi, 1)
 *
 * The event channel callbacks run in Zephyr's event upcall interrupt: they only mark the
 * domain and give a semaphore; the service thread (the application's) waits on it with
 * vbe_zephyr_xen_wait() and answers with vbe_zephyr_xen_poll(), which may sleep in the
 * platform's drivers. Everything is static: no heap, at most VBE_SYS_MAX_GUESTS domains of
 * VBE_IOREQ_MAX_VCPUS vCPUs and VBE_IOREQ_MAX_DEVICES devices each.
 */

#include "port_zephyr.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zephyr/arch/arm64/hypercall.h>
#include <zephyr/devicetree.h>
#include <zephyr/kernel.h>
#include <zephyr/kernel/mm.h>
#include <zephyr/logging/log.h>
#include <zephyr/sys/atomic.h>
#include <zephyr/sys/device_mmio.h>
#include <zephyr/sys/util.h>
#include <zephyr/xen/events.h>
#include <zephyr/xen/generic.h>
#include <zephyr/xen/memory.h>
#include <zephyr/xen/public/memory.h>
#include <zephyr/xen/public/xen.h>

#include <vbe/i2c.h>
#include <vbe/ioreq.h>
#include <vbe/memtab.h>
#include <vbe/mmio.h>
#include <vbe/scmi.h>
#include <vbe/sys.h>
#include <vbe/xen_cfg.h>

#include "xen_zephyr.h"

LOG_MODULE_DECLARE(vbe, CONFIG_VBE_LOG_LEVEL);

/*
 * Where DomU frames appear in this domain's physical space: the first extended region of
 * the xen,xen node (reg index 0 is the grant table, 1.. the extended regions, as Xen writes
 * them into Dom0's devicetree and as Zephyr's xen_dom0 snippet asks a board to copy them from
 * Xen's boot log). A frame mapped over RAM would silently replace that RAM.
 */
#define VBE_ZX_HYP DT_INST(0, xen_xen)

BUILD_ASSERT(DT_NUM_REGS(VBE_ZX_HYP) > 1,
	     "CONFIG_VBE_XEN maps DomU frames into an extended region: give the xen,xen node a "
	     "second reg entry (Xen's boot log: \"d0: extended region N: START->END\")");

#define VBE_ZX_EXT_BASE ((uint64_t)DT_REG_ADDR_BY_IDX(VBE_ZX_HYP, 1))
#define VBE_ZX_EXT_SIZE ((uint64_t)DT_REG_SIZE_BY_IDX(VBE_ZX_HYP, 1))

/* RAM mappings start on 2 MiB so the MMU can map them with block descriptors. */
#define VBE_ZX_BLOCK ((uint64_t)2U * 1024U * 1024U)

/* The ioreq pages (one per domain) come first, then each domain's RAM. */
#define VBE_ZX_RAM_BASE (ROUND_UP(VBE_ZX_EXT_BASE + VBE_SYS_MAX_GUESTS * XEN_PAGE_SIZE, VBE_ZX_BLOCK))

BUILD_ASSERT((VBE_ZX_EXT_BASE % XEN_PAGE_SIZE) == 0 && (VBE_ZX_EXT_SIZE % XEN_PAGE_SIZE) == 0,
	     "the extended region must be page aligned");
BUILD_ASSERT(VBE_ZX_RAM_BASE < VBE_ZX_EXT_BASE + VBE_ZX_EXT_SIZE,
	     "the extended region holds no DomU RAM");
/* pending: one bit per domain in an atomic_t */
BUILD_ASSERT(VBE_SYS_MAX_GUESTS <= 32, "one pending bit per domain");

/*
 * Xen's arch-arm.h: memory shared with Xen or another domain must be Normal Inner/Outer
 * Write-Back Inner-Shareable, the DomU's RAM and the ioreq page alike (Zephyr's grant table
 * driver maps its frames the same way).
 */
#define VBE_ZX_MAP_FLAGS (K_MEM_CACHE_WB | K_MEM_PERM_RW)

/* Frames per XENMEM_add_to_physmap_batch call. */
#define VBE_ZX_BATCH 64U

struct vbe_zx_dom;

/** A device's interrupt: its domain and SPI. */
struct vbe_zx_irq {
	struct vbe_zx_dom *dom;
	uint32_t spi;
	uint32_t raised;
	uint32_t failed;
};

/** One DomU served. */
struct vbe_zx_dom {
	const struct vbe_xen_domain *cfg;
	unsigned int index;
	bool live;
	bool have_server;
	uint16_t ioservid;
	unsigned int bound; /* vCPUs whose event channel is bound */
	evtchn_port_t port[VBE_IOREQ_MAX_VCPUS];
	atomic_t events;
	struct vbe_memtab memtab;
	struct vbe_vq_mem mem;
	struct vbe_ioreq_server ioreq;
	struct vbe_mmio mmio[VBE_IOREQ_MAX_DEVICES];
	struct vbe_zx_irq irq[VBE_IOREQ_MAX_DEVICES];
};

static struct {
	const struct vbe_xen_cfg *cfg;
	struct vbe_sys sys;
	struct vbe_zx_dom dom[VBE_SYS_MAX_GUESTS];
	uint64_t ram_next; /* next free byte for DomU RAM in the extended region */
	atomic_t pending;  /* bit i: domain i had an event since the last poll */
	struct k_sem wake;
} vbe_zx;

/* add_to_physmap_batch arguments: static, start-up runs on one thread */
static xen_ulong_t vbe_zx_idxs[VBE_ZX_BATCH];
static xen_pfn_t vbe_zx_gpfns[VBE_ZX_BATCH];
static int vbe_zx_errs[VBE_ZX_BATCH];

static const char *vbe_zx_name(const struct vbe_zx_dom *d)
{
	return (d->cfg->name != NULL) ? d->cfg->name : "?";
}

/* One dm_op with one buffer, the op itself. 0 or a negative Xen errno. */
static int vbe_zx_dm(uint16_t domid, struct vbe_xen_dm_op *op)
{
	struct vbe_xen_dm_op_buf buf = {
		.h = (uint64_t)(uintptr_t)op,
		.size = sizeof(*op),
	};

	return vbe_zephyr_xen_dm_op(domid, 1U, &buf);
}

/* ---- what the core asks of Xen ------------------------------------------------------ */

/* Runs in the event upcall interrupt (drivers/xen/events.c cleared the port's pending bit). */
static void vbe_zx_event(void *priv)
{
	struct vbe_zx_dom *d = priv;

	(void)atomic_inc(&d->events);
	(void)atomic_or(&vbe_zx.pending, (atomic_val_t)BIT(d->index));
	k_sem_give(&vbe_zx.wake);
}

static int vbe_zx_notify(void *ctx, unsigned int vcpu)
{
	struct vbe_zx_dom *d = ctx;

	if (vcpu >= d->bound) {
		return -EINVAL;
	}

	/* void in v4.2.0, int in later trees: either way nothing to act on here */
	(void)notify_evtchn(d->port[vcpu]);

	return 0;
}

static const struct vbe_ioreq_ops vbe_zx_ioreq_ops = {
	.notify = vbe_zx_notify,
};

static void vbe_zx_irq_set(void *ctx, bool level)
{
	struct vbe_zx_irq *irq = ctx;
	struct vbe_zx_dom *d = irq->dom;
	struct vbe_xen_dm_op op = {
		.op = VBE_XEN_DMOP_SET_IRQ_LEVEL,
		.u.irq = {.irq = irq->spi, .level = 1U},
	};
	int rc;

	/* Xen 4.17's vGIC ignores level 0: each event is a new assertion. */
	if (!level || !d->live) {
		return;
	}

	rc = vbe_zx_dm(d->cfg->domid, &op);
	if (rc != 0) {
		irq->failed++;
		LOG_ERR("xen: dom %u: SPI %u not raised: Xen error %d", (unsigned int)d->cfg->domid,
			(unsigned int)irq->spi, rc);
		return;
	}

	irq->raised++;
}

/* ---- setting a domain up ------------------------------------------------------------ */

static int vbe_zx_map_ram(struct vbe_zx_dom *d)
{
	const struct vbe_xen_domain *c = d->cfg;
	const uint64_t ext_end = VBE_ZX_EXT_BASE + VBE_ZX_EXT_SIZE;
	const uint64_t pages = c->ram_size / XEN_PAGE_SIZE;
	uint64_t phys = vbe_zx.ram_next;
	mm_reg_t virt = 0U;
	int rc;

	if ((c->ram_size == 0U) || ((c->ram_size % XEN_PAGE_SIZE) != 0U) ||
	    ((c->ram_base % XEN_PAGE_SIZE) != 0U)) {
		LOG_ERR("xen: dom %u: RAM 0x%llx+0x%llx is not whole pages", (unsigned int)c->domid,
			(unsigned long long)c->ram_base, (unsigned long long)c->ram_size);
		return -EINVAL;
	}

	if ((phys > ext_end) || (c->ram_size > ext_end - phys)) {
		LOG_ERR("xen: dom %u: %llu MiB of RAM do not fit the extended region "
			"0x%llx+0x%llx (%llu MiB left)",
			(unsigned int)c->domid, (unsigned long long)(c->ram_size >> 20),
			(unsigned long long)VBE_ZX_EXT_BASE, (unsigned long long)VBE_ZX_EXT_SIZE,
			(unsigned long long)((phys < ext_end) ? (ext_end - phys) >> 20 : 0U));
		return -ENOSPC;
	}

	/* Taken now, so a domain that fails half-way never shares frames with the next one. */
	vbe_zx.ram_next = ROUND_UP(phys + c->ram_size, VBE_ZX_BLOCK);

	for (uint64_t done = 0U; done < pages;) {
		unsigned int n = (unsigned int)MIN(pages - done, (uint64_t)VBE_ZX_BATCH);

		for (unsigned int k = 0U; k < n; k++) {
			vbe_zx_idxs[k] = (xen_ulong_t)(c->ram_base / XEN_PAGE_SIZE + done + k);
			vbe_zx_gpfns[k] = (xen_pfn_t)(phys / XEN_PAGE_SIZE + done + k);
			vbe_zx_errs[k] = 0;
		}

		rc = xendom_add_to_physmap_batch(DOMID_SELF, c->domid, XENMAPSPACE_gmfn_foreign, n,
						 vbe_zx_idxs, vbe_zx_gpfns, vbe_zx_errs);
		if (rc != 0) {
			LOG_ERR("xen: dom %u: mapping RAM page 0x%llx: Xen error %d",
				(unsigned int)c->domid,
				(unsigned long long)(c->ram_base + done * XEN_PAGE_SIZE), rc);
			return -EIO;
		}

		for (unsigned int k = 0U; k < n; k++) {
			if (vbe_zx_errs[k] != 0) {
				LOG_ERR("xen: dom %u: RAM page 0x%llx: Xen error %d",
					(unsigned int)c->domid,
					(unsigned long long)(c->ram_base + (done + k) * XEN_PAGE_SIZE),
					vbe_zx_errs[k]);
				return -EIO;
			}
		}

		done += n;
	}

	/* Panics if the kernel cannot map it (CONFIG_KERNEL_VM_SIZE); checked all the same. */
	device_map(&virt, (uintptr_t)phys, (size_t)c->ram_size, VBE_ZX_MAP_FLAGS);
	if (virt == 0U) {
		return -ENOMEM;
	}

	vbe_memtab_clear(&d->memtab);
	rc = vbe_memtab_add(&d->memtab, c->ram_base, c->ram_size, c->ram_base, (void *)virt);
	if (rc != 0) {
		return rc;
	}
	vbe_memtab_vq_mem(&d->memtab, &d->mem);

	LOG_INF("xen: dom %u '%s': RAM 0x%llx (%llu MiB) at 0x%llx, mapped at %p",
		(unsigned int)c->domid, vbe_zx_name(d), (unsigned long long)c->ram_base,
		(unsigned long long)(c->ram_size >> 20), (unsigned long long)phys, (void *)virt);
	return 0;
}

static int vbe_zx_server(struct vbe_zx_dom *d)
{
	const struct vbe_xen_domain *c = d->cfg;
	uint64_t phys = VBE_ZX_EXT_BASE + (uint64_t)d->index * XEN_PAGE_SIZE;
	xen_pfn_t gfn = (xen_pfn_t)(phys / XEN_PAGE_SIZE);
	struct vbe_xen_dm_op op = {
		.op = VBE_XEN_DMOP_CREATE_IOREQ_SERVER,
		.u.create = {.handle_bufioreq = VBE_XEN_HVM_IOREQSRV_BUFIOREQ_OFF},
	};
	struct vbe_xen_acquire_resource res;
	mm_reg_t virt = 0U;
	int rc;

	rc = vbe_zx_dm(c->domid, &op);
	if (rc != 0) {
		LOG_ERR("xen: dom %u: create_ioreq_server: Xen error %d%s", (unsigned int)c->domid,
			rc, (rc == -VBE_XEN_ENOSYS) ? " (a hypervisor built without CONFIG_IOREQ_SERVER)"
						    : "");
		return -EIO;
	}
	d->ioservid = op.u.create.id;
	d->have_server = true;

	/* An auto-translated caller names the frame where the page is to appear. */
	res = (struct vbe_xen_acquire_resource){
		.domid = c->domid,
		.type = VBE_XENMEM_RESOURCE_IOREQ_SERVER,
		.id = d->ioservid,
		.nr_frames = 1U,
		.frame = VBE_XENMEM_RESOURCE_IOREQ_FRAME(0U),
		.frame_list = (uint64_t)(uintptr_t)&gfn,
	};
	rc = HYPERVISOR_memory_op(VBE_XENMEM_ACQUIRE_RESOURCE, &res);
	if ((rc != 0) || (res.nr_frames != 1U)) {
		LOG_ERR("xen: dom %u: acquiring the ioreq page of server %u: Xen error %d",
			(unsigned int)c->domid, (unsigned int)d->ioservid, rc);
		return -EIO;
	}

	device_map(&virt, (uintptr_t)phys, XEN_PAGE_SIZE, VBE_ZX_MAP_FLAGS);
	if (virt == 0U) {
		return -ENOMEM;
	}

	return vbe_ioreq_init(&d->ioreq, (void *)virt, c->vcpus, &vbe_zx_ioreq_ops, d);
}

static int vbe_zx_devices(struct vbe_zx_dom *d)
{
	const struct vbe_xen_domain *c = d->cfg;

	for (unsigned int k = 0U; k < c->dev_count; k++) {
		const struct vbe_xen_dev *x = &c->devs[k];
		const struct vbe_mmio_irq irq = {.set = vbe_zx_irq_set, .ctx = &d->irq[k]};
		const struct vbe_dev_ops *ops;
		void *be;
		int rc;

		d->irq[k] = (struct vbe_zx_irq){.dom = d, .spi = x->spi};
		rc = vbe_sys_device(&vbe_zx.sys, c->guest, x->kind, &ops, &be);
		if (rc == 0) {
			/* no grants here: vbe_zx_dom_start() leaves such a domain unserved */
			rc = vbe_ioreq_bind(&d->ioreq, &d->mmio[k], x->base, ops, be, &d->mem, &irq,
					    false);
		}
		if (rc != 0) {
			LOG_ERR("xen: dom %u: device %u (kind %u, guest '%s') at 0x%llx: %d",
				(unsigned int)c->domid, k, (unsigned int)x->kind, vbe_zx_name(d),
				(unsigned long long)x->base, rc);
			return rc;
		}
	}

	return 0;
}

static int vbe_zx_claim_and_enable(struct vbe_zx_dom *d)
{
	const struct vbe_xen_domain *c = d->cfg;
	struct vbe_xen_dm_op op;
	int rc;

	for (unsigned int k = 0U; k < c->dev_count; k++) {
		const uint64_t base = c->devs[k].base;

		op = (struct vbe_xen_dm_op){
			.op = VBE_XEN_DMOP_MAP_IO_RANGE_TO_IOREQ_SERVER,
			.u.range = {.id = d->ioservid,
				    .type = VBE_XEN_DMOP_IO_RANGE_MEMORY,
				    .start = base,
				    .end = base + VBE_MMIO_WINDOW_SIZE - 1U},
		};
		rc = vbe_zx_dm(c->domid, &op);
		if (rc != 0) {
			LOG_ERR("xen: dom %u: claiming 0x%llx: Xen error %d", (unsigned int)c->domid,
				(unsigned long long)base, rc);
			return -EIO;
		}
	}

	op = (struct vbe_xen_dm_op){
		.op = VBE_XEN_DMOP_SET_IOREQ_SERVER_STATE,
		.u.state = {.id = d->ioservid, .enabled = 1U},
	};
	rc = vbe_zx_dm(c->domid, &op);
	if (rc != 0) {
		LOG_ERR("xen: dom %u: enabling server %u: Xen error %d", (unsigned int)c->domid,
			(unsigned int)d->ioservid, rc);
		return -EIO;
	}

	return 0;
}

/* Each vCPU's channel, from its slot of the ioreq page (meaningful once the server is on). */
static int vbe_zx_bind(struct vbe_zx_dom *d)
{
	const struct vbe_xen_domain *c = d->cfg;

	for (unsigned int v = 0U; v < c->vcpus; v++) {
		uint32_t remote = vbe_ioreq_vcpu_port(&d->ioreq, v);
		int port = bind_interdomain_event_channel(c->domid, remote, vbe_zx_event, d);

		if (port < 0) {
			LOG_ERR("xen: dom %u: binding vCPU %u's channel %u: Xen error %d",
				(unsigned int)c->domid, v, (unsigned int)remote, port);
			return -EIO;
		}
		d->port[v] = (evtchn_port_t)port;
		d->bound = v + 1U;
	}

	return 0;
}

static void vbe_zx_stop(struct vbe_zx_dom *d)
{
	struct vbe_xen_dm_op op;

	d->live = false;
	for (unsigned int v = 0U; v < d->bound; v++) {
		(void)unbind_event_channel(d->port[v]);
		(void)evtchn_close(d->port[v]);
	}
	d->bound = 0U;

	if (d->have_server) {
		/* Its ranges go with it; the domain's accesses fault again instead of waiting. */
		op = (struct vbe_xen_dm_op){
			.op = VBE_XEN_DMOP_DESTROY_IOREQ_SERVER,
			.u.destroy = {.id = d->ioservid},
		};
		(void)vbe_zx_dm(d->cfg->domid, &op);
		d->have_server = false;
	}
}

static int vbe_zx_dom_start(struct vbe_zx_dom *d)
{
	const struct vbe_xen_domain *c = d->cfg;
	int rc;

	if ((c->vcpus == 0U) || (c->vcpus > VBE_IOREQ_MAX_VCPUS) ||
	    (c->dev_count > VBE_IOREQ_MAX_DEVICES) || (c->guest >= vbe_zx.cfg->sys->guest_count)) {
		LOG_ERR("xen: dom %u: %u vCPU(s), %u device(s), guest %u: this port serves 1..%u "
			"vCPUs, up to %u devices, guests of the system",
			(unsigned int)c->domid, (unsigned int)c->vcpus, (unsigned int)c->dev_count,
			(unsigned int)c->guest, (unsigned int)VBE_IOREQ_MAX_VCPUS,
			(unsigned int)VBE_IOREQ_MAX_DEVICES);
		return -EINVAL;
	}
	if (c->grants != 0U) {
		/* its drivers hand out grant references, which this port does not map */
		LOG_ERR("xen: dom %u: uses grants (xen: {grants: true}), which this port does not "
			"map: left unserved", (unsigned int)c->domid);
		return -ENOTSUP;
	}

	rc = vbe_zx_map_ram(d);
	if (rc == 0) {
		rc = vbe_zx_server(d);
	}
	if (rc == 0) {
		rc = vbe_zx_devices(d);
	}
	if (rc == 0) {
		rc = vbe_zx_claim_and_enable(d);
	}
	if (rc == 0) {
		rc = vbe_zx_bind(d);
	}
	if (rc != 0) {
		return rc;
	}

	d->live = true;
	LOG_INF("xen: dom %u '%s': ioreq server %u, %u vCPU(s), %u device(s)",
		(unsigned int)c->domid, vbe_zx_name(d), (unsigned int)d->ioservid,
		(unsigned int)c->vcpus, (unsigned int)c->dev_count);
	for (unsigned int k = 0U; k < c->dev_count; k++) {
		LOG_INF("xen: dom %u '%s': %s at 0x%llx, SPI %u", (unsigned int)c->domid,
			vbe_zx_name(d), (c->devs[k].kind == VBE_XEN_DEV_SCMI) ? "virtio-scmi"
										 : "virtio-i2c",
			(unsigned long long)c->devs[k].base, (unsigned int)c->devs[k].spi);
	}
	return 0;
}

int vbe_zephyr_xen_start(const struct vbe_xen_cfg *cfg, const struct vbe_plat *plat)
{
	int served = 0;
	int rc;

	if ((cfg == NULL) || (plat == NULL) || (cfg->sys == NULL) ||
	    (cfg->domain_count > VBE_SYS_MAX_GUESTS)) {
		LOG_ERR("xen: a table of %u domains, this port serves up to %u",
			(cfg != NULL) ? (unsigned int)cfg->domain_count : 0U,
			(unsigned int)VBE_SYS_MAX_GUESTS);
		return -EINVAL;
	}

	(void)k_sem_init(&vbe_zx.wake, 0U, 1U);
	(void)atomic_set(&vbe_zx.pending, 0);
	vbe_zx.cfg = cfg;
	vbe_zx.ram_next = VBE_ZX_RAM_BASE;

	rc = vbe_sys_init_devices(&vbe_zx.sys, cfg->sys, plat);
	if (rc != 0) {
		LOG_ERR("xen: system '%s': devices not set up (%d)",
			(cfg->sys->name != NULL) ? cfg->sys->name : "?", rc);
		return rc;
	}

	LOG_INF("xen: extended region 0x%llx (%llu MiB) for DomU frames",
		(unsigned long long)VBE_ZX_EXT_BASE, (unsigned long long)(VBE_ZX_EXT_SIZE >> 20));

	for (unsigned int i = 0U; i < cfg->domain_count; i++) {
		struct vbe_zx_dom *d = &vbe_zx.dom[i];

		d->cfg = &cfg->domains[i];
		d->index = i;
		if (d->cfg->dev_count == 0U) {
			continue;
		}

		if (vbe_zx_dom_start(d) != 0) {
			LOG_ERR("xen: dom %u '%s': not served", (unsigned int)d->cfg->domid,
				vbe_zx_name(d));
			vbe_zx_stop(d);
			continue;
		}
		served++;
	}

	return served;
}

void vbe_zephyr_xen_wait(void)
{
	(void)k_sem_take(&vbe_zx.wake, K_FOREVER);
}

bool vbe_zephyr_xen_poll(void)
{
	/* Take the marks first: an event after this gives the semaphore again. */
	const atomic_val_t pending = atomic_set(&vbe_zx.pending, 0);
	bool worked = false;

	if (vbe_zx.cfg == NULL) {
		return false;
	}

	for (unsigned int i = 0U; i < vbe_zx.cfg->domain_count; i++) {
		struct vbe_zx_dom *d = &vbe_zx.dom[i];

		if (!d->live) {
			continue;
		}
		if (((pending & (atomic_val_t)BIT(i)) != 0) || vbe_ioreq_more(&d->ioreq)) {
			worked = vbe_ioreq_poll(&d->ioreq, false) || worked;
		}
		if (vbe_ioreq_more(&d->ioreq)) {
			/* its budget was spent: serve it again after the others, without an event */
			(void)atomic_or(&vbe_zx.pending, (atomic_val_t)BIT(i));
			k_sem_give(&vbe_zx.wake);
		}
	}

	return worked;
}

int vbe_zephyr_xen_dom_stats(unsigned int i, struct vbe_zephyr_xen_dom_stats *out)
{
	const struct vbe_zx_dom *d;

	if ((vbe_zx.cfg == NULL) || (i >= vbe_zx.cfg->domain_count) || (out == NULL)) {
		return -ENOENT;
	}

	d = &vbe_zx.dom[i];
	*out = (struct vbe_zephyr_xen_dom_stats){
		.domid = d->cfg->domid,
		.live = d->live,
		.events = (uint32_t)atomic_get(&d->events),
	};
	for (unsigned int k = 0U; k < d->cfg->dev_count; k++) {
		out->irqs_raised += d->irq[k].raised;
		out->irqs_failed += d->irq[k].failed;
	}

	return 0;
}
