/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-in for include/zephyr/arch/arm64/hypercall.h as of v4.2.0: the entries
 * arch/arm64/core/xen/hypercall.S defines with HYPERCALL() then (console_io, grant_table_op,
 * sched_op, event_channel_op, hvm_op, memory_op; domctl with CONFIG_XEN_DOM0). There is no
 * HYPERVISOR_dm_op, HYPERVISOR_xen_version nor HYPERVISOR_sysctl: they came after the
 * release (zephyrproject-rtos/zephyr#95556, #96727, September 2025), so a call to one of
 * them does not compile here, as it would not against v4.2.0.
 */
#ifndef STUB_ZEPHYR_ARCH_ARM64_HYPERCALL_H
#define STUB_ZEPHYR_ARCH_ARM64_HYPERCALL_H

int HYPERVISOR_console_io(int op, int cnt, char *str);
int HYPERVISOR_sched_op(int op, void *param);
int HYPERVISOR_event_channel_op(int op, void *param);
int HYPERVISOR_hvm_op(int op, void *param);
int HYPERVISOR_memory_op(int op, void *param);
int HYPERVISOR_grant_table_op(int op, void *uop, unsigned int count);

#if defined(CONFIG_XEN_DOM0)
int HYPERVISOR_domctl(void *param);
#endif

#endif /* STUB_ZEPHYR_ARCH_ARM64_HYPERCALL_H */
