/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dom0's devicetree, as Xen wrote it (x0 at entry): what this Dom0 needs from it.
 *
 *   /#address-cells, /#size-cells   the cells of the reg properties below
 *   /memory*  reg                   Dom0's RAM banks
 *   /hypervisor reg                 [0]: where to map grant table frames; [1..]: "extended
 *                                   regions", guest physical space backed by nothing, for
 *                                   Dom0's own mappings (xen arch/arm/domain_build.c)
 *   /hypervisor compatible          "xen,xen-<version>", "xen,xen"
 *   /chosen bootargs                the Dom0 module's bootargs
 *
 * A flat walk of the structure block (devicetree specification 0.4, 5.4); every offset is
 * checked against the header's sizes, so a damaged blob gives -EINVAL, not a fault.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bm.h" /* the FDT tokens */
#include "xd.h"

#define FDT_HEADER_SIZE 40U
#define FDT_MAX_SIZE (2U << 20) /* Xen's Dom0 trees are a few KiB */

struct fdt_walk {
	const uint8_t *blob;
	uint32_t struct_off;
	uint32_t struct_size;
	uint32_t strings_off;
	uint32_t strings_size;
};

static uint32_t be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint64_t cells(const uint8_t *p, uint32_t n)
{
	return n == 2U ? ((uint64_t)be32(p) << 32) | be32(p + 4) : be32(p);
}

static bool name_is(const char *name, const char *want)
{
	size_t n = strlen(want);

	return strncmp(name, want, n) == 0 && (name[n] == '\0' || name[n] == '@');
}

/* reg = <addr size>...: up to max regions; 0 or -EINVAL. */
static int read_regs(const uint8_t *v, uint32_t len, uint32_t ac, uint32_t sc,
		     struct xd_region *out, unsigned int max, unsigned int *count)
{
	uint32_t stride = 4U * (ac + sc);

	if (ac < 1U || ac > 2U || sc < 1U || sc > 2U || len % stride != 0U) {
		return -EINVAL;
	}
	for (uint32_t off = 0U; off < len && *count < max; off += stride) {
		out[*count].base = cells(v + off, ac);
		out[*count].size = cells(v + off + 4U * ac, sc);
		(*count)++;
	}
	return 0;
}

int xd_fdt_parse(const void *fdt, struct xd_boot_info *bi)
{
	const uint8_t *b = fdt;
	struct fdt_walk w;
	uint32_t total;
	uint32_t off;
	uint32_t ac = 2U;
	uint32_t sc = 2U;
	unsigned int depth = 0U;
	enum { NODE_OTHER, NODE_ROOT, NODE_MEMORY, NODE_HYP, NODE_CHOSEN } node = NODE_OTHER;
	int rc = 0;

	memset(bi, 0, sizeof(*bi));
	if (b == NULL || ((uintptr_t)b % 8U) != 0U || be32(b) != FDT_MAGIC) {
		return -EINVAL;
	}
	total = be32(b + 4);
	w.blob = b;
	w.struct_off = be32(b + 8);
	w.strings_off = be32(b + 12);
	w.strings_size = be32(b + 32);
	w.struct_size = be32(b + 36);
	if (total > FDT_MAX_SIZE || w.struct_off > total || w.struct_size > total - w.struct_off ||
	    w.strings_off > total || w.strings_size > total - w.strings_off ||
	    w.struct_off < FDT_HEADER_SIZE || (w.struct_off % 4U) != 0U) {
		return -EINVAL;
	}
	bi->fdt_size = total;

	for (off = 0U; off + 4U <= w.struct_size;) {
		const uint8_t *p = b + w.struct_off + off;
		uint32_t tok = be32(p);

		off += 4U;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)(p + 4);
			uint32_t n = 0U;

			while (off + n < w.struct_size && name[n] != '\0') {
				n++;
			}
			if (off + n >= w.struct_size) {
				return -EINVAL;
			}
			off += (n + 4U) & ~3U;
			depth++;
			if (depth == 1U) {
				node = NODE_ROOT;
			} else if (depth == 2U && name_is(name, "memory")) {
				node = NODE_MEMORY;
			} else if (depth == 2U && name_is(name, "hypervisor")) {
				node = NODE_HYP;
				bi->xen_found = true;
			} else if (depth == 2U && name_is(name, "chosen")) {
				node = NODE_CHOSEN;
			} else {
				node = NODE_OTHER;
			}
		} else if (tok == FDT_END_NODE) {
			if (depth == 0U) {
				return -EINVAL;
			}
			depth--;
			node = depth == 1U ? NODE_ROOT : NODE_OTHER;
		} else if (tok == FDT_PROP) {
			uint32_t len;
			uint32_t nameoff;
			const char *pname;
			const uint8_t *v;

			if (off + 8U > w.struct_size) {
				return -EINVAL;
			}
			len = be32(p + 4);
			nameoff = be32(p + 8);
			off += 8U;
			if (len > w.struct_size - off || nameoff >= w.strings_size) {
				return -EINVAL;
			}
			pname = (const char *)(b + w.strings_off + nameoff);
			v = p + 12;
			off += (len + 3U) & ~3U;
			if (node == NODE_ROOT && strcmp(pname, "#address-cells") == 0 && len == 4U) {
				ac = be32(v);
			} else if (node == NODE_ROOT && strcmp(pname, "#size-cells") == 0 &&
				   len == 4U) {
				sc = be32(v);
			} else if (node == NODE_MEMORY && strcmp(pname, "reg") == 0) {
				rc = read_regs(v, len, ac, sc, bi->ram, XD_MAX_REGIONS, &bi->ram_count);
			} else if (node == NODE_HYP && strcmp(pname, "reg") == 0) {
				struct xd_region r[XD_MAX_REGIONS + 1U];
				unsigned int n = 0U;

				rc = read_regs(v, len, ac, sc, r, XD_MAX_REGIONS + 1U, &n);
				if (rc == 0 && n > 0U) {
					bi->gnttab = r[0];
					for (unsigned int i = 1U; i < n; i++) {
						bi->ext[bi->ext_count++] = r[i];
					}
				}
			} else if (node == NODE_HYP && strcmp(pname, "compatible") == 0 &&
				   len > 0U && v[len - 1U] == '\0') {
				bi->xen_compat = (const char *)v;
			} else if (node == NODE_CHOSEN && strcmp(pname, "bootargs") == 0 &&
				   len > 0U && v[len - 1U] == '\0') {
				bi->bootargs = (const char *)v;
			}
			if (rc != 0) {
				return rc;
			}
		} else if (tok == FDT_END) {
			return depth == 0U ? 0 : -EINVAL;
		} else if (tok != FDT_NOP) {
			return -EINVAL;
		}
	}
	return -EINVAL;
}
