/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The string.h functions the core, the compiler and the ports' own code call: memcpy,
 * memmove, memset, memcmp; strlen, strcmp, strncmp, strchr (xen_dom0_baremetal's devicetree
 * and console commands). --gc-sections drops what an image does not use.
 *
 * With the MMU off every access is Device memory, where an unaligned access faults: the
 * word loops run only on word-aligned addresses, and bytes do the rest.
 * This file is built with -fno-tree-loop-distribute-patterns so the compiler does not turn
 * these loops back into calls to themselves.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define WORD sizeof(uint64_t)

/* A word that may alias anything: these functions copy objects of every type. */
typedef uint64_t __attribute__((may_alias)) bm_word;

void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if ((((uintptr_t)d ^ (uintptr_t)s) % WORD) == 0U) {
		/* same misalignment: bytes up to a word boundary, then words */
		while (n > 0U && ((uintptr_t)d % WORD) != 0U) {
			*d++ = *s++;
			n--;
		}
		for (; n >= WORD; n -= WORD, d += WORD, s += WORD) {
			*(bm_word *)d = *(const bm_word *)s;
		}
	}
	while (n-- > 0U) {
		*d++ = *s++;
	}
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (d == s || n == 0U) {
		return dst;
	}
	if (d < s || d >= s + n) {
		return memcpy(dst, src, n); /* forward copy is safe */
	}
	/* overlap with dst above src: copy backwards, bytes only (rare, small) */
	while (n-- > 0U) {
		d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	uint64_t w = (uint8_t)c;

	while (n > 0U && ((uintptr_t)d % WORD) != 0U) {
		*d++ = (uint8_t)c;
		n--;
	}
	w |= w << 8;
	w |= w << 16;
	w |= w << 32;
	for (; n >= WORD; n -= WORD, d += WORD) {
		*(bm_word *)d = w;
	}
	while (n-- > 0U) {
		*d++ = (uint8_t)c;
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a;
	const uint8_t *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i]) {
			return (int)x[i] - (int)y[i];
		}
	}
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0U;

	while (s[n] != '\0') {
		n++;
	}
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0U; i < n; i++) {
		if (a[i] != b[i] || a[i] == '\0') {
			return (int)(uint8_t)a[i] - (int)(uint8_t)b[i];
		}
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, SIZE_MAX);
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c) {
			return (char *)(uintptr_t)s;
		}
		if (*s == '\0') {
			return NULL;
		}
	}
}
