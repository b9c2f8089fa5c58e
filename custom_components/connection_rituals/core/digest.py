"""The week together: a short, warm summary of the rituals a couple kept.

From a week of day outcomes per ritual, the couple's streak and the ideas they loved,
`summarize_week` finds what there is to celebrate: the rituals kept (per ritual and
together), the longest run of kept days (or the couple's streak, when it is longer), and
one highlight. A week without a kept ritual has nothing to celebrate: None, nothing is
sent. What was not done is never listed, no partner is named or counted, and no figure is
held against a goal. `compose` puts the summary into words in the couple's language.
Nothing here reads a clock: the caller hands in the days.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

from .streaks import DayOutcome

WEEK_DAYS = 7


class HighlightKind(StrEnum):
    """What the week's highlight is about."""

    LOVED = "loved"  # an idea the couple loved this week
    MOST_KEPT = "most_kept"  # the ritual kept most often
    FIRST_TIME = "first_time"  # a ritual kept for the first time


@dataclass(frozen=True, slots=True)
class RitualWeek:
    """One ritual's days (outcomes of the days that have a record) and whether it was ever
    kept before the week began."""

    name: str
    days: Mapping[date, DayOutcome]
    kept_before: bool = False


@dataclass(frozen=True, slots=True)
class Highlight:
    """The one thing the week is remembered by."""

    kind: HighlightKind
    ritual: str | None = None
    idea: str | None = None


@dataclass(frozen=True, slots=True)
class WeekSummary:
    """What the couple kept in a week (kept rituals only; never what was not done)."""

    start: date
    end: date
    kept: Mapping[str, int]  # ritual name -> kept days, rituals with none left out
    longest_run: int  # kept days in a row within the week, or the ongoing streak
    run_is_streak: bool  # longest_run is the couple's streak, longer than the week's run
    highlight: Highlight

    @property
    def together(self) -> int:
        """Rituals kept this week, all together."""
        return sum(self.kept.values())


@dataclass(frozen=True, slots=True)
class Digest:
    """The notification: a title and a short message."""

    title: str
    message: str
    highlight: str


def week_end(today: date, last_weekday: int) -> date:
    """The last day of the week `today` belongs to, when weeks end on `last_weekday`
    (0 Monday ... 6 Sunday): today itself or a day of the coming six."""
    return today + timedelta(days=(last_weekday - today.weekday()) % WEEK_DAYS)


def week_days(end: date) -> tuple[date, ...]:
    """The seven days of the week ending on `end`, in order."""
    return tuple(end - timedelta(days=offset) for offset in range(WEEK_DAYS - 1, -1, -1))


def summarize_week(
    rituals: Sequence[RitualWeek],
    end: date,
    *,
    couple_streak: int = 0,
    loved_ideas: Sequence[str] = (),
) -> WeekSummary | None:
    """The week ending on `end` (days after it and before its start are ignored).

    None when nothing was kept. `couple_streak` is the couple's current streak (it is
    shown instead of the week's run when it is longer: it is still going). `loved_ideas`
    are the texts of ideas the couple loved this week, most loved first.
    The highlight is a loved idea; else the ritual kept most, when one was kept more
    often than every other; else a ritual kept for the first time; else the first of
    the rituals kept most.
    """
    days = week_days(end)
    kept: dict[str, int] = {}
    kept_any: set[date] = set()
    first_times: list[str] = []
    for ritual in rituals:
        count = 0
        for day in days:
            if ritual.days.get(day) is DayOutcome.COMPLETED:
                count += 1
                kept_any.add(day)
        if count:
            kept[ritual.name] = kept.get(ritual.name, 0) + count
            if not ritual.kept_before and ritual.name not in first_times:
                first_times.append(ritual.name)
    if not kept:
        return None
    run = longest = 0
    for day in days:
        run = run + 1 if day in kept_any else 0
        longest = max(longest, run)
    run_is_streak = couple_streak > longest
    return WeekSummary(
        start=days[0],
        end=end,
        kept=MappingProxyType(kept),
        longest_run=couple_streak if run_is_streak else longest,
        run_is_streak=run_is_streak,
        highlight=_highlight(kept, first_times, loved_ideas),
    )


def _highlight(
    kept: Mapping[str, int], first_times: Sequence[str], loved: Sequence[str]
) -> Highlight:
    if loved:
        return Highlight(HighlightKind.LOVED, idea=loved[0])
    most = max(kept.values())
    leaders = [name for name, count in kept.items() if count == most]
    if len(leaders) == 1 and len(kept) > 1:
        return Highlight(HighlightKind.MOST_KEPT, ritual=leaders[0])
    if first_times:
        return Highlight(HighlightKind.FIRST_TIME, ritual=first_times[0])
    return Highlight(HighlightKind.MOST_KEPT, ritual=leaders[0])


@dataclass(frozen=True, slots=True)
class Phrases:
    """A language's words for the digest; `_one`/`_other` are the plural forms."""

    title: str
    kept_one: str  # {rituals}
    kept_other: str  # {count} {rituals}
    kept_plain: str  # {rituals} (pressure-free: no figures)
    times: str  # {ritual} {count}: a ritual kept more than once
    run: str  # {days}
    streak_one: str  # {days}
    streak_other: str  # {days}
    loved: str  # {idea}
    most_kept: str  # {ritual}
    first_time: str  # {ritual}
    separator: str = ", "
    one: frozenset[int] = field(default=frozenset({1}))  # counts that take the _one form


