"""virtio-i2c as a guest sees it, on the demo system, through fixtures only (any machine).

The system under test (the demo system): bus "i2c0" carries an AT24 EEPROM (256 bytes,
16-byte pages) at 0x50 and an LM75 at 0x48. Guest "ivi" may use 0x50 and 0x48 read-write;
guest "cluster" has 0x50 read-only, 0x49 remapped to the bus's 0x48, 0x51 (nothing there)
and the 10-bit 0x150 (nothing there). Each test asserts what the guest got back and what
reached the bus (the simulated platform's bus log).
"""

from __future__ import annotations

import errno

import pytest

from pyhost.headers import I2C_H, defines
from pyhost.i2c import GROUP_MAX, I2cError, I2cMsg, TransferResult
from pyhost.virtio.errors import FeaturesRefused

EEPROM = 0x50
SENSOR = 0x48  # bus address; "cluster" reaches it as SENSOR_REMAP
SENSOR_REMAP = 0x49
ABSENT = 0x51  # allowed for "cluster", nothing on the bus
ABSENT_10BIT = 0x150
PRESENT_ON_BUS = {EEPROM, SENSOR}
PAGE = 16
MSG_ADDR_10_BITS = 0x08  # VBE_I2C_MSG_ADDR_10_BITS in the bus log
DIAG_LEN = defines(I2C_H)["VBE_I2C_DIAG_LEN"].value  # failed transfers a device remembers


def w(addr: int, *data: int, ten_bit: bool = False) -> I2cMsg:
    return I2cMsg(addr, False, bytes(data), ten_bit)


def r(addr: int, n: int, ten_bit: bool = False) -> I2cMsg:
    return I2cMsg(addr, True, n, ten_bit)


def statuses(res: TransferResult) -> list[bool]:
    return [m.ok for m in res.results]


def eeprom_write(client, offset: int, data: bytes) -> None:
    client.transfer_or_raise([w(EEPROM, offset, *data)])


def eeprom_read(client, offset: int, n: int) -> bytes:
    return client.transfer_or_raise([w(EEPROM, offset), r(EEPROM, n)]).reads()[0]


def lm75_decode(raw: bytes) -> float:
    """Temperature register, MSB first, left-justified two's complement."""
    return int.from_bytes(raw, "big", signed=True) / 256


# ---- EEPROM ---------------------------------------------------------------------------


def test_eeprom_write_then_read_back_returns_the_written_bytes(i2c):
    ivi = i2c("ivi")
    data = bytes(range(0xA0, 0xA8))
    eeprom_write(ivi, 0x20, data)
    assert eeprom_read(ivi, 0x20, len(data)) == data
    assert i2c.platform.eeprom(i2c.bus("ivi"), EEPROM)[0x20:0x28] == data


def test_eeprom_write_past_the_page_end_wraps_inside_the_page(i2c):
    ivi = i2c("ivi")
    eeprom_write(ivi, 0x10, bytes(PAGE))  # page 0x10-0x1f cleared to 0
    eeprom_write(ivi, 0x20, b"\xee" * PAGE)  # the next page, to see nothing spills into it
    eeprom_write(ivi, 0x1D, b"\x01\x02\x03\x04\x05\x06")  # 3 bytes fit, 3 wrap to 0x10
    page = eeprom_read(ivi, 0x10, PAGE)
    assert page[0xD:0x10] == b"\x01\x02\x03"
    assert page[0x0:0x3] == b"\x04\x05\x06"
    assert page[0x3:0xD] == bytes(10)
    mem = i2c.platform.eeprom(i2c.bus("ivi"), EEPROM)
    assert mem[0x10:0x20] == page
    assert mem[0x20:0x30] == b"\xee" * PAGE


