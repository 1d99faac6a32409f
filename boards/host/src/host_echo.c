/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Echo device: a test double for ring conformance tests (host library only).
 *
 * Each chain is answered with a 16-byte summary (le32 n_rd, n_wr, rd_len, wr_len) and then
 * the chain's readable bytes, as far as the writable segments hold them. Hold mode keeps
 * chains in flight until vbe_host_echo_release(), which completes them newest first.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <vbe/fvq.h>
#include <vbe/host.h>
#include <vbe/shmem.h>
#include <vbe/vq.h>

#define ECHO_SUMMARY 16U
#define ECHO_HOLD_MAX 1024U

struct vbe_host_echo {
	struct vbe_fvq win;
	struct vbe_dev_ops ops;
	struct vbe_vq *vq;
	bool hold;
	uint32_t held_count;
	struct vbe_vq_req held[ECHO_HOLD_MAX];
	uint8_t copy[ECHO_SUMMARY + 4096U];
};

static void echo_complete(struct vbe_host_echo *e, const struct vbe_vq_req *req)
{
	uint32_t n;

	vbe_put_le32(e->copy, req->n_rd);
	vbe_put_le32(e->copy + 4, req->n_wr);
	vbe_put_le32(e->copy + 8, req->rd_len);
	vbe_put_le32(e->copy + 12, req->wr_len);
	n = (uint32_t)vbe_vq_req_read(req, 0, e->copy + ECHO_SUMMARY,
				      sizeof(e->copy) - ECHO_SUMMARY);
	n = (uint32_t)vbe_vq_req_write(req, 0, e->copy, ECHO_SUMMARY + n);
	(void)vbe_vq_push(e->vq, req, n);
}

static void echo_service(void *be)
{
	struct vbe_host_echo *e = be;
	struct vbe_vq_req req;
	int err;

	for (;;) {
		if (e->hold && e->held_count == ECHO_HOLD_MAX) {
			return;
		}
		err = vbe_vq_pop(e->vq, &req);
		if (err == -E2BIG) {
			(void)vbe_vq_push(e->vq, &req, 0U);
			continue;
		}
		if (err != 0) {
			return;
		}
		if (e->hold) {
			e->held[e->held_count++] = req;
		} else {
			echo_complete(e, &req);
		}
	}
}

static void echo_reset(void *be)
{
	struct vbe_host_echo *e = be;

	e->held_count = 0U; /* chains in flight are void after a reset */
	e->vq = NULL;
}

static int echo_start(void *be, struct vbe_vq *vqs, uint64_t features)
{
	struct vbe_host_echo *e = be;

	(void)features;
	if (vqs[0].size == 0U) {
		return -EINVAL;
	}
	e->vq = &vqs[0];
	return 0;
}

struct vbe_host_echo *vbe_host_echo_create(void *base, uint32_t size, uint32_t ring_size,
					   uint16_t queue_size_max)
{
	struct vbe_host_echo *e = calloc(1, sizeof(*e));

	if (e == NULL) {
		return NULL;
	}
	e->ops = (struct vbe_dev_ops){
		.device_id = VBE_HOST_ECHO_ID,
		.features = 0U,
		.num_queues = 1U,
		.queue_size_max = queue_size_max,
		.reset = echo_reset,
		.start = echo_start,
		.service = echo_service,
	};
	if (vbe_fvq_init(&e->win, base, size, 0U, ring_size) != 0 ||
	    vbe_fvq_add_device(&e->win, &e->ops, e) != 0) {
		free(e);
		return NULL;
	}
	vbe_fvq_publish(&e->win, NULL);
	return e;
}

void vbe_host_echo_destroy(struct vbe_host_echo *e)
{
	free(e);
}

int vbe_host_echo_poll(struct vbe_host_echo *e)
{
	bool did_work = false;

	(void)vbe_fvq_poll(&e->win, &did_work);
	return did_work ? 1 : 0;
}

void vbe_host_echo_hold(struct vbe_host_echo *e, int on)
{
	e->hold = on != 0;
}

int vbe_host_echo_release(struct vbe_host_echo *e)
{
	int n = 0;

	if (e->vq == NULL) {
		return 0;
	}
	while (e->held_count > 0U) {
		echo_complete(e, &e->held[--e->held_count]);
		n++;
	}
	/* Completions happened outside service(): the next poll sends the notification. */
	(void)vbe_fvq_poll(&e->win, NULL);
	return n;
}

uint32_t vbe_host_echo_fault_count(struct vbe_host_echo *e, int fault)
{
	if (fault < 0 || fault >= VBE_VQ_FAULT_COUNT) {
		return 0U;
	}
	return e->win.slot[0].dev.vq[0].faults[fault];
}

int vbe_host_echo_fault(struct vbe_host_echo *e)
{
	return (int)e->win.slot[0].dev.vq[0].fault;
}

uint32_t vbe_host_echo_notifies(struct vbe_host_echo *e)
{
	return e->win.slot[0].irq_seq[0];
}
