"""Reading a system description: YAML with the line of every key and item, and the
problems found in it, each naming file, line, path inside the document and the fix.

Paths are written as JSON paths without the leading ``$``: ``guests[1].i2c.devices[0]``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[str | int, ...]


def path_str(path: Iterable[str | int]) -> str:
    """("guests", 1, "i2c") -> "guests[1].i2c"; the empty path is "(top level)"."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or, with ``warning``, suspicious) in a description."""

    file: str
    line: int
    path: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.path}: {self.message}"


class SysdescError(Exception):
    """The description is not valid; ``problems`` says where and how to fix each thing."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the system description"
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))


class Positions:
    """Line (1-based) of each key or sequence item, by path; unknown paths fall back to the
    nearest ancestor that has one."""

    def __init__(self) -> None:
        self._lines: dict[PathKey, int] = {(): 1}

    def set(self, path: PathKey, line: int) -> None:
        self._lines.setdefault(path, line)

    def line(self, path: Iterable[str | int]) -> int:
        key = tuple(path)
        while key not in self._lines:
            key = key[:-1]
        return self._lines[key]


class _Loader(yaml.SafeLoader):
    """SafeLoader that also records where each node came from (see :func:`load_yaml`)."""


def _walk(node: yaml.Node, path: PathKey, pos: Positions, dups: list[tuple[PathKey, int]]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[object] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            sub = (*path, key)
            if key in seen:
                dups.append((sub, key_node.start_mark.line + 1))
            seen.add(key)
            pos.set(sub, key_node.start_mark.line + 1)
            _walk(value_node, sub, pos, dups)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            pos.set((*path, i), item.start_mark.line + 1)
            _walk(item, (*path, i), pos, dups)


def load_yaml(text: str, file: str) -> tuple[Any, Positions]:
    """Parse ``text``; SysdescError for a YAML syntax error, an empty document or a key
    given twice in one mapping (YAML would silently keep the last)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise SysdescError([Problem(file, 1, "(top level)", _EMPTY)])
        pos = Positions()
        dups: list[tuple[PathKey, int]] = []
        _walk(node, (), pos, dups)
        if dups:
            raise SysdescError(
                Problem(
                    file,
                    line,
                    path_str(p),
                    f"key {p[-1]!r} is given twice in this "
                    "mapping; keep one (YAML would silently use the last)",
                )
                for p, line in dups
            )
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = exc.problem or "invalid YAML"
        ctx = f" ({exc.context})" if exc.context else ""
        raise SysdescError(
            [Problem(file, line, "(top level)", f"YAML syntax: {what}{ctx}; fix the syntax there")]
        ) from exc
    except yaml.YAMLError as exc:
        raise SysdescError([Problem(file, 1, "(top level)", f"YAML: {exc}")]) from exc
    finally:
        loader.dispose()
    return data, pos


_EMPTY = "the document is empty; start from examples/demo.yaml (system, platform, guests)"


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SysdescError([Problem(str(path), 0, "(file)", "no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SysdescError([Problem(str(path), 0, "(file)", f"cannot read it: {exc}")]) from exc
