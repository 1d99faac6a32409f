"""Bridge mode end to end: the test front-end plays QEMU on the guest side, the bare-metal
image in a real QEMU machine answers from its windows; the daemon in between only copies.

Each test compares what the guest sees with what the backend's platform did (bus log,
resource state) or with direct mode (the same daemon serving from the in-process core).
"""

from __future__ import annotations

import errno
import os
import select
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from vbe.serve import protocol as p
from vbe.serve.bridge import BridgeDevice, BridgeHost
from vbe.serve.protocol import Req
from vbe.serve.served import ServedBackend
from vhu_frontend import F_EVENT_IDX, F_INDIRECT, F_VERSION_1, FrontEnd, Queue

from pyhost.i2c import FLAGS_FAIL_NEXT, FLAGS_M_RD, OUT_HDR, encode_addr
from pyhost.machine.qemu import QemuMachine
from pyhost.machine.qemu_image import qemu_available
from pyhost.scmi.sensor import TP_MODES
from pyhost.scmi.wire import W, encode_header

EEPROM = 0x50
I2C_FEATURES = F_VERSION_1 | F_EVENT_IDX | F_INDIRECT | 1  # ZERO_LENGTH_REQUEST
SCMI_FEATURES = F_VERSION_1 | F_EVENT_IDX | 1  # P2A_CHANNELS
PERM_LEVEL, PERM_CONFIG = 2, 4


@pytest.fixture
def backend() -> Iterator[QemuMachine]:
    ok, why = qemu_available()
    if not ok:
        pytest.skip(f"bridge mode needs the QEMU machine: {why}")
    with QemuMachine() as m:
        yield m


@pytest.fixture
def bridge(backend: QemuMachine, tmp_path: Path) -> Iterator[ServedBackend]:
    """The daemon (vbe.serve.served: in a thread, every guest device) bridging to the
    backend machine."""
    host = BridgeHost(backend)
    try:
        with ServedBackend(tmp_path / "bridge", host=host, machine=backend) as s:
            yield s
    finally:
        host.close()


@pytest.fixture
def direct(tmp_path: Path) -> Iterator[ServedBackend]:
    """The same daemon serving from the in-process core."""
    with ServedBackend(tmp_path / "direct") as s:
        yield s


@pytest.fixture
def frontends() -> Iterator[Callable[[Path], FrontEnd]]:
    opened: list[FrontEnd] = []

    def connect(path: Path) -> FrontEnd:
        fe = FrontEnd(path)
        opened.append(fe)
        return fe

    yield connect
    for fe in opened:
        fe.close()


def device(s: ServedBackend, guest: str, kind: str) -> BridgeDevice:
    dev = s.host.devices[(guest, kind)]
    assert isinstance(dev, BridgeDevice)
    return dev


def i2c_write(q: Queue, addr: int, data: bytes, flags: int = 0) -> bytes:
    return q.call([OUT_HDR.pack(encode_addr(addr), 0, flags), data], [1])


def scmi_call(q: Queue, proto: int, msg: int, payload: bytes, token: int, n: int) -> bytes:
    return q.call([struct.pack("<I", encode_header(msg, proto, token=token)) + payload], [n])


def wait_signalled(q: Queue, timeout: float = 5.0) -> list[Any]:
    """Block on the call eventfd alone (no peeking at the ring), then collect."""
    r, _, _ = select.select([q.call_fd], [], [], timeout)
    assert r, f"queue {q.index}: the driver was never signalled"
    os.eventfd_read(q.call_fd)
    return q.ring.get_used()


# ---- virtio-i2c ---------------------------------------------------------------------------


def test_i2c_write_then_read_back_reaches_guest_and_backend_bus(bridge, frontends) -> None:
    fe = frontends(bridge.socket("ivi", "i2c"))
    (q,) = fe.start(I2C_FEATURES)
    with bridge.lock:
        seq0 = bridge.host.machine.platform.bus_log_seq()
    assert i2c_write(q, EEPROM, b"\x30bridged") == b"\x00"
    h1 = q.submit([OUT_HDR.pack(encode_addr(EEPROM), 0, FLAGS_FAIL_NEXT), b"\x30"], [1])
    h2 = q.submit([OUT_HDR.pack(encode_addr(EEPROM), 0, FLAGS_M_RD)], [7, 1])
    u1, u2 = q.wait(h1), q.wait(h2)
    assert u1.data == b"\x00" and u2.segments == (b"bridged", b"\x00") and u2.length == 8
    with bridge.lock:
        log = bridge.host.machine.platform.bus_log(seq0)
    assert [[(m.read, m.data) for m in t.messages] for t in log] == [
        [(False, b"\x30bridged")],
        [(False, b"\x30"), (True, b"bridged")],  # one transaction: the FAIL_NEXT group
    ]
    assert all(t.addr == EEPROM and t.result == 0 for t in log)
    assert device(bridge, "ivi", "i2c").counters.forwarded == 3


