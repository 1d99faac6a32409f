/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Virtio constants shared by every vbe component (virtio 1.2, sections 2.1, 2.2, 6).
 *
 * This header is also read by pyhost through cffi: keep it to plain
 * integer #defines, no expressions, no includes.
 */

#ifndef VBE_VIRTIO_H
#define VBE_VIRTIO_H

/* Device status bits (virtio 1.2, 2.1) */
#define VBE_VIRTIO_STATUS_ACKNOWLEDGE 1
#define VBE_VIRTIO_STATUS_DRIVER 2
#define VBE_VIRTIO_STATUS_DRIVER_OK 4
#define VBE_VIRTIO_STATUS_FEATURES_OK 8
#define VBE_VIRTIO_STATUS_DEVICE_NEEDS_RESET 64
#define VBE_VIRTIO_STATUS_FAILED 128

/* Reserved feature bits (virtio 1.2, 6) */
#define VBE_VIRTIO_F_INDIRECT_DESC 28
#define VBE_VIRTIO_F_EVENT_IDX 29
#define VBE_VIRTIO_F_VERSION_1 32
#define VBE_VIRTIO_F_ACCESS_PLATFORM 33

/* Device IDs (virtio 1.2, 5) */
#define VBE_VIRTIO_ID_SCMI 32
#define VBE_VIRTIO_ID_I2C 34

/* Split virtqueue descriptor flags (virtio 1.2, 2.7.5) */
#define VBE_VRING_DESC_F_NEXT 1
#define VBE_VRING_DESC_F_WRITE 2
#define VBE_VRING_DESC_F_INDIRECT 4

/* Avail/used ring flags (virtio 1.2, 2.7.6, 2.7.8) */
#define VBE_VRING_AVAIL_F_NO_INTERRUPT 1
#define VBE_VRING_USED_F_NO_NOTIFY 1

/* Largest queue a split ring may have (virtio 1.2, 2.7) */
#define VBE_VRING_SIZE_MAX 32768

#endif /* VBE_VIRTIO_H */
