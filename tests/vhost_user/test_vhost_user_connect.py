"""``vbe serve --connect``: the front-end listens, the daemon connects, and connects again
after it loses the connection, with the device reset in between (docs/vhost-user.md)."""

from __future__ import annotations

import socket
from pathlib import Path

from test_vhost_user_serve import EEPROM, i2c_features, i2c_write, i2c_write_read
from vhu_frontend import FrontEnd


def _listen(path: Path) -> socket.socket:
    lst = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    lst.bind(str(path))
    lst.listen(1)
    lst.settimeout(20.0)
    return lst


def test_daemon_connects_and_reconnects_to_a_listening_front_end(serve, tmp_path) -> None:
    path = tmp_path / "ivi-i2c.sock"
    lst = _listen(path)  # the socket exists before the daemon starts: it must not replace it
    try:
        d = serve("ivi", "i2c", connect=True)
        assert d.path == path
        for round_ in range(2):
            conn, _ = lst.accept()
            fe = FrontEnd(path, sock=conn)
            try:
                (q,) = fe.start(i2c_features())
                data = bytes([0xA0 + round_, round_])
                assert i2c_write(q, EEPROM, bytes([0x20]) + data) == 0
                status, rstatus, got = i2c_write_read(q, EEPROM, bytes([0x20]), 2)
                assert (status, rstatus, got) == (0, 0, data)
            finally:
                fe.close()  # the daemon resets the device and dials again
            d.wait_log("connecting again")
        assert d.alive()
        assert path.exists()  # the front-end's socket: the daemon never removes it
    finally:
        lst.close()
