"""The manifest's optional ``scmi`` section: encoded, checked, and optional for readers."""

from __future__ import annotations

from typing import Any

import cbor2
import pytest
from sysdesc import manifest as mf

GUESTS = [mf.Guest(index=0, name="ivi", window_gpa=0x40400000, window_size=0x40000,
                   ring_size=0x4000, devices=(mf.Device(34, "i2c"), mf.Device(32, "scmi")))]  # fmt: skip
SCMI = mf.Scmi(
    vendor="vbe",
    sub_vendor="demo",
    impl_version=0x10000,
    resources={"clock": ("cpu", "gpu"), "sensor": ("soc_temp",)},
    agents=(
        mf.ScmiAgent(1, "ivi", 0, True, 3, (mf.ScmiGrant("clock", 0, 1, "gpu", 7),)),
        mf.ScmiAgent(2, "spare", -1, False, 0),
    ),
)


def encode(scmi: mf.Scmi | None) -> bytes:
    return mf.build_manifest(board="b", system="s", guests=GUESTS, ram_base=0x40000000,
                             git="g", fvq_magic=1, fvq_version=(1, 0), scmi=scmi)  # fmt: skip


def test_scmi_section_round_trips_with_every_kind_listed() -> None:
    doc = mf.decode_manifest(encode(SCMI))["scmi"]
    assert doc["resources"] == {
        "clock": ["cpu", "gpu"], "power": [], "perf": [], "sensor": ["soc_temp"],
        "reset": [], "voltage": [],
    }  # fmt: skip
    assert doc["agents"][0]["grants"] == [
        {"kind": "clock", "local_id": 0, "resource": 1, "name": "gpu", "perms": 7}
    ]
    assert (doc["agents"][1]["guest"], doc["agents"][1]["privileged"]) == (-1, False)


def test_a_manifest_without_scmi_still_reads() -> None:
    assert "scmi" not in mf.decode_manifest(encode(None))


def _tamper(change: Any) -> bytes:
    doc = cbor2.loads(encode(SCMI))
    change(doc["scmi"])
    return cbor2.dumps(doc, canonical=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["resources"].pop("reset"), r"scmi.resources.reset missing"),
        (lambda s: s["agents"][0].update(id=5), r"scmi.agents\[0\].id is 5"),
        (lambda s: s["agents"][0].update(guest=3), r"scmi.agents\[0\].guest 3"),
        (lambda s: s["agents"][0].update(privileged=1), r"privileged missing or not bool"),
        (lambda s: s["agents"][0]["grants"][0].update(resource=2), r"no clock 2 named 'gpu'"),
        (lambda s: s.pop("vendor"), r"scmi.vendor missing"),
    ],
)
def test_a_bad_scmi_section_is_refused(change: Any, message: str) -> None:
    with pytest.raises(mf.ManifestError, match=message):
        mf.decode_manifest(_tamper(change))
