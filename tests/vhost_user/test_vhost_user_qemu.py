"""Real QEMU 10 as the front-end: at device realize (no guest, CPUs stopped) it negotiates
features and protocol features with ``vbe serve`` and hands over call/err eventfds. What
follows (SET_FEATURES, SET_MEM_TABLE, rings) needs a guest driver: the Linux guest tests."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest

QEMU = "qemu-system-aarch64"


@pytest.mark.skipif(shutil.which(QEMU) is None, reason=f"{QEMU} is not installed")
@pytest.mark.parametrize(("device", "qdev", "queues"),
                         [("i2c", "vhost-user-i2c-device", 1), ("scmi", "vhost-user-scmi", 2)])  # fmt: skip
def test_qemu_front_end_negotiates_at_realize(serve, device: str, qdev: str, queues: int) -> None:
    d = serve("ivi", device, verbose=True)
    cmd = [QEMU, "-M", "virt", "-cpu", "cortex-a57", "-m", "128M", "-nographic", "-nic", "none",
           "-S", "-monitor", "none", "-serial", "none",
           "-object", "memory-backend-memfd,id=mem,size=128M,share=on",
           "-machine", "memory-backend=mem",
           "-chardev", f"socket,id=c0,path={d.path}", "-device", f"{qdev},chardev=c0"]  # fmt: skip
    qemu = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20.0
        log = d.wait_log("VHOST_USER_SET_VRING_ERR", timeout=20.0)
        while log.count("VHOST_USER_SET_VRING_ERR") < queues and time.monotonic() < deadline:
            time.sleep(0.05)
            log = d.output()
        assert qemu.poll() is None, qemu.communicate(timeout=5)[0]
    finally:
        qemu.terminate()
        try:
            qemu.wait(timeout=10)
        except subprocess.TimeoutExpired:
            qemu.kill()
            qemu.wait(timeout=10)
    for name in ("GET_FEATURES", "GET_PROTOCOL_FEATURES", "SET_PROTOCOL_FEATURES",
                 "GET_QUEUE_NUM", "SET_OWNER"):  # fmt: skip
        assert f"VHOST_USER_{name} " in log
    assert log.count("VHOST_USER_SET_VRING_CALL") == queues
    assert "not supported" not in log and "WARNING" not in log
    d.wait_log("front-end disconnected")
