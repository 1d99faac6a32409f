/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Running a started backend until idle: shared by the window transport (fvq.c) and the
 * vhost-user binding (vhu). See vbe/fvq.h.
 */

#include <stdbool.h>
#include <stdint.h>

#include <vbe/fvq.h>
#include <vbe/vq.h>

/* Re-arm-and-recheck rounds per call: a guest that keeps refilling waits for the next call. */
#define FVQ_SERVICE_ROUNDS 4U

uint32_t vbe_fvq_dev_service(const struct vbe_fvq_dev_ops *ops, void *be, struct vbe_vq *vqs)
{
	uint32_t notify = 0U;

	ops->service(be);
	/*
	 * Idle now: re-arm driver notifications (avail_event / NO_NOTIFY) and look once more, so
	 * a chain published between the last pop and the re-arm is served, not stranded. Bounded:
	 * a guest that keeps refilling is served again on the next poll.
	 */
	for (unsigned int round = 0U; round < FVQ_SERVICE_ROUNDS; round++) {
		bool more = false;

		for (unsigned int q = 0U; q < ops->num_queues; q++) {
			if (vqs[q].size != 0U && !vqs[q].broken && vbe_vq_enable_notify(&vqs[q])) {
				more = true;
			}
		}
		if (!more) {
			break;
		}
		ops->service(be);
	}
	for (unsigned int q = 0U; q < ops->num_queues; q++) {
		if (vqs[q].size != 0U && !vqs[q].broken && vbe_vq_should_notify(&vqs[q])) {
			notify |= 1U << q;
		}
	}
	return notify;
}
