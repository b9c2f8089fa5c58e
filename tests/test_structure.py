"""The package's shape: small modules, and imports that point one way.

Every import inside the package counts, also those only made for type checking
(`if TYPE_CHECKING:`): a cycle there is still a circle a reader has to untangle.
The tests keep a shape too: what they share lives in helper modules, not in a test file.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
PACKAGE = TESTS.parent / "custom_components" / "connection_rituals"
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


def is_test_module(dotted: str) -> bool:
    return dotted.rsplit(".", 1)[-1].startswith("test_")


def imports_of_test_modules(path: Path) -> list[str]:
    """The test modules a file imports from, relative (`.test_x`) or absolute
    (`tests.test_x`), as written; `from . import test_x` and `import tests.test_x` count."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            written = "." * node.level + (node.module or "")
            if node.module and is_test_module(node.module):
                found.append(written)
            elif not node.module:
                found += [
                    written + alias.name for alias in node.names if is_test_module(alias.name)
                ]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if is_test_module(alias.name)]
    return found


def cross_test_imports(root: Path) -> dict[str, list[str]]:
    """Each test file under `root` that imports from a test module, with what it imports."""
    return {
        path.relative_to(root).as_posix(): imported
        for path in sorted(root.rglob("test_*.py"))
        if (imported := imports_of_test_modules(path))
    }


def test_no_test_file_imports_another_test_file() -> None:
    """Shared test helpers live in tests/helpers.py (and tests/schemas.py, conftest.py):
    a test file never imports from another, so each can change or go on its own."""
    assert cross_test_imports(TESTS) == {}


def test_the_check_finds_imports_from_test_files(tmp_path: Path) -> None:
    """The check itself: relative, absolute and package imports of a test module count;
    helper modules and names that merely start with test_ do not."""
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "test_deep.py").write_text(
        "from ..test_reunion import state\nfrom tests.test_manifest import STRINGS_SCHEMA\n",
        encoding="utf-8",
    )
    (tmp_path / "test_flat.py").write_text(
        "from . import helpers, test_notifications\n"
        "import tests.test_faults\n"
        "def f():\n"
        "    from .test_services import x\n",
        encoding="utf-8",
    )
    (tmp_path / "test_clean.py").write_text(
        "from .helpers import test_data, state\n"
        "from .schemas import STRINGS_SCHEMA\n"
        "from . import conftest\n",
        encoding="utf-8",
    )
    (tmp_path / "helpers.py").write_text("from .test_reunion import state\n", encoding="utf-8")
    assert cross_test_imports(tmp_path) == {
        "core/test_deep.py": ["..test_reunion", "tests.test_manifest"],
        "test_flat.py": [".test_notifications", "tests.test_faults", ".test_services"],
    }
