"""The machine adapter: what every place a backend can run in offers the guest side.

CONTRACT (implemented by pyhost.machine.inprocess.InProcessMachine and
pyhost.machine.qemu.QemuMachine):

    m = make_machine("inprocess")      # registry in pyhost.machine.__init__
    m.launch()                         # backend up, windows published (magic visible)
    m.guests -> list[GuestInfo]        # from the system description in use
    m.window(guest) -> memoryview      # the guest's whole window, writable, exact size
    m.window_ptr(guest) -> int         # its address in this process (for cffi casts)
    m.notify(guest)                    # driver -> device notification ("kick")
    m.wait_for(guest, cond, timeout)   # poll cond() until true; in-process this runs the
                                       # backend's service loop between checks; raises
                                       # MachineTimeout naming the guest and what was awaited
    m.platform -> Platform             # simulated platform: set_temp(), eeprom(), bus_log(),
                                       # SCMI state, why an I2C transfer failed
    m.close()                          # always safe, idempotent

Machines are context managers (close() in __exit__).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Self

from pyhost.headers import SCMI_H, defines


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
class I2cStats:
    requests: int
    transactions: int
    errors: dict[str, int]  # enum vbe_i2c_error name (without VBE_I2C_ERR_) -> count


@dataclass(frozen=True)
class I2cDiag:
    """Why a transfer failed, as the guest's virtio-i2c device recorded it (struct
    vbe_i2c_diag): its first failed request. The wire status says only ERR."""

    seq: int             # 1, 2, 3 ... failed transfers of this device since boot
    head: int            # descriptor head of the request
    reason: str          # enum vbe_i2c_error without VBE_I2C_ERR_: DENIED, READ_ONLY, BUS...
    addr: int            # its guest address
    ten_bit: bool
    read: bool
    bus_addr: int | None  # where its route leads; None: no route
    length: int
    index: int           # its place in the transfer
    count: int           # messages in the transfer; 0: more than the device runs as one


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


SCMI_KINDS = ("clock", "power", "perf", "sensor", "reset", "voltage")  # enum vbe_scmi_res order

#: PlatformOp.op names by operation code (enum vbe_sim_op): the member of
#: struct vbe_plat_ops that reached the simulated hardware.
PLATFORM_OPS = (
    "none",
    "clock_on",
    "clock_off",
    "clock_set_rate",
    "power_set_state",
    "perf_set_level",
    "reset_assert",
    "reset_deassert",
    "regulator_enable",
    "regulator_disable",
    "regulator_set_voltage",
    "system_request",
)


#: ScmiGrant.perms bits (VBE_SCMI_PERM_* of vbe/scmi.h); reading comes with every grant
PERM_STATE = defines(SCMI_H)["VBE_SCMI_PERM_STATE"].value
PERM_LEVEL = defines(SCMI_H)["VBE_SCMI_PERM_LEVEL"].value
PERM_CONFIG = defines(SCMI_H)["VBE_SCMI_PERM_CONFIG"].value


@dataclass(frozen=True)
class ScmiGrant:
    kind: str            # one of SCMI_KINDS
    local_id: int        # the id the agent uses on the wire
    resource: int        # platform index of the resource (see ScmiInfo.resources)
    name: str
    perms: int           # PERM_* bits


@dataclass(frozen=True)
class ScmiAgentInfo:
    agent_id: int        # 1..n (0 is the platform)
    name: str
    guest: int           # guest index whose virtio-scmi device this agent is
    privileged: bool
    grants: tuple[ScmiGrant, ...] = ()

    def granted(self, kind: str) -> list[ScmiGrant]:
        """This agent's grants of one kind, in local-id order."""
        return sorted((g for g in self.grants if g.kind == kind), key=lambda g: g.local_id)


