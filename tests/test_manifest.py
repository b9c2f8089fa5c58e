"""What hassfest and the HACS action check, offline, plus the wiring between the files.

The checks mirror Home Assistant's `script/hassfest` (manifest, translations, icons,
services, dependencies, config_flow, config_schema) and HACS's
`custom_components/hacs/utils/validate.py`; neither ships in a wheel. The schemas they
validate against live in tests/schemas.py.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
import json
from pathlib import Path
import re
import runpy
import subprocess
import sys
from typing import Any

from awesomeversion import AwesomeVersion
from homeassistant.const import Platform, __version__ as HA_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er, selector as ha_selector
from homeassistant.util.yaml import load_yaml_dict
from packaging.requirements import Requirement
import pytest
import voluptuous as vol

import custom_components.connection_rituals as integration_module
from custom_components.connection_rituals.config_flow import _couple_schema
from custom_components.connection_rituals.const import (
    DOMAIN,
    SUBENTRY_TYPE_RITUAL,
    RitualEventType,
    RitualKind,
)
from custom_components.connection_rituals.subentry_flow import ritual_defaults, ritual_schema

from .conftest import ALEX, couple_entry, ritual_subentry
from .schemas import (
    ALLOWED_USED_COMPONENTS,
    HA_COMPONENTS,
    HACS_INTEGRATION_MANIFEST_SCHEMA,
    HACS_JSON_SCHEMA,
    ICONS_SCHEMA,
    INTEGRATION,
    MANIFEST_SCHEMA,
    ROOT,
    SERVICES_SCHEMA,
    STRINGS_SCHEMA,
    load_json,
)


def manifest() -> dict[str, Any]:
    return load_json(INTEGRATION / "manifest.json")


def strings() -> dict[str, Any]:
    return load_json(INTEGRATION / "strings.json")


def icons() -> dict[str, Any]:
    return load_json(INTEGRATION / "icons.json")


def services_yaml() -> dict[str, Any]:
    return load_yaml_dict(str(INTEGRATION / "services.yaml"))


# --- manifest.json (hassfest: manifest.py, config_flow.py, dependencies.py) --------------


def test_manifest_schema() -> None:
    """Every key known and valid, nothing a custom integration needs missing."""
    MANIFEST_SCHEMA(manifest())
    HACS_INTEGRATION_MANIFEST_SCHEMA(manifest())


def test_manifest_domain() -> None:
    """The domain is the directory name and const.DOMAIN, and no core integration's."""
    assert manifest()["domain"] == INTEGRATION.name == DOMAIN
    assert not (HA_COMPONENTS / DOMAIN).exists()
    # Only one integration in the repository (HACS manages the first one only).
    assert [path.name for path in (ROOT / "custom_components").iterdir() if path.is_dir()] == [
        DOMAIN
    ]


def test_manifest_keys_sorted() -> None:
    """hassfest: domain, name, then alphabetical."""
    keys = list(manifest())
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])


def test_manifest_config_flow_flag() -> None:
    """config_flow.py exists, so the manifest says config_flow: true (and vice versa)."""
    assert (INTEGRATION / "config_flow.py").is_file() is manifest().get("config_flow", False)
    assert manifest()["config_flow"] is True


