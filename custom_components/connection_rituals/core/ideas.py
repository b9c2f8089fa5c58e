"""The idea library and how a prompt is picked from it.

The library is data (`ideas/<language>.json`); this module validates it, maps ritual
kinds to categories, turns a couple's own prompt text into ideas, and chooses the
next idea so that none repeats within `NO_REPEAT_DAYS` while unused ones remain.
Nothing here reads a clock or a file: the caller hands in today, the usage record
and the random generator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
import hashlib
import random
import re
from string import Formatter
from types import MappingProxyType
from typing import Any

NO_REPEAT_DAYS = 60
LIBRARY_VERSION = 1
OWN_CATEGORY = "own"

CATEGORIES: tuple[str, ...] = ("morning", "reunion", "departure", "bedtime", "apart", "repair")

# Which categories each ritual kind draws from; `custom` draws from all of them.
KIND_CATEGORIES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "reunion": ("reunion",),
        "departure": ("departure",),
        "morning": ("morning",),
        "bedtime": ("bedtime",),
        "apart": ("apart",),
        "custom": CATEGORIES,
    }
)

# Every phrase the integration needs, with the placeholders it fills in.
REQUIRED_PHRASES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "done": frozenset(),
        "snooze": frozenset(),
        "skip": frozenset(),
        "reply": frozenset(),
        "appreciation": frozenset({"partner", "text"}),
        "appreciation_title": frozenset({"partner"}),
        "plain_title": frozenset({"ritual", "partner"}),
        # A new ritual's suggested name, per kind.
        "name_reunion": frozenset(),
        "name_departure": frozenset(),
        "name_morning": frozenset(),
        "name_bedtime": frozenset(),
        "name_apart": frozenset(),
        "name_custom": frozenset(),
    }
)

_TOP_LEVEL_KEYS = frozenset({"version", "language", "phrases", "ideas"})
_IDEA_KEYS = frozenset({"id", "text"})
_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


@dataclass(frozen=True, slots=True)
class Idea:
    """One prompt: a stable id, the category it belongs to and its text."""

    idea_id: str
    category: str
    text: str


@dataclass(frozen=True, slots=True)
class IdeaLibrary:
    """A validated idea library for one language."""

    language: str
    phrases: Mapping[str, str]
    ideas: Mapping[str, tuple[Idea, ...]]  # category -> ideas

    def for_kind(self, kind: str) -> tuple[Idea, ...]:
        """The ideas a ritual of this kind draws from (raises ValueError for unknown kinds)."""
        categories = KIND_CATEGORIES.get(kind)
        if categories is None:
            raise ValueError(f"unknown ritual kind {kind!r}")
        return tuple(idea for category in categories for idea in self.ideas.get(category, ()))


def _fail(where: str, problem: str) -> ValueError:
    return ValueError(f"idea library: {where}: {problem}")


def _placeholders(where: str, text: str) -> set[str]:
    """The named fields of a format string; rejects braces str.format cannot handle."""
    try:
        parsed = list(Formatter().parse(text))
    except ValueError as err:
        raise _fail(where, f"broken braces ({err})") from None
    fields: set[str] = set()
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise _fail(where, f"placeholder {{{name}}} must be a plain name like {{partner}}")
        fields.add(name)
    return fields


def _parse_phrases(raw: Any) -> Mapping[str, str]:
    if not isinstance(raw, dict):
        raise _fail("phrases", "must be an object of phrase name to text")
    phrases: dict[str, str] = {}
    for key, value in raw.items():
        where = f"phrases.{key}"
        if not isinstance(value, str) or not value.strip():
            raise _fail(where, "must be a non-empty string")
        phrases[key] = value.strip()
    missing = sorted(set(REQUIRED_PHRASES) - set(phrases))
    if missing:
        raise _fail("phrases", f"missing {', '.join(missing)}")
    for key, text in phrases.items():
        found = _placeholders(f"phrases.{key}", text)
        wanted = REQUIRED_PHRASES.get(key, frozenset())
        if found != wanted:
            expected = ", ".join(f"{{{name}}}" for name in sorted(wanted)) or "no placeholders"
            raise _fail(f"phrases.{key}", f"must use exactly {expected}")
    return MappingProxyType(phrases)


def _parse_ideas(raw: Any) -> Mapping[str, tuple[Idea, ...]]:
    if not isinstance(raw, dict):
        raise _fail("ideas", "must be an object of category to a list of ideas")
    unknown = sorted(set(raw) - set(CATEGORIES))
    if unknown:
        raise _fail("ideas", f"unknown categories {', '.join(map(repr, unknown))}")
    seen: dict[str, str] = {}
    ideas: dict[str, tuple[Idea, ...]] = {}
    for category in CATEGORIES:
        entries = raw.get(category)
        if not isinstance(entries, list) or not entries:
            raise _fail(f"ideas.{category}", "must be a non-empty list")
        id_pattern = re.compile(rf"{category}-{_SLUG}")
        parsed: list[Idea] = []
        for index, entry in enumerate(entries):
            where = f"ideas.{category}[{index}]"
            if not isinstance(entry, dict) or set(entry) != _IDEA_KEYS:
                raise _fail(where, 'must be an object with exactly "id" and "text"')
            idea_id, text = entry["id"], entry["text"]
            if not isinstance(idea_id, str) or not id_pattern.fullmatch(idea_id):
                raise _fail(where, f"id {idea_id!r} must look like '{category}-some-slug'")
            if idea_id in seen:
                raise _fail(where, f"id {idea_id!r} is already used at {seen[idea_id]}")
            if not isinstance(text, str) or not text.strip():
                raise _fail(where, "text must be a non-empty string")
            seen[idea_id] = where
            parsed.append(Idea(idea_id, category, " ".join(text.split())))
        ideas[category] = tuple(parsed)
    return MappingProxyType(ideas)


def parse_library(data: Any) -> IdeaLibrary:
    """Validate decoded library JSON; raises ValueError saying what is wrong and where."""
    if not isinstance(data, dict):
        raise _fail("top level", "must be an object")
    missing = sorted(_TOP_LEVEL_KEYS - set(data))
    if missing:
        raise _fail("top level", f"missing {', '.join(missing)}")
    unknown = sorted(set(data) - _TOP_LEVEL_KEYS)
    if unknown:
        raise _fail("top level", f"unknown keys {', '.join(map(repr, unknown))}")
    version = data["version"]
    if type(version) is not int or version != LIBRARY_VERSION:
        raise _fail("version", f"{version!r} is not supported (expected {LIBRARY_VERSION})")
    language = data["language"]
    if not isinstance(language, str) or not _LANGUAGE.fullmatch(language):
        raise _fail("language", f"{language!r} is not a language code like 'en' or 'pt-BR'")
    return IdeaLibrary(
        language=language,
        phrases=_parse_phrases(data["phrases"]),
        ideas=_parse_ideas(data["ideas"]),
    )


def is_fresh(idea_id: str, last_used: Mapping[str, date], today: date) -> bool:
    """Never used, or last used more than NO_REPEAT_DAYS days before today."""
    used = last_used.get(idea_id)
    return used is None or (today - used).days > NO_REPEAT_DAYS


def choose_idea(
    candidates: Sequence[Idea],
    last_used: Mapping[str, date],
    today: date,
    rng: random.Random,
) -> Idea:
    """Pick the next idea: uniformly among fresh ones, else among the least recently used.

    `last_used` maps idea ids to the ritual day each was last shown. Candidates sharing
    an id count once (the first). The result depends only on the arguments and the
    state of `rng`.
    """
    unique: dict[str, Idea] = {}
    for idea in candidates:
        unique.setdefault(idea.idea_id, idea)
    if not unique:
        raise ValueError("choose_idea needs at least one candidate")
    pool = tuple(unique.values())
    # is_fresh, with the horizon worked out once: this runs on every prompt.
    horizon = today - timedelta(days=NO_REPEAT_DAYS)
    fresh = tuple(
        idea for idea in pool if (used := last_used.get(idea.idea_id)) is None or used < horizon
    )
    if fresh:
        return rng.choice(fresh)
    oldest = min(last_used[idea.idea_id] for idea in pool)
    return rng.choice(tuple(idea for idea in pool if last_used[idea.idea_id] == oldest))


def prune_last_used(last_used: Mapping[str, date], today: date) -> dict[str, date]:
    """Drop usage records old enough to be fresh again; `choose_idea` decides the same."""
    horizon = today - timedelta(days=NO_REPEAT_DAYS)
    return {idea_id: day for idea_id, day in last_used.items() if day >= horizon}


def own_prompts(text: str | None, ritual_id: str) -> tuple[Idea, ...]:
    """A couple's own prompts: one per non-empty line, with ids stable across edits.

    The id hashes the stripped line, so reordering or adding lines keeps the usage
    record of the others. A line given twice counts once.
    """
    ideas: dict[str, Idea] = {}
    for line in (text or "").splitlines():
        prompt = line.strip()
        if not prompt:
            continue
        digest = hashlib.sha1(prompt.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
        idea_id = f"own-{ritual_id}-{digest}"
        ideas.setdefault(idea_id, Idea(idea_id, OWN_CATEGORY, prompt))
    return tuple(ideas.values())
