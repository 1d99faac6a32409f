"""The bare-metal Dom0's grant window full (boards/xen_dom0_baremetal/src/gnt.c): an image
built with a window of WINDOW pages, the demo on it. cluster (grants) holds 9 of them in its
rings and an SCMI command needs 3 more: served. An I2C request needs 4: the map finds no run
of free pages, which is a refused map (counted: ``gnt_window_full``, VBE_GNT_MAP_FAILED),
breaks that queue alone (DEVICE_NEEDS_RESET), and Dom0, cluster's SCMI device and ivi are
served on. Its own boot; bare-metal Dom0 only. Marked ``xen``."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sysdesc.gen_xen import layout
from sysdesc.limits import CORE, read_defines

from pyhost.linux.guest_view import scmi_sensor, virtio_i2c_bus
from pyhost.xen.artefacts import XenImages
from pyhost.xen.fixtures import dom0_kinds
from pyhost.xen.system import XenSystem

pytestmark = pytest.mark.xen
WINDOW = 12
RING_PAGES = 9  # cluster: three running queues, desc, avail and used a page each
VIRTIO = read_defines(CORE / "port" / "include" / "vbe" / "virtio.h")
GNT_MAP_FAILED = int(
    re.search(r"VBE_GNT_MAP_FAILED = (\d+)", (CORE / "gnt/include/vbe/gnt.h").read_text())[1]
)


@pytest.fixture(scope="module")
def small_window(xen_images: XenImages) -> Iterator[XenSystem]:
    if "baremetal" not in dom0_kinds():
        pytest.skip("the bare-metal Dom0's grant window (VBE_XEN_DOM0 leaves it out)")
    from pyhost.xen.baremetal import build_dom0_baremetal

    image = build_dom0_baremetal(options={"VBE_XD_GNT_WINDOW_PAGES": str(WINDOW)}).image
    xs = XenSystem(xen_images, dom0="baremetal")
    xs.dom0_image = lambda: image  # type: ignore[method-assign]
    try:
        xs.boot()
        xs.go()
        yield xs
    finally:
        xs.close()


def test_a_full_grant_window_refuses_the_map_and_breaks_only_that_queue(
    small_window: XenSystem,
) -> None:
    xs = small_window
    lay = layout(xs.system)
    dom = lay.domain("cluster")
    assert dom.grants
    i2c = next(x for x in dom.devices if x.kind == "i2c")
    before = xs.stats()[dom.domid]
    assert before["ioreq"]["mapped_pages"] == RING_PAGES, before["ioreq"]
    assert before["ioreq"]["gnt_window_full"] == 0, before["ioreq"]
    cluster = xs.domu("cluster")
    value = scmi_sensor(cluster, "soc_temp") + 700  # 3 pages: fits beside the rings
    xs.platform.set_sensor(0, value)
    assert scmi_sensor(cluster, "soc_temp") == value
    status, _ = cluster.run(
        f"i2ctransfer -y {virtio_i2c_bus(cluster)} w1@0x50 0x00 r4@0x50", timeout=30
    )
    assert status != 0  # no room for the request's pages: the transfer fails
    after = xs.stats()[dom.domid]
    io = after["ioreq"]
    assert io["gnt_window_full"] > 0, io
    assert io["gnt_refused"][GNT_MAP_FAILED] > before["ioreq"]["gnt_refused"][GNT_MAP_FAILED]
    assert io["mapped_max"] <= WINDOW and io["mapped_pages_max"] <= WINDOW, io
    dev = after["devs"][i2c.index]
    assert dev["status"] & VIRTIO["VBE_VIRTIO_STATUS_DEVICE_NEEDS_RESET"], dev
    # Dom0 serves on: cluster's SCMI device, and ivi (no grants) on both devices
    value += 300
    xs.platform.set_sensor(0, value)
    assert scmi_sensor(cluster, "soc_temp") == value
    ivi = xs.domu("ivi")
    out = ivi.check(f"i2ctransfer -y {virtio_i2c_bus(ivi)} w1@0x50 0x00 r4@0x50")
    assert len(out.split()) == 4
