/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host port's API: the portable core as a shared library for pyhost (cffi, ABI mode).
 *
 * pyhost feeds this header to cffi, so it holds only declarations cffi can parse: no
 * includes beyond stdint and the platform protocol's layout (vbe/sim_cmd.h, fed to cffi
 * before this one), no macros but plain integer #defines, opaque handles.
 * Only this shim allocates (calloc): the core itself never does.
 */

#ifndef VBE_HOST_H
#define VBE_HOST_H

#include <stdint.h>

#include <vbe/sim_cmd.h>

/* ---- a backend: simulated platform + system description + one window per guest ----
 *
 * What the system is (guests, windows, I2C views, SCMI agents) the harness reads from the
 * system's manifest, generated from the same description as its tables; this API only
 * runs it, and reaches its platform through the one platform protocol (vbe/sim_cmd.h).
 */

struct vbe_host;

/**
 * Backend for a system description on the simulated platform: @p cfg is a
 * `const struct vbe_sys_cfg *` (declared `const void *` to keep this header cffi-parsable),
 * the vbe_sys_description of a library built by `vbe build --host`; it must outlive the
 * backend. NULL on ENOMEM, a NULL @p cfg, or simulated targets the platform refuses.
 */
struct vbe_host *vbe_host_create(const void *cfg);
void vbe_host_destroy(struct vbe_host *h);

/**
 * Give the backend its windows (one per guest, as large as the guest's window, caller
 * owned, outliving the backend) and publish them.
 * @retval 0 done. @retval -EBUSY already started. @retval negative errno from vbe_sys_init().
 */
int vbe_host_start(struct vbe_host *h, void **windows);

/** Serve every window once. Returns 1 when something was done, else 0. */
int vbe_host_poll(struct vbe_host *h);

/**
 * Test hook: @p hook(@p ctx, bus, bus address) runs inside every simulated I2C transfer,
 * i.e. in the middle of a service pass, before the transfer; NULL removes it. It may write
 * guest windows (a driver on another CPU refilling its ring) but must not call back into
 * the backend.
 */
void vbe_host_set_i2c_hook(struct vbe_host *h, void (*hook)(void *ctx, uint8_t bus, uint16_t addr),
			   void *ctx);

/**
 * One command of the platform protocol (vbe/sim_cmd.h: set a sensor, read the bus log, an
 * SCMI resource's state, why an I2C transfer failed...): the handler the bare-metal image
 * runs from its mailbox. Before vbe_host_start() (or vbe_host_start_vhu()) the system does
 * not run: no votes, no notifications, no I2C devices.
 * @return the command's result (0, a count, or a negative errno); @p rsp holds its data.
 */
int32_t vbe_host_sim_cmd(struct vbe_host *h, const struct vbe_sim_req *req,
			 struct vbe_sim_rsp *rsp);

/* ---- vhost-user: a guest's device bound to rings in that guest's RAM ----
 *
 * The daemon (vbe.serve) owns the socket, fds and mappings; these calls drive the
 * core's binding (vbe/vhu.h). Start the backend with vbe_host_start_vhu() (devices, no
 * windows), then create one handle per guest device served. Functions returning int give
 * 0 or a negative errno (see vbe/vhu.h for each).
 */

#define VBE_HOST_VHU_I2C 0
#define VBE_HOST_VHU_SCMI 1

struct vbe_host_vhu;

/** Set every guest's devices up without windows. -EBUSY: already started. */
int vbe_host_start_vhu(struct vbe_host *h);
/**
 * Handle for guest @p guest's device of @p kind (VBE_HOST_VHU_*). NULL when the host is
 * not started with vbe_host_start_vhu(), the guest has no such device, it is already
 * bound, or on ENOMEM.
 */
struct vbe_host_vhu *vbe_host_vhu_create(struct vbe_host *h, int guest, int kind);
/** Reset the device and release the binding. */
void vbe_host_vhu_destroy(struct vbe_host_vhu *v);
int vbe_host_vhu_num_queues(struct vbe_host_vhu *v);
uint32_t vbe_host_vhu_device_id(struct vbe_host_vhu *v);
uint64_t vbe_host_vhu_features(struct vbe_host_vhu *v);
int vbe_host_vhu_set_features(struct vbe_host_vhu *v, uint64_t features);
void vbe_host_vhu_reset(struct vbe_host_vhu *v);
void vbe_host_vhu_mem_clear(struct vbe_host_vhu *v);
int vbe_host_vhu_mem_add(struct vbe_host_vhu *v, uint64_t gpa, uint64_t size, uint64_t uaddr,
			 void *host);
