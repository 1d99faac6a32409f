"""SCMI on the QEMU machine: the manifest's ``scmi`` section, and the platform mailbox's
SCMI commands seen from a guest's virtio-scmi device.

The requests are hand-built SCMI messages (DEN0056E 4.1) on a raw ``VirtioDevice``, so
these tests depend on nothing but the wire header (vbe/scmi_wire.h) and the ring driver.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from qemu_helpers import needs_qemu

from pyhost.corelib import CORE
from pyhost.headers import defines
from pyhost.machine import MachineError, make_machine
from pyhost.machine.qemu import QemuMachine
from pyhost.virtio import VirtioDevice
from pyhost.virtio.window import C

pytestmark = needs_qemu

WIRE = {
    k.removeprefix("VBE_SCMI_"): c.value
    for k, c in defines(CORE / "scmi" / "include" / "vbe" / "scmi_wire.h", "VBE_SCMI_").items()
}
P2A = 1 << WIRE["F_P2A_CHANNELS"]
SUCCESS = 0


@pytest.fixture(params=["doorbell", "poll"])
def qemu(image: Path, request: pytest.FixtureRequest) -> Iterator[QemuMachine]:
    with QemuMachine(notify=request.param, image=image) as m:
        yield m


def header(proto: str, msg: str, token: int = 1, mtype: int = 0) -> int:
    return (
        WIRE[msg] << WIRE["HDR_ID_SHIFT"]
        | mtype << WIRE["HDR_TYPE_SHIFT"]
        | WIRE[f"PROTO_{proto}"] << WIRE["HDR_PROTO_SHIFT"]
        | token << WIRE["HDR_TOKEN_SHIFT"]
    )


class RawAgent:
    """One guest's virtio-scmi device driven with raw messages (cmdq 0, eventq 1)."""

    def __init__(self, m: QemuMachine, guest: str) -> None:
        g = m.guest(guest)
        self.dev = VirtioDevice.open(m, g.index, C.VBE_VIRTIO_ID_SCMI, device_bits=P2A)
        assert self.dev.features & P2A, "the device offers the eventq (P2A channels)"
        self.token = 0

    def call(self, proto: str, msg: str, *words: int) -> tuple[int, tuple[int, ...]]:
        """(status, return words) of one command; the echoed header is checked."""
        self.token += 1
        hdr = header(proto, msg, self.token)
        req = struct.pack(f"<{1 + len(words)}I", hdr, *(w & 0xFFFFFFFF for w in words))
        used = self.dev.queues[WIRE["VQ_CMDQ"]].call([req], [WIRE["PAYLOAD_MAX"] + 8])
        n = used.length // 4
        got = struct.unpack(f"<I i {n - 2}I", used.data[: 4 * n])
        assert got[0] == hdr, f"response header 0x{got[0]:08x}, sent 0x{hdr:08x}"
        return got[1], tuple(got[2:])

    def post_event_buffer(self) -> int:
        return self.dev.queues[WIRE["VQ_EVENTQ"]].submit([], [32])

    def event(self, head: int) -> tuple[int, ...]:
        used = self.dev.queues[WIRE["VQ_EVENTQ"]].wait([head])[head]
        return struct.unpack(f"<{used.length // 4}I", used.data[: used.length // 4 * 4])


def test_manifest_scmi_section_is_the_in_process_systems(qemu: QemuMachine) -> None:
    """The manifest carries what the host core's same C tables say: agents, grants, names."""
    with make_machine("inprocess") as local:
        assert local.scmi is not None
        assert qemu.scmi == local.scmi
    assert qemu.image is not None
    for doc in qemu.image.manifest["guests"]:
        has_agent = qemu.scmi.agent_of_guest(doc["index"]) is not None
        assert ({"id": 32, "name": "scmi"} in doc["devices"]) == has_agent


def test_sim_presets_reach_the_image(qemu: QemuMachine) -> None:
    """vbe_sim_populate() runs in the image too: initial rates, levels and sensor values."""
    scmi = qemu.scmi
    assert scmi is not None
    gpu = scmi.resource_index("clock", "gpu")
    assert qemu.platform.state("clock", gpu).value == 400_000_000
    assert qemu.platform.state("perf", scmi.resource_index("perf", "cpu_cluster")).value == 400
    assert (
        qemu.platform.state("voltage", scmi.resource_index("voltage", "vdd_io")).value == 3_300_000
    )
    assert qemu.platform.state("sensor", scmi.resource_index("sensor", "soc_temp")).value == 45_000


def test_clock_config_set_from_the_guest_shows_in_platform_state(qemu: QemuMachine) -> None:
    scmi = qemu.scmi
    assert scmi is not None
    cluster = scmi.agent_of_guest(qemu.guest("cluster").index)
    assert cluster is not None
    pix = scmi.resource_index("clock", "cluster_pix")
    (grant,) = [g for g in cluster.granted("clock") if g.resource == pix]
    before = qemu.platform.state("clock", pix)
    assert (before.on, before.votes) == (False, 0)
    seq = qemu.platform.op_log_seq()

    agent = RawAgent(qemu, "cluster")
    status, _ = agent.call(
        "CLOCK", "CLOCK_CONFIG_SET", grant.local_id, WIRE["CLOCK_STATE_ENABLE"], 0
    )
    assert status == SUCCESS

    after = qemu.platform.state("clock", pix)
    assert (after.on, after.votes) == (True, 1 << (cluster.agent_id - 1))
    ops = qemu.platform.op_log(seq)
    assert [(o.op, o.resource, o.result) for o in ops] == [("clock_on", pix, 0)]

    status, _ = agent.call(
        "CLOCK", "CLOCK_CONFIG_SET", grant.local_id, WIRE["CLOCK_STATE_DISABLE"], 0
    )
    assert status == SUCCESS
    assert qemu.platform.state("clock", pix).on is False


def test_sensor_set_by_mailbox_is_read_and_fires_trip_points(qemu: QemuMachine) -> None:
    scmi = qemu.scmi
    assert scmi is not None
    ivi = scmi.agent_of_guest(qemu.guest("ivi").index)
    assert ivi is not None
    soc = scmi.resource_index("sensor", "soc_temp")
    (grant,) = [g for g in ivi.granted("sensor") if g.resource == soc]
    agent = RawAgent(qemu, "ivi")

    qemu.platform.set_sensor(soc, -12_345)  # negative: both halves of the 64-bit value
    status, ret = agent.call("SENSOR", "SENSOR_READING_GET", grant.local_id, 0)
    assert status == SUCCESS
    assert ret[0] | ret[1] << 32 == -12_345 & 0xFFFFFFFFFFFFFFFF

    # arm trip point 0 at 50 degC (both directions) and subscribe, then cross it
    ctl = 0 << WIRE["SENSOR_TP_ID_SHIFT"] | WIRE["SENSOR_TP_BOTH"]
    assert agent.call("SENSOR", "SENSOR_TRIP_POINT_CONFIG", grant.local_id, ctl, 50_000, 0)[0] == 0
    assert agent.call("SENSOR", "SENSOR_TRIP_POINT_NOTIFY", grant.local_id, 1)[0] == SUCCESS
    head = agent.post_event_buffer()
    qemu.platform.set_sensor(soc, 61_000)
    hdr, agent_id, sensor, desc = agent.event(head)
    assert hdr == header("SENSOR", "SENSOR_TRIP_POINT_EVENT", 0, WIRE["TYPE_NOTIFICATION"])
    assert (agent_id, sensor, desc) == (0, grant.local_id, WIRE["SENSOR_TP_ASCENDING"] | 0)
    assert qemu.platform.state("sensor", soc).value == 61_000


def test_system_power_request_and_unknown_resources(qemu: QemuMachine) -> None:
    scmi = qemu.scmi
    assert scmi is not None
    cluster = scmi.agent_of_guest(qemu.guest("cluster").index)
    assert cluster is not None
    assert qemu.platform.system_state(cluster.agent_id) == (WIRE["SYSTEM_POWER_UP"], 0)
    agent = RawAgent(qemu, "cluster")
    status, _ = agent.call("SYSTEM", "SYSTEM_POWER_STATE_SET", 0, WIRE["SYSTEM_WARM_RESET"])
    assert status == SUCCESS
    assert qemu.platform.system_state(cluster.agent_id) == (WIRE["SYSTEM_WARM_RESET"], 1)
    (op,) = qemu.platform.op_log(qemu.platform.op_log_seq() - 1)
    assert (op.op, op.resource, op.value) == ("system_request", cluster.agent_id, 2)

    with pytest.raises(MachineError, match="no SCMI clock with platform index 99"):
        qemu.platform.state("clock", 99)
    with pytest.raises(MachineError, match="no SCMI agent 9"):
        qemu.platform.system_state(9)
    with pytest.raises(ValueError, match="kind 'fan'"):
        qemu.platform.state("fan", 0)
