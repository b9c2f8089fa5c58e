"""The 5:1 idea and who takes the initiative, measured (no Home Assistant imports).

Records are plain tuples of (ritual day, partner, what); the figures are
computed over a trailing window of ritual days.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

RATIO_DAYS = 7
INITIATIVE_DAYS = 30
TARGET_RATIO = 5.0


@dataclass(frozen=True, slots=True)
class Interaction:
    """A logged positive or negative moment (optionally by one partner)."""

    day: date
    positive: bool
    partner: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Initiative:
    """A partner starting or completing a ritual."""

    day: date
    partner: str
    action: str  # "start" or "complete"


@dataclass(frozen=True, slots=True)
class Ratio:
    """Positives against negatives over the last days."""

    positives: int
    negatives: int

    @property
    def value(self) -> float:
        """Positives per negative; with no negatives, the positives themselves."""
        return round(self.positives / max(self.negatives, 1), 1)


def positive_ratio(
    completions_by_day: Iterable[tuple[date, int]],
    interactions: Iterable[Interaction],
    today: date,
    days: int = RATIO_DAYS,
) -> Ratio:
    """Completed rituals and logged positives against logged negatives, last `days` days."""
    first = today - timedelta(days=days - 1)
    positives = sum(count for day, count in completions_by_day if first <= day <= today)
    negatives = 0
    for interaction in interactions:
        if not first <= interaction.day <= today:
            continue
        if interaction.positive:
            positives += 1
        else:
            negatives += 1
    return Ratio(positives, negatives)


@dataclass(frozen=True, slots=True)
class Balance:
    """Each partner's starts and completions, and partner A's share of them."""

    starts: dict[str, int]
    completions: dict[str, int]

    def count(self, partner: str) -> int:
        """How many rituals a partner started or marked."""
        return self.starts.get(partner, 0) + self.completions.get(partner, 0)

    def share(self, partner: str) -> float | None:
        """A partner's share of all initiative in percent (None when there is none)."""
        total = sum(self.starts.values()) + sum(self.completions.values())
        if not total:
            return None
        mine = self.starts.get(partner, 0) + self.completions.get(partner, 0)
        return round(100 * mine / total, 1)


def initiative_balance(
    records: Iterable[Initiative],
    partners: Iterable[str],
    today: date,
    days: int = INITIATIVE_DAYS,
) -> Balance:
    """Starts and completions per partner over the last `days` ritual days."""
    first = today - timedelta(days=days - 1)
    starts = dict.fromkeys(partners, 0)
    completions = dict(starts)
    for record in records:
        if not first <= record.day <= today or record.partner not in starts:
            continue
        bucket = starts if record.action == "start" else completions
        bucket[record.partner] += 1
    return Balance(starts, completions)


def prune[Record: (Initiative, Interaction)](
    records: list[Record], today: date, keep_days: int
) -> list[Record]:
    """The records of the last `keep_days` days (bounded storage)."""
    oldest = today - timedelta(days=keep_days)
    return [record for record in records if record.day >= oldest]
