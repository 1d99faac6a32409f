"""Xen's serial line, split by domain (Xen 4.17, drivers/char/console.c and
arch/arm/vpl011.c):

- Dom0 writes through the console hypercall straight to the line: its text has no prefix;
- Xen's own messages start with ``(XEN) ``;
- a DomU's vpl011 output is buffered by Xen per line and printed ``(XEN) DOM<n>: <line>``,
  except for the domain that has Xen's serial input: its characters are printed one by one
  as they come, so its lines read ``(XEN) <line>``;
- Ctrl-a three times moves the input on (Xen, DOM0, DOM1 ... DOM<max>, Xen ...), and Xen
  says where: ``(XEN) *** Serial input to DOM1 (type 'CTRL-a' three times to switch input)``.

:class:`Demux` takes raw bytes and keeps one text stream per source ("xen", 0 for Dom0, n
for DOMn), attributing a bare ``(XEN)`` line to the DomU that has the input (the harness
keeps Xen quiet while a DomU has it). Xen prints its lines whole, so one can cut into a line
Dom0 is in the middle of writing (``[    0.12] A(XEN) DOM2: ready``, then ``ppArmor ...``):
the piece before ``(XEN) `` is Dom0's and waits for the rest of its line. Input: Xen's buffers hold 128 bytes for Dom0 and 32
for a DomU's vpl011 and drop what does not fit, so :data:`CHUNK` bytes go at a time with a
pause between.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

XEN = "xen"
PREFIX = "(XEN) "
SWITCH = b"\x01\x01\x01"  # Ctrl-a three times
CHUNK = 16
CHUNK_PAUSE = 0.02  # s between chunks: the receiving domain drains Xen's buffer
_DOMU = re.compile(r"^\(XEN\) DOM(\d+): (.*)$")
_INPUT = re.compile(r"^\(XEN\) \*\*\* Serial input to (Xen|DOM(\d+))")

Source = str | int


def focus_code(source: Source) -> int:
    """Xen's console_rx for a source: 0 Xen, 1 Dom0, n + 1 DOMn."""
    return 0 if source == XEN else int(source) + 1


def switches(current: Source, target: Source, domains: int) -> int:
    """Ctrl-a triples that move the input from ``current`` to ``target``; ``domains`` is
    the number of DomUs (Xen cycles through Xen, DOM0 .. DOM<domains>)."""
    n = domains + 2
    return (focus_code(target) - focus_code(current)) % n


@dataclass
class Demux:
    """Raw serial bytes in, complete lines out per source."""

    focus: Source = XEN  # where Xen sends input (Xen says so when it moves it)
    streams: dict[Source, str] = field(default_factory=dict)
    log: list[tuple[Source, str]] = field(default_factory=list)  # every line, attributed
    times: list[float] = field(default_factory=list)  # time.monotonic() each line came
    _partial: str = ""
    _dom0_head: str = ""  # the start of a Dom0 line a Xen line cut into

    def feed(self, data: bytes) -> None:
        text = self._partial + data.decode("utf-8", "replace").replace("\r", "")
        *lines, self._partial = text.split("\n")
        for line in lines:
            self._line(line)

    def _add(self, source: Source, text: str) -> None:
        self.streams[source] = self.streams.get(source, "") + text + "\n"
        self.log.append((source, text))
        self.times.append(time.monotonic())

    def first(self, source: Source, prefix: str) -> float | None:
        """When ``source`` first printed a line starting with ``prefix`` (monotonic time)."""
        for (s, text), t in zip(self.log, self.times, strict=True):
            if s == source and text.startswith(prefix):
                return t
        return None

    def _line(self, line: str) -> None:
        cut = line.find(PREFIX)
        if cut > 0:
            self._dom0_head += line[:cut]
            line = line[cut:]
        if m := _INPUT.match(line):
            self.focus = XEN if m[1] == "Xen" else int(m[2])
            self._add(XEN, line[len(PREFIX) :])
        elif m := _DOMU.match(line):
            self._add(int(m[1]), m[2])
        elif line.startswith(PREFIX):
            rest = line[len(PREFIX) :]
            owner = self.focus if isinstance(self.focus, int) and self.focus > 0 else XEN
            self._add(owner, rest)
        else:
            self._add(0, self._dom0_head + line)
            self._dom0_head = ""

    def text(self, source: Source) -> str:
        return self.streams.get(source, "")

    def consume(self, source: Source, upto: int) -> None:
        """Forget ``source``'s first ``upto`` characters (read by a command)."""
        self.streams[source] = self.streams.get(source, "")[upto:]

    def transcript(self, last: int = 40) -> str:
        return "\n".join(f"[{s}] {t}" for s, t in self.log[-last:])


def chunks(data: bytes, size: int = CHUNK) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]
