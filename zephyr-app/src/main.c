/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr Dom0 entry point: map each guest's window from the devicetree, build the backend
 * from the built-in demo system on the Zephyr platform, publish the windows, and serve
 * them from one polling thread with a bounded back-off.
 *
 * Guest i's window is the reserved-memory node labelled vbe_win<i> (see boards/<board>.overlay);
 * its size must cover vbe_sys_description.guests[i].window_size.
 */

#include "port_zephyr.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zephyr/devicetree.h>
#include <zephyr/kernel.h>
#include <zephyr/kernel/mm.h>
#include <zephyr/logging/log.h>
#include <zephyr/sys/device_mmio.h>
#include <zephyr/sys/printk.h>
#include <zephyr/sys/util.h>

#include <vbe/i2c.h>
#include <vbe/sys.h>

#include "vbe_zephyr.h"

LOG_MODULE_DECLARE(vbe, CONFIG_VBE_LOG_LEVEL);

/* What boards/qemu_virt_baremetal/src/main.c prints once it serves: the harnesses wait for it. */
#define VBE_ZEPHYR_READY_LINE "vbe: ready"

BUILD_ASSERT(IS_ENABLED(CONFIG_MMU), "guest windows are mapped with device_map()");
BUILD_ASSERT(CONFIG_VBE_SERVICE_PRIORITY < CONFIG_NUM_PREEMPT_PRIORITIES,
	     "CONFIG_VBE_SERVICE_PRIORITY must be a preemptible priority");
BUILD_ASSERT(CONFIG_VBE_POLL_IDLE_MIN_US <= CONFIG_VBE_POLL_INTERVAL_US,
	     "CONFIG_VBE_POLL_IDLE_MIN_US must not exceed CONFIG_VBE_POLL_INTERVAL_US");

/*
 * How a window is mapped. It is memory this kernel does not own: outside its RAM (sram0),
 * no-map reserved memory shared with another domain, so it is mapped like a device's region,
 * with device_map() (<zephyr/sys/device_mmio.h>, the public call drivers use to map a
 * physical range at run time), not with the kernel's RAM calls: k_mem_map() hands out
 * anonymous page frames, and k_mem_map_phys_bare()/_guard() are kernel internals
 * (<zephyr/kernel/internal/mm.h>; _guard() also refuses explicit cache modes). A
 * devicetree zephyr,memory-region would only fit a window whose address is fixed when the
 * image is built, not one a hypervisor maps at run time.
 *
 * On arm64 K_MEM_CACHE_NONE means Device-nGnRnE memory, where an unaligned access or DC ZVA
 * (memcpy, memset) faults; the window is ordinary RAM shared with another domain, so it is
 * mapped Normal Non-cacheable unless the other side maps it cacheable too
 * (CONFIG_VBE_WINDOW_CACHEABLE).
 */
#if defined(CONFIG_VBE_WINDOW_CACHEABLE)
#define VBE_WINDOW_CACHE K_MEM_CACHE_WB
#elif defined(K_MEM_ARM_NORMAL_NC)
#define VBE_WINDOW_CACHE K_MEM_ARM_NORMAL_NC
#else
#define VBE_WINDOW_CACHE K_MEM_CACHE_NONE
#endif

#define VBE_WINDOW_MAP_FLAGS (VBE_WINDOW_CACHE | K_MEM_PERM_RW)

/* A guest window as the devicetree describes it. */
struct vbe_dt_window {
	uintptr_t phys;
	size_t size;
	bool present;
};

#define VBE_WIN_NODE(i) DT_NODELABEL(vbe_win##i)

#define VBE_DT_WINDOW(i)                                                                           \
	{                                                                                          \
		.phys = COND_CODE_1(DT_NODE_HAS_STATUS_OKAY(VBE_WIN_NODE(i)),                      \
				    ((uintptr_t)DT_REG_ADDR(VBE_WIN_NODE(i))), (0)),               \
		.size = COND_CODE_1(DT_NODE_HAS_STATUS_OKAY(VBE_WIN_NODE(i)),                      \
				    ((size_t)DT_REG_SIZE(VBE_WIN_NODE(i))), (0)),                  \
		.present = DT_NODE_HAS_STATUS_OKAY(VBE_WIN_NODE(i)),                               \
	}

/* Window i serves guest i; add entries here if a system needs more than four guests. */
static const struct vbe_dt_window vbe_dt_windows[] = {
	VBE_DT_WINDOW(0),
	VBE_DT_WINDOW(1),
	VBE_DT_WINDOW(2),
	VBE_DT_WINDOW(3),
};

static struct vbe_sys vbe_sys;
static void *vbe_windows[VBE_SYS_MAX_GUESTS];

K_THREAD_STACK_DEFINE(vbe_service_stack, CONFIG_VBE_SERVICE_STACK_SIZE);
static struct k_thread vbe_service_thread;

static const char *vbe_name(const char *name)
{
	return (name != NULL) ? name : "?";
}

