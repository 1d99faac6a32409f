"""SCMI wire format (DEN0056E 4.1) as the agent side packs and parses it.

Every constant comes from ``vbe/scmi_wire.h`` (read with ``pyhost.headers``), the header the
C server is built from: ``W("CLOCK_RATE_SET")`` is ``VBE_SCMI_CLOCK_RATE_SET``.

A message is a le32 header (message id 7:0, type 9:8, protocol 17:10, token 27:18), then
le32 words. A response is the command's header echoed, a le32 status, and return values
(only on SUCCESS).
"""

from __future__ import annotations

import functools
import struct
from dataclasses import dataclass

from pyhost.headers import SCMI_WIRE_H, defines, enum


@functools.cache
def _defines() -> dict[str, int]:
    return {
        k.removeprefix("VBE_SCMI_"): c.value for k, c in defines(SCMI_WIRE_H, "VBE_SCMI_").items()
    }


def W(name: str) -> int:
    """``VBE_SCMI_<name>`` from scmi_wire.h; KeyError names the header if it is missing."""
    try:
        return _defines()[name]
    except KeyError:
        raise KeyError(f"VBE_SCMI_{name} is not defined in {SCMI_WIRE_H}") from None


@functools.cache
def statuses() -> dict[int, str]:
    """Status code -> name (``enum vbe_scmi_status``): {0: "SUCCESS", -4: "NOT_FOUND"...}."""
    out = {}
    for k, c in enum(SCMI_WIRE_H, "vbe_scmi_status").items():
        if not k.endswith("_COUNT"):
            out[c.value] = k.removeprefix("VBE_SCMI_")
    return out


def status_code(name: str) -> int:
    for code, n in statuses().items():
        if n == name:
            return code
    raise KeyError(f"no SCMI status {name!r} (known: {', '.join(statuses().values())})")


def status_name(code: int) -> str:
    return statuses().get(code, f"status {code}")


TYPE_COMMAND = W("TYPE_COMMAND")
TYPE_DELAYED = W("TYPE_DELAYED_RESPONSE")
TYPE_NOTIFICATION = W("TYPE_NOTIFICATION")
TOKEN_MASK = W("HDR_TOKEN_MASK")
PAYLOAD_MAX = W("PAYLOAD_MAX")
NAME_SIZE = W("NAME_SIZE")
EXT_NAME_SIZE = W("EXT_NAME_SIZE")
SUCCESS = status_code("SUCCESS")

#: protocol id -> name, from VBE_SCMI_PROTO_*
PROTOCOLS: dict[int, str] = {
    v: k.removeprefix("PROTO_").lower() for k, v in _defines().items() if k.startswith("PROTO_")
}
#: the protocol of each kind of platform resource (ScmiGrant.kind)
KIND_PROTOCOL = {
    kind: W(f"PROTO_{kind.upper()}")
    for kind in ("clock", "power", "perf", "sensor", "reset", "voltage")
}

