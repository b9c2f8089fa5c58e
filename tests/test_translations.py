"""Translations and idea libraries in other languages match the English originals.

translations/<lang>.json must have exactly the keys of translations/en.json (generated
from strings.json), with the same {placeholders}; ideas/<lang>.json must parse and offer
the same ideas and phrases as ideas/en.json. A German household gets German prompts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
import json
from pathlib import Path
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service

from custom_components.connection_rituals.const import DOMAIN, RitualKind
from custom_components.connection_rituals.core.ideas import parse_library
from custom_components.connection_rituals.prompt_words import load_library

from .conftest import SAM, SetupEntry, couple_entry, ritual_subentry, set_person
from .helpers import move_to
from .schemas import STRINGS_SCHEMA

INTEGRATION = Path(__file__).resolve().parent.parent / "custom_components" / DOMAIN
TRANSLATIONS = INTEGRATION / "translations"
IDEAS = INTEGRATION / "ideas"

# The languages we ship; a file for another language is checked as well.
SHIPPED = {"de", "es", "fr", "nl"}
LANGUAGES = sorted(
    SHIPPED | {path.stem for path in (*TRANSLATIONS.glob("*.json"), *IDEAS.glob("*.json"))} - {"en"}
)

PLACEHOLDER = re.compile(r"\{(\w+)\}")

type KeyPath = tuple[str, ...]


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def leaves(node: Mapping[str, Any], prefix: KeyPath = ()) -> Iterator[tuple[KeyPath, Any]]:
    """Every non-object value with the path of keys leading to it."""
    for key, value in node.items():
        if isinstance(value, Mapping):
            yield from leaves(value, (*prefix, key))
        else:
            yield (*prefix, key), value


def flat(node: Mapping[str, Any]) -> dict[KeyPath, Any]:
    return dict(leaves(node))


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def stray_braces(text: str) -> bool:
    """Braces that are not part of a {placeholder} (the frontend cannot render them)."""
    rest = PLACEHOLDER.sub("", text)
    return "{" in rest or "}" in rest


def show(paths: set[KeyPath]) -> list[str]:
    return sorted("::".join(path) for path in paths)


def english() -> dict[KeyPath, Any]:
    return flat(load(TRANSLATIONS / "en.json"))


def translation(language: str) -> dict[KeyPath, Any]:
    return flat(load(TRANSLATIONS / f"{language}.json"))


# --- translations/<lang>.json -------------------------------------------------------------


def test_every_shipped_language_has_both_files() -> None:
    """Each language has UI strings and an idea library; en.json exists for both."""
    ui = {path.stem for path in TRANSLATIONS.glob("*.json")}
    ideas = {path.stem for path in IDEAS.glob("*.json")}
    assert ui == ideas
    assert {"en", *SHIPPED} <= ui


def test_english_has_every_key_of_strings_json() -> None:
    """en.json (what the other languages are compared with) covers strings.json."""
    assert set(english()) == set(flat(load(INTEGRATION / "strings.json")))


@pytest.mark.parametrize("language", LANGUAGES)
def test_translation_has_exactly_the_english_keys(language: str) -> None:
    """No key missing, none extra."""
    theirs, ours = set(english()), set(translation(language))
    assert show(theirs - ours) == [], f"{language}.json misses these keys"
    assert show(ours - theirs) == [], f"{language}.json has keys en.json does not"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translation_covers_every_selector_option(language: str) -> None:
    """Every option of every select in strings.json has a label in this language."""
    strings = load(INTEGRATION / "strings.json")
    ours = load(TRANSLATIONS / f"{language}.json")
    for selector, spec in strings["selector"].items():
        labels = ours.get("selector", {}).get(selector, {}).get("options", {})
        assert set(labels) == set(spec["options"]), f"{language}.json: selector {selector}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translation_values_are_text(language: str) -> None:
    """Non-empty strings without stray spaces or braces."""
    for path, value in translation(language).items():
        where = f"{language}.json: {'::'.join(path)}"
        assert isinstance(value, str), where
        assert value.strip(), where
        assert value == value.strip(), where
        assert not stray_braces(value), where


@pytest.mark.parametrize("language", LANGUAGES)
def test_translation_keeps_the_placeholders(language: str) -> None:
    """Each string has exactly the {placeholders} of the English one."""
    theirs = english()
    for path, value in translation(language).items():
        if path in theirs:
            assert placeholders(value) == placeholders(theirs[path]), (
                f"{language}.json: {'::'.join(path)}: {value!r}"
            )


@pytest.mark.parametrize("language", LANGUAGES)
def test_translation_follows_hassfest_rules(language: str) -> None:
    """The rules hassfest applies to strings.json hold for this file too."""
    STRINGS_SCHEMA(load(TRANSLATIONS / f"{language}.json"))


# --- ideas/<lang>.json --------------------------------------------------------------------


def english_ideas() -> dict[str, Any]:
    return load(IDEAS / "en.json")


def ideas_by_id(data: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """category -> idea id -> text."""
    return {
        category: {entry["id"]: entry["text"] for entry in entries}
        for category, entries in data["ideas"].items()
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_idea_library_parses(language: str) -> None:
    """parse_library accepts it, and it says which language it is."""
    library = parse_library(load(IDEAS / f"{language}.json"))
    assert library.language == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_idea_library_has_the_english_ideas(language: str) -> None:
    """The same idea ids in each category (usage records carry over between languages)."""
    theirs = ideas_by_id(english_ideas())
    ours = ideas_by_id(load(IDEAS / f"{language}.json"))
    assert set(ours) == set(theirs)
    for category, ideas in theirs.items():
        assert sorted(ours[category]) == sorted(ideas), f"{language}: {category}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_idea_library_has_the_english_phrases(language: str) -> None:
    """The same phrase names as en.json, each with the same {placeholders}."""
    theirs = english_ideas()["phrases"]
    ours = load(IDEAS / f"{language}.json")["phrases"]
    assert set(ours) == set(theirs)
    for key, text in ours.items():
        assert placeholders(text) == placeholders(theirs[key]), f"{language}: {key}: {text!r}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_idea_texts_are_translated(language: str) -> None:
    """Each idea keeps the English {placeholders} and is not left in English."""
    theirs = ideas_by_id(english_ideas())
    ours = ideas_by_id(load(IDEAS / f"{language}.json"))
    for category, ideas in ours.items():
        for idea_id, text in ideas.items():
            english_text = theirs[category][idea_id]
            assert placeholders(text) == placeholders(english_text), f"{language}: {idea_id}"
            assert text != english_text, f"{language}: {idea_id} is still English"


@pytest.mark.parametrize("language", LANGUAGES)
def test_load_library_picks_the_language(language: str) -> None:
    """The integration loads the file for hass.config.language, also for a regional code."""
    assert load_library(language).language == language
    assert load_library(f"{language}-XX").language == language


def test_load_library_falls_back_to_english() -> None:
    assert load_library("pt-BR").language == "en"


# --- a German household -------------------------------------------------------------------


async def test_german_household_gets_a_german_reunion_prompt(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry: SetupEntry
) -> None:
    """hass.config.language = de: German entity names, and a German reunion idea as prompt."""
    hass.config.language = "de"
    calls = async_mock_service(hass, "notify", "alex_pager")
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = await setup_entry(
        couple_entry(ritual_subentry(RitualKind.REUNION), notify_a="notify.alex_pager")
    )
    names = load(TRANSLATIONS / "de.json")["entity"]
    checked = 0
    for entity in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        name = names[entity.domain][entity.translation_key]["name"]
        if not placeholders(name):
            assert hass.states.get(entity.entity_id).name.endswith(f" {name}"), entity.entity_id
            checked += 1
    assert checked > 5
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()

    german = load(IDEAS / "de.json")
    reunion_texts = {entry["text"] for entry in german["ideas"]["reunion"]}
    assert len(calls) == 1
    message = calls[0].data["message"]
    cue = german["phrases"]["reunion_cue"].format(partner="Sam", minutes=10) + " "
    assert message.startswith(cue)
    assert message.removeprefix(cue) in reunion_texts
    title = german["phrases"]["plain_title"].format(ritual="Reunion", partner="Alex")
    assert calls[0].data["title"] == title


async def test_the_logbook_speaks_the_household_language(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry: SetupEntry
) -> None:
    """A German household's logbook reads German, from a real bus event."""
    from custom_components.connection_rituals.logbook import async_describe_events

    hass.config.language = "de"
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    events: list[Any] = []
    hass.bus.async_listen("connection_rituals_event", events.append)
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    described: dict[str, Any] = {}
    async_describe_events(hass, lambda domain, event_type, fn: described.update(fn=fn))
    assert described["fn"](events[0])["message"] == "Reunion beginnt"  # the ritual as named
