/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target support: input reader, guarded guest memory, the host port the core needs
 * (vbe/port.h): logs dropped unless VBE_FUZZ_LOG is set, a clock that only moves forward.
 */

#define _DEFAULT_SOURCE

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <vbe/port.h>
#include <vbe/scmi.h>
#include <vbe/sim.h>

#include "fuzz.h"

size_t fz_bytes(struct fz_in *in, void *dst, size_t len)
{
	size_t n = len < in->n ? len : in->n;

	memcpy(dst, in->p, n);
	memset((uint8_t *)dst + n, 0, len - n);
	in->p += n;
	in->n -= n;
	return len;
}

uint8_t *fz_guarded(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t body = (size + page - 1U) / page * page;
	uint8_t *m = mmap(NULL, body + 2U * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED || mprotect(m + page, body, PROT_READ | PROT_WRITE) != 0) {
		perror("fuzz: guarded memory");
		abort();
	}
	return m + page;
}

void fz_zero(uint8_t *p, size_t size)
{
	if (madvise(p, size, MADV_DONTNEED) != 0) {
		memset(p, 0, size);
	}
}

void fz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "==vbe-fuzz== FINDING at %s:%d: %s\n", file, line, what);
	abort();
}

void vbe_port_log(int level, const char *fmt, ...)
{
	static int on = -1;
	va_list ap;

	if (on < 0) {
		on = getenv("VBE_FUZZ_LOG") != NULL;
	}
	if (!on) {
		return;
	}
	fprintf(stderr, "[vbe %d] ", level);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

uint64_t vbe_port_time_us(void)
{
	static uint64_t now;

	return now += 100U;
}

void fz_sensor_set(struct vbe_sim *sim, struct vbe_scmi_server *srv, uint16_t idx, int64_t value)
{
	const struct vbe_scmi_platform_cfg *c = vbe_sys_description.scmi;

	if (c == NULL) {
		return;
	}
	if (idx < c->sensor_count) {
		(void)vbe_sim_sensor_set(sim, c->sensors[idx].plat_id, value);
	}
	(void)vbe_scmi_sensor_update(srv, idx);
}
