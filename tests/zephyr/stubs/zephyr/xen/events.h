/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-in for include/zephyr/xen/events.h (drivers/xen/events.c) as of v4.2.0: evtchn_cb_t,
 * the hypercall wrappers evtchn_status/close/set_priority, notify_evtchn() (void then; an int
 * in later trees: STUB_XEN_NOTIFY_EVTCHN_INT declares that one, so the port is compiled
 * against both), alloc_unbound_event_channel(), bind_interdomain_event_channel() (returns the
 * local port or a negative error, and attaches the callback), bind_event_channel(),
 * unbind_event_channel(), get_missed_events(), xen_events_init(). The callback runs in the
 * event upcall interrupt after the port's pending bit was cleared (events.c,
 * process_event()). mask_event_channel()/unmask_event_channel() are defined in events.c but
 * not declared in this header; the port does not use them.
 */
#ifndef STUB_ZEPHYR_XEN_EVENTS_H
#define STUB_ZEPHYR_XEN_EVENTS_H

#include <zephyr/kernel.h>
#include <zephyr/xen/public/event_channel.h>

typedef void (*evtchn_cb_t)(void *priv);

int evtchn_close(evtchn_port_t port);
#if defined(STUB_XEN_NOTIFY_EVTCHN_INT)
int notify_evtchn(evtchn_port_t port);
#else
void notify_evtchn(evtchn_port_t port);
#endif
int alloc_unbound_event_channel(domid_t remote_dom);
int bind_interdomain_event_channel(domid_t remote_dom, evtchn_port_t remote_port, evtchn_cb_t cb,
				   void *data);
int bind_event_channel(evtchn_port_t port, evtchn_cb_t cb, void *data);
int unbind_event_channel(evtchn_port_t port);
int get_missed_events(evtchn_port_t port);
int xen_events_init(void);

#endif /* STUB_ZEPHYR_XEN_EVENTS_H */
