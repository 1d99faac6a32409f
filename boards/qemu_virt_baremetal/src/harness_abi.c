/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe harness: where each guest's I2C view lives in the system description, as this
 * compiler laid it out, so that the build's manifest step (harness_manifest.py) can write
 * the guests' I2C routes and bus names into the manifest for pyhost's QEMU machine.
 * Complements manifest_abi.c (windows and guests), which it does not change.
 */

#include <stddef.h>
#include <stdint.h>

#include <vbe/i2c.h>
#include <vbe/sys.h>

#include "board.h"

#define BM_HARNESS_ABI_MAGIC 0x41484256 /* "VBHA" */
#define BM_HARNESS_ABI_VERSION 1

/* All fields 32-bit little-endian, no padding: harness_manifest.py reads "<17I". */
struct bm_harness_abi {
	uint32_t magic;
	uint32_t version;
	uint32_t cfg_buses;        /* offsetof(struct vbe_sys_cfg, ...): a pointer */
	uint32_t cfg_bus_count;    /* a uint8_t */
	uint32_t bus_size;         /* sizeof(struct vbe_sys_bus) */
	uint32_t bus_name;         /* a pointer to a string */
	uint32_t bus_id;           /* a uint8_t */
	uint32_t view_bus;         /* offsetof(struct vbe_i2c_view, ...): a uint8_t */
	uint32_t view_routes;      /* a pointer */
	uint32_t view_route_count; /* a uint16_t */
	uint32_t route_size;       /* sizeof(struct vbe_i2c_route) */
	uint32_t route_guest_addr; /* a uint16_t */
	uint32_t route_bus_addr;   /* a uint16_t */
	uint32_t route_flags;      /* a uint8_t */
	uint32_t route_select_max; /* a uint8_t */
	uint32_t flag_read_only;   /* VBE_I2C_ROUTE_RO */
	uint32_t flag_ten_bit;     /* VBE_I2C_ROUTE_10BIT */
};

_Static_assert(sizeof(struct bm_harness_abi) == 17 * sizeof(uint32_t), "no padding");
_Static_assert(sizeof(((struct vbe_sys_cfg *)0)->bus_count) == 1, "bus_count is a uint8_t");
_Static_assert(sizeof(((struct vbe_sys_bus *)0)->id) == 1, "bus id is a uint8_t");
_Static_assert(sizeof(((struct vbe_i2c_view *)0)->bus) == 1, "view bus is a uint8_t");
_Static_assert(sizeof(((struct vbe_i2c_view *)0)->route_count) == 2, "route_count is 16-bit");
_Static_assert(sizeof(((struct vbe_i2c_route *)0)->guest_addr) == 2, "guest_addr is 16-bit");
_Static_assert(sizeof(((struct vbe_i2c_route *)0)->bus_addr) == 2, "bus_addr is 16-bit");
_Static_assert(sizeof(((struct vbe_i2c_route *)0)->flags) == 1, "flags is a uint8_t");
_Static_assert(sizeof(((struct vbe_i2c_route *)0)->select_max) == 1, "select_max is a uint8_t");

BM_KEEP const struct bm_harness_abi vbe_bm_harness_abi = {
	.magic = BM_HARNESS_ABI_MAGIC,
	.version = BM_HARNESS_ABI_VERSION,
	.cfg_buses = offsetof(struct vbe_sys_cfg, buses),
	.cfg_bus_count = offsetof(struct vbe_sys_cfg, bus_count),
	.bus_size = sizeof(struct vbe_sys_bus),
	.bus_name = offsetof(struct vbe_sys_bus, name),
	.bus_id = offsetof(struct vbe_sys_bus, id),
	.view_bus = offsetof(struct vbe_i2c_view, bus),
	.view_routes = offsetof(struct vbe_i2c_view, routes),
	.view_route_count = offsetof(struct vbe_i2c_view, route_count),
	.route_size = sizeof(struct vbe_i2c_route),
	.route_guest_addr = offsetof(struct vbe_i2c_route, guest_addr),
	.route_bus_addr = offsetof(struct vbe_i2c_route, bus_addr),
	.route_flags = offsetof(struct vbe_i2c_route, flags),
	.route_select_max = offsetof(struct vbe_i2c_route, select_max),
	.flag_read_only = VBE_I2C_ROUTE_RO,
	.flag_ten_bit = VBE_I2C_ROUTE_10BIT,
};