# The couple is addressed together, informally, as the idea library does: de "ihr",
# fr "vous" (the two of you), nl "jullie"; es without a form that assumes a gender or a region.
PHRASES: Mapping[str, Phrases] = MappingProxyType(
    {
        "en": Phrases(
            title="Your week together",
            kept_one="1 ritual kept together this week: {rituals}.",
            kept_other="{count} rituals kept together this week: {rituals}.",
            kept_plain="Kept together this week: {rituals}.",
            times="{ritual} \u00d7{count}",
            run="Longest run: {days} days in a row.",
            streak_one="Your streak together: {days} day.",
            streak_other="Your streak together: {days} days.",
            loved="A highlight, an idea you loved: “{idea}”",
            most_kept="A highlight: {ritual}, the one you kept most often.",
            first_time="A first: {ritual}, kept for the first time.",
        ),
        "de": Phrases(
            title="Eure Woche zu zweit",
            kept_one="1 Ritual habt ihr diese Woche gemeinsam gelebt: {rituals}.",
            kept_other="{count} Rituale habt ihr diese Woche gemeinsam gelebt: {rituals}.",
            kept_plain="Diese Woche gemeinsam gelebt: {rituals}.",
            times="{ritual} \u00d7{count}",
            run="Längste Folge: {days} Tage am Stück.",
            streak_one="Eure gemeinsame Serie: {days} Tag.",
            streak_other="Eure gemeinsame Serie: {days} Tage.",
            loved="Ein schöner Moment, eine Idee, die euch gefallen hat: „{idea}“",
            most_kept="Ein schöner Moment: {ritual}, am häufigsten gelebt.",
            first_time="Zum ersten Mal: {ritual}, gemeinsam gelebt.",
        ),
        "fr": Phrases(
            title="Votre semaine à deux",
            kept_one="1 rituel vécu à deux cette semaine : {rituals}.",
            kept_other="{count} rituels vécus à deux cette semaine : {rituals}.",
            kept_plain="Cette semaine, à deux : {rituals}.",
            times="{ritual} \u00d7{count}",
            run="Plus longue suite : {days} jours d'affilée.",
            streak_one="Votre série à deux : {days} jour.",
            streak_other="Votre série à deux : {days} jours.",
            loved="Un beau moment, une idée que vous avez adorée : « {idea} »",
            most_kept="Un beau moment : {ritual}, le rituel le plus vécu.",
            first_time="Une première : {ritual}, vécu pour la première fois.",
            one=frozenset({0, 1}),
        ),
        "es": Phrases(
            title="La semana en pareja",
            kept_one="1 ritual vivido en pareja esta semana: {rituals}.",
            kept_other="{count} rituales vividos en pareja esta semana: {rituals}.",
            kept_plain="Esta semana, en pareja: {rituals}.",
            times="{ritual} \u00d7{count}",
            run="La racha más larga: {days} días seguidos.",
            streak_one="Racha en pareja: {days} día.",
            streak_other="Racha en pareja: {days} días.",
            loved="Un momento especial, una idea marcada con «Nos encantó»: «{idea}»",
            most_kept="Un momento especial: {ritual}, el ritual más vivido.",
            first_time="Por primera vez: {ritual}, vivido en pareja.",
        ),
        "nl": Phrases(
            title="Jullie week samen",
            kept_one="1 ritueel samen gedaan deze week: {rituals}.",
            kept_other="{count} rituelen samen gedaan deze week: {rituals}.",
            kept_plain="Deze week samen gedaan: {rituals}.",
            times="{ritual} \u00d7{count}",
            run="Langste reeks: {days} dagen op rij.",
            streak_one="Jullie reeks samen: {days} dag.",
            streak_other="Jullie reeks samen: {days} dagen.",
            loved="Een mooi moment, een idee waar jullie van genoten: „{idea}”",
            most_kept="Een mooi moment: {ritual}, het vaakst gedaan.",
            first_time="Voor het eerst: {ritual}, samen gedaan.",
        ),
    }
)
LANGUAGES: tuple[str, ...] = tuple(PHRASES)


def phrases_for(language: str) -> Phrases:
    """The digest's words for a language code ("de", "pt-BR"), English when there are none."""
    return PHRASES.get(language.lower().split("-")[0], PHRASES["en"])


def highlight_text(summary: WeekSummary, language: str) -> str:
    """The week's highlight in words."""
    words = phrases_for(language)
    highlight = summary.highlight
    if highlight.kind is HighlightKind.LOVED:
        return words.loved.format(idea=highlight.idea)
    if highlight.kind is HighlightKind.FIRST_TIME:
        return words.first_time.format(ritual=highlight.ritual)
    return words.most_kept.format(ritual=highlight.ritual)


def compose(summary: WeekSummary, language: str, *, figures: bool = True) -> Digest:
    """The week in a few warm lines. Without `figures` (pressure-free), no count and no
    run: the kept rituals by name and the highlight."""
    words = phrases_for(language)
    highlight = highlight_text(summary, language)
    if not figures:
        rituals = words.separator.join(summary.kept)
        return Digest(
            words.title, f"{words.kept_plain.format(rituals=rituals)}\n{highlight}", highlight
        )
    rituals = words.separator.join(
        words.times.format(ritual=name, count=count) if count > 1 else name
        for name, count in summary.kept.items()
    )
    together = summary.together
    kept = (words.kept_one if together in words.one else words.kept_other).format(
        count=together, rituals=rituals
    )
    lines = [kept]
    days = summary.longest_run
    if summary.run_is_streak:
        streak = words.streak_one if days in words.one else words.streak_other
        lines.append(streak.format(days=days))
    elif days > 1:  # one kept day is no run
        lines.append(words.run.format(days=days))
    lines.append(highlight)
    return Digest(words.title, "\n".join(lines), highlight)
