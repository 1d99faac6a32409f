/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Runs the Zephyr port's Xen transport (zephyr-app/src/xen_zephyr.c) on the host, with this
 * file playing Xen and the DomUs behind Zephyr's Xen calls, over the tables `vbe gen` made for
 * the demo system (two DomUs, domid 1 and 2, each with a virtio-scmi and a virtio-i2c window).
 *
 * Xen's side reads what the port passes by the offsets of Xen's public headers, not through
 * the port's structs: struct xen_dm_op (hvm/dm_op.h: op at 0, the union at 8), struct
 * xen_dm_op_buf (h at 0, size at 8), struct xen_mem_acquire_resource (memory.h: domid 0,
 * type 2, id 4, nr_frames 8, frame 16, frame_list 24), struct ioreq (hvm/ioreq.h: addr 0,
 * data 8, count 16, size 20, vp_eport 24, state:4/data_is_ptr:1/dir:1 in the byte at 30,
 * type 31). Physical memory is what the port mapped: the ioreq pages Xen put at the frames
 * the port named, and DomU RAM where add_to_physmap_batch put it; device_map() checks that a
 * range it is asked for was mapped, frame by frame, and hands out the host buffer behind it.
 *
 * Commands (argv), each printing what happened:
 *
 *   fail-create DOMID        Xen refuses create_ioreq_server for DOMID with -ENOSYS (38)
 *   fail-map DOMID           Xen maps DOMID's first 64 RAM frames, then refuses (-ENOMEM)
 *   start                    vbe_zephyr_xen_start() on the demo tables
 *   read DOMID ADDR SIZE     a DomU vCPU 0 read trapped in its ioreq slot (not signalled)
 *   event DOMID              Xen signals DOMID's vCPU 0 channel (the callback the port bound)
 *   poll                     vbe_zephyr_xen_poll(), then every domain's slot 0
 *   i2c-read DOMID BASE ADDR a whole virtio-i2c driver on the device at BASE: probe,
 *                            negotiate, one queue in the DomU's RAM, a 1-byte read of ADDR
 *   fault DOMID BASE         a driver whose ring lies outside the DomU's RAM (DRIVER_OK)
 *   stats DOMID              the port's counters for the domain
 */

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zephyr/arch/arm64/hypercall.h>
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/sys/device_mmio.h>
#include <zephyr/xen/events.h>
#include <zephyr/xen/memory.h>

#include <vbe/plat.h>
#include <vbe/port.h>
#include <vbe/xen_cfg.h>

#include "xen_zephyr.h"

LOG_MODULE_REGISTER(vbe, LOG_LEVEL_DBG);

#define PAGE       4096U
#define MAX_DOMS   4U
#define MAX_PORTS  16U
#define EXT_FRAMES (0x40000000ULL / PAGE) /* the tree's extended region: 1 GiB at 0x80000000 */
#define EXT_BASE   0x80000000ULL

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("FAIL ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	exit(1);
}

/* ---- logging and the core's port ---------------------------------------------------- */

void vbe_port_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("core%d ", level);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

uint64_t vbe_port_time_us(void)
{
	return 0U;
}

/* ---- kernel ---------------------------------------------------------------------------- */

int k_sem_init(struct k_sem *sem, unsigned int initial_count, unsigned int limit)
{
	sem->count = initial_count;
	sem->limit = limit;
	return 0;
}

void k_sem_give(struct k_sem *sem)
{
	if (sem->count < sem->limit) {
		sem->count++;
	}
}

int k_sem_take(struct k_sem *sem, k_timeout_t timeout)
{
	if (sem->count == 0U) {
		if (timeout.ticks == K_TICKS_FOREVER) {
			fail("k_sem_take(K_FOREVER) would block forever");
		}
		return -EAGAIN;
	}
	sem->count--;
	return 0;
}

/* ---- the platform: one I2C bus that answers reads with 0x5a ---------------------------- */

static int plat_i2c(void *ctx, uint8_t bus, struct vbe_i2c_msg *msgs, uint8_t num, uint16_t addr)
{
	(void)ctx;
	printf("plat i2c bus %u addr 0x%x msgs %u", (unsigned int)bus, (unsigned int)addr,
	       (unsigned int)num);
	for (uint8_t i = 0U; i < num; i++) {
		printf(" %s%u", (msgs[i].flags & VBE_I2C_MSG_READ) ? "r" : "w",
		       (unsigned int)msgs[i].len);
		if (msgs[i].flags & VBE_I2C_MSG_READ) {
			memset(msgs[i].buf, 0x5a, msgs[i].len);
		}
	}
	printf("\n");
	return 0;
}

