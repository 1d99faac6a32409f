"""What a Dom0 does besides answering trapped accesses, on real Xen, against each Dom0
(pyhost.xen.fixtures.xen_system): it maps a DomU's frames only when a ring or buffer reaches
them; after a control command it runs every device, so an SCMI notification a platform
command queued interrupts the DomU at once; and, being the only toolstack there is, it
notices a DomU that powered itself off (VIRQ_DOM_EXC): the DomU's devices reset (its SCMI
votes go) and the domain is destroyed.

What only the bare-metal Dom0 (boards/xen_dom0_baremetal) does: its console speaks the
harness's command loop itself (no shell: a damaged command is refused, an unknown one exits
127, the longest control command runs whole). Those tests skip with the Linux Dom0, whose
loop is its init's busybox shell.

The other tests every Dom0 must pass are test_xen_guests.py and test_xen_faults.py. Its own
Xen boot per Dom0 (the last test powers a DomU off). Marked ``xen``.
"""

from __future__ import annotations

import re
import time

import pytest
from sysdesc.gen_xen import layout
from sysdesc.limits import REPO, read_defines

from pyhost.linux.guest_tool import scmi_raw
from pyhost.xen.system import XenSystem

pytestmark = pytest.mark.xen
GNT_WINDOW_PAGES = read_defines(REPO / "boards/xen_dom0_baremetal/src/xd.h")["XD_GNT_WINDOW_PAGES"]
CLOCK_PROTOCOL, CLOCK_CONFIG_SET = 0x14, 0x7
SENSOR_PROTOCOL, TRIP_POINT_NOTIFY, TRIP_POINT_CONFIG = 0x15, 0x4, 0x5
TRIP_UPWARDS = 1  # event control bits 1:0; the trip point id in bits 11:4
GARBLED, NOT_FOUND = 254, 127


POWEROFF_TIMEOUT = 60.0


@pytest.fixture
def bm(xen_system: XenSystem) -> XenSystem:
    """The system, when its Dom0 is the bare-metal image."""
    if xen_system.dom0_kind.kind != "baremetal":
        pytest.skip("the bare-metal Dom0's own command loop (Linux's is busybox's shell)")
    return xen_system


def test_a_command_of_the_wrong_length_is_refused_not_run(bm: XenSystem) -> None:
    before = bm.stats()
    cmd = "vbe-xen ctl destroy 1"
    bm._send(0, f"9001:{len(cmd) + 3} 5 {cmd}\n".encode())  # the length Xen's drops would leave
    end = bm._wait(0, re.compile(r"\nVBE-END 9001 (\d+)\n"), 15, "the refusal")
    text = bm.demux.text(0)[: end.start()]
    bm.demux.consume(0, end.end())
    assert int(end[1]) == GARBLED
    assert f"garbled command ({len(cmd)} of {len(cmd) + 3} bytes)" in text
    assert [d["ioreq"]["live"] for d in bm.stats().values()] == [
        d["ioreq"]["live"] for d in before.values()
    ]  # domain 1 was not destroyed


def test_a_command_it_does_not_run_exits_127(bm: XenSystem) -> None:
    status, out = bm.dom0.run("cat /proc/meminfo")
    assert status == NOT_FOUND
    assert "cat: not found" in out


def test_the_longest_control_command_runs_whole_and_a_longer_one_is_refused(
    bm: XenSystem,
) -> None:
    """vbe-xen's client syntax at its longest: ten words, the last a platform command's
    fourth argument; an eleventh word is refused, not folded into another."""
    out = bm.dom0.check("vbe-xen ctl --ctl /run/vbe-xen.sock sim 2 0 0x50 0 0")
    m = re.search(r"^result=0 data=([0-9a-f]+)$", out, re.MULTILINE)
    assert m is not None, out
    assert bytes.fromhex(m[1]) == bm.platform.eeprom(0, 0x50)
    status, out = bm.dom0.run("vbe-xen ctl --ctl /run/vbe-xen.sock sim 2 0 0x50 0 0 0")
    assert status == 2 and "more than 10 words" in out


