"""Schemas for the files hassfest and the HACS action check: manifest.json, hacs.json,
strings.json (and the translations made from it), services.yaml and icons.json.

A helpers module, not tests: tests/test_manifest.py and tests/test_translations.py
validate against these. They mirror Home Assistant's `script/hassfest` (manifest,
translations, icons, services, dependencies) and HACS's
`custom_components/hacs/utils/validate.py`; neither ships in a wheel.
"""

from __future__ import annotations

from collections.abc import Callable
import json
from pathlib import Path
import re
from typing import Any
from urllib.parse import urlparse

from awesomeversion import AwesomeVersion, AwesomeVersionException, AwesomeVersionStrategy
from homeassistant.const import Platform
from homeassistant.helpers import config_validation as cv, selector as ha_selector
import voluptuous as vol

from custom_components.connection_rituals.const import DOMAIN

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / DOMAIN
HA_COMPONENTS = Path(__import__("homeassistant.components").components.__path__[0])


def load_json(path: Path) -> Any:
    """A JSON file, parsed."""
    return json.loads(path.read_text(encoding="utf-8"))


# --- manifest.json (hassfest: manifest.py, config_flow.py, dependencies.py) --------------

SUPPORTED_IOT_CLASSES = [
    "assumed_state",
    "calculated",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
]
INTEGRATION_TYPES = ["device", "entity", "hardware", "helper", "hub", "service", "system"]
CODEOWNER = re.compile(r"^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[A-Za-z0-9._-]+)?$")


def verify_version(value: str) -> str:
    """hassfest's version rule for custom integrations."""
    try:
        AwesomeVersion(
            value,
            ensure_strategy=[
                AwesomeVersionStrategy.CALVER,
                AwesomeVersionStrategy.SEMVER,
                AwesomeVersionStrategy.SIMPLEVER,
                AwesomeVersionStrategy.BUILDVER,
                AwesomeVersionStrategy.PEP440,
            ],
        )
    except AwesomeVersionException as err:
        raise vol.Invalid(f"'{value}' is not a valid version.") from err
    return value


def https_url(value: str) -> str:
    value = vol.Url()(value)
    if urlparse(value).scheme != "https":
        raise vol.Invalid("the URL is not https")
    return value


def codeowner(value: str) -> str:
    if not CODEOWNER.match(value):
        raise vol.Invalid(f"'{value}' is not a GitHub @user or @org/team handle")
    return value


# hassfest's INTEGRATION_MANIFEST_SCHEMA + CUSTOM_INTEGRATION_MANIFEST_SCHEMA (the keys a
# service integration can have; discovery matchers are left out on purpose: any of them
# would need a check of its own) with the custom-integration rules made required.
MANIFEST_SCHEMA = vol.Schema(
    {
        vol.Required("domain"): str,
        vol.Required("name"): str,
        vol.Optional("integration_type", default="hub"): vol.In(INTEGRATION_TYPES),
        vol.Optional("config_flow"): bool,
        vol.Required("documentation"): vol.All(str, https_url),
        vol.Required("issue_tracker"): vol.All(str, https_url),
        vol.Optional("quality_scale"): vol.In(["internal", "silver", "gold", "platinum"]),
        vol.Optional("requirements"): [str],
        vol.Optional("dependencies"): [str],
        vol.Optional("after_dependencies"): [str],
        vol.Required("codeowners"): vol.All([codeowner], vol.Length(min=1)),
        vol.Optional("loggers"): [str],
        vol.Required("iot_class"): vol.In(SUPPORTED_IOT_CLASSES),
        vol.Optional("single_config_entry"): bool,
        vol.Required("version"): vol.All(str, verify_version),
        vol.Optional("import_executor"): bool,
    }
)

# HACS: custom_components/hacs/utils/validate.py
HACS_INTEGRATION_MANIFEST_SCHEMA = vol.Schema(
    {
        vol.Required("codeowners"): list,
        vol.Required("documentation"): cv.url,
        vol.Required("domain"): str,
        vol.Required("issue_tracker"): cv.url,
        vol.Required("name"): str,
        vol.Required("version"): vol.Coerce(AwesomeVersion),
    },
    extra=vol.ALLOW_EXTRA,
)

# hassfest dependencies.py: components a custom integration may import without listing.
ALLOWED_USED_COMPONENTS = {
    *(platform.value for platform in Platform),
    "alert",
    "automation",
    "conversation",
    "default_config",
    "device_automation",
    "frontend",
    "group",
    "homeassistant",
    "input_boolean",
    "input_button",
    "input_datetime",
    "input_number",
    "input_select",
    "input_text",
    "media_source",
    "onboarding",
    "panel_custom",
    "persistent_notification",
    "person",
    "script",
    "shopping_list",
    "sun",
    "system_health",
    "system_log",
    "timer",
    "webhook",
    "websocket_api",
    "zone",
}

