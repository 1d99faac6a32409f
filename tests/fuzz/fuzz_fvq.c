/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the fat-virtqueue window transport, as a guest sees it. The whole demo system
 * runs (vbe_sys: one window per guest, virtio-i2c and virtio-scmi in each, the simulated
 * platform); the input is what the guests write into their windows, byte for byte, between
 * the backend's polls: registers, status handshakes, ring placement, rings, descriptors,
 * buffers. Operations: write bytes at an offset, write a register word, notify, a status
 * handshake, poll, a platform event, a backend restart. Windows sit between guard pages.
 *
 * Besides the sanitizers: the device never writes what the driver owns (the driver half of
 * every device block) nor the header outside a restart.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/fvq.h>
#include <vbe/shmem.h>
#include <vbe/sim.h>
#include <vbe/sys.h>

#include "common/fuzz.h"

#define DRV_OFF(i) (sizeof(struct vbe_fvq_header) + (i) * sizeof(struct vbe_fvq_devblock) + \
		    offsetof(struct vbe_fvq_devblock, drv))
#define DRV_SIZE sizeof(struct vbe_fvq_drv_regs)

static struct vbe_sim sim;
static struct vbe_sys sys;
static uint8_t *win[VBE_SYS_MAX_GUESTS];
static uint32_t win_size[VBE_SYS_MAX_GUESTS];
/* what the driver wrote last: the header and the driver halves, per guest */
static uint8_t shadow[VBE_SYS_MAX_GUESTS][sizeof(struct vbe_fvq_header) +
					  VBE_FVQ_MAX_DEVICES * DRV_SIZE];
static uint32_t doorbells;
/* the state right after set-up and publication, restored for each input */
static struct vbe_sim sim0;
static struct vbe_sys sys0;
static uint8_t page0[VBE_SYS_MAX_GUESTS][VBE_FVQ_RING_OFF];

static void ring_doorbell(void *ctx, uint16_t guest)
{
	(void)ctx;
	(void)guest;
	doorbells++;
}

static void snapshot(uint8_t g)
{
	memcpy(shadow[g], win[g], sizeof(struct vbe_fvq_header));
	for (unsigned int i = 0U; i < VBE_FVQ_MAX_DEVICES; i++) {
		memcpy(shadow[g] + sizeof(struct vbe_fvq_header) + i * DRV_SIZE, win[g] + DRV_OFF(i),
		       DRV_SIZE);
	}
}

static void check_driver_halves(uint8_t n)
{
	for (uint8_t g = 0U; g < n; g++) {
		FZ_CHECK(memcmp(shadow[g], win[g], sizeof(struct vbe_fvq_header)) == 0,
			 "the device rewrote the window header outside a restart");
		for (unsigned int i = 0U; i < VBE_FVQ_MAX_DEVICES; i++) {
			FZ_CHECK(memcmp(shadow[g] + sizeof(struct vbe_fvq_header) + i * DRV_SIZE,
					win[g] + DRV_OFF(i), DRV_SIZE) == 0,
				 "the device wrote the driver half of a device block");
		}
	}
}

static void platform_event(struct fz_in *in, uint8_t guests)
{
	const struct vbe_sys_cfg *cfg = &vbe_sys_description;
	uint8_t what = fz_u8(in);

	if (cfg->scmi == NULL) {
		return;
	}
	if ((what & 1U) != 0U) {
		uint16_t sensor = (uint16_t)(fz_u8(in) % (cfg->scmi->sensor_count + 1U));

		fz_sensor_set(&sim, &sys.scmi, sensor, (int32_t)fz_u32(in));
	} else {
		uint8_t agent = (uint8_t)(1U + fz_u8(in) % (guests + 1U));

		(void)vbe_scmi_system_notify(&sys.scmi, agent, fz_u8(in) & 1U, fz_u8(in) % 6U, 100U);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct vbe_sys_cfg *cfg = &vbe_sys_description;
	struct vbe_fvq_notify notify = { .notify = ring_doorbell };
	struct fz_in in = { .p = data, .n = size };
	uint8_t n = cfg->guest_count;

	if (win[0] == NULL) {
		for (uint8_t g = 0U; g < n; g++) {
			win_size[g] = cfg->guests[g].window_size;
			win[g] = fz_guarded(win_size[g]);
		}
		if (vbe_sim_populate(&sim, cfg) != 0 ||
		    vbe_sys_init(&sys, cfg, &sim.plat, (void *const *)win) != 0) {
			fz_fail(__FILE__, __LINE__, "the demo system does not set up");
		}
		vbe_sys_start(&sys, &notify);
		sim0 = sim;
		sys0 = sys;
		for (uint8_t g = 0U; g < n; g++) {
			memcpy(page0[g], win[g], VBE_FVQ_RING_OFF);
		}
	}
	/* back to the published state: the structs, and the windows' register page */
	sim = sim0;
	sys = sys0;
	for (uint8_t g = 0U; g < n; g++) {
		fz_zero(win[g], win_size[g]);
		memcpy(win[g], page0[g], VBE_FVQ_RING_OFF);
		snapshot(g);
	}
	while (fz_more(&in)) {
		uint8_t op = fz_u8(&in);
		uint8_t g = (uint8_t)((op >> 4) % n);
		uint8_t dev = (uint8_t)((op >> 6) % VBE_FVQ_MAX_DEVICES);
		uint8_t *drv = win[g] + DRV_OFF(dev);

		switch (op & 0x7U) {
		case 0: { /* bytes anywhere in the window */
			uint32_t off = fz_u32(&in) % win_size[g];
			uint32_t len = 1U + fz_u8(&in);

			if (len > win_size[g] - off) {
				len = win_size[g] - off;
			}
			fz_bytes(&in, win[g] + off, len);
			snapshot(g);
			break;
		}
		case 1: { /* one 32-bit word of the driver half (registers, queue set-up) */
			uint32_t field = (fz_u8(&in) % (DRV_SIZE / 4U)) * 4U;

			vbe_st32(drv + field, fz_u32(&in));
			snapshot(g);
			break;
		}
		case 2: /* a notification: notify_seq moves */
			vbe_st32(drv + offsetof(struct vbe_fvq_drv_regs, notify_seq),
				 vbe_ld32(drv + offsetof(struct vbe_fvq_drv_regs, notify_seq)) + 1U);
			snapshot(g);
			break;
		case 3: /* a status write and its sequence number, then a poll */
			vbe_st32(drv + offsetof(struct vbe_fvq_drv_regs, driver_status), fz_u8(&in));
			vbe_st32(drv + offsetof(struct vbe_fvq_drv_regs, status_seq),
				 vbe_ld32(drv + offsetof(struct vbe_fvq_drv_regs, status_seq)) + 1U);
			snapshot(g);
			vbe_sys_poll(&sys, NULL);
			check_driver_halves(n);
			break;
		case 4:
		case 5:
			vbe_sys_poll(&sys, NULL);
			check_driver_halves(n);
			break;
		case 6:
			platform_event(&in, n);
			check_driver_halves(n);
			break;
		default: /* the backend restarts: every device reset, the window republished */
			if ((fz_u8(&in) & 3U) == 0U) {
				vbe_fvq_publish(&sys.win[g], NULL);
				snapshot(g);
			}
			break;
		}
	}
	vbe_sys_poll(&sys, NULL);
	check_driver_halves(n);
	return 0;
}