def test_eeprom_read_auto_increments_across_pages_and_wraps_at_the_end(i2c):
    ivi = i2c("ivi")
    eeprom_write(ivi, 0x20, bytes(range(0x20, 0x30)))
    eeprom_write(ivi, 0x30, bytes(range(0x30, 0x40)))
    assert eeprom_read(ivi, 0x28, 16) == bytes(range(0x28, 0x38))
    # a plain read (no select) continues where the last one stopped
    assert ivi.transfer_or_raise([r(EEPROM, 4)]).reads()[0] == bytes(range(0x38, 0x3C))
    eeprom_write(ivi, 0xF0, bytes(range(0xF0, 0x100)))
    eeprom_write(ivi, 0x00, b"\x00\x01")
    assert eeprom_read(ivi, 0xFE, 4) == b"\xfe\xff\x00\x01"


# ---- LM75 -----------------------------------------------------------------------------


@pytest.mark.parametrize("celsius", [23.5, 0.0, -0.5, -10.5, -55.0, 125.0])
def test_lm75_temperature_set_by_the_harness_reads_back(i2c, celsius):
    ivi = i2c("ivi")
    i2c.platform.set_temp(i2c.bus("ivi"), SENSOR, round(celsius * 1000))
    raw = ivi.transfer_or_raise([w(SENSOR, 0x00), r(SENSOR, 2)]).reads()[0]
    assert lm75_decode(raw) == celsius
    word = ivi.read_word_data(SENSOR, 0x00)  # SMBus order: the LM75's MSB arrives first
    assert word == int.from_bytes(raw, "little")


# ---- FAIL_NEXT groups -----------------------------------------------------------------


def test_bus_nack_inside_a_group_fails_the_rest_and_later_messages_never_reach_the_bus(i2c):
    cluster, ivi = i2c("cluster"), i2c("ivi")
    conf_before = ivi.read_byte_data(SENSOR, 0x01)
    seq = i2c.platform.bus_log_seq()
    res = cluster.transfer(
        [w(EEPROM, 0x00), r(EEPROM, 1), w(ABSENT, 0x00), w(SENSOR_REMAP, 0x01, 0x60)]
    )
    assert statuses(res) == [True, True, False, False]
    assert res.completed == 2
    log = i2c.platform.bus_log(seq)
    assert [t.addr for t in log] == [EEPROM, ABSENT]
    assert log[1].result == -errno.EIO
    assert ivi.read_byte_data(SENSOR, 0x01) == conf_before  # the config write never ran


def test_refused_message_inside_a_group_fails_the_rest_and_the_eeprom_is_unchanged(i2c):
    ivi = i2c("ivi")
    bus = i2c.bus("ivi")
    before = i2c.platform.eeprom(bus, EEPROM)
    seq = i2c.platform.bus_log_seq()
    res = ivi.transfer([r(SENSOR, 2), w(ABSENT, 0x00), w(EEPROM, 0x40, 0xAA, 0xBB)])
    assert statuses(res) == [True, False, False]
    assert res.completed == 1
    assert [t.addr for t in i2c.platform.bus_log(seq)] == [SENSOR]
    assert i2c.platform.eeprom(bus, EEPROM) == before


def test_group_runs_on_the_bus_as_one_transaction_with_repeated_starts(i2c):
    ivi = i2c("ivi")
    seq = i2c.platform.bus_log_seq()
    ivi.transfer_or_raise([w(EEPROM, 0x00), r(EEPROM, 2)])
    (t,) = i2c.platform.bus_log(seq)
    assert t.addr == EEPROM and t.result == 0
    assert [(m.read, m.length) for m in t.messages] == [(False, 1), (True, 2)]


# ---- policy: view, remap, read-only -----------------------------------------------------


@pytest.mark.parametrize("addr", [ABSENT, SENSOR_REMAP, 0x08, 0x77])
def test_address_outside_the_guest_view_is_refused_and_bus_untouched(i2c, addr):
    ivi = i2c("ivi")
    seq = i2c.platform.bus_log_seq()
    res = ivi.transfer([r(addr, 1)])
    assert statuses(res) == [False]
    assert i2c.platform.bus_log_seq() == seq


def test_transfer_or_raise_names_guest_address_and_message_index(i2c):
    ivi = i2c("ivi")
    with pytest.raises(I2cError) as exc:
        ivi.transfer_or_raise([r(SENSOR, 2), r(ABSENT, 1)])
    assert exc.value.index == 1 and exc.value.reason == "denied"
    text = str(exc.value)
    assert 'guest "ivi" may not use I2C address 0x51 (allowed: 0x48, 0x50)' in text
    assert "message 1 of 2 (r1@0x51)" in text