# message ids of each protocol, by the define names of scmi_wire.h (notifications and
# flags share the prefixes, so the messages are listed)
_COMMON = (
    "MSG_PROTOCOL_VERSION",
    "MSG_PROTOCOL_ATTRIBUTES",
    "MSG_PROTOCOL_MESSAGE_ATTRIBUTES",
    "MSG_NEGOTIATE_PROTOCOL_VERSION",
)
_MESSAGES = {
    "BASE": (
        "BASE_DISCOVER_VENDOR",
        "BASE_DISCOVER_SUB_VENDOR",
        "BASE_DISCOVER_IMPLEMENTATION_VERSION",
        "BASE_DISCOVER_LIST_PROTOCOLS",
        "BASE_DISCOVER_AGENT",
        "BASE_NOTIFY_ERRORS",
        "BASE_SET_DEVICE_PERMISSIONS",
        "BASE_SET_PROTOCOL_PERMISSIONS",
        "BASE_RESET_AGENT_CONFIGURATION",
    ),
    "POWER": (
        "POWER_DOMAIN_ATTRIBUTES",
        "POWER_STATE_SET",
        "POWER_STATE_GET",
        "POWER_STATE_NOTIFY",
        "POWER_DOMAIN_NAME_GET",
    ),
    "SYSTEM": ("SYSTEM_POWER_STATE_SET", "SYSTEM_POWER_STATE_GET", "SYSTEM_POWER_STATE_NOTIFY"),
    "PERF": (
        "PERF_DOMAIN_ATTRIBUTES",
        "PERF_DESCRIBE_LEVELS",
        "PERF_LIMITS_SET",
        "PERF_LIMITS_GET",
        "PERF_LEVEL_SET",
        "PERF_LEVEL_GET",
        "PERF_NOTIFY_LIMITS",
        "PERF_NOTIFY_LEVEL",
        "PERF_DESCRIBE_FASTCHANNEL",
        "PERF_DOMAIN_NAME_GET",
    ),
    "CLOCK": (
        "CLOCK_ATTRIBUTES",
        "CLOCK_DESCRIBE_RATES",
        "CLOCK_RATE_SET",
        "CLOCK_RATE_GET",
        "CLOCK_CONFIG_SET",
        "CLOCK_NAME_GET",
        "CLOCK_RATE_NOTIFY",
        "CLOCK_RATE_CHANGE_REQUESTED_NOTIFY",
        "CLOCK_CONFIG_GET",
        "CLOCK_GET_PERMISSIONS",
    ),
    "SENSOR": (
        "SENSOR_DESCRIPTION_GET",
        "SENSOR_TRIP_POINT_NOTIFY",
        "SENSOR_TRIP_POINT_CONFIG",
        "SENSOR_READING_GET",
        "SENSOR_AXIS_DESCRIPTION_GET",
        "SENSOR_LIST_UPDATE_INTERVALS",
        "SENSOR_CONFIG_GET",
        "SENSOR_CONFIG_SET",
        "SENSOR_CONTINUOUS_UPDATE_NOTIFY",
        "SENSOR_NAME_GET",
    ),
    "RESET": ("RESET_DOMAIN_ATTRIBUTES", "RESET", "RESET_NOTIFY", "RESET_DOMAIN_NAME_GET"),
    "VOLTAGE": (
        "VOLTAGE_DOMAIN_ATTRIBUTES",
        "VOLTAGE_DESCRIBE_LEVELS",
        "VOLTAGE_CONFIG_SET",
        "VOLTAGE_CONFIG_GET",
        "VOLTAGE_LEVEL_SET",
        "VOLTAGE_LEVEL_GET",
        "VOLTAGE_DOMAIN_NAME_GET",
    ),
}


@functools.cache
def messages(proto: int) -> dict[int, str]:
    """Message id -> define name (without VBE_SCMI_) of a protocol's commands."""
    name = PROTOCOLS.get(proto, "").upper()
    return {W(n): n for n in _COMMON + _MESSAGES.get(name, ())}


def describe(proto: int, msg: int) -> str:
    """``CLOCK_RATE_SET (0x14/0x5)``, ``clock PROTOCOL_VERSION (0x14/0x0)`` for messages."""
    pname = PROTOCOLS.get(proto, f"protocol 0x{proto:x}")
    name = messages(proto).get(msg)
    if name is None:
        name = f"{pname} message 0x{msg:x}"
    elif name in _COMMON:
        name = f"{pname} {name.removeprefix('MSG_')}"
    return f"{name} (0x{proto:x}/0x{msg:x})"


#: parameter bytes of every command vbe serves (DEN0056E chapter 4 layouts), by define name
REQUEST_SIZES: dict[str, dict[str, int]] = {
    "BASE": {
        "BASE_DISCOVER_VENDOR": 0,
        "BASE_DISCOVER_SUB_VENDOR": 0,
        "BASE_DISCOVER_IMPLEMENTATION_VERSION": 0,
        "BASE_DISCOVER_LIST_PROTOCOLS": 4,
        "BASE_DISCOVER_AGENT": 4,
        "BASE_NOTIFY_ERRORS": 4,
        "BASE_SET_DEVICE_PERMISSIONS": 12,
        "BASE_SET_PROTOCOL_PERMISSIONS": 16,
        "BASE_RESET_AGENT_CONFIGURATION": 8,
    },
    "POWER": {
        "POWER_DOMAIN_ATTRIBUTES": 4,
        "POWER_STATE_SET": 12,
        "POWER_STATE_GET": 4,
        "POWER_STATE_NOTIFY": 8,
        "POWER_DOMAIN_NAME_GET": 4,
    },
    "SYSTEM": {
        "SYSTEM_POWER_STATE_SET": 8,
        "SYSTEM_POWER_STATE_GET": 0,
        "SYSTEM_POWER_STATE_NOTIFY": 4,
    },
    "PERF": {
        "PERF_DOMAIN_ATTRIBUTES": 4,
        "PERF_DESCRIBE_LEVELS": 8,
        "PERF_LIMITS_SET": 12,
        "PERF_LIMITS_GET": 4,
        "PERF_LEVEL_SET": 8,
        "PERF_LEVEL_GET": 4,
        "PERF_NOTIFY_LIMITS": 8,
        "PERF_NOTIFY_LEVEL": 8,
        "PERF_DOMAIN_NAME_GET": 4,
    },
    "CLOCK": {
        "CLOCK_ATTRIBUTES": 4,
        "CLOCK_DESCRIBE_RATES": 8,
        "CLOCK_RATE_SET": 16,
        "CLOCK_RATE_GET": 4,
        "CLOCK_CONFIG_SET": 12,
        "CLOCK_NAME_GET": 4,
        "CLOCK_RATE_NOTIFY": 8,
        "CLOCK_RATE_CHANGE_REQUESTED_NOTIFY": 8,
        "CLOCK_CONFIG_GET": 8,
        "CLOCK_GET_PERMISSIONS": 4,
    },
    "SENSOR": {
        "SENSOR_DESCRIPTION_GET": 4,
        "SENSOR_TRIP_POINT_NOTIFY": 8,
        "SENSOR_TRIP_POINT_CONFIG": 16,
        "SENSOR_READING_GET": 8,
        "SENSOR_CONFIG_GET": 4,
        "SENSOR_CONFIG_SET": 8,
        "SENSOR_NAME_GET": 4,
    },
    "RESET": {
        "RESET_DOMAIN_ATTRIBUTES": 4,
        "RESET": 12,
        "RESET_NOTIFY": 8,
        "RESET_DOMAIN_NAME_GET": 4,
    },
    "VOLTAGE": {
        "VOLTAGE_DOMAIN_ATTRIBUTES": 4,
        "VOLTAGE_DESCRIBE_LEVELS": 8,
        "VOLTAGE_CONFIG_SET": 8,
        "VOLTAGE_CONFIG_GET": 4,
        "VOLTAGE_LEVEL_SET": 12,
        "VOLTAGE_LEVEL_GET": 4,
        "VOLTAGE_DOMAIN_NAME_GET": 4,
    },
}
_COMMON_SIZES = {
    "MSG_PROTOCOL_VERSION": 0,
    "MSG_PROTOCOL_ATTRIBUTES": 0,
    "MSG_PROTOCOL_MESSAGE_ATTRIBUTES": 4,
    "MSG_NEGOTIATE_PROTOCOL_VERSION": 4,
}


