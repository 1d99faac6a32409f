/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Split ring wire layout (virtio 1.2, 2.7.5 - 2.7.8), private to vq_split.c.
 *
 * Offsets instead of C structs: the rings live in memory the driver writes, and every field
 * is read with one explicit little-endian load (vbe/shmem.h).
 */

#ifndef VBE_VQ_SRC_VRING_SPLIT_H
#define VBE_VQ_SRC_VRING_SPLIT_H

#include <stdint.h>

#include <vbe/vq.h>

/* struct virtq_desc: le64 addr, le32 len, le16 flags, le16 next */
#define VRING_DESC_SIZE 16U
#define VRING_DESC_ADDR 0U
#define VRING_DESC_LEN 8U
#define VRING_DESC_FLAGS 12U
#define VRING_DESC_NEXT 14U

/* struct virtq_avail: le16 flags, le16 idx, le16 ring[size], le16 used_event */
#define VRING_AVAIL_FLAGS 0U
#define VRING_AVAIL_IDX 2U
#define VRING_AVAIL_RING 4U

/* struct virtq_used: le16 flags, le16 idx, {le32 id, le32 len} ring[size], le16 avail_event */
#define VRING_USED_FLAGS 0U
#define VRING_USED_IDX 2U
#define VRING_USED_RING 4U
#define VRING_USED_ELEM_SIZE 8U
#define VRING_USED_ELEM_ID 0U
#define VRING_USED_ELEM_LEN 4U

/* Part alignment (virtio 1.2, 2.7, "Virtqueue Part Alignment") */
#define VRING_DESC_ALIGN 16U
#define VRING_AVAIL_ALIGN 2U
#define VRING_USED_ALIGN 4U

static inline uint8_t *vring_avail_flags(const struct vbe_vq *vq)
{
	return (uint8_t *)vq->avail + VRING_AVAIL_FLAGS;
}

static inline uint8_t *vring_avail_idx(const struct vbe_vq *vq)
{
	return (uint8_t *)vq->avail + VRING_AVAIL_IDX;
}

static inline uint8_t *vring_avail_entry(const struct vbe_vq *vq, uint16_t idx)
{
	return (uint8_t *)vq->avail + VRING_AVAIL_RING + 2U * (idx & (vq->size - 1U));
}

/* used_event sits after the avail ring (EVENT_IDX) */
static inline uint8_t *vring_used_event(const struct vbe_vq *vq)
{
	return (uint8_t *)vq->avail + VRING_AVAIL_RING + 2U * (uint32_t)vq->size;
}

static inline uint8_t *vring_used_flags(const struct vbe_vq *vq)
{
	return (uint8_t *)vq->used + VRING_USED_FLAGS;
}

static inline uint8_t *vring_used_idx(const struct vbe_vq *vq)
{
	return (uint8_t *)vq->used + VRING_USED_IDX;
}

static inline uint8_t *vring_used_elem(const struct vbe_vq *vq, uint16_t idx)
{
	return (uint8_t *)vq->used + VRING_USED_RING +
	       VRING_USED_ELEM_SIZE * (idx & (vq->size - 1U));
}

/* avail_event sits after the used ring (EVENT_IDX) */
static inline uint8_t *vring_avail_event(const struct vbe_vq *vq)
{
	return (uint8_t *)vq->used + VRING_USED_RING + VRING_USED_ELEM_SIZE * (uint32_t)vq->size;
}

#endif /* VBE_VQ_SRC_VRING_SPLIT_H */
