"""The idea library: the shipped file, validation, choosing without repeats, own prompts."""

from __future__ import annotations

from datetime import date, timedelta
import hashlib
import json
from pathlib import Path
import random
import re
from typing import Any
import unicodedata

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.connection_rituals.core.ideas import (
    CATEGORIES,
    KIND_CATEGORIES,
    NO_REPEAT_DAYS,
    REQUIRED_PHRASES,
    Idea,
    IdeaLibrary,
    choose_idea,
    own_prompts,
    parse_library,
    prune_last_used,
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


def minimal() -> dict[str, Any]:
    """The smallest valid library; each malformed case breaks one thing in it."""
    return {
        "version": 1,
        "language": "en",
        "phrases": {
            "done": "Done",
            "snooze": "Snooze",
            "skip": "Skip",
            "reply": "Reply",
            "appreciation": "{partner} appreciates: {text}",
            "appreciation_title": "From {partner}",
            "plain_title": "{ritual} for {partner}",
            **{f"name_{kind}": kind.capitalize() for kind in KIND_CATEGORIES},
        },
        "ideas": {c: [{"id": f"{c}-one", "text": f"A {c} idea."}] for c in CATEGORIES},
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
    assert {"{partner}", "{text}"} <= set(re.findall(r"{\w+}", library.phrases["appreciation"]))
    assert "{partner}" in library.phrases["appreciation_title"]
    message = library.phrases["appreciation"].format(partner="Sam", text="the {soup}")
    assert "Sam" in message
    assert "the {soup}" in message
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


def test_custom_draws_from_every_category(library: IdeaLibrary) -> None:
    ideas = library.for_kind("custom")
    assert {i.category for i in ideas} == set(CATEGORIES)
    assert len(ideas) == sum(len(v) for v in library.ideas.values())


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
    assert parsed.for_kind("bedtime") == (Idea("bedtime-one", "bedtime", "A bedtime idea."),)
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
    data["ideas"]["morning"].append({"id": "morning-one", "text": "Another one."})
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
    "future version": (_set("version", 2), "version: 2 is not supported"),
    "version as text": (_set("version", "1"), "version: '1' is not supported"),
    "version as bool": (_set("version", True), "version: True is not supported"),
    "bad language": (_set("language", "English"), "language: 'English'"),
    "phrases as list": (_set("phrases", ["Done"]), "phrases: must be an object"),
    "missing phrase": (_drop("phrases.snooze"), "phrases: missing snooze"),
    "empty phrase": (_set("phrases.done", "  "), "phrases.done: must be a non-empty string"),
    "phrase not text": (_set("phrases.reply", 3), "phrases.reply: must be a non-empty string"),
    "placeholder missing": (
        _set("phrases.appreciation", "{partner} appreciates you"),
        r"phrases.appreciation: must use exactly \{partner\}, \{text\}",
    ),
    "title without partner": (
        _set("phrases.appreciation_title", "A note"),
        r"phrases.appreciation_title: must use exactly \{partner\}",
    ),
    "unknown placeholder": (
        _set("phrases.appreciation", "{name} says {text}"),
        r"phrases.appreciation: must use exactly",
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
    "idea without text": (_drop("ideas.morning.0.text"), r"exactly \"id\" and \"text\""),
    "idea with extra key": (_extra_entry_key, r"exactly \"id\" and \"text\""),
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
    data["ideas"]["repair"].append({"id": "repair-one", "text": "Again."})
    with pytest.raises(ValueError, match=r"already used at ideas\.repair\[0\]"):
        parse_library(data)


# --------------------------------------------------------------------------- choose_idea


def test_choosing_from_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one candidate"):
        choose_idea((), {}, DAY0, random.Random(1))


@pytest.mark.parametrize(
    ("age", "fresh"),
    [(0, False), (1, False), (NO_REPEAT_DAYS, False), (NO_REPEAT_DAYS + 1, True), (400, True)],
)
def test_an_idea_is_fresh_again_after_more_than_sixty_days(age: int, fresh: bool) -> None:
    used, unused = idea(1), idea(2)
    last_used = {used.idea_id: DAY0 - timedelta(days=age)}
    chosen = {choose_idea((used, unused), last_used, DAY0, random.Random(s)) for s in range(40)}
    assert chosen == ({used, unused} if fresh else {unused})


def test_a_never_used_idea_wins_over_recently_used_ones() -> None:
    ideas = [idea(n) for n in range(5)]
    last_used = {i.idea_id: DAY0 - timedelta(days=n) for n, i in enumerate(ideas[:4])}
    for seed in range(50):
        assert choose_idea(ideas, last_used, DAY0, random.Random(seed)) == ideas[4]


def test_fresh_ideas_are_chosen_uniformly_never_used_or_not() -> None:
    ideas = [idea(n) for n in range(4)]
    last_used = {ideas[0].idea_id: DAY0 - timedelta(days=NO_REPEAT_DAYS + 5)}
    rng = random.Random(7)
    counts = {i.idea_id: 0 for i in ideas}
    for _ in range(4000):
        counts[choose_idea(ideas, last_used, DAY0, rng).idea_id] += 1
    assert all(850 <= c <= 1150 for c in counts.values()), counts


def test_when_all_are_recent_the_least_recently_used_are_chosen_uniformly() -> None:
    ideas = [idea(n) for n in range(4)]
    ages = [3, 30, 30, 10]
    last_used = {i.idea_id: DAY0 - timedelta(days=a) for i, a in zip(ideas, ages, strict=True)}
    rng = random.Random(3)
    chosen = [choose_idea(ideas, last_used, DAY0, rng) for _ in range(2000)]
    assert set(chosen) == {ideas[1], ideas[2]}
    assert 850 <= chosen.count(ideas[1]) <= 1150


def test_duplicate_candidates_count_once() -> None:
    a, b = idea(1), idea(2)
    rng = random.Random(11)
    chosen = [choose_idea((a, a, a, a, a, b), {}, DAY0, rng) for _ in range(2000)]
    assert 850 <= chosen.count(a) <= 1150


def test_usage_of_ideas_outside_the_candidates_does_not_matter() -> None:
    a, b = idea(1), idea(2)
    last_used = {"elsewhere-1": DAY0, a.idea_id: DAY0}
    assert choose_idea((a, b), last_used, DAY0, random.Random(0)) == b


def simulate(
    candidates: list[Idea], past: list[int | None], gaps: list[int], seed: int
) -> list[tuple[date, Idea, list[tuple[date, str]]]]:
    """Choose on each day and record the use; returns (day, choice, history before).

    `past[i]` is how many days before the first day candidate i was last used (None:
    never); `gaps` are the days between choices, so the days never go backwards.
    """
    rng = random.Random(seed)
    history = sorted(
        (DAY0 - timedelta(days=age), c.idea_id)
        for c, age in zip(candidates, past, strict=False)
        if age is not None
    )
    last_used = {idea_id: day for day, idea_id in history}
    steps = []
    today = DAY0
    for gap in gaps:
        today += timedelta(days=gap)
        choice = choose_idea(candidates, last_used, today, rng)
        steps.append((today, choice, list(history)))
        last_used[choice.idea_id] = today
        history.append((today, choice.idea_id))
    return steps


BOUNDARY = st.sampled_from([NO_REPEAT_DAYS - 1, NO_REPEAT_DAYS, NO_REPEAT_DAYS + 1])
candidate_lists = st.integers(min_value=1, max_value=8).map(
    lambda n: [idea(i, CATEGORIES[i % len(CATEGORIES)]) for i in range(n)]
)
past_usage = st.lists(
    st.one_of(st.none(), st.integers(0, 150), BOUNDARY), min_size=8, max_size=8
)  # per candidate: never used, used some days ago, or right at the 60-day edge
day_gaps = st.lists(
    st.one_of(st.integers(0, 3), st.integers(0, 90), BOUNDARY), min_size=1, max_size=60
)  # non-decreasing days: several choices a day, daily, long breaks, the 60-day edge


@CI
@given(candidates=candidate_lists, past=past_usage, gaps=day_gaps, seed=st.integers(0, 2**32))
def test_no_repeat_within_sixty_days_while_a_fresh_idea_remains(
    candidates: list[Idea], past: list[int | None], gaps: list[int], seed: int
) -> None:
    for today, choice, history in simulate(candidates, past, gaps, seed):
        assert choice in candidates

        def recently_used(idea_id: str, today: date = today, history: Any = history) -> bool:
            return any(i == idea_id and (today - d).days <= NO_REPEAT_DAYS for d, i in history)

        fresh_existed = any(not recently_used(c.idea_id) for c in candidates)
        if recently_used(choice.idea_id):
            assert not fresh_existed, (today, choice, history)


@CI
@given(candidates=candidate_lists, past=past_usage, gaps=day_gaps, seed=st.integers(0, 2**32))
def test_with_everything_recent_the_choice_is_least_recently_used(
    candidates: list[Idea], past: list[int | None], gaps: list[int], seed: int
) -> None:
    for today, choice, history in simulate(candidates, past, gaps, seed):
        last = {i: d for d, i in history}  # later uses overwrite earlier ones
        if all(
            c.idea_id in last and (today - last[c.idea_id]).days <= NO_REPEAT_DAYS
            for c in candidates
        ):
            assert last[choice.idea_id] == min(last[c.idea_id] for c in candidates)


@CI
@given(candidates=candidate_lists, past=past_usage, gaps=day_gaps, seed=st.integers(0, 2**32))
def test_choosing_is_deterministic_for_equal_seeds(
    candidates: list[Idea], past: list[int | None], gaps: list[int], seed: int
) -> None:
    assert simulate(candidates, past, gaps, seed) == simulate(
        list(candidates), list(past), list(gaps), seed
    )


def test_different_seeds_give_different_sequences() -> None:
    candidates = [idea(n) for n in range(8)]
    runs = {tuple(c for _, c, _ in simulate(candidates, [], [1] * 8, seed)) for seed in range(20)}
    assert len(runs) > 10


@CI
@given(
    candidates=candidate_lists,
    ages=st.lists(st.one_of(st.none(), st.integers(-5, 200), BOUNDARY), min_size=8, max_size=8),
    seed=st.integers(0, 2**32),
)
def test_pruning_old_usage_never_changes_the_choice(
    candidates: list[Idea], ages: list[int | None], seed: int
) -> None:
    last_used = {
        c.idea_id: DAY0 - timedelta(days=age)
        for c, age in zip(candidates, ages, strict=False)
        if age is not None
    }
    pruned = prune_last_used(last_used, DAY0)
    assert all((DAY0 - day).days <= NO_REPEAT_DAYS for day in pruned.values())
    assert choose_idea(candidates, pruned, DAY0, random.Random(seed)) == choose_idea(
        candidates, last_used, DAY0, random.Random(seed)
    )


def test_pruning_keeps_what_still_blocks_and_drops_what_is_fresh() -> None:
    last_used = {
        "a": DAY0 - timedelta(days=NO_REPEAT_DAYS),
        "b": DAY0 - timedelta(days=NO_REPEAT_DAYS + 1),
        "c": DAY0,
    }
    assert prune_last_used(last_used, DAY0) == {"a": last_used["a"], "c": DAY0}


# --------------------------------------------------------------------------- own prompts


def test_own_prompts_one_per_non_empty_line_stripped() -> None:
    text = "  Hug at the door  \n\n   \r\nAsk about the best part of the day\t\n"
    prompts = own_prompts(text, "r1")
    assert [p.text for p in prompts] == ["Hug at the door", "Ask about the best part of the day"]
    assert {p.category for p in prompts} == {"own"}


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
