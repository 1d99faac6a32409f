/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What every vbe fuzz target shares: reading the fuzzer's input as a stream of operations,
 * guest memory fenced by PROT_NONE guard pages, a host port that stays quiet, the system
 * description the targets run (examples/demo.yaml, generated at build time), and the
 * findings a target reports itself (an invariant of the wire that the sanitizers cannot
 * see). See tests/fuzz/README.md.
 */

#ifndef VBE_FUZZ_COMMON_FUZZ_H
#define VBE_FUZZ_COMMON_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vbe/sys.h>

/** The fuzzer's input, consumed front to back; past the end every read gives zeros. */
struct fz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fz_u8(struct fz_in *in)
{
	uint8_t v;

	if (in->n == 0U) {
		return 0U;
	}
	v = *in->p;
	in->p++;
	in->n--;
	return v;
}

static inline uint16_t fz_u16(struct fz_in *in)
{
	uint16_t lo = fz_u8(in);

	return (uint16_t)(lo | ((uint16_t)fz_u8(in) << 8));
}

static inline uint32_t fz_u32(struct fz_in *in)
{
	uint32_t lo = fz_u16(in);

	return lo | ((uint32_t)fz_u16(in) << 16);
}

static inline uint64_t fz_u64(struct fz_in *in)
{
	uint64_t lo = fz_u32(in);

	return lo | ((uint64_t)fz_u32(in) << 32);
}

/** Copy up to @p len input bytes to @p dst (zeros past the end); returns @p len. */
size_t fz_bytes(struct fz_in *in, void *dst, size_t len);

static inline bool fz_more(const struct fz_in *in)
{
	return in->n > 0U;
}

/**
 * Guest memory: @p size bytes (a page multiple) between two PROT_NONE pages, mapped once
 * per process and kept (the targets reuse it for every input). A read or write one byte
 * before or after faults at once; AddressSanitizer does not watch mmap'd memory, the guard
 * pages do.
 */
uint8_t *fz_guarded(size_t size);

/**
 * Zero guarded memory from fz_guarded() (page-aligned @p p, @p size bytes) by giving its pages
 * back: only the pages the last input touched cost anything (a fault each) on the next one.
 */
void fz_zero(uint8_t *p, size_t size);

/**
 * A finding the sanitizers cannot see (a wire invariant broken): print @p what with the
 * place and abort, so libFuzzer saves the input.
 */
#define FZ_CHECK(cond, what)                                                                   \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fz_fail(__FILE__, __LINE__, (what));                                   \
		}                                                                              \
	} while (0)

__attribute__((noreturn)) void fz_fail(const char *file, int line, const char *what);

struct vbe_sim;
struct vbe_scmi_server;

/**
 * Set sensor @p idx (the description's SCMI sensor index; one past the table is passed on
 * to the server, which must refuse it) to @p value and tell @p srv, as the platform
 * protocol's SENSOR_SET does: crossed trip points notify the agents.
 */
void fz_sensor_set(struct vbe_sim *sim, struct vbe_scmi_server *srv, uint16_t idx,
		   int64_t value);

#endif /* VBE_FUZZ_COMMON_FUZZ_H */
