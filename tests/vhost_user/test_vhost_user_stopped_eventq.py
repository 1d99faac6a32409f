"""One guest's ring stopped, another guest's action reaches it: the daemon keeps serving.

Guest ``cluster`` (SCMI agent 2) subscribes to POWER_STATE_NOTIFY on the power domain it
shares with ``ivi`` (agent 1) and posts eventq buffers; then its eventq stops: GET_VRING_BASE
(QEMU's message when that guest resets its device or its VM stops) or SET_VRING_ENABLE 0.
``ivi`` switches the shared domain
on: the server notifies agent 2 into a ring that is not running. That notification must be
dropped as if no buffer were posted (virtio 1.2, 5.17.6.3), never written to a stopped ring,
and ``ivi`` must go on being served by the same ``vbe serve`` (one process, one platform,
every guest). Once the ring runs again, the next change reaches ``cluster``.
"""

from __future__ import annotations

import os
import select
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from vbe.serve import protocol as p
from vbe.serve.protocol import Req
from vhu_frontend import F_EVENT_IDX, F_VERSION_1, FrontEnd, FrontEndError, Queue

from pyhost.scmi.wire import W, encode_header

REPO = Path(__file__).resolve().parents[2]
F_SCMI_P2A = 1 << 0
FEATURES = F_VERSION_1 | F_EVENT_IDX | F_SCMI_P2A
POWER = W("PROTO_POWER")
ON = 0  # SCMI power state ON (DEN0056E 4.3.2.5)
OFF = 0x40000000
# the demo system's shared power domain "display": ivi's local id 1, cluster's local id 0
IVI_DISPLAY, CLUSTER_DISPLAY = 1, 0
EVENT_BUF = 64


