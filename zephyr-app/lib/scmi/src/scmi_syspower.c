/* SPDX-License-Identifier: Apache-2.0 */
/*
 * System power management protocol (0x12), version 2.1 (DEN0056E 4.4), scoped to the
 * calling guest: a request never powers the platform off; the platform op records that
 * this agent's guest asked to be shut down, reset or suspended.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vbe/plat.h>
#include <vbe/scmi.h>
#include <vbe/shmem.h>

#include "scmi_internal.h"

#define SYSTEM_ATTR_SUSPEND (1U << 30)
#define SYSTEM_ATTR_WARM_RESET (1U << 31)
#define SYSTEM_FLAG_GRACEFUL 0x1U

struct scmi_system_state_set_a2p {
	uint32_t flags;
	uint32_t system_state;
};

static int system_protocol_attributes(struct vbe_scmi_msg *m)
{
	return vbe_scmi_reply_u32(m, SYSTEM_ATTR_WARM_RESET | SYSTEM_ATTR_SUSPEND);
}

/*
 * 4.4.2.4: shutdown, cold or warm reset, suspend of the caller's guest. POWER_UP is how a
 * privileged agent wakes a suspended system: here only a privileged agent may send it.
 */
static int system_state_set(struct vbe_scmi_msg *m)
{
	uint32_t flags = SCMI_GET(m->a2p, struct scmi_system_state_set_a2p, flags);
	uint32_t state = SCMI_GET(m->a2p, struct scmi_system_state_set_a2p, system_state);
	int rc = -EINVAL;

	if ((flags & ~SYSTEM_FLAG_GRACEFUL) != 0U || state > VBE_SCMI_SYSTEM_SUSPEND) {
		goto exit;
	}
	rc = -EACCES;
	if (state == VBE_SCMI_SYSTEM_POWER_UP &&
	    (m->acfg->flags & VBE_SCMI_AGENT_PRIVILEGED) == 0U) {
		goto exit;
	}
	rc = vbe_plat_system_request(m->srv->plat, m->agent, state, flags);
	if (rc != 0) {
		goto exit;
	}
	m->srv->agent[m->agent - 1U].sys_state = state;
exit:
	return rc;
}

/* The caller's own state: POWER_UP, or the last state it asked for. */
static int system_state_get(struct vbe_scmi_msg *m)
{
	return vbe_scmi_reply_u32(m, m->srv->agent[m->agent - 1U].sys_state);
}

static int system_state_notify(struct vbe_scmi_msg *m)
{
	uint32_t en = SCMI_GET(m->a2p, struct scmi_u32, v);
	int rc = -EINVAL;

	if ((en & ~1U) != 0U) {
		goto exit;
	}
	m->srv->agent[m->agent - 1U].notify_system = (en != 0U);
	rc = 0;
exit:
	return rc;
}

static const struct vbe_scmi_msg_desc system_msgs[SCMI_MSG_COUNT] = {
	[VBE_SCMI_MSG_PROTOCOL_VERSION] = { vbe_scmi_common_version, 0, 4, SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_MSG_PROTOCOL_ATTRIBUTES] = { system_protocol_attributes, 0, 4,
					       SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_MSG_PROTOCOL_MESSAGE_ATTRIBUTES] = { vbe_scmi_common_msg_attributes, 4, 4,
						       SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_SYSTEM_POWER_STATE_SET] = { system_state_set,
					      sizeof(struct scmi_system_state_set_a2p), 0, 0 },
	[VBE_SCMI_SYSTEM_POWER_STATE_GET] = { system_state_get, 0, 4, 0 },
	[VBE_SCMI_SYSTEM_POWER_STATE_NOTIFY] = { system_state_notify, 4, 0, SCMI_MSG_F_NOTIFY },
	[VBE_SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION] = { vbe_scmi_common_negotiate, 4, 0,
						      SCMI_MSG_F_DISCOVERY },
};

_Static_assert(SCMI_ARRAY_SIZE(system_msgs) == SCMI_MSG_COUNT, "one entry per message id");

const struct vbe_scmi_protocol vbe_scmi_system_protocol = {
	.id = VBE_SCMI_PROTO_SYSTEM,
	.res = -1,
	.version = VBE_SCMI_VERSION_SYSTEM,
	.msgs = system_msgs,
	.msg_count = SCMI_ARRAY_SIZE(system_msgs),
};
