"""The idea library: data (`ideas/<language>.json`) that this module validates, the
ritual kinds' pools, when an idea fits the moment (time of day, both at home or apart),
and a couple's own prompt text turned into ideas. Picking the next idea from a pool's
shuffled cycle is `idea_cycle.py`. Nothing here reads a clock or a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import hashlib
import re
from string import Formatter
from types import MappingProxyType
from typing import Any

from .idea_memory import (  # re-exported: the library's users read ratings here
    RATING_LOVED as RATING_LOVED,
    RATING_RESTORE as RATING_RESTORE,
    RATING_RETIRE as RATING_RETIRE,
    RATINGS as RATINGS,
    SHOWN_KEPT as SHOWN_KEPT,
    CycleState as CycleState,
    IdeaMemory as IdeaMemory,
)

LIBRARY_VERSION = 2
OWN_CATEGORY = "own"
MAX_IDEA_LENGTH = 140

CATEGORIES: tuple[str, ...] = (
    "morning",
    "reunion",
    "departure",
    "bedtime",
    "apart",
    "general",
    "repair",
)

# The pool each ritual kind draws from. A custom ritual draws from the general pool, which
# assumes no time of day; repair ideas (after a hard moment) are never drawn by a kind that
# is not about that.
KIND_CATEGORIES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "reunion": ("reunion",),
        "departure": ("departure",),
        "morning": ("morning",),
        "bedtime": ("bedtime",),
        "apart": ("apart",),
        "custom": ("general",),
    }
)

# Times of day an idea may fit, and the local hours they cover.
TIMES_OF_DAY: tuple[str, ...] = ("morning", "day", "evening", "night")
ANY_TIME = "any"
EFFORTS: tuple[str, ...] = ("tiny", "small")


# Every phrase the integration needs, with the placeholders it fills in.
REQUIRED_PHRASES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "done": frozenset(),
        "snooze": frozenset(),
        "skip": frozenset(),
        # "Not tonight", for the evening's rituals.
        "skip_evening": frozenset(),
        "reply": frozenset(),
        "appreciation_title": frozenset({"partner"}),
        # After a kept ritual, when the couple asked to rate ideas.
        "feedback_title": frozenset(),
        "loved": frozenset(),
        "not_this_one": frozenset(),
        "plain_title": frozenset({"ritual", "partner"}),
        # Logbook lines, in Home Assistant's language.
        "log_started": frozenset({"ritual"}),
        "log_completed": frozenset({"ritual"}),
        "log_completed_streak": frozenset({"ritual", "streak"}),
        "log_missed": frozenset({"ritual"}),
        "log_snoozed": frozenset({"ritual"}),
        "log_skipped": frozenset({"ritual"}),
        "log_milestone": frozenset({"ritual", "days"}),
        "log_updated": frozenset({"ritual"}),
        # A reunion's prompt says what is coming before its device-free minutes.
        "reunion_cue": frozenset({"partner", "minutes"}),
        "reunion_cue_self": frozenset({"minutes"}),
        # The word to the partner at home that the other is on the way (reunion cues).
        "on_the_way": frozenset({"partner"}),
        "on_the_way_eta": frozenset({"partner", "minutes"}),
        "log_on_the_way": frozenset({"ritual"}),
        # A new ritual's suggested name, per kind.
        "name_reunion": frozenset(),
        "name_departure": frozenset(),
        "name_morning": frozenset(),
        "name_bedtime": frozenset(),
        "name_apart": frozenset(),
        "name_custom": frozenset(),
    }
)
# Phrases a library may have, with their placeholders: where a learned time in the
# ritual form comes from (rhythms).
OPTIONAL_PHRASES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        f"rhythm_{signal}_{kind}": frozenset({"time"})
        for signal in ("lights_out", "morning")
        for kind in ("workday", "day_off")
    }
)

_TOP_LEVEL_KEYS = frozenset({"version", "language", "phrases", "ideas"})
_IDEA_KEYS = frozenset({"id", "text", "times", "effort", "together", "device_free"})
_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


@dataclass(frozen=True, slots=True)
class Idea:
    """One prompt: a stable id, the pool it belongs to, its text and when it fits.

    `times` empty means any time of day; `together` means it needs both partners in one
    place; `device_free` that the act itself needs no screen.
    """

    idea_id: str
    category: str
    text: str
    times: frozenset[str] = frozenset()
    effort: str = "small"
    together: bool = False
    device_free: bool = True

    def fits(self, moment: Moment) -> bool:
        """Whether the idea suits this moment (time of day, who is where)."""
        if self.times and moment.time_of_day not in self.times:
            return False
        return moment.together or not self.together


@dataclass(frozen=True, slots=True)
class Moment:
    """What selection needs to know about now: the time of day and whether both are home."""

    time_of_day: str = "day"
    together: bool = True


def time_of_day(hour: int) -> str:
    """The time of day of a local hour: morning 5-11, day 11-17, evening 17-22, night."""
    if 5 <= hour < 11:
        return "morning"
    if 11 <= hour < 17:
        return "day"
    if 17 <= hour < 22:
        return "evening"
    return "night"


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
        wanted = REQUIRED_PHRASES.get(key, OPTIONAL_PHRASES.get(key, frozenset()))
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
                keys = ", ".join(f'"{key}"' for key in sorted(_IDEA_KEYS))
                raise _fail(where, f"must be an object with exactly {keys}")
            idea_id, text = entry["id"], entry["text"]
            if not isinstance(idea_id, str) or not id_pattern.fullmatch(idea_id):
                raise _fail(where, f"id {idea_id!r} must look like '{category}-some-slug'")
            if idea_id in seen:
                raise _fail(where, f"id {idea_id!r} is already used at {seen[idea_id]}")
            if not isinstance(text, str) or not text.strip():
                raise _fail(where, "text must be a non-empty string")
            if len(text) >= MAX_IDEA_LENGTH:
                raise _fail(where, f"text must be under {MAX_IDEA_LENGTH} characters")
            if _placeholders(where, text):
                raise _fail(where, "an idea has no placeholders")
            seen[idea_id] = where
            parsed.append(
                Idea(idea_id, category, " ".join(text.split()), **_parse_tags(where, entry))
            )
        ideas[category] = tuple(parsed)
    return MappingProxyType(ideas)


def _parse_tags(where: str, entry: dict[str, Any]) -> dict[str, Any]:
    times = entry["times"]
    if times == [ANY_TIME]:
        parsed_times: frozenset[str] = frozenset()
    elif (
        isinstance(times, list)
        and times
        and all(time in TIMES_OF_DAY for time in times)
        and len(set(times)) == len(times)
    ):
        parsed_times = frozenset(times)
    else:
        raise _fail(where, f'times must be ["{ANY_TIME}"] or a list of {", ".join(TIMES_OF_DAY)}')
    if entry["effort"] not in EFFORTS:
        raise _fail(where, f"effort must be one of {', '.join(EFFORTS)}")
    for flag in ("together", "device_free"):
        if not isinstance(entry[flag], bool):
            raise _fail(where, f"{flag} must be true or false")
    return {
        "times": parsed_times,
        "effort": entry["effort"],
        "together": entry["together"],
        "device_free": entry["device_free"],
    }


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
