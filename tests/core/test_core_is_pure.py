"""The domain core stays plain Python: no module in it may import Home Assistant."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "custom_components" / "connection_rituals" / "core"
MODULES = sorted(CORE.rglob("*.py"))
FORBIDDEN = "homeassistant"
IMPORTERS = {"__import__", "import_module"}  # builtins.__import__, importlib.import_module


def _is_forbidden(name: str) -> bool:
    return name == FORBIDDEN or name.startswith(FORBIDDEN + ".")


def forbidden_imports(source: str, filename: str = "<core>") -> list[str]:
    """Every way `source` imports Home Assistant, as "line: what" strings.

    Counted: `import homeassistant...`, `from homeassistant... import ...` (also under
    `if TYPE_CHECKING:` or inside functions), `__import__`/`importlib.import_module`
    with a literal name, and relative imports that leave the core package: those load the
    integration package, which imports Home Assistant.
    """
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found += [
                f"{node.lineno}: import {a.name}" for a in node.names if _is_forbidden(a.name)
            ]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if (node.level == 0 and _is_forbidden(module)) or node.level > 1:
                found.append(f"{node.lineno}: from {'.' * node.level}{module} import ...")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in IMPORTERS and node.args:
                target = node.args[0]
                if (
                    isinstance(target, ast.Constant)
                    and isinstance(target.value, str)
                    and _is_forbidden(target.value)
                ):
                    found.append(f"{node.lineno}: {name}({target.value!r})")
    return found


def test_the_core_modules_are_found() -> None:
    names = {path.name for path in MODULES}
    assert {"__init__.py", "schedule.py", "streaks.py"} <= names


@pytest.mark.parametrize("path", MODULES, ids=[path.name for path in MODULES])
def test_core_module_does_not_import_home_assistant(path: Path) -> None:
    assert forbidden_imports(path.read_text(encoding="utf-8"), str(path)) == []


@pytest.mark.parametrize(
    "source",
    [
        "import homeassistant",
        "import homeassistant.core",
        "import os, homeassistant.util.dt as dt_util",
        "from homeassistant.core import HomeAssistant",
        "from homeassistant import core",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from homeassistant.core import State",
        "def later():\n    import homeassistant.helpers.event",
        "import importlib\nhelpers = importlib.import_module('homeassistant.helpers')",
        "from importlib import import_module\nimport_module('homeassistant')",
        "core = __import__('homeassistant.core')",
        "from .. import const",
        "from ..const import DOMAIN",
        "try:\n    import homeassistant\nexcept ImportError:\n    pass",
    ],
)
def test_the_check_catches_every_form(source: str) -> None:
    assert forbidden_imports(source)


@pytest.mark.parametrize(
    "source",
    [
        "",
        "import zoneinfo\nfrom datetime import date",
        "from . import schedule\nfrom .streaks import DayRecord",
        "import homeassistant_like",
        "from homeassistantx import thing",
        "NAME = 'homeassistant'",
        "import importlib\nimportlib.import_module('zoneinfo')",
    ],
)
def test_the_check_allows_plain_python(source: str) -> None:
    assert forbidden_imports(source) == []
