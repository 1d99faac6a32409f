"""gen -> build -> run: for each example description, the machine built from it (in process:
vbe build --host; in QEMU: vbe build --board qemu_virt_baremetal) serves each guest exactly
what its model says (sysdesc_expect): every address that answers, every refusal, the
read-only rules, and nothing else.

A refusal is the device failing a message without reaching the bus (no new bus log
entry); an absent address fails after reaching the bus (a NACK).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sysdesc_expect
from sysdesc.hostbuild import HostLibrary, build_host_library
from vbe.imagebuild import build_baremetal

from pyhost.i2c import I2cClient, I2cMsg
from pyhost.machine.base import Machine
from pyhost.machine.inprocess import InProcessMachine
from pyhost.machine.qemu import QemuMachine

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = [REPO / "examples" / "demo.yaml", REPO / "examples" / "soc-3guests.yaml"]


@pytest.fixture(scope="module", params=EXAMPLES, ids=[p.stem for p in EXAMPLES])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> HostLibrary:
    return build_host_library(request.param, tmp_path_factory.mktemp(request.param.stem))


@pytest.fixture(scope="module")
def image(built: HostLibrary, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bare-metal image serving the same description (built once per example)."""
    if shutil.which("qemu-system-aarch64") is None or shutil.which("aarch64-linux-gnu-gcc") is None:
        pytest.skip("QEMU 10 or the aarch64 cross compiler is missing: run scripts/setup")
    name = built.loaded.system.name
    description = REPO / built.loaded.system.source
    return build_baremetal(tmp_path_factory.mktemp(f"bm-{name}"), None, description).elf


@pytest.fixture(params=["inprocess", "qemu"])
def system_machine(request: pytest.FixtureRequest, built: HostLibrary) -> Iterator[Machine]:
    if request.param == "inprocess":
        m: Machine = InProcessMachine(system=built.library)
    else:
        m = QemuMachine(image=request.getfixturevalue("image"))
    m.launch()
    try:
        yield m
    finally:
        m.close()


@pytest.fixture
def profile(built: HostLibrary) -> dict[str, Any]:
    """What each guest must see, derived from the model of the description built."""
    return sysdesc_expect.profile(built.loaded.system)


def _reached_bus(m: Machine, client: I2cClient, msgs: list[I2cMsg]) -> tuple[bool, bool]:
    """(ok, reached the bus) of one transfer."""
    seq = m.platform.bus_log_seq()
    res = client.transfer(msgs)
    return res.ok, m.platform.bus_log_seq() > seq


def test_build_is_incremental(built: HostLibrary) -> None:
    again = build_host_library(REPO / built.loaded.system.source, built.directory)
    assert not again.rebuilt
    assert again.library == built.library


def test_guests_as_described(system_machine: Machine, profile: dict[str, Any]) -> None:
    assert [g.name for g in system_machine.guests] == [g["name"] for g in profile["guests"]]
    for info, want in zip(system_machine.guests, profile["guests"], strict=True):
        assert info.window_size == want["window"]["size"]
        if want["i2c"] is None:
            assert info.i2c_bus is None
            continue
        view = want["i2c"]
        assert (info.i2c_bus, info.i2c_bus_id) == (view["bus"], view["bus_id"])
        got = [
            (r.guest_addr, r.bus_addr, r.read_only, r.ten_bit, r.select_max)
            for r in info.i2c_routes
        ]
        assert got == [
            (r["guest_address"], r["bus_address"], r["read_only"], r["ten_bit"], r["select_max"])
            for r in view["routes"]
        ]


def test_each_guest_sees_exactly_its_view(
    system_machine: Machine, profile: dict[str, Any]
) -> None:
    """A 1-byte read of every 7-bit address: answered where the profile says present,
    NACKed on the bus where absent, refused before the bus everywhere else."""
    for want in profile["guests"]:
        view = want["i2c"]
        if view is None:
            continue
        client = I2cClient(system_machine, want["name"])
        present, absent = set(view["present"]), set(view["absent"])
        for addr in range(0x80):
            ok, bus = _reached_bus(system_machine, client, [I2cMsg.read_of(addr, 1)])
            where = f"guest {want['name']} address {addr:#04x}"
            if addr in present:
                assert ok and bus, f"{where}: should answer"
            elif addr in absent:
                assert not ok and bus, f"{where}: should reach the bus and not be acknowledged"
            else:
                assert not ok and not bus, f"{where}: should be refused by the device"
        assert client.detect(range(0x08, 0x78), mode="read") == sorted(
            a for a in present if 0x08 <= a <= 0x77
        )


