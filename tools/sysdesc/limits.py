"""What the C core and the boards can hold, read from their sources (never restated here):
guests per system, simulated targets and buses, window layout minimums, and where each
board puts the guest windows."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORE = REPO / "zephyr-app" / "lib"
BOARDS_DIR = REPO / "boards"

_DEFINE = re.compile(r"^\s*#define\s+(\w+)\s+\(?(0x[0-9a-fA-F]+|\d+)U?\)?\s*(?:/\*.*)?$")
_LD_SYMBOL = re.compile(r"^\s*(\w+)\s*=\s*(0x[0-9a-fA-F]+|\d+)\s*;")

PAGE = 4096


class LimitsError(RuntimeError):
    """A value the tooling needs is missing from the C sources (they changed shape)."""


def read_defines(path: Path) -> dict[str, int]:
    """Plain integer ``#define NAME value`` lines of a C file (and ``NAME = value;`` of a
    linker script)."""
    out: dict[str, int] = {}
    try:
        text = path.read_text()
    except OSError as exc:
        raise LimitsError(f"cannot read {path}: {exc}") from exc
    for line in text.splitlines():
        m = _DEFINE.match(line) or _LD_SYMBOL.match(line)
        if m:
            out.setdefault(m.group(1), int(m.group(2), 0))
    return out


def _need(path: Path, name: str) -> int:
    try:
        return read_defines(path)[name]
    except KeyError:
        raise LimitsError(
            f"{path.relative_to(REPO)} no longer defines {name}; update sysdesc.limits"
        ) from None


@dataclass(frozen=True)
class CoreLimits:
    """Capacities of the portable core, as its headers and sources define them."""

    max_guests: int  # VBE_SYS_MAX_GUESTS (sys.h)
    max_sim_targets: int  # VBE_SIM_MAX_TARGETS (sim.h)
    max_sim_buses: int  # VBE_SIM_MAX_BUSES (sim.h)
    sim_at24_size: int  # VBE_SIM_AT24_SIZE (sim.h)
    max_devices: int  # VBE_FVQ_MAX_DEVICES (fvq_layout.h): devices per window
    ring_off: int  # VBE_FVQ_RING_OFF (fvq.h): header and device blocks
    data_min: int  # FVQ_DATA_MIN (fvq.c): smallest data area vbe_fvq_init accepts
    i2c_queue_max: int  # I2C_QUEUE_SIZE_MAX (i2c.c): requestq size offered
    scmi: ScmiLimits | None = None  # None: this core has no SCMI server

    @property
    def scmi_queues(self) -> tuple[int, ...]:
        """Sizes of the virtio-scmi device's queues (cmdq, eventq)."""
        return (self.scmi.queue_max, self.scmi.queue_max) if self.scmi else ()


@dataclass(frozen=True)
class ScmiLimits:
    """Capacities of the SCMI server (scmi.h) and of the simulated platform (sim.h): each
    the smaller of the two, since in-process and bare-metal runs use both."""

    max_agents: int
    max_devices: int
    max_per_kind: dict[str, int]  # RESOURCE_KINDS -> table size
    max_trips: int
    max_levels: int  # clock rates / perf levels / voltage levels per resource
    queue_max: int
    name_size: int  # VBE_SCMI_NAME_SIZE: short names, NUL included


_SCMI_KIND_DEFINES = {
    "clocks": ("VBE_SCMI_MAX_CLOCKS", "VBE_SIM_MAX_CLOCKS"),
    "power_domains": ("VBE_SCMI_MAX_POWER", "VBE_SIM_MAX_POWER"),
    "perf_domains": ("VBE_SCMI_MAX_PERF", "VBE_SIM_MAX_PERF"),
    "sensors": ("VBE_SCMI_MAX_SENSORS", "VBE_SIM_MAX_SENSORS"),
    "resets": ("VBE_SCMI_MAX_RESETS", "VBE_SIM_MAX_RESETS"),
    "voltage_domains": ("VBE_SCMI_MAX_VOLTAGE", "VBE_SIM_MAX_REGULATORS"),
}


