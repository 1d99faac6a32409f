"""C text helpers shared by the C generators: identifiers, strings, comments that keep to
100 columns."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from sysdesc.model import Guest


@dataclass(frozen=True)
class Names:
    """C identifiers of one generated file: ``<prefix>_buses``, ``<prefix>_<guest>_i2c``."""

    prefix: str
    symbol: str

    @property
    def macro(self) -> str:
        return f"{self.prefix.upper()}_ARRAY_SIZE"

    def count(self, array: str) -> str:
        return f"{self.macro}({array})"

    def guest(self, g: Guest, what: str) -> str:
        return f"{self.prefix}_{g.name}_{what}"


def c_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def c_comment(text: str) -> str:
    return text.replace("*/", "* /")


def comment(indent: int, text: str) -> list[str]:
    """``/* text */`` at ``indent`` tabs, wrapped into a block comment past 100 columns."""
    tabs = "\t" * indent
    text = c_comment(text)
    if 8 * indent + len(text) + 6 <= 100:
        return [f"{tabs}/* {text} */"]
    body = textwrap.wrap(text, 100 - 8 * indent - 3, break_on_hyphens=False)
    return [f"{tabs}/*", *(f"{tabs} * {line}" for line in body), f"{tabs} */"]
