"""Split ring conformance of the core (vq_split.c + fvq.c), driven through the echo device."""

from __future__ import annotations

from itertools import pairwise

import pytest
from echo_util import ECHO_ID, echo_reply

from pyhost.echo import EchoWindow
from pyhost.headers import VQ_H, defines, dev_faults
from pyhost.virtio import (
    DRIVER_FEATURES,
    F_EVENT_IDX,
    F_INDIRECT_DESC,
    F_VERSION_1,
    AllocError,
    DeviceNeedsReset,
    DeviceNotFound,
    FeaturesRefused,
    QueueFull,
    RequestTimeout,
    RingLayout,
    VirtioDevice,
)
from pyhost.virtio.device import ACKNOWLEDGE, DRIVER, DRIVER_OK, FEATURES_OK, NEEDS_RESET
from pyhost.virtio.ring import F_NEXT, F_WRITE

MAX_SEGS = defines(VQ_H)["VBE_VQ_MAX_SEGS"].value
RUNNING = ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK


def _open(echo: EchoWindow, features: int, size: int | None = None) -> VirtioDevice:
    return VirtioDevice.open(
        echo, 0, ECHO_ID, features=features, queue_sizes=None if size is None else [size]
    )


# ---- negotiation ------------------------------------------------------------------------


def test_open_negotiates_every_offered_ring_feature(echo_dev: VirtioDevice) -> None:
    offered = echo_dev.device_features
    assert offered & F_VERSION_1, "the device must offer VERSION_1"
    assert echo_dev.features == offered & DRIVER_FEATURES
    drv = echo_dev.drv
    assert drv.driver_features_lo | drv.driver_features_hi << 32 == echo_dev.features
    assert echo_dev.status == RUNNING


def test_features_without_version_1_are_refused(echo: EchoWindow) -> None:
    dev = VirtioDevice.find(echo, 0, ECHO_ID)
    dev.reset()
    with pytest.raises(FeaturesRefused, match="VERSION_1 missing"):
        dev.negotiate(dev.device_features & ~F_VERSION_1)
    assert not dev.status & FEATURES_OK


def test_unoffered_feature_bit_is_refused(echo: EchoWindow) -> None:
    dev = VirtioDevice.find(echo, 0, ECHO_ID)
    offered = dev.device_features
    extra = next(1 << b for b in range(64) if not offered >> b & 1)
    dev.reset()
    with pytest.raises(FeaturesRefused, match="not offered"):
        dev.negotiate(offered | extra)
    assert not dev.status & FEATURES_OK


def test_driver_ok_without_features_ok_is_not_taken(echo: EchoWindow) -> None:
    dev = VirtioDevice.find(echo, 0, ECHO_ID)
    dev.reset()
    dev.write_status(ACKNOWLEDGE | DRIVER)
    status = dev.write_status(ACKNOWLEDGE | DRIVER | DRIVER_OK)
    assert not status & DRIVER_OK


def test_version_1_alone_is_accepted_and_works(echo: EchoWindow) -> None:
    dev = _open(echo, F_VERSION_1)
    assert dev.features == F_VERSION_1 and dev.status == RUNNING
    summary, echoed = echo_reply(dev.queues[0].call([b"plain"], [32]))
    assert (summary.n_rd, summary.rd_len, echoed) == (1, 5, b"plain")


def test_find_unknown_device_lists_what_the_window_has(echo: EchoWindow) -> None:
    with pytest.raises(DeviceNotFound, match=r"slot 0: echo \(id 65535\)"):
        VirtioDevice.find(echo, 0, 34)


# ---- requests ---------------------------------------------------------------------------


def test_single_request_echoes_summary_and_bytes(echo_dev: VirtioDevice) -> None:
    used = echo_dev.queues[0].call([b"hello ", b"world"], [64])
    summary, echoed = echo_reply(used)
    assert (summary.n_rd, summary.n_wr, summary.rd_len, summary.wr_len) == (2, 1, 11, 64)
    assert echoed == b"hello world"
    assert used.length == 16 + 11
    assert used.segments[0][used.length :] == bytes(64 - used.length), "wrote past its length"


