/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host port's API: the portable core as a shared library for pyhost (cffi, ABI mode).
 *
 * pyhost feeds this header to cffi, so it holds only declarations cffi can parse: no
 * includes beyond stdint, no macros but plain integer #defines, opaque handles.
 * Only this shim allocates (calloc): the core itself never does.
 */

#ifndef VBE_HOST_H
#define VBE_HOST_H

#include <stdint.h>

/* ---- a backend: simulated platform + system description + one window per guest ---- */

struct vbe_host;

/** Backend for the built-in demo system on the simulated platform. NULL on ENOMEM. */
struct vbe_host *vbe_host_create_demo(void);
/**
 * Backend for any system description on the simulated platform: @p cfg is a
 * `const struct vbe_sys_cfg *` (declared `const void *` to keep this header cffi-parsable),
 * e.g. vbe_sys_generated_cfg of a library built by `vbe build --host`; it must outlive the
 * backend. NULL on ENOMEM, a NULL @p cfg, or simulated targets the platform refuses.
 */
struct vbe_host *vbe_host_create(const void *cfg);
void vbe_host_destroy(struct vbe_host *h);

/** Name of the system description in use. */
const char *vbe_host_system_name(struct vbe_host *h);
int vbe_host_guest_count(struct vbe_host *h);
/** Guest name, or NULL when @p guest is out of range. */
const char *vbe_host_guest_name(struct vbe_host *h, int guest);
/** Window size of a guest in bytes, 0 when out of range. */
uint32_t vbe_host_window_size(struct vbe_host *h, int guest);

/**
 * Routes of a guest's I2C view. Returns the number of routes (0 when the guest has no
 * virtio-i2c device), and fills entry @p idx when idx < that number.
 */
int vbe_host_i2c_route(struct vbe_host *h, int guest, int idx, uint16_t *guest_addr,
		       uint16_t *bus_addr, uint8_t *flags);
/** Read-only route @p idx of a guest: longest register-select write allowed (0: none). */
int vbe_host_i2c_route_select(struct vbe_host *h, int guest, int idx);
/** Platform bus of a guest's I2C view and its name; -1 when it has none. */
int vbe_host_i2c_bus(struct vbe_host *h, int guest, const char **bus_name);

/** Simulated targets: count, and entry @p idx. */
int vbe_host_sim_target(struct vbe_host *h, int idx, const char **name, uint8_t *bus,
			uint16_t *addr, uint8_t *kind);

/**
 * Give the backend its windows (one per guest, vbe_host_window_size() bytes each, caller
 * owned, outliving the backend) and publish them.
 * @retval 0 done. @retval negative errno from vbe_sys_init().
 */
int vbe_host_start(struct vbe_host *h, void **windows);

/** Serve every window once. Returns 1 when something was done, else 0. */
int vbe_host_poll(struct vbe_host *h);

/** Set a simulated LM75's temperature (milli-degrees C). 0, or -ENODEV. */
int vbe_host_sim_set_temp(struct vbe_host *h, uint8_t bus, uint16_t addr, int32_t temp_mc);
/** Read a simulated AT24's memory, for tests (bypasses the bus). 0, or -ENODEV. */
int vbe_host_sim_eeprom_peek(struct vbe_host *h, uint8_t bus, uint16_t addr, uint8_t *out);

/** Transactions that reached the simulated buses since start. */
uint32_t vbe_host_bus_log_seq(struct vbe_host *h);

/**
 * One bus log entry (seq 1..vbe_host_bus_log_seq()). Message @p msg of that transaction:
 * its flags (VBE_I2C_MSG_*), full length and up to 16 recorded data bytes.
 * @retval 0 done. @retval -ENOENT no such entry or message.
 */
int vbe_host_bus_log_get(struct vbe_host *h, uint32_t seq, uint8_t *bus, uint16_t *addr,
			 uint8_t *num_msgs, int32_t *result);
int vbe_host_bus_log_msg(struct vbe_host *h, uint32_t seq, int msg, uint8_t *flags,
			 uint32_t *len, uint8_t *data16);

/** I2C device counters for a guest: requests, transactions, errors[class]. -1 if none. */
int vbe_host_i2c_stats(struct vbe_host *h, int guest, uint32_t *requests,
		       uint32_t *transactions, uint32_t *errors9);

/* ---- SCMI: the platform's resources, the agents, what reached "hardware" ----
 *
 * The guests' virtio-scmi devices (id 32, cmdq 0, eventq 1 with feature bit 0) are SCMI
 * agents; agent ids are 1..vbe_host_scmi_agent_count() (0 is the platform). Resources are
 * addressed here by their platform index (0..count-1 per kind); an agent sees its grants
 * under its own ids (local id = index in its grant list, see vbe_host_scmi_grant()).
 * Functions returning int give 0 (or a count) on success and a negative errno otherwise:
 * -ENOENT for an index or agent that does not exist. Vote/holder masks have bit (agent - 1).
 */

