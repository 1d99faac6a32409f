/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xen_dom0_baremetal: the vbe core as Xen's Dom0, no Linux. Serves the virtio-scmi and
 * virtio-i2c devices of every DomU of the system it was built for (vbe_xen_generated_cfg,
 * the table `vbe gen` writes for vbe-xen too), one simulated platform for all.
 *
 * Boot: devicetree (RAM, extended regions), the shared info page, VIRQ_DOM_EXC and
 * VIRQ_CONSOLE, the platform, then each DomU (dom.c); the same readiness lines as vbe-xen,
 * then what the devicetree said (lines wait until the DomUs are served: each one is a
 * synchronous write to Xen's serial line).
 * Then one loop, forever: serve whatever is pending (a DomU's vCPU channel, a control
 * line, a domain that went away), then block in SCHEDOP_poll on every channel.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vbe/port.h>
#include <vbe/sim.h>
#include <vbe/sys.h>

#include "bm.h"
#include "version.h"
#include "xd.h"
#include "xen_abi.h"

#define XD_BOARD_NAME "xen_dom0_baremetal"
#define XD_MAX_PORTS (VBE_SYS_MAX_GUESTS * VBE_IOREQ_MAX_VCPUS + 2U)

/* Read back by tools (vbe inspect): keep the names. */
__attribute__((used)) const char vbe_bm_version[] = VBE_BM_VERSION;

static struct xd_server xd_server;
static struct xd_boot_info xd_boot;
static uint32_t xd_port_dom_exc;
static uint32_t xd_port_console;
static uint64_t xd_started_us;

extern uint8_t __image_start[], __image_end[];

static uint32_t ms_since_start(void)
{
	return (uint32_t)((vbe_port_time_us() - xd_started_us) / 1000U);
}

static void xd_print_boot(const struct xd_boot_info *bi)
{
	bm_printf("vbe: Dom0 image 0x%llx..0x%llx, devicetree %u bytes, %s\n",
		  (unsigned long long)(uintptr_t)__image_start,
		  (unsigned long long)(uintptr_t)__image_end, (unsigned int)bi->fdt_size,
		  bi->xen_compat != NULL ? bi->xen_compat : "no /hypervisor node");
	for (unsigned int i = 0U; i < bi->ram_count; i++) {
		bm_printf("vbe: RAM 0x%llx+0x%llx\n", (unsigned long long)bi->ram[i].base,
			  (unsigned long long)bi->ram[i].size);
	}
	for (unsigned int i = 0U; i < bi->ext_count; i++) {
		bm_printf("vbe: extended region 0x%llx+0x%llx\n",
			  (unsigned long long)bi->ext[i].base, (unsigned long long)bi->ext[i].size);
	}
}

/* Every channel the loop waits on. */
static unsigned int xd_ports(const struct xd_server *s, uint32_t *ports)
{
	unsigned int n = 0U;

	ports[n++] = xd_port_console;
	ports[n++] = xd_port_dom_exc;
	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		const struct xd_dom *d = &s->dom[i];

		for (unsigned int v = 0U; d->live && v < d->ports; v++) {
			ports[n++] = d->local_port[v];
		}
	}
	return n;
}

/* A domain shut down or was destroyed: stop serving it (its votes go), destroy what is left. */
static bool xd_dom_exc(struct xd_server *s)
{
	bool any = false;

	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		struct xd_dom *d = &s->dom[i];
		uint32_t flags;
		int alive;

		if (!d->live) {
			continue;
		}
		alive = xd_dom_alive(d, &flags);
		if (alive != 0) {
			if (alive < 0) {
				VBE_LOG(VBE_LOG_WRN, "dom %u: getdomaininfo: %d; still served",
					d->cfg->domid, alive);
			}
			continue;
		}
		bm_printf("vbe-xen: domain %u (%s) gone (flags %#x): devices reset\n",
			  d->cfg->domid, d->cfg->name, (unsigned int)flags);
		if ((flags & XD_DOMINF_SHUTDOWN) != 0U && (flags & XD_DOMINF_DYING) == 0U) {
			(void)xd_dom_destroy(d); /* no toolstack here: Dom0 cleans up */
		} else {
			xd_dom_stop(d);
		}
		any = true;
	}
	return any;
}