def test_mixed_direction_chain_is_seen_in_order(echo_dev: VirtioDevice) -> None:
    out = [b"ab", b"cde", b"fghijkl"]
    in_lens = [10, 6, 30]
    used = echo_dev.queues[0].call(out, in_lens)
    summary, echoed = echo_reply(used)
    assert (summary.n_rd, summary.n_wr) == (3, 3)
    assert (summary.rd_len, summary.wr_len) == (12, 46)
    assert echoed == b"abcdefghijkl"
    # the reply is scattered over the writable buffers in chain order
    assert b"".join(used.segments)[: used.length] == used.data
    assert len(used.segments[0]) == 10 and used.segments[2][:12] == b"abcdefghijkl"


def test_direct_chain_buffers_each_get_their_own_grains(echo_dev: VirtioDevice) -> None:
    """One allocation per chain, laid out as one allocation per buffer would be."""
    ring = echo_dev.queues[0].ring
    before = ring.alloc.stats()
    echo_dev.queues[0].submit([b"abc", b"", b"x" * 17], [5, 0, 32])
    descs, head = [], ring.in_flight[0]
    while True:
        d = ring.read_desc(head)
        descs.append(d)
        if not d.flags & F_NEXT:
            break
        head = d.next
    assert [(d.len, bool(d.flags & F_WRITE)) for d in descs] == [
        (3, False), (0, False), (17, False), (5, True), (0, True), (32, True)
    ]  # fmt: skip
    starts = [d.addr for d in descs]
    assert all(a % 16 == 0 for a in starts)
    assert [b - a for a, b in pairwise(starts)] == [16, 16, 32, 16, 16]
    assert ring.mem.read(starts[2], 17) == b"x" * 17
    assert ring.alloc.stats().live == before.live + 1
    echo_dev.queues[0].wait(ring.in_flight)
    assert ring.alloc.stats() == before


def test_direct_chain_in_a_fragmented_data_area_uses_one_piece_per_buffer(
    echo_dev: VirtioDevice,
) -> None:
    q = echo_dev.queues[0]
    alloc = q.ring.alloc
    pieces = []
    with pytest.raises(AllocError):
        while True:
            pieces.append(alloc.alloc(64))
    for off in pieces[::2]:
        alloc.free(off)  # holes of 64 bytes: too small for the chain's 48 + 64 bytes at once
    try:
        assert alloc.stats().largest_free == 64
        summary, echoed = echo_reply(q.call([b"f" * 40], [64]))
        assert (summary.rd_len, summary.wr_len, echoed) == (40, 64, b"f" * 40)
        assert alloc.stats().largest_free == 64, "every piece given back"
    finally:
        for off in pieces[1::2]:
            alloc.free(off)


def test_reply_is_truncated_to_the_writable_space(echo_dev: VirtioDevice) -> None:
    used = echo_dev.queues[0].call([b"0123456789"], [20])
    assert used.length == 20
    assert echo_reply(used)[1] == b"0123"


def test_chain_longer_than_max_segs_completes_with_zero_length(echo_dev: VirtioDevice) -> None:
    q = echo_dev.queues[0]
    used = q.call([bytes([i]) for i in range(MAX_SEGS)], [32])
    assert used.length == 0
    assert echo_reply(q.call([b"next"], [32]))[1] == b"next", "queue still works"
    assert not echo_dev.needs_reset


def test_indirect_request_round_trip(echo_dev: VirtioDevice) -> None:
    q = echo_dev.queues[0]
    free = q.ring.num_free
    head = q.submit([b"in", b"direct", b"!"], [8, 40], indirect=True)
    assert q.ring.num_free == free - 1, "an indirect chain takes one ring descriptor"
    summary, echoed = echo_reply(q.wait([head])[head])
    assert (summary.n_rd, summary.n_wr, summary.rd_len, summary.wr_len) == (3, 2, 9, 48)
    assert echoed == b"indirect!"
    assert q.ring.num_free == free


def test_indirect_and_direct_requests_mixed(echo_dev: VirtioDevice) -> None:
    q = echo_dev.queues[0]
    heads = {}
    for i in range(12):
        payload = f"req{i}".encode()
        heads[q.ring.add([payload, b"+"], [32], indirect=i % 3 == 0)] = payload + b"+"
    q.kick()
    for head, used in q.wait(heads).items():
        summary, echoed = echo_reply(used)
        assert (summary.n_rd, echoed) == (2, heads[head])