# --- hacs.json ---------------------------------------------------------------------------

HACS_JSON_SCHEMA = vol.Schema(
    {
        vol.Optional("content_in_root"): bool,
        vol.Optional("country"): vol.Any(str, [str]),
        vol.Optional("filename"): str,
        vol.Optional("hacs"): vol.Coerce(AwesomeVersion),
        vol.Optional("hide_default_branch"): bool,
        vol.Optional("homeassistant"): vol.Coerce(AwesomeVersion),
        vol.Optional("persistent_directory"): str,
        vol.Optional("render_readme"): bool,
        vol.Optional("zip_release"): bool,
        vol.Required("name"): str,
    },
    extra=vol.PREVENT_EXTRA,
)

# --- strings.json and translations/en.json (hassfest: translations.py) -------------------

RE_TRANSLATION_KEY = re.compile(r"^(?!.+[_-]{2})(?![_-])[a-z0-9-_]+(?<![_-])$")
RE_COMBINED_REFERENCE = re.compile(r"(.+\[%)|(%\].+)")
RE_PLACEHOLDER_IN_SINGLE_QUOTES = re.compile(r"'{\w+}'")


def translation_key(value: Any) -> str:
    if not isinstance(value, str) or RE_TRANSLATION_KEY.match(value) is None:
        raise vol.Invalid(f"Invalid translation key '{value}'")
    return value


def translation_value(value: Any) -> str:
    text = cv.string_with_no_html(value)
    if RE_PLACEHOLDER_IN_SINGLE_QUOTES.search(text):
        raise vol.Invalid("the string should not contain placeholders inside single quotes")
    if RE_COMBINED_REFERENCE.search(text):
        raise vol.Invalid("the string should not contain combined translations")
    if text != text.strip():
        raise vol.Invalid("the string should not contain leading or trailing spaces")
    return text


def data_entry_schema(*, subentry: bool = False) -> vol.All:
    schema: dict[Any, Any] = {
        vol.Optional("flow_title"): translation_value,
        vol.Required("step"): {
            str: {
                vol.Optional("title"): translation_value,
                vol.Optional("description"): translation_value,
                vol.Optional("data"): {str: translation_value},
                vol.Optional("data_description"): {str: translation_value},
                vol.Optional("menu_options"): {str: translation_value},
                vol.Optional("submit"): translation_value,
                vol.Optional("sections"): {
                    str: {
                        vol.Optional("data"): {str: translation_value},
                        vol.Optional("description"): translation_value,
                        vol.Optional("name"): translation_value,
                    }
                },
            }
        },
        vol.Optional("error"): {str: translation_value},
        vol.Optional("abort"): {str: translation_value},
        vol.Optional("progress"): {str: translation_value},
        vol.Optional("create_entry"): {str: translation_value},
    }
    if subentry:
        schema[vol.Required("entry_type")] = translation_value
        schema[vol.Required("initiate_flow")] = {
            vol.Required("user"): translation_value,
            str: translation_value,
        }

    def data_description_in_data(value: dict[str, Any]) -> dict[str, Any]:
        for step_id, step in value["step"].items():
            for key in step.get("data_description", {}):
                if key not in step.get("data", {}):
                    raise vol.Invalid(f"{step_id}: data_description key {key} is not in data")
        return value

    return vol.All(vol.Schema(schema), data_description_in_data)


def slug_keys(value_schema: Any, key: Callable[[Any], Any] = translation_key) -> Any:
    return cv.schema_with_slug_keys(value_schema, slug_validator=key)


STATE_SCHEMA = slug_keys(translation_value)
AUTOMATION_DESCRIPTION = {
    vol.Required("name"): translation_value,
    vol.Required("description"): translation_value,
    vol.Optional("fields"): slug_keys(
        {vol.Required("name"): translation_value, vol.Required("description"): translation_value}
    ),
}

