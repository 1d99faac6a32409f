"""Linux guest devicetree fragments, ``linux-<guest>.dtsi``: what a guest's Linux kernel
needs to use the devices vbe serves it. One file per guest; include it at the end of the
guest's .dts.

SCMI (the guest has an agent): ``/firmware/scmi`` with ``compatible = "arm,scmi-virtio"``
(Linux's arm_scmi driver binds the first virtio device with ID 32; the binding allows one
device only) and one protocol node for each protocol the agent was granted resources of,
as Documentation/devicetree/bindings/firmware/arm,scmi.yaml defines them:

    protocol@11 power domains      #power-domain-cells = <1>
    protocol@13 performance        #power-domain-cells = <1> (the binding's other choice,
                                   #clock-cells, is for kernels before perf genpd)
    protocol@14 clocks             #clock-cells = <1>
    protocol@15 sensors            #thermal-sensor-cells = <1>
    protocol@16 reset domains      #reset-cells = <1>
    protocol@17 voltage domains    a "regulators" node with one regulator@<id> each

The cell is the agent's own resource id (its grants of a kind, numbered in order); each
node lists them in comments. The base (0x10) and system power (0x12) protocols need no node.

I2C (the guest has a view): the virtio-i2c adapter node, ``compatible =
"virtio,device22"`` (Documentation/devicetree/bindings/i2c/i2c-virtio.yaml), goes inside
the node of the virtio transport that carries the guest's virtio-i2c device. Its address
depends on the machine, so the fragment adds it to ``&vbe_virtio_i2c``: label that
transport node in the guest's .dts. Children sit at GUEST addresses: ``atmel,24c02`` for
an at24 with a 1-byte word address (256 bytes, the simulated EEPROM's size), ``atmel,24c32``
for a 2-byte one (the smallest such part: change it to the part fitted), ``national,lm75``
for an lm75, ``read-only`` on read-only EEPROMs; generic targets and addresses with nothing
on the bus get a comment.

The children are ``status = "disabled"``: Linux's i2c-virtio (checked up to 6.12) registers
its adapter inside probe, before the virtio core sets DRIVER_OK, so a child whose probe
transfers (at24 and lm75 both read the chip) queues a request no vhost-user back-end is
started for yet, and the kernel waits for it forever: the boot hangs. Instantiate them once
the guest runs (the comment of each gives the line), or enable them on a kernel that marks
the device ready before adding the adapter.
"""


from __future__ import annotations

import functools

from sysdesc.dt_text import I2C_TEN_BIT_ADDRESS, Node, cells, dec, header, string
from sysdesc.limits import CORE, read_defines
from sysdesc.model import KIND_PERMS, Grant, Guest, Route, ScmiAgent, System, VoltageDomain
from sysdesc.values import fmt_addr

FILE_PATTERN = "linux-{guest}.dtsi"
#: the label the guest's .dts gives its virtio-i2c transport node
I2C_TRANSPORT_LABEL = "vbe_virtio_i2c"
#: virtio device id of virtio-i2c (virtio 1.2, 5), in hex as "virtio,device<id>" wants it
VIRTIO_ID_I2C = 34
#: the Linux driver id (``new_device`` name) of each target kind with a node
_LINUX_NAME = {"atmel,24c02": "24c02", "atmel,24c32": "24c32", "national,lm75": "lm75"}

# kind -> (protocol define in scmi_wire.h, node label, cells property or None, what)
_PROTOCOLS = {
    "power_domains": ("VBE_SCMI_PROTO_POWER", "vbe_scmi_pd", "#power-domain-cells", "power domain"),
    "perf_domains": (
        "VBE_SCMI_PROTO_PERF",
        "vbe_scmi_perf",
        "#power-domain-cells",
        "performance domain",
    ),
    "clocks": ("VBE_SCMI_PROTO_CLOCK", "vbe_scmi_clk", "#clock-cells", "clock"),
    "sensors": ("VBE_SCMI_PROTO_SENSOR", "vbe_scmi_sensors", "#thermal-sensor-cells", "sensor"),
    "resets": ("VBE_SCMI_PROTO_RESET", "vbe_scmi_reset", "#reset-cells", "reset domain"),
    "voltage_domains": ("VBE_SCMI_PROTO_VOLTAGE", "vbe_scmi_voltage", None, "voltage domain"),
}


@functools.cache
def protocol_ids() -> dict[str, int]:
    """SCMI protocol id per resource kind, from zephyr-app/lib/scmi/include/vbe/scmi_wire.h."""
    defs = read_defines(CORE / "scmi" / "include" / "vbe" / "scmi_wire.h")
    return {kind: defs[p[0]] for kind, p in _PROTOCOLS.items()}


def file_name(guest: Guest) -> str:
    return FILE_PATTERN.format(guest=guest.name)


def _perms(g: Grant) -> str:
    perms = KIND_PERMS[g.kind] if g.all_perms else g.perms
    return ", ".join(perms) if perms else "read-only"


def _regulator(g: Grant, dom: VoltageDomain) -> Node:
    node = Node(
        f"regulator@{g.local_id:x}",
        label=f"vbe_scmi_reg_{g.name}",
        comment=f"{g.key}: {g.name} ({_perms(g)})",
    )
    if dom.levels_uv:
        levels = dom.levels_uv
    else:
        assert dom.range is not None
        levels = (dom.range.min, dom.range.max)
    node.prop("reg", cells(g.local_id)).prop("regulator-name", string(g.name))
    node.prop("regulator-min-microvolt", dec(min(levels)))
    node.prop("regulator-max-microvolt", dec(max(levels)))
    return node