def test_index_wraps_past_65535(echo_dev: VirtioDevice) -> None:
    q = echo_dev.queues[0]
    size = q.ring.layout.size
    assert size == 256
    batch = size // 2  # two descriptors per request
    total = 65536 + 3 * batch + 5
    sent = 0
    while sent < total:
        n = min(batch, total - sent)
        reqs = [([(sent + k).to_bytes(4, "little")], [20]) for k in range(n)]
        heads = q.submit_many(reqs)
        got = q.wait(heads)
        for k, head in enumerate(heads):
            _, echoed = echo_reply(got[head])
            assert echoed == (sent + k).to_bytes(4, "little"), f"request {sent + k}"
        sent += n
    assert q.ring.avail_idx == total & 0xFFFF
    assert q.ring.used_idx() == total & 0xFFFF
    assert q.ring.last_used == total & 0xFFFF
    assert q.ring.num_free == size and not echo_dev.needs_reset


# ---- notifications ----------------------------------------------------------------------


def test_event_idx_interrupt_only_when_used_event_is_crossed(echo_dev: VirtioDevice) -> None:
    q = echo_dev.queues[0]
    assert echo_dev.features & F_EVENT_IDX
    q.call([b"warm-up"], [32])
    base_used, base_irq = q.ring.last_used, q.interrupt_seq
    q.ring.set_used_event((base_used + 4) & 0xFFFF)  # notify on the 5th completion only
    seen = []
    for i in range(8):
        q.call([bytes([i])], [32])
        seen.append(q.interrupt_seq - base_irq)
    assert seen == [0, 0, 0, 0, 1, 1, 1, 1]


def test_event_idx_batch_crossing_notifies_once(echo_dev: VirtioDevice) -> None:
    q = echo_dev.queues[0]
    q.call([b"warm-up"], [32])
    base_irq = q.interrupt_seq
    q.ring.set_used_event((q.ring.last_used + 2) & 0xFFFF)
    q.wait(q.submit_many([([bytes([i])], [32]) for i in range(8)]))
    assert q.interrupt_seq == base_irq + 1


def test_no_interrupt_flag_suppresses_without_event_idx(echo: EchoWindow) -> None:
    dev = _open(echo, F_VERSION_1 | F_INDIRECT_DESC)
    q = dev.queues[0]
    q.call([b"warm-up"], [32])
    base = q.interrupt_seq
    q.ring.set_no_interrupt(True)
    for i in range(5):
        q.call([bytes([i])], [32])
    assert q.interrupt_seq == base
    q.ring.set_no_interrupt(False)
    q.call([b"again"], [32])
    assert q.interrupt_seq == base + 1
    assert echo.notifies() == q.interrupt_seq


def test_without_suppression_every_completion_batch_notifies(echo: EchoWindow) -> None:
    dev = _open(echo, F_VERSION_1)
    q = dev.queues[0]
    base = q.interrupt_seq
    for i in range(4):
        q.call([bytes([i])], [32])
    assert q.interrupt_seq == base + 4


def test_idle_device_publishes_avail_event(echo_dev: VirtioDevice) -> None:
    """With EVENT_IDX an idle device asks to be kicked at its next avail entry (2.7.10)."""
    q = echo_dev.queues[0]
    for i in range(3):
        q.call([bytes([i])], [32])
    assert q.ring.avail_event() == q.ring.avail_idx == 3


def test_event_idx_second_add_before_device_runs_needs_no_kick(echo_dev: VirtioDevice) -> None:
    q = echo_dev.queues[0]
    q.call([b"idle"], [32])  # the device idles with avail_event = its last_avail
    first = q.ring.add([b"a"], [32])
    assert q.ring.kick_needed()
    second = q.ring.add([b"b"], [32])
    assert not q.ring.kick_needed(), "the device has not consumed the first kick yet"
    q.kick()
    got = q.wait([first, second])
    assert [echo_reply(got[h])[1] for h in (first, second)] == [b"a", b"b"]


# ---- many in flight, out of order -------------------------------------------------------