int vbe_host_vhu_set_num(struct vbe_host_vhu *v, uint32_t q, uint32_t num);
int vbe_host_vhu_set_addr(struct vbe_host_vhu *v, uint32_t q, uint64_t desc, uint64_t used,
			  uint64_t avail);
int vbe_host_vhu_set_base(struct vbe_host_vhu *v, uint32_t q, uint32_t base);
int vbe_host_vhu_get_base(struct vbe_host_vhu *v, uint32_t q, uint16_t *base);
int vbe_host_vhu_set_kick(struct vbe_host_vhu *v, uint32_t q);
int vbe_host_vhu_set_enable(struct vbe_host_vhu *v, uint32_t q, uint32_t on);
/** Kick: start ready rings and serve; *call gets a bit per queue to signal. */
int vbe_host_vhu_kick(struct vbe_host_vhu *v, uint32_t *call);
/** Queue @p q: last fault (VBE_DEV_FAULT_* or ring fault), and 1 when it runs. */
int vbe_host_vhu_queue_state(struct vbe_host_vhu *v, uint32_t q, uint32_t *fault, int *live);
/** Times the backend was reset because the rings restarted from 0 (a new driver, vbe/vhu.h). */
uint32_t vbe_host_vhu_driver_restarts(struct vbe_host_vhu *v);
/** 1 when a live ring has completions its driver was not signalled for (vbe_vhu_unsignalled). */
int vbe_host_vhu_unsignalled(struct vbe_host_vhu *v);
/** Name of a queue fault code as vbe_host_vhu_queue_state() gives it. Never NULL. */
const char *vbe_host_vhu_fault_str(uint32_t fault);

/* ---- bridge mode: a relay bound to a guest's rings (vbe/relay.h) ----
 *
 * The relay answers nothing itself: the guest's chains are popped (checked by the core as
 * in direct mode) into a fixed table, pyhost takes each request as flat bytes, has it
 * answered elsewhere (a backend's window) and writes the answer back. Drive the guest side
 * with the vbe_host_vhu_* calls on vbe_host_relay_vhu() (never vbe_host_vhu_destroy()).
 * Functions returning int give 0 or a negative errno (see vbe/relay.h for each).
 */

/* counters, vbe_host_relay_stats() fills all of them (enum vbe_relay_stat) */
#define VBE_HOST_RELAY_STAT_POPPED 0
#define VBE_HOST_RELAY_STAT_HANDED 1
#define VBE_HOST_RELAY_STAT_DONE 2
#define VBE_HOST_RELAY_STAT_REJECTED 3
#define VBE_HOST_RELAY_STAT_STALE 4
#define VBE_HOST_RELAY_STAT_VOIDED 5
#define VBE_HOST_RELAY_STAT_TRUNCATED 6
#define VBE_HOST_RELAY_STATS 7

struct vbe_host_relay;

/**
 * A relay for a device of @p kind (VBE_HOST_VHU_*) offering the device-specific bits of
 * @p features (the far device's; ring features are the binding's own). NULL on ENOMEM or
 * an unknown kind.
 */
struct vbe_host_relay *vbe_host_relay_create(int kind, uint64_t features);
/** Reset the binding (requests in flight are void) and free the relay. */
void vbe_host_relay_destroy(struct vbe_host_relay *r);
/** The relay's binding to the guest's rings, for the vbe_host_vhu_* calls. */
struct vbe_host_vhu *vbe_host_relay_vhu(struct vbe_host_relay *r);
/**
 * Oldest request of queue @p q not taken yet: device-readable bytes into @p out
 * (*out_len), its device-writable size (*in_cap) and its id. Requests larger than
 * @p out_cap / @p in_max are rejected by the relay and skipped.
 * @retval 0 a request. @retval -EAGAIN none. @retval -EIO queue broken. @retval -EINVAL.
 */
