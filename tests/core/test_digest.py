"""The week together: what a week's digest says, by example, then its promises by property."""

from __future__ import annotations

from datetime import date, timedelta
import re

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.connection_rituals.core.digest import (
    LANGUAGES,
    PHRASES,
    HighlightKind,
    RitualWeek,
    compose,
    phrases_for,
    summarize_week,
    week_days,
    week_end,
)
from custom_components.connection_rituals.core.streaks import DayOutcome

CI = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SUNDAY = date(2026, 3, 8)
MONDAY = SUNDAY - timedelta(days=6)
KEPT, DECLINED, UNMARKED = DayOutcome.COMPLETED, DayOutcome.SKIPPED, DayOutcome.MISSED
PAUSED, NONE = DayOutcome.PAUSED, DayOutcome.NO_OPPORTUNITY

# The forms VOICE.md rules out (the shared voice checker's list, /work/shared/tools/voice_check.py).
BANNED = {
    "en": r"\b(missed|failed|broken|lost|overdue|penalty|never nag)\b",
    "de": r"\b(verpasst\w*|versäumt\w*|verloren\w*|gebrochen|fehlgeschlagen|dein schatz|deines"
    r" schatzes|deinem schatz|deinen schatz|dein partner|deine partnerin|der partner|niemals"
    r" drängeln)\b",
    "fr": r"\b(manqué\w*|raté\w*|perdu\w*|échoué\w*|brisé\w*|jamais d'insistance)\b",
    "es": r"\b(perdid\w*|fallad\w*|fallid\w*|rot[oa]s?|separad[oa]s|nunca agobiar)\b",
    "nl": r"\b(gemist\w*|mislukt\w*|verloren|gebroken|uit elkaar|nooit zeuren)\b",
}
# Words of what was not done, which a digest never lists; and orders, scores, goals.
NOT_DONE = {
    "en": r"\b(not marked|not today|skipped|paused|goal|only|should|must|%)",
    "de": r"\b(nicht markiert|heute nicht|pausiert|ziel|nur|solltet|müsst|%)",
    "fr": r"\b(non marqué|pas aujourd'hui|en pause|objectif|seulement|devez|%)",
    "es": r"\b(sin marcar|hoy no|en pausa|objetivo|solo|debéis|%)",
    "nl": r"\b(niet gemarkeerd|vandaag niet|gepauzeerd|doel|maar|moeten|%)",
}


def week(name: str, *outcomes: DayOutcome, kept_before: bool = True) -> RitualWeek:
    """A ritual's Monday-to-Sunday outcomes (fewer given: the rest had no opportunity)."""
    return RitualWeek(
        name, {MONDAY + timedelta(days=i): o for i, o in enumerate(outcomes)}, kept_before
    )


def test_the_week_ends_on_the_chosen_weekday() -> None:
    assert week_end(MONDAY, 6) == SUNDAY
    assert week_end(SUNDAY, 6) == SUNDAY
    assert week_end(SUNDAY, 0) == SUNDAY + timedelta(days=1)
    assert week_days(SUNDAY) == tuple(MONDAY + timedelta(days=i) for i in range(7))


def test_nothing_kept_is_nothing_to_celebrate() -> None:
    assert summarize_week([], SUNDAY) is None
    assert (
        summarize_week(
            [week("Reunion", DECLINED, UNMARKED, PAUSED, NONE, UNMARKED, DECLINED, PAUSED)],
            SUNDAY,
            couple_streak=40,
            loved_ideas=["A hug"],
        )
        is None
    )


def test_days_outside_the_week_do_not_count() -> None:
    outside = RitualWeek("Reunion", {MONDAY - timedelta(days=1): KEPT, SUNDAY + timedelta(1): KEPT})
    assert summarize_week([outside], SUNDAY) is None


def test_a_week_in_words() -> None:
    summary = summarize_week(
        [
            week("Reunion", KEPT, KEPT, UNMARKED, KEPT, KEPT, DECLINED, KEPT),
            week("Bedtime appreciation", NONE, KEPT, NONE, NONE, NONE, UNMARKED),
            week("Good morning", UNMARKED, DECLINED, PAUSED),
        ],
        SUNDAY,
        couple_streak=2,
    )
    assert summary is not None
    assert dict(summary.kept) == {"Reunion": 5, "Bedtime appreciation": 1}
    assert summary.together == 6
    assert (summary.start, summary.end) == (MONDAY, SUNDAY)
    assert summary.longest_run == 2
    assert not summary.run_is_streak
    assert summary.highlight.kind is HighlightKind.MOST_KEPT
    digest = compose(summary, "en")
    assert digest.title == "Your week together"
    assert digest.message == (
        "6 rituals kept together this week: Reunion \u00d75, Bedtime appreciation.\n"
        "Longest run: 2 days in a row.\n"
        "A highlight: Reunion, the one you kept most often."
    )
    assert "Good morning" not in digest.message  # what was not done is never listed


def test_a_longer_streak_still_going_is_told_instead_of_the_run() -> None:
    summary = summarize_week(
        [week("Reunion", NONE, NONE, NONE, NONE, KEPT, KEPT, KEPT)], SUNDAY, couple_streak=12
    )
    assert summary is not None
    assert (summary.longest_run, summary.run_is_streak) == (12, True)
    assert "Your streak together: 12 days." in compose(summary, "en").message
    assert "12 Tage" in compose(summary, "de").message


def test_one_kept_day_is_no_run_and_singular() -> None:
    summary = summarize_week([week("Reunion", KEPT)], SUNDAY)
    assert summary is not None
    message = compose(summary, "en").message
    assert message.startswith("1 ritual kept together this week: Reunion.")
    assert "in a row" not in message
    assert compose(summary, "fr").message.startswith("1 rituel vécu à deux")


