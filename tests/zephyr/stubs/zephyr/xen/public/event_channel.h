/* SPDX-License-Identifier: Apache-2.0 */
/* Stand-in for include/zephyr/xen/public/event_channel.h: evtchn_port_t (uint32_t). */
#ifndef STUB_ZEPHYR_XEN_PUBLIC_EVENT_CHANNEL_H
#define STUB_ZEPHYR_XEN_PUBLIC_EVENT_CHANNEL_H

#include <zephyr/xen/public/xen.h>

typedef uint32_t evtchn_port_t;

#endif /* STUB_ZEPHYR_XEN_PUBLIC_EVENT_CHANNEL_H */