def test_manifest_version_matches_pyproject() -> None:
    """One version for the project."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version = "([^"]+)"', pyproject, re.MULTILINE)
    assert match is not None
    assert manifest()["version"] == match.group(1)


def test_manifest_requirements() -> None:
    """Requirements are pip requirement strings."""
    for requirement in manifest().get("requirements", []):
        Requirement(requirement)


def test_manifest_dependencies_exist() -> None:
    """Every dependency is a real Home Assistant integration, listed once."""
    dependencies = manifest().get("dependencies", [])
    after = manifest().get("after_dependencies", [])
    assert not set(dependencies) & set(after)
    for domain in (*dependencies, *after):
        assert (HA_COMPONENTS / domain / "manifest.json").is_file(), domain
        assert load_json(HA_COMPONENTS / domain / "manifest.json")["domain"] == domain


def imported_components() -> dict[str, set[str]]:
    """hassfest's ImportCollector: the components each file of the integration uses."""
    used: dict[str, set[str]] = {}
    for path in INTEGRATION.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.startswith("homeassistant.components."):
                    used.setdefault(node.module.split(".")[2], set()).add(path.name)
                elif node.module == "homeassistant.components":
                    for alias in node.names:
                        used.setdefault(alias.name, set()).add(path.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("homeassistant.components."):
                        used.setdefault(alias.name.split(".")[2], set()).add(path.name)
    return used


def test_used_components_are_dependencies() -> None:
    """hassfest: 'Using component X but it's not in dependencies or after_dependencies'."""
    allowed = (
        ALLOWED_USED_COMPONENTS
        | set(manifest().get("dependencies", []))
        | set(manifest().get("after_dependencies", []))
    )
    unlisted = {
        domain: files for domain, files in imported_components().items() if domain not in allowed
    }
    assert unlisted == {}


def test_config_schema_with_async_setup() -> None:
    """hassfest config_schema: an integration with async_setup declares CONFIG_SCHEMA."""
    assert hasattr(integration_module, "async_setup")
    schema = integration_module.CONFIG_SCHEMA
    # Config-entry only: YAML for the domain is refused (with a log), other domains pass.
    assert schema({"other": {}}) == {"other": {}}


# --- hacs.json ---------------------------------------------------------------------------


def test_hacs_json() -> None:
    """Only keys HACS knows; a minimum Home Assistant version this venv satisfies."""
    hacs = load_json(ROOT / "hacs.json")
    HACS_JSON_SCHEMA(hacs)
    assert hacs["name"]
    assert hacs.get("render_readme") is True
    assert not hacs.get("content_in_root", False)
    if hacs.get("zip_release"):
        assert hacs.get("filename")
    minimum = AwesomeVersion(hacs["homeassistant"])
    assert minimum.valid
    assert minimum <= AwesomeVersion(HA_VERSION), (minimum, HA_VERSION)


# --- strings.json and translations/en.json (hassfest: translations.py) -------------------

RE_PLACEHOLDER = re.compile(r"{(\w+)}")


def translations_script() -> dict[str, Any]:
    """The resolution logic of scripts/translations, loaded as a module."""
    return runpy.run_path(str(ROOT / "scripts" / "translations"), run_name="translations")


@pytest.mark.parametrize("name", ["strings.json", "translations/en.json"])
def test_strings_schema(name: str) -> None:
    """hassfest's translation rules hold for strings.json and the shipped en.json."""
    STRINGS_SCHEMA(load_json(INTEGRATION / name))


def test_en_json_is_strings_json_resolved() -> None:
    """en.json is exactly strings.json with every [%key:...%] reference resolved."""
    script = translations_script()
    expected = script["expected_en"](INTEGRATION / "strings.json")
    en = load_json(INTEGRATION / "translations" / "en.json")
    assert en == expected
    assert "[%key:" not in json.dumps(en)
    # Only references into this integration, which core's tools also resolve.
    for reference in re.findall(r"\[%key:([^%]+)%\]", json.dumps(strings())):
        assert reference.startswith(f"component::{DOMAIN}::"), reference


def test_translations_script_check_mode() -> None:
    """`scripts/translations --check` agrees (what CI runs)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "translations"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_translations_script_resolution(tmp_path: Path) -> None:
    """References, chains, common keys and mistakes, and the write and check modes."""
    script = translations_script()
    resolve, error = script["resolve"], script["TranslationError"]
    source = {
        "a": {"b": "Text", "c": f"[%key:component::{DOMAIN}::a::b%]"},
        "d": f"[%key:component::{DOMAIN}::a::c%]",
        "e": "[%key:common::generic::ok%]",
    }
    assert resolve(source, common={"common::generic::ok": "OK"}) == {
        "a": {"b": "Text", "c": "Text"},
        "d": "Text",
        "e": "OK",
    }
    with pytest.raises(error, match="unknown reference"):
        resolve({"a": f"[%key:component::{DOMAIN}::nowhere%]"}, common={})
    with pytest.raises(error, match="unknown reference"):
        resolve({"a": "[%key:component::other::a%]"}, common={})
    with pytest.raises(error, match="cycle"):
        resolve(
            {"a": f"[%key:component::{DOMAIN}::b%]", "b": f"[%key:component::{DOMAIN}::a%]"},
            common={},
        )

    integration = tmp_path / DOMAIN
    integration.mkdir()
    (integration / "strings.json").write_text(json.dumps(source | {"e": "Plain"}))
    main = script["main"]
    assert main(["--check"], integration=integration) == 1  # no en.json yet
    assert main([], integration=integration) == 0
    assert load_json(integration / "translations" / "en.json") == {
        "a": {"b": "Text", "c": "Text"},
        "d": "Text",
        "e": "Plain",
    }
    assert main(["--check"], integration=integration) == 0
    (integration / "strings.json").write_text(json.dumps({"a": "Changed"}))
    assert main(["--check"], integration=integration) == 1
    (integration / "strings.json").write_text(json.dumps({"a": "[%key:common::nope%]"}))
    assert main([], integration=integration) == 2


# --- translation keys used in code -------------------------------------------------------


def python_files() -> Iterator[tuple[Path, ast.AST]]:
    for path in sorted(INTEGRATION.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def translated_calls() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Exception and repair-issue translation keys, each with its placeholder names."""
    exceptions: dict[str, set[str]] = {}
    issues: dict[str, set[str]] = {}
    for path, tree in python_files():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            key = keyword(node, "translation_key")
            if key is None:
                continue
            placeholders_node = keyword(node, "translation_placeholders")
            placeholders: set[str] = set()
            if isinstance(placeholders_node, ast.Dict):
                placeholders = {
                    k.value for k in placeholders_node.keys if isinstance(k, ast.Constant)
                }
            if call_name(node) in ("async_create_issue", "async_set_issue"):
                assert isinstance(key, ast.Constant), f"{path.name}:{node.lineno}"
                issues[key.value] = placeholders
            elif keyword(node, "translation_domain") is not None:
                assert isinstance(key, ast.Constant), f"{path.name}:{node.lineno}"
                exceptions[key.value] = placeholders
    return exceptions, issues


def test_exception_translations() -> None:
    """Every translated exception has a message with exactly the placeholders it passes."""
    exceptions, _ = translated_calls()
    messages = strings()["exceptions"]
    assert set(exceptions) == set(messages)
    for key, placeholders in exceptions.items():
        assert set(RE_PLACEHOLDER.findall(messages[key]["message"])) == placeholders, key


def test_issue_translations() -> None:
    """Every repair issue has a title and description with the placeholders it passes."""
    _, issues = translated_calls()
    texts = strings().get("issues", {})
    assert set(issues) == set(texts)
    for key, placeholders in issues.items():
        text = texts[key]["title"] + texts[key].get("description", "")
        steps = texts[key].get("fix_flow", {}).get("step", {})
        # A fixable issue explains itself in its fix flow instead of a description.
        assert "description" in texts[key] or steps, key
        text += "".join(
            step.get("title", "") + step.get("description", "") for step in steps.values()
        )
        used = set(RE_PLACEHOLDER.findall(text))
        assert used == placeholders, key


async def test_entity_translations_and_icons(hass: HomeAssistant, setup_entry) -> None:
    """Every entity of an entry with every kind is named and has an icon; none unused."""
    entry = await setup_entry(couple_entry(*(ritual_subentry(kind) for kind in RitualKind)))
    registry = er.async_get(hass)
    created: set[tuple[str, str]] = set()
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        assert entity.translation_key is not None, entity.entity_id
        assert entity.has_entity_name, entity.entity_id
        created.add((entity.domain, entity.translation_key))
    named = {(platform, key) for platform, keys in strings()["entity"].items() for key in keys}
    with_icon = {(platform, key) for platform, keys in icons()["entity"].items() for key in keys}
    assert created == named
    assert with_icon == named
    for platform, key in named:
        assert strings()["entity"][platform][key]["name"], (platform, key)
        assert Platform(platform)


def test_event_types_translated_and_iconned() -> None:
    """The event entity's types all have a name and an icon."""
    types = {event_type.value for event_type in RitualEventType}
    event = strings()["entity"]["event"]["ritual_event"]
    assert set(event["state_attributes"]["event_type"]["state"]) == types
    event_icons = icons()["entity"]["event"]["ritual_event"]
    assert set(event_icons["state_attributes"]["event_type"]["state"]) == types


def select_selectors(schema: vol.Schema) -> Iterator[tuple[str, ha_selector.SelectSelector]]:
    for marker, value in schema.schema.items():
        if isinstance(value, ha_selector.SelectSelector):
            yield str(marker), value


def ritual_schemas() -> dict[RitualKind, vol.Schema]:
    return {kind: ritual_schema(kind, ritual_defaults(kind)) for kind in RitualKind}


async def kind_step_schema(hass: HomeAssistant, entry_id: str) -> vol.Schema:
    result = await hass.config_entries.subentries.async_init(
        (entry_id, SUBENTRY_TYPE_RITUAL), context={"source": "user"}
    )
    hass.config_entries.subentries.async_abort(result["flow_id"])
    return result["data_schema"]


async def test_selector_translations(hass: HomeAssistant, setup_entry) -> None:
    """Every select in the flows has translated options, exactly its own."""
    entry = await setup_entry(couple_entry())
    schemas = [*ritual_schemas().values(), await kind_step_schema(hass, entry.entry_id)]
    used: set[str] = set()
    for schema in schemas:
        for field, select in select_selectors(schema):
            key = select.config.get("translation_key")
            assert key, f"{field} has no translation_key"
            used.add(key)
            options = {
                option if isinstance(option, str) else option["value"]
                for option in select.config["options"]
            }
            assert set(strings()["selector"][key]["options"]) == options, key
    # Selects in the actions' fields (services.yaml) are translated the same way.
    for service in services_yaml().values():
        for field in (service or {}).get("fields", {}).values():
            if select := field.get("selector", {}).get("select"):
                key = select["translation_key"]
                used.add(key)
                assert set(strings()["selector"][key]["options"]) == set(select["options"])
    assert used == set(strings()["selector"])


# --- config flow strings -----------------------------------------------------------------

FLOW_SECTIONS = {
    "ConfigFlow": ("config",),
    "OptionsFlow": ("options",),
    "ConfigSubentryFlow": ("config_subentries", SUBENTRY_TYPE_RITUAL),
}


def flow_usage() -> dict[tuple[str, ...], dict[str, set[str]]]:
    """Per strings section: the step ids, errors and abort reasons its flow class uses."""
    body = [
        node
        for flow_module in ("config_flow.py", "subentry_flow.py")
        for node in ast.parse((INTEGRATION / flow_module).read_text(encoding="utf-8")).body
    ]
    functions = {node.name: node for node in body if isinstance(node, ast.FunctionDef)}
    usage: dict[tuple[str, ...], dict[str, set[str]]] = {}
    for cls in (node for node in body if isinstance(node, ast.ClassDef)):
        bases = {base.id for base in cls.bases if isinstance(base, ast.Name)}
        (section,) = (FLOW_SECTIONS[base] for base in bases if base in FLOW_SECTIONS)
        found = usage.setdefault(section, {"step": set(), "error": set(), "abort": set()})
        # The class and the module-level helpers it calls (e.g. _validate_couple).
        todo: list[ast.AST] = [cls]
        seen: set[str] = set()
        while todo:
            for node in ast.walk(todo.pop()):
                if isinstance(node, ast.Call):
                    name = call_name(node)
                    if isinstance(node.func, ast.Name) and name in functions and name not in seen:
                        seen.add(name)
                        todo.append(functions[name])
                    if name == "async_show_form":
                        step = keyword(node, "step_id")
                        assert isinstance(step, ast.Constant)
                        found["step"].add(step.value)
                    elif name == "async_abort":
                        reason = keyword(node, "reason")
                        assert isinstance(reason, ast.Constant)
                        found["abort"].add(reason.value)
                    elif name == "_abort_if_unique_id_configured":
                        found["abort"].add("already_configured")
                    elif name in ("async_update_and_abort", "async_update_reload_and_abort"):
                        found["abort"].add("reconfigure_successful")
                elif (
                    isinstance(node, ast.Assign)
                    and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)
                    and any(
                        isinstance(target, ast.Subscript)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == "errors"
                        for target in node.targets
                    )
                ):
                    found["error"].add(node.value.value)
    return usage


