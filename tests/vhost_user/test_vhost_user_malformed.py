"""Bad vhost-user input: each gets an error that names the message; the daemon survives
and serves the next front-end."""

from __future__ import annotations

import os

import pytest
from test_vhost_user_serve import EEPROM, i2c_features, i2c_write
from vbe.serve import protocol as p
from vbe.serve.protocol import Req
from vhu_frontend import HI_GPA, HI_UADDR, RAM_GPA, RAM_SIZE, UADDR, FrontEnd, FrontEndError


def served_after(d) -> None:
    """A fresh front-end still gets served."""
    fe = FrontEnd(d.path)
    try:
        (q,) = fe.start(i2c_features())
        assert i2c_write(q, EEPROM, b"\x00\x00") == 0
    finally:
        fe.close()


def test_unknown_request_with_reply_ack_fails_and_session_goes_on(serve) -> None:
    d = serve()
    fe = FrontEnd(d.path)
    try:
        fe.negotiate(i2c_features())
        assert fe.ack(99) == 1
        assert fe.ack(Req.GET_CONFIG, bytes(12)) == 1  # CONFIG was not offered
        fe.set_mem_table()
        (q,) = [fe.setup_queue(0)]
        assert i2c_write(q, EEPROM, b"\x00\x00") == 0
    finally:
        fe.close()
    out = d.wait_log("request 99: not supported")
    assert "VHOST_USER_GET_CONFIG: not supported" in out


def test_bad_payload_size_without_ack_drops_the_connection(serve) -> None:
    d = serve()
    fe = FrontEnd(d.path)
    try:
        fe.send(Req.SET_FEATURES, b"\x00" * 4)  # u64 expected
        with pytest.raises((FrontEndError, OSError)):
            fe.get_u64(Req.GET_FEATURES)
    finally:
        fe.close()
    d.wait_log("VHOST_USER_SET_FEATURES: payload is 4 bytes, expected 8")
    served_after(d)


def test_oversized_payload_drops_the_connection(serve) -> None:
    d = serve()
    fe = FrontEnd(d.path)
    try:
        fe.send(Req.SET_FEATURES, b"", size=1 << 20)
        with pytest.raises((FrontEndError, OSError)):
            fe.get_u64(Req.GET_FEATURES)
    finally:
        fe.close()
    d.wait_log("exceeds the 4096-byte limit")
    served_after(d)


def test_overlapping_regions_are_refused(serve) -> None:
    d = serve()
    fe = FrontEnd(d.path)
    try:
        fe.negotiate(i2c_features())
        overlap = [p.Region(RAM_GPA, RAM_SIZE, UADDR, 0),
                   p.Region(RAM_GPA + 0x1000, 0x1000, HI_UADDR, 0)]  # fmt: skip
        assert fe.ack(Req.SET_MEM_TABLE, p.pack_mem_table(overlap), [fe.memfd] * 2) == 1
        assert fe.ack(Req.SET_MEM_TABLE, p.pack_mem_table(overlap[:1]), []) == 1  # no fd
    finally:
        fe.close()
    out = d.wait_log("region 1 (guest 0x1000+0x1000): it overlaps another region")
    assert "1 regions but 0 fds" in out
    served_after(d)


def test_vring_outside_the_memory_table_is_refused(serve) -> None:
    d = serve()
    fe = FrontEnd(d.path)
    try:
        fe.negotiate(i2c_features())
        fe.set_mem_table()
        assert fe.ack(Req.SET_VRING_NUM, p.STATE.pack(0, 16)) == 0
        past = UADDR + RAM_SIZE - 0x40  # desc table runs past region 0's end
        bad = p.ADDR.pack(0, 0, past, UADDR + 0x1000, UADDR + 0x2000, 0)
        assert fe.ack(Req.SET_VRING_ADDR, bad) == 1
        gpa_not_uaddr = p.ADDR.pack(0, 0, HI_GPA, HI_GPA + 0x1000, HI_GPA + 0x2000, 0)
        assert fe.ack(Req.SET_VRING_ADDR, gpa_not_uaddr) == 1
        assert fe.ack(Req.SET_VRING_NUM, p.STATE.pack(0, 12)) == 1  # not a power of two
        assert fe.ack(Req.SET_VRING_NUM, p.STATE.pack(5, 16)) == 1  # no queue 5
        q = fe.setup_queue(0)
        assert i2c_write(q, EEPROM, b"\x00\x00") == 0
    finally:
        fe.close()
    out = d.wait_log("a ring part is outside the memory table")
    assert "queue 5 does not exist" in out


def test_buffer_outside_guest_ram_breaks_only_the_queue(serve) -> None:
    d = serve()
    fe = FrontEnd(d.path)
    try:
        (q,) = fe.start(i2c_features())
        ring = q.ring
        head = ring.take_descs(2)
        ring.write_desc(head[0], HI_GPA + 0x3_FFF8, 16, 1, head[1])  # crosses region 1's end
        ring.write_desc(head[1], 0x2000, 1, 2, 0)
        ring.write_avail_entry(ring.avail_idx % ring.size, head[0])
        ring.write_avail_idx(ring.avail_idx + 1)
        os.eventfd_write(q.kick_fd, 1)
        d.wait_log("broken")
    finally:
        fe.close()
    served_after(d)
