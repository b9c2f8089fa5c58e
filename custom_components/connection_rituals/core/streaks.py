"""Day outcomes and streaks: encouraging, never punishing.

A ritual's history is one `DayRecord` per ritual day. A record only holds counters
and flags, so the outcome of a day never depends on the order in which its events
arrived. Days without a record had no opportunity and are neutral.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

STREAK_MILESTONES: tuple[int, ...] = (3, 7, 14, 21, 30, 50, 75, 100, 150, 200, 365, 500, 730, 1000)
COMPLETION_RATE_DAYS = 30


class DayOutcome(StrEnum):
    """How a ritual day ended (or stands, for today)."""

    COMPLETED = "completed"
    MISSED = "missed"
    NO_OPPORTUNITY = "no_opportunity"
    PAUSED = "paused"
    SKIPPED = "skipped"


# When several rituals are folded into the couple's day, the strongest wins.
_COUPLE_PRECEDENCE = (
    DayOutcome.COMPLETED,
    DayOutcome.MISSED,
    DayOutcome.SKIPPED,
    DayOutcome.PAUSED,
    DayOutcome.NO_OPPORTUNITY,
)


@dataclass(frozen=True, slots=True)
class DayRecord:
    """What happened to one ritual on one ritual day.

    Counters only grow; `merge` is commutative and associative, which is what
    makes a day's outcome independent of event order.
    """

    started: int = 0
    completed: int = 0
    missed: int = 0
    skipped: int = 0
    paused: int = 0

    @property
    def outcome(self) -> DayOutcome:
        """The outcome of the day: a completion outweighs everything else."""
        if self.completed:
            return DayOutcome.COMPLETED
        if self.skipped:
            return DayOutcome.SKIPPED
        if self.missed:
            return DayOutcome.MISSED
        if self.paused:
            return DayOutcome.PAUSED
        return DayOutcome.NO_OPPORTUNITY

    def merge(self, other: DayRecord) -> DayRecord:
        """Combine two partial records of the same day."""
        return DayRecord(
            started=self.started + other.started,
            completed=self.completed + other.completed,
            missed=self.missed + other.missed,
            skipped=self.skipped + other.skipped,
            paused=self.paused + other.paused,
        )

    def add(self, **counts: int) -> DayRecord:
        """Return the record with the given counters increased."""
        return self.merge(DayRecord(**counts))

    def as_dict(self) -> dict[str, int]:
        """Compact serialisable form: zero counters are left out."""
        return {
            name: value
            for name, value in (
                ("started", self.started),
                ("completed", self.completed),
                ("missed", self.missed),
                ("skipped", self.skipped),
                ("paused", self.paused),
            )
            if value
        }

    def as_list(self) -> list[int]:
        """Compact stored form (storage version 2): the counters in field order,
        trailing zeros left out."""
        counters = [self.started, self.completed, self.missed, self.skipped, self.paused]
        while counters and not counters[-1]:
            counters.pop()
        return counters

    @classmethod
    def from_list(cls, data: Any) -> DayRecord:
        """Parse the compact stored form; raises ValueError on bad counters.

        Years of history hold only a handful of distinct records, so parsed ones
        are shared (they are immutable) and a start-up validates each shape once.
        Counters are whole numbers: as in Python, 1, 1.0 and true are equal, and all
        read as 1 (a cached (1,) would answer for the others anyway).
        """
        if type(data) is not list:
            raise ValueError(f"invalid day record {data!r}")
        key = tuple(data)
        record = _PARSED_RECORDS.get(key)
        if record is not None:
            return record
        if len(key) > len(_COUNTER_ORDER) or not all(
            (isinstance(value, int) or (isinstance(value, float) and value.is_integer()))
            and value >= 0
            for value in key
        ):
            raise ValueError(f"invalid day record {data!r}")
        record = cls(*(int(value) for value in key))
        if len(_PARSED_RECORDS) < _PARSED_RECORDS_MAX:
            _PARSED_RECORDS[key] = record
        return record

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DayRecord:
        """Parse a stored record; unknown keys and bad values are rejected.

        Years of history are parsed at start-up, so the common case (a plain dict
        of small non-negative ints) takes one cheap pass.
        """
        if type(data) is not dict and not isinstance(data, Mapping):
            raise ValueError(f"invalid day record {data!r}")
        for name, value in data.items():
            if name not in _COUNTER_NAMES:
                raise ValueError(f"unknown counters {[name]!r}")
            if type(value) is not int or value < 0:
                raise ValueError(f"invalid counter {name}={value!r}")
        return cls(**data)


_COUNTER_ORDER = ("started", "completed", "missed", "skipped", "paused")
_COUNTER_NAMES = frozenset(_COUNTER_ORDER)
_PARSED_RECORDS: dict[tuple[int, ...], DayRecord] = {}
_PARSED_RECORDS_MAX = 4096


@dataclass(frozen=True, slots=True)
class StreakRules:
    """The couple's allowance, counted per ISO week of ritual days. A "not today" (a
    skipped day) needs none: it is always free."""

    grace_days_per_week: int = 1


@dataclass(frozen=True, slots=True)
class Baseline:
    """What pruned (older) history contributed, so pruning changes no figure."""

    current: int = 0
    best: int = 0
    completions: int = 0

    def as_dict(self) -> dict[str, int]:
        """Serialisable form."""
        return {"current": self.current, "best": self.best, "completions": self.completions}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Baseline:
        """Parse a stored baseline."""
        if not isinstance(data, Mapping):
            raise ValueError(f"invalid baseline {data!r}")
        values = [data.get(name, 0) for name in ("current", "best", "completions")]
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
            raise ValueError(f"invalid baseline {data!r}")
        return cls(*values)


DEFAULT_RULES = StreakRules()
NO_BASELINE = Baseline()


@dataclass(frozen=True, slots=True)
class StreakStats:
    """Everything the sensors show about one history."""

    current: int = 0
    best: int = 0
    completions: int = 0
    completion_rate: float | None = None
    grace_days_used_this_week: int = 0
    today: DayOutcome = DayOutcome.NO_OPPORTUNITY
    outcomes: Mapping[DayOutcome, int] = field(default_factory=dict)


def compute_stats(
    history: Mapping[date, DayRecord],
    today: date,
    rules: StreakRules = DEFAULT_RULES,
    baseline: Baseline = NO_BASELINE,
) -> StreakStats:
    """Compute streaks and counts of a history as seen on `today`.

    - A completed day extends the streak.
    - No opportunity and paused days are neutral.
    - A skipped day ("not today", the couple's choice) is neutral, always.
    - A missed day is neutral while the week still has a grace day; otherwise
      it breaks the streak.
    - Days after `today` are ignored; today only counts once it has resolved
      (completed or missed), so an open day never breaks a streak early.
    """
    current = baseline.current
    best = max(baseline.best, baseline.current)
    grace_used: Counter[tuple[int, int]] = Counter()
    completions = baseline.completions
    outcome_counts: Counter[DayOutcome] = Counter()
    rate_start = today - timedelta(days=COMPLETION_RATE_DAYS - 1)
    rate_completed = 0
    rate_opportunities = 0

    for day in sorted(d for d in history if d <= today):
        record = history[day]
        outcome = record.outcome
        completions += record.completed
        outcome_counts[outcome] += 1
        if day >= rate_start and outcome in (DayOutcome.COMPLETED, DayOutcome.MISSED):
            rate_opportunities += 1
            rate_completed += outcome is DayOutcome.COMPLETED

        if outcome is DayOutcome.COMPLETED:
            current += 1
            if current > best:
                best = current
            continue
        if outcome is DayOutcome.MISSED:
            week = day.isocalendar()[:2]
            if grace_used[week] < rules.grace_days_per_week:
                grace_used[week] += 1
            else:
                current = 0

    today_record = history.get(today)
    return StreakStats(
        current=current,
        best=best,
        completions=completions,
        completion_rate=(
            round(100 * rate_completed / rate_opportunities, 1) if rate_opportunities else None
        ),
        grace_days_used_this_week=grace_used[today.isocalendar()[:2]],
        today=today_record.outcome if today_record else DayOutcome.NO_OPPORTUNITY,
        outcomes=dict(outcome_counts),
    )


def add_neutral_day(stats: StreakStats, day: date, today: date) -> StreakStats:
    """The figures after a first, neutral record (a start) for `day`, without a recount.

    Equal to `compute_stats` over the history with that record added: a neutral day
    moves no streak, no completion and no rate, it is only counted.
    """
    if day > today:
        return stats
    outcomes = dict(stats.outcomes)
    outcomes[DayOutcome.NO_OPPORTUNITY] = outcomes.get(DayOutcome.NO_OPPORTUNITY, 0) + 1
    return replace(stats, outcomes=outcomes)


def couple_history(histories: Iterable[Mapping[date, DayRecord]]) -> dict[date, DayRecord]:
    """Fold every ritual's history into the couple's connection history.

    A couple's day is completed when at least one ritual was completed; otherwise
    it takes the strongest outcome of its rituals (missed, skipped, paused).
    """
    folded: dict[date, DayOutcome] = {}
    for history in histories:
        for day, record in history.items():
            outcome = record.outcome
            previous = folded.get(day)
            if previous is None or _COUPLE_PRECEDENCE.index(outcome) < _COUPLE_PRECEDENCE.index(
                previous
            ):
                folded[day] = outcome
    return {day: _record_for(outcome) for day, outcome in folded.items()}


def _record_for(outcome: DayOutcome) -> DayRecord:
    if outcome is DayOutcome.NO_OPPORTUNITY:
        return DayRecord()
    return replace(DayRecord(), **{outcome.value: 1})


def milestone_reached(previous: int, current: int) -> int | None:
    """The milestone crossed when a streak grew from `previous` to `current`."""
    crossed = [m for m in STREAK_MILESTONES if previous < m <= current]
    return crossed[-1] if crossed else None


def prune_history(
    history: Mapping[date, DayRecord],
    today: date,
    keep_days: int,
    rules: StreakRules,
    baseline: Baseline,
) -> tuple[dict[date, DayRecord], Baseline]:
    """Drop records older than about `keep_days`, folding them into the baseline.

    The cut falls on a Monday so no week's grace allowance is split, which keeps
    every figure exactly what it was before pruning.
    """
    cut = today - timedelta(days=keep_days)
    cut -= timedelta(days=cut.weekday())
    old = {day: record for day, record in history.items() if day < cut}
    if not old:
        return dict(history), baseline
    folded = compute_stats(old, cut - timedelta(days=1), rules, baseline)
    kept = {day: record for day, record in history.items() if day >= cut}
    return kept, Baseline(folded.current, folded.best, folded.completions)
