/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where the SCMI platform lives in the system description, as this compiler laid it out,
 * so that the build's manifest step (scmi_manifest.py) can write the manifest's "scmi"
 * section (vendor, resources by platform index, agents and their grants) and list each
 * guest's virtio-scmi device from the very tables the image serves. Complements
 * manifest_abi.c (windows and guests) and harness_abi.c (I2C views).
 */

#include <stddef.h>
#include <stdint.h>

#include <vbe/scmi.h>
#include <vbe/sys.h>

#include "board.h"

#define BM_SCMI_ABI_MAGIC 0x41534256 /* "VBSA" */
#define BM_SCMI_ABI_VERSION 1
#define BM_KINDS VBE_SCMI_RES_COUNT

/*
 * All fields 32-bit little-endian, no padding; the per-kind arrays are indexed by enum
 * vbe_scmi_res. scmi_manifest.py reads them in this order.
 */
struct bm_scmi_abi {
	uint32_t magic;
	uint32_t version;
	uint32_t kind_count;        /* VBE_SCMI_RES_COUNT */
	uint32_t cfg_scmi;          /* offsetof(struct vbe_sys_cfg, scmi): a pointer */
	uint32_t guest_scmi_agent;  /* offsetof(struct vbe_sys_guest, scmi_agent): a uint8_t */
	uint32_t plat_vendor;       /* offsetof(struct vbe_scmi_platform_cfg, ...): pointers */
	uint32_t plat_sub_vendor;
	uint32_t plat_impl_version; /* a uint32_t */
	uint32_t plat_agents;       /* a pointer */
	uint32_t plat_agent_count;  /* a uint8_t */
	uint32_t plat_table[BM_KINDS]; /* per kind: the resource table, a pointer */
	uint32_t plat_count[BM_KINDS]; /* per kind: its length, a uint8_t */
	uint32_t res_size[BM_KINDS];   /* per kind: sizeof(struct vbe_scmi_<kind>_cfg) */
	uint32_t res_name[BM_KINDS];   /* per kind: offsetof(..., name), a pointer */
	uint32_t agent_size;        /* sizeof(struct vbe_scmi_agent_cfg) */
	uint32_t agent_name;        /* a pointer */
	uint32_t agent_flags;       /* a uint8_t */
	uint32_t agent_grants;      /* grants[0]: BM_KINDS pointers */
	uint32_t agent_grant_count; /* grant_count[0]: BM_KINDS uint8_t */
	uint32_t grant_size;        /* sizeof(struct vbe_scmi_grant) */
	uint32_t grant_res;         /* a uint16_t */
	uint32_t grant_perms;       /* a uint8_t */
	uint32_t flag_privileged;   /* VBE_SCMI_AGENT_PRIVILEGED */
	uint32_t flag_system_power; /* VBE_SCMI_AGENT_SYSTEM_POWER */
};

#define BM_FIELD_SIZE(type, field) sizeof(((type *)0)->field)

_Static_assert(sizeof(struct bm_scmi_abi) == (20 + 4 * BM_KINDS) * sizeof(uint32_t),
	       "no padding");
_Static_assert(VBE_SCMI_RES_CLOCK == 0 && VBE_SCMI_RES_POWER == 1 && VBE_SCMI_RES_PERF == 2 &&
		       VBE_SCMI_RES_SENSOR == 3 && VBE_SCMI_RES_RESET == 4 &&
		       VBE_SCMI_RES_VOLTAGE == 5 && BM_KINDS == 6,
	       "scmi_manifest.py names the kinds in this order");
_Static_assert(BM_FIELD_SIZE(struct vbe_sys_guest, scmi_agent) == 1, "scmi_agent is a uint8_t");
_Static_assert(BM_FIELD_SIZE(struct vbe_scmi_platform_cfg, impl_version) == 4, "32-bit");
_Static_assert(BM_FIELD_SIZE(struct vbe_scmi_platform_cfg, agent_count) == 1 &&
		       BM_FIELD_SIZE(struct vbe_scmi_platform_cfg, clock_count) == 1 &&
		       BM_FIELD_SIZE(struct vbe_scmi_platform_cfg, power_count) == 1 &&
		       BM_FIELD_SIZE(struct vbe_scmi_platform_cfg, perf_count) == 1 &&
		       BM_FIELD_SIZE(struct vbe_scmi_platform_cfg, sensor_count) == 1 &&
		       BM_FIELD_SIZE(struct vbe_scmi_platform_cfg, reset_count) == 1 &&
		       BM_FIELD_SIZE(struct vbe_scmi_platform_cfg, voltage_count) == 1,
	       "counts are uint8_t");