def test_a_loved_idea_is_the_highlight() -> None:
    summary = summarize_week(
        [week("Reunion", KEPT, KEPT, KEPT), week("Bedtime", KEPT)],
        SUNDAY,
        loved_ideas=["Share one small win of the day.", "Another"],
    )
    assert summary is not None
    assert summary.highlight.kind is HighlightKind.LOVED
    assert compose(summary, "en").highlight == (
        "A highlight, an idea you loved: “Share one small win of the day.”"
    )


def test_a_first_time_is_the_highlight_when_no_ritual_leads() -> None:
    summary = summarize_week(
        [week("Reunion", KEPT), week("Apart", NONE, KEPT, kept_before=False)], SUNDAY
    )
    assert summary is not None
    assert (summary.highlight.kind, summary.highlight.ritual) == (HighlightKind.FIRST_TIME, "Apart")
    assert compose(summary, "nl").highlight == "Voor het eerst: Apart, samen gedaan."


def test_a_single_ritual_kept_for_the_first_time() -> None:
    summary = summarize_week([week("Apart", KEPT, KEPT, kept_before=False)], SUNDAY)
    assert summary is not None
    assert summary.highlight.kind is HighlightKind.FIRST_TIME


def test_ties_without_a_first_time_name_the_first_ritual() -> None:
    summary = summarize_week([week("Reunion", KEPT), week("Bedtime", NONE, KEPT)], SUNDAY)
    assert summary is not None
    assert (summary.highlight.kind, summary.highlight.ritual) == (
        HighlightKind.MOST_KEPT,
        "Reunion",
    )


def test_pressure_free_has_no_figures() -> None:
    summary = summarize_week(
        [week("Reunion", KEPT, KEPT, KEPT), week("Bedtime", KEPT)], SUNDAY, couple_streak=30
    )
    assert summary is not None
    for language in LANGUAGES:
        digest = compose(summary, language, figures=False)
        assert not re.search(r"\d", digest.message), digest.message
        assert "Reunion" in digest.message
        assert "Bedtime" in digest.message


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_speaks_in_its_own_words(language: str) -> None:
    summary = summarize_week([week("R", KEPT, KEPT, NONE, KEPT)], SUNDAY, loved_ideas=["I"])
    assert summary is not None
    digest = compose(summary, language)
    assert digest.title == PHRASES[language].title
    assert "3" in digest.message
    assert "2" in digest.message
    assert "«" in digest.message or "“" in digest.message or "„" in digest.message


def test_unknown_languages_fall_back_to_english() -> None:
    assert phrases_for("pt-BR") is PHRASES["en"]
    assert phrases_for("de-CH") is PHRASES["de"]


def test_the_address_is_the_couple_together() -> None:
    """de "ihr", fr "vous", nl "jullie" (the two of them), never a single partner's form."""
    text = {lang: " ".join(str(v) for v in vars_of(p)) for lang, p in PHRASES.items()}
    assert not re.search(r"\b(du|dein\w*|dich|dir)\b", text["de"], re.IGNORECASE)
    assert not re.search(r"\b(tu|ton|ta|tes|toi)\b", text["fr"], re.IGNORECASE)
    assert not re.search(r"\b(je|jij|jouw)\b", text["nl"], re.IGNORECASE)
    # Spanish: no gendered agreement with the couple (juntos/juntas, vosotros, ustedes).
    assert not re.search(r"\b(junt[oa]s|vosotr[oa]s|ustedes)\b", text["es"], re.IGNORECASE)


def vars_of(phrases: object) -> list[object]:
    return [getattr(phrases, name) for name in phrases.__slots__]  # type: ignore[attr-defined]


OUTCOMES = st.sampled_from(list(DayOutcome))
NAMES = st.sampled_from(
    ["Reunion", "Bedtime appreciation", "Good morning", "Thinking of you", "Tea time"]
)
IDEAS = st.sampled_from(["Share one small win.", "A long hug at the door.", "Tea together?"])


@st.composite
def weeks(draw: st.DrawFn) -> list[RitualWeek]:
    rituals = []
    for name in draw(st.lists(NAMES, max_size=5, unique=True)):
        days = draw(st.dictionaries(st.integers(-3, 9), OUTCOMES, max_size=12))
        rituals.append(
            RitualWeek(
                name, {MONDAY + timedelta(days=d): o for d, o in days.items()}, draw(st.booleans())
            )
        )
    return rituals


@CI
@given(
    weeks(),
    st.integers(0, 400),
    st.lists(IDEAS, max_size=2),
    st.sampled_from(LANGUAGES),
    st.booleans(),
)
def test_promises_of_every_week(
    rituals: list[RitualWeek], streak: int, loved: list[str], language: str, figures: bool
) -> None:
    summary = summarize_week(rituals, SUNDAY, couple_streak=streak, loved_ideas=loved)
    in_week = set(week_days(SUNDAY))
    kept = {
        r.name: sum(1 for d, o in r.days.items() if d in in_week and o is KEPT) for r in rituals
    }
    if not any(kept.values()):
        assert summary is None  # nothing to celebrate: nothing sent
        return
    assert summary is not None
    assert dict(summary.kept) == {name: n for name, n in kept.items() if n}
    assert summary.longest_run >= 1
    assert summary.longest_run <= 7 or summary.run_is_streak
    digest = compose(summary, language, figures=figures)
    text = f"{digest.title}\n{digest.message}".lower()
    for rx in BANNED.values():
        assert not re.search(rx, text), text
    assert not re.search(NOT_DONE[language], text), text
    for name, n in kept.items():
        assert bool(re.search(rf"\b{name.lower()}\b", text)) == bool(
            n
        )  # only what was kept is named
    assert digest.highlight in digest.message
    assert len(digest.message) < 400