class SocketDirDaemon:
    """``vbe serve --socket-dir``: every guest's devices in one process, one platform."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir, self.log = run_dir, run_dir / "serve.log"
        env = dict(os.environ, PYTHONPATH=f"{REPO}/tools:{REPO}")
        with self.log.open("w") as f:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "vbe", "serve", "--socket-dir", str(run_dir)],
                stdout=f, stderr=subprocess.STDOUT, text=True, env=env, cwd=REPO,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while self.log.read_text().count("waiting for a front-end") < 4:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"vbe serve did not come up:\n{self.log.read_text()}")
            time.sleep(0.05)

    def socket(self, guest: str, kind: str) -> Path:
        return self.run_dir / f"{guest}-{kind}.sock"

    def alive(self) -> bool:
        return self.proc.poll() is None

    def why(self) -> str:
        rc = self.proc.poll()
        died = "running" if rc is None else f"exit status {rc}"
        if rc is not None and rc < 0:
            died = f"killed by {signal.Signals(-rc).name}"
        return f"vbe serve: {died}; its log:\n{self.log.read_text()}"

    def stop(self) -> None:
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[SocketDirDaemon]:
    d = SocketDirDaemon(tmp_path)
    try:
        yield d
    finally:
        d.stop()


def scmi_call(q: Queue, token: int, msg: int, *words: int) -> int:
    hdr = encode_header(msg, POWER, token=token)
    reply = q.call([struct.pack(f"<{1 + len(words)}I", hdr, *words)], [136])
    got, status = struct.unpack_from("<Ii", reply)
    assert got == hdr
    return status


def power_set(d: SocketDirDaemon, q: Queue, token: int, domain: int, state: int) -> int:
    """Agent 1 switches the shared domain; a daemon that died on the way fails the test
    with its exit status and log."""
    try:
        return scmi_call(q, token, W("POWER_STATE_SET"), 0, domain, state)
    except FrontEndError as exc:
        pytest.fail(f"{exc}: {d.why()}")


def stop_eventq_get_base(fe: FrontEnd, evq: Queue) -> None:
    fe.send(Req.GET_VRING_BASE, p.STATE.pack(evq.index, 0))
    fe.recv(Req.GET_VRING_BASE)


def stop_eventq_disable(fe: FrontEnd, evq: Queue) -> None:
    fe.do(Req.SET_VRING_ENABLE, p.STATE.pack(evq.index, 0))


STOPS: dict[str, Callable[[FrontEnd, Queue], None]] = {
    "get_vring_base": stop_eventq_get_base,
    "vring_disable": stop_eventq_disable,
}


@pytest.mark.parametrize("stop", list(STOPS), ids=list(STOPS))
def test_notification_for_a_stopped_eventq_is_dropped_and_the_daemon_serves_on(
    daemon: SocketDirDaemon, stop: str
) -> None:
    ivi = FrontEnd(daemon.socket("ivi", "scmi"))
    cluster = FrontEnd(daemon.socket("cluster", "scmi"))
    try:
        (cmdq1, _evq1) = ivi.start(FEATURES, queues=2)
        (cmdq2, evq2) = cluster.start(FEATURES, queues=2)
        assert scmi_call(cmdq2, 1, W("POWER_STATE_NOTIFY"), CLUSTER_DISPLAY, 1) == 0
        for _ in range(4):
            evq2.ring.add([], [EVENT_BUF])
        os.eventfd_write(evq2.kick_fd, 1)
        assert scmi_call(cmdq2, 2, W("POWER_STATE_GET"), CLUSTER_DISPLAY) == 0  # buffers seen
        used_before = evq2.ring.used_idx()

        STOPS[stop](cluster, evq2)
        assert power_set(daemon, cmdq1, 3, IVI_DISPLAY, ON) == 0  # agent 2 is notified: not running
        assert power_set(daemon, cmdq1, 4, IVI_DISPLAY, OFF) == 0
        assert daemon.alive(), daemon.why()
        assert evq2.ring.used_idx() == used_before, "an event went into a stopped ring"
    finally:
        cluster.close()
        ivi.close()
    assert daemon.alive(), daemon.why()


def test_eventq_back_after_a_stop_gets_the_next_notification(daemon: SocketDirDaemon) -> None:
    ivi = FrontEnd(daemon.socket("ivi", "scmi"))
    cluster = FrontEnd(daemon.socket("cluster", "scmi"))
    try:
        (cmdq1, _evq1) = ivi.start(FEATURES, queues=2)
        (cmdq2, evq2) = cluster.start(FEATURES, queues=2)
        assert scmi_call(cmdq2, 1, W("POWER_STATE_NOTIFY"), CLUSTER_DISPLAY, 1) == 0
        for _ in range(4):
            evq2.ring.add([], [EVENT_BUF])
        cluster.send(Req.GET_VRING_BASE, p.STATE.pack(1, 0))
        base = p.STATE.unpack(cluster.recv(Req.GET_VRING_BASE))[1]
        assert power_set(daemon, cmdq1, 2, IVI_DISPLAY, ON) == 0  # dropped: the ring is stopped

        cluster.do(Req.SET_VRING_BASE, p.STATE.pack(1, base))  # the VM runs again
        evq2.kick_fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        cluster.do(Req.SET_VRING_KICK, p.U64.pack(1), [evq2.kick_fd])
        os.eventfd_write(evq2.kick_fd, 1)
        assert scmi_call(cmdq2, 3, W("POWER_STATE_GET"), CLUSTER_DISPLAY) == 0
        assert power_set(daemon, cmdq1, 4, IVI_DISPLAY, OFF) == 0  # running: agent 2 hears of it
        deadline = time.monotonic() + 5
        events = []
        while not events and time.monotonic() < deadline:
            events = evq2.ring.get_used()
            time.sleep(0.01)
        assert len(events) == 1, "exactly the notification sent while the ring ran"
        hdr, agent, domain, state = struct.unpack_from("<4I", events[0].data)
        assert (hdr & 0xFF, (hdr >> 10) & 0xFF) == (W("POWER_STATE_CHANGED"), POWER)
        assert (agent, domain, state) == (1, CLUSTER_DISPLAY, OFF)
    finally:
        cluster.close()
        ivi.close()
    assert daemon.alive(), daemon.why()


def run_forked(scenario: Callable[[], None]) -> None:
    """Run ``scenario`` in a child process: a crash of the core it drives (in this process's
    address space) fails the test with the signal instead of taking pytest down."""
    pid = os.fork()
    if pid == 0:  # the child: no return from here
        code = 1
        try:
            scenario()
            code = 0
        except BaseException:  # noqa: BLE001 (reported through the exit status)
            import traceback

            traceback.print_exc()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        pytest.fail(f"the backend crashed: {signal.Signals(os.WTERMSIG(status)).name}")
    assert os.WEXITSTATUS(status) == 0, "the scenario failed (traceback above)"


def test_platform_notification_to_a_stopped_eventq_is_dropped(tmp_path: Path) -> None:
    """SYSTEM_POWER_STATE_NOTIFIER comes from the platform, not from any guest: sent to an
    agent whose eventq was stopped, it is dropped (-EAGAIN), and its device works on."""
    from vbe.serve.served import ServedBackend

    from pyhost.machine.base import MachineError

    system = W("PROTO_SYSTEM")

    def scenario() -> None:
        with ServedBackend(tmp_path / "sock") as be:
            cluster = FrontEnd(be.socket("cluster", "scmi"))
            try:
                (cmdq, evq) = cluster.start(FEATURES, queues=2)
                hdr = encode_header(W("SYSTEM_POWER_STATE_NOTIFY"), system, token=1)
                reply = cmdq.call([struct.pack("<2I", hdr, 1)], [136])
                assert struct.unpack_from("<Ii", reply) == (hdr, 0)
                for _ in range(2):
                    evq.ring.add([], [EVENT_BUF])
                cluster.send(Req.GET_VRING_BASE, p.STATE.pack(1, 0))
                cluster.recv(Req.GET_VRING_BASE)
                with pytest.raises(MachineError):  # -EAGAIN: dropped
                    be.platform.system_notify(2, 1, 0, 100)
                assert evq.ring.used_idx() == 0
                be.check()
            finally:
                cluster.close()

    run_forked(scenario)


def test_notification_caused_by_another_guest_is_signalled(daemon: SocketDirDaemon) -> None:
    """Agent 1's command completes a chain on agent 2's eventq: agent 2's driver must get its
    call (an interrupt), not find the event only when something else wakes it."""
    ivi = FrontEnd(daemon.socket("ivi", "scmi"))
    cluster = FrontEnd(daemon.socket("cluster", "scmi"))
    try:
        (cmdq1, _evq1) = ivi.start(FEATURES, queues=2)
        (cmdq2, evq2) = cluster.start(FEATURES, queues=2)
        assert scmi_call(cmdq2, 1, W("POWER_STATE_NOTIFY"), CLUSTER_DISPLAY, 1) == 0
        for _ in range(4):
            evq2.ring.add([], [EVENT_BUF])
        os.eventfd_write(evq2.kick_fd, 1)
        assert scmi_call(cmdq2, 2, W("POWER_STATE_GET"), CLUSTER_DISPLAY) == 0
        try:
            os.eventfd_read(evq2.call_fd)  # whatever the set-up signalled
        except BlockingIOError:
            pass
        assert power_set(daemon, cmdq1, 3, IVI_DISPLAY, ON) == 0
        ready, _, _ = select.select([evq2.call_fd], [], [], 5.0)
        assert ready, "agent 2's eventq got a notification without a call"
        (event,) = evq2.ring.get_used()
        assert struct.unpack_from("<4I", event.data)[1:] == (1, CLUSTER_DISPLAY, ON)
    finally:
        cluster.close()
        ivi.close()
