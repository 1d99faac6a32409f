"""Figures on real Xen, measured in one run (marked ``bench`` and ``xen``: printed, never
asserted against a speed): boot milestones to both DomUs served; a trapped register read's
round trip (DomU -> Xen -> vbe-xen in Dom0 -> back); an I2C transfer and an SCMI round trip
timed inside the DomU with the trapped accesses and interrupts each one costs (vbe-xen's
counters around the run), with EVENT_IDX negotiated and then withheld; the same two in the
DomU that uses grants (the demo's cluster), with the grant maps and unmaps each costs and
the time vbe-xen spends in them.

    python -m pytest -m bench -s tests/xen/test_xen_bench.py
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from sysdesc.gen_xen import layout
from sysdesc.limits import CORE, read_defines

from pyhost.linux.guest_tool import BenchResult, i2c_bench, mmio_bench, scmi_bench
from pyhost.linux.guest_view import virtio_i2c_bus
from pyhost.xen.system import Domain, XenSystem

pytestmark = [pytest.mark.bench, pytest.mark.xen]
N_READS = 2000
N_REQ = 500
EVENT_IDX = (
    1 << read_defines(CORE / "port" / "include" / "vbe" / "virtio.h")["VBE_VIRTIO_F_EVENT_IDX"]
)


def _costs(xs: XenSystem, domid: int, run: Any, n: int) -> tuple[BenchResult, dict[str, float]]:
    before = xs.stats()[domid]
    result = run()
    after = xs.stats()[domid]
    per = {
        "traps": (after["ioreq"]["served"] - before["ioreq"]["served"]) / n,
        "events": (after["ioreq"]["events"] - before["ioreq"]["events"]) / n,
        "notifies": sum(a["notifies"] - b["notifies"] for a, b in zip(after["devs"], before["devs"], strict=True)) / n,
        "interrupts": sum(a["interrupts"] - b["interrupts"] for a, b in zip(after["devs"], before["devs"], strict=True)) / n,
        "maps": (after["ioreq"]["maps"] - before["ioreq"]["maps"]) / n,
        "unmaps": (after["ioreq"]["unmaps"] - before["ioreq"]["unmaps"]) / n,
        "map_us": (after["ioreq"]["map_ns"] - before["ioreq"]["map_ns"]) / n / 1000,
        "unmap_us": (after["ioreq"]["unmap_ns"] - before["ioreq"]["unmap_ns"]) / n / 1000,
    }  # fmt: skip
    return result, per


def _rebind(dom: Domain, bases: list[int]) -> None:
    """Unbind and bind the DomU's virtio-mmio devices: a new negotiation."""
    for b in bases:
        dom.check(f"echo {b:x}.virtio > /sys/bus/platform/drivers/virtio-mmio/unbind")
    for b in bases:
        dom.check(f"echo {b:x}.virtio > /sys/bus/platform/drivers/virtio-mmio/bind")
    dom.check(
        "i=0; until grep -q i2c_virtio /sys/bus/i2c/devices/i2c-*/name 2>/dev/null && "
        "[ -e /sys/kernel/debug/scmi/0/raw/message ]; do i=$((i+1)); "
        "[ $i -gt 300 ] && exit 1; sleep 0.1; done",
        40,
    )


def test_xen_figures(xen_system: XenSystem) -> None:
    xs = xen_system
    lay = layout(xs.system).domain("ivi")
    ivi = xs.domu("ivi")
    scmi = next(d for d in lay.devices if d.kind == "scmi")
    rows = []
    read, cost = _costs(xs, lay.domid, lambda: mmio_bench(ivi, scmi.base, N_READS), N_READS)
    rows.append(("trapped read (MagicValue)", "-", read, cost))
    for mode in ("EVENT_IDX", "no EVENT_IDX"):
        if mode == "no EVENT_IDX":
            xs.ctl(f"withhold {lay.domid} {EVENT_IDX:#x}")
            _rebind(ivi, [d.base for d in lay.devices])
            feats = [d["features"] for d in xs.stats()[lay.domid]["devs"]]
            assert all(not f & EVENT_IDX for f in feats), feats
        else:
            feats = [d["features"] for d in xs.stats()[lay.domid]["devs"]]
            assert all(f & EVENT_IDX for f in feats), feats
        bus = virtio_i2c_bus(ivi)
        r, c = _costs(xs, lay.domid, lambda b=bus: i2c_bench(ivi, b, 0x50, N_REQ), N_REQ)
        rows.append(("I2C write+read (EEPROM)", mode, r, c))
        r, c = _costs(xs, lay.domid, lambda: scmi_bench(ivi, N_REQ), N_REQ)
        rows.append(("SCMI BASE_PROTOCOL_VERSION", mode, r, c))
    # the DomU with grants, EVENT_IDX negotiated: what mapping each request costs
    gnt = layout(xs.system).domain("cluster")
    assert gnt.grants, "the demo's cluster uses grants"
    cluster = xs.domu("cluster")
    bus = virtio_i2c_bus(cluster)
    # cluster's EEPROM is read-only: the benchmark's write is a register select it allows
    r, c = _costs(xs, gnt.domid, lambda: i2c_bench(cluster, bus, 0x50, N_REQ), N_REQ)
    rows.append(("I2C write+read, grants", "EVENT_IDX", r, c))
    r, c = _costs(xs, gnt.domid, lambda: scmi_bench(cluster, N_REQ), N_REQ)
    rows.append(("SCMI version, grants", "EVENT_IDX", r, c))
    print()
    print(f"Dom0: {xs.dom0_kind.kind}")
    print(f"host load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("boot milestones (s from QEMU start):")
    for what, s in xs.marks.items():
        print(f"  {s:7.2f}  {what}")
    print(f"{'':28} {'ring':<13} {'us/op':>9} {'traps/op':>9} {'notify/op':>10} {'irq/op':>7} "
          f"{'maps/op':>8} {'map us/op':>10} {'unmap us/op':>12}")  # fmt: skip
    for what, mode, r, c in rows:
        print(f"{what:<28} {mode:<13} {r.us_per_op:9.1f} {c['traps']:9.2f} "
              f"{c['notifies']:10.2f} {c['interrupts']:7.2f} {c['maps']:8.2f} "
              f"{c['map_us']:10.1f} {c['unmap_us']:12.1f}")  # fmt: skip
    st = xs.stats()
    for d in layout(xs.system).domains:
        io = st[d.domid]["ioreq"]
        held = (
            f"{io['mapped_pages_max']} pages at most ({io['mapped_max']} mappings)"
            if d.grants
            else f"{io['frames']} frames of its {d.memory >> 20} MiB, mapped on first use"
        )
        print(f"Dom0 maps of {d.guest.name}'s memory: {held}")
