/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe-xen: the Linux Dom0 server. Serves the virtio-scmi and virtio-i2c devices of every
 * DomU of a system description (vbe_xen_generated_cfg) over Xen's IOREQ interface, one
 * simulated platform for all of them, with the portable core's vbe_ioreq and vbe_mmio.
 *
 * Per domain: create an IOREQ server, map its ioreq page (xenforeignmemory_map_resource),
 * claim each device's window (map_io_range_to_ioreq_server), enable it, bind each vCPU's
 * event channel; reserve address space for the guest's RAM, whose frames are mapped when a
 * ring or buffer first reaches them (vbe_memtab_lazy: mapping all of it at start took about 9 s
 * per 128 MiB on a loaded host; a driver's rings and buffers are a few dozen frames), or, for
 * a guest that hands out grant references (vbe_xen_domain.grants), map nothing of its RAM and
 * let vbe_gnt map each ring and buffer it is granted, per use (libxengnttab). Then
 * one loop: an event on a vCPU's channel -> vbe_ioreq_handle() answers the trapped access
 * and vbe_ioreq_poll() runs the devices; a device interrupt is
 * xendevicemodel_set_irq_level(domid, spi, 1) per event (Xen 4.17's vGIC ignores level 0).
 * After each control command every device runs once (a platform command may have queued an
 * SCMI notification). VIRQ_DOM_EXC says a domain shut down or died: one that is gone stops
 * being served (its devices reset: its SCMI votes go), and one that powered itself off is
 * destroyed (dom0less: there is no toolstack to do it).
 *
 *   vbe-xen [--ctl SOCKET]        serve; print "vbe-xen: ready ..." per domain, then
 *                                 "vbe-xen: serving N domains"
 *   vbe-xen ctl [--ctl SOCKET] CMD ...   one control command (vx_ctl_run) to a running server
 *
 * SIGUSR1 prints the statistics; SIGTERM/SIGINT print them and stop (every domain's server
 * is destroyed, so its vCPUs no longer trap to us).
 */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define __XEN_TOOLS__ 1
#include <xencall.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xengnttab.h>
#include <xen/domctl.h>
#include <xen/hvm/hvm_op.h>
#include <xen/memory.h>

#include <vbe/i2c.h>
#include <vbe/port.h>
#include <vbe/scmi.h>

#include "xen_port.h"

#define VX_CTL_DEFAULT "/run/vbe-xen.sock"
#define VX_PAGE 4096U
#define VX_PAGE_SHIFT 12U
#define VX_MAP_BATCH 256U /* frames per xenforeignmemory_map2() call */

static struct vx_server server;
static volatile sig_atomic_t got_usr1;
static volatile sig_atomic_t got_stop;

/* ---- the port interface of the core ---------------------------------------------------- */

void vbe_port_log(int level, const char *fmt, ...)
{
	static const char *const names[] = { "?", "ERROR", "WARNING", "info", "debug" };
	va_list ap;

	if (level >= VBE_LOG_DBG) {
		return;
	}
	fprintf(stderr, "vbe-xen: %s: ", names[level >= 1 && level <= 4 ? level : 0]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

uint64_t vbe_port_time_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000U + (uint64_t)ts.tv_nsec / 1000U;
}

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

static int vx_dom_start(struct vx_dom *d)
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
static void vx_dom_exc(struct vx_server *s)
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
static bool vx_run_more(struct vx_server *s)
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

/* ---- statistics ---------------------------------------------------------------------- */

static void vx_refused(FILE *out, const uint32_t *r, unsigned int n)
{
	fputs(" refused=", out);
	for (unsigned int i = 0U; i < n; i++) {
		fprintf(out, "%s%u", i ? "," : "", r[i]);
	}
}

void vx_stats(const struct vx_server *s, FILE *out)
{
	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		const struct vx_dom *d = &s->dom[i];
		const struct vbe_ioreq_stats *st = &d->ioreq.stats;

		const struct vbe_gnt_stats *gs = &d->gnt.stats;

		fprintf(out, "stats domid=%u guest=%s live=%u events=%u served=%u reads=%u "
			     "writes=%u spurious=%u frames=%u frame_maps=%u", d->cfg->domid, d->cfg->name,
			d->live, d->events, st->served, st->reads, st->writes, st->spurious,
			d->lazy.mapped, d->lazy.map_calls);
		vx_refused(out, st->refused, VBE_IOREQ_REFUSAL_COUNT);
		fprintf(out, " grants=%u maps=%u unmaps=%u pages=%u mapped=%u mapped_max=%u "
			     "mapped_pages=%u mapped_pages_max=%u map_ns=%llu unmap_ns=%llu "
			     "gnt_refused=%u,%u,%u,%u", d->cfg->grants,
			gs->maps, gs->unmaps, gs->pages, gs->live, gs->live_max, gs->live_pages,
			gs->live_pages_max,
			(unsigned long long)d->gnt_map_ns, (unsigned long long)d->gnt_unmap_ns,
			gs->refused[VBE_GNT_NOT_GRANT], gs->refused[VBE_GNT_BAD_REF],
			gs->refused[VBE_GNT_TOO_LONG], gs->refused[VBE_GNT_MAP_FAILED]);
		fputc('\n', out);
		for (unsigned int k = 0U; k < d->cfg->dev_count; k++) {
			const struct vbe_mmio *m = &d->mmio[k];
			const struct vbe_mmio_stats *ms = &m->stats;

			fprintf(out, "stats domid=%u dev=%u kind=%s base=%#llx spi=%u status=%#x "
				     "features=%#llx fault=%u,%u reads=%u writes=%u notifies=%u "
				     "interrupts=%u raised=%u resets=%u popped=%u,%u",
				d->cfg->domid, k, d->cfg->devs[k].kind == VBE_XEN_DEV_SCMI ? "scmi" : "i2c",
				(unsigned long long)d->cfg->devs[k].base, d->irq[k].spi, m->dev.status,
				(unsigned long long)m->dev.features, m->dev.fault[0], m->dev.fault[1],
				ms->reads, ms->writes, ms->notifies, ms->interrupts, d->irq[k].raised,
				ms->resets, m->dev.vq[0].popped, m->dev.vq[1].popped);
			vx_refused(out, ms->refused, VBE_MMIO_REFUSAL_COUNT);
			/* the rings as the driver programmed them (guest or grant addresses) */
			fprintf(out, " qsize=%u,%u desc=%#llx,%#llx avail=%#llx,%#llx used=%#llx,%#llx",
				m->queue[0].cfg.size, m->queue[1].cfg.size,
				(unsigned long long)m->queue[0].cfg.desc,
				(unsigned long long)m->queue[1].cfg.desc,
				(unsigned long long)m->queue[0].cfg.avail,
				(unsigned long long)m->queue[1].cfg.avail,
				(unsigned long long)m->queue[0].cfg.used,
				(unsigned long long)m->queue[1].cfg.used);
			fputc('\n', out);
		}
	}
	fflush(out);
}

/* ---- the loop --------------------------------------------------------------------------- */

static void on_signal(int sig)
{
	if (sig == SIGUSR1) {
		got_usr1 = 1;
	} else {
		got_stop = 1;
	}
}

static int vx_listen(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof(a.sun_path)) {
		return -1;
	}
	strcpy(a.sun_path, path);
	(void)unlink(path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 4) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One client: one command line in, the answer out, then close. */
static void vx_ctl_client(struct vx_server *s, int lfd)
{
	char line[512];
	size_t n = 0U;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	FILE *out;

	if (fd < 0) {
		return;
	}
	while (n + 1U < sizeof(line)) {
		ssize_t r = read(fd, line + n, 1);

		if (r <= 0 || line[n] == '\n') {
			break;
		}
		n++;
	}
	line[n] = '\0';
	out = fdopen(fd, "w");
	if (out == NULL) {
		close(fd);
		return;
	}
	(void)vx_ctl_run(s, line, out);
	fclose(out);
}

static struct vx_dom *vx_dom_of_port(struct vx_server *s, uint32_t port, unsigned int *vcpu)
{
	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		struct vx_dom *d = &s->dom[i];

		for (unsigned int v = 0U; d->live && v < d->cfg->vcpus; v++) {
			if (d->local_port[v] == port) {
				*vcpu = v;
				return d;
			}
		}
	}
	return NULL;
}

static int vx_serve(struct vx_server *s, const char *ctl)
{
	int lfd = vx_listen(ctl);
	struct pollfd fds[2];
	bool more = false; /* a device spent its budget: poll without waiting */

	if (lfd < 0) {
		VBE_LOG(VBE_LOG_ERR, "control socket %s: %s", ctl, strerror(errno));
		return 1;
	}
	fds[0] = (struct pollfd){ .fd = xenevtchn_fd(s->xce), .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = lfd, .events = POLLIN };
	while (!got_stop) {
		if (got_usr1) {
			got_usr1 = 0;
			vx_stats(s, stdout);
		}
		if (poll(fds, 2, more ? 0 : 1000) < 0) {
			if (errno == EINTR) {
				continue;
			}
			VBE_LOG(VBE_LOG_ERR, "poll: %s", strerror(errno));
			break;
		}
		if (fds[0].revents & POLLIN) {
			xenevtchn_port_or_error_t port = xenevtchn_pending(s->xce);
			unsigned int vcpu = 0U;
			struct vx_dom *d;

			if (port >= 0) {
				/* unmask before looking at the slot, so no new event is lost */
				(void)xenevtchn_unmask(s->xce, (evtchn_port_t)port);
				d = vx_dom_of_port(s, (uint32_t)port, &vcpu);
				if (port == s->dom_exc_port) {
					vx_dom_exc(s);
				} else if (d != NULL) {
					/* every READY slot, then the devices (a notify is served) */
					d->events++;
					(void)vbe_ioreq_poll(&d->ioreq, false);
				}
			}
		}
		/* devices that spent their budget: another pass, after every event above */
		more = vx_run_more(s);
		if (fds[1].revents & POLLIN) {
			vx_ctl_client(s, lfd);
			/* a platform command may have queued events (a trip point's
			 * notification): deliver them now, not at the DomU's next kick */
			(void)vx_run_all(s);
		}
	}
	close(lfd);
	(void)unlink(ctl);
	return 0;
}

/* ---- the client side of the control socket --------------------------------------------- */

static int vx_ctl_main(const char *path, int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char buf[4096];
	size_t n = 0U;
	ssize_t r;
	int fd;

	if (argc < 1) {
		fprintf(stderr, "usage: vbe-xen ctl [--ctl SOCKET] COMMAND [ARG...]\n");
		return 2;
	}
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		fprintf(stderr, "vbe-xen ctl: %s: %s (is vbe-xen running?)\n", path, strerror(errno));
		return 1;
	}
	for (int i = 0; i < argc; i++) {
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "", argv[i]);
		if (n >= sizeof(buf) - 2U) {
			fprintf(stderr, "vbe-xen ctl: command too long\n");
			return 2;
		}
	}
	buf[n++] = '\n';
	if (write(fd, buf, n) != (ssize_t)n) {
		return 1;
	}
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		fwrite(buf, 1, (size_t)r, stdout);
	}
	close(fd);
	return 0;
}

