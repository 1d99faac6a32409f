"""Machines: where the backend runs. ``make_machine(name)`` picks one by name."""

from __future__ import annotations

from typing import Any

from pyhost.machine.base import Machine, MachineError, MachineTimeout
from pyhost.machine.inprocess import InProcessMachine
from pyhost.machine.qemu import QemuMachine

MACHINES: dict[str, type[Machine]] = {"inprocess": InProcessMachine, "qemu": QemuMachine}


def make_machine(name: str, **kw: Any) -> Machine:
    """A machine of the named kind, not launched yet."""
    cls = MACHINES.get(name)
    if cls is None:
        raise MachineError(f"unknown machine {name!r}; known: {', '.join(sorted(MACHINES))}")
    return cls(**kw)


__all__ = ["MACHINES", "Machine", "MachineError", "MachineTimeout", "make_machine"]
