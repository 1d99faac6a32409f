/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host port, backend handle: a system description (the built-in demo, or any generated one)
 * on the simulated platform, driven by pyhost.
 * The only allocation in vbe happens here (one calloc per handle).
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <vbe/host.h>
#include <vbe/i2c.h>
#include <vbe/sim.h>
#include <vbe/sys.h>

#include "host_internal.h"

struct vbe_host *vbe_host_create(const void *cfg)
{
	struct vbe_host *h;

	if (cfg == NULL) {
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		return NULL;
	}
	h->cfg = (const struct vbe_sys_cfg *)cfg;
	if (vbe_sim_populate(&h->sim, h->cfg) != 0) {
		free(h);
		return NULL;
	}
	return h;
}

struct vbe_host *vbe_host_create_demo(void)
{
	return vbe_host_create(&vbe_sys_demo_cfg);
}

void vbe_host_destroy(struct vbe_host *h)
{
	free(h);
}

const char *vbe_host_system_name(struct vbe_host *h)
{
	return h->cfg->name;
}

int vbe_host_guest_count(struct vbe_host *h)
{
	return h->cfg->guest_count;
}

static const struct vbe_sys_guest *host_guest(struct vbe_host *h, int guest)
{
	if (guest < 0 || guest >= h->cfg->guest_count) {
		return NULL;
	}
	return &h->cfg->guests[guest];
}

const char *vbe_host_guest_name(struct vbe_host *h, int guest)
{
	const struct vbe_sys_guest *g = host_guest(h, guest);

	return g != NULL ? g->name : NULL;
}

uint32_t vbe_host_window_size(struct vbe_host *h, int guest)
{
	const struct vbe_sys_guest *g = host_guest(h, guest);

	return g != NULL ? g->window_size : 0U;
}

int vbe_host_i2c_route(struct vbe_host *h, int guest, int idx, uint16_t *guest_addr,
		       uint16_t *bus_addr, uint8_t *flags)
{
	const struct vbe_sys_guest *g = host_guest(h, guest);

	if (g == NULL || g->i2c == NULL) {
		return 0;
	}
	if (idx >= 0 && idx < g->i2c->route_count) {
		*guest_addr = g->i2c->routes[idx].guest_addr;
		*bus_addr = g->i2c->routes[idx].bus_addr;
		*flags = g->i2c->routes[idx].flags;
	}
	return g->i2c->route_count;
}

int vbe_host_i2c_route_select(struct vbe_host *h, int guest, int idx)
{
	const struct vbe_sys_guest *g = host_guest(h, guest);

	if (g == NULL || g->i2c == NULL || idx < 0 || idx >= g->i2c->route_count) {
		return -1;
	}
	return g->i2c->routes[idx].select_max;
}

int vbe_host_i2c_bus(struct vbe_host *h, int guest, const char **bus_name)
{
	const struct vbe_sys_guest *g = host_guest(h, guest);

	if (g == NULL || g->i2c == NULL) {
		return -1;
	}
	*bus_name = "?";
	for (unsigned int i = 0; i < h->cfg->bus_count; i++) {
		if (h->cfg->buses[i].id == g->i2c->bus) {
			*bus_name = h->cfg->buses[i].name;
		}
	}
	return g->i2c->bus;
}

int vbe_host_sim_target(struct vbe_host *h, int idx, const char **name, uint8_t *bus,
			uint16_t *addr, uint8_t *kind)
{
	if (idx >= 0 && idx < h->cfg->sim_target_count) {
		const struct vbe_sys_sim_target *t = &h->cfg->sim_targets[idx];

		*name = t->name;
		*bus = t->bus;
		*addr = t->addr;
		*kind = t->kind;
	}
	return h->cfg->sim_target_count;
}

int vbe_host_start(struct vbe_host *h, void **windows)
{
	int err;

	if (h->started) {
		return -EBUSY;
	}
	err = vbe_sys_init(&h->sys, h->cfg, &h->sim.plat, windows);
	if (err != 0) {
		return err;
	}
	vbe_sys_start(&h->sys, NULL);
	h->started = true;
	return 0;
}

int vbe_host_poll(struct vbe_host *h)
{
	bool did_work = false;

	if (!h->started) {
		return 0;
	}
	vbe_sys_poll(&h->sys, &did_work);
	return did_work ? 1 : 0;
}

int vbe_host_sim_set_temp(struct vbe_host *h, uint8_t bus, uint16_t addr, int32_t temp_mc)
{
	return vbe_sim_lm75_set_temp(&h->sim, bus, addr, temp_mc);
}

int vbe_host_sim_eeprom_peek(struct vbe_host *h, uint8_t bus, uint16_t addr, uint8_t *out)
{
	struct vbe_sim_target *t = vbe_sim_find(&h->sim, bus, addr);

	if (t == NULL || t->kind != VBE_SIM_AT24) {
		return -ENODEV;
	}
	memcpy(out, t->u.at24.mem, sizeof(t->u.at24.mem));
	return 0;
}

uint32_t vbe_host_bus_log_seq(struct vbe_host *h)
{
	return h->sim.log_seq;
}

int vbe_host_bus_log_get(struct vbe_host *h, uint32_t seq, uint8_t *bus, uint16_t *addr,
			 uint8_t *num_msgs, int32_t *result)
{
	struct vbe_sim_log_entry e;
	int err = vbe_sim_log_get(&h->sim, seq, &e);

	if (err != 0) {
		return err;
	}
	*bus = e.bus;
	*addr = e.addr;
	*num_msgs = e.num_msgs;
	*result = e.result;
	return 0;
}

int vbe_host_bus_log_msg(struct vbe_host *h, uint32_t seq, int msg, uint8_t *flags,
			 uint32_t *len, uint8_t *data16)
{
	struct vbe_sim_log_entry e;
	int err = vbe_sim_log_get(&h->sim, seq, &e);

	if (err != 0) {
		return err;
	}
	if (msg < 0 || msg >= e.num_msgs || msg >= VBE_SIM_LOG_MSGS) {
		return -ENOENT;
	}
	*flags = e.msgs[msg].flags;
	*len = e.msgs[msg].len;
	memcpy(data16, e.msgs[msg].data, VBE_SIM_LOG_BYTES);
	return 0;
}

int vbe_host_i2c_stats(struct vbe_host *h, int guest, uint32_t *requests,
		       uint32_t *transactions, uint32_t *errors9)
{
	const struct vbe_sys_guest *g = host_guest(h, guest);
	const struct vbe_i2c_dev *dev;

	if (g == NULL || g->i2c == NULL || !h->started) {
		return -1;
	}
	dev = &h->sys.i2c[guest];
	*requests = dev->requests;
	*transactions = dev->transactions;
	memcpy(errors9, dev->errors, sizeof(dev->errors));
	return 0;
}

_Static_assert(VBE_I2C_ERR_COUNT == 9, "vbe_host_i2c_stats copies nine error counters");
_Static_assert(VBE_SIM_LOG_BYTES == 16, "vbe_host_bus_log_msg copies sixteen bytes");