def section_of(path: tuple[str, ...]) -> dict[str, Any]:
    node = strings()
    for part in path:
        node = node[part]
    return node


def test_flow_steps_errors_and_aborts_are_translated() -> None:
    """Every step, error and abort of each flow is in its strings section; none is unused."""
    usage = flow_usage()
    assert set(usage) == set(FLOW_SECTIONS.values())
    for path, found in usage.items():
        section = section_of(path)
        assert found["step"] == set(section["step"]), path
        assert found["error"] == set(section.get("error", {})), path
        assert found["abort"] == set(section.get("abort", {})), path
        for step_id in found["step"]:
            assert section["step"][step_id].get("title"), (path, step_id)


async def form_fields(hass: HomeAssistant, entry_id: str) -> dict[tuple[str, ...], set[str]]:
    """The fields each form can show, built from the flow's own schemas."""
    couple = {str(marker) for marker in _couple_schema(hass, {}).schema}
    ritual: set[str] = set()
    for schema in ritual_schemas().values():
        ritual |= {str(marker) for marker in schema.schema}
    options = await hass.config_entries.options.async_init(entry_id)
    hass.config_entries.options.async_abort(options["flow_id"])
    kind_step = await kind_step_schema(hass, entry_id)
    subentry = ("config_subentries", SUBENTRY_TYPE_RITUAL)
    return {
        ("config", "user"): couple,
        ("config", "reconfigure"): couple,
        ("options", "init"): {str(marker) for marker in options["data_schema"].schema},
        (*subentry, "user"): {str(marker) for marker in kind_step.schema},
        (*subentry, "ritual"): ritual,
        (*subentry, "reconfigure"): ritual,
    }