/* resource kinds (enum vbe_scmi_res) */
#define VBE_HOST_SCMI_CLOCK 0
#define VBE_HOST_SCMI_POWER 1
#define VBE_HOST_SCMI_PERF 2
#define VBE_HOST_SCMI_SENSOR 3
#define VBE_HOST_SCMI_RESET 4
#define VBE_HOST_SCMI_VOLTAGE 5
#define VBE_HOST_SCMI_KINDS 6

/* grant permissions (VBE_SCMI_PERM_*); reading and discovery come with every grant */
#define VBE_HOST_SCMI_PERM_STATE 1
#define VBE_HOST_SCMI_PERM_LEVEL 2
#define VBE_HOST_SCMI_PERM_CONFIG 4

/* agent flags (VBE_SCMI_AGENT_*) */
#define VBE_HOST_SCMI_AGENT_PRIVILEGED 1
#define VBE_HOST_SCMI_AGENT_SYSTEM_POWER 2

/* per-agent counters (enum vbe_scmi_stat), vbe_host_scmi_stats() fills all of them */
#define VBE_HOST_SCMI_STAT_COMMANDS 0
#define VBE_HOST_SCMI_STAT_ERRORS 1
#define VBE_HOST_SCMI_STAT_MALFORMED 2
#define VBE_HOST_SCMI_STAT_NOTIFY_SENT 3
#define VBE_HOST_SCMI_STAT_NOTIFY_DROPPED 4
#define VBE_HOST_SCMI_STAT_DELAYED_SENT 5
#define VBE_HOST_SCMI_STAT_DELAYED_BUSY 6
#define VBE_HOST_SCMI_STAT_EVENT_SHORT 7
#define VBE_HOST_SCMI_STATS 8

/* platform operations in the log (enum vbe_sim_op); reads are not logged */
#define VBE_HOST_OP_CLOCK_ON 1
#define VBE_HOST_OP_CLOCK_OFF 2
#define VBE_HOST_OP_CLOCK_RATE 3
#define VBE_HOST_OP_POWER 4
#define VBE_HOST_OP_PERF 5
#define VBE_HOST_OP_RESET_ASSERT 6
#define VBE_HOST_OP_RESET_DEASSERT 7
#define VBE_HOST_OP_REG_ENABLE 8
#define VBE_HOST_OP_REG_DISABLE 9
#define VBE_HOST_OP_REG_VOLTAGE 10
#define VBE_HOST_OP_SYSTEM 11

/** Number of SCMI agents of the system (0: it has no SCMI platform). */
int vbe_host_scmi_agent_count(struct vbe_host *h);
/** Agent @p agent (1..count): name, VBE_HOST_SCMI_AGENT_* flags, its guest (-1 if none). */
int vbe_host_scmi_agent(struct vbe_host *h, int agent, const char **name, uint32_t *flags,
			int *guest);
/** Agent id of a guest's virtio-scmi device; 0 when the guest has none. */
int vbe_host_scmi_guest_agent(struct vbe_host *h, int guest);
/** BASE_DISCOVER_VENDOR / _SUB_VENDOR / _IMPLEMENTATION_VERSION answers. -ENOENT: no SCMI. */
int vbe_host_scmi_vendor(struct vbe_host *h, const char **vendor, const char **sub_vendor,
			 uint32_t *impl_version);
/** Devices (SET_DEVICE_PERMISSIONS ids): the count; fills entry @p idx when it exists. */
int vbe_host_scmi_device(struct vbe_host *h, int idx, const char **name);
/**
 * Platform resources of @p kind: the count; fills entry @p idx (name, device id or -1,
 * platform op id) when it exists.
 */
int vbe_host_scmi_resource(struct vbe_host *h, int kind, int idx, const char **name,
			   int *device, int *plat_id);
/**
 * Grants of @p agent of @p kind: the count; fills local id @p local (platform index,
 * VBE_HOST_SCMI_PERM_* bits) when it exists.
 */
int vbe_host_scmi_grant(struct vbe_host *h, int agent, int kind, int local, int *res,
			uint32_t *perms);
/** Local id under which agent @p agent sees platform resource @p res of @p kind; -ENOENT. */
int vbe_host_scmi_local_id(struct vbe_host *h, int agent, int kind, int res);

