/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xen_dom0_baremetal: what its files provide to each other. The shared runtime of
 * qemu_virt_baremetal (printf, libc, timer, exception vectors) is declared in its bm.h;
 * the console it prints to is console.c here.
 */

#ifndef VBE_BOARDS_XEN_DOM0_BAREMETAL_XD_H
#define VBE_BOARDS_XEN_DOM0_BAREMETAL_XD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vbe/gnt.h>
#include <vbe/ioreq.h>
#include <vbe/memtab.h>
#include <vbe/mmio.h>
#include <vbe/sim.h>
#include <vbe/sys.h>
#include <vbe/xen_cfg.h>

struct vbe_xen_dm_op;
struct xd_domctl;

/** Virtual (= guest physical) address bits the identity map covers (mmu.c). */
#define XD_VA_BITS 39

/** Regions read from the devicetree, per kind. */
#define XD_MAX_REGIONS 8U

/* --- start.S ------------------------------------------------------------------------ */

void xd_dcache_civac(uintptr_t start, uintptr_t end);
void xd_dcache_ivac(uintptr_t start, uintptr_t end);
void xd_park(void) __attribute__((noreturn));
/** @brief The C entry, MMU and caches on; @p fdt is Dom0's devicetree (x0 at entry). */
void xd_main(const void *fdt) __attribute__((noreturn));

/* --- mmu.c -------------------------------------------------------------------------- */

/** @brief Identity map (Device below 1 GiB, Normal WB above), MMU and caches on. */
void xd_mmu_enable(void);

/* --- hyp.c: hypercalls ----------------------------------------------------------------- */

long xd_hypercall(unsigned long op, unsigned long a0, unsigned long a1, unsigned long a2,
		  unsigned long a3, unsigned long a4);
long xd_memory_op(unsigned int cmd, void *arg);
long xd_evtchn_op(unsigned int cmd, void *arg);
/** @brief HYPERVISOR_dm_op(domid, 1, {op, size}). */
long xd_dm_op(uint16_t domid, struct vbe_xen_dm_op *op, size_t size);
/** @brief HYPERVISOR_domctl, interface version filled in. */
long xd_domctl(struct xd_domctl *d);
/** @brief SCHEDOP_poll: block until one of @p ports is pending (or the absolute timeout). */
long xd_sched_poll(const uint32_t *ports, unsigned int n, uint64_t timeout_ns);

/* --- console.c ---------------------------------------------------------------------------- */

/** @brief Write out a partial line now (lines go out at '\n'). */
void xd_console_flush(void);
/** @brief Bytes typed on Xen's serial line for Dom0: count, 0 none, or a negative errno. */
int xd_console_read(char *buf, unsigned int len);

/* --- fdt.c ------------------------------------------------------------------------------ */

struct xd_region {
	uint64_t base;
	uint64_t size;
};

/** What Dom0's devicetree says (pointers into the blob). */
struct xd_boot_info {
	struct xd_region ram[XD_MAX_REGIONS];
	unsigned int ram_count;
	struct xd_region gnttab;              /* /hypervisor reg[0] */
	struct xd_region ext[XD_MAX_REGIONS]; /* /hypervisor reg[1..]: extended regions */
	unsigned int ext_count;
	bool xen_found;
	const char *xen_compat; /* first string of /hypervisor compatible */
	const char *bootargs;   /* /chosen bootargs */
	uint32_t fdt_size;
};

/** @retval 0 parsed. @retval -EINVAL not a devicetree, or a damaged one. */
int xd_fdt_parse(const void *fdt, struct xd_boot_info *bi);

/* --- evtchn.c -------------------------------------------------------------------------- */

/** @brief Map the shared info page at @p gpa and mask every port. 0 or Xen's error. */
int xd_evtchn_init(uint64_t gpa);
void xd_evtchn_mask(uint32_t port);
/** @brief Clear the port's pending bit; was it set? */
bool xd_evtchn_test_and_clear(uint32_t port);
bool xd_evtchn_pending(uint32_t port);
int xd_evtchn_bind_interdomain(uint16_t domid, uint32_t remote_port, uint32_t *local);
int xd_evtchn_bind_virq(uint32_t virq, uint32_t *local);
int xd_evtchn_send(uint32_t port);
int xd_evtchn_close(uint32_t port);

/* --- physmap.c ------------------------------------------------------------------------------ */

/** @brief The extended regions as free space (page-aligned, below the identity map's end). */
unsigned int xd_gpa_init(const struct xd_boot_info *bi);
/** @brief @p size bytes of free guest physical space, @p align aligned; 0 when none is left. */
uint64_t xd_gpa_alloc(uint64_t size, uint64_t align);
/** @brief Map @p frames of domain @p domid from its frame @p gfn at our address @p gpa. */
int xd_map_foreign(uint16_t domid, uint64_t gfn, uint64_t frames, uint64_t gpa);
/** @brief Remove @p frames mappings from @p gpa (the first error, but every frame is tried). */
int xd_unmap(uint64_t gpa, uint64_t frames);
/** @brief Map IOREQ server @p server's ioreq page (domain @p domid) at @p gpa. */
int xd_acquire_ioreq_page(uint16_t domid, uint16_t server, uint64_t gpa);

/* --- dom.c: one DomU served ----------------------------------------------------------------- */

