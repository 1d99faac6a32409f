/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr port, Xen transport (CONFIG_VBE_XEN): this image is Xen's Dom0 and serves each DomU
 * of the generated table (vbe/xen_cfg.h) as an IOREQ server, with the core's vbe_ioreq and
 * vbe_mmio, on Zephyr's own Xen layer (include/zephyr/xen/, arch/arm64/core/xen/).
 *
 * What Zephyr v4.2.0 provides is used as it is: event channels (<zephyr/xen/events.h>:
 * bind_interdomain_event_channel() with a callback, notify_evtchn()), foreign mappings
 * (<zephyr/xen/memory.h>: xendom_add_to_physmap_batch() with XENMAPSPACE_gmfn_foreign) and
 * the memory_op entry (<zephyr/arch/arm64/hypercall.h>: HYPERVISOR_memory_op()). What it
 * lacks for a device model is here, as thin as it can be: the dm_op hypercall
 * (xen_zephyr_hypercall.c, the same HVC convention as Zephyr's hypercall.S); the argument
 * structs of XEN_DMOP_* and XENMEM_acquire_resource, written from Xen's public headers
 * (hvm/dm_op.h, memory.h) with their AAPCS64 layout checked, are the core's vbe/xen_dmop.h. Zephyr trees after v4.2.0
 * have dmop_*() (CONFIG_XEN_DMOP) and xendom_acquire_resource(); see zephyr-app/README.md.
 */

#ifndef VBE_XEN_ZEPHYR_H
#define VBE_XEN_ZEPHYR_H

#include "port_zephyr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zephyr/toolchain.h>

#include <vbe/plat.h>
#include <vbe/xen_cfg.h>
#include <vbe/xen_dmop.h>

/* ---- Xen's public interface, the parts Zephyr v4.2.0 has no copy of ---------------------- */

/* The dm_op and acquire_resource numbers and argument structs are the core's
 * (vbe/xen_dmop.h, shared with the bare-metal Dom0); only this is the port's: */

/* errno.h of Xen's public interface: Linux numbers, not Zephyr's (ENOSYS is 88 there). */
#define VBE_XEN_ENOSYS 38

/**
 * @brief HYPERVISOR_dm_op(domid, nr_bufs, bufs): hvc #XEN_HYPERCALL_TAG with x16 =
 * __HYPERVISOR_dm_op (xen_zephyr_hypercall.c).
 *
 * @return 0, or a negative Xen errno.
 */
int vbe_zephyr_xen_dm_op(uint16_t domid, unsigned int nr_bufs, struct vbe_xen_dm_op_buf *bufs);

/* ---- the transport -------------------------------------------------------------------- */

/**
 * @brief Serve every DomU of @p cfg that has devices, on the Zephyr platform @p plat.
 *
 * Per domain, as the Linux Dom0 server does: map its RAM into the extended region the
 * xen,xen devicetree node gives (reg index 1), create an IOREQ server, acquire its ioreq
 * page, claim each device's virtio-mmio window, enable the server, bind each vCPU's event
 * channel. A domain that cannot be set up is logged and left out; the others are served.
 *
 * @return the number of domains served (0..cfg->domain_count), or -EINVAL for a table the
 *         port cannot serve (too many domains, devices of a guest that has none).
 */
int vbe_zephyr_xen_start(const struct vbe_xen_cfg *cfg, const struct vbe_plat *plat);

/** @brief Block until an event channel of a served domain fired. */
void vbe_zephyr_xen_wait(void);

/**
 * @brief Answer every domain that had an event since the last call: its READY ioreq slots,
 * then its devices' notified queues (vbe_ioreq_poll()). Raises each device's SPI as the
 * devices ask.
 *
 * @return true when anything was done.
 */
bool vbe_zephyr_xen_poll(void);

/** Counters of one served domain, for logs and tests. */
struct vbe_zephyr_xen_dom_stats {
	uint16_t domid;
	bool live;
	uint32_t events;      /* event channel callbacks */
	uint32_t irqs_raised; /* set_irq_level(spi, 1) that Xen accepted */
	uint32_t irqs_failed;
};

/** @retval 0 done. @retval -ENOENT no domain @p i. */
int vbe_zephyr_xen_dom_stats(unsigned int i, struct vbe_zephyr_xen_dom_stats *out);

#endif /* VBE_XEN_ZEPHYR_H */