_Static_assert(BM_FIELD_SIZE(struct vbe_scmi_agent_cfg, flags) == 1 &&
		       BM_FIELD_SIZE(struct vbe_scmi_agent_cfg, grant_count[0]) == 1,
	       "agent flags and grant counts are uint8_t");
_Static_assert(BM_FIELD_SIZE(struct vbe_scmi_grant, res) == 2 &&
		       BM_FIELD_SIZE(struct vbe_scmi_grant, perms) == 1,
	       "grant res is 16-bit, perms 8-bit");

#define BM_PLAT(f) offsetof(struct vbe_scmi_platform_cfg, f)

BM_KEEP const struct bm_scmi_abi vbe_bm_scmi_abi = {
	.magic = BM_SCMI_ABI_MAGIC,
	.version = BM_SCMI_ABI_VERSION,
	.kind_count = BM_KINDS,
	.cfg_scmi = offsetof(struct vbe_sys_cfg, scmi),
	.guest_scmi_agent = offsetof(struct vbe_sys_guest, scmi_agent),
	.plat_vendor = BM_PLAT(vendor),
	.plat_sub_vendor = BM_PLAT(sub_vendor),
	.plat_impl_version = BM_PLAT(impl_version),
	.plat_agents = BM_PLAT(agents),
	.plat_agent_count = BM_PLAT(agent_count),
	.plat_table = {
		[VBE_SCMI_RES_CLOCK] = BM_PLAT(clocks),
		[VBE_SCMI_RES_POWER] = BM_PLAT(power),
		[VBE_SCMI_RES_PERF] = BM_PLAT(perf),
		[VBE_SCMI_RES_SENSOR] = BM_PLAT(sensors),
		[VBE_SCMI_RES_RESET] = BM_PLAT(resets),
		[VBE_SCMI_RES_VOLTAGE] = BM_PLAT(voltages),
	},
	.plat_count = {
		[VBE_SCMI_RES_CLOCK] = BM_PLAT(clock_count),
		[VBE_SCMI_RES_POWER] = BM_PLAT(power_count),
		[VBE_SCMI_RES_PERF] = BM_PLAT(perf_count),
		[VBE_SCMI_RES_SENSOR] = BM_PLAT(sensor_count),
		[VBE_SCMI_RES_RESET] = BM_PLAT(reset_count),
		[VBE_SCMI_RES_VOLTAGE] = BM_PLAT(voltage_count),
	},
	.res_size = {
		[VBE_SCMI_RES_CLOCK] = sizeof(struct vbe_scmi_clock_cfg),
		[VBE_SCMI_RES_POWER] = sizeof(struct vbe_scmi_power_cfg),
		[VBE_SCMI_RES_PERF] = sizeof(struct vbe_scmi_perf_cfg),
		[VBE_SCMI_RES_SENSOR] = sizeof(struct vbe_scmi_sensor_cfg),
		[VBE_SCMI_RES_RESET] = sizeof(struct vbe_scmi_reset_cfg),
		[VBE_SCMI_RES_VOLTAGE] = sizeof(struct vbe_scmi_voltage_cfg),
	},
	.res_name = {
		[VBE_SCMI_RES_CLOCK] = offsetof(struct vbe_scmi_clock_cfg, name),
		[VBE_SCMI_RES_POWER] = offsetof(struct vbe_scmi_power_cfg, name),
		[VBE_SCMI_RES_PERF] = offsetof(struct vbe_scmi_perf_cfg, name),
		[VBE_SCMI_RES_SENSOR] = offsetof(struct vbe_scmi_sensor_cfg, name),
		[VBE_SCMI_RES_RESET] = offsetof(struct vbe_scmi_reset_cfg, name),
		[VBE_SCMI_RES_VOLTAGE] = offsetof(struct vbe_scmi_voltage_cfg, name),
	},
	.agent_size = sizeof(struct vbe_scmi_agent_cfg),
	.agent_name = offsetof(struct vbe_scmi_agent_cfg, name),
	.agent_flags = offsetof(struct vbe_scmi_agent_cfg, flags),
	.agent_grants = offsetof(struct vbe_scmi_agent_cfg, grants),
	.agent_grant_count = offsetof(struct vbe_scmi_agent_cfg, grant_count),
	.grant_size = sizeof(struct vbe_scmi_grant),
	.grant_res = offsetof(struct vbe_scmi_grant, res),
	.grant_perms = offsetof(struct vbe_scmi_grant, perms),
	.flag_privileged = VBE_SCMI_AGENT_PRIVILEGED,
	.flag_system_power = VBE_SCMI_AGENT_SYSTEM_POWER,
};