def _protocol(system: System, agent: ScmiAgent, kind: str) -> Node | None:
    grants = agent.granted(kind)
    if not grants:
        return None
    proto = protocol_ids()[kind]
    _, label, cells_prop, what = _PROTOCOLS[kind]
    node = Node(
        f"protocol@{proto:x}",
        label=label,
        comment=f"{agent.key}.grants.{kind}: {what} protocol, {len(grants)} granted",
    )
    node.prop("reg", cells(proto))
    if cells_prop is not None:
        node.prop(cells_prop, dec(1))
        node.note(f"<&{label} N>, N the agent's {what} id:")
        for g in grants:
            node.note(f"{g.local_id}: {g.name} ({g.key}; {_perms(g)})")
        return node
    regs = node.child(Node("regulators"))
    regs.prop("#address-cells", dec(1)).prop("#size-cells", dec(0))
    domains = {d.name: d for d in system.platform.voltage_domains}
    for g in grants:
        regs.child(_regulator(g, domains[g.name]))
    return node


def scmi_node(system: System, agent: ScmiAgent) -> Node:
    """The ``scmi`` node (arm,scmi-virtio) with a protocol node per granted kind; it goes
    under /firmware here, under /passthrough in a Xen DomU's tree (gen_xen)."""
    scmi = Node(
        "scmi",
        comment=f'{agent.key}: SCMI agent {agent.agent_id} "{agent.agent_name}"'
        + (", privileged" if agent.privileged else ""),
    )
    scmi.prop("compatible", string("arm,scmi-virtio"))
    scmi.prop("#address-cells", dec(1)).prop("#size-cells", dec(0))
    for kind in sorted(_PROTOCOLS, key=lambda k: protocol_ids()[k]):
        node = _protocol(system, agent, kind)
        if node is not None:
            scmi.child(node)
    return scmi


def _i2c_child(r: Route) -> Node | str:
    guest = fmt_addr(r.guest_address, r.ten_bit)
    where = f"{r.key}: guest {guest}"
    if r.remapped:
        where += f" -> bus {fmt_addr(r.bus_address, r.ten_bit)}"
    if r.target is None:
        return f"{where}: allowed, nothing on the bus (no node)"
    t = r.target
    where = f"{where}: {t.name} ({t.kind}){', read-only' if r.read_only else ''}"
    reg = r.guest_address | (I2C_TEN_BIT_ADDRESS if r.ten_bit else 0)
    if t.kind == "generic":
        return f"{where}: no compatible known; add the node of its driver at reg {reg:#x}"
    if t.kind == "at24":
        compatible = "atmel,24c02" if t.address_width == 1 else "atmel,24c32"
        node = Node(f"eeprom@{reg:x}", comment=where)
    else:
        compatible = "national,lm75"
        node = Node(f"sensor@{reg:x}", comment=where)
    node.prop("compatible", string(compatible)).prop("reg", cells(reg))
    if t.kind == "at24" and r.read_only:
        node.prop("read-only")
    node.prop("status", string("disabled"))
    node.note(
        "disabled: Linux's i2c-virtio adds the adapter before DRIVER_OK, so a probe-time "
        f"transfer would hang the boot; at run time: echo {_LINUX_NAME[compatible]} {reg:#x} > "
        "/sys/bus/i2c/devices/i2c-N/new_device"
    )
    return node


def i2c_adapter(guest: Guest) -> Node:
    """The virtio-i2c adapter node (``i2c``, virtio,device22) with the guest's targets: a
    child of the virtio-mmio transport node of the guest's virtio-i2c device."""
    view = guest.i2c
    assert view is not None
    adapter = Node(
        "i2c", comment=f'{view.key}: virtio-i2c, this guest\'s view of platform bus "{view.bus}"'
    )
    adapter.prop("compatible", string(f"virtio,device{VIRTIO_ID_I2C:x}"))
    adapter.prop("#address-cells", dec(1)).prop("#size-cells", dec(0))
    for r in view.routes:
        c = _i2c_child(r)
        if isinstance(c, str):
            adapter.note(c)
        else:
            adapter.child(c)
    return adapter


def _i2c(guest: Guest) -> Node:
    transport = Node(f"&{I2C_TRANSPORT_LABEL}")
    transport.child(i2c_adapter(guest))
    return transport


def fragment(system: System, guest: Guest) -> str:
    """The .dtsi text for one guest."""
    what = []
    if guest.scmi is not None:
        what.append("/firmware/scmi (arm,scmi-virtio) with the protocols its agent was granted")
    if guest.i2c is not None:
        what.append(
            f"the virtio-i2c adapter, added to the virtio transport node the guest's .dts "
            f"labels {I2C_TRANSPORT_LABEL}, with its devices at the guest's addresses"
        )
    body = [
        "Include it at the end of the guest's .dts; it adds "
        + ("; and ".join(what) if what else "nothing: this guest has no vbe devices")
        + ". Cells and regulator ids are the agent's own resource ids (its grants of each "
        "kind, in order)."
    ]
    head = header(
        system.source,
        f'Linux devicetree fragment for guest {guest.index} "{guest.name}" of system '
        f'"{system.name}".',
        body,
    )
    parts: list[str] = []
    if guest.scmi is not None:
        top = Node("/")
        top.child(Node("firmware")).child(scmi_node(system, guest.scmi))
        parts.append("\n".join(top.lines()))
    if guest.i2c is not None:
        parts.append("\n".join(_i2c(guest).lines()))
    return head + "".join(f"\n{p}\n" for p in parts)


def generate(system: System) -> dict[str, str]:
    """File name -> text, one fragment per guest."""
    return {file_name(g): fragment(system, g) for g in system.guests}
