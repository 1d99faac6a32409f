/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe-xen: the Linux Dom0 server. Serves the virtio-scmi and virtio-i2c devices of every
 * DomU of a system description (vbe_xen_generated_cfg) over Xen's IOREQ interface, one
 * simulated platform for all of them, with the portable core's vbe_ioreq and vbe_mmio.
 *
 * Per domain: create an IOREQ server, map its ioreq page (xenforeignmemory_map_resource),
 * claim each device's window (map_io_range_to_ioreq_server), enable it, bind each vCPU's
 * event channel; reserve address space for the guest's RAM, whose frames are mapped when a
 * ring or buffer first reaches them (vbe_memtab_lazy: mapping all of it at start took about 9 s
 * per 128 MiB on a loaded host; a driver's rings and buffers are a few dozen frames), or, for
 * a guest that hands out grant references (vbe_xen_domain.grants), map nothing of its RAM and
 * let vbe_gnt map each ring and buffer it is granted, per use (libxengnttab). Then
 * one loop: an event on a vCPU's channel -> vbe_ioreq_handle() answers the trapped access
 * and vbe_ioreq_poll() runs the devices; a device interrupt is
 * xendevicemodel_set_irq_level(domid, spi, 1) per event (Xen 4.17's vGIC ignores level 0).
 * After each control command every device runs once (a platform command may have queued an
 * SCMI notification). VIRQ_DOM_EXC says a domain shut down or died: one that is gone stops
 * being served (its devices reset: its SCMI votes go), and one that powered itself off is
 * destroyed (dom0less: there is no toolstack to do it).
 *
 *   vbe-xen [--ctl SOCKET]        serve; print "vbe-xen: ready ..." per domain, then
 *                                 "vbe-xen: serving N domains"
 *   vbe-xen ctl [--ctl SOCKET] CMD ...   one control command (vx_ctl_run) to a running server
 *
 * SIGUSR1 prints the statistics; SIGTERM/SIGINT print them and stop (every domain's server
 * is destroyed, so its vCPUs no longer trap to us).
 */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define __XEN_TOOLS__ 1
#include <xencall.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xengnttab.h>

#include <vbe/port.h>

#include "xen_port.h"

#define VX_CTL_DEFAULT "/run/vbe-xen.sock"

static struct vx_server server;
static volatile sig_atomic_t got_usr1;
static volatile sig_atomic_t got_stop;

/* ---- the port interface of the core ---------------------------------------------------- */

void vbe_port_log(int level, const char *fmt, ...)
{
	static const char *const names[] = { "?", "ERROR", "WARNING", "info", "debug" };
	va_list ap;

	if (level >= VBE_LOG_DBG) {
		return;
	}
	fprintf(stderr, "vbe-xen: %s: ", names[level >= 1 && level <= 4 ? level : 0]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

uint64_t vbe_port_time_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000U + (uint64_t)ts.tv_nsec / 1000U;
}

/* ---- the loop --------------------------------------------------------------------------- */

static void on_signal(int sig)
{
	if (sig == SIGUSR1) {
		got_usr1 = 1;
	} else {
		got_stop = 1;
	}
}

static int vx_listen(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof(a.sun_path)) {
		return -1;
	}
	strcpy(a.sun_path, path);
	(void)unlink(path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 4) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One client: one command line in, the answer out, then close. */
static void vx_ctl_client(struct vx_server *s, int lfd)
{
	char line[512];
	size_t n = 0U;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	FILE *out;

	if (fd < 0) {
		return;
	}
	while (n + 1U < sizeof(line)) {
		ssize_t r = read(fd, line + n, 1);

		if (r <= 0 || line[n] == '\n') {
			break;
		}
		n++;
	}
	line[n] = '\0';
	out = fdopen(fd, "w");
	if (out == NULL) {
		close(fd);
		return;
	}
	(void)vx_ctl_run(s, line, out);
	fclose(out);
}

static struct vx_dom *vx_dom_of_port(struct vx_server *s, uint32_t port, unsigned int *vcpu)
{
	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		struct vx_dom *d = &s->dom[i];

		for (unsigned int v = 0U; d->live && v < d->cfg->vcpus; v++) {
			if (d->local_port[v] == port) {
				*vcpu = v;
				return d;
			}
		}
	}
	return NULL;
}

static int vx_serve(struct vx_server *s, const char *ctl)
{
	int lfd = vx_listen(ctl);
	struct pollfd fds[2];
	bool more = false; /* a device spent its budget: poll without waiting */

	if (lfd < 0) {
		VBE_LOG(VBE_LOG_ERR, "control socket %s: %s", ctl, strerror(errno));
		return 1;
	}
	fds[0] = (struct pollfd){ .fd = xenevtchn_fd(s->xce), .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = lfd, .events = POLLIN };
	while (!got_stop) {
		if (got_usr1) {
			got_usr1 = 0;
			vx_stats(s, stdout);
		}
		if (poll(fds, 2, more ? 0 : 1000) < 0) {
			if (errno == EINTR) {
				continue;
			}
			VBE_LOG(VBE_LOG_ERR, "poll: %s", strerror(errno));
			break;
		}
		if (fds[0].revents & POLLIN) {
			xenevtchn_port_or_error_t port = xenevtchn_pending(s->xce);
			unsigned int vcpu = 0U;
			struct vx_dom *d;

			if (port >= 0) {
				/* unmask before looking at the slot, so no new event is lost */
				(void)xenevtchn_unmask(s->xce, (evtchn_port_t)port);
				d = vx_dom_of_port(s, (uint32_t)port, &vcpu);
				if (port == s->dom_exc_port) {
					vx_dom_exc(s);
				} else if (d != NULL) {
					/* every READY slot, then the devices (a notify is served) */
					d->events++;
					(void)vbe_ioreq_poll(&d->ioreq, false);
				}
			}
		}
		/* devices that spent their budget: another pass, after every event above */
		more = vx_run_more(s);
		if (fds[1].revents & POLLIN) {
			vx_ctl_client(s, lfd);
			/* a platform command may have queued events (a trip point's
			 * notification): deliver them now, not at the DomU's next kick */
			(void)vx_run_all(s);
		}
	}
	close(lfd);
	(void)unlink(ctl);
	return 0;
}

/* ---- the client side of the control socket --------------------------------------------- */

static int vx_ctl_main(const char *path, int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char buf[4096];
	size_t n = 0U;
	ssize_t r;
	int fd;

	if (argc < 1) {
		fprintf(stderr, "usage: vbe-xen ctl [--ctl SOCKET] COMMAND [ARG...]\n");
		return 2;
	}
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		fprintf(stderr, "vbe-xen ctl: %s: %s (is vbe-xen running?)\n", path, strerror(errno));
		return 1;
	}
	for (int i = 0; i < argc; i++) {
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "", argv[i]);
		if (n >= sizeof(buf) - 2U) {
			fprintf(stderr, "vbe-xen ctl: command too long\n");
			return 2;
		}
	}
	buf[n++] = '\n';
	if (write(fd, buf, n) != (ssize_t)n) {
		return 1;
	}
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		fwrite(buf, 1, (size_t)r, stdout);
	}
	close(fd);
	return 0;
}

