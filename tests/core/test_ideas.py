"""The idea library: the shipped file, validation, the shuffled cycles, own prompts."""

from __future__ import annotations

from datetime import date
import hashlib
import json
from pathlib import Path
import re
from typing import Any
import unicodedata

from hypothesis import HealthCheck, settings
import pytest

from custom_components.connection_rituals.core.ideas import (
    CATEGORIES,
    KIND_CATEGORIES,
    REQUIRED_PHRASES,
    Idea,
    IdeaLibrary,
    Moment,
    own_prompts,
    parse_library,
    time_of_day,
)

CI = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

IDEAS_DIR = (
    Path(__file__).resolve().parents[2] / "custom_components" / "connection_rituals" / "ideas"
)
SHIPPED = IDEAS_DIR / "en.json"
RITUAL_KINDS = ("reunion", "departure", "morning", "bedtime", "apart", "custom")
MAX_TEXT = 120
DAY0 = date(2026, 3, 2)


def load(path: Path = SHIPPED) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def emoji_in(text: str) -> list[str]:
    """Characters that would render as emoji or pictographs on a phone."""
    return [
        char
        for char in text
        if unicodedata.category(char) in {"So", "Cs", "Co", "Cn"}
        or 0x1F000 <= ord(char) <= 0x1FAFF
        or 0x2600 <= ord(char) <= 0x27BF
        or char in {"\ufe0f", "\u200d", "\u20e3"}
    ]


