/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe-xen, one DomU served: what the core asks of Xen (event channel notify, the device's
 * SPI, grant map and unmap through libxengnttab), the DomU's RAM mapped frame by frame as the
 * devices reach it (vbe_memtab_lazy over xenforeignmemory_map2), its IOREQ server and
 * devices set up and torn down, a domain that went away (VIRQ_DOM_EXC), and the passes that
 * run devices outside an event (a spent budget, a control command).
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define __XEN_TOOLS__ 1
#include <xencall.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xengnttab.h>
#include <xen/domctl.h>
#include <xen/hvm/hvm_op.h>
#include <xen/memory.h>

#include <vbe/port.h>

#include "xen_port.h"

#define VX_PAGE 4096U
#define VX_PAGE_SHIFT 12U
#define VX_MAP_BATCH 256U /* frames per xenforeignmemory_map2() call */

static uint64_t vx_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000U + (uint64_t)ts.tv_nsec;
}

/* ---- what the core asks of Xen ------------------------------------------------------- */

static int vx_notify(void *ctx, unsigned int vcpu)
{
	struct vx_dom *d = ctx;

	if (xenevtchn_notify(d->srv->xce, d->local_port[vcpu]) != 0) {
		VBE_LOG(VBE_LOG_ERR, "dom %u: notify vcpu %u: %s", d->cfg->domid, vcpu,
			strerror(errno));
		return -errno;
	}
	return 0;
}

static const struct vbe_ioreq_ops vx_ioreq_ops = {
	.notify = vx_notify,
};

static void vx_irq_set(void *ctx, bool level)
{
	struct vx_irq *irq = ctx;
	struct vx_dom *d = irq->dom;

	if (!level || !d->live) {
		return; /* Xen 4.17's vGIC ignores level 0: each event is a new assertion */
	}
	if (xendevicemodel_set_irq_level(d->srv->dm, d->cfg->domid, irq->spi, 1) != 0) {
		irq->failed++;
		VBE_LOG(VBE_LOG_ERR, "dom %u: SPI %u: %s", d->cfg->domid, irq->spi, strerror(errno));
		return;
	}
	irq->raised++;
}

/*
 * Grants (vbe/gnt.h): a run of consecutive references of the domain, mapped by gntdev into
 * pages of our own (IOCTL_GNTDEV_MAP_GRANT_REF, then mmap: GNTTABOP_map_grant_ref), unmapped
 * at release. Each call is timed: the figures of docs/xen.md.
 */
static void *vx_gnt_map(void *ctx, uint32_t first, uint32_t count, bool write)
{
	struct vx_dom *d = ctx;
	uint32_t refs[VBE_GNT_MAP_PAGES_MAX];
	uint64_t t0 = vx_now_ns();
	void *pages;

	for (uint32_t i = 0U; i < count; i++) {
		refs[i] = first + i;
	}
	pages = xengnttab_map_domain_grant_refs(d->srv->xgt, count, d->cfg->domid, refs,
						write ? PROT_READ | PROT_WRITE : PROT_READ);
	d->gnt_map_ns += vx_now_ns() - t0;
	if (pages == NULL && d->gnt.stats.refused[VBE_GNT_MAP_FAILED] < 8U) {
		VBE_LOG(VBE_LOG_WRN, "dom %u: grant %u+%u (%s) not mapped: %s", d->cfg->domid, first,
			count, write ? "rw" : "ro", strerror(errno));
	}
	return pages;
}

static void vx_gnt_unmap(void *ctx, void *pages, uint32_t count)
{
	struct vx_dom *d = ctx;
	uint64_t t0 = vx_now_ns();

	if (xengnttab_unmap(d->srv->xgt, pages, count) != 0) {
		VBE_LOG(VBE_LOG_ERR, "dom %u: unmapping %u grant pages: %s", d->cfg->domid, count,
			strerror(errno));
	}
	d->gnt_unmap_ns += vx_now_ns() - t0;
}

static const struct vbe_gnt_ops vx_gnt_ops = {
	.map = vx_gnt_map,
	.unmap = vx_gnt_unmap,
};

/* ---- setting a domain up ----------------------------------------------------------------- */

/* ---- the DomU's RAM, mapped frame by frame as the devices reach it -------------------- */

/* Address space where nothing is mapped: [addr, addr + len) back to a PROT_NONE reservation. */
static void vx_reserve_again(void *addr, size_t len)
{
	(void)mmap(addr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
		   -1, 0);
}

