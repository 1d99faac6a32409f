"""The vbe commands, one class each (see vbe.commands.base)."""

from __future__ import annotations

from vbe.commands.base import VbeCommand


def all_commands() -> list[VbeCommand]:
    """Every top-level command, in the order ``vbe --help`` lists them."""
    from vbe.commands.build import BuildCommand
    from vbe.commands.check import CheckCommand
    from vbe.commands.gen import GenCommand
    from vbe.commands.guest import GuestCommand
    from vbe.commands.hex import HexCommand
    from vbe.commands.i2c import I2cCommand
    from vbe.commands.inspect import InspectCommand
    from vbe.commands.run import RunCommand
    from vbe.commands.scmi import ScmiCommand
    from vbe.commands.serve import ServeCommand
    from vbe.commands.xen import XenCommand

    return [
        RunCommand(),
        I2cCommand(),
        ScmiCommand(),
        ServeCommand(),
        CheckCommand(),
        GenCommand(),
        BuildCommand(),
        InspectCommand(),
        HexCommand(),
        GuestCommand(),
        XenCommand(),
    ]
