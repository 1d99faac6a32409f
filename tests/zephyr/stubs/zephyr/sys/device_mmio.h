/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-in for include/zephyr/sys/device_mmio.h: mm_reg_t (sys/sys_io.h) and
 * device_map(mm_reg_t *virt_addr, uintptr_t phys_addr, size_t size, uint32_t flags), which
 * Zephyr defines only when an MMU (or PCIe, or address translation) puts MMIO in RAM.
 */
#ifndef STUB_ZEPHYR_SYS_DEVICE_MMIO_H
#define STUB_ZEPHYR_SYS_DEVICE_MMIO_H
#include <stddef.h>
#include <stdint.h>

#include <zephyr/kernel/mm.h>

typedef uintptr_t mm_reg_t;

#if defined(CONFIG_MMU)
void device_map(mm_reg_t *virt_addr, uintptr_t phys_addr, size_t size, uint32_t flags);
#endif

#endif /* STUB_ZEPHYR_SYS_DEVICE_MMIO_H */