def test_remapped_address_reaches_the_bus_address_and_reads_what_ivi_reads(i2c):
    cluster, ivi = i2c("cluster"), i2c("ivi")
    i2c.platform.set_temp(i2c.bus("ivi"), SENSOR, 42_500)
    seq = i2c.platform.bus_log_seq()
    via_remap = cluster.transfer_or_raise([w(SENSOR_REMAP, 0x00), r(SENSOR_REMAP, 2)])
    (t,) = i2c.platform.bus_log(seq)
    assert t.addr == SENSOR and t.bus == i2c.bus("ivi")
    direct = ivi.transfer_or_raise([w(SENSOR, 0x00), r(SENSOR, 2)])
    assert via_remap.reads() == direct.reads()
    assert lm75_decode(via_remap.reads()[0]) == 42.5


@pytest.mark.parametrize(
    "msgs",
    [
        [w(EEPROM, 0x10, 0xAA, 0xBB)],  # a plain write
        [w(EEPROM, 0x10)],  # a select with no read after it
        [w(EEPROM, 0x10, 0xAA, 0xBB), r(EEPROM, 1)],  # 3 bytes: more than a select
        [w(EEPROM, 0x10), r(SENSOR_REMAP, 1)],  # the read is for another address
        [w(EEPROM, 0x10), w(EEPROM, 0x11), r(EEPROM, 1)],  # not directly followed
    ],
    ids=["write", "select-alone", "3-byte-select", "read-elsewhere", "select-select-read"],
)
def test_write_to_read_only_route_is_refused_and_bus_untouched(i2c, msgs):
    cluster = i2c("cluster")
    bus = i2c.bus("cluster")
    before = i2c.platform.eeprom(bus, EEPROM)
    seq = i2c.platform.bus_log_seq()
    res = cluster.transfer(msgs)
    assert res.completed == 0 and not any(statuses(res))
    assert i2c.platform.bus_log_seq() == seq
    assert i2c.platform.eeprom(bus, EEPROM) == before
    with pytest.raises(I2cError, match="may only read I2C address 0x50"):
        cluster.transfer_or_raise(msgs)


def test_register_select_then_read_on_read_only_route_is_allowed(i2c):
    cluster, ivi = i2c("cluster"), i2c("ivi")
    eeprom_write(ivi, 0x60, b"RO-view!")
    assert eeprom_read(cluster, 0x60, 8) == b"RO-view!"
    assert cluster.read_byte_data(EEPROM, 0x63) == ord("v")


def test_two_byte_select_on_read_only_eeprom_is_refused_and_its_memory_unchanged(i2c):
    # the AT24 takes a 1-byte word address: a second byte would be a data write
    cluster = i2c("cluster")
    bus = i2c.bus("cluster")
    before = i2c.platform.eeprom(bus, EEPROM)
    seq = i2c.platform.bus_log_seq()
    res = cluster.transfer([w(EEPROM, 0x70, (before[0x70] + 1) & 0xFF), r(EEPROM, 1)])
    assert statuses(res) == [False, False]
    assert i2c.platform.bus_log_seq() == seq
    assert i2c.platform.eeprom(bus, EEPROM) == before


# ---- why a transfer failed: the device's diagnostic (struct vbe_i2c_diag) ---------------


def _newest_diag_seq(i2c, guest: int) -> int:
    d = i2c.platform.i2c_diag(guest)
    return d.seq if d is not None else 0


def test_refusal_diagnostic_names_the_first_failed_message_and_its_reason(i2c):
    cluster = i2c("cluster")
    g = cluster.guest.index
    seq = _newest_diag_seq(i2c, g)
    res = cluster.transfer([r(SENSOR_REMAP, 2), w(EEPROM, 0x10, 0xAA, 0xBB), r(EEPROM, 1)])
    assert res.completed == 1
    d = i2c.platform.i2c_diag(g)
    assert d.seq == seq + 1  # one record per failed transfer, not per failed message
    assert (d.reason, d.index, d.count, d.head) == ("READ_ONLY", 1, 3, res.results[1].head)
    assert (d.addr, d.bus_addr, d.read, d.ten_bit, d.length) == (EEPROM, EEPROM, False, False, 3)


