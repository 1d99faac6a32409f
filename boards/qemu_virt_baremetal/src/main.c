/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qemu_virt_baremetal: the vbe core and its simulated platform on QEMU's virt machine.
 *
 * Boot: console, timer, banner; the simulated platform from the system description
 * (vbe_sim_populate: I2C targets and the SCMI resources' power-on state);
 * one window per guest (vbe_sys_init), published (vbe_sys_start); one line per guest;
 * "vbe: ready". Then the service loop, forever: poll every window; after a stretch with
 * nothing to do, sleep in growing steps (bounded) until the next poll.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vbe/fvq.h>
#include <vbe/port.h>
#include <vbe/sim.h>
#include <vbe/sys.h>
#include <vbe/virtio.h>

#include "bm.h"
#include "board.h"
#include "harness.h" /* vbe harness: doorbell + platform mailbox */
#include "prof.h"    /* vbe harness: the service loop's profile */
#include "version.h"

/* Idle back-off: spin this long after the last work, then sleep MIN, 2*MIN ... MAX. */
#ifndef BM_IDLE_SPIN_US
#define BM_IDLE_SPIN_US 20000U
#endif
#ifndef BM_IDLE_SLEEP_MIN_US
#define BM_IDLE_SLEEP_MIN_US 50U
#endif
#ifndef BM_IDLE_SLEEP_MAX_US
#define BM_IDLE_SLEEP_MAX_US 500U /* 0: never sleep (pure polling) */
#endif

_Static_assert(BM_WINDOW_COUNT == VBE_SYS_MAX_GUESTS, "one window slot per possible guest");
_Static_assert(BM_WINDOW_SLOT % 4096 == 0, "window slots are page-aligned");

extern uint8_t vbe_window_0[], vbe_window_1[], vbe_window_2[], vbe_window_3[];

static void *const bm_windows[BM_WINDOW_COUNT] = {
	vbe_window_0,
	vbe_window_1,
	vbe_window_2,
	vbe_window_3,
};

/* What the banner prints (the manifest's build.git is the same text, from the build). */
static const char bm_version[] = VBE_BM_VERSION;

static struct vbe_sim bm_sim;
static struct vbe_sys bm_sys;

/* Every guest's window must fit its slot and be whole pages. */
static int bm_check_windows(const struct vbe_sys_cfg *cfg)
{
	if (cfg->guest_count > BM_WINDOW_COUNT) {
		VBE_LOG(VBE_LOG_ERR, "%u guests, only %u window slots", cfg->guest_count,
			BM_WINDOW_COUNT);
		return -EINVAL;
	}
	for (unsigned int i = 0U; i < cfg->guest_count; i++) {
		uint32_t size = cfg->guests[i].window_size;

		if (size == 0U || size > BM_WINDOW_SLOT || (size % 4096U) != 0U) {
			VBE_LOG(VBE_LOG_ERR, "guest %u (%s): window size 0x%x: want pages, <= 0x%x",
				i, cfg->guests[i].name, (unsigned int)size, BM_WINDOW_SLOT);
			return -EINVAL;
		}
	}
	return 0;
}

static const char *bm_device_name(uint32_t device_id)
{
	switch (device_id) {
	case VBE_VIRTIO_ID_I2C:
		return "i2c";
	case VBE_VIRTIO_ID_SCMI:
		return "scmi";
	default:
		return "?";
	}
}

static void bm_print_guests(const struct vbe_sys *sys)
{
	for (unsigned int i = 0U; i < sys->cfg->guest_count; i++) {
		const struct vbe_fvq *w = &sys->win[i];

		bm_printf("vbe: guest %u \"%s\" window 0x%08lx+0x%x devices:", i,
			  sys->cfg->guests[i].name, (unsigned long)(uintptr_t)w->base,
			  (unsigned int)w->size);
		for (unsigned int d = 0U; d < w->num_devices; d++) {
			bm_printf("%s%s", d == 0U ? " " : ",",
				  bm_device_name(w->slot[d].dev.ops->device_id));
		}
		bm_printf("%s\n", w->num_devices == 0U ? " none" : "");
	}
}

/* Every window once (vbe_sys_poll, one window at a time so that the profile can time each). */
static bool bm_poll_windows(struct vbe_sys *sys, bool timed)
{
	bool any = false;

	for (unsigned int i = 0U; i < sys->cfg->guest_count; i++) {
		uint64_t t = timed ? bm_prof_now() : 0U;
		bool work = false;
		int rc = vbe_fvq_poll(&sys->win[i], &work);

		if (rc != 0) {
			VBE_LOG(VBE_LOG_WRN, "sys: guest %u: poll: %d", i, rc);
		}
		any = any || work;
		if (timed) {
			bm_prof.win[i] += bm_prof_now() - t;
			bm_prof.polled++;
		}
	}
	return any;
}

/*
 * The service loop. Polling; in doorbell mode the doorbell ends bm_idle_sleep_us() early.
 * With VBE_BM_PROFILE, the round after a sleep that the doorbell ended is timed (prof.h).
 */
static void __attribute__((noreturn)) bm_serve(struct vbe_sys *sys)
{
	uint64_t idle_since = vbe_port_time_us();
	uint32_t sleep_us = BM_IDLE_SLEEP_MIN_US;
	uint64_t tail_from = 0U; /* profile: end of the last woken round, until the next sleep */
	uint64_t tail_rounds = 0U;

	for (;;) {
		bool work = false;
		uint32_t spin_us = BM_IDLE_SPIN_US;
		uint32_t sleep_max_us = BM_IDLE_SLEEP_MAX_US;
		uint64_t woke_ret;
		uint64_t woke = bm_idle_woke(&woke_ret); /* profile: WFI return, once; else 0 */
		uint64_t notified = BM_PROF_ON ? bm_prof.last_notify : 0U;
		bool timed;

		/* vbe harness: drain the doorbell UART (harness.h) */
		timed = bm_doorbell_rx() != 0U && woke != 0U;
		if (timed) {
			bm_prof.woken++;
			bm_prof.wake_ret += woke_ret;
			bm_prof.drain += bm_prof_now() - woke;
		}
		work = bm_poll_windows(sys, timed);
		if (timed) {
			bm_prof.windows += bm_prof_now() - woke;
		}
		work = bm_mailbox_poll() || work; /* vbe harness: platform mailbox */
		if (timed) {
			bm_prof.mailbox += bm_prof_now() - woke;
		}
		bm_doorbell_round_end(work);      /* vbe harness: tell a sleeping harness */
		if (BM_PROF_ON) {
			bm_prof.rounds++;
			tail_rounds++;
		}
		if (timed) {
			tail_from = bm_prof_now();
			tail_rounds = 0U;
			bm_prof.end += tail_from - woke;
			if (bm_prof.last_notify != notified) {
				bm_prof.notified++;
				bm_prof.notify += bm_prof.last_notify - woke;
			}
		}
		if (work) {
			idle_since = vbe_port_time_us();
			sleep_us = BM_IDLE_SLEEP_MIN_US;
			continue;
		}
		bm_doorbell_idle_policy(&spin_us, &sleep_max_us); /* vbe harness: doorbell mode */
		if (sleep_max_us == 0U || vbe_port_time_us() - idle_since < spin_us) {
			continue;
		}
		if (BM_PROF_ON && tail_from != 0U) {
			bm_prof.tail += bm_prof_now() - tail_from;
			bm_prof.tail_rounds += tail_rounds;
			tail_from = 0U;
		}
		bm_idle_sleep_us(sleep_us < sleep_max_us ? sleep_us : sleep_max_us);
		sleep_us = (sleep_us * 2U > sleep_max_us) ? sleep_max_us : sleep_us * 2U;
	}
}

void bm_main(unsigned int entry_el)
{
	/* the system this image serves, generated from its description at build time */
	const struct vbe_sys_cfg *cfg = &vbe_sys_description;
	int rc;

	bm_console_init();
	bm_timer_init();
	bm_printf("vbe: vbe %s on %s, system \"%s\", EL1 (entered at EL%u), counter %lu Hz\n",
		  bm_version, BM_BOARD_NAME, cfg->name, entry_el,
		  (unsigned long)bm_timer_freq());

	rc = bm_check_windows(cfg);
	if (rc == 0) {
		rc = vbe_sim_populate(&bm_sim, cfg); /* targets, SCMI power-on state */
	}
	if (rc == 0) {
		rc = vbe_sys_init(&bm_sys, cfg, &bm_sim.plat, bm_windows);
	}
	if (rc != 0) {
		VBE_LOG(VBE_LOG_ERR, "system \"%s\" does not start: %d", cfg->name, rc);
		bm_halt("start-up failed");
	}

	if (bm_idle_init() == 0) {
		bm_printf("vbe: idle: spin %u us, then sleep %u..%u us (virtual timer + WFI)\n",
			  BM_IDLE_SPIN_US, BM_IDLE_SLEEP_MIN_US, BM_IDLE_SLEEP_MAX_US);
	} else {
		bm_printf("vbe: idle: no GICv2, busy-polling only\n");
	}

	/* vbe harness: the doorbell UART (doorbell.c), and the platform mailbox (mailbox.c). */
	rc = bm_doorbell_init();
	bm_printf("vbe: doorbell: %s\n", rc == 0 ? "UART1 0x09040000, INTID 40" : "none (polling)");
	vbe_sys_start(&bm_sys, rc == 0 ? bm_doorbell_notifier() : NULL);
	bm_mailbox_init(&bm_sim, &bm_sys);
	bm_print_guests(&bm_sys);
	bm_printf("vbe: ready\n");

#ifdef BM_FAULT_TEST
	/* Self-test of the vectors (-DVBE_BM_FAULT_TEST=ON): an undefined instruction. */
	__asm__ volatile("udf #0");
#endif
	bm_serve(&bm_sys);
}
