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

#endif /* VBE_HOST_H */