/**
 * A clock's rates: *is_range 1 for {min, max, step}, 0 for a list. Copies up to @p max
 * values into @p rates (may be NULL with max 0) and returns how many there are.
 */
int vbe_host_scmi_clock_rates(struct vbe_host *h, int clk, uint64_t *rates, int max,
			      int *is_range);
/** A voltage domain's levels (µV), as vbe_host_scmi_clock_rates(). */
int vbe_host_scmi_voltage_levels(struct vbe_host *h, int reg, int32_t *levels, int max,
				 int *is_range);
/** A perf domain's levels and indicative frequencies (kHz): count; copies up to @p max. */
int vbe_host_scmi_perf_levels(struct vbe_host *h, int dom, uint32_t *levels,
			      uint32_t *freq_khz, int max);
/** A sensor's unit (SCMI sensor type), power-of-ten scale and trip points per agent. */
int vbe_host_scmi_sensor_info(struct vbe_host *h, int sensor, int *unit, int *scale,
			      int *trip_count);

/** Perf domain as agent @p agent set it: requested level (0: none) and its own limits. */
int vbe_host_scmi_perf_agent(struct vbe_host *h, int dom, int agent, uint32_t *requested,
			     uint32_t *lim_max, uint32_t *lim_min);
/**
 * Any resource as the machines' Platform.state() reports it (the same core function,
 * vbe_sim_res_state(), the bare-metal image's mailbox runs): @p on (clock or regulator
 * enabled, power domain ON, reset asserted), @p value (Hz, power state, perf level, sensor
 * value, µV) and @p votes (agents holding it; perf: agents with a level request).
 */
int vbe_host_scmi_res_state(struct vbe_host *h, int kind, int idx, int *on, int64_t *value,
			    uint32_t *votes);
/**
 * Set a simulated sensor's value. Once started, the server samples it: agents whose armed
 * trip points the change crossed get SENSOR_TRIP_POINT_EVENT (if they subscribed).
 */
int vbe_host_scmi_sensor_set(struct vbe_host *h, int sensor, int64_t value);
/**
 * System power as agent @p agent's guest asked it (SYSTEM_POWER_STATE_SET, scoped to the
 * guest): last state (3 = POWER_UP: nothing asked) and how many requests reached the platform.
 */
int vbe_host_scmi_system_state(struct vbe_host *h, int agent, uint32_t *state,
			       uint32_t *requests);
/**
 * The platform asks agent @p agent to change system power state: a
 * SYSTEM_POWER_STATE_NOTIFIER notification (flags bit 0 graceful, state, timeout ms).
 * @retval 0 sent. @retval -EAGAIN not subscribed or no eventq buffer (dropped).
 */
int vbe_host_scmi_system_notify(struct vbe_host *h, int agent, uint32_t flags, uint32_t state,
				uint32_t timeout_ms);
/**
 * Permissions a privileged agent changed for @p agent: bit per denied device, and per
 * device (@p proto_denied, at least vbe_host_scmi_device() entries) bit (protocol - 0x10).
 */
int vbe_host_scmi_agent_perms(struct vbe_host *h, int agent, uint32_t *dev_denied,
			      uint16_t *proto_denied);
/** Counters of agent @p agent's device: VBE_HOST_SCMI_STATS values. -ENOENT: no device. */
int vbe_host_scmi_stats(struct vbe_host *h, int agent, uint32_t *stats);

/** Platform operations logged since start (the newest entry's sequence number). */
uint32_t vbe_host_plat_log_seq(struct vbe_host *h);
/**
 * Operation log entry @p seq (1..vbe_host_plat_log_seq(), the last 128 are kept):
 * VBE_HOST_OP_*, platform id, value (Hz, state, level, µV, system state), extra argument
 * (system power flags), result (0 or the negative errno the platform returned).
 * @retval 0 done. @retval -ENOENT no such entry.
 */
int vbe_host_plat_log_get(struct vbe_host *h, uint32_t seq, int *op, int *id, int64_t *value,
			  uint32_t *arg, int32_t *result);
/** Make the next platform operation of kind @p op fail with @p err (e.g. -EIO); op 0 cancels. */
int vbe_host_sim_fail_next(struct vbe_host *h, int op, int err);

/** The server's errno -> SCMI status mapping (the one function the wire goes through). */
int32_t vbe_host_scmi_status_from_errno(int err);
/** Name of an SCMI status ("SUCCESS", "NOT_FOUND", ...), "?" for an unknown one. */
const char *vbe_host_scmi_status_str(int32_t status);

/* ---- vhost-user: a guest's device bound to rings in that guest's RAM ----
 *
 * The daemon (pyhost/vhost_user) owns the socket, fds and mappings; these calls drive the
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