CONDITIONAL_FIELDS = {("options", "init"): {"retired_ideas"}}


async def test_every_form_field_is_labelled_and_described(hass: HomeAssistant, setup_entry) -> None:
    """Each field of each step has a label and a description, and no label is stale."""
    entry = await setup_entry(couple_entry())
    for (*path, step_id), fields in (await form_fields(hass, entry.entry_id)).items():
        step = section_of(tuple(path))["step"][step_id]
        # Fields a form shows only sometimes (the options list set-aside ideas only when
        # there are some; test_idea_feedback.py shows that form).
        conditional = CONDITIONAL_FIELDS.get((*path, step_id), set())
        assert set(step.get("data", {})) == fields | conditional, (path, step_id)
        assert set(step.get("data_description", {})) == fields | conditional, (path, step_id)


def test_subentry_flow_is_named() -> None:
    """The "Add ritual" button and the subentry type have names (HA 2025.4+)."""
    ritual = strings()["config_subentries"][SUBENTRY_TYPE_RITUAL]
    assert ritual["initiate_flow"]["user"]
    assert ritual["entry_type"]


# --- services.yaml (hassfest: services.py) -----------------------------------------------


def test_services_yaml_schema() -> None:
    """hassfest's services.yaml rules, with real selector validation."""
    SERVICES_SCHEMA(services_yaml())


