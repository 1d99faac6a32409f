"""The validated system: frozen dataclasses built by :func:`sysdesc.build.build_system`.

Every element keeps ``key``, the path in the YAML document it came from
(``guests[1].i2c.devices[0]``), so each generator can say in its output which key produced
each entry. Platform resources carry ``id``, their index in their list: the number the C
tables and the SCMI server use. Guests carry ``index`` (their position in ``guests``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

TargetKind = Literal["at24", "lm75", "generic"]
Perm = Literal["state", "level", "config"]

#: SCMI resource kinds in the order the tables and documents list them
RESOURCE_KINDS = ("clocks", "power_domains", "perf_domains", "sensors", "resets", "voltage_domains")
#: What a grant may change beyond discovery, reading and notifications (which every grant
#: gives): on/off (state), rate or level (level), sensor configuration (config).
PERMS: tuple[Perm, ...] = ("state", "level", "config")
#: The perms that mean something for each kind of resource.
KIND_PERMS: dict[str, tuple[Perm, ...]] = {
    "clocks": ("state", "level"),
    "power_domains": ("state",),
    "perf_domains": ("level",),
    "sensors": ("config",),
    "resets": ("state",),
    "voltage_domains": ("state", "level"),
}


@dataclass(frozen=True)
class I2cTarget:
    key: str
    name: str
    bus: str
    bus_id: int
    address: int
    kind: TargetKind
    ten_bit: bool = False
    address_width: int = 1  # bytes of register/word address the target takes
    simulated: bool = False  # the simulated platform (vbe_sim) models it


@dataclass(frozen=True)
class I2cBus:
    key: str
    name: str
    id: int
    targets: tuple[I2cTarget, ...] = ()

    def target(self, name: str) -> I2cTarget | None:
        return next((t for t in self.targets if t.name == name), None)


@dataclass(frozen=True)
class RateRange:
    min: int
    max: int
    step: int


@dataclass(frozen=True)
class ScmiIdentity:
    """What BASE_DISCOVER_* report."""

    vendor: str = "vbe"
    sub_vendor: str = ""
    impl_version: int = 0x00010000


@dataclass(frozen=True)
class ZephyrHookup:
    """The Zephyr device behind a platform resource (the resource's ``zephyr:`` key): what
    gen_dts writes as the resource's child of the vbe,scmi-<kind> node.

    ``prop`` is the devicetree property (``clocks``, ``resets``, ``regulator``, ``domain``,
    ``sensor``), ``label`` the node label it references, ``cells`` the specifier after it.
    ``cell`` (clocks) names the specifier cell passed as clock_control_subsys_t; ``channel``
    (sensors) is the Zephyr sensor channel, lower case without SENSOR_CHAN_.
    """

    key: str
    prop: str
    label: str
    cells: tuple[int, ...] = ()
    cell: str | None = None
    channel: str | None = None

    @property
    def ref(self) -> str:
        """``&cru 12``: the reference as devicetree source writes it."""
        return " ".join([f"&{self.label}", *(f"{c}" for c in self.cells)])


@dataclass(frozen=True)
class Clock:
    key: str
    name: str
    id: int
    rates: tuple[int, ...] = ()  # discrete rates (Hz), ascending; empty with ``range``
    range: RateRange | None = None
    default: int | None = None  # the rate at power-on (None: the lowest)
    device: int | None = None  # index in Platform.devices (SET_DEVICE_PERMISSIONS)
    enable_latency_us: int = 0
    zephyr: ZephyrHookup | None = None  # None: NOT_SUPPORTED on Zephyr

    @property
    def initial(self) -> int:
        if self.default is not None:
            return self.default
        return self.rates[0] if self.rates else self.range.min  # type: ignore[union-attr]


@dataclass(frozen=True)
class PowerDomain:
    key: str
    name: str
    id: int
    device: int | None = None
    zephyr: ZephyrHookup | None = None  # None: NOT_SUPPORTED on Zephyr


@dataclass(frozen=True)
class PerfLevel:
    level: int
    power_mw: int = 0
    freq_khz: int = 0
    latency_us: int = 0


@dataclass(frozen=True)
class PerfDomain:
    key: str
    name: str
    id: int
    levels: tuple[PerfLevel, ...] = ()  # ascending by level
    sustained: int = 0  # index in levels
    rate_limit_us: int = 0
    device: int | None = None


@dataclass(frozen=True)
class Sensor:
    key: str
    name: str
    id: int
    type: str
    unit: str  # as written: "mC", "mV", "RPM"...
    scale: int = 0  # power-of-ten exponent of the unit ("mC": -3)
    trip_points: int = 0  # trip points each agent may arm
    initial: int = 0  # the simulated value at power-on, in ``unit``
    device: int | None = None
    zephyr: ZephyrHookup | None = None  # None: NOT_SUPPORTED on Zephyr


@dataclass(frozen=True)
class Reset:
    key: str
    name: str
    id: int
    latency_us: int = 0
    device: int | None = None
    zephyr: ZephyrHookup | None = None  # None: NOT_SUPPORTED on Zephyr


@dataclass(frozen=True)
class VoltageDomain:
    key: str
    name: str
    id: int
    levels_uv: tuple[int, ...] = ()
    range: RateRange | None = None
    initial_uv: int | None = None  # the level at power-on (None: the lowest)
    device: int | None = None
    zephyr: ZephyrHookup | None = None  # None: NOT_SUPPORTED on Zephyr

    @property
    def initial(self) -> int:
        if self.initial_uv is not None:
            return self.initial_uv
        return self.levels_uv[0] if self.levels_uv else self.range.min  # type: ignore[union-attr]


@dataclass(frozen=True)
class Platform:
    i2c_buses: tuple[I2cBus, ...] = ()
    scmi: ScmiIdentity = field(default_factory=ScmiIdentity)
    devices: tuple[str, ...] = ()  # SCMI device names (SET_DEVICE_PERMISSIONS ids)
    clocks: tuple[Clock, ...] = ()
    power_domains: tuple[PowerDomain, ...] = ()
    perf_domains: tuple[PerfDomain, ...] = ()
    sensors: tuple[Sensor, ...] = ()
    resets: tuple[Reset, ...] = ()
    voltage_domains: tuple[VoltageDomain, ...] = ()

    def bus(self, name: str) -> I2cBus | None:
        return next((b for b in self.i2c_buses if b.name == name), None)

    def resources(
        self, kind: str
    ) -> tuple[Clock | PowerDomain | PerfDomain | Sensor | Reset | VoltageDomain, ...]:
        """The SCMI resources of one kind (one of RESOURCE_KINDS)."""
        return getattr(self, kind)  # type: ignore[no-any-return]

    @property
    def targets(self) -> tuple[I2cTarget, ...]:
        return tuple(t for b in self.i2c_buses for t in b.targets)

    @property
    def sim_targets(self) -> tuple[I2cTarget, ...]:
        """Targets the simulated platform provides, in document order."""
        return tuple(t for t in self.targets if t.simulated)


@dataclass(frozen=True)
class Window:
    key: str
    size: int
    ring_size: int
    address: int | None = None  # guest physical, when the board fixes it


@dataclass(frozen=True)
class Route:
    """One address a guest may use (struct vbe_i2c_route)."""

    key: str
    guest_address: int
    bus_address: int
    ten_bit: bool = False
    read_only: bool = False
    select_max: int = 0
    target: I2cTarget | None = None  # None: nothing is there (an absent device)

    @property
    def remapped(self) -> bool:
        return self.guest_address != self.bus_address


@dataclass(frozen=True)
class I2cView:
    key: str
    bus: str
    bus_id: int
    routes: tuple[Route, ...] = ()


@dataclass(frozen=True)
class Grant:
    """A resource granted to an agent; its agent-local id is its place in the list of its
    kind (``local_id``)."""

    key: str
    kind: str  # one of RESOURCE_KINDS
    name: str
    id: int  # the platform resource id
    local_id: int
    perms: tuple[Perm, ...] = ()  # beyond reading; () = read-only
    all_perms: bool = False  # written as "control": every perm (VBE_SCMI_PERM_ALL)


@dataclass(frozen=True)
class ScmiAgent:
    key: str
    agent_id: int  # 1.. in the order of the guests that have one
    agent_name: str
    privileged: bool = False
    system_power: bool = False
    grants: tuple[Grant, ...] = ()

    def granted(self, kind: str) -> tuple[Grant, ...]:
        return tuple(g for g in self.grants if g.kind == kind)


@dataclass(frozen=True)
class Guest:
    key: str
    index: int
    name: str
    window: Window
    scmi: ScmiAgent | None = None
    i2c: I2cView | None = None
    #: as a Xen DomU, its devices map only the pages it grants (xen: {grants: true})
    xen_grants: bool = False


@dataclass(frozen=True)
class System:
    name: str
    board: str
    source: str  # the description's file, as generated headers name it
    platform: Platform = field(default_factory=Platform)
    guests: tuple[Guest, ...] = ()

    def guest(self, name: str) -> Guest | None:
        return next((g for g in self.guests if g.name == name), None)
