"""The shipped idea libraries as a couple meets them: enough ideas per pool in every
language, the same ids and tags everywhere, short, varied, and in the product's voice."""

from __future__ import annotations

from difflib import SequenceMatcher
from itertools import combinations
import json
from pathlib import Path
import re
from typing import Any

import pytest

from custom_components.connection_rituals.core.ideas import CATEGORIES, MAX_IDEA_LENGTH

IDEAS = (
    Path(__file__).resolve().parent.parent / "custom_components" / "connection_rituals" / "ideas"
)
LANGUAGES = ("en", "de", "fr", "es", "nl")
MINIMUM = {
    "reunion": 60,
    "bedtime": 60,
    "morning": 60,
    "departure": 30,
    "apart": 30,
    "general": 40,
    "repair": 14,
}
TAGS = ("times", "effort", "together", "device_free")

# VOICE.md's banned forms: failure words, gendered partner forms, orders as labels.
BANNED = {
    "en": r"\b(missed|failed|broken|lost|overdue|penalty|never nag)\b",
    "de": r"\b(verpasst\w*|versäumt\w*|verloren\w*|gebrochen|fehlgeschlagen|dein(es|em|en)? schatz(es)?"
    r"|dein partner|deine partnerin|der partner|niemals drängeln)\b",
    "fr": r"\b(manqué\w*|raté\w*|perdu\w*|échoué\w*|brisé\w*|jamais d'insistance)\b",
    "es": r"\b(perdid\w*|fallad\w*|fallid\w*|rot[oa]s?|separad[oa]s|nunca agobiar|juntos|juntas"
    r"|ambos|ambas|cada uno)\b",
    "nl": r"\b(gemist\w*|mislukt\w*|verloren|gebroken|uit elkaar|nooit zeuren)\b",
}
# One (informal) form of address per language. French is left out: its plural "vous" for
# the two of you together reads the same as the formal one.
FORMAL = {
    "de": r"(?<!^)(?<![.!?…„\"] )\b(Sie|Ihnen|Ihr|Ihre)\b",
    "es": r"\b(usted|ustedes)\b",
    "nl": r"\b(u|uw)\b",
}
# Never assumed: children, a car, a commute, a kitchen (VOICE.md rule 7).
ASSUMED = r"\b(kids?|children|child|car|commute|kitchen|kettle)\b"
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "for",
        "in",
        "on",
        "at",
        "with",
        "your",
        "you",
        "them",
        "they",
        "their",
        "it",
        "is",
        "be",
        "what",
        "one",
        "that",
        "this",
        "as",
        "by",
        "from",
        "then",
        "how",
        "about",
        "maybe",
    ]
)


def load(language: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((IDEAS / f"{language}.json").read_text(encoding="utf-8"))
    return data


def texts(language: str) -> list[tuple[str, str]]:
    return [
        (idea["id"], idea["text"]) for ideas in load(language)["ideas"].values() for idea in ideas
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_pool_is_big_enough(language: str) -> None:
    counts = {pool: len(ideas) for pool, ideas in load(language)["ideas"].items()}
    assert set(counts) == set(CATEGORIES)
    assert {pool: n for pool, n in counts.items() if n < MINIMUM[pool]} == {}


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_the_same_ids_and_tags_as_english(language: str) -> None:
    english = {i["id"]: i for ideas in load("en")["ideas"].values() for i in ideas}
    ours = {i["id"]: i for ideas in load(language)["ideas"].values() for i in ideas}
    assert set(ours) == set(english)
    differing = [i for i in ours if any(ours[i][tag] != english[i][tag] for tag in TAGS)]
    assert differing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_idea_is_short_and_plain(language: str) -> None:
    assert [i for i, text in texts(language) if len(text) >= MAX_IDEA_LENGTH] == []
    assert [i for i, text in texts(language) if "{" in text or "}" in text] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_banned_forms(language: str) -> None:
    found = [
        (idea_id, m.group(0))
        for idea_id, text in texts(language)
        for m in re.finditer(BANNED[language], text.lower())
    ]
    assert found == []


@pytest.mark.parametrize("language", sorted(FORMAL))
def test_one_informal_form_of_address(language: str) -> None:
    flags = 0 if language == "de" else re.IGNORECASE
    found = [i for i, text in texts(language) if re.search(FORMAL[language], text, flags)]
    assert found == []


def test_english_assumes_no_children_car_commute_or_kitchen() -> None:
    assert [i for i, text in texts("en") if re.search(ASSUMED, text.lower())] == []


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if w not in STOPWORDS}


def _similar(a: str, b: str, threshold: float) -> bool:
    """difflib's ratio above `threshold`, with its cheap upper bounds tried first."""
    matcher = SequenceMatcher(None, a, b)
    return (
        matcher.real_quick_ratio() > threshold
        and matcher.quick_ratio() > threshold
        and matcher.ratio() > threshold
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_near_duplicates(language: str) -> None:
    """No two ideas say the same thing in other words.

    Two measures: the share of content words two texts have in common (Jaccard over word
    sets without the small words), and difflib's character ratio. Rephrasings of one act
    ("Hug until you both breathe out" / "A hug that lasts until you both breathe out")
    score above 0.6 and 0.75; distinct acts that share a frame ("Ask about the best part
    of their day" / "Ask what they are looking forward to") stay below 0.45 and 0.65 in
    the shipped libraries, so the thresholds leave room for new ideas without letting
    a duplicate through.
    """
    ideas = [(i, text, _words(text)) for i, text in texts(language)]
    close = []
    for (id_a, text_a, words_a), (id_b, text_b, words_b) in combinations(ideas, 2):
        jaccard = len(words_a & words_b) / max(1, len(words_a | words_b))
        if jaccard > 0.6:
            close.append((id_a, id_b, round(jaccard, 2)))
        elif jaccard > 0.25 and _similar(text_a.lower(), text_b.lower(), 0.75):
            # (texts that share under a quarter of their words never reach 0.75 in difflib)
            close.append((id_a, id_b, "difflib"))
    assert close == []


def test_the_seed_ideas_are_in_the_library() -> None:
    """The ideas the seed articles name (docs/ideas.md maps them all)."""
    ids = {i for i, _ in texts("en")}
    docs = (IDEAS.parent.parent.parent / "docs" / "ideas.md").read_text(encoding="utf-8")
    for idea_id in (
        "reunion-phones-down-day",
        "general-touch-in-passing",
        "bedtime-love-you-eyes",
        "reunion-living-room-dance",
        "reunion-wish-understood",
        "general-crowded-day-gesture",
        "bedtime-who-theyre-becoming",
        "general-turn-toward-bid",
        "departure-hug-eyes",
    ):
        assert idea_id in ids
        assert idea_id in docs