def test_services_are_translated_and_iconned() -> None:
    """Every action and field has a name and description; every action an icon."""
    described = strings()["services"]
    yaml = services_yaml()
    assert set(described) == set(yaml)
    assert set(icons()["services"]) == set(yaml)
    for service, spec in yaml.items():
        assert described[service]["name"], service
        assert described[service]["description"], service
        fields = set((spec or {}).get("fields", {}))
        assert set(described[service].get("fields", {})) == fields, service
        for field in fields:
            assert described[service]["fields"][field]["name"], (service, field)
            assert described[service]["fields"][field]["description"], (service, field)


SAMPLE_VALUES = {
    "ritual": "0123456789abcdef",
    "partner": ALEX,
    "minutes": 5,
    "config_entry_id": "0123456789abcdef",
    "positive": False,
    "note": "a kind word",
    "idea": "bedtime-love-you-eyes",
    "rating": "loved",
}


async def test_registered_services_match_services_yaml(hass: HomeAssistant, setup_entry) -> None:
    """The actions registered are those of services.yaml, each accepting exactly its fields."""
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    registered = hass.services.async_services_for_domain(DOMAIN)
    yaml = services_yaml()
    assert set(registered) == set(yaml)
    for service, spec in yaml.items():
        fields = (spec or {}).get("fields", {})
        schema = registered[service].schema
        assert isinstance(schema, vol.Schema), service
        markers = {str(marker): marker for marker in schema.schema}
        assert set(markers) == set(fields), service
        for name, field in fields.items():
            assert isinstance(markers[name], vol.Required) is field.get("required", False), (
                service,
                name,
            )
            if "default" in field:
                assert markers[name].default() == field["default"], (service, name)
        valid = {name: SAMPLE_VALUES[name] for name in fields}
        schema(valid)
        with pytest.raises(vol.Invalid):
            schema({**valid, "unknown_field": 1})
        with pytest.raises((vol.Invalid, ServiceValidationError)):
            await hass.services.async_call(
                DOMAIN, service, {**valid, "unknown_field": 1}, blocking=True
            )


