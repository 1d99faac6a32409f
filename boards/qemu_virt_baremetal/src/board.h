/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qemu_virt_baremetal: the memory map of QEMU's "virt" machine as this port uses it.
 * Plain #defines only: included by C and by assembly. The image and window addresses
 * live in link.ld (see README.md for the whole map).
 */

#ifndef VBE_BOARDS_QEMU_VIRT_BAREMETAL_BOARD_H
#define VBE_BOARDS_QEMU_VIRT_BAREMETAL_BOARD_H

#define BM_BOARD_NAME "qemu_virt_baremetal"

/*
 * An object only the build's manifest step (or the harness) reads, never the code: kept by
 * name in link.ld under --gc-sections, and marked so that link-time optimisation keeps it.
 */
#define BM_KEEP __attribute__((used))

/* RAM: guest physical 0x40000000; with a shared memory-backend-file, host offset = gpa - base */
#define BM_RAM_BASE 0x40000000

/* PL011 console (first -serial). A second -serial appears at 0x09040000 (the doorbell). */
#define BM_UART0_BASE 0x09000000
#define BM_UART1_BASE 0x09040000

/* GICv2 (virt's default): distributor and CPU interface. */
#define BM_GICD_BASE 0x08000000
#define BM_GICC_BASE 0x08010000

/* Generic timer PPIs as virt wires them: virtual timer = PPI 11 = INTID 27. */
#define BM_IRQ_VTIMER 27

/* Guest windows: BM_WINDOW_COUNT slots of BM_WINDOW_SLOT bytes from link.ld's base. */
#ifndef BM_WINDOW_SLOT
#define BM_WINDOW_SLOT 0x40000 /* 256 KiB: the largest window a guest may ask for */
#endif
#define BM_WINDOW_COUNT 4      /* = VBE_SYS_MAX_GUESTS (checked in main.c) */

#endif /* VBE_BOARDS_QEMU_VIRT_BAREMETAL_BOARD_H */
