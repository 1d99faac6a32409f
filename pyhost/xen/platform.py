"""The simulated platform inside vbe-xen, reached through the one platform protocol.

vbe-xen's control socket carries the protocol's commands as text: ``vbe-xen ctl sim CMD
A0 A1 A2 A3`` run on Dom0's console answers ``result=R data=HEX``, and vbe-xen runs each
with the core's own handler, ``vbe_sim_cmd()`` (boards/xen_dom0_linux/src/ctl.c), as the
host library and the bare-metal image do. :class:`CtlTransport` turns a request's bytes
(struct vbe_sim_req) into that line and the answer into the response's bytes (struct
vbe_sim_rsp), so :class:`XenPlatform` is pyhost.machine.platform's SimPlatform over it:
one protocol, one decoder.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sysdesc.gen_manifest_body import manifest_doc
from sysdesc.model import System

from pyhost.machine.base import MachineError, ScmiInfo
from pyhost.machine.described import scmi_from_manifest
from pyhost.machine.platform import FFI, REQ_SIZE, RSP_HEAD, SimPlatform

_ANSWER = re.compile(r"^result=(-?\d+) data=([0-9a-f]*)$", re.MULTILINE)


class CtlTransport:
    """The platform protocol over ``vbe-xen ctl sim`` (``ctl`` runs one control command
    and returns its output)."""

    def __init__(self, ctl: Callable[[str], str]) -> None:
        self._ctl = ctl

    def __call__(self, req: bytes, what: str) -> bytes:
        r: Any = FFI.from_buffer("struct vbe_sim_req *", bytearray(req[:REQ_SIZE]))
        words = " ".join(str(int(r.arg[i])) for i in range(4))
        out = self._ctl(f"sim {int(r.cmd)} {words}")
        m = _ANSWER.search(out)
        if m is None:
            raise MachineError(f"vbe-xen ctl sim ({what}): no answer in {out!r}")
        data = bytes.fromhex(m[2])
        rsp: Any = FFI.new("struct vbe_sim_rsp *")
        if len(data) > len(rsp.data):
            raise MachineError(f"vbe-xen ctl sim ({what}): {len(data)} bytes of data")
        rsp.result = int(m[1])
        rsp.data_len = len(data)
        FFI.memmove(rsp.data, data, len(data))
        return bytes(FFI.buffer(rsp, RSP_HEAD + len(data)))


class XenPlatform(SimPlatform):
    """Platform operations of the Xen system: each a platform protocol command that
    vbe-xen runs (``xs`` has ``ctl()``, pyhost.xen.system.XenSystem)."""

    def __init__(self, xs: Any) -> None:
        super().__init__(CtlTransport(xs.ctl), "vbe-xen")


def _fields(line: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in line.split()[1:]:
        key, _, value = item.partition("=")
        if "," in value:
            out[key] = [int(v, 0) for v in value.split(",")]
        else:
            try:
                out[key] = int(value, 0)
            except ValueError:
                out[key] = value
    return out


def parse_stats(text: str) -> dict[int, dict[str, Any]]:
    """vbe-xen's statistics: domid -> {"ioreq": {...}, "devs": [{...} per device]}."""
    doms: dict[int, dict[str, Any]] = {}
    for line in text.splitlines():
        if not line.startswith("stats "):
            continue
        f = _fields(line)
        dom = doms.setdefault(f["domid"], {"ioreq": {}, "devs": []})
        if "dev" in f:
            dom["devs"].append(f)
        else:
            dom["ioreq"] = f
    return doms


def scmi_info(system: System) -> ScmiInfo | None:
    """The SCMI agents, grants and resources of a loaded system description (what vbe-xen
    was built from), from the manifest the description generates."""
    return scmi_from_manifest(manifest_doc(system))