/* vbe_memtab_map_fn: frames [f, f + n) of the bank (none mapped yet) at their place. */
static int vx_map_run(void *ctx, uint64_t f, uint64_t n)
{
	static xen_pfn_t gfns[VX_MAP_BATCH]; /* one thread: the loop's */
	static int errs[VX_MAP_BATCH];
	struct vx_dom *d = ctx;
	const struct vbe_xen_domain *c = d->cfg;
	uint8_t *at = d->ram + (f << VX_PAGE_SHIFT);
	void *got;

	if (n > VX_MAP_BATCH) {
		return -EINVAL;
	}
	for (uint64_t i = 0U; i < n; i++) {
		gfns[i] = (xen_pfn_t)((c->ram_base >> VX_PAGE_SHIFT) + f + i);
		errs[i] = 0;
	}
	got = xenforeignmemory_map2(d->srv->fmem, c->domid, at, PROT_READ | PROT_WRITE, MAP_FIXED,
				    (size_t)n, gfns, errs);
	if (got != at) {
		int rc = errno != 0 ? -errno : -EFAULT;

		VBE_LOG(VBE_LOG_ERR, "dom %u: mapping its frames %#llx+%llu: %s", c->domid,
			(unsigned long long)((c->ram_base >> VX_PAGE_SHIFT) + f),
			(unsigned long long)n, strerror(-rc));
		if (got != NULL) {
			(void)munmap(got, (size_t)(n << VX_PAGE_SHIFT));
		}
		vx_reserve_again(at, (size_t)(n << VX_PAGE_SHIFT));
		return rc;
	}
	for (uint64_t i = 0U; i < n; i++) {
		if (errs[i] != 0) {
			VBE_LOG(VBE_LOG_ERR, "dom %u: RAM frame %#llx: %s", c->domid,
				(unsigned long long)gfns[i], strerror(-errs[i]));
			vx_reserve_again(at, (size_t)(n << VX_PAGE_SHIFT));
			return errs[i];
		}
	}
	return 0;
}

