/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A system on Xen as every Dom0 port serves it (vbe-xen, the bare-metal Dom0, the Zephyr
 * port): which domain is which guest, and where each of its virtio-mmio devices sits.
 * Generated from the system description (sysdesc.gen_xen, vbe_xen_cfg.c; at build time
 * `python -m sysdesc.buildstep xen`), from the same layout as the Xen devicetrees. Types
 * only: the IOREQ protocol (vbe/ioreq.h) does not read it, the ports do.
 */

#ifndef VBE_XEN_CFG_H
#define VBE_XEN_CFG_H

#include <stdint.h>

#include <vbe/sys.h>

/* The kinds are vbe_sys_device()'s: a port asks the system for the device as it is. */
enum vbe_xen_dev_kind {
	VBE_XEN_DEV_SCMI = VBE_SYS_DEV_SCMI, /* the guest's virtio-scmi device (its SCMI agent) */
	VBE_XEN_DEV_I2C = VBE_SYS_DEV_I2C,   /* the guest's virtio-i2c device (its I2C view) */
	VBE_XEN_DEV_KIND_COUNT,
};

/** One virtio-mmio device of a domain. */
struct vbe_xen_dev {
	uint8_t kind;  /* enum vbe_xen_dev_kind */
	uint64_t base; /* guest physical address of its VBE_MMIO_WINDOW_SIZE window */
	uint32_t spi;  /* its interrupt (GIC SPI number, 32..) */
};

/** One DomU: guest @c guest of the system description. */
struct vbe_xen_domain {
	uint8_t guest; /* index in vbe_xen_cfg.sys->guests */
	const char *name;
	uint16_t domid;
	uint8_t vcpus;
	uint64_t ram_base; /* guest physical RAM: [ram_base, ram_base + ram_size) */
	uint64_t ram_size;
	const struct vbe_xen_dev *devs;
	uint8_t dev_count;
	/* 1: the guest hands out grant references (xen,grant-dma): its devices map only what it
	 * grants, its RAM is not mapped; 0: guest-physical addresses in its mapped RAM */
	uint8_t grants;
};

struct vbe_xen_cfg {
	const struct vbe_sys_cfg *sys;
	const struct vbe_xen_domain *domains;
	uint8_t domain_count;
};

/** The system the Dom0 was built for (vbe_xen_cfg.c, generated). */
extern const struct vbe_xen_cfg vbe_xen_generated_cfg;

#endif /* VBE_XEN_CFG_H */