# --- icons.json (hassfest: icons.py) -----------------------------------------------------


def test_icons_schema() -> None:
    """Valid mdi: names everywhere; every entity icon has a default."""
    ICONS_SCHEMA(icons())


# --- brand images (Home Assistant 2026.3+ reads them from the integration) ---------------

BRAND = INTEGRATION / "brand"
BRAND_FILES = {
    f"{dark}{kind}{hdpi}.png"
    for dark in ("", "dark_")
    for kind in ("icon", "logo")
    for hdpi in ("", "@2x")
}


def test_brand_icon() -> None:
    """brand/icon.png is a 256x256 PNG; its @2x is 512x512; logos fit the brands rules."""
    from PIL import Image  # only this test needs Pillow

    if not (BRAND / "icon.png").is_file():
        pytest.skip("custom_components/connection_rituals/brand/icon.png does not exist yet")
    present = {path.name for path in BRAND.iterdir()}
    assert present <= BRAND_FILES, present - BRAND_FILES
    for name in sorted(present):
        with Image.open(BRAND / name) as image:
            assert image.format == "PNG", name
            width, height = image.size
        scale = 2 if "@2x" in name else 1
        if "icon" in name:
            assert (width, height) == (256 * scale, 256 * scale), name
        else:
            assert 128 * scale <= min(width, height) <= 256 * scale, name


# --- triggers.yaml / conditions.yaml: the automation editor ------------------------------


@pytest.mark.parametrize(
    ("yaml_name", "module", "section", "icon_key"),
    [
        ("triggers.yaml", "ritual_triggers", "triggers", "trigger"),
        ("conditions.yaml", "ritual_conditions", "conditions", "condition"),
    ],
)
def test_automation_editor_descriptions_match(
    yaml_name: str, module: str, section: str, icon_key: str
) -> None:
    """Every trigger and condition is described, translated (with each field) and has an
    icon, and nothing is described that does not exist."""
    from custom_components.connection_rituals import condition, trigger

    if not (trigger.supported() and condition.supported()):
        pytest.skip("this Home Assistant has no integration triggers and conditions")
    if module == "ritual_triggers":
        from custom_components.connection_rituals.ritual_triggers import TRIGGERS as offered
    else:
        from custom_components.connection_rituals.ritual_conditions import (
            CONDITIONS as offered,
        )
    described = {
        key: value
        for key, value in load_yaml_dict(str(INTEGRATION / yaml_name)).items()
        if not key.startswith(".")
    }
    assert set(described) == set(offered)
    strings = load_json(INTEGRATION / "strings.json")[section]
    assert set(strings) == set(offered)
    for key, description in described.items():
        fields = set((description or {}).get("fields", {}))
        assert fields == set(strings[key].get("fields", {})), key
    assert set(icons()[section]) == set(offered)
    assert all(icon_key in value for value in icons()[section].values())
