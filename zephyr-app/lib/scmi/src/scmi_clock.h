/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Clock protocol internals shared by scmi_clock.c (table, attributes, on/off, permissions)
 * and scmi_clock_rate.c (rates: describe, set, get). Wire layouts of DEN0056E 4.6.
 */

#ifndef VBE_SCMI_SRC_SCMI_CLOCK_H
#define VBE_SCMI_SRC_SCMI_CLOCK_H

#include <stdint.h>

#include "scmi_internal.h"

struct scmi_clock_attributes_p2a {
	uint32_t attributes;
	uint8_t name[VBE_SCMI_NAME_SIZE];
	uint32_t enable_latency;
};

struct scmi_clock_describe_rates_a2p {
	uint32_t id;
	uint32_t rate_index;
};

struct scmi_clock_describe_rates_p2a {
	uint32_t num_rates_flags; /* 31:16 remaining, 12 range format, 11:0 returned */
	uint32_t rates[6];        /* (low, high) pairs; a range is three of them */
};

struct scmi_clock_rate_set_a2p {
	uint32_t flags;
	uint32_t id;
	uint32_t rate_low;
	uint32_t rate_high;
};

struct scmi_clock_rate_p2a {
	uint32_t rate_low;
	uint32_t rate_high;
};

struct scmi_clock_config_set_a2p {
	uint32_t id;
	uint32_t attributes;
	uint32_t oem_config_val;
};

struct scmi_clock_config_get_a2p {
	uint32_t id;
	uint32_t flags;
};

struct scmi_clock_config_get_p2a {
	uint32_t attributes;
	uint32_t config;
	uint32_t oem_config_val;
};

int vbe_scmi_clock_describe_rates(struct vbe_scmi_msg *m);
int vbe_scmi_clock_rate_set(struct vbe_scmi_msg *m);
int vbe_scmi_clock_rate_get(struct vbe_scmi_msg *m);

#endif /* VBE_SCMI_SRC_SCMI_CLOCK_H */
