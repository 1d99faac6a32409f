"""A picture of the system, ``system.svg``: guests on the left, the platform's resources on
the right, one line per grant.

- Left: one box per guest (window size and address), with a box per virtio device: the
  virtio-i2c view (its bus, and the addresses it may use where nothing answers) and the
  virtio-scmi agent (id, name, privileged).
- Right: a table of every platform resource, grouped: each I2C bus with its targets, then
  each SCMI protocol with its resources. Resources no guest reaches stay in the table, grey.
  One column per guest says what that guest may do: for I2C the guest address (and the bus
  address when remapped, ``0x49→0x48``) and ``RO`` when read-only; for SCMI ``control``
  (everything), the perms granted (``state``, ``level``, ``config``) or ``read``.
- Lines: from a guest's device to each resource it reaches, in the guest's colour; dashed
  when the grant is read-only.

Hand-built SVG (no dependency), integer coordinates, document order: the same description
gives the same bytes. Each guest, device and resource element carries an XML comment with
the key of the description that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from sysdesc.model import (
    KIND_PERMS,
    RESOURCE_KINDS,
    Clock,
    Grant,
    Guest,
    PerfDomain,
    Route,
    Sensor,
    System,
    VoltageDomain,
)
from sysdesc.values import fmt_addr, fmt_freq, fmt_size

FILE_NAME = "system.svg"

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
COLOURS = ("#1f6fb4", "#c0392b", "#2e8b3e", "#8e44ad", "#d68910", "#16a085")
MARGIN = 20
GUEST_W = 270
CURVE_W = 230
CELL_W = 124
ROW_H = 20
HEAD_H = 28
CHAR_W = 7  # rough width of a 12 px character
KIND_TITLES = {
    "clocks": "clocks",
    "power_domains": "power domains",
    "perf_domains": "performance domains",
    "sensors": "sensors",
    "resets": "reset domains",
    "voltage_domains": "voltage domains",
}
# SCMI protocol ids (DEN0056; zephyr-app/lib/scmi/include/vbe/scmi_wire.h) for the headings
KIND_PROTOCOLS = {
    "power_domains": 0x11,
    "perf_domains": 0x13,
    "clocks": 0x14,
    "sensors": 0x15,
    "resets": 0x16,
    "voltage_domains": 0x17,
}


@dataclass
class Row:
    """One line of the resource table: a heading or a resource with one cell per guest."""

    key: str
    text: str
    detail: str = ""
    heading: bool = False
    cells: dict[int, tuple[str, bool]] = field(default_factory=dict)  # guest -> (text, ro)
    y: int = 0


@dataclass
class Device:
    key: str
    lines: list[str]
    kind: str  # "i2c" or "scmi"
    y: int = 0
    h: int = 0


def _colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]


def _route_cell(r: Route) -> tuple[str, bool]:
    text = fmt_addr(r.guest_address, r.ten_bit)
    if r.remapped:
        text += "→" + fmt_addr(r.bus_address, r.ten_bit)
    if r.read_only:
        text += " RO"
    return text, r.read_only


def _grant_cell(g: Grant) -> tuple[str, bool]:
    if g.all_perms or (g.perms and set(g.perms) == set(KIND_PERMS[g.kind])):
        return "control", False
    if not g.perms:
        return "read", True
    return "+".join(g.perms), False


def _detail(res: object) -> str:
    if isinstance(res, Clock):
        if res.range is not None:
            return f"{fmt_freq(res.range.min)}..{fmt_freq(res.range.max)}"
        return f"{len(res.rates)} rates" if len(res.rates) > 1 else fmt_freq(res.rates[0])
    if isinstance(res, PerfDomain):
        return f"{len(res.levels)} levels"
    if isinstance(res, Sensor):
        return f"{res.type}, {res.unit}"
    if isinstance(res, VoltageDomain):
        lv = res.levels_uv or ((res.range.min, res.range.max) if res.range else ())
        return f"{min(lv) / 1e6:g}..{max(lv) / 1e6:g} V" if lv else ""
    return ""


def _rows(system: System) -> list[Row]:
    rows: list[Row] = []
    plat = system.platform
    for bus in plat.i2c_buses:
        rows.append(Row(bus.key, f"I2C bus {bus.name} (platform bus {bus.id})", heading=True))
        for t in bus.targets:
            row = Row(t.key, t.name, f"{fmt_addr(t.address, t.ten_bit)} {t.kind}")
            for g in system.guests:
                if g.i2c is None or g.i2c.bus != bus.name:
                    continue
                for r in g.i2c.routes:
                    if r.target is not None and r.target.name == t.name:
                        row.cells[g.index] = _route_cell(r)
            rows.append(row)
    for kind in RESOURCE_KINDS:
        resources = plat.resources(kind)
        if not resources:
            continue
        title = f"SCMI {KIND_TITLES[kind]} (protocol {KIND_PROTOCOLS[kind]:#x})"
        rows.append(Row(f"platform.{kind}", title, heading=True))
        for res in resources:
            row = Row(res.key, res.name, _detail(res))
            for g in system.guests:
                if g.scmi is None:
                    continue
                for gr in g.scmi.granted(kind):
                    if gr.id == res.id:
                        row.cells[g.index] = _grant_cell(gr)
            rows.append(row)
    return rows


def _devices(g: Guest) -> list[Device]:
    out = []
    if g.i2c is not None:
        lines = [f"virtio-i2c on {g.i2c.bus}"]
        absent = [r for r in g.i2c.routes if r.target is None]
        if absent:
            addrs = ", ".join(fmt_addr(r.guest_address, r.ten_bit) for r in absent)
            lines.append(f"no target at {addrs}")
        out.append(Device(g.i2c.key, lines, "i2c"))
    if g.scmi is not None:
        a = g.scmi
        lines = [f'virtio-scmi: agent {a.agent_id} "{a.agent_name}"']
        flags = [
            f for f, on in (("privileged", a.privileged), ("system power", a.system_power)) if on
        ]
        lines.append(f"{len(a.grants)} grants" + (f"; {', '.join(flags)}" if flags else ""))
        out.append(Device(a.key, lines, "scmi"))
    return out


def _text(x: int, y: int, text: str, size: int = 12, **attrs: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attrs.items())
    return f'<text x="{x}" y="{y}" font-size="{size}"{extra}>{escape(text)}</text>'


def generate(system: System) -> str:
    rows = _rows(system)
    guests = system.guests
    name_chars = max([len(r.text) + len(r.detail) + 2 for r in rows if not r.heading] + [24])
    res_w = max(230, 16 + name_chars * CHAR_W)
    x_res = MARGIN + GUEST_W + CURVE_W
    x_cells = x_res + res_w
    width = x_cells + max(1, len(guests)) * CELL_W + MARGIN
    top = 92  # title, subtitle, legend, column headings

    y = top
    for r in rows:
        y += HEAD_H if r.heading else ROW_H
        r.y = y - (8 if r.heading else 6)  # text baseline
    right_h = y - top

    devices = {g.index: _devices(g) for g in guests}
    heights = {g.index: 46 + sum(10 + 18 * len(d.lines) for d in devices[g.index]) for g in guests}
    left_h = sum(heights.values()) + 16 * max(0, len(guests) - 1)
    body_h = max(right_h, left_h)
    share = body_h // max(1, len(guests))
    height = top + body_h + MARGIN

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<!-- generated by vbe from {escape(system.source)}, do not edit -->",
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="{FONT}">'
        ),
        f"<title>{escape(f'system {system.name} on {system.board}')}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        _text(MARGIN, 28, f'system "{system.name}" on {system.board}', 18, font_weight="bold"),
        _text(
            MARGIN,
            48,
            f"{len(guests)} guest{'s' if len(guests) != 1 else ''}, what each reaches on the "
            f"platform (generated by vbe from {system.source})",
            12,
            fill="#555555",
        ),
        (
            f'<line x1="{MARGIN}" y1="62" x2="{MARGIN + 28}" y2="62" stroke="#444444" '
            'stroke-width="2"/>'
        ),
        _text(MARGIN + 34, 66, "may change", 11, fill="#444444"),
        (
            f'<line x1="{MARGIN + 120}" y1="62" x2="{MARGIN + 148}" y2="62" stroke="#444444" '
            'stroke-width="2" stroke-dasharray="5,3"/>'
        ),
        _text(MARGIN + 154, 66, "read-only", 11, fill="#444444"),
        _text(
            MARGIN + 240,
            66,
            "cells: I2C guest address→bus address, RO read-only; SCMI control (all), "
            "state, level, config or read",
            11,
            fill="#444444",
        ),
    ]
    # column headings over the guest cells
    for g in guests:
        cx = x_cells + g.index * CELL_W + CELL_W // 2
        out.append(
            _text(
                cx,
                top - 8,
                g.name,
                12,
                fill=_colour(g.index),
                font_weight="bold",
                text_anchor="middle",
            )
        )
    out += _right(rows, guests, x_res, x_cells)
    out += _left(system, devices, heights, share, top)
    out += _lines(system, rows, devices, x_res)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _right(rows: list[Row], guests: tuple[Guest, ...], x_res: int, x_cells: int) -> list[str]:
    out = ["<g>"]
    end = x_cells + max(1, len(guests)) * CELL_W
    stripe = 0
    for r in rows:
        out.append(f"<!-- {escape(r.key)} -->")
        if r.heading:
            stripe = 0
            out.append(_text(x_res + 4, r.y, r.text, 13, font_weight="bold", fill="#222222"))
            out.append(
                f'<line x1="{x_res}" y1="{r.y + 4}" x2="{end}" y2="{r.y + 4}" '
                'stroke="#999999" stroke-width="1"/>'
            )
            continue
        if stripe % 2:
            out.append(
                f'<rect x="{x_res}" y="{r.y - 14}" width="{end - x_res}" height="{ROW_H}" '
                'fill="#f2f4f7"/>'
            )
        stripe += 1
        reached = bool(r.cells)
        out.append(
            f'<text x="{x_res + 8}" y="{r.y}" font-size="12" '
            f'fill="{"#111111" if reached else "#999999"}">{escape(r.text)}'
            f'<tspan dx="8" font-size="10" fill="#777777">{escape(r.detail)}</tspan></text>'
        )
        for gi, (text, _ro) in sorted(r.cells.items()):
            cx = x_cells + gi * CELL_W + CELL_W // 2
            out.append(_text(cx, r.y, text, 11, fill=_colour(gi), text_anchor="middle"))
        for g in guests:  # column rules, row by row so that headings stay clear
            x = x_cells + g.index * CELL_W
            out.append(
                f'<line x1="{x}" y1="{r.y - 14}" x2="{x}" y2="{r.y - 14 + ROW_H}" '
                'stroke="#dddddd" stroke-width="1"/>'
            )
    out.append("</g>")
    return out


def _left(
    system: System, devices: dict[int, list[Device]], heights: dict[int, int], share: int, top: int
) -> list[str]:
    out = ["<g>"]
    for g in system.guests:
        colour = _colour(g.index)
        h = heights[g.index]
        y0 = top + g.index * share + max(0, (share - h) // 2)
        out.append(f"<!-- {escape(g.key)}: guest {g.index} {escape(g.name)} -->")
        out.append(
            f'<rect x="{MARGIN}" y="{y0}" width="{GUEST_W}" height="{h}" rx="8" '
            f'fill="#ffffff" stroke="{colour}" stroke-width="2"/>'
        )
        out.append(_text(MARGIN + 10, y0 + 20, g.name, 15, font_weight="bold", fill=colour))
        where = f" at {g.window.address:#x}" if g.window.address is not None else ""
        out.append(
            _text(
                MARGIN + 10,
                y0 + 36,
                f"guest {g.index}, window {fmt_size(g.window.size)}{where}",
                11,
                fill="#555555",
            )
        )
        y = y0 + 46
        for d in devices[g.index]:
            d.h = 4 + 18 * len(d.lines)
            d.y = y
            out.append(f"<!-- {escape(d.key)} -->")
            out.append(
                f'<rect x="{MARGIN + 10}" y="{y}" width="{GUEST_W - 20}" height="{d.h}" rx="4" '
                f'fill="#f7f9fb" stroke="{colour}" stroke-width="1"/>'
            )
            for i, line in enumerate(d.lines):
                out.append(
                    _text(
                        MARGIN + 18,
                        y + 15 + 18 * i,
                        line,
                        12 if i == 0 else 11,
                        fill="#111111" if i == 0 else "#555555",
                    )
                )
            y += d.h + 10
    out.append("</g>")
    return out


def _lines(
    system: System, rows: list[Row], devices: dict[int, list[Device]], x_res: int
) -> list[str]:
    out = ['<g fill="none" stroke-width="1.5" stroke-opacity="0.6">']
    n = max(1, len(system.guests))
    x0 = MARGIN + GUEST_W - 10
    x1 = x_res - 2
    mid = (x0 + x1) // 2
    for g in system.guests:
        colour = _colour(g.index)
        i2c_keys = {r.target.key for r in g.i2c.routes if r.target} if g.i2c else set()
        for dev in devices[g.index]:
            ends = [
                r
                for r in rows
                if not r.heading
                and g.index in r.cells
                and (r.key in i2c_keys) == (dev.kind == "i2c")
            ]
            # spread the starts over the device box, in the order of the rows they reach
            span = max(0, dev.h - 8)
            for i, r in enumerate(ends):
                y0 = dev.y + 4 + (span * i // (len(ends) - 1) if len(ends) > 1 else span // 2)
                y1 = r.y - 4 + (2 * g.index - (n - 1)) * 2
                dash = ' stroke-dasharray="5,3"' if r.cells[g.index][1] else ""
                out.append(
                    f'<path d="M{x0},{y0} C{mid},{y0} {mid},{y1} {x1},{y1}" '
                    f'stroke="{colour}"{dash}/>'
                )
    out.append("</g>")
    return out
