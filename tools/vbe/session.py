"""What the machine-driving commands share: --machine/--guest options, opening a machine
and a guest's I2C client, and turning harness errors into one-line fatal errors."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from pyhost.corelib import CoreLibError
from pyhost.i2c import I2cClient, I2cUsageError
from pyhost.machine.base import GuestInfo, Machine, MachineError
from pyhost.virtio.errors import VirtioError
from vbe.output import dbg, die

DEFAULT_MACHINE = "inprocess"


MACHINE_HELP = {
    "inprocess": "the C core in this process",
    "qemu": "the bare-metal Arm64 image in qemu-system-aarch64",
}


def add_machine_args(
    parser: argparse.ArgumentParser, guest: bool = True, default: str = DEFAULT_MACHINE
) -> None:
    group = parser.add_argument_group("machine")
    group.add_argument(
        "--machine",
        default=default,
        metavar="NAME",
        help=f"where the backend runs: inprocess or qemu (default: {default}: "
        f"{MACHINE_HELP[default]})",
    )
    if guest:
        group.add_argument(
            "--guest",
            metavar="NAME|INDEX",
            help="the guest whose view to use (default: the first guest with virtio-i2c)",
        )


def add_json_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON on stdout")


@contextmanager
def machine_session(name: str, **kw: object) -> Iterator[Machine]:
    """A launched machine, closed on exit; start-up failures end the command (exit 1)."""
    from pyhost.machine import make_machine

    try:
        machine = make_machine(name, **kw)
        machine.launch()
    except (MachineError, CoreLibError, KeyError, ValueError) as exc:
        die(f"cannot start machine {name!r}: {exc}")
    try:
        dbg(f"machine {name}: guests {', '.join(g.name for g in machine.guests)}")
        yield machine
    except (MachineError, VirtioError, I2cUsageError) as exc:
        die(f"machine {name!r}: {exc}")
    finally:
        machine.close()


def pick_guest(machine: Machine, spec: str | None) -> GuestInfo:
    """The guest named or numbered by ``spec``; by default the first one with virtio-i2c."""
    if spec is None:
        for g in machine.guests:
            if g.i2c_bus is not None:
                return g
        die(f"no guest on machine {machine.name!r} has a virtio-i2c device")
    key: str | int = int(spec, 0) if spec.isdigit() else spec
    try:
        guest = machine.guest(key)
    except MachineError as exc:
        die(str(exc))
    if guest.i2c_bus is None:
        die(f'guest "{guest.name}" has no virtio-i2c device on machine {machine.name!r}')
    return guest


def open_client(machine: Machine, guest: GuestInfo) -> I2cClient:
    try:
        return I2cClient(machine, guest)
    except (MachineError, VirtioError, I2cUsageError) as exc:
        die(f'guest "{guest.name}": the virtio-i2c device did not come up: {exc}')