static int vbe_map_windows(const struct vbe_sys_cfg *cfg)
{
	if ((cfg->guest_count > VBE_SYS_MAX_GUESTS) ||
	    (cfg->guest_count > ARRAY_SIZE(vbe_dt_windows))) {
		LOG_ERR("%u guests, but at most %u windows", (unsigned int)cfg->guest_count,
			(unsigned int)MIN(VBE_SYS_MAX_GUESTS, ARRAY_SIZE(vbe_dt_windows)));
		return -EINVAL;
	}

	for (uint8_t i = 0U; i < cfg->guest_count; i++) {
		const struct vbe_sys_guest *g = &cfg->guests[i];
		const struct vbe_dt_window *w = &vbe_dt_windows[i];
		mm_reg_t virt = 0U;

		if (!w->present) {
			LOG_ERR("guest %u '%s': no devicetree window (nodelabel vbe_win%u)",
				(unsigned int)i, vbe_name(g->name), (unsigned int)i);
			return -ENODEV;
		}

		if ((g->window_size == 0U) || (g->window_size > w->size)) {
			LOG_ERR("guest %u '%s': needs %u bytes, devicetree window has %lu",
				(unsigned int)i, vbe_name(g->name), (unsigned int)g->window_size,
				(unsigned long)w->size);
			return -EINVAL;
		}

		/* Panics if the kernel cannot map it; the address is checked all the same. */
		device_map(&virt, w->phys, g->window_size, VBE_WINDOW_MAP_FLAGS);
		if (virt == 0U) {
			LOG_ERR("guest %u '%s': window 0x%lx not mapped", (unsigned int)i,
				vbe_name(g->name), (unsigned long)w->phys);
			return -ENOMEM;
		}

		vbe_windows[i] = (void *)virt;

		LOG_INF("guest %u '%s': window 0x%lx (%u KiB) at %p", (unsigned int)i,
			vbe_name(g->name), (unsigned long)w->phys,
			(unsigned int)(g->window_size / 1024U), (void *)virt);

		if (g->i2c != NULL) {
			LOG_INF("guest %u '%s': virtio-i2c on bus %u, %u address(es)",
				(unsigned int)i, vbe_name(g->name), (unsigned int)g->i2c->bus,
				(unsigned int)g->i2c->route_count);
		}
	}

	return 0;
}

static void vbe_service(void *p1, void *p2, void *p3)
{
	uint32_t idle_us = 0U;
	uint32_t busy_rounds = 0U;

	ARG_UNUSED(p1);
	ARG_UNUSED(p2);
	ARG_UNUSED(p3);

	for (;;) {
		bool did_work = false;

		vbe_sys_poll(&vbe_sys, &did_work);

		if (did_work) {
			idle_us = 0U;
			busy_rounds++;
			if (busy_rounds < CONFIG_VBE_POLL_BUSY_ROUNDS) {
				continue;
			}
			/* A guest that never lets up must not starve lower priorities. */
			busy_rounds = 0U;
			(void)k_usleep(CONFIG_VBE_POLL_IDLE_MIN_US);
			continue;
		}

		/* Idle: sleep longer each round, up to the configured bound. */
		busy_rounds = 0U;
		if (idle_us == 0U) {
			idle_us = CONFIG_VBE_POLL_IDLE_MIN_US;
		} else {
			idle_us = MIN(idle_us * 2U, (uint32_t)CONFIG_VBE_POLL_INTERVAL_US);
		}
		(void)k_usleep((int32_t)idle_us);
	}
}

int main(void)
{
	const struct vbe_sys_cfg *cfg = &vbe_sys_description;
	const struct vbe_plat *plat = NULL;
	k_tid_t tid;
	int ret;

	/* Zephyr ignores main()'s value: failures are logged and main() returns 0. */
	LOG_INF("system '%s': %u guest(s), %u i2c bus(es)", vbe_name(cfg->name),
		(unsigned int)cfg->guest_count, (unsigned int)cfg->bus_count);

	ret = vbe_zephyr_plat_init(cfg, &plat);
	if (ret != 0) {
		LOG_ERR("platform not set up (%d)", ret);
		return 0;
	}

	ret = vbe_map_windows(cfg);
	if (ret != 0) {
		LOG_ERR("windows not mapped (%d); nothing served", ret);
		return 0;
	}

	ret = vbe_sys_init(&vbe_sys, cfg, plat, vbe_windows);
	if (ret != 0) {
		LOG_ERR("vbe_sys_init failed (%d); nothing served", ret);
		return 0;
	}

	/* Polling only: no doorbell yet, so no notify callback. */
	vbe_sys_start(&vbe_sys, NULL);

	tid = k_thread_create(&vbe_service_thread, vbe_service_stack,
			      K_THREAD_STACK_SIZEOF(vbe_service_stack), vbe_service, NULL, NULL,
			      NULL, K_PRIO_PREEMPT(CONFIG_VBE_SERVICE_PRIORITY), 0, K_NO_WAIT);

	ret = k_thread_name_set(tid, "vbe");
	if ((ret != 0) && (ret != -ENOSYS)) {
		LOG_WRN("service thread not named (%d)", ret);
	}

	LOG_INF("serving %u guest(s), polling every %u..%u us when idle",
		(unsigned int)cfg->guest_count, (unsigned int)CONFIG_VBE_POLL_IDLE_MIN_US,
		(unsigned int)CONFIG_VBE_POLL_INTERVAL_US);

	/*
	 * The readiness line, the same as the bare-metal image's (printk: whatever the log
	 * level); the twister harness of zephyr-app/sample.yaml waits for it.
	 */
	printk(VBE_ZEPHYR_READY_LINE "\n");

	return 0;
}