int vbe_host_relay_next(struct vbe_host_relay *r, uint32_t q, uint8_t *out, uint32_t out_cap,
			uint32_t in_max, uint32_t *out_len, uint32_t *in_cap, uint32_t *id);
/**
 * Answer request @p id: @p in is written (cut at its writable size), the chain handed
 * back; *written is the used length, *signal 1 when the driver must be notified.
 * @retval 0 done. @retval -ESTALE not in flight (completed, or voided by a ring stop or a
 * reset): nothing written. @retval -EIO queue broken. @retval -EINVAL.
 */
int vbe_host_relay_done(struct vbe_host_relay *r, uint32_t q, uint32_t id, const uint8_t *in,
			uint32_t in_len, uint32_t *written, int *signal);
/** Complete request @p id as rejected (virtio-i2c: status ERR). Errors as _done(). */
int vbe_host_relay_reject(struct vbe_host_relay *r, uint32_t q, uint32_t id, int *signal);
/** Requests of queue @p q held by the relay (taken or not). */
uint32_t vbe_host_relay_held(struct vbe_host_relay *r, uint32_t q);
/** Features the front-end acknowledged (0 before SET_FEATURES or after a reset). */
uint64_t vbe_host_relay_features(struct vbe_host_relay *r);
/** Counters: VBE_HOST_RELAY_STATS values into @p stats. */
int vbe_host_relay_stats(struct vbe_host_relay *r, uint32_t *stats);

/* ---- an echo device for ring conformance tests ---- */

/*
 * The echo device (virtio device id VBE_HOST_ECHO_ID, one queue) answers each chain by
 * writing into its writable segments a 16-byte summary (le32 n_rd, n_wr, rd_len, wr_len)
 * followed by the readable bytes, as far as they fit; the used length is what it wrote.
 * In hold mode it keeps chains and completes them only on vbe_host_echo_release(), newest
 * first, to test out-of-order completion and many requests in flight.
 */
#define VBE_HOST_ECHO_ID 65535

struct vbe_host_echo;

/** A window of @p size bytes at @p base with one echo device. NULL on ENOMEM/EINVAL. */
struct vbe_host_echo *vbe_host_echo_create(void *base, uint32_t size, uint32_t ring_size,
					   uint16_t queue_size_max);
void vbe_host_echo_destroy(struct vbe_host_echo *e);
/** Serve the window once. Returns 1 when something was done, else 0. */
int vbe_host_echo_poll(struct vbe_host_echo *e);
/** Hold mode on/off. Turning it off does not release held chains. */
void vbe_host_echo_hold(struct vbe_host_echo *e, int on);
/** Complete every held chain, newest first. Returns how many. */
int vbe_host_echo_release(struct vbe_host_echo *e);
/** Fault counter of the queue for a class (enum vbe_vq_fault), and the latched fault. */
uint32_t vbe_host_echo_fault_count(struct vbe_host_echo *e, int fault);
int vbe_host_echo_fault(struct vbe_host_echo *e);
/** Driver notifications (interrupts) the device sent, and chains popped. */
uint32_t vbe_host_echo_notifies(struct vbe_host_echo *e);

/* ---- layout cross-check: C's view of the window layout ---- */

/**
 * Offset (and size) of a layout field as the C compiler sees it, by name:
 * "header.magic", "devblock.drv.status_seq", "sizeof.header", ... -1 when unknown.
 */
int32_t vbe_host_layout_offset(const char *name);

/* ---- Xen IOREQ + virtio-mmio (vbe/ioreq.h, vbe/mmio.h), the caller playing Xen ---- */

/*
 * One guest's devices (virtio-i2c, then virtio-scmi, as vbe gen places them) as virtio-mmio
 * windows of 0x200 bytes from @p base, behind an IOREQ server on @p page (one 32-byte
 * request slot per vCPU, laid out as Xen's struct ioreq). The devices reach guest memory
 * [ram_gpa, ram_gpa + ram_size) at @p ram. Start the backend with vbe_host_start_vhu() (devices
 * without windows) first. NULL: not started that way, a bad argument, the guest's devices
 * already bound, or ENOMEM. Destroying resets the devices (what a destroyed domain does).
 */
