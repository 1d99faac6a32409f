"""The simulated platform inside vbe-xen, reached through its control socket from Dom0's
console: the bare-metal image's platform mailbox commands and answer layouts
(boards/qemu_virt_baremetal/src/mailbox_layout.h), carried as text (``vbe-xen ctl mbx CMD
A0..A3`` -> ``result=R data=HEX``), so pyhost.machine.qemu_platform's QemuPlatform decodes
them unchanged: a thin adapter, not a second protocol.
"""

from __future__ import annotations

import re
from typing import Any

from pyhost.machine.base import MachineError
from pyhost.machine.qemu_platform import QemuPlatform, mailbox_ffi

_ANSWER = re.compile(r"^result=(-?\d+) data=([0-9a-f]*)$", re.MULTILINE)


class CtlMailbox:
    """Mailbox.call() over ``vbe-xen ctl mbx`` on Dom0's console."""

    def __init__(self, xs: Any) -> None:
        self.xs = xs
        self.ffi, self.c = mailbox_ffi()

    def call(self, cmd: int, *args: int, what: str) -> tuple[int, bytes]:
        words = " ".join(str(int(a)) for a in args[:4])
        out = self.xs.ctl(f"mbx {cmd} {words}".strip())
        m = _ANSWER.search(out)
        if m is None:
            raise MachineError(f"vbe-xen ctl mbx ({what}): no answer in {out!r}")
        return int(m[1]), bytes.fromhex(m[2])


class XenPlatform(QemuPlatform):
    """Platform operations of the Xen system: each one vbe-xen control command."""

    def __init__(self, xs: Any) -> None:
        super().__init__(CtlMailbox(xs))  # type: ignore[arg-type]


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


def scmi_info(system: Any) -> Any:
    """The SCMI agents, grants and resources of a loaded system description (what vbe-xen
    was generated from), as pyhost's ScmiInfo."""
    from types import SimpleNamespace

    from vbe.sysdesc.gen_manifest_body import manifest_doc

    from pyhost.machine.qemu_guests import scmi_from_manifest

    return scmi_from_manifest(SimpleNamespace(manifest=manifest_doc(system)))  # type: ignore[arg-type]
