/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The two status domains (docs/scmi.md, "Status codes"): internal code returns 0 or a
 * negative errno with Zephyr's meanings; the wire carries enum vbe_scmi_status (DEN0056E
 * 4.1.4). This file is the only place one becomes the other.
 */

#include <errno.h>
#include <stdint.h>

#include <vbe/scmi.h>

#include "scmi_internal.h"

enum vbe_scmi_status vbe_scmi_status_from_errno(int err)
{
	switch (err) {
	case 0:
		return VBE_SCMI_SUCCESS;
	case -ENOTSUP:
	case -ENOSYS:
		return VBE_SCMI_NOT_SUPPORTED;
	case -EINVAL:
		return VBE_SCMI_INVALID_PARAMETERS;
	case -EACCES:
	case -EPERM:
		return VBE_SCMI_DENIED;
	case -ENOENT:
	case -ENODEV:
		return VBE_SCMI_NOT_FOUND;
	case -ERANGE:
		return VBE_SCMI_OUT_OF_RANGE;
	case -EBUSY:
	case -EAGAIN:
		return VBE_SCMI_BUSY;
	case -EPROTO:
		return VBE_SCMI_PROTOCOL_ERROR;
	case -EIO:
		return VBE_SCMI_HARDWARE_ERROR;
	case -EADDRINUSE:
		return VBE_SCMI_IN_USE;
	default:
		return VBE_SCMI_GENERIC_ERROR;
	}
}

static const char *const scmi_status_names[] = {
	[0] = "SUCCESS",
	[1] = "NOT_SUPPORTED",
	[2] = "INVALID_PARAMETERS",
	[3] = "DENIED",
	[4] = "NOT_FOUND",
	[5] = "OUT_OF_RANGE",
	[6] = "BUSY",
	[7] = "COMMS_ERROR",
	[8] = "GENERIC_ERROR",
	[9] = "HARDWARE_ERROR",
	[10] = "PROTOCOL_ERROR",
	[11] = "IN_USE",
};

_Static_assert(SCMI_ARRAY_SIZE(scmi_status_names) == VBE_SCMI_STATUS_COUNT,
	       "a name for every status");

const char *vbe_scmi_status_str(int32_t status)
{
	if (status > 0 || status <= -(int32_t)SCMI_ARRAY_SIZE(scmi_status_names)) {
		return "?";
	}
	return scmi_status_names[-status];
}
