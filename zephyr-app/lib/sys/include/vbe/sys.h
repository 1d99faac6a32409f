/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_sys: a whole backend built from a const system description: one window per guest,
 * the devices each guest was given, one platform. Ports call vbe_sys_init() once and then
 * vbe_sys_poll() from their service loop.
 *
 * The description (struct vbe_sys_cfg) is generated from the system YAML at build time
 * (sysdesc's gen_c, run by vbe_system_tables() in vbe_core.cmake) as vbe_sys_description.
 */

#ifndef VBE_SYS_H
#define VBE_SYS_H

#include <stdbool.h>
#include <stdint.h>

#include <vbe/fvq.h>
#include <vbe/i2c.h>
#include <vbe/plat.h>
#include <vbe/scmi.h>

#ifndef VBE_SYS_MAX_GUESTS
#define VBE_SYS_MAX_GUESTS 4
#endif

/** One guest: its window and its devices. */
struct vbe_sys_guest {
	const char *name;
	uint32_t window_size;  /* bytes */
	uint32_t ring_size;    /* bytes of ring area inside the window */
	const struct vbe_i2c_view *i2c; /* NULL: no virtio-i2c device */
	/* SCMI agent id (1.. in vbe_sys_cfg.scmi->agents) of its virtio-scmi device; 0: none */
	uint8_t scmi_agent;
};

/** A target the simulated platform provides (ignored by real platforms). */
struct vbe_sys_sim_target {
	const char *name;
	uint8_t bus;
	uint16_t addr;
	uint8_t kind; /* enum vbe_sim_target_kind */
};

/** A platform I2C bus, by name. */
struct vbe_sys_bus {
	const char *name;
	uint8_t id;
};

struct vbe_sys_cfg {
	const char *name;
	const struct vbe_sys_guest *guests;
	uint8_t guest_count;
	const struct vbe_sys_bus *buses;
	uint8_t bus_count;
	const struct vbe_sys_sim_target *sim_targets;
	uint8_t sim_target_count;
	/* the SCMI platform: resources, devices, agents; NULL: no guest has virtio-scmi */
	const struct vbe_scmi_platform_cfg *scmi;
};

/** Runtime state for a whole backend. Static storage, sized by VBE_SYS_MAX_GUESTS. */
struct vbe_sys {
	const struct vbe_sys_cfg *cfg;
	const struct vbe_plat *plat;
	struct vbe_fvq win[VBE_SYS_MAX_GUESTS];
	struct vbe_i2c_dev i2c[VBE_SYS_MAX_GUESTS];
	struct vbe_scmi_server scmi;                       /* shared by the guests' agents */
	struct vbe_scmi_dev scmi_dev[VBE_SYS_MAX_GUESTS];
	uint8_t next; /* the guest vbe_sys_poll() serves first next time (round-robin) */
};

/**
 * The system an image serves: generated from its description at build time (vbe_sys_cfg.c);
 * the host library has none, and takes a generated one from vbe_host_create().
 */
extern const struct vbe_sys_cfg vbe_sys_description;

/**
 * @brief Build every guest's window and devices.
 *
 * @param windows window base per guest (cfg->guest_count entries), each
 *        cfg->guests[i].window_size bytes.
 * @retval 0 done; call vbe_sys_start() to publish.
 * @retval -EINVAL too many guests, a guest's window or devices do not fit, an invalid SCMI
 *         configuration, or a guest naming an SCMI agent that does not exist (or is taken).
 */
int vbe_sys_init(struct vbe_sys *sys, const struct vbe_sys_cfg *cfg, const struct vbe_plat *plat,
		 void *const *windows);

/**
 * @brief Build every guest's devices without windows, for another transport to bind
 * (the vhost-user daemon: sys->i2c[i] and sys->scmi_dev[i] are the devices of guest i).
 *
 * vbe_sys_start() and vbe_sys_poll() skip guests without a window.
 *
 * @retval 0 done.
 * @retval -EINVAL as vbe_sys_init().
 */
int vbe_sys_init_devices(struct vbe_sys *sys, const struct vbe_sys_cfg *cfg,
			 const struct vbe_plat *plat);

/** A guest's device, as another transport asks for it (vbe_sys_device()). */
enum vbe_sys_dev_kind {
	VBE_SYS_DEV_SCMI = 0, /* its virtio-scmi device (its SCMI agent) */
	VBE_SYS_DEV_I2C = 1,  /* its virtio-i2c device (its I2C view) */
};

/**
 * @brief Guest @p guest's device of kind @p kind, for a transport to bind (after
 * vbe_sys_init_devices()): its backend's ops and state.
 *
 * @retval 0 done.
 * @retval -ENOENT no such guest, or the guest has no such device.
 */
int vbe_sys_device(struct vbe_sys *sys, uint8_t guest, unsigned int kind,
		   const struct vbe_dev_ops **ops, void **be);

/** @brief Publish every window (magic last); the guests may start negotiating. */
void vbe_sys_start(struct vbe_sys *sys, const struct vbe_fvq_notify *notify);

/**
 * @brief Serve every guest once: one pass of each window (vbe_fvq_poll(), at most
 * VBE_DEV_BUDGET chains per device), starting one guest further each call (round-robin), so
 * no guest is always served first and one that floods its rings delays the others by one
 * budget per pass at most. See docs/transport.md, "Fair service".
 *
 * @param did_work set true when any window had something to do or left chains for the
 *        next call (call again at once).
 */
void vbe_sys_poll(struct vbe_sys *sys, bool *did_work);

#endif /* VBE_SYS_H */
