/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Little-endian accessors for memory shared with another, untrusted, side.
 *
 * Every load of a field the other side writes goes through vbe_ld*: one volatile access,
 * so the compiler neither tears it nor reads it twice (a guest could change the value
 * between a check and a use). Stores use vbe_st* for the same reason.
 */

#ifndef VBE_SHMEM_H
#define VBE_SHMEM_H

#include <stdint.h>

#if defined(__BYTE_ORDER__) && (__BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__)
#error "vbe: big-endian CPUs need byte-swapping accessors here"
#endif

static inline uint16_t vbe_ld16(const void *p)
{
	return *(const volatile uint16_t *)p;
}

static inline uint32_t vbe_ld32(const void *p)
{
	return *(const volatile uint32_t *)p;
}

static inline uint64_t vbe_ld64(const void *p)
{
	/* Two halves: a 64-bit field need not be 8-byte aligned in every layout. */
	uint64_t lo = vbe_ld32(p);
	uint64_t hi = vbe_ld32((const uint8_t *)p + 4);

	return lo | (hi << 32);
}

static inline void vbe_st8(void *p, uint8_t v)
{
	*(volatile uint8_t *)p = v;
}

static inline void vbe_st16(void *p, uint16_t v)
{
	*(volatile uint16_t *)p = v;
}

static inline void vbe_st32(void *p, uint32_t v)
{
	*(volatile uint32_t *)p = v;
}

static inline void vbe_st64(void *p, uint64_t v)
{
	vbe_st32(p, (uint32_t)v);
	vbe_st32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

/* Unaligned little-endian helpers for byte buffers (wire payloads copied out of a ring). */
static inline uint16_t vbe_get_le16(const uint8_t *b)
{
	return (uint16_t)(b[0] | (b[1] << 8));
}

static inline uint32_t vbe_get_le32(const uint8_t *b)
{
	return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
	       ((uint32_t)b[3] << 24);
}

static inline void vbe_put_le16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void vbe_put_le32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

#endif /* VBE_SHMEM_H */