def _scmi_limits() -> ScmiLimits | None:
    scmi_h = CORE / "scmi/include/vbe/scmi.h"
    if not scmi_h.exists():
        return None
    wire_h = CORE / "scmi/include/vbe/scmi_wire.h"
    sim = read_defines(CORE / "sim/include/vbe/sim.h")
    per_kind = {}
    for kind, (scmi_name, sim_name) in _SCMI_KIND_DEFINES.items():
        n = _need(scmi_h, scmi_name)
        per_kind[kind] = min(n, sim.get(sim_name, n))
    agents = _need(scmi_h, "VBE_SCMI_MAX_AGENTS")
    return ScmiLimits(
        max_agents=min(agents, sim.get("VBE_SIM_MAX_AGENTS", agents)),
        max_devices=_need(scmi_h, "VBE_SCMI_MAX_DEVICES"),
        max_per_kind=per_kind,
        max_trips=_need(scmi_h, "VBE_SCMI_MAX_TRIPS"),
        max_levels=_need(scmi_h, "VBE_SCMI_MAX_LEVELS"),
        queue_max=_need(scmi_h, "VBE_SCMI_QUEUE_SIZE_MAX"),
        name_size=_need(wire_h, "VBE_SCMI_NAME_SIZE"),
    )


@functools.cache
def core_limits() -> CoreLimits:
    return CoreLimits(
        max_guests=_need(CORE / "sys/include/vbe/sys.h", "VBE_SYS_MAX_GUESTS"),
        max_sim_targets=_need(CORE / "sim/include/vbe/sim.h", "VBE_SIM_MAX_TARGETS"),
        max_sim_buses=_need(CORE / "sim/include/vbe/sim.h", "VBE_SIM_MAX_BUSES"),
        sim_at24_size=_need(CORE / "sim/include/vbe/sim.h", "VBE_SIM_AT24_SIZE"),
        max_devices=_need(CORE / "fvq/include/vbe/fvq_layout.h", "VBE_FVQ_MAX_DEVICES"),
        ring_off=_need(CORE / "fvq/include/vbe/fvq.h", "VBE_FVQ_RING_OFF"),
        data_min=_need(CORE / "fvq/src/fvq.c", "FVQ_DATA_MIN"),
        i2c_queue_max=_need(CORE / "i2c/src/i2c.c", "I2C_QUEUE_SIZE_MAX"),
        scmi=_scmi_limits(),
    )


def split_ring_bytes(size: int) -> int:
    """Bytes of one split virtqueue of ``size`` entries as the driver places it in the ring
    area: descriptors (16 each), avail ring (6 + 2 per entry), used ring (6 + 8 per entry,
    4-aligned), the whole block 64-aligned (pyhost.virtio.device.setup_queue)."""
    desc = 16 * size
    avail = 6 + 2 * size
    used_off = -(-(desc + avail) // 4) * 4
    end = used_off + 6 + 8 * size
    return -(-end // 64) * 64


@dataclass(frozen=True)
class BoardMap:
    """Where a board puts the guest windows.

    ``slot`` > 0: guest i's window is the fixed slot ``base + i * slot`` (at most ``slots``
    of them, each window at most ``slot`` bytes). ``slot`` == 0: windows are placed one
    after the other from ``base`` (page-aligned) unless a guest gives ``window.address``,
    and all must lie in ``[base, end)``. ``base`` None: the board has no address map (the
    host port allocates windows itself).
    """

    name: str
    description: str
    base: int | None = None
    end: int | None = None
    slot: int = 0
    slots: int = 0


@functools.cache
def boards() -> dict[str, BoardMap]:
    bm_dir = BOARDS_DIR / "qemu_virt_baremetal"
    out = {
        "host": BoardMap("host", "the host port (in-process, windows allocated by pyhost)"),
        # zephyr-app/boards/qemu_cortex_a53.overlay: reserved-memory windows from 0x48000000,
        # outside sram0; zephyr-app/boards/qemu_cortex_a53.cmake gives QEMU 256 MiB, so RAM ends at 0x50000000.
        "qemu_cortex_a53": BoardMap(
            "qemu_cortex_a53",
            "Zephyr on QEMU Cortex-A53 (windows are reserved-memory nodes)",
            base=0x48000000,
            end=0x50000000,
        ),
    }
    if (bm_dir / "link.ld").exists() and (bm_dir / "src" / "board.h").exists():
        base = _need(bm_dir / "link.ld", "BM_WINDOWS_BASE")
        slot = _need(bm_dir / "src" / "board.h", "BM_WINDOW_SLOT")
        count = _need(bm_dir / "src" / "board.h", "BM_WINDOW_COUNT")
        out["qemu_virt_baremetal"] = BoardMap(
            "qemu_virt_baremetal",
            "the bare-metal Arm64 port on QEMU virt (fixed window slots)",
            base=base,
            end=base + slot * count,
            slot=slot,
            slots=count,
        )
    return out
