/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the vhost-user path, as a front-end and its guest drive it. Four devices of
 * the demo system are bound with vbe_vhu (ivi's virtio-i2c and virtio-scmi, cluster's
 * virtio-scmi, and a relay for virtio-i2c as the bridge uses it) over guest RAM in two
 * backing blocks between guard pages. The input is a stream of front-end messages (memory
 * table with fuzzed guest and user addresses, SET_VRING_NUM/ADDR/BASE/KICK/ENABLE,
 * GET_VRING_BASE, SET_FEATURES, RESET_DEVICE), kicks, guest RAM writes (rings, descriptors,
 * buffers), platform events (a sensor, the system power notifier) that reach every agent
 * whatever its rings are doing, and the relay's owner taking and answering requests late,
 * after stops and resets.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/dev.h>
#include <vbe/i2c.h>
#include <vbe/relay.h>
#include <vbe/scmi.h>
#include <vbe/sim.h>
#include <vbe/sys.h>
#include <vbe/vhu.h>
#include <vbe/virtio.h>

#include "common/fuzz.h"

#define RAM0_SIZE (256U * 1024U)
#define RAM1_SIZE (64U * 1024U)
#define UADDR0 0x7f0000000000ULL
#define UADDR1 0x7f0040000000ULL
#define GPA1 0x80000000ULL
#define NDEV 4

static struct vbe_sim sim;
static struct vbe_sys sys;
static struct vbe_relay relay;
static struct vbe_vhu vhu[NDEV];
static uint8_t *ram[2];
static const uint32_t ram_size[2] = { RAM0_SIZE, RAM1_SIZE };
static uint32_t relay_ids[8];
/* the state right after set-up, restored for each input */
static struct vbe_sim sim0;
static struct vbe_sys sys0;
static struct vbe_relay relay0;
static struct vbe_vhu vhu0[NDEV];

static const struct vbe_relay_cfg relay_cfg = {
	.device_id = VBE_VIRTIO_ID_I2C,
	.features = 1ULL << VBE_I2C_F_ZERO_LENGTH_REQUEST,
	.required_features = 1ULL << VBE_I2C_F_ZERO_LENGTH_REQUEST,
	.num_queues = 1,
	.queue_size_max = 64,
	.reject_status = VBE_I2C_MSG_ERR,
};

/* An address near something that matters (a region's start) or anything at all. */
static uint64_t pick_addr(struct fz_in *in, uint64_t base)
{
	uint8_t how = fz_u8(in);

	if ((how & 3U) == 3U) {
		return fz_u64(in);
	}
	return base + (((uint64_t)fz_u16(in)) << ((how & 3U) * 2U));
}

static void mem_table(struct vbe_vhu *v, struct fz_in *in)
{
	uint8_t count = fz_u8(in) % 4U;

	vbe_vhu_mem_clear(v);
	for (uint8_t i = 0U; i < count; i++) {
		uint8_t which = fz_u8(in) & 1U;
		uint32_t off = (fz_u8(in) * 4096U) % ram_size[which];
		uint64_t len = (uint64_t)(fz_u8(in) + 1U) * 4096U;
		uint64_t gpa = pick_addr(in, which == 0U ? 0U : GPA1);
		uint64_t uaddr = pick_addr(in, which == 0U ? UADDR0 : UADDR1);

		if (len > ram_size[which] - off) {
			len = ram_size[which] - off;
		}
		(void)vbe_vhu_mem_add(v, gpa, len, uaddr, ram[which] + off);
	}
}

static void relay_owner(struct fz_in *in)
{
	uint8_t what = fz_u8(in);
	uint8_t slot = (what >> 2) % 8U;
	uint8_t out[256];
	uint8_t ans[64];
	uint32_t out_len;
	uint32_t in_cap;
	uint32_t id;
	uint32_t written;
	bool signal;

	switch (what & 3U) {
	case 0:
		if (vbe_relay_next(&relay, 0U, out, sizeof(out), 64U, &out_len, &in_cap, &id) ==
		    0) {
			FZ_CHECK(out_len <= sizeof(out) && in_cap <= 64U, "relay handed too much");
			relay_ids[slot] = id;
		}
		break;
	case 1:
		fz_bytes(in, ans, sizeof(ans));
		(void)vbe_relay_done(&relay, 0U, relay_ids[slot], ans, fz_u8(in) % sizeof(ans),
				     &written, &signal);
		break;
	case 2:
		(void)vbe_relay_reject(&relay, 0U, relay_ids[slot], &signal);
		break;
	default:
		(void)vbe_relay_done(&relay, 0U, fz_u32(in), ans, 1U, &written, &signal);
		break;
	}
}