/** Largest DomU RAM bank served (bytes): sizes the map of which of its frames are mapped. */
#ifndef XD_DOM_RAM_MAX
#define XD_DOM_RAM_MAX (512ULL << 20)
#endif
#define XD_DOM_FRAMES_MAX (XD_DOM_RAM_MAX >> 12)

struct xd_dom;

/** A device's interrupt: its domain and SPI, and how often it was raised. */
struct xd_irq {
	struct xd_dom *dom;
	uint32_t spi;
	uint32_t raised;
	uint32_t failed;
};

struct xd_dom {
	const struct vbe_xen_domain *cfg;
	struct vbe_sys *sys;
	bool live;
	bool have_server;
	uint16_t ioservid;
	uint64_t page_gpa;   /* the ioreq page here; 0: not mapped */
	uint64_t ram_gpa;    /* the DomU's RAM bank here (address space reserved for all of it) */
	uint64_t ram_map[XD_DOM_FRAMES_MAX / 64U]; /* bit per frame: mapped here (lazy's) */
	unsigned int ports;  /* bound vCPU channels */
	uint32_t local_port[VBE_IOREQ_MAX_VCPUS];
	uint32_t events;     /* wake-ups with one of its channels pending */
	uint32_t ready_ms;   /* served from this long after Dom0 started */
	struct vbe_memtab_lazy lazy; /* the bank: checks, and frames mapped on first use */
	struct vbe_gnt gnt;          /* or, for a guest that uses grants, its grants per use */
	struct vbe_vq_mem mem;       /* lazy's or gnt's translate callbacks */
	uint64_t gnt_map_ticks;      /* time in the map and unmap ops (counter ticks) */
	uint64_t gnt_unmap_ticks;
	uint32_t gnt_map_failed;     /* map calls Xen refused (or partly refused) */
	uint32_t gnt_unmap_failed;   /* unmap calls with an error */
	uint32_t gnt_window_full;    /* map calls with no run of free pages in the window */
	struct vbe_ioreq_server ioreq;
	struct vbe_mmio mmio[VBE_IOREQ_MAX_DEVICES];
	struct xd_irq irq[VBE_IOREQ_MAX_DEVICES];
};

/**
 * @brief Serve a DomU: map its RAM, create and fill its IOREQ server, bind its vCPUs.
 * On failure what was done is undone (xd_dom_stop()).
 * @retval 0 served. @retval <0 Xen's error, -EINVAL a table the system does not match,
 *         -ENOMEM no extended region left for its RAM.
 */
int xd_dom_start(struct xd_dom *d, const struct vbe_xen_domain *cfg, struct vbe_sys *sys);

/** @brief Answer what its vCPUs asked (if one of its channels is pending). @return work done. */
bool xd_dom_service(struct xd_dom *d);

/**
 * @brief Run every device of the domain once, notified or not: after something outside the
 * DomU's requests (a platform command) queued events for it, e.g. an SCMI notification on
 * its eventq, so that its interrupt is raised now. @return work done.
 */
bool xd_dom_run_all(struct xd_dom *d);

/** @brief Stop serving: devices reset (its SCMI votes go), server, channels, mappings gone. */
void xd_dom_stop(struct xd_dom *d);

/** @brief xd_dom_stop(), then XEN_DOMCTL_destroydomain. 0 or Xen's error. */
int xd_dom_destroy(struct xd_dom *d);

/**
 * @brief Is the domain still there and running? (XEN_DOMCTL_getdomaininfo)
 * @retval 1 running. @retval 0 gone, dying or shut down (@p flags: Xen's XD_DOMINF_*).
 * @retval <0 Xen did not say (its error).
 */
int xd_dom_alive(const struct xd_dom *d, uint32_t *flags);

/** @brief Counters of a domain and its devices, one "stats ..." line each. */
void xd_dom_stats(const struct xd_dom *d);

/* --- gnt.c: grant mappings ------------------------------------------------------------------ */

/** Frames of Dom0's guest physical space reserved for grant mappings (4 MiB; CMake
 * VBE_XD_GNT_WINDOW_PAGES). */
#ifndef XD_GNT_WINDOW_PAGES
#define XD_GNT_WINDOW_PAGES 1024U
#endif

/** The vbe_gnt port operations (ctx: the struct xd_dom). */
extern const struct vbe_gnt_ops xd_gnt_ops;

/** @brief Reserve the grant window in the extended regions (once). 0 or -ENOMEM. */
int xd_gnt_init(void);
/** @brief The window's first guest physical address (0: none yet) and its size in pages. */
uint64_t xd_gnt_window(unsigned int *pages);
/** @brief Unmap whatever of domain @p d is still mapped in the window. @return pages. */
unsigned int xd_gnt_release(struct xd_dom *d);
/** @brief Generic timer ticks as nanoseconds. */
uint64_t xd_ticks_to_ns(uint64_t ticks);

/* --- ctl.c: the control channel ---------------------------------------------------------------- */

/** What the control commands reach. */
struct xd_server {
	const struct vbe_xen_cfg *cfg;
	struct vbe_sim sim;
	struct vbe_sys sys;
	struct xd_dom dom[VBE_SYS_MAX_GUESTS];
};

/** @brief Read what was typed; run each complete line (vbe-xen's ctl commands). */
bool xd_ctl_poll(struct xd_server *s);

#endif /* VBE_BOARDS_XEN_DOM0_BAREMETAL_XD_H */