static const struct vbe_plat_ops plat_ops = {.i2c_transfer = plat_i2c};
static const struct vbe_plat plat = {.ops = &plat_ops};

/* ---- Xen: domains, ioreq servers, physical memory, event channels --------------------- */

struct xdom {
	uint16_t domid;
	uint8_t *ram; /* the DomU's RAM */
	uint64_t ram_base;
	uint64_t ram_size;
	int server;       /* ioservid, -1: none */
	int enabled;
	uint8_t page[PAGE] __attribute__((aligned(PAGE))); /* its ioreq page */
	uint64_t page_gfn; /* where the port had it mapped, 0: not */
	uint32_t frames;   /* RAM frames mapped into Dom0 */
};

static struct xdom doms[MAX_DOMS];
static int fail_create_domid = -1;
static int fail_map_domid = -1; /* its RAM frames past the first 64 are refused */
static unsigned int traps; /* accesses trap() made, each with its event */

/* Dom0's extended region, frame by frame: which DomU frame is mapped there (0: none) */
static struct {
	uint16_t domid;
	uint64_t gfn;
} ext_map[EXT_FRAMES];

static struct {
	uint32_t local;
	uint16_t domid;
	uint32_t remote;
	evtchn_cb_t cb;
	void *data;
	int bound;
} ports[MAX_PORTS];
static unsigned int nports;

