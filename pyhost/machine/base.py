"""The machine adapter: what every place a backend can run in offers the guest side.

CONTRACT (implemented by pyhost.machine.inprocess.InProcessMachine, later QemuMachine):

    m = make_machine("inprocess")      # registry in pyhost.machine.__init__
    m.launch()                         # backend up, windows published (magic visible)
    m.guests -> list[GuestInfo]        # from the system description in use
    m.window(guest) -> memoryview      # the guest's whole window, writable, exact size
    m.window_ptr(guest) -> int         # its address in this process (for cffi casts)
    m.notify(guest)                    # driver -> device notification ("kick")
    m.wait_for(guest, cond, timeout)   # poll cond() until true; in-process this runs the
                                       # backend's service loop between checks; raises
                                       # MachineTimeout naming the guest and what was awaited
    m.platform -> Platform             # simulated platform: set_temp(), eeprom(), bus_log()
    m.close()                          # always safe, idempotent

Machines are context managers (close() in __exit__).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Callable


class MachineError(RuntimeError):
    """A machine could not start or stopped answering; the message says what to do."""


class MachineTimeout(MachineError):
    """Something awaited from the backend did not happen in time."""


@dataclass(frozen=True)
class I2cRoute:
    guest_addr: int
    bus_addr: int
    read_only: bool
    ten_bit: bool
    select_max: int = 0      # read-only routes: longest register-select write before a read


@dataclass(frozen=True)
class GuestInfo:
    index: int
    name: str
    window_size: int
    i2c_bus: str | None = None               # platform bus name, None: no virtio-i2c
    i2c_bus_id: int | None = None            # platform bus number (what Platform calls take)
    i2c_routes: tuple[I2cRoute, ...] = field(default_factory=tuple)

    def i2c_route(self, guest_addr: int) -> I2cRoute | None:
        for r in self.i2c_routes:
            if r.guest_addr == guest_addr:
                return r
        return None


@dataclass(frozen=True)
class BusMessage:
    read: bool
    length: int
    data: bytes          # what crossed the bus (first 16 bytes at most)
    flags: int           # VBE_I2C_MSG_* bits (READ, STOP, RESTART, ADDR_10_BITS)


@dataclass(frozen=True)
class BusTransaction:
    seq: int
    bus: int
    addr: int
    result: int          # 0 or negative errno
    messages: tuple[BusMessage, ...]


class Platform(ABC):
    """The simulated platform behind a machine, as tests see it."""

    @abstractmethod
    def set_temp(self, bus: int, addr: int, millicelsius: int) -> None: ...

    @abstractmethod
    def eeprom(self, bus: int, addr: int) -> bytes: ...

    @abstractmethod
    def bus_log_seq(self) -> int:
        """Sequence number of the newest bus transaction (0: none yet)."""

    @abstractmethod
    def bus_log(self, since: int = 0) -> list[BusTransaction]:
        """Transactions with seq > since, oldest first (the log keeps the last 64)."""


class Machine(ABC):
    name: str = "abstract"

    @abstractmethod
    def launch(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    @property
    @abstractmethod
    def guests(self) -> list[GuestInfo]: ...

    @abstractmethod
    def window(self, guest: int) -> memoryview: ...

    @abstractmethod
    def window_ptr(self, guest: int) -> int: ...

    @abstractmethod
    def notify(self, guest: int) -> None: ...

    @abstractmethod
    def wait_for(self, guest: int, cond: Callable[[], bool], timeout: float, what: str) -> None:
        ...

    @property
    @abstractmethod
    def platform(self) -> Platform: ...

    def guest(self, name_or_index: str | int) -> GuestInfo:
        """Look a guest up by index or name; MachineError lists the known ones."""
        for g in self.guests:
            if name_or_index in (g.index, g.name):
                return g
        known = ", ".join(f"{g.index}:{g.name}" for g in self.guests)
        raise MachineError(f"no guest {name_or_index!r} on {self.name} (known: {known})")

    def __enter__(self) -> "Machine":
        self.launch()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
