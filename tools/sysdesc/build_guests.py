"""Guests: windows (sizes, the board's address map), I2C views (references, remaps,
collisions, read-only rules) and SCMI agents (grants of platform resources)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sysdesc.build_rules import Ctx, check_7bit, unique_names
from sysdesc.build_scmi import scmi_agent
from sysdesc.limits import PAGE, split_ring_bytes
from sysdesc.loader import PathKey, path_str
from sysdesc.model import Guest, I2cView, Platform, Route, Window
from sysdesc.schema_check import closest
from sysdesc.values import fmt_addr, fmt_size, parse_address, parse_size

DEFAULT_RING_SIZE = 16 * 1024
MAX_SELECT = 2  # widest register select of any target (2-byte EEPROM word address)


def _round_page(n: int) -> int:
    return -(-n // PAGE) * PAGE


def _window(ctx: Ctx, g: int, raw: dict[str, Any], queues: list[int]) -> Window:
    path: PathKey = ("guests", g, "window")
    lim = ctx.limits
    size = parse_size(raw["size"])
    ring = parse_size(raw.get("ring_size", DEFAULT_RING_SIZE))
    if size % PAGE:
        ctx.error(
            (*path, "size"),
            f"{size} bytes is not a whole number of pages ({PAGE} "
            f"bytes); use {fmt_size(_round_page(size))}",
        )
    if size > 0xFFFFFFFF:
        ctx.error((*path, "size"), f"{fmt_size(size)} does not fit the 32-bit window_size")
    if ring % 64 or ring == 0:
        ctx.error(
            (*path, "ring_size"),
            f"ring_size {ring} must be a non-zero multiple of 64 "
            f"bytes; use {max(64, -(-ring // 64) * 64)}",
        )
    need_rings = sum(split_ring_bytes(q) for q in queues)
    if need_rings > ring:
        ctx.error(
            (*path, "ring_size"),
            f"ring_size {fmt_size(ring)} cannot hold the queues of "
            f"this guest's devices at their full size ({need_rings} bytes); use at least "
            f"{fmt_size(-(-need_rings // 1024) * 1024)}",
        )
    need = lim.ring_off + ring + lim.data_min
    if size < need:
        ctx.error(
            (*path, "size"),
            f"{fmt_size(size)} is too small: the header and device "
            f"blocks ({fmt_size(lim.ring_off)}), the ring area ({fmt_size(ring)}) and "
            f"at least {fmt_size(lim.data_min)} of data need "
            f"{fmt_size(_round_page(need))}; raise size (or lower ring_size)",
        )
    address = parse_address(raw["address"]) if "address" in raw else None
    return Window(path_str(path), size, ring, address)


def _place_windows(ctx: Ctx, guests: list[Guest]) -> list[Guest]:
    """Give each window its address on boards that fix one; check overlaps and bounds."""
    board = ctx.board
    if board is None or board.base is None:
        for g in guests:
            if g.window.address is not None:
                ctx.error(
                    ("guests", g.index, "window", "address"),
                    "this board has no fixed window addresses; remove address",
                )
        return guests
    out = []
    if board.slot:
        for g in guests:
            path: PathKey = ("guests", g.index, "window")
            slot_addr = board.base + g.index * board.slot
            if g.window.address is not None and g.window.address != slot_addr:
                ctx.error(
                    (*path, "address"),
                    f"on {board.name} guest {g.index}'s window is "
                    f"the fixed slot at {slot_addr:#x}; remove address",
                )
            if g.window.size > board.slot:
                nxt = "the next guest's slot" if g.index + 1 < board.slots else "past the end"
                ctx.error(
                    (*path, "size"),
                    f"{fmt_size(g.window.size)} overlaps {nxt}: windows "
                    f"on {board.name} are {fmt_size(board.slot)} slots from "
                    f"{board.base:#x}; use at most {fmt_size(board.slot)}",
                )
            out.append(_with_address(g, slot_addr))
        return out
    cursor = board.base
    for g in guests:
        addr = g.window.address if g.window.address is not None else cursor
        if addr % PAGE:
            ctx.error(
                ("guests", g.index, "window", "address"),
                f"{addr:#x} is not page-aligned ({PAGE} bytes); use {_round_page(addr):#x}",
            )
        cursor = _round_page(addr + g.window.size)
        out.append(_with_address(g, addr))
    assert board.end is not None
    for g in out:
        path = ("guests", g.index, "window")
        lo, hi = g.window.address or 0, (g.window.address or 0) + g.window.size
        if lo < board.base or hi > board.end:
            ctx.error(
                path,
                f"the window {lo:#x}..{hi:#x} is outside the windows area of "
                f"{board.name} ({board.base:#x}..{board.end:#x}); move or shrink it",
            )
        for o in out[: g.index]:
            olo = o.window.address or 0
            if lo < olo + o.window.size and olo < hi:
                ctx.error(
                    path,
                    f'the window {lo:#x}..{hi:#x} overlaps guest "{o.name}"\'s '
                    f"{olo:#x}..{olo + o.window.size:#x} "
                    f"({ctx.at(('guests', o.index, 'window'))}); move one of them",
                )
    return out


def _with_address(g: Guest, addr: int) -> Guest:
    return replace(g, window=replace(g.window, address=addr))


def _route(
    ctx: Ctx, path: PathKey, raw: dict[str, Any], view_bus: str, platform: Platform
) -> Route | None:
    bus = platform.bus(view_bus)
    assert bus is not None
    if ("target" in raw) == ("address" in raw):
        ctx.error(
            path,
            "give either `target: NAME` (a target on the bus) or `address: ADDR` "
            "(an address with nothing there), "
            + ("not both" if "target" in raw else "one of them is missing"),
        )
        return None
    target = None
    if "target" in raw:
        name = raw["target"]
        target = bus.target(name)
        if target is None:
            elsewhere = next((t for t in platform.targets if t.name == name), None)
            if elsewhere is not None:
                ctx.error(
                    (*path, "target"),
                    f'target "{name}" is on bus "{elsewhere.bus}", '
                    f'not on "{view_bus}" (this view\'s bus); a guest sees one bus',
                )
            else:
                names = [t.name for t in bus.targets]
                ctx.error(
                    (*path, "target"),
                    f'no target "{name}" on bus "{view_bus}"'
                    f"{closest(name, names)}; targets there: {', '.join(names) or 'none'}",
                )
            return None
        if "ten_bit" in raw:
            ctx.error(
                (*path, "ten_bit"),
                f'a target\'s addressing comes from the target ("{name}"); remove ten_bit here',
            )
        bus_addr, ten = target.address, target.ten_bit
        width = target.address_width
    else:
        bus_addr = parse_address(raw["address"])
        ten = bool(raw.get("ten_bit", False))
        if not check_7bit(ctx, (*path, "address"), bus_addr, ten):
            return None
        there = next((t for t in bus.targets if (t.address, t.ten_bit) == (bus_addr, ten)), None)
        if there is not None:
            ctx.error(
                (*path, "address"),
                f'{fmt_addr(bus_addr, ten)} on bus "{view_bus}" is '
                f'target "{there.name}"; write `target: {there.name}` instead (`address:` '
                "is for addresses with nothing on the bus)",
            )
            return None
        width = MAX_SELECT
    guest_addr = bus_addr
    if "guest_address" in raw:
        guest_addr = parse_address(raw["guest_address"])
        if not check_7bit(ctx, (*path, "guest_address"), guest_addr, ten):
            return None
    read_only = bool(raw.get("read_only", False))
    select = int(raw.get("select_max", 0))
    if select and not read_only:
        ctx.error(
            (*path, "select_max"),
            "select_max applies to read-only routes (a write of "
            "up to that many bytes before a read); remove it or add `read_only: true`",
        )
    elif select > width:
        who = f'target "{target.name}"' if target else "no target"
        ctx.error(
            (*path, "select_max"),
            f"{who} takes a {width}-byte register address; "
            f"select_max may be at most {width} (a wider select would let data through "
            "as a write)",
        )
    return Route(path_str(path), guest_addr, bus_addr, ten, read_only, select, target)


def _i2c(ctx: Ctx, g: int, raw: dict[str, Any], platform: Platform) -> I2cView | None:
    path: PathKey = ("guests", g, "i2c")
    bus = platform.bus(raw["bus"])
    if bus is None:
        names = [b.name for b in platform.i2c_buses]
        ctx.error(
            (*path, "bus"),
            f'no I2C bus "{raw["bus"]}" in platform.i2c_buses'
            f"{closest(raw['bus'], names)}; buses: {', '.join(names) or 'none'}",
        )
        return None
    routes = []
    used: dict[tuple[int, bool], int] = {}
    for d, dev in enumerate(raw["devices"]):
        dpath: PathKey = (*path, "devices", d)
        r = _route(ctx, dpath, dev, bus.name, platform)
        if r is None:
            continue
        where = (r.guest_address, r.ten_bit)
        if where in used:
            field = (
                "guest_address"
                if "guest_address" in dev
                else ("target" if "target" in dev else "address")
            )
            ctx.error(
                (*dpath, field),
                f"the guest would see two devices at "
                f"{fmt_addr(*where)}: {ctx.at((*path, 'devices', used[where]))} is "
                "there already; give one a different guest_address",
            )
        else:
            used[where] = d
        routes.append(r)
    return I2cView(path_str(path), bus.name, bus.id, tuple(routes))


def build_guests(
    ctx: Ctx, raw_guests: list[dict[str, Any]], platform: Platform
) -> tuple[Guest, ...]:
    lim = ctx.limits
    unique_names(ctx, raw_guests, ("guests",), "guest")
    if len(raw_guests) > lim.max_guests:
        ctx.error(
            ("guests", lim.max_guests),
            f"{len(raw_guests)} guests, but the core holds "
            f"{lim.max_guests} (VBE_SYS_MAX_GUESTS in zephyr-app/lib/sys/include/vbe/"
            "sys.h); remove guests or raise VBE_SYS_MAX_GUESTS",
        )
    board = ctx.board
    if board is not None and board.slots and len(raw_guests) > board.slots:
        ctx.error(
            ("guests", board.slots),
            f"{len(raw_guests)} guests, but {board.name} has "
            f"{board.slots} window slots; remove guests",
        )
    guests = []
    agents: dict[str, int] = {}
    for g, raw in enumerate(raw_guests):
        queues = []
        i2c = scmi = None
        if "i2c" in raw:
            i2c = _i2c(ctx, g, raw["i2c"], platform)
            queues.append(lim.i2c_queue_max)
        if "scmi" in raw:
            agent_id = sum(1 for other in raw_guests[:g] if "scmi" in other) + 1
            scmi = scmi_agent(ctx, g, raw["scmi"], raw["name"], agent_id, platform)
            queues.extend(lim.scmi_queues)
            if scmi.agent_name in agents:
                ctx.error(
                    ("guests", g, "scmi", "agent_name")
                    if "agent_name" in raw["scmi"]
                    else ("guests", g, "scmi"),
                    f'SCMI agent name "{scmi.agent_name}" is '
                    f"already used by {ctx.at(('guests', agents[scmi.agent_name]))}; set "
                    "a different agent_name",
                )
            agents.setdefault(scmi.agent_name, g)
        devices = (i2c is not None) + (scmi is not None)
        if devices > lim.max_devices:
            ctx.error(("guests", g), f"{devices} devices, a window holds {lim.max_devices}")
        window = _window(ctx, g, raw["window"], queues)
        grants = bool(raw.get("xen", {}).get("grants", False))
        if grants and devices == 0:
            ctx.warn(
                ("guests", g, "xen", "grants"),
                "this guest has no scmi or i2c device: there is nothing to grant; remove grants",
            )
        guests.append(Guest(path_str(("guests", g)), g, raw["name"], window, scmi, i2c, grants))
    return tuple(_place_windows(ctx, guests))