STRINGS_SCHEMA = vol.Schema(
    {
        vol.Optional("title"): translation_value,
        vol.Optional("config"): data_entry_schema(),
        vol.Optional("config_subentries"): slug_keys(
            data_entry_schema(subentry=True), vol.Any("_", cv.slug)
        ),
        vol.Optional("options"): data_entry_schema(),
        vol.Optional("selector"): slug_keys({"options": STATE_SCHEMA}, vol.Any("_", cv.slug)),
        vol.Optional("issues"): {
            str: vol.All(
                cv.has_at_least_one_key("description", "fix_flow"),
                vol.Schema(
                    {
                        vol.Required("title"): translation_value,
                        vol.Exclusive("description", "fixable"): translation_value,
                        vol.Exclusive("fix_flow", "fixable"): data_entry_schema(),
                    }
                ),
            )
        },
        vol.Optional("device"): slug_keys({vol.Optional("name"): translation_value}),
        vol.Optional("entity"): slug_keys(
            slug_keys(
                {
                    vol.Optional("name"): translation_value,
                    vol.Optional("state"): STATE_SCHEMA,
                    vol.Optional("state_attributes"): slug_keys(
                        {
                            vol.Optional("name"): translation_value,
                            vol.Optional("state"): STATE_SCHEMA,
                        }
                    ),
                }
            ),
            cv.slug,
        ),
        vol.Optional("exceptions"): slug_keys(
            {vol.Optional("message"): translation_value}, cv.slug
        ),
        # The automation editor's triggers and conditions (trigger.py, condition.py).
        vol.Optional("triggers"): slug_keys(AUTOMATION_DESCRIPTION),
        vol.Optional("conditions"): slug_keys(AUTOMATION_DESCRIPTION),
        vol.Optional("services"): slug_keys(
            {
                vol.Required("name"): translation_value,
                vol.Required("description"): translation_value,
                vol.Optional("fields"): slug_keys(
                    {
                        vol.Required("name"): str,
                        vol.Required("description"): translation_value,
                        vol.Optional("example"): translation_value,
                    }
                ),
                vol.Optional("sections"): slug_keys(
                    {
                        vol.Required("name"): str,
                        vol.Optional("description"): translation_value,
                    }
                ),
            }
        ),
    }
)

# --- services.yaml (hassfest: services.py) -----------------------------------------------


def exists(value: Any) -> Any:
    if value is None:
        raise vol.Invalid("Value cannot be None")
    return value


FIELD_SCHEMA = vol.Schema(
    {
        vol.Optional("example"): exists,
        vol.Optional("default"): exists,
        vol.Optional("required"): bool,
        vol.Optional("advanced"): bool,
        vol.Optional("selector"): ha_selector.validate_selector,
        vol.Optional("filter"): dict,
        # Custom integrations may also name them here; ours use strings.json.
        vol.Optional("name"): str,
        vol.Optional("description"): str,
    }
)
SERVICES_SCHEMA = vol.Schema(
    {
        cv.slug: vol.Any(
            None,
            vol.Schema(
                {
                    vol.Optional("name"): str,
                    vol.Optional("description"): str,
                    vol.Optional("target"): vol.Any(ha_selector.TargetSelector.CONFIG_SCHEMA, None),
                    vol.Optional("fields"): vol.Schema({str: FIELD_SCHEMA}),
                }
            ),
        )
    }
)

# --- icons.json (hassfest: icons.py) -----------------------------------------------------

RE_MDI = re.compile(r"^mdi:[a-z0-9]+(?:-[a-z0-9]+)*$")


def icon(value: Any) -> str:
    text = cv.string_with_no_html(value)
    if not RE_MDI.match(text):
        raise vol.Invalid(f"'{text}' is not a Material Design Icon name (mdi:name-like-this)")
    return text


def not_same_as_default(value: dict[str, Any]) -> dict[str, Any]:
    for key, section in value.items():
        if (default := section.get("default")) and (states := section.get("state")):
            for state, state_icon in states.items():
                if state_icon == default:
                    raise vol.Invalid(f"{key}.{state} repeats the default icon")
    return value


ICON_STATES = slug_keys(icon)
ICONS_SCHEMA = vol.Schema(
    {
        vol.Optional("entity"): slug_keys(
            vol.All(
                slug_keys(
                    {
                        vol.Required("default"): icon,
                        vol.Optional("state"): ICON_STATES,
                        vol.Optional("range"): {vol.Coerce(float): icon},
                        vol.Optional("state_attributes"): vol.All(
                            slug_keys(
                                {
                                    vol.Optional("default"): icon,
                                    vol.Required("state"): ICON_STATES,
                                }
                            ),
                            not_same_as_default,
                        ),
                    }
                ),
                not_same_as_default,
            ),
            cv.slug,
        ),
        vol.Optional("triggers"): slug_keys({vol.Required("trigger"): icon}),
        vol.Optional("conditions"): slug_keys({vol.Required("condition"): icon}),
        vol.Optional("services"): slug_keys(
            {vol.Required("service"): icon, vol.Optional("sections"): ICON_STATES}
        ),
    }
)
