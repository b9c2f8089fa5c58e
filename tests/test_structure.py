"""The package's shape: small modules, and imports that point one way.

Every import inside the package counts, also those only made for type checking
(`if TYPE_CHECKING:`): a cycle there is still a circle a reader has to untangle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "custom_components" / "connection_rituals"
DOTTED = "custom_components.connection_rituals"
MAX_LINES = 400


def modules() -> dict[str, Path]:
    """Module name (relative to the package, "" for the package) -> file."""
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that `name` imports, wherever the import statement stands."""
    package = name.split(".") if name else []
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            elif node.module and (node.module + ".").startswith(DOTTED + "."):
                module = node.module.removeprefix(DOTTED).lstrip(".")
            else:
                continue
            for alias in node.names:
                submodule = f"{module}.{alias.name}".strip(".")
                found.add(submodule if submodule in known else module)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if (alias.name + ".").startswith(DOTTED + "."):
                    found.add(alias.name.removeprefix(DOTTED).lstrip("."))
    found.discard(name)
    return {module for module in found if module in known}


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports."""
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), and self-loops."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_is_over_400_lines() -> None:
    """Each module owns one thing; none grows past 400 lines."""
    too_long = {
        name or "__init__": lines
        for name, path in modules().items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}


def test_no_import_cycle_type_only_imports_included() -> None:
    """No two modules import each other, directly or around a circle."""
    assert cycles(import_graph()) == []


def test_the_domain_core_imports_nothing_of_home_assistant_or_the_glue() -> None:
    """`core/` is plain Python: it imports only itself and the standard library."""
    for name, path in modules().items():
        if not name.startswith("core"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.level <= 1, (name, node.module)
                assert not (node.module or "").startswith("homeassistant"), name
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("homeassistant") for a in node.names), name


def test_subscribers_never_import_the_engine() -> None:
    """The phones, the house and repairs read views; the engine module is above them."""
    graph = import_graph()
    for subscriber in ("notifier", "phones", "phone_actions", "house", "repairs", "triggers"):
        reachable: set[str] = set()
        todo = [subscriber]
        while todo:
            for target in graph[todo.pop()]:
                if target not in reachable:
                    reachable.add(target)
                    todo.append(target)
        assert "engine" not in reachable, subscriber
        assert "occurrences" not in reachable, subscriber


def test_the_check_finds_a_cycle_and_a_type_only_import(tmp_path: Path) -> None:
    """The check itself: a circle is found, also through an import made for typing."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    probe = tmp_path / "notifier.py"
    probe.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from .engine import RitualEngine\n"
        "from custom_components.connection_rituals import views\n",
        encoding="utf-8",
    )
    known = {"engine": probe, "notifier": probe, "views": probe}
    assert imports_of("notifier", probe, known) == {"engine", "views"}