@pytest.mark.parametrize(("guest", "addr", "data"), [("ivi", 0x23, b"\x00"),
                                                     ("cluster", 0x50, b"\x00\x01")])  # fmt: skip
def test_i2c_refusal_is_the_same_as_direct_mode(bridge, direct, frontends, guest, addr,
                                                data) -> None:  # fmt: skip
    """A denied address (ivi, 0x23) and a write to a read-only target (cluster's EEPROM)."""
    answers = []
    for s in (direct, bridge):
        (q,) = frontends(s.socket(guest, "i2c")).start(I2C_FEATURES)
        answers.append(i2c_write(q, addr, data))
    assert answers == [b"\x01", b"\x01"]
    with bridge.lock:
        assert bridge.host.machine.platform.bus_log_seq() == 0  # nothing reached the bus


# ---- virtio-scmi --------------------------------------------------------------------------


def test_scmi_answers_are_identical_to_direct_mode(bridge, direct, frontends) -> None:
    clk = bridge.host.machine.scmi.agent_of_guest(0).granted("clock")[0].local_id
    answers = []
    for s in (direct, bridge):
        cmdq, _evq = frontends(s.socket("ivi", "scmi")).start(SCMI_FEATURES, queues=2)
        version = scmi_call(cmdq, W("PROTO_BASE"), 0x0, b"", 0x3A5, 12)
        rate = scmi_call(cmdq, W("PROTO_CLOCK"), W("CLOCK_RATE_GET"), struct.pack("<I", clk),
                         0x11, 16)  # fmt: skip
        missing = scmi_call(cmdq, W("PROTO_CLOCK"), W("CLOCK_RATE_GET"),
                            struct.pack("<I", 999), 0x12, 16)  # fmt: skip
        answers.append((version, rate, missing))
    assert answers[0] == answers[1]
    version, rate, missing = answers[1]
    assert struct.unpack("<IiI", version) == (encode_header(0, 0x10, token=0x3A5), 0, 0x20001)
    assert struct.unpack_from("<i", rate, 4)[0] == 0 and struct.unpack_from("<i", missing, 4)[0]


def test_scmi_trip_point_notification_reaches_guest_eventq(bridge, frontends) -> None:
    info = bridge.host.machine.scmi.agent_of_guest(0)
    g = next(g for g in info.granted("sensor") if g.perms & PERM_CONFIG)
    cmdq, evq = frontends(bridge.socket("ivi", "scmi")).start(SCMI_FEATURES, queues=2)
    for _ in range(4):
        evq.ring.add([], [64])
    os.eventfd_write(evq.kick_fd, 1)
    with bridge.lock:
        base = bridge.host.machine.platform.state("sensor", g.resource).value
    sensor = W("PROTO_SENSOR")
    notify = scmi_call(cmdq, sensor, W("SENSOR_TRIP_POINT_NOTIFY"),
                       struct.pack("<II", g.local_id, 1), 1, 8)  # fmt: skip
    control = TP_MODES["up"] | 0 << W("SENSOR_TP_ID_SHIFT")
    value = base + 1000
    config = scmi_call(cmdq, sensor, W("SENSOR_TRIP_POINT_CONFIG"),
                       struct.pack("<IIii", g.local_id, control, value & 0xFFFFFFFF,
                                   value >> 32), 2, 8)  # fmt: skip
    assert struct.unpack("<Ii", notify)[1] == 0 and struct.unpack("<Ii", config)[1] == 0
    with bridge.lock:
        bridge.host.machine.platform.set_sensor(g.resource, base + 2000)
    (u,) = wait_signalled(evq)
    hdr, agent, sid, desc = struct.unpack("<IIII", u.data[:16])
    assert hdr == encode_header(0x0, sensor, type_=3)  # SENSOR_TRIP_POINT_EVENT
    assert (agent, sid, desc & 0xFF) == (0, g.local_id, 0)
    assert device(bridge, "ivi", "scmi").counters.events == 1


