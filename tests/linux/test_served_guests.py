"""Real Linux drivers against vbe's devices through QEMU's vhost-user-scmi and
vhost-user-i2c front-ends, in both modes: ``direct`` (the daemon runs the C core on the
guest's rings) and ``bridge`` (the daemon's relay copies each request into the guest's fat
window of the bare-metal backend in a second QEMU machine, and the answer back).

Each expectation comes from the system description (examples/demo.yaml, what the built-in
demo serves) or from the platform the daemon simulates, never from a copy of the answer.
Marked ``linux``: skipped unless the guest kernel is cached (VBE_LINUX=1 builds it).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from vbe.serve.served import ServedBackend, served_backend

from pyhost.linux.fixtures import LinuxImages
from pyhost.linux.guest import LinuxGuest
from pyhost.linux.guest_tool import scmi_raw
from pyhost.linux.guest_view import (
    expected_scmi_probe,
    i2cdetect,
    scmi_clocks,
    scmi_sensor,
    virtio_i2c_bus,
)
from pyhost.linux.vhost_guest import make_guest, system_model
from pyhost.machine.qemu_image import qemu_available

pytestmark = pytest.mark.linux
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", params=["direct", "bridge"])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedBackend]:
    if request.param == "bridge":
        ok, why = qemu_available()
        if not ok:
            pytest.skip(f"bridge mode needs the bare-metal backend in QEMU: {why}")
    with served_backend(request.param, tmp_path_factory.mktemp(request.param)) as be:
        yield be
        be.check()


def _boot(be: ServedBackend, name: str, images: LinuxImages, run: Path) -> Iterator[LinuxGuest]:
    g = make_guest(be, name, images, run)
    try:
        g.boot()
        yield g
    finally:
        g.close()


@pytest.fixture(scope="module")
def ivi(
    backend: ServedBackend, linux_images: LinuxImages, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LinuxGuest]:
    yield from _boot(backend, "ivi", linux_images, tmp_path_factory.mktemp("ivi"))


@pytest.fixture(scope="module")
def cluster(
    backend: ServedBackend, linux_images: LinuxImages, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LinuxGuest]:
    yield from _boot(backend, "cluster", linux_images, tmp_path_factory.mktemp("cluster"))


def guest_spec(name: str):
    return next(g for g in system_model(None).guests if g.name == name)


# ---- SCMI --------------------------------------------------------------------------------


def test_arm_scmi_probes_the_server(backend: ServedBackend, ivi: LinuxGuest) -> None:
    dmesg = ivi.dmesg()
    assert expected_scmi_probe(backend.scmi_info()) in dmesg
    assert "Using scmi_virtio_transport" in dmesg
    assert "can't exceed" not in dmesg  # every list fits Linux's tables (16 rates, 32 OPPs)


def test_the_scmi_and_i2c_drivers_log_no_warning(ivi: LinuxGuest, cluster: LinuxGuest) -> None:
    """Nothing vbe serves draws a complaint from Linux: no warning or error (log level 4 or
    lower) from arm_scmi, its protocol drivers, scmi-hwmon/-regulator or i2c-virtio."""
    for g in (ivi, cluster):
        bad = [
            line
            for line in g.check("dmesg -r").splitlines()
            if re.match(r"<[0-4]>", line) and re.search(r"scmi|virtio|i2c", line, re.IGNORECASE)
        ]
        assert bad == [], "\n".join(bad)


def test_debugfs_clk_lists_exactly_the_granted_clocks_at_their_rates(
    backend: ServedBackend, ivi: LinuxGuest
) -> None:
    info = backend.scmi_info()
    agent = info.agent_of_guest(guest_spec("ivi").index)
    granted = {g.name: g.resource for g in agent.granted("clock")}
    assert scmi_clocks(ivi) == set(granted)
    for name, res in granted.items():
        rate = int(ivi.check(f"cat /sys/kernel/debug/clk/{name}/clk_rate"))
        assert rate == backend.platform.state("clock", res).value, name


def test_each_guest_sees_only_its_own_clocks(
    backend: ServedBackend, ivi: LinuxGuest, cluster: LinuxGuest
) -> None:
    info = backend.scmi_info()
    for g, name in ((ivi, "ivi"), (cluster, "cluster")):
        agent = info.agent_of_guest(guest_spec(name).index)
        assert scmi_clocks(g) == {x.name for x in agent.granted("clock")}, name


def test_hwmon_reads_the_value_set_in_the_platform(backend: ServedBackend, ivi: LinuxGuest) -> None:
    info = backend.scmi_info()
    agent = info.agent_of_guest(guest_spec("ivi").index)
    sensor = next(s for s in agent.granted("sensor") if s.name == "soc_temp")
    value = random.Random().randrange(20_000, 90_000)
    backend.platform.set_sensor(sensor.resource, value)
    assert scmi_sensor(ivi, sensor.name) == value
    backend.platform.set_sensor(sensor.resource, value + 1500)
    assert scmi_sensor(ivi, sensor.name) == value + 1500


def test_regulators_and_power_and_performance_domains_are_the_granted_ones(
    backend: ServedBackend, ivi: LinuxGuest, cluster: LinuxGuest
) -> None:
    """scmi-regulator, the SCMI power-domain and performance-domain genpd providers: each
    guest's kernel registers exactly its grants, in the platform's state."""
    info = backend.scmi_info()
    for name, g in (("ivi", ivi), ("cluster", cluster)):
        agent = info.agent_of_guest(guest_spec(name).index)
        regs = {}
        for line in g.check(
            "for r in /sys/class/regulator/regulator.*; do n=$(cat $r/name); "
            '[ "$n" = regulator-dummy ] || echo $n $(cat $r/microvolts) $(cat $r/state); done'
        ).splitlines():
            reg, uv, state = line.split()
            regs[reg] = (int(uv), state)
        want = {}
        for x in agent.granted("voltage"):
            st = backend.platform.state("voltage", x.resource)
            want[x.name] = (st.value, "enabled" if st.on else "disabled")
        assert regs == want, name
        summary = g.check("cat /sys/kernel/debug/pm_genpd/pm_genpd_summary").splitlines()
        rows = [ln.split() for ln in summary if ln and ln[0] not in " -"][1:]  # no header
        domains = {row[0]: row[1] for row in rows}
        power = {
            d: st for d, st in domains.items() if d in {x.name for x in agent.granted("power")}
        }
        assert set(power) == {x.name for x in agent.granted("power")}, name
        for x in agent.granted("power"):
            on = backend.platform.state("power", x.resource).on
            assert power[x.name].startswith("on" if on else "off"), (name, x.name, power)
        perf = int(re.search(r"Initialized (\d+) performance domains", g.dmesg())[1])
        assert perf == len(agent.granted("perf")), name


# ---- I2C ---------------------------------------------------------------------------------


def test_i2cdetect_shows_exactly_the_allowed_present_addresses(
    ivi: LinuxGuest, cluster: LinuxGuest
) -> None:
    for name, g in (("ivi", ivi), ("cluster", cluster)):
        spec = guest_spec(name)
        present = {
            r.guest_address for r in spec.i2c.routes if r.target is not None and not r.ten_bit
        }
        assert set(i2cdetect(g, virtio_i2c_bus(g))) == present, name


def test_i2ctransfer_writes_and_reads_back_the_eeprom(
    backend: ServedBackend, ivi: LinuxGuest
) -> None:
    bus = virtio_i2c_bus(ivi)
    data = random.Random().randbytes(4)
    offset = 0x40
    hexes = " ".join(f"{b:#04x}" for b in data)
    ivi.check(f"i2ctransfer -y {bus} w{1 + len(data)}@0x50 {offset:#04x} {hexes}")
    out = ivi.check(f"i2ctransfer -y {bus} w1@0x50 {offset:#04x} r{len(data)}@0x50")
    assert bytes(int(x, 16) for x in out.split()) == data
    route = next(r for r in guest_spec("ivi").i2c.routes if r.guest_address == 0x50)
    eeprom = backend.platform.eeprom(0, route.bus_address)
    assert eeprom[offset : offset + len(data)] == data  # the platform's EEPROM holds it


def test_read_only_eeprom_refuses_the_write_and_keeps_its_content(
    backend: ServedBackend, cluster: LinuxGuest
) -> None:
    bus = virtio_i2c_bus(cluster)
    before = backend.platform.eeprom(0, 0x50)
    _, out = cluster.run(f"i2ctransfer -y {bus} w2@0x50 0x00 0x5a")
    # i2c-virtio reports the messages that went through: none (busybox still exits 0)
    assert "only 0/1 messages sent" in out
    assert backend.platform.eeprom(0, 0x50) == before


def test_linux_at24_and_lm75_drivers_on_the_virtio_adapter(
    backend: ServedBackend, ivi: LinuxGuest
) -> None:
    """The kernel's own client drivers, instantiated at run time (the devicetree keeps them
    disabled: see sysdesc.gen_linux_dt)."""
    bus = virtio_i2c_bus(ivi)
    dev = f"/sys/bus/i2c/devices/i2c-{bus}"
    ivi.check(f"echo 24c02 0x50 > {dev}/new_device; echo lm75 0x48 > {dev}/new_device")
    eeprom = backend.platform.eeprom(0, 0x50)
    got = ivi.check(f"od -A n -t x1 -v -N 256 {dev}/{bus}-0050/eeprom")
    assert bytes(int(x, 16) for x in got.split()) == eeprom
    temp = random.Random().randrange(10, 60) * 500  # LM75: 0.5 degree steps
    backend.platform.set_temp(0, 0x48, temp)
    hwmon = ivi.check(f"ls {dev}/{bus}-0048/hwmon").split()[0]
    assert int(ivi.check(f"cat {dev}/{bus}-0048/hwmon/{hwmon}/temp1_input")) == temp


# ---- sharing -----------------------------------------------------------------------------

CLOCK_PROTOCOL, CLOCK_CONFIG_SET = 0x14, 0x7


def _clock_set(g: LinuxGuest, local_id: int, on: bool) -> None:
    reply = scmi_raw(g, CLOCK_PROTOCOL, CLOCK_CONFIG_SET, [local_id, int(on), 0])
    assert reply.status == 0, reply


def test_two_guests_sharing_a_clock_do_not_turn_it_off_for_each_other(
    backend: ServedBackend, ivi: LinuxGuest, cluster: LinuxGuest
) -> None:
    """CLOCK_CONFIG_SET from each guest's kernel (the SCMI raw interface, the guest's own
    transport and token): the platform clock stays on while either guest holds it."""
    info = backend.scmi_info()
    agents = {n: info.agent_of_guest(guest_spec(n).index) for n in ("ivi", "cluster")}
    shared = {
        n: next(x for x in a.granted("clock") if x.name == "uart0") for n, a in agents.items()
    }
    res = shared["ivi"].resource
    assert shared["cluster"].resource == res
    bit = {n: 1 << (a.agent_id - 1) for n, a in agents.items()}
    guests = {"ivi": ivi, "cluster": cluster}

    def state() -> tuple[bool, int]:
        s = backend.platform.state("clock", res)
        return s.on, s.votes

    assert state() == (False, 0)
    for first, second in (("ivi", "cluster"), ("cluster", "ivi")):
        _clock_set(guests[first], shared[first].local_id, True)
        assert state() == (True, bit[first])
        _clock_set(guests[second], shared[second].local_id, True)
        assert state() == (True, bit[first] | bit[second])
        _clock_set(guests[first], shared[first].local_id, False)
        assert state() == (True, bit[second])  # still on: the other guest holds it
        _clock_set(guests[first], shared[first].local_id, False)  # no vote left to drop
        assert state() == (True, bit[second])
        _clock_set(guests[second], shared[second].local_id, False)
        assert state() == (False, 0)


def test_a_rebound_scmi_driver_starts_without_the_old_drivers_votes(
    backend: ServedBackend, ivi: LinuxGuest
) -> None:
    """Unbinding the guest's scmi-virtio driver resets the virtio device; the daemon only
    sees rings stop and, with the new driver, start again at 0: the old driver's votes go
    (vbe/vhu.h). Run last: ivi's SCMI devices are re-registered."""
    info = backend.scmi_info()
    uart = next(x for x in info.agent_of_guest(guest_spec("ivi").index).granted("clock")
                if x.name == "uart0")  # fmt: skip
    _clock_set(ivi, uart.local_id, True)
    assert backend.platform.state("clock", uart.resource).on
    dev = ivi.check("ls /sys/bus/virtio/drivers/scmi-virtio | grep virtio").strip()
    ivi.check(f"echo {dev} > /sys/bus/virtio/drivers/scmi-virtio/unbind")
    assert backend.platform.state("clock", uart.resource).on  # stopped, not yet a new driver
    ivi.check(f"echo {dev} > /sys/bus/virtio/drivers/scmi-virtio/bind")
    state = backend.platform.state("clock", uart.resource)
    assert (state.on, state.votes) == (False, 0)
    assert scmi_raw(ivi, 0x10, 0x0).status == 0  # the new driver is served