/* ---- start ----------------------------------------------------------------------------- */

static int vx_open(struct vx_server *s)
{
	xenevtchn_port_or_error_t p;

	s->dom_exc_port = -1;
	s->xce = xenevtchn_open(NULL, 0);
	s->dm = xendevicemodel_open(NULL, 0);
	s->fmem = xenforeignmemory_open(NULL, 0);
	s->call = xencall_open(NULL, 0);
	if (s->xce == NULL || s->dm == NULL || s->fmem == NULL || s->call == NULL) {
		VBE_LOG(VBE_LOG_ERR, "opening the Xen interfaces: %s (are xen-evtchn, xen-privcmd "
				     "loaded and is this Dom0?)", strerror(errno));
		return -ENODEV;
	}
	p = xenevtchn_bind_virq(s->xce, VIRQ_DOM_EXC);
	if (p < 0) {
		/* served anyway; a DomU that powers itself off then keeps its votes */
		VBE_LOG(VBE_LOG_WRN, "VIRQ_DOM_EXC: %s (a toolstack holds it?)", strerror(errno));
	} else {
		s->dom_exc_port = (int)p;
	}
	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		if (s->cfg->domains[i].grants && s->xgt == NULL) {
			s->xgt = xengnttab_open(NULL, 0);
			if (s->xgt == NULL) {
				VBE_LOG(VBE_LOG_ERR, "opening the grant device: %s (is xen-gntdev "
						     "loaded?)", strerror(errno));
				return -ENODEV;
			}
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *ctl = VX_CTL_DEFAULT;
	struct vx_server *s = &server;
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned int live = 0U;
	int first = 1;

	if (argc > 1 && strcmp(argv[1], "ctl") == 0) {
		first = 2;
		if (argc > 3 && strcmp(argv[2], "--ctl") == 0) {
			return vx_ctl_main(argv[3], argc - 4, argv + 4);
		}
		return vx_ctl_main(ctl, argc - first, argv + first);
	}
	if (argc > 2 && strcmp(argv[1], "--ctl") == 0) {
		ctl = argv[2];
	} else if (argc > 1) {
		fprintf(stderr, "usage: vbe-xen [--ctl SOCKET] | vbe-xen ctl [--ctl SOCKET] CMD...\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	s->started_us = vbe_port_time_us();
	s->cfg = &vbe_xen_generated_cfg;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (s->cfg->domain_count > VBE_SYS_MAX_GUESTS || vbe_sim_populate(&s->sim, s->cfg->sys) ||
	    vbe_sys_init_devices(&s->sys, s->cfg->sys, &s->sim.plat) || vx_open(s) != 0) {
		VBE_LOG(VBE_LOG_ERR, "system \"%s\": cannot set up", s->cfg->sys->name);
		return 1;
	}
	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		s->dom[i].cfg = &s->cfg->domains[i];
		s->dom[i].srv = s;
		if (s->dom[i].cfg->dev_count == 0U) {
			continue;
		}
		if (vx_dom_start(&s->dom[i]) != 0) {
			VBE_LOG(VBE_LOG_ERR, "dom %u (%s): not served", s->dom[i].cfg->domid,
				s->dom[i].cfg->name);
			vx_dom_stop(&s->dom[i]);
			continue;
		}
		live++;
	}
	printf("vbe-xen: serving %u domains of system %s (ms=%llu)\n", live, s->cfg->sys->name,
	       (unsigned long long)((vbe_port_time_us() - s->started_us) / 1000U));
	(void)vx_serve(s, ctl);
	vx_stats(s, stdout);
	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		if (s->dom[i].cfg != NULL) {
			vx_dom_stop(&s->dom[i]);
		}
	}
	printf("vbe-xen: stopped\n");
	return 0;
}