/* ---- start ----------------------------------------------------------------------------- */

static int vx_open(struct vx_server *s)
{
	xenevtchn_port_or_error_t p;

	s->dom_exc_port = -1;
	s->xce = xenevtchn_open(NULL, 0);
	s->dm = xendevicemodel_open(NULL, 0);
	s->fmem = xenforeignmemory_open(NULL, 0);
	s->call = xencall_open(NULL, 0);
	if (s->xce == NULL || s->dm == NULL || s->fmem == NULL || s->call == NULL) {
		VBE_LOG(VBE_LOG_ERR, "opening the Xen interfaces: %s (are xen-evtchn, xen-privcmd "
				     "loaded and is this Dom0?)", strerror(errno));
		return -ENODEV;
	}
	p = xenevtchn_bind_virq(s->xce, VIRQ_DOM_EXC);
	if (p < 0) {
		/* served anyway; a DomU that powers itself off then keeps its votes */
		VBE_LOG(VBE_LOG_WRN, "VIRQ_DOM_EXC: %s (a toolstack holds it?)", strerror(errno));
	} else {
		s->dom_exc_port = (int)p;
	}
	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		if (s->cfg->domains[i].grants && s->xgt == NULL) {
			s->xgt = xengnttab_open(NULL, 0);
			if (s->xgt == NULL) {
				VBE_LOG(VBE_LOG_ERR, "opening the grant device: %s (is xen-gntdev "
						     "loaded?)", strerror(errno));
				return -ENODEV;
			}
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *ctl = VX_CTL_DEFAULT;
	struct vx_server *s = &server;
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned int live = 0U;
	int first = 1;

	if (argc > 1 && strcmp(argv[1], "ctl") == 0) {
		first = 2;
		if (argc > 3 && strcmp(argv[2], "--ctl") == 0) {
			return vx_ctl_main(argv[3], argc - 4, argv + 4);
		}
		return vx_ctl_main(ctl, argc - first, argv + first);
	}
	if (argc > 2 && strcmp(argv[1], "--ctl") == 0) {
		ctl = argv[2];
	} else if (argc > 1) {
		fprintf(stderr, "usage: vbe-xen [--ctl SOCKET] | vbe-xen ctl [--ctl SOCKET] CMD...\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	s->started_us = vbe_port_time_us();
	s->cfg = &vbe_xen_generated_cfg;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (s->cfg->domain_count > VBE_SYS_MAX_GUESTS || vbe_sim_populate(&s->sim, s->cfg->sys) ||
	    vbe_sys_init_devices(&s->sys, s->cfg->sys, &s->sim.plat) || vx_open(s) != 0) {
		VBE_LOG(VBE_LOG_ERR, "system \"%s\": cannot set up", s->cfg->sys->name);
		return 1;
	}
	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		s->dom[i].cfg = &s->cfg->domains[i];
		s->dom[i].srv = s;
		if (s->dom[i].cfg->dev_count == 0U) {
			continue;
		}
		if (vx_dom_start(&s->dom[i]) != 0) {
			VBE_LOG(VBE_LOG_ERR, "dom %u (%s): not served", s->dom[i].cfg->domid,
				s->dom[i].cfg->name);
			vx_dom_stop(&s->dom[i]);
			continue;
		}
		live++;
	}
	printf("vbe-xen: serving %u domains of system %s (ms=%llu)\n", live, s->cfg->sys->name,
	       (unsigned long long)((vbe_port_time_us() - s->started_us) / 1000U));
	(void)vx_serve(s, ctl);
	vx_stats(s, stdout);
	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		if (s->dom[i].cfg != NULL) {
			vx_dom_stop(&s->dom[i]);
		}
	}
	printf("vbe-xen: stopped\n");
	return 0;
}