def request_sizes(proto: int) -> dict[int, int]:
    """Message id -> parameter bytes of every command of ``proto`` vbe serves."""
    own = REQUEST_SIZES.get(PROTOCOLS.get(proto, "").upper(), {})
    return {W(n): size for n, size in {**_COMMON_SIZES, **own}.items()}


# ---- header (4.1.1) -------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    msg: int
    proto: int
    type: int = TYPE_COMMAND
    token: int = 0

    def encode(self) -> int:
        return encode_header(self.msg, self.proto, self.type, self.token)

    @classmethod
    def decode(cls, value: int) -> Header:
        return cls(
            (value >> W("HDR_ID_SHIFT")) & W("HDR_ID_MASK"),
            (value >> W("HDR_PROTO_SHIFT")) & W("HDR_PROTO_MASK"),
            (value >> W("HDR_TYPE_SHIFT")) & W("HDR_TYPE_MASK"),
            (value >> W("HDR_TOKEN_SHIFT")) & W("HDR_TOKEN_MASK"),
        )


def encode_header(msg: int, proto: int, type_: int = TYPE_COMMAND, token: int = 0) -> int:
    """The le32 header value; every field is masked to its width (bits 31:28 stay 0)."""
    return (
        (msg & W("HDR_ID_MASK")) << W("HDR_ID_SHIFT")
        | (type_ & W("HDR_TYPE_MASK")) << W("HDR_TYPE_SHIFT")
        | (proto & W("HDR_PROTO_MASK")) << W("HDR_PROTO_SHIFT")
        | (token & W("HDR_TOKEN_MASK")) << W("HDR_TOKEN_SHIFT")
    )


# ---- payload helpers -------------------------------------------------------------------


def u32s(*values: int) -> bytes:
    """Little-endian words; negative values are sent as two's complement."""
    return struct.pack(f"<{len(values)}I", *(v & 0xFFFFFFFF for v in values))


def words(data: bytes) -> tuple[int, ...]:
    """The whole le32 words of ``data``."""
    n = len(data) // 4
    return struct.unpack_from(f"<{n}I", data)


def u64(lo: int, hi: int) -> int:
    return lo | hi << 32


def s32(value: int) -> int:
    return value - (1 << 32) if value & 0x80000000 else value


def s64(value: int) -> int:
    return value - (1 << 64) if value & (1 << 63) else value


def split64(value: int) -> tuple[int, int]:
    value &= (1 << 64) - 1
    return value & 0xFFFFFFFF, value >> 32


def name_of(field: bytes) -> str:
    """A NUL-padded name field (16 or 64 bytes) as text."""
    return field.split(b"\0", 1)[0].decode("ascii", "replace")


def version_str(version: int) -> str:
    """``0x30000`` -> ``3.0`` (major 31:16, minor 15:0)."""
    return f"{version >> 16}.{version & 0xFFFF}"
