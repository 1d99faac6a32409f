"""The Zephyr devicetree overlay for zephyr-app, ``vbe.overlay``: what
zephyr-app/boards/qemu_cortex_a53.overlay writes by hand, generated from the description.

- ``reserved-memory``: one ``no-map`` node per guest window, nodelabel ``vbe_win<i>`` for
  guest *i* (zephyr-app/src/main.c maps ``DT_NODELABEL(vbe_win<i>)``). Addresses: the
  model's when the description's board is a Zephyr board; otherwise the windows are placed
  for the Zephyr board one after the other, page-aligned, from its window base (qemu_cortex_a53:
  0x48000000, see sysdesc.limits.boards).
- one ``zephyr,i2c-emul-controller`` per platform bus, nodelabel ``vbe_i2c<id>``, and
  ``chosen { vbe,i2c-bus<id> = &vbe_i2c<id>; }`` (zephyr-app/src/plat_zephyr_i2c.c takes
  bus N from ``DT_CHOSEN(vbe_i2c_bus<N>)``);
- on each bus, Zephyr's AT24 emulator (``atmel,at24``) for every at24 target with a 1-byte
  word address at a 7-bit address (the emulator reads the word address from one byte).
  Zephyr has no LM75 emulator, and generic targets have none: they get a comment, and a
  transfer to them fails on this board as a NACK would.
- for each SCMI resource kind with a ``zephyr:`` hookup, a ``vbe,scmi-<kind>`` node
  (zephyr/dts/bindings) whose child ``<kind>@<id>`` (``reg = <id>``) is platform resource
  *id* and names its Zephyr device: ``clocks`` (+ ``subsys-cell``), ``domain``, ``resets``,
  ``regulator``, ``sensor`` (+ ``channel``). zephyr-app/src/plat_zephyr_<kind>.c build
  their tables from them; a resource without a child answers
  NOT_SUPPORTED. The labels referenced are the board's: the overlay does not define them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sysdesc.dt_text import Node, cells, dec, header, string
from sysdesc.limits import PAGE, REPO, BoardMap, boards, core_limits, read_defines
from sysdesc.model import I2cTarget, System, ZephyrHookup
from sysdesc.values import fmt_addr, fmt_size

FILE_NAME = "vbe.overlay"
#: The Zephyr board the overlay is for when the description's board is not a Zephyr one.
DEFAULT_ZEPHYR_BOARD = "qemu_cortex_a53"
#: Boards of sysdesc.limits that are not Zephyr boards.
NON_ZEPHYR_BOARDS = ("host", "qemu_virt_baremetal")

# As zephyr-app/boards/qemu_cortex_a53.overlay: the AT24 emulator refuses bus speeds above standard
# mode; 16-byte pages and a 5 ms write time are the simulated AT24's shape.
BUS_FREQUENCY_HZ = 100_000
AT24_PAGE_SIZE = 16
AT24_TIMEOUT_MS = 5
BUS_REG_STRIDE = 0x100  # emulated controllers have no registers; reg is only required

PORT_MAIN = REPO / "zephyr-app" / "src" / "main.c"
PORT_HEADER = REPO / "zephyr-app" / "src" / "vbe_zephyr.h"

#: SCMI resource kind -> (node name, as in compatible "vbe,<name>"; child node name; what
#: the comments call one)
SCMI_NODES = {
    "clocks": ("scmi-clocks", "clock", "clock"),
    "power_domains": ("scmi-power-domains", "domain", "power domain"),
    "resets": ("scmi-resets", "reset", "reset line"),
    "voltage_domains": ("scmi-regulators", "regulator", "voltage domain"),
    "sensors": ("scmi-sensors", "sensor", "sensor"),
}


class OverlayError(ValueError):
    """The system does not fit what the Zephyr port can name; the message says what to do."""


@dataclass(frozen=True)
class PortLimits:
    windows: int  # VBE_DT_WINDOW(n) entries in zephyr-app/src/main.c
    buses: int  # VBE_ZEPHYR_I2C_BUSES (zephyr-app/src/vbe_zephyr.h)


def port_limits() -> PortLimits:
    """What the Zephyr port can name, read from its sources."""
    windows = len(re.findall(r"^\s*VBE_DT_WINDOW\(\d+\),", PORT_MAIN.read_text(), re.MULTILINE))
    buses = read_defines(PORT_HEADER).get("VBE_ZEPHYR_I2C_BUSES", 0)
    return PortLimits(windows=windows, buses=buses)


def zephyr_board(system: System) -> str:
    return DEFAULT_ZEPHYR_BOARD if system.board in NON_ZEPHYR_BOARDS else system.board


def window_addresses(system: System) -> list[int]:
    """Guest physical address of each guest's window on the Zephyr board."""
    board_name = zephyr_board(system)
    if board_name == system.board:
        return [g.window.address or 0 for g in system.guests]
    board: BoardMap = boards()[board_name]
    assert board.base is not None and board.end is not None
    out, cursor = [], board.base
    for g in system.guests:
        out.append(cursor)
        cursor += -(-g.window.size // PAGE) * PAGE
    if cursor > board.end:
        raise OverlayError(
            f"the windows of {system.source} need {cursor - board.base:#x} bytes from "
            f"{board.base:#x}, more than {board_name} has ({board.end:#x}); shrink them"
        )
    return out


def emulated(t: I2cTarget) -> bool:
    """Zephyr's AT24 emulator can stand in for this target."""
    return t.kind == "at24" and t.address_width == 1 and not t.ten_bit


def _why_not(t: I2cTarget) -> str:
    if t.kind == "lm75":
        return "Zephyr has no LM75 emulator"
    if t.kind == "generic":
        return "a generic target has no emulator"
    if t.ten_bit:
        return "the AT24 emulator takes 7-bit addresses only"
    return "the AT24 emulator reads a 1-byte word address only"


def _bus_node(system: System, b_index: int) -> Node:
    bus = system.platform.i2c_buses[b_index]
    node = Node(
        f"i2c@{BUS_REG_STRIDE * (bus.id + 1):x}",
        label=f"vbe_i2c{bus.id}",
        comment=f'{bus.key}: platform bus {bus.id} "{bus.name}", an emulated controller',
    )
    node.prop("compatible", string("zephyr,i2c-emul-controller"))
    node.prop("reg", cells(0, BUS_REG_STRIDE * (bus.id + 1), 0, 4))
    node.prop("#address-cells", dec(1)).prop("#size-cells", dec(0))
    node.prop("clock-frequency", dec(BUS_FREQUENCY_HZ)).prop("status", string("okay"))
    size = core_limits().sim_at24_size
    for t in bus.targets:
        where = f'{t.key}: "{t.name}" ({t.kind}) at {fmt_addr(t.address, t.ten_bit)}'
        if not emulated(t):
            node.note(f"{where}: {_why_not(t)}; transfers to it fail as a NACK would")
            continue
        emu = Node(
            f"eeprom@{t.address:x}",
            label=f"vbe_i2c{bus.id}_{t.name}",
            comment=f"{where}: Zephyr's AT24 emulator, {size} bytes, 1-byte word address",
        )
        emu.prop("compatible", string("atmel,at24")).prop("reg", cells(t.address))
        emu.prop("size", dec(size)).prop("pagesize", dec(AT24_PAGE_SIZE))
        emu.prop("address-width", dec(8)).prop("timeout", dec(AT24_TIMEOUT_MS))
        node.child(emu)
    return node


def _hookup_node(kind: str, rid: int, name: str, z: ZephyrHookup) -> Node:
    _name, child, word = SCMI_NODES[kind]
    node = Node(f"{child}@{rid:x}", comment=f'{z.key}: platform {word} {rid} "{name}"')
    node.prop("reg", cells(rid))
    node.prop(z.prop, f"<{z.ref}>")
    if z.cell is not None:
        node.prop("subsys-cell", string(z.cell))
    if z.channel is not None:
        node.prop("channel", string(z.channel))
    return node


def scmi_nodes(system: System) -> list[Node]:
    """One vbe,scmi-<kind> node per kind with at least one hooked-up resource."""
    out = []
    for kind, (name, _child, _word) in SCMI_NODES.items():
        res = system.platform.resources(kind)
        hooked = [r for r in res if r.zephyr is not None]  # type: ignore[union-attr]
        if not hooked:
            continue
        node = Node(
            name,
            label="vbe_" + name.replace("-", "_"),
            comment=f"platform.{kind}: the Zephyr devices behind SCMI {kind.replace('_', ' ')}",
        )
        node.prop("compatible", string(f"vbe,{name}"))
        node.prop("#address-cells", dec(1)).prop("#size-cells", dec(0))
        for r in hooked:
            node.child(_hookup_node(kind, r.id, r.name, r.zephyr))  # type: ignore[union-attr,arg-type]
        out.append(node)
    return out


def _check_port(system: System) -> None:
    lim = port_limits()
    if len(system.guests) > lim.windows:
        raise OverlayError(
            f"{system.source} has {len(system.guests)} guests, but zephyr-app/src/main.c maps "
            f"{lim.windows} windows (VBE_DT_WINDOW); add entries there or remove guests"
        )
    for b in system.platform.i2c_buses:
        if b.id >= lim.buses:
            raise OverlayError(
                f"{b.key}: bus {b.id}, but the Zephyr port names buses 0..{lim.buses - 1} "
                "(VBE_ZEPHYR_I2C_BUSES in zephyr-app/src/vbe_zephyr.h); raise it"
            )


def root(system: System) -> Node:
    """The overlay's root node."""
    _check_port(system)
    top = Node("/")
    plat = system.platform
    if plat.i2c_buses:
        chosen = top.child(Node("chosen"))
        for b in plat.i2c_buses:
            chosen.prop(f"vbe,i2c-bus{b.id}", f"&vbe_i2c{b.id}", f'{b.key}: "{b.name}"')
    if system.guests:
        mem = top.child(Node("reserved-memory"))
        mem.prop("#address-cells", dec(2)).prop("#size-cells", dec(2)).prop("ranges")
        for g, addr in zip(system.guests, window_addresses(system), strict=True):
            win = Node(
                f"window@{addr:x}",
                label=f"vbe_win{g.index}",
                comment=f'{g.window.key}: guest {g.index} "{g.name}", {fmt_size(g.window.size)}',
            )
            win.prop("reg", cells(addr >> 32, addr & 0xFFFFFFFF, 0, g.window.size)).prop("no-map")
            mem.child(win)
    for i in range(len(plat.i2c_buses)):
        top.child(_bus_node(system, i))
    for node in scmi_nodes(system):
        top.child(node)
    return top


def generate(system: System) -> str:
    board = zephyr_board(system)
    where = (
        "the windows at the description's addresses"
        if board == system.board
        else f"the windows placed for {board} (the description's board, {system.board}, "
        "puts them elsewhere)"
    )
    head = header(
        system.source,
        f'Zephyr devicetree overlay for zephyr-app on {board}, system "{system.name}" '
        "(pass it as DTC_OVERLAY_FILE, in place of zephyr-app/boards/<board>.overlay; "
        "vbe build --board zephyr does).",
        [
            (
                "Guest i's window is the reserved-memory node labelled vbe_win<i> "
                f"(zephyr-app/src/main.c maps it); {where}. Platform I2C bus N is chosen "
                "vbe,i2c-bus<N>, an emulated controller (zephyr-app/src/plat_zephyr_i2c.c); "
                "Zephyr's AT24 emulator stands in for each at24 target with a 1-byte word "
                "address, other targets have no emulator here."
            ),
            (
                "Needs the Kconfig fragment generated with it (vbe.conf): CONFIG_EMUL, "
                "CONFIG_I2C_EMUL and, for the AT24 emulator, CONFIG_EEPROM_AT2X_EMUL."
            ),
            *(
                [
                    (
                        "SCMI platform resource N of a kind is the child with reg = <N> of its "
                        "vbe,scmi-<kind> node (zephyr/dts/bindings); the labels those "
                        "children reference are the board's devices. Resources without a child "
                        "answer NOT_SUPPORTED on Zephyr."
                    )
                ]
                if scmi_nodes(system)
                else []
            ),
        ],
    )
    return head + "\n" + "\n".join(root(system).lines()) + "\n"
