/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe-xen internals: one served domain (its IOREQ server, mapped RAM, virtio-mmio devices)
 * and the control channel.
 */

#ifndef VBE_BOARDS_XEN_DOM0_LINUX_XEN_PORT_H
#define VBE_BOARDS_XEN_DOM0_LINUX_XEN_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <vbe/gnt.h>
#include <vbe/ioreq.h>
#include <vbe/memtab.h>
#include <vbe/mmio.h>
#include <vbe/sim.h>
#include <vbe/sys.h>
#include <vbe/xen_cfg.h>

struct vx_server;
struct vx_dom;

/** A device's interrupt: its domain and SPI, and how often it was raised. */
struct vx_irq {
	struct vx_dom *dom;
	uint32_t spi;
	uint32_t raised;
	uint32_t failed;
};

/** One DomU served: its IOREQ server, its memory (RAM mapped, or grants), its devices. */
struct vx_dom {
	const struct vbe_xen_domain *cfg;
	struct vx_server *srv;
	bool live;
	uint16_t ioservid;
	void *res;     /* xenforeignmemory_resource_handle of the ioreq page */
	void *page;    /* the ioreq page */
	uint8_t *ram;  /* address space for the guest's whole RAM (PROT_NONE where not mapped) */
	uint64_t *ram_map; /* bit per frame of it: mapped (lazy's bitmap) */
	uint32_t local_port[VBE_IOREQ_MAX_VCPUS]; /* our ends of the vCPUs' event channels */
	uint32_t events;
	struct vbe_memtab_lazy lazy; /* the RAM bank: checks, and frames mapped on first use */
	struct vbe_gnt gnt;          /* a grant domain's mapper (cfg->grants) */
	uint64_t gnt_map_ns;         /* time spent in grant map and unmap calls */
	uint64_t gnt_unmap_ns;
	struct vbe_vq_mem mem;       /* lazy's or gnt's callbacks */
	struct vbe_ioreq_server ioreq;
	struct vbe_mmio mmio[VBE_IOREQ_MAX_DEVICES];
	struct vx_irq irq[VBE_IOREQ_MAX_DEVICES];
};

/** The whole server: one platform, every domain of the system. */
struct vx_server {
	const struct vbe_xen_cfg *cfg;
	struct vbe_sim sim;
	struct vbe_sys sys;
	struct vx_dom dom[VBE_SYS_MAX_GUESTS];
	void *xce;  /* xenevtchn_handle */
	void *dm;   /* xendevicemodel_handle */
	void *fmem; /* xenforeignmemory_handle */
	void *call; /* xencall_handle */
	int dom_exc_port; /* our end of VIRQ_DOM_EXC (a domain shut down or died); -1: none */
	void *xgt;        /* xengnttab_handle (when a domain uses grants) */
	uint64_t started_us;
};

/**
 * @brief Serve a domain: its memory, IOREQ server, devices and event channels (dom.c).
 * @return 0, or a negative errno (logged; the domain is left unserved).
 */
int vx_dom_start(struct vx_dom *d);

/** @brief VIRQ_DOM_EXC: stop serving the domains that shut down or died. */
void vx_dom_exc(struct vx_server *s);

/**
 * @brief Another pass for every device that spent its budget (VBE_DEV_SERVICE_MORE).
 * @return whether any still has more: poll for events without waiting.
 */
bool vx_run_more(struct vx_server *s);

/** @brief Stop serving a domain: its server, mappings and ports go, its devices reset. */
void vx_dom_stop(struct vx_dom *d);

/** @brief Destroy the domain (XEN_DOMCTL_destroydomain) after vx_dom_stop(). */
int vx_dom_destroy(struct vx_dom *d);

/**
 * @brief Run every device of every served domain once, notified or not: after something
 * outside the DomUs' requests (a platform command) queued events for one, e.g. an SCMI
 * notification on its eventq, so that its interrupt is raised now, not at its next kick.
 * @return work done.
 */
bool vx_run_all(struct vx_server *s);

/** @brief Per-domain and per-device counters, one line each. */
void vx_stats(const struct vx_server *s, FILE *out);

/**
 * @brief Run one control command (a line of text) and write its answer to @p out.
 * @return 0, or a negative errno (the answer says why).
 */
int vx_ctl_run(struct vx_server *s, char *line, FILE *out);

#endif /* VBE_BOARDS_XEN_DOM0_LINUX_XEN_PORT_H */
