"""The ``vbe`` command line, run as a user runs it (``python -m vbe`` in a subprocess).

Each invocation starts a fresh in-process machine, so the EEPROM is at its power-on
content; the tests read that content through the same kind of machine in this process
rather than assuming it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_util import vbe

from pyhost.i2c import I2cClient
from pyhost.machine import make_machine


@pytest.fixture(scope="module")
def power_on() -> dict[str, object]:
    """What a fresh in-process machine holds and shows, read in this process."""
    with make_machine("inprocess") as m:
        ivi = I2cClient(m, "ivi")
        bus = ivi.bus_id()
        eeprom = m.platform.eeprom(bus, 0x50)
        found = {g.name: I2cClient(m, g).detect() for g in m.guests}
    return {"eeprom": eeprom, "detect": found}


def test_transfer_json_prints_the_eeprom_bytes_at_power_on(power_on):
    p = vbe("i2c", "transfer", "-y", "--json", "w1@0x50", "0x00", "r8@0x50")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["guest"] == "ivi" and doc["ok"] is True and doc["completed"] == 2
    assert doc["messages"][1]["data"] == list(power_on["eeprom"][0:8])


def test_transfer_prints_read_data_like_i2ctransfer(power_on):
    p = vbe("i2c", "transfer", "-y", "w1@0x50", "0x04", "r4")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == " ".join(f"0x{b:02x}" for b in power_on["eeprom"][4:8])


def test_write_with_count_up_suffix_then_read_back_in_one_transfer():
    p = vbe("i2c", "transfer", "-y", "w9@0x50", "0x10", "0x41+", "w1@0x50", "0x10", "r8")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == " ".join(f"0x{b:02x}" for b in b"ABCDEFGH")


def test_disallowed_address_exits_1_naming_guest_and_address():
    p = vbe("i2c", "transfer", "-y", "r1@0x51")
    assert p.returncode == 1
    assert 'ERROR: guest "ivi" may not use I2C address 0x51 (allowed: 0x48, 0x50)' in p.stderr
    assert p.stdout == ""


def test_read_only_write_exits_1_and_says_read_only():
    p = vbe("i2c", "transfer", "-y", "--guest", "cluster", "w2@0x50", "0x00", "0x01")
    assert p.returncode == 1
    assert 'guest "cluster" may only read I2C address 0x50' in p.stderr


def test_syntax_error_exits_2_naming_the_token():
    p = vbe("i2c", "transfer", "-y", "w2@0x50", "0x00", "r1")
    assert p.returncode == 2
    assert "invalid data byte 2 of 2 for w2@0x50" in p.stderr
    assert '(argument 3: "r1")' in p.stderr


def test_unknown_guest_is_a_fatal_error_listing_the_guests():
    p = vbe("i2c", "transfer", "-y", "--guest", "nobody", "r1@0x50")
    assert p.returncode == 1
    assert p.stderr.startswith("FATAL ERROR: ") and "0:ivi, 1:cluster" in p.stderr


def test_detect_json_matches_what_the_guest_sees_in_process(power_on):
    p = vbe("i2c", "detect", "--guest", "cluster", "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["found"] == power_on["detect"]["cluster"]


def test_detect_grid_marks_exactly_the_found_addresses(power_on):
    p = vbe("i2c", "detect")
    assert p.returncode == 0, p.stderr
    cells = {
        int(line[:2], 16) + i
        for line in p.stdout.splitlines()[1:]
        for i, cell in enumerate(line[4:].split(" ")[:16])
        if cell not in ("--", "")
    }
    assert sorted(cells) == power_on["detect"]["ivi"]


def test_run_exits_0_and_reports_both_guests():
    p = vbe("run", "--machine", "inprocess")
    assert p.returncode == 0, p.stdout + p.stderr
    assert 'guest 0 "ivi"' in p.stdout and 'guest 1 "cluster"' in p.stdout
    assert "REFUSED" in p.stdout and "NACK" in p.stdout
    assert "PASS" in p.stdout.splitlines()[-1]


def test_run_on_qemu_by_default_keeps_and_names_the_console_log():
    """The main job: the backend boots in QEMU; the report ends with the log it kept."""
    if shutil.which("qemu-system-aarch64") is None:
        pytest.skip("qemu-system-aarch64 is not installed: run scripts/setup")
    p = vbe("run")
    assert p.returncode == 0, p.stdout + p.stderr
    assert 'on machine "qemu"' in p.stdout.splitlines()[0]
    assert "PASS" in p.stdout.splitlines()[-2]
    log = Path(p.stdout.splitlines()[-1].removeprefix("backend console log: "))
    assert "vbe: ready" in log.read_text()
    shutil.rmtree(log.parent)


def test_run_json_has_every_step_passed_and_a_bus_log():
    p = vbe("run", "--json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["ok"] is True
    assert [g["name"] for g in doc["guests"]] == ["ivi", "cluster"]
    assert all(s["passed"] for s in doc["steps"])
    assert {s["outcome"] for s in doc["steps"]} == {"OK", "REFUSED", "NACK"}
    logged = {e["seq"] for e in doc["bus_log"]}
    assert all(set(s["bus_seqs"]) <= logged for s in doc["steps"])
    refused = [s for s in doc["steps"] if s["outcome"] == "REFUSED"]
    assert refused and all(s["bus_seqs"] == [] for s in refused)


def test_version_and_help():
    p = vbe("--version")
    assert p.returncode == 0 and p.stdout.startswith("vbe ")
    p = vbe("--help")
    assert p.returncode == 0
    assert "examples:" in p.stdout and "vbe run" in p.stdout and "i2c" in p.stdout
    p = vbe("i2c", "transfer", "--help")
    assert p.returncode == 0 and "w17@0x50 0x42 0xff-" in p.stdout


def test_no_command_prints_help_and_exits_2():
    p = vbe()
    assert p.returncode == 2 and "usage: vbe" in p.stdout


def _help_examples() -> list[str]:
    """Every ``vbe ...`` line under "examples:" in the help of every command."""
    from vbe.cli import make_parser
    from vbe.commands import all_commands
    from vbe.commands.base import VbeCommandGroup

    commands = all_commands()
    texts = [make_parser(commands).epilog or ""]
    stack = list(commands)
    while stack:
        cmd = stack.pop()
        texts.append(cmd.parser.epilog or "" if cmd.parser else "")
        if isinstance(cmd, VbeCommandGroup):
            stack.extend(cmd.children)
    lines = []
    for text in texts:
        for line in text.splitlines():
            if line.startswith("  vbe "):
                lines.append(line.strip())
    return lines


@pytest.mark.parametrize("line", _help_examples())
def test_help_examples_run(line):
    """The examples in --help work as described (a "refused" one must fail with exit 1)."""
    command, _, comment = line.partition("  ")
    args = command.split()[1:]
    p = vbe(*args)
    expected = 1 if "refused" in comment else 0
    assert p.returncode == expected, f"{command}: {p.stdout}{p.stderr}"
