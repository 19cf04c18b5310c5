"""The shape of the code: imports only point down, and the leaf subpackages stay leaves.

Read from the source with `ast`, so imports under `if TYPE_CHECKING:` and
inside functions count as much as those at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "briefgen"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Each briefgen module → the briefgen modules it imports."""
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([node.module] if node.module else []))
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_imports_itself_round_a_cycle() -> None:
    assert cycles(import_graph()) == []


@pytest.mark.parametrize("leaf", ["briefgen.dev", "briefgen.authoring"])
def test_the_pipeline_never_imports_the_tools_beside_it(leaf: str) -> None:
    graph = import_graph()
    reaching = [name for name, targets in graph.items()
                if name != "briefgen.cli" and not name.startswith(leaf)
                and any(t == leaf or t.startswith(leaf + ".") for t in targets)]
    assert reaching == []


def test_the_markdown_package_knows_nothing_of_the_site() -> None:
    allowed = {"briefgen.errors", "briefgen.model", "briefgen.slugs", "briefgen.wire"}

    def inside(name: str) -> bool:
        return name == "briefgen.markdown" or name.startswith("briefgen.markdown.")

    graph = import_graph()
    reaching_up = {name: sorted(t for t in targets if not inside(t) and t not in allowed)
                   for name, targets in graph.items() if inside(name)}
    assert {name: targets for name, targets in reaching_up.items() if targets} == {}