def test_ten_bit_addresses(system_machine: Machine, profile: dict[str, Any]) -> None:
    for want in profile["guests"]:
        view = want["i2c"]
        if view is None:
            continue
        client = I2cClient(system_machine, want["name"])
        allowed = set(view["present_10bit"]) | set(view["absent_10bit"])
        for addr in sorted(allowed | {0x3FF, 0x100}):
            ok, bus = _reached_bus(system_machine, client, [I2cMsg.read_of(addr, 1, ten_bit=True)])
            if addr in view["present_10bit"]:
                assert ok and bus
            elif addr in allowed:
                assert not ok and bus, f"{addr:#x}: absent 10-bit address should NACK"
            else:
                assert not ok and not bus, f"{addr:#x}: not in the view, should be refused"


def test_read_only_rules(system_machine: Machine, profile: dict[str, Any]) -> None:
    """Read-only routes: no plain write passes; a select of 1..select_max bytes directly
    followed by a read does (when something is there); a longer one is refused."""
    for want in profile["guests"]:
        view = want["i2c"]
        if view is None:
            continue
        client = I2cClient(system_machine, want["name"])
        for r in view["routes"]:
            if r["ten_bit"]:
                continue
            a = r["guest_address"]
            write_ok, write_bus = _reached_bus(
                system_machine, client, [I2cMsg.write_of(a, b"\x00")]
            )
            if not r["read_only"]:
                assert write_bus, f"{a:#x}: a write on a read-write route reaches the bus"
                assert write_ok == r["present"]
                continue
            assert not write_ok and not write_bus, f"{a:#x}: a write must be refused"
            sel = r["select_max"]
            if sel:
                ok, bus = _reached_bus(
                    system_machine, client, [I2cMsg.write_of(a, bytes(sel)), I2cMsg.read_of(a, 2)]
                )
                assert bus and ok == r["present"], f"{a:#x}: select of {sel} then read"
            ok, bus = _reached_bus(
                system_machine, client, [I2cMsg.write_of(a, bytes(sel + 1)), I2cMsg.read_of(a, 1)]
            )
            assert not ok and not bus, f"{a:#x}: a select of {sel + 1} bytes must be refused"


def test_remaps_reach_the_described_target(
    system_machine: Machine, profile: dict[str, Any]
) -> None:
    for want in profile["guests"]:
        view = want["i2c"]
        if view is None:
            continue
        client = I2cClient(system_machine, want["name"])
        for r in view["routes"]:
            if not (r["remapped"] and r["present"]):
                continue
            seq = system_machine.platform.bus_log_seq()
            assert client.transfer([I2cMsg.read_of(r["guest_address"], 1)]).ok
            (t,) = system_machine.platform.bus_log(seq)
            assert (t.bus, t.addr) == (view["bus_id"], r["bus_address"])


def test_rebuilt_system_is_reloaded(tmp_path: Path) -> None:
    """Change a description, rebuild into the same directory: a machine launched in the same
    process serves the new tables, not the library loaded before."""
    src = tmp_path / "sys.yaml"
    text = (REPO / "examples" / "demo.yaml").read_text()
    src.write_text(text)
    lib = build_host_library(src, tmp_path / "out")
    with InProcessMachine(system=lib.library) as m:
        assert len(m.guest("cluster").i2c_routes) == 4
    src.write_text(text.replace("        - address: 0x51 ", "        # - address: 0x51 "))
    again = build_host_library(src, tmp_path / "out")
    assert again.rebuilt
    with InProcessMachine(system=again.library) as m:
        assert len(m.guest("cluster").i2c_routes) == 3