def test_scmi_async_clock_rate_set_delayed_response_reaches_guest(bridge, frontends) -> None:
    info = bridge.host.machine.scmi.agent_of_guest(0)
    g = next(g for g in info.granted("clock") if g.perms & PERM_LEVEL)
    cmdq, evq = frontends(bridge.socket("ivi", "scmi")).start(SCMI_FEATURES, queues=2)
    clock = W("PROTO_CLOCK")
    got = scmi_call(cmdq, clock, W("CLOCK_RATE_GET"), struct.pack("<I", g.local_id), 5, 16)
    rate = struct.unpack_from("<Q", got, 8)[0]
    # no eventq buffer yet: the bridge holds the delayed response, as the core does
    resp = scmi_call(cmdq, clock, W("CLOCK_RATE_SET"),
                     struct.pack("<IIII", W("CLOCK_SET_ASYNC"), g.local_id, rate & 0xFFFFFFFF,
                                 rate >> 32), 0x2F, 8)  # fmt: skip
    assert struct.unpack("<Ii", resp)[1] == 0
    evq.ring.add([], [64])
    os.eventfd_write(evq.kick_fd, 1)
    (u,) = wait_signalled(evq)
    hdr, status, clk_id, lo, hi = struct.unpack("<IiIII", u.data)
    assert hdr == encode_header(W("CLOCK_RATE_SET"), clock, type_=2, token=0x2F)
    assert (status, clk_id, lo | hi << 32) == (0, g.local_id, rate)


# ---- faults and stale answers -------------------------------------------------------------


def test_malformed_guest_ring_faults_relay_and_backend_sees_nothing(bridge, frontends) -> None:
    fe = frontends(bridge.socket("ivi", "i2c"))
    (q,) = fe.start(I2C_FEATURES)
    err = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
    try:
        fe.do(Req.SET_VRING_ERR, p.U64.pack(0), [err])
        ring = q.ring
        d = ring.take_descs(1)[0]
        ring.write_desc(d, 0x2_0000, 8, 0x1, d)  # NEXT to itself: a loop
        ring.write_avail_entry(0, d)
        ring.write_avail_idx(1)
        os.eventfd_write(q.kick_fd, 1)
        r, _, _ = select.select([err], [], [], 5.0)
        assert r, "the err eventfd was never signalled"
    finally:
        os.close(err)
    dev = device(bridge, "ivi", "i2c")
    with bridge.lock:
        fault, _live = dev.queue_state(0)
        assert dev.fault_str(fault) == "descriptor loop" and dev.counters.forwarded == 0
        assert dev.reqq.ring.avail_idx == 0  # nothing was put into the window
        assert bridge.host.machine.platform.bus_log_seq() == 0


def test_answer_after_ring_stop_is_refused_not_written(bridge, frontends) -> None:
    """A FAIL_NEXT request is held by the backend until its group closes; the guest stops
    and restarts the ring meanwhile. The late answer must not reach guest memory."""
    fe = frontends(bridge.socket("ivi", "i2c"))
    (q,) = fe.start(I2C_FEATURES)
    old = q.ring.add([OUT_HDR.pack(encode_addr(EEPROM), 0, FLAGS_FAIL_NEXT), b"\x40"], [1])
    (off, _) = q.ring._inflight[old].writable[0]
    fe.mem.write(off, b"\xee")
    os.eventfd_write(q.kick_fd, 1)
    dev = device(bridge, "ivi", "i2c")
    for _ in range(100):
        with bridge.lock:
            if dev.counters.forwarded == 1:
                break
        select.select([], [], [], 0.02)
    fe.send(Req.GET_VRING_BASE, p.STATE.pack(0, 0))
    assert p.STATE.unpack(fe.recv(Req.GET_VRING_BASE)) == (0, 1)
    fe.do(Req.SET_VRING_BASE, p.STATE.pack(0, 1))
    q.kick_fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
    fe.do(Req.SET_VRING_KICK, p.U64.pack(0), [q.kick_fd])
    assert i2c_write(q, EEPROM, b"\x40") == b"\x00"  # closes the group in the backend
    assert fe.mem.read(off, 1) == b"\xee"  # the old chain's status byte untouched
    assert old not in q.done
    with bridge.lock:
        assert dev.counters.stale == 1 and dev.stats()["stale"] == 1
        assert dev.done(0, 12345, b"\x00").rc == -errno.ESTALE  # never given: refused