struct vbe_host_xen;
struct vbe_host_xen *vbe_host_xen_create(struct vbe_host *h, int guest, void *page,
					 uint32_t vcpus, uint64_t base, uint64_t ram_gpa,
					 uint64_t ram_size, void *ram);
/*
 * The same for a guest that hands out grant references (vbe/gnt.h): the devices map what
 * they use through @p map and give it back through @p unmap, both called with @p ctx (the
 * caller plays Xen's grant table: pages of the guest's grants, consecutive references,
 * @p write 1 for a writable mapping; NULL refuses). Guest RAM is not reachable otherwise,
 * and the devices offer and require VIRTIO_F_ACCESS_PLATFORM.
 */
struct vbe_host_xen *vbe_host_xen_create_gnt(struct vbe_host *h, int guest, void *page,
					     uint32_t vcpus, uint64_t base,
					     void *(*map)(void *ctx, uint32_t first, uint32_t count,
							  int write),
					     void (*unmap)(void *ctx, void *pages, uint32_t count),
					     void *ctx);
void vbe_host_xen_destroy(struct vbe_host_xen *x);
int vbe_host_xen_num_devices(struct vbe_host_xen *x);
/** Virtio device id of window @p k, 0 when out of range. */
uint32_t vbe_host_xen_device_id(struct vbe_host_xen *x, int k);
/** vbe_ioreq_handle(): 0 answered, -EAGAIN no READY request, -EINVAL bad vCPU. */
int vbe_host_xen_handle(struct vbe_host_xen *x, uint32_t vcpu);
/** vbe_ioreq_poll(): 1 when something was done. */
int vbe_host_xen_poll(struct vbe_host_xen *x, int all);
/** The event channel Xen signals for @p vcpu's slot, read from the page (0: bad vCPU). */
uint32_t vbe_host_xen_vcpu_port(struct vbe_host_xen *x, uint32_t vcpu);
/** Event channel notifications sent to @p vcpu. */
uint32_t vbe_host_xen_notified(struct vbe_host_xen *x, uint32_t vcpu);
/** Interrupt of window @p k: its level (1/0, -EINVAL out of range), and assertions so far. */
int vbe_host_xen_irq(struct vbe_host_xen *x, int k, uint32_t *raised);

#define VBE_HOST_XEN_STAT_SERVED 0
#define VBE_HOST_XEN_STAT_READS 1
#define VBE_HOST_XEN_STAT_WRITES 2
#define VBE_HOST_XEN_STAT_REFUSED 3 /* + enum vbe_ioreq_refusal */
uint32_t vbe_host_xen_ioreq_stat(struct vbe_host_xen *x, int idx);

#define VBE_HOST_MMIO_STAT_NOTIFIES 0
#define VBE_HOST_MMIO_STAT_INTERRUPTS 1
#define VBE_HOST_MMIO_STAT_RESETS 2
#define VBE_HOST_MMIO_STAT_REFUSED 3 /* + enum vbe_mmio_refusal */
uint32_t vbe_host_xen_mmio_stat(struct vbe_host_xen *x, int k, int idx);
/** Fault that made window @p k's device need a reset, per queue (vbe_dev_fault_str codes). */
uint32_t vbe_host_xen_fault(struct vbe_host_xen *x, int k, int q);

/* The grant mapper's counters (struct vbe_gnt_stats); 0 for a guest without grants. */
#define VBE_HOST_GNT_STAT_MAPS 0
#define VBE_HOST_GNT_STAT_UNMAPS 1
#define VBE_HOST_GNT_STAT_PAGES 2
#define VBE_HOST_GNT_STAT_LIVE 3
#define VBE_HOST_GNT_STAT_LIVE_MAX 4
#define VBE_HOST_GNT_STAT_LIVE_PAGES 5
#define VBE_HOST_GNT_STAT_LIVE_PAGES_MAX 6
#define VBE_HOST_GNT_STAT_REFUSED 7 /* + enum vbe_gnt_refusal */
uint32_t vbe_host_xen_gnt_stat(struct vbe_host_xen *x, int idx);

#endif /* VBE_HOST_H */
