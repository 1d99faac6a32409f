/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The messages every protocol has (DEN0056E 4.1.3: PROTOCOL_VERSION,
 * PROTOCOL_MESSAGE_ATTRIBUTES, NEGOTIATE_PROTOCOL_VERSION) and reply helpers shared by the
 * protocol files: names, extended names, delayed responses.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/scmi.h>
#include <vbe/shmem.h>

#include "scmi_internal.h"

uint32_t vbe_scmi_get_le32(const uint8_t *b)
{
	return vbe_get_le32(b);
}

void vbe_scmi_put_le32(uint8_t *b, uint32_t v)
{
	vbe_put_le32(b, v);
}

int vbe_scmi_reply_u32(struct vbe_scmi_msg *m, uint32_t v)
{
	SCMI_PUT(m->p2a, struct scmi_u32, v, v);
	m->p2a_len = sizeof(struct scmi_u32);
	return 0;
}

int vbe_scmi_reply_attributes(struct vbe_scmi_msg *m, uint32_t high, uint32_t len)
{
	uint32_t n = m->acfg->grant_count[m->proto->res];

	memset(m->p2a, 0, len);
	SCMI_PUT(m->p2a, struct scmi_u32, v, n | high);
	m->p2a_len = len;
	return 0;
}

int vbe_scmi_page(struct vbe_scmi_msg *m, uint32_t index, uint32_t total, uint32_t size,
		  uint32_t flags)
{
	uint32_t fit = (m->p2a_max - 4U) / size;
	uint32_t n;

	if (index >= total) {
		return -EINVAL;
	}
	n = total - index;
	n = (n < fit) ? n : fit;
	/* 11:0 returned, 31:16 remaining (4.6.2.5, 4.5.2.5, 4.7.2.5, 4.9.2.5) */
	SCMI_PUT(m->p2a, struct scmi_u32, v, n | ((total - index - n) << 16) | flags);
	m->p2a_len = 4U + n * size;
	return (int)n;
}

int vbe_scmi_common_version(struct vbe_scmi_msg *m)
{
	return vbe_scmi_reply_u32(m, m->proto->version);
}

/*
 * NOT_FOUND for a message this implementation does not provide (4.1.3). A subscription
 * message is reported absent to an agent without an eventq: it could not use it (Linux
 * probes notification support this way). Attributes are 0: no fast channels.
 */
int vbe_scmi_common_msg_attributes(struct vbe_scmi_msg *m)
{
	uint32_t id = SCMI_GET(m->a2p, struct scmi_u32, v);
	const struct vbe_scmi_msg_desc *d;
	int rc = -ENOENT;

	if (id >= m->proto->msg_count) {
		goto exit;
	}
	d = &m->proto->msgs[id];
	if (d->handler == NULL || ((d->flags & SCMI_MSG_F_NOTIFY) != 0U && !m->dev->p2a)) {
		goto exit;
	}
	SCMI_PUT(m->p2a, struct scmi_msg_attrs_p2a, attributes, 0U);
	m->p2a_len = sizeof(struct scmi_msg_attrs_p2a);
	rc = 0;
exit:
	return rc;
}

/* Only the version served can be agreed on: older layouts are not kept (4.1.3). */
int vbe_scmi_common_negotiate(struct vbe_scmi_msg *m)
{
	return SCMI_GET(m->a2p, struct scmi_u32, v) == m->proto->version ? 0 : -ENOTSUP;
}

void vbe_scmi_put_name(uint8_t *field, size_t size, const char *name)
{
	size_t n = 0;

	memset(field, 0, size);
	if (name == NULL || size == 0U) {
		return;
	}
	while (n + 1U < size && name[n] != '\0') {
		field[n] = (uint8_t)name[n];
		n++;
	}
}

uint32_t vbe_scmi_put_short_name(uint8_t *field, const char *name, uint32_t ext_flag)
{
	size_t n = 0;

	vbe_scmi_put_name(field, VBE_SCMI_NAME_SIZE, name);
	while (name != NULL && name[n] != '\0') {
		n++;
	}
	return n >= VBE_SCMI_NAME_SIZE ? ext_flag : 0U;
}

/* NAME_GET of every protocol with named resources: the resource's name, flags 0. */
int vbe_scmi_common_name_get(struct vbe_scmi_msg *m)
{
	enum vbe_scmi_res kind = (enum vbe_scmi_res)m->proto->res;
	int res = vbe_scmi_lookup(m, offsetof(struct scmi_u32, v), 0);
	int rc = res;

	if (rc < 0) {
		goto exit;
	}
	SCMI_PUT(m->p2a, struct scmi_name_get_p2a, flags, 0U);
	vbe_scmi_put_name(m->p2a + offsetof(struct scmi_name_get_p2a, name), VBE_SCMI_EXT_NAME_SIZE,
			  vbe_scmi_res_name(m->srv->cfg, kind, (uint16_t)res));
	m->p2a_len = sizeof(struct scmi_name_get_p2a);
	rc = 0;
exit:
	return rc;
}

void vbe_scmi_delayed(struct vbe_scmi_msg *m, const uint32_t *returns, uint8_t count)
{
	if (4U * count > SCMI_DRESP_MAX - 4U) {
		return; /* callers send at most five words: cannot happen */
	}
	vbe_scmi_put_le32(m->dresp, (uint32_t)VBE_SCMI_SUCCESS);
	for (uint8_t i = 0; i < count; i++) {
		vbe_scmi_put_le32(m->dresp + 4U + 4U * i, returns[i]);
	}
	m->dresp_len = (uint8_t)(4U + 4U * count);
}

int vbe_scmi_subscribe(const struct vbe_scmi_msg *m, uint32_t *mask)
{
	uint32_t notify_enable = SCMI_GET(m->a2p, struct scmi_id_notify_a2p, notify_enable);

	if ((notify_enable & ~1U) != 0U) {
		return -EINVAL; /* bit 0 enables; the rest is reserved */
	}
	if (notify_enable != 0U) {
		*mask |= SCMI_AGENT_BIT(m->agent);
	} else {
		*mask &= ~SCMI_AGENT_BIT(m->agent);
	}
	return 0;
}

int vbe_scmi_async_check(const struct vbe_scmi_msg *m)
{
	if (!m->dev->p2a || m->dev->evq == NULL) {
		return -ENOTSUP; /* no eventq: no delayed response can be sent */
	}
	if (m->dev->delayed_count >= VBE_SCMI_DELAYED_MAX) {
		m->dev->stats[VBE_SCMI_STAT_DELAYED_BUSY]++;
		return -EBUSY;
	}
	return 0;
}

_Static_assert(sizeof(struct scmi_name_get_p2a) <= SCMI_P2A_MAX, "NAME_GET fits a message");
_Static_assert(sizeof(struct scmi_u32) == 4 && sizeof(struct scmi_id_notify_a2p) == 8,
	       "wire layouts have no padding");
