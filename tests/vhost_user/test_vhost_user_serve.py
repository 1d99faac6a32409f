"""``vbe serve`` end to end, with a test front-end playing QEMU: the same I2C and SCMI
requests a Linux guest sends, through guest RAM, eventfds and the memory table."""

from __future__ import annotations

import os
import signal
import struct

from vbe.serve import protocol as p
from vbe.serve.protocol import Req
from vhu_frontend import F_EVENT_IDX, F_INDIRECT, F_VERSION_1, FrontEnd

from pyhost.i2c import FLAGS_FAIL_NEXT, FLAGS_M_RD, OUT_HDR, encode_addr
from pyhost.scmi.wire import encode_header

F_I2C_ZERO_LEN = 1 << 0
F_SCMI_P2A = 1 << 0
EEPROM = 0x50


def i2c_write(q, addr: int, data: bytes, flags: int = 0) -> int:
    st = q.call([OUT_HDR.pack(encode_addr(addr), 0, flags), data], [1])
    return st[0]


def i2c_write_read(q, addr: int, reg: bytes, n: int) -> tuple[int, int, bytes]:
    h1 = q.submit([OUT_HDR.pack(encode_addr(addr), 0, FLAGS_FAIL_NEXT), reg], [1])
    h2 = q.submit([OUT_HDR.pack(encode_addr(addr), 0, FLAGS_M_RD)], [n, 1])
    u1, u2 = q.wait(h1), q.wait(h2)
    return u1.data[0], u2.segments[1][0], u2.segments[0]


def i2c_features() -> int:
    return F_VERSION_1 | F_EVENT_IDX | F_INDIRECT | F_I2C_ZERO_LEN


def test_i2c_eeprom_write_read_through_the_daemon(serve) -> None:
    d = serve("ivi", "i2c")
    fe = FrontEnd(d.path)
    try:
        (q,) = fe.start(i2c_features())
        assert fe.reply_ack and fe.num_queues == 1
        assert i2c_write(q, EEPROM, b"\x10vhost") == 0
        st_w, st_r, data = i2c_write_read(q, EEPROM, b"\x10", 5)
        assert (st_w, st_r, data) == (0, 0, b"vhost")
        assert i2c_write(q, 0x23, b"\x00") == 1  # not in ivi's view: refused
    finally:
        fe.close()


def test_scmi_base_protocol_version(serve) -> None:
    d = serve("ivi", "scmi")
    fe = FrontEnd(d.path)
    try:
        cmdq, _evq = fe.start(F_VERSION_1 | F_EVENT_IDX | F_SCMI_P2A, queues=2)
        hdr = encode_header(0, 0x10, token=7)
        resp = cmdq.call([struct.pack("<I", hdr)], [12])
        got_hdr, status, version = struct.unpack("<IiI", resp)
        assert got_hdr == hdr and status == 0 and version >= 0x20000
    finally:
        fe.close()


def test_get_vring_base_stops_and_resumes_the_ring(serve) -> None:
    d = serve("ivi", "i2c")
    fe = FrontEnd(d.path)
    try:
        (q,) = fe.start(i2c_features())
        for _ in range(3):
            assert i2c_write(q, EEPROM, b"\x00\x01") == 0
        fe.send(Req.GET_VRING_BASE, p.STATE.pack(0, 0))
        assert p.STATE.unpack(fe.recv(Req.GET_VRING_BASE)) == (0, 3)
        # restart at base 3 with a new kick fd, as QEMU does after a stop
        fe.do(Req.SET_VRING_BASE, p.STATE.pack(0, 3))
        q.kick_fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        fe.do(Req.SET_VRING_KICK, p.U64.pack(0), [q.kick_fd])
        assert i2c_write(q, EEPROM, b"\x00\x02") == 0
    finally:
        fe.close()


def test_frontend_killed_mid_run_then_reconnect(serve) -> None:
    d = serve("ivi", "i2c")
    fe = FrontEnd(d.path)
    (q,) = fe.start(i2c_features())
    assert i2c_write(q, EEPROM, b"\x20abc") == 0
    q.ring.add([OUT_HDR.pack(encode_addr(EEPROM), 0, 0), b"\x20"], [1])  # left in flight
    fe.close()  # no goodbye: like QEMU being killed
    d.wait_log("front-end disconnected")
    fe2 = FrontEnd(d.path)
    try:
        (q2,) = fe2.start(i2c_features())
        st_w, st_r, data = i2c_write_read(q2, EEPROM, b"\x20", 3)
        assert (st_w, st_r, data) == (0, 0, b"abc")  # same platform: the EEPROM kept it
    finally:
        fe2.close()
    assert d.alive()


def test_sigterm_stops_cleanly_and_removes_the_socket(serve) -> None:
    d = serve("cluster", "i2c")
    d.proc.send_signal(signal.SIGTERM)
    assert d.proc.wait(timeout=10) == 0
    assert not d.path.exists()
