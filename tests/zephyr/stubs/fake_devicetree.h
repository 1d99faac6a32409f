/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fake generated devicetree for the port's compile test, in the shape of what
 * `vbe gen` writes (tests/zephyr/test_port_compiles.py): one vbe,scmi-<kind> node per kind,
 * children at sparse platform ids, a clock with and one without a subsystem cell, and
 * chosen vbe,i2c-bus0. Compiled with -DSTUB_EMPTY_TREE, the vbe,scmi-* nodes are absent.
 */
#ifndef STUB_FAKE_DEVICETREE_H
#define STUB_FAKE_DEVICETREE_H

#define DT_CHOSEN_vbe_i2c_bus0 N_i2c0
#define N_i2c0_EXISTS 1

#ifndef STUB_EMPTY_TREE
/* scmi-clocks { clock@0 { reg = <0>; clocks = <&cru 12>; subsys-cell = "id"; };
 *               clock@5 { reg = <5>; clocks = <&osc>; }; } */
#define DT_FOREACH_OKAY_vbe_scmi_clocks(fn) fn(N_scmi_clocks)
#define N_scmi_clocks_FOREACH_CHILD_STATUS_OKAY(fn) fn(N_clock0) fn(N_clock5)
#define N_clock0_REG_ADDR 0
#define N_clock0_P_clocks_CTLR N_cru
#define N_clock0_P_clocks_VAL_id 12
#define N_clock0_P_subsys_cell_EXISTS 1
#define N_clock0_P_subsys_cell_STRING_TOKEN id
#define N_clock5_REG_ADDR 5
#define N_clock5_P_clocks_CTLR N_osc

/* scmi-power-domains { domain@1 { reg = <1>; domain = <&pd_gpu>; }; } */
#define DT_FOREACH_OKAY_vbe_scmi_power_domains(fn) fn(N_scmi_pd)
#define N_scmi_pd_FOREACH_CHILD_STATUS_OKAY(fn) fn(N_domain1)
#define N_domain1_REG_ADDR 1
#define N_domain1_P_domain N_pd_gpu

/* scmi-resets { reset@3 { reg = <3>; resets = <&rstc 4>; }; } */
#define DT_FOREACH_OKAY_vbe_scmi_resets(fn) fn(N_scmi_resets)
#define N_scmi_resets_FOREACH_CHILD_STATUS_OKAY(fn) fn(N_reset3)
#define N_reset3_REG_ADDR 3
#define N_reset3_P_resets_CTLR N_rstc
#define N_reset3_P_resets_VAL_id 4

/* scmi-regulators { regulator@0 { reg = <0>; regulator = <&ldo1>; }; } */
#define DT_FOREACH_OKAY_vbe_scmi_regulators(fn) fn(N_scmi_regs)
#define N_scmi_regs_FOREACH_CHILD_STATUS_OKAY(fn) fn(N_regulator0)
#define N_regulator0_REG_ADDR 0
#define N_regulator0_P_regulator N_ldo1

/* scmi-sensors { sensor@2 { reg = <2>; sensor = <&tsens>; channel = "die_temp"; };
 *                sensor@7 { reg = <7>; sensor = <&ina>; channel = "current"; }; } */
#define DT_FOREACH_OKAY_vbe_scmi_sensors(fn) fn(N_scmi_sensors)
#define N_scmi_sensors_FOREACH_CHILD_STATUS_OKAY(fn) fn(N_sensor2) fn(N_sensor7)
#define N_sensor2_REG_ADDR 2
#define N_sensor2_P_sensor N_tsens
#define N_sensor2_P_channel_STRING_UPPER_TOKEN DIE_TEMP
#define N_sensor7_REG_ADDR 7
#define N_sensor7_P_sensor N_ina
#define N_sensor7_P_channel_STRING_UPPER_TOKEN CURRENT
#else
#define DT_FOREACH_OKAY_vbe_scmi_clocks(fn)
#define DT_FOREACH_OKAY_vbe_scmi_power_domains(fn)
#define DT_FOREACH_OKAY_vbe_scmi_resets(fn)
#define DT_FOREACH_OKAY_vbe_scmi_regulators(fn)
#define DT_FOREACH_OKAY_vbe_scmi_sensors(fn)
#endif

/* The devices DEVICE_DT_GET() names. */
struct device;
extern const struct device stub_dev_N_i2c0, stub_dev_N_cru, stub_dev_N_osc, stub_dev_N_pd_gpu,
	stub_dev_N_rstc, stub_dev_N_ldo1, stub_dev_N_tsens, stub_dev_N_ina;

#endif