@pytest.mark.parametrize(
    ("guest", "msg", "reason", "bus_addr"),
    [
        ("ivi", r(ABSENT, 1), "DENIED", None),  # not in ivi's view: no route
        ("cluster", r(ABSENT, 1), "BUS", ABSENT),  # in the view, nothing there
        ("cluster", r(ABSENT_10BIT, 1, ten_bit=True), "BUS", ABSENT_10BIT),
    ],
    ids=["denied", "nack", "nack-10bit"],
)
def test_diagnostic_reason_and_route(i2c, guest, msg, reason, bus_addr):
    client = i2c(guest)
    res = client.transfer([msg])
    d = i2c.platform.i2c_diag(client.guest.index)
    assert (d.reason, d.index, d.count, d.head) == (reason, 0, 1, res.results[0].head)
    assert (d.addr, d.ten_bit, d.read, d.bus_addr) == (msg.addr, msg.ten_bit, True, bus_addr)


def test_successful_transfer_leaves_no_diagnostic(i2c):
    ivi = i2c("ivi")
    seq = _newest_diag_seq(i2c, ivi.guest.index)
    ivi.transfer_or_raise([w(EEPROM, 0x00), r(EEPROM, 4)])
    assert _newest_diag_seq(i2c, ivi.guest.index) == seq


def test_overlong_group_diagnostic_is_group_for_its_first_message(i2c):
    ivi = i2c("ivi")
    msgs = [r(EEPROM, 1)] * (GROUP_MAX + 1)
    res = ivi.transfer(msgs)
    assert not any(statuses(res))
    d = i2c.platform.i2c_diag(ivi.guest.index)
    assert (d.reason, d.index, d.count, d.head) == ("GROUP", 0, 0, res.results[0].head)
    why = rf"longer than the device runs as one group \({GROUP_MAX}\)"
    with pytest.raises(I2cError, match=why):
        ivi.transfer_or_raise(msgs)


def test_only_the_newest_diagnostics_are_kept(i2c):
    ivi = i2c("ivi")
    g = ivi.guest.index
    first = _newest_diag_seq(i2c, g) + 1
    for _ in range(DIAG_LEN + 1):
        ivi.transfer([r(ABSENT, 1)])
    newest = _newest_diag_seq(i2c, g)
    assert newest == first + DIAG_LEN
    assert i2c.platform.i2c_diag(g, first) is None  # overwritten
    assert i2c.platform.i2c_diag(g, first + 1).seq == first + 1
    assert i2c.platform.i2c_diag(g, newest + 1) is None  # not yet


# ---- zero-length requests and 10-bit addresses -----------------------------------------


@pytest.mark.parametrize(
    ("guest", "addr"), [("ivi", EEPROM), ("ivi", SENSOR), ("cluster", SENSOR_REMAP)]
)
def test_zero_length_probe_of_a_present_address_is_acked(i2c, guest, addr):
    client = i2c(guest)
    seq = i2c.platform.bus_log_seq()
    assert client.probe(addr) is True
    (t,) = i2c.platform.bus_log(seq)
    assert t.result == 0 and [m.length for m in t.messages] == [0]


def test_zero_length_probe_of_an_absent_address_is_nacked_after_reaching_the_bus(i2c):
    cluster = i2c("cluster")
    seq = i2c.platform.bus_log_seq()
    assert cluster.probe(ABSENT) is False
    (t,) = i2c.platform.bus_log(seq)
    assert t.addr == ABSENT and t.result == -errno.EIO
    assert [(m.read, m.length) for m in t.messages] == [(False, 0)]
    with pytest.raises(I2cError, match=r"failed on the bus: I2C address 0x51 did not acknowledge"):
        cluster.quick(ABSENT)


