/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_sim: the simulated platform. Same ops as a real one (vbe/plat.h), plus what a test
 * needs: set a sensor's value, read what reached the bus.
 *
 * Targets: an AT24-style EEPROM (256 bytes, 16-byte pages, auto-incrementing address
 * pointer) and an LM75-style temperature sensor. All storage is static or caller-owned.
 */

#ifndef VBE_SIM_H
#define VBE_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include <vbe/plat.h>

#define VBE_SIM_MAX_BUSES 2
#define VBE_SIM_MAX_TARGETS 8
#define VBE_SIM_LOG_LEN 64        /* bus log entries kept (a ring) */
#define VBE_SIM_LOG_MSGS 4        /* messages recorded per entry */
#define VBE_SIM_LOG_BYTES 16      /* data bytes recorded per message */
#define VBE_SIM_AT24_SIZE 256
#define VBE_SIM_AT24_PAGE 16

enum vbe_sim_target_kind {
	VBE_SIM_AT24 = 1,
	VBE_SIM_LM75 = 2,
};

struct vbe_sim_at24 {
	uint8_t mem[VBE_SIM_AT24_SIZE];
	uint8_t ptr; /* address pointer */
};

struct vbe_sim_lm75 {
	int32_t temp_mc; /* temperature, milli-degrees Celsius, set by the harness */
	uint8_t ptr;     /* register pointer: 0 temp, 1 config, 2 thyst, 3 tos */
	uint8_t config;
	uint16_t thyst;  /* register values as on the wire (big-endian order, 9-bit) */
	uint16_t tos;
};

struct vbe_sim_target {
	uint8_t bus;
	uint16_t addr;
	uint8_t kind; /* enum vbe_sim_target_kind */
	union {
		struct vbe_sim_at24 at24;
		struct vbe_sim_lm75 lm75;
	} u;
};

/** One message as it reached the bus (data truncated to VBE_SIM_LOG_BYTES). */
struct vbe_sim_log_msg {
	uint8_t flags; /* VBE_I2C_MSG_* */
	uint32_t len;
	uint8_t data[VBE_SIM_LOG_BYTES];
};

/** One transaction as it reached the bus. */
struct vbe_sim_log_entry {
	uint32_t seq;     /* 1, 2, 3... since vbe_sim_init */
	uint8_t bus;
	uint16_t addr;
	uint8_t num_msgs;
	int32_t result;   /* 0 or negative errno */
	struct vbe_sim_log_msg msgs[VBE_SIM_LOG_MSGS];
};

struct vbe_sim {
	struct vbe_sim_target targets[VBE_SIM_MAX_TARGETS];
	uint8_t target_count;
	struct vbe_sim_log_entry log[VBE_SIM_LOG_LEN];
	uint32_t log_seq; /* transactions logged since init (the newest entry's seq) */
	struct vbe_plat plat; /* ops + ctx, ready for the backends */
};

/** @brief Empty platform: no targets, empty log; sim->plat is ready to use. */
void vbe_sim_init(struct vbe_sim *sim);

/**
 * @brief Add a target on a bus.
 *
 * @retval 0 done.
 * @retval -ENOSPC VBE_SIM_MAX_TARGETS reached.
 * @retval -EINVAL bad kind, bus >= VBE_SIM_MAX_BUSES, an address above 0x7f (simulated
 *         targets are 7-bit), or the address is taken on that bus.
 */
int vbe_sim_add_target(struct vbe_sim *sim, uint8_t bus, uint16_t addr,
		       enum vbe_sim_target_kind kind);

/** @brief Find a target; NULL if there is none at that address. */
struct vbe_sim_target *vbe_sim_find(struct vbe_sim *sim, uint8_t bus, uint16_t addr);

/**
 * @brief Set an LM75's temperature.
 *
 * @retval 0 done. @retval -ENODEV no LM75 there.
 */
int vbe_sim_lm75_set_temp(struct vbe_sim *sim, uint8_t bus, uint16_t addr, int32_t temp_mc);

/**
 * @brief Get log entry by sequence number.
 *
 * @retval 0 copied into @p out.
 * @retval -ENOENT seq is 0, newer than log_seq, or already overwritten.
 * @retval -EINVAL NULL argument.
 */
int vbe_sim_log_get(const struct vbe_sim *sim, uint32_t seq, struct vbe_sim_log_entry *out);

#endif /* VBE_SIM_H */