/* Address space for the whole bank (nothing mapped in it yet): vbe_memtab_lazy maps on use. */
static int vx_reserve_ram(struct vx_dom *d)
{
	const struct vbe_xen_domain *c = d->cfg;
	uint64_t words = ((c->ram_size >> VX_PAGE_SHIFT) + 63U) / 64U;
	void *ram;
	int rc;

	if (c->ram_size == 0U || (c->ram_size % VX_PAGE) != 0U || (c->ram_base % VX_PAGE) != 0U ||
	    c->ram_size > SIZE_MAX) {
		VBE_LOG(VBE_LOG_ERR, "dom %u: RAM %#llx+%#llx: want whole pages", c->domid,
			(unsigned long long)c->ram_base, (unsigned long long)c->ram_size);
		return -EINVAL;
	}
	ram = mmap(NULL, (size_t)c->ram_size, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	d->ram_map = calloc((size_t)words, sizeof(*d->ram_map));
	if (ram == MAP_FAILED || d->ram_map == NULL) {
		VBE_LOG(VBE_LOG_ERR, "dom %u: no address space for %llu MiB of RAM", c->domid,
			(unsigned long long)(c->ram_size >> 20));
		if (ram != MAP_FAILED) {
			(void)munmap(ram, (size_t)c->ram_size);
		}
		free(d->ram_map);
		d->ram_map = NULL;
		return -ENOMEM;
	}
	d->ram = ram;
	rc = vbe_memtab_lazy_init(&d->lazy, c->ram_base, c->ram_size, d->ram, d->ram_map, words,
				  VX_MAP_BATCH, vx_map_run, d);
	vbe_memtab_lazy_vq_mem(&d->lazy, &d->mem);
	return rc;
}

static int vx_devices(struct vx_dom *d)
{
	struct vx_server *s = d->srv;
	const struct vbe_xen_domain *c = d->cfg;

	for (unsigned int k = 0U; k < c->dev_count; k++) {
		const struct vbe_xen_dev *x = &c->devs[k];
		const struct vbe_mmio_irq irq = { .set = vx_irq_set, .ctx = &d->irq[k] };
		const struct vbe_dev_ops *ops;
		void *be;
		int rc;

		d->irq[k] = (struct vx_irq){ .dom = d, .spi = x->spi };
		rc = vbe_sys_device(&s->sys, c->guest, x->kind, &ops, &be);
		if (rc == 0) {
			rc = vbe_ioreq_bind(&d->ioreq, &d->mmio[k], x->base, ops, be, &d->mem, &irq,
					    c->grants != 0U);
		}
		if (rc != 0) {
			VBE_LOG(VBE_LOG_ERR, "dom %u: device %u (kind %u) at %#llx: %d", c->domid, k,
				x->kind, (unsigned long long)x->base, rc);
			return rc;
		}
	}
	return 0;
}

int vx_dom_start(struct vx_dom *d)
{
	struct vx_server *s = d->srv;
	const struct vbe_xen_domain *c = d->cfg;
	ioservid_t id;
	int rc = 0;

	if (c->vcpus == 0U || c->vcpus > VBE_IOREQ_MAX_VCPUS) {
		VBE_LOG(VBE_LOG_ERR, "dom %u: %u vCPUs, vbe-xen serves 1..%u", c->domid, c->vcpus,
			VBE_IOREQ_MAX_VCPUS);
		return -EINVAL;
	}
	if (c->grants) {
		/* nothing of the guest is mapped until it grants it */
		(void)vbe_gnt_init(&d->gnt, &vx_gnt_ops, d);
		vbe_gnt_vq_mem(&d->gnt, &d->mem);
	} else {
		rc = vx_reserve_ram(d);
	}
	if (rc != 0) {
		return rc;
	}
	if (xendevicemodel_create_ioreq_server(s->dm, c->domid, HVM_IOREQSRV_BUFIOREQ_OFF, &id)) {
		rc = -errno;
		VBE_LOG(VBE_LOG_ERR, "dom %u: create_ioreq_server: %s%s", c->domid, strerror(errno),
			errno == ENOSYS ? " (a hypervisor built without CONFIG_IOREQ_SERVER)" : "");
		return rc;
	}
	d->ioservid = id;
	d->res = xenforeignmemory_map_resource(s->fmem, c->domid, XENMEM_resource_ioreq_server, id,
					       XENMEM_resource_ioreq_server_frame_ioreq(0), 1,
					       &d->page, PROT_READ | PROT_WRITE, 0);
	if (d->res == NULL) {
		rc = -errno;
		VBE_LOG(VBE_LOG_ERR, "dom %u: mapping the ioreq page: %s", c->domid, strerror(errno));
		return rc;
	}
	rc = vbe_ioreq_init(&d->ioreq, d->page, c->vcpus, &vx_ioreq_ops, d);
	if (rc == 0) {
		rc = vx_devices(d);
	}
	if (rc != 0) {
		return rc;
	}
	for (unsigned int k = 0U; k < c->dev_count; k++) {
		uint64_t base = c->devs[k].base;

		if (xendevicemodel_map_io_range_to_ioreq_server(s->dm, c->domid, id, 1, base,
								base + VBE_MMIO_WINDOW_SIZE - 1U)) {
			rc = -errno;
			VBE_LOG(VBE_LOG_ERR, "dom %u: claiming %#llx: %s", c->domid,
				(unsigned long long)base, strerror(errno));
			return rc;
		}
	}
	if (xendevicemodel_set_ioreq_server_state(s->dm, c->domid, id, 1)) {
		rc = -errno;
		VBE_LOG(VBE_LOG_ERR, "dom %u: enabling the server: %s", c->domid, strerror(errno));
		return rc;
	}
	for (unsigned int v = 0U; v < c->vcpus; v++) {
		xenevtchn_port_or_error_t p =
			xenevtchn_bind_interdomain(s->xce, c->domid, vbe_ioreq_vcpu_port(&d->ioreq, v));

		if (p < 0) {
			rc = -errno;
			VBE_LOG(VBE_LOG_ERR, "dom %u: binding vCPU %u's channel %u: %s", c->domid, v,
				vbe_ioreq_vcpu_port(&d->ioreq, v), strerror(errno));
			return rc;
		}
		d->local_port[v] = (uint32_t)p;
	}
	d->live = true;
	printf("vbe-xen: ready domid=%u guest=%s vcpus=%u devices=%u ram=%lluMiB grants=%u ms=%llu\n",
	       c->domid, c->name, c->vcpus, c->dev_count,
	       (unsigned long long)(c->grants ? 0U : c->ram_size >> 20), c->grants,
	       (unsigned long long)((vbe_port_time_us() - s->started_us) / 1000U));
	fflush(stdout);
	return 0;
}

void vx_dom_stop(struct vx_dom *d)
{
	struct vx_server *s = d->srv;
	const struct vbe_xen_domain *c = d->cfg;

	if (d->live) {
		(void)xendevicemodel_set_ioreq_server_state(s->dm, c->domid, d->ioservid, 0);
		(void)xendevicemodel_destroy_ioreq_server(s->dm, c->domid, d->ioservid);
		for (unsigned int v = 0U; v < c->vcpus; v++) {
			(void)xenevtchn_unbind(s->xce, d->local_port[v]);
		}
	}
	d->live = false;
	/* a device reset: the backend forgets the driver (an SCMI agent's votes go), and what
	 * it mapped of the guest's grants goes back */
	for (unsigned int k = 0U; k < c->dev_count; k++) {
		if (d->mmio[k].dev.ops != NULL) {
			(void)vbe_mmio_write(&d->mmio[k], VBE_MMIO_STATUS, 4U, 0U);
		}
	}
	if (c->grants && d->gnt.stats.live != 0U) {
		VBE_LOG(VBE_LOG_ERR, "dom %u: %u grant mappings left after the reset", c->domid,
			d->gnt.stats.live);
	}
	if (d->res != NULL) {
		(void)xenforeignmemory_unmap_resource(s->fmem, d->res);
		d->res = NULL;
		d->page = NULL;
	}
	if (d->ram != NULL) {
		/* the mapped frames and the reservation around them: the domain's pages stay
		 * referenced (a zombie domain) until they go */
		(void)munmap(d->ram, (size_t)c->ram_size);
		d->ram = NULL;
		vbe_memtab_lazy_forget(&d->lazy);
	}
	free(d->ram_map);
	d->ram_map = NULL;
}

int vx_dom_destroy(struct vx_dom *d)
{
	struct xen_domctl *dc;
	int rc;

	vx_dom_stop(d);
	dc = xencall_alloc_buffer(d->srv->call, sizeof(*dc));
	if (dc == NULL) {
		return -ENOMEM;
	}
	memset(dc, 0, sizeof(*dc));
	dc->cmd = XEN_DOMCTL_destroydomain;
	dc->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
	dc->domain = d->cfg->domid;
	rc = xencall1(d->srv->call, __HYPERVISOR_domctl, (uint64_t)(uintptr_t)dc);
	rc = rc < 0 ? -errno : 0;
	xencall_free_buffer(d->srv->call, dc);
	VBE_LOG(rc == 0 ? VBE_LOG_INF : VBE_LOG_ERR, "dom %u: destroyed: %d", d->cfg->domid, rc);
	return rc;
}

/*
 * Is the domain still there and running? (XEN_DOMCTL_getdomaininfo) 1 running; 0 gone,
 * dying or shut down (@p flags: Xen's XEN_DOMINF_*); <0 Xen did not say (its error).
 */
static int vx_dom_alive(struct vx_dom *d, uint32_t *flags)
{
	struct xen_domctl *dc;
	int rc;

	*flags = 0U;
	dc = xencall_alloc_buffer(d->srv->call, sizeof(*dc));
	if (dc == NULL) {
		return -ENOMEM;
	}
	memset(dc, 0, sizeof(*dc));
	dc->cmd = XEN_DOMCTL_getdomaininfo;
	dc->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
	dc->domain = d->cfg->domid;
	rc = xencall1(d->srv->call, __HYPERVISOR_domctl, (uint64_t)(uintptr_t)dc);
	if (rc < 0 && errno == ESRCH) {
		rc = 0; /* no such domain */
	} else if (rc < 0) {
		rc = -errno;
	} else if (dc->u.getdomaininfo.domain != d->cfg->domid) {
		rc = 0; /* Xen answered for the next domain: ours is gone */
	} else {
		*flags = dc->u.getdomaininfo.flags;
		rc = (*flags & (XEN_DOMINF_dying | XEN_DOMINF_shutdown)) == 0U ? 1 : 0;
	}
	xencall_free_buffer(d->srv->call, dc);
	return rc;
}

/* VIRQ_DOM_EXC: a domain shut down or died. Stop serving it (its votes go); one that shut
 * itself down and is not dying yet is destroyed, as no toolstack runs here to do it. */
void vx_dom_exc(struct vx_server *s)
{
	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		struct vx_dom *d = &s->dom[i];
		uint32_t flags;
		int alive;

		if (!d->live) {
			continue;
		}
		alive = vx_dom_alive(d, &flags);
		if (alive != 0) {
			if (alive < 0) {
				VBE_LOG(VBE_LOG_WRN, "dom %u: getdomaininfo: %d; still served",
					d->cfg->domid, alive);
			}
			continue;
		}
		printf("vbe-xen: domain %u (%s) gone (flags %#x): devices reset\n", d->cfg->domid,
		       d->cfg->name, (unsigned int)flags);
		if ((flags & XEN_DOMINF_shutdown) != 0U && (flags & XEN_DOMINF_dying) == 0U) {
			(void)vx_dom_destroy(d);
		} else {
			vx_dom_stop(d);
		}
	}
}

/* Another pass for every device that spent its budget; returns whether any still has more. */
bool vx_run_more(struct vx_server *s)
{
	bool more = false;

	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		struct vx_dom *d = &s->dom[i];

		if (d->live && vbe_ioreq_more(&d->ioreq)) {
			(void)vbe_ioreq_poll(&d->ioreq, false);
			more = more || vbe_ioreq_more(&d->ioreq);
		}
	}
	return more;
}

bool vx_run_all(struct vx_server *s)
{
	bool worked = false;

	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		struct vx_dom *d = &s->dom[i];

		for (unsigned int k = 0U; d->live && k < d->cfg->dev_count; k++) {
			worked = vbe_mmio_poll(&d->mmio[k], true) || worked;
		}
	}
	return worked;
}