def test_hold_mode_fills_queue_and_completes_newest_first(
    echo: EchoWindow, echo_dev: VirtioDevice
) -> None:
    q = echo_dev.queues[0]
    size = q.ring.layout.size
    echo.hold(True)
    payloads = {}
    for i in range(size // 2):
        payloads[q.ring.add([f"#{i}".encode()], [32])] = f"#{i}".encode()
    assert q.ring.num_free == 0
    with pytest.raises(QueueFull, match="descriptors"):
        q.ring.add([b"one too many"], [32])
    q.kick()
    used_before = q.ring.used_idx()
    assert q.ring.used_idx() == used_before and q.poll() == [], "held chains were completed"
    assert echo.release() == size // 2
    slots = [(used_before + k) % size for k in range(size // 2)]
    order = [q.ring.read_used_entry(s)[0] for s in slots]
    assert order == list(reversed(payloads)), "release completes newest first"
    got = q.wait(payloads)
    for head, used in got.items():
        assert echo_reply(used)[1] == payloads[head]
    assert q.ring.num_free == size and q.ring.in_flight == []
    echo.hold(False)
    heads = q.submit_many([([bytes([i])], [32]) for i in range(size // 2)])
    assert len(q.wait(heads)) == size // 2, "freed descriptors are reusable"


def test_wait_times_out_naming_pending_heads(echo: EchoWindow, echo_dev: VirtioDevice) -> None:
    echo.hold(True)
    head = echo_dev.queues[0].submit([b"held"], [32])
    with pytest.raises(RequestTimeout, match=rf"heads \[{head}\] still pending.*echo"):
        echo_dev.queues[0].wait([head], timeout=0.2)


# ---- queue set-up errors at DRIVER_OK ---------------------------------------------------

FVQ = {name: c.value for name, c in dev_faults().items()}


def _bad_setups() -> list[tuple[str, str, object]]:
    """(case id, expected VBE_DEV_FAULT_*, mutation of (size, desc, avail, used, layout))."""
    return [
        ("size_not_power_of_two", "QUEUE_SIZE", lambda s, d, a, u, w: (3, d, a, u)),
        ("size_zero", "QUEUE_SIZE", lambda s, d, a, u, w: (0, d, a, u)),
        ("size_above_max", "QUEUE_SIZE", lambda s, d, a, u, w: (2 * s, d, a, u)),
        ("desc_in_data_area", "QUEUE_RANGE", lambda s, d, a, u, w: (s, w.data_off, a, u)),
        ("desc_in_header", "QUEUE_RANGE", lambda s, d, a, u, w: (s, 0, a, u)),
        (
            "used_past_ring_area",
            "QUEUE_RANGE",
            lambda s, d, a, u, w: (s, d, a, w.ring_off + w.ring_size - 4),
        ),
        ("avail_far_outside", "QUEUE_RANGE", lambda s, d, a, u, w: (s, d, 0xFFFFFFFE, u)),
        ("desc_misaligned", "QUEUE_ALIGN", lambda s, d, a, u, w: (s, d + 8, a, u)),
        ("avail_odd", "QUEUE_ALIGN", lambda s, d, a, u, w: (s, d, a + 1, u)),
        ("used_misaligned", "QUEUE_ALIGN", lambda s, d, a, u, w: (s, d, a, u + 2)),
        ("used_over_desc", "QUEUE_OVERLAP", lambda s, d, a, u, w: (s, d, a, d)),
        ("used_over_desc_tail", "QUEUE_OVERLAP", lambda s, d, a, u, w: (s, d, a, d + 16 * s - 4)),
        ("used_over_avail", "QUEUE_OVERLAP", lambda s, d, a, u, w: (s, d, a, a & ~3)),
        ("desc_over_used", "QUEUE_OVERLAP", lambda s, d, a, u, w: (s, u & ~15, a, u)),
    ]


@pytest.mark.parametrize(
    ("fault", "mutate"), [c[1:] for c in _bad_setups()], ids=[c[0] for c in _bad_setups()]
)
def test_bad_queue_setup_needs_reset_at_driver_ok(echo: EchoWindow, fault: str, mutate) -> None:
    dev = VirtioDevice.find(echo, 0, ECHO_ID)
    dev.reset()
    dev.negotiate(dev.device_features & DRIVER_FEATURES)
    lay = dev.window.layout
    size = dev.queue_size_max(0)
    good = RingLayout.at(lay.ring_off, size)
    dev.configure_queue_raw(0, *mutate(size, good.desc, good.avail, good.used, lay))
    with pytest.raises(DeviceNeedsReset) as exc:
        dev.driver_ok()
    assert exc.value.fault == FVQ[fault] == dev.queue_fault(0)
    assert dev.status & NEEDS_RESET and not dev.status & DRIVER_OK


def test_driver_ok_with_queue_disabled_is_refused_by_the_device(echo: EchoWindow) -> None:
    dev = VirtioDevice.find(echo, 0, ECHO_ID)
    dev.reset()
    dev.negotiate(dev.device_features & DRIVER_FEATURES)
    with pytest.raises(DeviceNeedsReset):
        dev.driver_ok()
    assert dev.queue_fault(0) == FVQ["DEVICE_START"]


def test_clearing_status_bits_without_reset_needs_reset(echo_dev: VirtioDevice) -> None:
    status = echo_dev.write_status(ACKNOWLEDGE | DRIVER)
    assert status & NEEDS_RESET
    assert echo_dev.queue_fault(0) == FVQ["STATUS"]


def test_reset_after_needs_reset_makes_device_usable(echo: EchoWindow) -> None:
    dev = VirtioDevice.open(echo, 0, ECHO_ID)
    q = dev.queues[0]
    q.ring.write_avail_entry(q.ring.avail_idx, q.ring.size)  # head out of range
    q.ring.write_avail_idx(q.ring.avail_idx + 1)
    q.kick()
    assert dev.needs_reset and dev.queue_fault(0) != 0
    with pytest.raises(DeviceNeedsReset):
        q.poll()
    dev = VirtioDevice.open(echo, 0, ECHO_ID)
    assert dev.status == RUNNING and dev.queue_fault(0) == 0
    assert echo_reply(dev.queues[0].call([b"alive"], [32]))[1] == b"alive"


@pytest.mark.parametrize("size", [1, 2, 4, 256])
def test_every_power_of_two_queue_size_works(echo: EchoWindow, size: int) -> None:
    q = VirtioDevice.open(echo, 0, ECHO_ID, queue_sizes=[size]).queues[0]
    for i in range(3 * size):  # around the ring three times
        summary, _ = echo_reply(q.call([], [40]))
        assert (summary.n_rd, summary.n_wr, summary.wr_len) == (0, 1, 40), f"request {i}"


def test_rings_ending_at_the_ring_area_end_are_accepted(echo: EchoWindow) -> None:
    dev = VirtioDevice.find(echo, 0, ECHO_ID)
    dev.reset()
    dev.negotiate(dev.device_features & DRIVER_FEATURES)
    lay, size = dev.window.layout, dev.queue_size_max(0)
    used = (lay.ring_off + lay.ring_size - (6 + 8 * size)) & ~3
    dev.configure_queue_raw(0, size, lay.ring_off, lay.ring_off + 16 * size, used)
    assert dev.driver_ok() == RUNNING


def test_reset_voids_held_chains(echo: EchoWindow, echo_dev: VirtioDevice) -> None:
    echo.hold(True)
    echo_dev.queues[0].submit_many([([b"held"], [32])] * 3)
    dev = VirtioDevice.open(echo, 0, ECHO_ID)
    assert echo.release() == 0, "chains from before the reset were completed"
    assert dev.queues[0].ring.used_idx() == 0
    echo.hold(False)
    assert echo_reply(dev.queues[0].call([b"fresh"], [32]))[1] == b"fresh"


def test_raw_chain_through_hooks_round_trips(echo_dev: VirtioDevice) -> None:
    """The raw hooks build the same chain add() would: the baseline malformed tests mutate."""
    q = echo_dev.queues[0]
    ring = q.ring
    out, buf = ring.alloc.alloc(4), ring.alloc.alloc(32)
    ring.mem.write(out, b"raw!")
    a, b = ring.take_descs(2)
    ring.write_desc(a, out, 4, F_NEXT, b)
    ring.write_desc(b, buf, 32, F_WRITE)
    ring.publish(a)
    q.kick()
    assert ring.read_used_entry(ring.used_idx() - 1) == (a, 20)
    assert ring.mem.read(buf + 16, 4) == b"raw!"
