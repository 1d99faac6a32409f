/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The map the build's manifest step uses to read the system description out of the
 * linked image (gen_manifest.py): where the fields of the core's config structs are, as
 * this compiler laid them out, and how the window slots are sized. The step finds
 * vbe_bm_manifest_abi by symbol, checks magic and version, then follows vbe_bm_sys_cfg
 * (main.c). A field renamed in vbe/sys.h breaks this file's build, not the manifest.
 */

#include <stddef.h>
#include <stdint.h>

#include <vbe/fvq_layout.h>
#include <vbe/sys.h>

#include "board.h"

#define BM_MANIFEST_ABI_MAGIC 0x414d4256 /* "VBMA" */
#define BM_MANIFEST_ABI_VERSION 1

/* All fields 32-bit little-endian, no padding: gen_manifest.py reads "<16I". */
struct bm_manifest_abi {
	uint32_t magic;
	uint32_t version;
	uint32_t ptr_size;
	uint32_t cfg_name;        /* offsetof(struct vbe_sys_cfg, ...) */
	uint32_t cfg_guests;
	uint32_t cfg_guest_count; /* a uint8_t */
	uint32_t guest_size;      /* sizeof(struct vbe_sys_guest): the array stride */
	uint32_t guest_name;      /* offsetof(struct vbe_sys_guest, ...) */
	uint32_t guest_window_size;
	uint32_t guest_ring_size;
	uint32_t guest_i2c;       /* pointer; non-NULL = the guest has a virtio-i2c device */
	uint32_t window_slot;     /* bytes reserved per guest at vbe_window_<n> */
	uint32_t window_count;
	uint32_t ram_base;        /* guest physical address of RAM */
	uint32_t fvq_magic;       /* VBE_FVQ_MAGIC: what a published window starts with */
	uint32_t fvq_version;     /* VBE_FVQ_VERSION_MAJOR << 16 | VBE_FVQ_VERSION_MINOR */
};

_Static_assert(sizeof(struct bm_manifest_abi) == 16 * sizeof(uint32_t), "no padding");
_Static_assert(sizeof(((struct vbe_sys_cfg *)0)->guest_count) == 1, "guest_count is a uint8_t");
_Static_assert(sizeof(((struct vbe_sys_guest *)0)->window_size) == 4, "window_size is 32-bit");
_Static_assert(sizeof(((struct vbe_sys_guest *)0)->ring_size) == 4, "ring_size is 32-bit");

BM_KEEP const struct bm_manifest_abi vbe_bm_manifest_abi = {
	.magic = BM_MANIFEST_ABI_MAGIC,
	.version = BM_MANIFEST_ABI_VERSION,
	.ptr_size = sizeof(void *),
	.cfg_name = offsetof(struct vbe_sys_cfg, name),
	.cfg_guests = offsetof(struct vbe_sys_cfg, guests),
	.cfg_guest_count = offsetof(struct vbe_sys_cfg, guest_count),
	.guest_size = sizeof(struct vbe_sys_guest),
	.guest_name = offsetof(struct vbe_sys_guest, name),
	.guest_window_size = offsetof(struct vbe_sys_guest, window_size),
	.guest_ring_size = offsetof(struct vbe_sys_guest, ring_size),
	.guest_i2c = offsetof(struct vbe_sys_guest, i2c),
	.window_slot = BM_WINDOW_SLOT,
	.window_count = BM_WINDOW_COUNT,
	.ram_base = BM_RAM_BASE,
	.fvq_magic = VBE_FVQ_MAGIC,
	.fvq_version = ((uint32_t)VBE_FVQ_VERSION_MAJOR << 16) | VBE_FVQ_VERSION_MINOR,
};