def normalized(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", text.casefold()).split())


def idea(n: int, category: str = "morning") -> Idea:
    return Idea(f"{category}-idea-{n}", category, f"Idea number {n}")


TAGS: dict[str, Any] = {"times": ["any"], "effort": "tiny", "together": True, "device_free": True}


def minimal() -> dict[str, Any]:
    """The smallest valid library; each malformed case breaks one thing in it."""
    return {
        "version": 2,
        "language": "en",
        "phrases": {
            "done": "Done",
            "snooze": "Snooze",
            "skip": "Not today",
            "skip_evening": "Not tonight",
            "reply": "Reply",
            "appreciation_title": "From {partner}",
            "feedback_title": "How was it?",
            "loved": "Loved it",
            "not_this_one": "Not this one",
            "plain_title": "{ritual} for {partner}",
            "reunion_cue": "{partner} is home. {minutes} minutes?",
            "reunion_cue_self": "{minutes} minutes?",
            "on_the_way": "{partner} on the way",
            "on_the_way_eta": "{partner} in {minutes}",
            **{
                f"log_{k}": "{ritual}"
                for k in (
                    "started",
                    "completed",
                    "missed",
                    "snoozed",
                    "skipped",
                    "updated",
                    "on_the_way",
                )
            },
            "log_completed_streak": "{ritual} {streak}",
            "log_milestone": "{ritual} {days}",
            **{f"name_{kind}": kind.capitalize() for kind in KIND_CATEGORIES},
        },
        "ideas": {c: [{"id": f"{c}-one", "text": f"A {c} idea.", **TAGS}] for c in CATEGORIES},
    }


# --------------------------------------------------------------------------- shipped file


@pytest.fixture(scope="module")
def library() -> IdeaLibrary:
    return parse_library(load())


def test_every_shipped_library_parses() -> None:
    files = sorted(IDEAS_DIR.glob("*.json"))
    assert SHIPPED in files
    for path in files:
        parsed = parse_library(load(path))
        assert parsed.language == path.stem


def test_the_shipped_library_is_big_enough(library: IdeaLibrary) -> None:
    counts = {category: len(library.ideas[category]) for category in CATEGORIES}
    assert set(library.ideas) == set(CATEGORIES)
    assert all(count >= 10 for count in counts.values()), counts
    assert sum(counts.values()) >= 60


def test_shipped_texts_are_short_unique_and_plain(library: IdeaLibrary) -> None:
    texts = [i.text for ideas in library.ideas.values() for i in ideas]
    too_long = [text for text in texts if len(text) > MAX_TEXT]
    assert too_long == []
    keys = [normalized(text) for text in texts]
    assert sorted(k for k in set(keys) if keys.count(k) > 1) == []
    assert {text: emoji_in(text) for text in texts if emoji_in(text)} == {}
    # Prompts are never about streaks and carry no format placeholders.
    assert [t for t in texts if "streak" in t.lower() or "{" in t or "}" in t] == []


def test_shipped_ids_are_stable_slugs(library: IdeaLibrary) -> None:
    raw = load()
    ids = [entry["id"] for entries in raw["ideas"].values() for entry in entries]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(-[a-z0-9]+)+", i) for i in ids)
    for category, entries in raw["ideas"].items():
        assert [i.idea_id for i in library.ideas[category]] == [e["id"] for e in entries]
        assert all(e["id"].startswith(f"{category}-") for e in entries)


def test_shipped_phrases_are_complete_and_format(library: IdeaLibrary) -> None:
    assert set(REQUIRED_PHRASES) <= set(library.phrases)
    assert "{partner}" in library.phrases["appreciation_title"]
    assert "Sam" in library.phrases["appreciation_title"].format(partner="Sam")
    title = library.phrases["plain_title"].format(ritual="Reunion", partner="Sam")
    assert "Reunion" in title
    assert "Sam" in title
    assert all(not emoji_in(text) for text in library.phrases.values())


@pytest.mark.parametrize("text", ["Hi \U0001f600", "Love \u2764", "\u2764\ufe0f", "ok \U0001faf6"])
def test_the_emoji_check_catches_emoji(text: str) -> None:
    assert emoji_in(text)


@pytest.mark.parametrize(
    "text",
    ["Let's talk -- later...", "Caf\u00e9, na\u00efve, \u2018quoted\u2019 \u201cwords\u201d"],
)
def test_the_emoji_check_allows_text(text: str) -> None:
    assert emoji_in(text) == []


# --------------------------------------------------------------------------- for_kind


@pytest.mark.parametrize("kind", [k for k in RITUAL_KINDS if k != "custom"])
def test_a_kind_draws_from_its_own_category(library: IdeaLibrary, kind: str) -> None:
    ideas = library.for_kind(kind)
    assert ideas == library.ideas[kind]
    assert {i.category for i in ideas} == {kind}


def test_custom_draws_from_the_general_pool_never_repair(library: IdeaLibrary) -> None:
    ideas = library.for_kind("custom")
    assert ideas == library.ideas["general"]
    assert all(not i.times for i in ideas)  # the general pool assumes no time of day
    assert all("repair" not in categories for categories in KIND_CATEGORIES.values())


def test_every_ritual_kind_is_mapped_and_unknown_kinds_are_refused(library: IdeaLibrary) -> None:
    assert set(KIND_CATEGORIES) == set(RITUAL_KINDS)
    with pytest.raises(ValueError, match="unknown ritual kind 'repairs'"):
        library.for_kind("repairs")


def test_the_parsed_library_cannot_be_changed(library: IdeaLibrary) -> None:
    with pytest.raises(TypeError):
        library.phrases["done"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        library.ideas["morning"] = ()  # type: ignore[index]


# --------------------------------------------------------------------------- parse_library


def test_the_minimal_library_parses() -> None:
    parsed = parse_library(minimal())
    assert parsed.language == "en"
    assert parsed.for_kind("bedtime") == (
        Idea("bedtime-one", "bedtime", "A bedtime idea.", frozenset(), "tiny", True, True),
    )
    assert parsed.phrases["appreciation_title"] == "From {partner}"


def test_parsing_normalises_whitespace_and_keeps_extra_phrases() -> None:
    data = minimal()
    data["ideas"]["apart"][0]["text"] = "  Send   a\nhello.  "
    data["phrases"]["title"] = " Time to connect "
    parsed = parse_library(data)
    assert parsed.ideas["apart"][0].text == "Send a hello."
    assert parsed.phrases["title"] == "Time to connect"


def _walk(data: Any, path: str) -> tuple[Any, Any]:
    """The container holding the last part of a dotted path, and that part as a key."""
    *parents, last = (int(p) if p.isdigit() else p for p in path.split("."))
    node = data
    for part in parents:
        node = node[part]
    return node, last


def _set(path: str, value: Any) -> Any:
    def change(data: dict[str, Any]) -> Any:
        node, key = _walk(data, path)
        node[key] = value
        return data

    return change


def _drop(path: str) -> Any:
    def change(data: dict[str, Any]) -> Any:
        node, key = _walk(data, path)
        del node[key]
        return data

    return change


def _duplicate_id(data: dict[str, Any]) -> Any:
    data["ideas"]["morning"].append({"id": "morning-one", "text": "Another one.", **TAGS})
    return data


def _extra_entry_key(data: dict[str, Any]) -> Any:
    data["ideas"]["morning"][0]["weight"] = 2
    return data


MALFORMED = {
    "not an object": (lambda data: [data], "top level: must be an object"),
    "null": (lambda data: None, "top level: must be an object"),
    "missing ideas": (_drop("ideas"), "top level: missing ideas"),
    "missing phrases": (_drop("phrases"), "top level: missing phrases"),
    "missing version": (_drop("version"), "top level: missing version"),
    "missing language": (_drop("language"), "top level: missing language"),
    "unknown top-level key": (_set("prompts", []), "unknown keys 'prompts'"),
    "future version": (_set("version", 3), "version: 3 is not supported"),
    "old version": (_set("version", 1), "version: 1 is not supported"),
    "version as text": (_set("version", "2"), "version: '2' is not supported"),
    "version as bool": (_set("version", True), "version: True is not supported"),
    "bad language": (_set("language", "English"), "language: 'English'"),
    "phrases as list": (_set("phrases", ["Done"]), "phrases: must be an object"),
    "missing phrase": (_drop("phrases.snooze"), "phrases: missing snooze"),
    "empty phrase": (_set("phrases.done", "  "), "phrases.done: must be a non-empty string"),
    "phrase not text": (_set("phrases.reply", 3), "phrases.reply: must be a non-empty string"),
    "placeholder missing": (
        _set("phrases.appreciation_title", "{partner} writes {text}"),
        r"phrases.appreciation_title: must use exactly \{partner\}",
    ),
    "title without partner": (
        _set("phrases.appreciation_title", "A note"),
        r"phrases.appreciation_title: must use exactly \{partner\}",
    ),
    "unknown placeholder": (
        _set("phrases.appreciation_title", "From {name}"),
        r"phrases.appreciation_title: must use exactly",
    ),
    "plain title without ritual": (
        _set("phrases.plain_title", "For {partner}"),
        r"phrases.plain_title: must use exactly \{partner\}, \{ritual\}",
    ),
    "placeholder in a button": (_set("phrases.done", "Done {partner}"), "no placeholders"),
    "broken braces": (_set("phrases.appreciation_title", "From {partner"), "broken braces"),
    "format spec": (
        _set("phrases.appreciation_title", "From {partner!r}"),
        "must be a plain name",
    ),
    "positional field": (_set("phrases.skip", "Skip {}"), "must be a plain name"),
    "ideas as list": (_set("ideas", []), "ideas: must be an object"),
    "unknown category": (_set("ideas.evening", []), "unknown categories 'evening'"),
    "missing category": (_drop("ideas.repair"), r"ideas.repair: must be a non-empty list"),
    "empty category": (_set("ideas.bedtime", []), r"ideas.bedtime: must be a non-empty list"),
    "idea not an object": (_set("ideas.morning.0", "Smile"), r"ideas.morning\[0\]: must be"),
    "idea without text": (_drop("ideas.morning.0.text"), r"must be an object with exactly"),
    "idea without tags": (_drop("ideas.morning.0.times"), r"must be an object with exactly"),
    "idea with extra key": (_extra_entry_key, r"must be an object with exactly"),
    "times not a list": (_set("ideas.morning.0.times", "morning"), "times must be"),
    "unknown time": (_set("ideas.morning.0.times", ["noon"]), "times must be"),
    "any with a time": (_set("ideas.morning.0.times", ["any", "morning"]), "times must be"),
    "no times": (_set("ideas.morning.0.times", []), "times must be"),
    "repeated time": (_set("ideas.morning.0.times", ["day", "day"]), "times must be"),
    "unknown effort": (_set("ideas.morning.0.effort", "huge"), "effort must be"),
    "together as text": (_set("ideas.morning.0.together", "yes"), "together must be"),
    "device_free as number": (_set("ideas.morning.0.device_free", 1), "device_free must be"),
    "text too long": (_set("ideas.apart.0.text", "x" * 140), "under 140 characters"),
    "placeholder in an idea": (_set("ideas.apart.0.text", "Hi {partner}"), "no placeholders"),
    "empty text": (_set("ideas.apart.0.text", " \n "), r"ideas.apart\[0\]: text must be"),
    "text not a string": (_set("ideas.apart.0.text", 7), r"ideas.apart\[0\]: text must be"),
    "id of another category": (_set("ideas.apart.0.id", "morning-x"), "must look like 'apart-"),
    "id with capitals": (_set("ideas.apart.0.id", "apart-Hello"), "must look like"),
    "id not a string": (_set("ideas.apart.0.id", 5), "id 5 must look like"),
    "duplicate id": (_duplicate_id, r"ideas.morning\[1\]: id 'morning-one' is already used"),
}


@pytest.mark.parametrize(("change", "message"), MALFORMED.values(), ids=MALFORMED.keys())
def test_parse_library_rejects_malformed_data(change: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_library(change(minimal()))


def test_a_duplicate_id_across_categories_is_rejected() -> None:
    data = minimal()
    data["ideas"]["repair"].append({"id": "repair-one", "text": "Again.", **TAGS})
    with pytest.raises(ValueError, match=r"already used at ideas\.repair\[0\]"):
        parse_library(data)


@pytest.mark.parametrize(
    ("hour", "expected"),
    [
        (4, "night"),
        (5, "morning"),
        (10, "morning"),
        (11, "day"),
        (16, "day"),
        (17, "evening"),
        (21, "evening"),
        (22, "night"),
        (0, "night"),
    ],
)
def test_time_of_day(hour: int, expected: str) -> None:
    assert time_of_day(hour) == expected


# --------------------------------------------------------------------------- own prompts


def test_own_prompts_one_per_non_empty_line_stripped() -> None:
    text = "  Hug at the door  \n\n   \r\nAsk about the best part of the day\t\n"
    prompts = own_prompts(text, "r1")
    assert [p.text for p in prompts] == ["Hug at the door", "Ask about the best part of the day"]
    assert {p.category for p in prompts} == {"own"}
    assert all(p.fits(Moment("morning", together=False)) for p in prompts)


def test_own_prompt_ids_are_stable_and_derived_from_the_line() -> None:
    digest = hashlib.sha1(b"Hug at the door").hexdigest()[:8]
    first = own_prompts("Hug at the door\nSay thanks", "r1")
    assert first[0].idea_id == f"own-r1-{digest}"
    # Reordering, re-indenting or adding lines keeps each line's id.
    again = own_prompts("Something new\n   Say thanks\nHug at the door   ", "r1")
    assert {p.text: p.idea_id for p in first}.items() <= {p.text: p.idea_id for p in again}.items()
    # The same line in another ritual gets its own id.
    assert own_prompts("Hug at the door", "r2")[0].idea_id == f"own-r2-{digest}"


def test_own_prompts_without_text() -> None:
    assert own_prompts(None, "r1") == ()
    assert own_prompts("", "r1") == ()
    assert own_prompts(" \n\t\n", "r1") == ()


def test_a_repeated_own_line_counts_once() -> None:
    prompts = own_prompts("Say thanks\n  Say thanks  \nHug", "r1")
    assert [p.text for p in prompts] == ["Say thanks", "Hug"]