@dataclass(frozen=True)
class ScmiInfo:
    """What the system description says about SCMI: platform resources and agents."""

    vendor: str
    sub_vendor: str
    impl_version: int
    resources: dict[str, tuple[str, ...]]    # kind -> resource names by platform index
    agents: tuple[ScmiAgentInfo, ...]

    def agent_of_guest(self, guest: int) -> ScmiAgentInfo | None:
        for a in self.agents:
            if a.guest == guest:
                return a
        return None

    def resource_index(self, kind: str, name: str) -> int:
        try:
            return self.resources[kind].index(name)
        except ValueError:
            known = ", ".join(self.resources[kind])
            raise KeyError(f"no {kind} named {name!r} (platform has: {known})") from None


@dataclass(frozen=True)
class ResourceState:
    """A platform resource as the "hardware" has it now.

    on: clock/voltage enabled, power domain on, reset asserted; value: clock rate (Hz),
    power state, perf level, voltage (uV), sensor value; votes: bit (agent_id - 1) set for
    each agent holding it on/asserted (perf: agents with a request).
    """

    kind: str
    index: int
    on: bool
    value: int
    votes: int


@dataclass(frozen=True)
class PlatformOp:
    """One operation that reached the simulated hardware (enum vbe_sim_op)."""

    seq: int
    op: str              # e.g. "clock_on", "clock_set_rate", "power_set_state", ...
    resource: int        # platform index, or agent id for system power requests
    value: int
    arg: int
    result: int          # 0 or negative errno


class Platform(ABC):
    """The simulated platform behind a machine, as tests see it.

    I2C: set_temp/eeprom/bus_log, i2c_stats/i2c_diag. SCMI: state()/set_sensor()/op_log()
    — optional for a machine without the plumbing: the defaults raise NotImplementedError
    with a reason, and tests that need them skip on such a machine. The machines' platforms
    are pyhost.machine.platform.SimPlatform (the core's platform protocol).
    """

    def state(self, kind: str, index: int) -> ResourceState:
        """The platform's current state of SCMI resource ``index`` of ``kind``."""
        raise NotImplementedError(f"{type(self).__name__} cannot read SCMI platform state")

    def set_sensor(self, index: int, value: int) -> None:
        """Set a simulated sensor's value (fires trip points that it crosses)."""
        raise NotImplementedError(f"{type(self).__name__} cannot set SCMI sensors")

    def system_state(self, agent_id: int) -> tuple[int, int]:
        """(last system power state the agent asked for, number of requests)."""
        raise NotImplementedError(f"{type(self).__name__} cannot read system power requests")

    def op_log_seq(self) -> int:
        """Sequence number of the newest platform operation (0: none yet)."""
        raise NotImplementedError(f"{type(self).__name__} has no platform operation log")

    def op_log(self, since: int = 0) -> list[PlatformOp]:
        """Operations with seq > since, oldest first."""
        raise NotImplementedError(f"{type(self).__name__} has no platform operation log")

    def i2c_stats(self, guest: int) -> I2cStats | None:
        """The guest's virtio-i2c counters; None when it has no virtio-i2c device."""
        raise NotImplementedError(f"{type(self).__name__} has no I2C counters")

    def i2c_diag(self, guest: int, seq: int = 0) -> I2cDiag | None:
        """Why failed transfer ``seq`` of the guest's device failed (0: the newest); None
        when there is no such record (nothing failed, or it was overwritten)."""
        raise NotImplementedError(f"{type(self).__name__} keeps no I2C diagnostics")

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

    @property
    def scmi(self) -> ScmiInfo | None:
        """SCMI agents and resources of the system; None when it has no SCMI."""
        return None

    def guest(self, name_or_index: str | int) -> GuestInfo:
        """Look a guest up by index or name; MachineError lists the known ones."""
        for g in self.guests:
            if name_or_index in (g.index, g.name):
                return g
        known = ", ".join(f"{g.index}:{g.name}" for g in self.guests)
        raise MachineError(f"no guest {name_or_index!r} on {self.name} (known: {known})")

    def __enter__(self) -> Self:
        self.launch()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