def test_driver_without_zero_length_feature_is_refused_at_features_ok(i2c):
    # virtio 1.2, 5.19.3: the driver MUST negotiate ZERO_LENGTH_REQUEST
    with pytest.raises(FeaturesRefused):
        i2c("ivi", zero_length=False)
    assert i2c("ivi").probe(SENSOR) is True  # a conforming driver then gets the device


def test_ten_bit_route_reaches_the_bus_flagged_10_bit_and_nacks_when_absent(i2c):
    cluster = i2c("cluster")
    seq = i2c.platform.bus_log_seq()
    res = cluster.transfer([r(ABSENT_10BIT, 1, ten_bit=True)])
    assert statuses(res) == [False]
    (t,) = i2c.platform.bus_log(seq)
    assert t.addr == ABSENT_10BIT and t.result == -errno.EIO
    assert all(m.flags & MSG_ADDR_10_BITS for m in t.messages)


@pytest.mark.parametrize(("guest", "addr"), [("ivi", ABSENT_10BIT), ("cluster", EEPROM)])
def test_ten_bit_address_without_a_ten_bit_route_is_refused_and_bus_untouched(i2c, guest, addr):
    client = i2c(guest)
    seq = i2c.platform.bus_log_seq()
    assert statuses(client.transfer([r(addr, 1, ten_bit=True)])) == [False]
    assert i2c.platform.bus_log_seq() == seq


# ---- detect and guest isolation --------------------------------------------------------


@pytest.mark.parametrize("guest", ["ivi", "cluster"])
def test_detect_finds_exactly_the_allowed_addresses_present_on_the_bus(i2c, guest):
    client = i2c(guest)
    info = i2c.guest(guest)
    routes = [rt for rt in info.i2c_routes if not rt.ten_bit]
    expected = sorted(rt.guest_addr for rt in routes if rt.bus_addr in PRESENT_ON_BUS)
    seq = i2c.platform.bus_log_seq()
    assert client.detect() == expected
    log = i2c.platform.bus_log(seq)
    # only the guest's own addresses reached the bus, each once, answered as expected
    assert sorted(t.addr for t in log) == sorted(rt.bus_addr for rt in routes)
    assert {t.addr for t in log if t.result == 0} == {
        rt.bus_addr for rt in routes if rt.guest_addr in expected
    }


def test_two_guests_transactions_do_not_interfere(i2c):
    ivi, cluster = i2c("ivi"), i2c("cluster")
    eeprom_write(ivi, 0x80, b"ivi-data")
    eeprom_write(ivi, 0x00, b"boot")
    seq = i2c.platform.bus_log_seq()
    # ivi's group is open (its select carries FAIL_NEXT) while cluster runs a whole transfer
    first = ivi.submit([w(EEPROM, 0x80)], more=True)
    assert i2c.platform.bus_log_seq() == seq  # nothing of an unfinished group runs
    assert eeprom_read(cluster, 0x00, 4) == b"boot"
    rest = ivi.submit([r(EEPROM, 8)])
    res = ivi.collect(first, rest)
    assert res.ok and res.reads() == [b"ivi-data"]
    log = i2c.platform.bus_log(seq)
    assert [(t.addr, [m.data for m in t.messages]) for t in log] == [
        (EEPROM, [b"\x00", b"boot"]),
        (EEPROM, [b"\x80", b"ivi-data"]),
    ]


# ---- SMBus helpers -----------------------------------------------------------------------


def test_smbus_byte_and_word_data_use_low_byte_first(i2c):
    ivi = i2c("ivi")
    ivi.write_byte_data(EEPROM, 0x90, 0x5A)
    assert ivi.read_byte_data(EEPROM, 0x90) == 0x5A
    ivi.write_word_data(EEPROM, 0x92, 0xBEEF)
    assert i2c.platform.eeprom(i2c.bus("ivi"), EEPROM)[0x92:0x94] == b"\xef\xbe"
    assert ivi.read_word_data(EEPROM, 0x92) == 0xBEEF
    ivi.write_i2c_block_data(EEPROM, 0xA0, b"block")
    assert ivi.read_i2c_block_data(EEPROM, 0xA0, 5) == b"block"
    ivi.write_byte(EEPROM, 0xA1)  # pointer only
    assert ivi.read_byte(EEPROM) == ord("l")