static void __attribute__((noreturn)) xd_serve(struct xd_server *s)
{
	static uint32_t ports[XD_MAX_PORTS];

	(void)xd_ctl_poll(s); /* what was typed before VIRQ_CONSOLE was bound */
	for (;;) {
		bool work = false;

		for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
			work = xd_dom_service(&s->dom[i]) || work;
		}
		if (xd_evtchn_test_and_clear(xd_port_console)) {
			work = xd_ctl_poll(s) || work;
		}
		if (xd_evtchn_test_and_clear(xd_port_dom_exc)) {
			work = xd_dom_exc(s) || work;
		}
		if (work) {
			continue; /* something may have become pending meanwhile: look again */
		}
		/* Returns when any of them is pending (cleared above: nothing is lost). */
		(void)xd_sched_poll(ports, xd_ports(s, ports), 0U);
	}
}

static int xd_start_platform(struct xd_server *s)
{
	const struct vbe_xen_cfg *cfg = s->cfg;
	int rc;

	if (cfg->domain_count > VBE_SYS_MAX_GUESTS) {
		VBE_LOG(VBE_LOG_ERR, "%u domains, this Dom0 serves %u", cfg->domain_count,
			VBE_SYS_MAX_GUESTS);
		return -EINVAL;
	}
	rc = vbe_sim_populate(&s->sim, cfg->sys);
	if (rc == 0) {
		rc = vbe_sys_init_devices(&s->sys, cfg->sys, &s->sim.plat);
	}
	return rc;
}

void xd_main(const void *fdt)
{
	struct xd_server *s = &xd_server;
	unsigned int live = 0U;
	uint64_t gpa;
	int rc;

	xd_started_us = vbe_port_time_us();
	bm_console_init();
	bm_timer_init();
	s->cfg = &vbe_xen_generated_cfg;
	bm_printf("vbe: vbe %s on %s, system \"%s\", counter %lu Hz\n", vbe_bm_version,
		  XD_BOARD_NAME, s->cfg->sys->name, (unsigned long)bm_timer_freq());

	rc = xd_fdt_parse(fdt, &xd_boot);
	if (rc != 0 || !xd_boot.xen_found) {
		VBE_LOG(VBE_LOG_ERR, "devicetree at %p: %s", fdt,
			rc != 0 ? "not readable" : "no /hypervisor node (not booted by Xen?)");
		bm_halt("no devicetree");
	}
	if (xd_gpa_init(&xd_boot) == 0U) {
		bm_halt("no extended region for Dom0's mappings");
	}
	gpa = xd_gpa_alloc(XD_PAGE_SIZE, XD_PAGE_SIZE);
	rc = xd_evtchn_init(gpa);
	if (rc == 0) {
		rc = xd_evtchn_bind_virq(XD_VIRQ_DOM_EXC, &xd_port_dom_exc);
	}
	if (rc == 0) {
		rc = xd_evtchn_bind_virq(XD_VIRQ_CONSOLE, &xd_port_console);
	}
	if (rc != 0) {
		VBE_LOG(VBE_LOG_ERR, "shared info at %#llx, VIRQs: %d", (unsigned long long)gpa, rc);
		bm_halt("no event channels");
	}
	rc = xd_start_platform(s);
	if (rc != 0) {
		VBE_LOG(VBE_LOG_ERR, "system \"%s\": cannot set up: %d", s->cfg->sys->name, rc);
		bm_halt("start-up failed");
	}
	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		const struct vbe_xen_domain *c = &s->cfg->domains[i];
		struct xd_dom *d = &s->dom[i];

		d->cfg = c;
		if (c->dev_count == 0U) {
			continue;
		}
		if (xd_dom_start(d, c, &s->sys) != 0) {
			VBE_LOG(VBE_LOG_ERR, "dom %u (%s): not served", c->domid, c->name);
			continue;
		}
		d->ready_ms = ms_since_start();
		bm_printf("vbe-xen: ready domid=%u guest=%s vcpus=%u devices=%u ram=%lluMiB "
			  "grants=%u ms=%u\n", c->domid, c->name, c->vcpus, c->dev_count,
			  (unsigned long long)(c->grants != 0U ? 0U : c->ram_size >> 20),
			  (unsigned int)c->grants, (unsigned int)d->ready_ms);
		live++;
	}
	bm_printf("vbe-xen: serving %u domains of system %s (ms=%u)\n", live, s->cfg->sys->name,
		  (unsigned int)ms_since_start());
	/* After the ready lines: each console line costs Xen's serial line ~20 ms under TCG. */
	xd_print_boot(&xd_boot);
	/* the command loop takes input from here on (ctl.c) */
	bm_printf("VBE-GUEST-READY %s-%s\n", XD_BOARD_NAME, vbe_bm_version);
	xd_serve(s);
}
