/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compiler's view of the window layout, by name, so pyhost can prove that its cffi view
 * of vbe/fvq_layout.h agrees (tests/core/test_layout.py).
 */

#include <stddef.h>
#include <string.h>

#include <vbe/fvq_layout.h>
#include <vbe/host.h>

struct layout_entry {
	const char *name;
	int32_t value;
	const char *member_type; /* short name of the field's struct type (element type for arrays) */
};

#define OFF(short, type, field) {#short "." #field, (int32_t)offsetof(struct type, field), NULL}
#define SUB(short, type, field, sub)                                                           \
	{#short "." #field, (int32_t)offsetof(struct type, field), #sub}
#define SIZE(short, type) {"sizeof." #short, (int32_t)sizeof(struct type), NULL}

static const struct layout_entry layout[] = {
	SIZE(header, vbe_fvq_header),
	OFF(header, vbe_fvq_header, magic),
	OFF(header, vbe_fvq_header, version_major),
	OFF(header, vbe_fvq_header, version_minor),
	OFF(header, vbe_fvq_header, window_size),
	OFF(header, vbe_fvq_header, num_devices),
	OFF(header, vbe_fvq_header, guest_id),
	OFF(header, vbe_fvq_header, devblock_off),
	OFF(header, vbe_fvq_header, devblock_size),
	OFF(header, vbe_fvq_header, ring_off),
	OFF(header, vbe_fvq_header, ring_size),
	OFF(header, vbe_fvq_header, data_off),
	OFF(header, vbe_fvq_header, data_size),
	OFF(header, vbe_fvq_header, backend_state),
	OFF(header, vbe_fvq_header, boot_seq),
	OFF(header, vbe_fvq_header, notify_methods),
	OFF(header, vbe_fvq_header, reserved),
	SIZE(dev_queue, vbe_fvq_dev_queue),
	OFF(dev_queue, vbe_fvq_dev_queue, size_max),
	OFF(dev_queue, vbe_fvq_dev_queue, reserved0),
	OFF(dev_queue, vbe_fvq_dev_queue, fault),
	OFF(dev_queue, vbe_fvq_dev_queue, interrupt_seq),
	OFF(dev_queue, vbe_fvq_dev_queue, reserved1),
	SIZE(drv_queue, vbe_fvq_drv_queue),
	OFF(drv_queue, vbe_fvq_drv_queue, size),
	OFF(drv_queue, vbe_fvq_drv_queue, enable),
	OFF(drv_queue, vbe_fvq_drv_queue, desc_off),
	OFF(drv_queue, vbe_fvq_drv_queue, avail_off),
	OFF(drv_queue, vbe_fvq_drv_queue, used_off),
	SIZE(dev_regs, vbe_fvq_dev_regs),
	OFF(dev_regs, vbe_fvq_dev_regs, device_id),
	OFF(dev_regs, vbe_fvq_dev_regs, vendor_id),
	OFF(dev_regs, vbe_fvq_dev_regs, device_features_lo),
	OFF(dev_regs, vbe_fvq_dev_regs, device_features_hi),
	OFF(dev_regs, vbe_fvq_dev_regs, device_status),
	OFF(dev_regs, vbe_fvq_dev_regs, status_ack),
	OFF(dev_regs, vbe_fvq_dev_regs, config_generation),
	OFF(dev_regs, vbe_fvq_dev_regs, num_queues),
	OFF(dev_regs, vbe_fvq_dev_regs, config_size),
	OFF(dev_regs, vbe_fvq_dev_regs, notify_seen),
	OFF(dev_regs, vbe_fvq_dev_regs, reserved),
	SUB(dev_regs, vbe_fvq_dev_regs, queue, dev_queue),
	OFF(dev_regs, vbe_fvq_dev_regs, config),
	SIZE(drv_regs, vbe_fvq_drv_regs),
	OFF(drv_regs, vbe_fvq_drv_regs, driver_features_lo),
	OFF(drv_regs, vbe_fvq_drv_regs, driver_features_hi),
	OFF(drv_regs, vbe_fvq_drv_regs, driver_status),
	OFF(drv_regs, vbe_fvq_drv_regs, status_seq),
	OFF(drv_regs, vbe_fvq_drv_regs, notify_seq),
	OFF(drv_regs, vbe_fvq_drv_regs, reserved),
	SUB(drv_regs, vbe_fvq_drv_regs, queue, drv_queue),
	SIZE(devblock, vbe_fvq_devblock),
	SUB(devblock, vbe_fvq_devblock, dev, dev_regs),
	SUB(devblock, vbe_fvq_devblock, drv, drv_regs),
};

static const struct layout_entry *layout_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(layout) / sizeof(layout[0]); i++) {
		if (strlen(layout[i].name) == len && strncmp(layout[i].name, name, len) == 0) {
			return &layout[i];
		}
	}
	return NULL;
}

/*
 * "header.magic", "sizeof.devblock", or a path through nested structs such as
 * "devblock.drv.queue.desc_off" (arrays resolve to element 0).
 */
int32_t vbe_host_layout_offset(const char *name)
{
	char path[96];
	const char *first_dot = strchr(name, '.');
	const char *second_dot;
	const struct layout_entry *e;
	int32_t inner;

	if (first_dot == NULL) {
		return -1;
	}
	second_dot = strchr(first_dot + 1, '.');
	if (second_dot == NULL || strncmp(name, "sizeof.", 7) == 0) {
		e = layout_find(name, strlen(name));
		return e != NULL ? e->value : -1;
	}
	e = layout_find(name, (size_t)(second_dot - name));
	if (e == NULL || e->member_type == NULL ||
	    strlen(e->member_type) + strlen(second_dot) + 1 > sizeof(path)) {
		return -1;
	}
	strcpy(path, e->member_type);
	strcat(path, second_dot);
	inner = vbe_host_layout_offset(path);
	return inner < 0 ? -1 : e->value + inner;
}