static void platform_event(struct fz_in *in)
{
	const struct vbe_sys_cfg *cfg = &vbe_sys_description;
	uint8_t what = fz_u8(in);

	if ((what & 1U) != 0U) {
		uint16_t sensor = (uint16_t)(fz_u8(in) % (cfg->scmi->sensor_count + 1U));

		fz_sensor_set(&sim, &sys.scmi, sensor, (int32_t)fz_u32(in));
	} else {
		(void)vbe_scmi_system_notify(&sys.scmi, (uint8_t)(1U + (what >> 1) % 3U), 1U,
					     fz_u8(in) % 6U, 100U);
	}
}

static void kick(struct vbe_vhu *v)
{
	uint32_t call = 0U;

	for (unsigned int pass = 0U; pass < 4U; pass++) {
		(void)vbe_vhu_kick(v, &call);
		if ((call & VBE_DEV_SERVICE_MORE) == 0U) {
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct vbe_sys_cfg *cfg = &vbe_sys_description;
	struct fz_in in = { .p = data, .n = size };

	if (ram[0] == NULL) {
		ram[0] = fz_guarded(RAM0_SIZE);
		ram[1] = fz_guarded(RAM1_SIZE);
		if (vbe_sim_populate(&sim, cfg) != 0 ||
		    vbe_sys_init_devices(&sys, cfg, &sim.plat) != 0 ||
		    vbe_relay_init(&relay, &relay_cfg) != 0 || cfg->guest_count < 2U ||
		    vbe_vhu_init(&vhu[0], &vbe_i2c_dev_ops, &sys.i2c[0]) != 0 ||
		    vbe_vhu_init(&vhu[1], &vbe_scmi_dev_ops, &sys.scmi_dev[0]) != 0 ||
		    vbe_vhu_init(&vhu[2], &vbe_scmi_dev_ops, &sys.scmi_dev[1]) != 0 ||
		    vbe_vhu_init(&vhu[3], &relay.ops, &relay) != 0) {
			fz_fail(__FILE__, __LINE__, "the demo system does not set up");
		}
		for (unsigned int i = 0U; i < NDEV; i++) {
			vbe_vhu_reset(&vhu[i]);
		}
		sim0 = sim;
		sys0 = sys;
		relay0 = relay;
		memcpy(vhu0, vhu, sizeof(vhu));
	}
	/* back to the state after set-up; guest RAM zero again */
	sim = sim0;
	sys = sys0;
	relay = relay0;
	memcpy(vhu, vhu0, sizeof(vhu));
	fz_zero(ram[0], RAM0_SIZE);
	fz_zero(ram[1], RAM1_SIZE);
	memset(relay_ids, 0, sizeof(relay_ids));
	while (fz_more(&in)) {
		uint8_t op = fz_u8(&in);
		struct vbe_vhu *v = &vhu[(op >> 4) % NDEV];
		uint32_t q = (op >> 6) & 1U;
		uint16_t base;

		switch (op & 0xFU) {
		case 0:
			mem_table(v, &in);
			break;
		case 1:
			(void)vbe_vhu_set_num(v, q, fz_u16(&in));
			break;
		case 2: {
			uint64_t desc = pick_addr(&in, UADDR0);
			uint64_t used = pick_addr(&in, UADDR0);

			(void)vbe_vhu_set_addr(v, q, desc, used, pick_addr(&in, UADDR0));
			break;
		}
		case 3:
			(void)vbe_vhu_set_base(v, q, fz_u16(&in));
			break;
		case 4:
			(void)vbe_vhu_get_base(v, q, &base);
			break;
		case 5:
			(void)vbe_vhu_set_kick(v, q);
			break;
		case 6:
			(void)vbe_vhu_set_enable(v, q, fz_u8(&in) & 1U);
			break;
		case 7: {
			uint64_t f = vbe_vhu_features(v) & fz_u64(&in);

			(void)vbe_vhu_set_features(v, f | ((fz_u8(&in) & 1U) ? 0U : (1ULL << 40)));
			break;
		}
		case 8:
		case 9:
			kick(v);
			break;
		case 10:
			vbe_vhu_reset(v);
			break;
		case 11:
		case 12: { /* the guest writes its RAM: rings, descriptors, buffers */
			uint8_t which = fz_u8(&in) & 1U;
			uint32_t off = fz_u32(&in) % ram_size[which];
			uint32_t len = 1U + fz_u8(&in);

			if (len > ram_size[which] - off) {
				len = ram_size[which] - off;
			}
			fz_bytes(&in, ram[which] + off, len);
			break;
		}
		case 13:
			platform_event(&in);
			break;
		default:
			relay_owner(&in);
			break;
		}
	}
	for (unsigned int i = 0U; i < NDEV; i++) {
		kick(&vhu[i]);
		vbe_vhu_reset(&vhu[i]);
	}
	return 0;
}