static struct xdom *xdom(unsigned int domid)
{
	for (unsigned int i = 0U; i < MAX_DOMS; i++) {
		if (doms[i].domid == domid) {
			return &doms[i];
		}
	}
	fail("no domain %u", domid);
	return NULL;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void wr16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void wr64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

int vbe_zephyr_xen_dm_op(uint16_t domid, unsigned int nr_bufs, struct vbe_xen_dm_op_buf *bufs)
{
	const uint8_t *b = (const uint8_t *)bufs;
	uint8_t *op = (uint8_t *)(uintptr_t)rd64(b);
	uint64_t size = rd64(b + 8);
	struct xdom *d = xdom(domid);

	if (nr_bufs != 1U || size < 32U) {
		fail("dm_op dom %u: %u buffers of %llu bytes", domid, nr_bufs,
		     (unsigned long long)size);
	}
	switch (rd32(op)) {
	case 1: /* create_ioreq_server */
		printf("dm_op dom %u create_ioreq_server bufioreq=%u\n", domid, op[8]);
		if ((int)domid == fail_create_domid) {
			return -38;
		}
		d->server = 5 + domid;
		wr16(op + 12, (uint16_t)d->server);
		return 0;
	case 3: /* map_io_range_to_ioreq_server */
		printf("dm_op dom %u map_io_range id=%u type=%u 0x%llx-0x%llx\n", domid, rd16(op + 8),
		       rd32(op + 12), (unsigned long long)rd64(op + 16),
		       (unsigned long long)rd64(op + 24));
		return rd16(op + 8) == d->server ? 0 : -2;
	case 5: /* set_ioreq_server_state */
		printf("dm_op dom %u set_ioreq_server_state id=%u enabled=%u\n", domid, rd16(op + 8),
		       op[10]);
		d->enabled = op[10];
		/* Xen fills each vCPU's slot with its event channel once the server is on */
		wr32(d->page + 24, 40U + domid * 4U);
		return 0;
	case 6: /* destroy_ioreq_server */
		printf("dm_op dom %u destroy_ioreq_server id=%u\n", domid, rd16(op + 8));
		d->server = -1;
		return 0;
	case 19: /* set_irq_level */
		printf("dm_op dom %u set_irq_level spi=%u level=%u\n", domid, rd32(op + 8), op[12]);
		return 0;
	default:
		fail("dm_op dom %u: op %u", domid, rd32(op));
		return -22;
	}
}

int HYPERVISOR_memory_op(int op, void *param)
{
	const uint8_t *p = param;
	struct xdom *d;
	uint64_t gfn;

	if (op != 28) {
		fail("memory_op %d", op);
	}
	d = xdom(rd16(p));
	gfn = rd64((const uint8_t *)(uintptr_t)rd64(p + 24));
	printf("memory_op acquire_resource dom %u type=%u id=%u nr_frames=%u frame=%llu gfn=0x%llx\n",
	       d->domid, rd16(p + 2), rd32(p + 4), rd32(p + 8), (unsigned long long)rd64(p + 16),
	       (unsigned long long)gfn);
	if (rd16(p + 2) != 0U || (int)rd32(p + 4) != d->server || rd32(p + 8) != 1U ||
	    rd64(p + 16) != 1U) {
		return -22;
	}
	d->page_gfn = gfn;
	return 0;
}

int xendom_add_to_physmap_batch(int domid, int foreign_domid, unsigned int space,
				unsigned int size, xen_ulong_t *idxs, xen_pfn_t *gpfns, int *errs)
{
	struct xdom *d = xdom((unsigned int)foreign_domid);

	if (domid != DOMID_SELF || space != XENMAPSPACE_gmfn_foreign || size == 0U ||
	    size > 64U) {
		fail("add_to_physmap_batch domid=%d space=%u size=%u", domid, space, size);
	}
	for (unsigned int k = 0U; k < size; k++) {
		uint64_t at = gpfns[k] - EXT_BASE / PAGE;

		if (gpfns[k] < EXT_BASE / PAGE || at >= EXT_FRAMES) {
			fail("frame 0x%llx outside the extended region", (unsigned long long)gpfns[k]);
		}
		if (idxs[k] < d->ram_base / PAGE || idxs[k] >= (d->ram_base + d->ram_size) / PAGE) {
			errs[k] = -22; /* not the DomU's RAM */
			continue;
		}
		if (foreign_domid == fail_map_domid && d->frames >= 64U) {
			errs[k] = -12; /* ENOMEM in Xen */
			continue;
		}
		ext_map[at].domid = d->domid;
		ext_map[at].gfn = idxs[k];
		errs[k] = 0;
		d->frames++;
	}
	return 0;
}

void device_map(mm_reg_t *virt_addr, uintptr_t phys_addr, size_t size, uint32_t flags)
{
	uint64_t first = phys_addr / PAGE;
	const uint64_t frames = size / PAGE;

	if (flags != (K_MEM_CACHE_WB | K_MEM_PERM_RW)) {
		fail("device_map 0x%llx: flags 0x%x, not write-back RW", (unsigned long long)phys_addr,
		     flags);
	}
	for (unsigned int i = 0U; i < MAX_DOMS; i++) {
		if (doms[i].page_gfn == first && size == PAGE) {
			printf("device_map 0x%llx: dom %u's ioreq page\n",
			       (unsigned long long)phys_addr, doms[i].domid);
			*virt_addr = (mm_reg_t)doms[i].page;
			return;
		}
	}
	/* RAM: every frame mapped, to consecutive frames of one DomU */
	{
		const uint64_t at = first - EXT_BASE / PAGE;
		const uint16_t domid = ext_map[at].domid;
		struct xdom *d;

		for (uint64_t k = 0U; k < frames; k++) {
			if (ext_map[at + k].domid != domid || ext_map[at + k].gfn != ext_map[at].gfn + k) {
				fail("device_map 0x%llx+0x%zx: frame %llu not mapped in order",
				     (unsigned long long)phys_addr, size, (unsigned long long)k);
			}
		}
		d = xdom(domid);
		printf("device_map 0x%llx: %llu MiB of dom %u's RAM from 0x%llx\n",
		       (unsigned long long)phys_addr, (unsigned long long)(size >> 20), domid,
		       (unsigned long long)(ext_map[at].gfn * PAGE));
		*virt_addr = (mm_reg_t)(d->ram + (ext_map[at].gfn * PAGE - d->ram_base));
	}
}

int bind_interdomain_event_channel(domid_t remote_dom, evtchn_port_t remote_port, evtchn_cb_t cb,
				   void *data)
{
	unsigned int i = nports++;

	ports[i].local = 100U + i;
	ports[i].domid = remote_dom;
	ports[i].remote = remote_port;
	ports[i].cb = cb;
	ports[i].data = data;
	ports[i].bound = 1;
	printf("evtchn bind dom %u remote %u -> local %u\n", remote_dom, remote_port,
	       ports[i].local);
	return (int)ports[i].local;
}

int unbind_event_channel(evtchn_port_t port)
{
	printf("evtchn unbind %u\n", port);
	return 0;
}

int evtchn_close(evtchn_port_t port)
{
	printf("evtchn close %u\n", port);
	return 0;
}

void notify_evtchn(evtchn_port_t port)
{
	printf("evtchn notify %u\n", port);
}

/* ---- the DomU side -------------------------------------------------------------------- */

#define SLOT_READY 1U
#define SLOT_RESP  3U
#define DIR_READ   0x20U

static void slot_put(struct xdom *d, uint64_t addr, uint32_t size, int read, uint64_t val)
{
	uint8_t *s = d->page; /* vCPU 0 */

	wr64(s + 0, addr);
	wr64(s + 8, read ? 0U : val);
	wr32(s + 16, 1U);
	wr32(s + 20, size);
	s[31] = 1U; /* IOREQ_TYPE_COPY */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	s[30] = (uint8_t)(SLOT_READY | (read ? DIR_READ : 0U));
}

static void fire(unsigned int domid)
{
	for (unsigned int i = 0U; i < nports; i++) {
		if (ports[i].domid == domid && ports[i].bound) {
			ports[i].cb(ports[i].data);
			return;
		}
	}
	fail("dom %u has no bound channel", domid);
}

/* One trapped access answered as Xen would see it: put, signal, serve. */
static uint64_t trap(struct xdom *d, uint64_t addr, uint32_t size, int read, uint64_t val)
{
	slot_put(d, addr, size, read, val);
	traps++;
	fire(d->domid);
	(void)vbe_zephyr_xen_poll();
	if ((d->page[30] & 0x0fU) != SLOT_RESP) {
		fail("dom %u: access to 0x%llx not answered (state %u)", d->domid,
		     (unsigned long long)addr, d->page[30] & 0x0fU);
	}
	return rd64(d->page + 8);
}

static uint8_t *gpa(struct xdom *d, uint64_t a)
{
	return d->ram + (a - d->ram_base);
}

/* Probe, negotiate and set queue 0 up at desc/avail/used (guest physical). */
static void driver_up(struct xdom *d, uint64_t base, uint64_t desc, uint64_t avail, uint64_t used)
{
	uint64_t f0, f1;

	printf("probe magic=0x%llx version=%llu id=%llu\n",
	       (unsigned long long)trap(d, base + 0x000, 4, 1, 0),
	       (unsigned long long)trap(d, base + 0x004, 4, 1, 0),
	       (unsigned long long)trap(d, base + 0x008, 4, 1, 0));
	(void)trap(d, base + 0x070, 4, 0, 1);
	(void)trap(d, base + 0x070, 4, 0, 3);
	(void)trap(d, base + 0x014, 4, 0, 0);
	f0 = trap(d, base + 0x010, 4, 1, 0);
	(void)trap(d, base + 0x014, 4, 0, 1);
	f1 = trap(d, base + 0x010, 4, 1, 0);
	(void)trap(d, base + 0x024, 4, 0, 0);
	(void)trap(d, base + 0x020, 4, 0, f0 & 0x1U); /* ZERO_LENGTH_REQUEST */
	(void)trap(d, base + 0x024, 4, 0, 1);
	(void)trap(d, base + 0x020, 4, 0, f1 & 0x1U); /* VERSION_1 */
	(void)trap(d, base + 0x070, 4, 0, 11);
	printf("features_ok=%llu\n", (unsigned long long)(trap(d, base + 0x070, 4, 1, 0) >> 3) & 1U);
	(void)trap(d, base + 0x030, 4, 0, 0);
	(void)trap(d, base + 0x038, 4, 0, 8);
	(void)trap(d, base + 0x080, 4, 0, desc & 0xffffffffU);
	(void)trap(d, base + 0x084, 4, 0, desc >> 32);
	(void)trap(d, base + 0x090, 4, 0, avail & 0xffffffffU);
	(void)trap(d, base + 0x094, 4, 0, avail >> 32);
	(void)trap(d, base + 0x0a0, 4, 0, used & 0xffffffffU);
	(void)trap(d, base + 0x0a4, 4, 0, used >> 32);
	(void)trap(d, base + 0x044, 4, 0, 1);
	(void)trap(d, base + 0x070, 4, 0, 15);
	printf("status=0x%llx\n", (unsigned long long)trap(d, base + 0x070, 4, 1, 0));
}

static void i2c_read(struct xdom *d, uint64_t base, unsigned int addr)
{
	const uint64_t r = d->ram_base + 0x10000U;
	const uint64_t desc = r, avail = r + 0x1000U, used = r + 0x2000U;
	const uint64_t hdr = r + 0x3000U, buf = r + 0x3100U, st = r + 0x3200U;
	uint8_t *dt = gpa(d, desc);

	driver_up(d, base, desc, avail, used);
	/* out_hdr (addr << 1, flags M_RD), a 1-byte read buffer, in_hdr */
	wr16(gpa(d, hdr), (uint16_t)(addr << 1));
	wr32(gpa(d, hdr) + 4, 0x2U);
	*gpa(d, st) = 0xff;
	wr64(dt + 0, hdr);
	wr32(dt + 8, 8U);
	wr16(dt + 12, 1U); /* NEXT */
	wr16(dt + 14, 1U);
	wr64(dt + 16, buf);
	wr32(dt + 24, 1U);
	wr16(dt + 28, 3U); /* NEXT | WRITE */
	wr16(dt + 30, 2U);
	wr64(dt + 32, st);
	wr32(dt + 40, 1U);
	wr16(dt + 44, 2U); /* WRITE */
	wr16(gpa(d, avail) + 4, 0U); /* ring[0] = head 0 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	wr16(gpa(d, avail) + 2, 1U); /* idx */
	(void)trap(d, base + 0x050, 4, 0, 0); /* QueueNotify */
	printf("used idx=%u id=%u len=%u status=%u data=0x%02x isr=0x%llx\n",
	       rd16(gpa(d, used) + 2), rd32(gpa(d, used) + 4), rd32(gpa(d, used) + 8),
	       *gpa(d, st), *gpa(d, buf), (unsigned long long)trap(d, base + 0x060, 4, 1, 0));
}

static void setup_doms(void)
{
	const struct vbe_xen_cfg *c = &vbe_xen_generated_cfg;

	for (unsigned int i = 0U; i < c->domain_count && i < MAX_DOMS; i++) {
		doms[i].domid = c->domains[i].domid;
		doms[i].ram_base = c->domains[i].ram_base;
		doms[i].ram_size = c->domains[i].ram_size;
		doms[i].ram = calloc(1, (size_t)c->domains[i].ram_size);
		doms[i].server = -1;
		if (doms[i].ram == NULL) {
			fail("no memory for dom %u's RAM", doms[i].domid);
		}
	}
}

int main(int argc, char **argv)
{
	setup_doms();
	for (int i = 1; i < argc; i++) {
		const char *c = argv[i];

		if (strcmp(c, "fail-create") == 0) {
			fail_create_domid = atoi(argv[++i]);
		} else if (strcmp(c, "fail-map") == 0) {
			fail_map_domid = atoi(argv[++i]);
		} else if (strcmp(c, "start") == 0) {
			printf("start -> %d\n", vbe_zephyr_xen_start(&vbe_xen_generated_cfg, &plat));
			for (unsigned int k = 0U; k < MAX_DOMS && doms[k].domid != 0U; k++) {
				printf("dom %u: %u RAM frames mapped\n", doms[k].domid, doms[k].frames);
			}
		} else if (strcmp(c, "read") == 0) {
			struct xdom *d = xdom((unsigned int)strtoul(argv[i + 1], NULL, 0));

			slot_put(d, strtoull(argv[i + 2], NULL, 0), (uint32_t)atoi(argv[i + 3]), 1, 0);
			i += 3;
		} else if (strcmp(c, "event") == 0) {
			fire((unsigned int)strtoul(argv[++i], NULL, 0));
		} else if (strcmp(c, "poll") == 0) {
			printf("poll -> %d\n", vbe_zephyr_xen_poll() ? 1 : 0);
			for (unsigned int k = 0U; k < MAX_DOMS && doms[k].domid != 0U; k++) {
				printf("slot dom %u state=%u data=0x%llx\n", doms[k].domid,
				       doms[k].page[30] & 0x0fU,
				       (unsigned long long)rd64(doms[k].page + 8));
			}
		} else if (strcmp(c, "i2c-read") == 0) {
			struct xdom *d = xdom((unsigned int)strtoul(argv[i + 1], NULL, 0));

			i2c_read(d, strtoull(argv[i + 2], NULL, 0),
				 (unsigned int)strtoul(argv[i + 3], NULL, 0));
			i += 3;
		} else if (strcmp(c, "fault") == 0) {
			struct xdom *d = xdom((unsigned int)strtoul(argv[i + 1], NULL, 0));
			const uint64_t out = d->ram_base + d->ram_size; /* first byte past its RAM */

			driver_up(d, strtoull(argv[i + 2], NULL, 0), out, out + 0x1000U,
				  out + 0x2000U);
			i += 2;
		} else if (strcmp(c, "stats") == 0) {
			struct vbe_zephyr_xen_dom_stats st;
			unsigned int domid = (unsigned int)strtoul(argv[++i], NULL, 0);
			unsigned int k = 0U;

			while (vbe_zephyr_xen_dom_stats(k, &st) == 0 && st.domid != domid) {
				k++;
			}
			printf("stats dom %u live=%u events=%u irqs=%u failed=%u traps=%u\n",
			       st.domid, st.live ? 1U : 0U, st.events, st.irqs_raised, st.irqs_failed,
			       traps);
		} else {
			fail("unknown command %s", c);
		}
	}
	return 0;
}