def test_a_trip_point_crossed_by_a_platform_command_interrupts_the_domu_at_once(
    xen_system: XenSystem,
) -> None:
    """ivi arms an upward trip point on soc_temp and subscribes to it; the platform's sensor
    then crosses it (a control command, no DomU request): the notification goes on ivi's
    eventq and its SCMI device interrupts right away, not at the DomU's next kick."""
    bm = xen_system
    info = bm.scmi_info()
    ivi = bm.domu("ivi")
    sensor = next(
        x for x in info.agent_of_guest(bm.system.guest("ivi").index).granted("sensor")
        if x.name == "soc_temp"
    )  # fmt: skip
    trip = 70_000
    bm.platform.set_sensor(sensor.resource, trip - 5_000)
    assert scmi_raw(ivi, SENSOR_PROTOCOL, TRIP_POINT_NOTIFY, [sensor.local_id, 1]).status == 0
    reply = scmi_raw(ivi, SENSOR_PROTOCOL, TRIP_POINT_CONFIG,
                     [sensor.local_id, TRIP_UPWARDS, trip & 0xFFFFFFFF, trip >> 32])  # fmt: skip
    assert reply.status == 0
    domid = layout(bm.system, bm.dom0_kind).domain("ivi").domid
    scmi = next(d for d in bm.stats()[domid]["devs"] if d["kind"] == "scmi")
    bm.platform.set_sensor(sensor.resource, trip + 5_000)
    after = next(d for d in bm.stats()[domid]["devs"] if d["kind"] == "scmi")
    assert after["popped"][1] == scmi["popped"][1] + 1  # one eventq buffer: the notification
    assert after["interrupts"] >= scmi["interrupts"] + 1


def test_domu_frames_are_mapped_only_where_rings_and_buffers_are(xen_system: XenSystem) -> None:
    """A DomU without grants: the frames its devices reached, mapped on first use, a few of
    its 128 MiB. A grant DomU: none of its RAM; between requests only its rings' grants stay
    mapped (three parts per running queue), in the grant window (src/gnt.c)."""
    bm = xen_system
    lay = layout(bm.system, bm.dom0_kind)
    stats = bm.stats()
    for d in lay.domains:
        st = stats[d.domid]["ioreq"]
        if d.grants:
            queues = sum(1 for dev in stats[d.domid]["devs"] for size in dev["qsize"] if size)
            assert st["frames"] == 0 and st["mapped"] == 3 * queues, st
            assert st["maps"] - st["unmaps"] == st["mapped"] and st.get("gnt_window_full", 0) == 0
            assert st["mapped_pages_max"] <= GNT_WINDOW_PAGES, st
        else:
            frames = st["frames"]
            assert 0 < frames < (d.memory >> 12) // 64, (d.guest.name, frames)  # < 2 MiB of 128
            assert st["maps"] == 0, st


def test_a_domu_that_powers_itself_off_loses_its_votes(xen_system: XenSystem) -> None:
    """Both DomUs vote the shared clock uart0 on; cluster powers itself off (no Dom0
    command): Dom0 sees the domain shut down, resets its devices and destroys it; ivi's
    vote stays and ivi is served. Run last."""
    bm = xen_system
    info = bm.scmi_info()
    votes = {}
    for name in ("ivi", "cluster"):
        agent = info.agent_of_guest(bm.system.guest(name).index)
        grant = next(x for x in agent.granted("clock") if x.name == "uart0")
        assert scmi_raw(bm.domu(name), CLOCK_PROTOCOL, CLOCK_CONFIG_SET,
                        [grant.local_id, 1, 0]).status == 0  # fmt: skip
        votes[name] = 1 << (agent.agent_id - 1)
        res = grant.resource
    assert bm.platform.state("clock", res).votes == votes["ivi"] | votes["cluster"]
    domid = layout(bm.system, bm.dom0_kind).domain("cluster").domid
    cmd = "poweroff -f"
    bm._send(domid, f"9002:{len(cmd)} 5 {cmd}\n".encode())  # no answer: the domain goes
    deadline = time.monotonic() + POWEROFF_TIMEOUT
    while bm.stats()[domid]["ioreq"]["live"] != 0:
        assert time.monotonic() < deadline, "Dom0 did not notice cluster's shutdown"
        time.sleep(0.5)
    state = bm.platform.state("clock", res)
    assert (state.on, state.votes) == (True, votes["ivi"])
    out = bm.domu("ivi").check("i2ctransfer -y 0 w1@0x50 0x00 r2@0x50")
    assert len(out.split()) == 2
