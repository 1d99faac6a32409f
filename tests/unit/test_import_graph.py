"""Python imports go one way: sysdesc (the system description) <- pyhost (the guest side)
<- vbe (the product's command line and daemon).

The graph is built with ``ast`` from every module of the three packages, counting every
import wherever it stands (inside a function or under ``if TYPE_CHECKING:`` too: an import
there still ties the modules together, and a function-level import must not hide a cycle).
``from package import name`` is an edge to the module ``package.name`` when that is a
module, else to ``package``; a package's ``__init__`` is its own node.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = {
    "sysdesc": REPO / "tools" / "sysdesc",
    "pyhost": REPO / "pyhost",
    "vbe": REPO / "tools" / "vbe",
}
#: which top-level package may import which
ALLOWED = {"sysdesc": set(), "pyhost": {"sysdesc"}, "vbe": {"sysdesc", "pyhost"}}


def _modules() -> dict[str, Path]:
    out = {}
    for top, root in PACKAGES.items():
        for path in root.rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join([top, *parts])] = path
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The module of ours that ``name`` is, or the package holding it."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str, path: Path) -> Iterator[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            for alias in node.names:
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, path in MODULES.items():
        for name in _imports(module, path):
            target = _resolve(name)
            if target is not None and target != module:
                graph[module].add(target)
    return graph


GRAPH = _graph()


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of nodes, or None."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_every_package_is_read() -> None:
    for top in PACKAGES:
        assert sum(m.split(".")[0] == top for m in MODULES) > 3, top


@pytest.mark.parametrize("top", sorted(PACKAGES))
def test_packages_import_only_lower_layers(top: str) -> None:
    wrong = sorted(
        f"{m} imports {t}"
        for m, targets in GRAPH.items()
        if m.split(".")[0] == top
        for t in targets
        if t.split(".")[0] != top and t.split(".")[0] not in ALLOWED[top]
    )
    assert not wrong, "\n".join(wrong)


def test_no_cycle_between_packages() -> None:
    tops = {t: set() for t in PACKAGES}
    for m, targets in GRAPH.items():
        tops[m.split(".")[0]] |= {t.split(".")[0] for t in targets} - {m.split(".")[0]}
    assert _cycle(tops) is None


def test_no_cycle_between_modules() -> None:
    cycle = _cycle(GRAPH)
    assert cycle is None, " -> ".join(cycle or [])


def test_the_checker_finds_a_cycle() -> None:
    """The check above can fail: a graph with a cycle is reported."""
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
