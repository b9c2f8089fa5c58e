"""The figures: each ritual's streaks, the couple's streak, the 5:1 ratio, the initiative
balance, the next ritual and the export. Kept up to date record by record."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from homeassistant.util import dt as dt_util

from .const import PARTNERS
from .core.interactions import (
    RATIO_DAYS,
    Balance,
    Initiative,
    Interaction,
    Ratio,
    initiative_balance,
    positive_ratio,
)
from .core.rhythms import TimeProvider, next_start
from .core.schedule import is_active_day
from .core.streaks import (
    DayRecord,
    StreakRules,
    StreakStats,
    add_neutral_day,
    compute_stats,
    couple_history,
)
from .models import Ritual

NO_RECORD = DayRecord()  # a day without a record (records are immutable: one will do)


class Figures:
    """The couple's figures over its rituals (the engine's dict of them, shared)."""

    def __init__(self, rituals: Mapping[str, Ritual], rules: StreakRules, boundary: time) -> None:
        """Figures of `rituals` under the streak `rules`; `boundary` begins the day."""
        self.rituals = rituals
        self.rules = rules
        self.boundary = boundary
        self.connection_stats = StreakStats()
        # The couple's day outcomes, folded from every ritual's history (kept up to date
        # day by day instead of refolded on every event).
        self._couple_days: dict[date, DayRecord] = {}
        # Learned rhythms may move a time ritual's start (None: the configured times).
        self.time_provider: TimeProvider | None = None
        self._next_cache: (
            tuple[tuple[bool, tuple[bool, ...]], datetime, tuple[datetime, Ritual] | None] | None
        ) = None

    def record(self, ritual: Ritual, day: date, today: date, **counts: int) -> None:
        """Add counts to a ritual's day and bring the figures up to date."""
        history = ritual.state.history
        existed = day in history
        before = history.get(day, NO_RECORD)
        after = history[day] = before.add(**counts)
        # Figures read outcomes and completions: a start changes neither, so an
        # arrival costs no recount (a day's first record is only counted).
        if after.outcome is before.outcome and after.completed == before.completed:
            if not existed:
                ritual.stats = add_neutral_day(ritual.stats, day, today)
                if day not in self._couple_days:
                    self._couple_days[day] = NO_RECORD
                    self.connection_stats = add_neutral_day(self.connection_stats, day, today)
            return
        ritual.stats = compute_stats(history, today, self.rules, ritual.state.baseline)
        if after.outcome is not before.outcome:
            self._refold_couple_day(day, today)

    def recompute_all(self, today: date) -> None:
        """Every figure afresh (start-up, a new day, a reset, a new time zone)."""
        for ritual in self.rituals.values():
            ritual.stats = compute_stats(
                ritual.state.history, today, self.rules, ritual.state.baseline
            )
        self._couple_days = couple_history(r.state.history for r in self.rituals.values())
        self.connection_stats = compute_stats(self._couple_days, today, self.rules)
        self._next_cache = None

    def _refold_couple_day(self, day: date, today: date) -> None:
        """One ritual's outcome of `day` changed: refold that day for the couple."""
        folded = couple_history(
            {day: r.state.history[day]} for r in self.rituals.values() if day in r.state.history
        ).get(day)
        if folded is None or folded == self._couple_days.get(day):
            return
        self._couple_days[day] = folded
        self.connection_stats = compute_stats(self._couple_days, today, self.rules)

    def positive_ratio(self, interactions: Iterable[Interaction], today: date) -> Ratio:
        """Completed rituals and logged positives against negatives, last 7 days."""
        days = [today - timedelta(days=offset) for offset in range(RATIO_DAYS)]
        completions = (
            (day, record.completed)
            for ritual in self.rituals.values()
            for day in days
            if (record := ritual.state.history.get(day)) is not None
        )
        return positive_ratio(completions, interactions, today)

    @staticmethod
    def initiative_balance(initiative: Iterable[Initiative], today: date) -> Balance:
        """Each partner's starts and completions, last 30 days."""
        return initiative_balance(initiative, PARTNERS, today)

    def forget_next_ritual(self) -> None:
        """Times moved (learned rhythms): the next ritual is worked out afresh."""
        self._next_cache = None

    def next_ritual(self, vacation: bool) -> tuple[datetime, Ritual] | None:
        """The next time-triggered ritual start (local time) among enabled rituals.

        Cached until that moment passes or what it depends on changes: the couple's
        sensors ask on every state write.
        """
        key = (vacation, tuple(r.state.enabled for r in self.rituals.values()))
        cached = self._next_cache
        if cached is not None and cached[0] == key and dt_util.utcnow() < cached[1]:
            return cached[2]
        result = None if vacation else self._compute_next_ritual()
        valid_until = dt_util.as_utc(result[0]) if result else dt_util.utcnow() + timedelta(hours=1)
        self._next_cache = (key, valid_until, result)
        return result

    def _compute_next_ritual(self) -> tuple[datetime, Ritual] | None:
        now = dt_util.now()
        upcoming: list[tuple[datetime, Ritual]] = []
        for ritual in self.rituals.values():
            config = ritual.config
            if not ritual.state.enabled or config.trigger_time is None:
                continue
            moment = next_start(
                self.time_provider,
                config.ritual_id,
                now,
                config.trigger_time,
                config.window,
                self.boundary,
            )
            if moment is not None:
                upcoming.append((moment, ritual))
        return min(upcoming, key=lambda item: item[0].timestamp()) if upcoming else None

    def todays_rituals(self, today: date) -> list[Ritual]:
        """Enabled rituals active on today's ritual day."""
        return [
            ritual
            for ritual in self.rituals.values()
            if ritual.state.enabled and is_active_day(today, ritual.config.window.active_days)
        ]


def export(ritual: Ritual) -> dict[str, Any]:
    """A ritual's history and figures as plain data."""
    stats = ritual.stats
    return {
        "ritual": ritual.config.name,
        "kind": ritual.config.kind.value,
        "streak": stats.current,
        "best_streak": stats.best,
        "completions": stats.completions,
        "completion_rate": stats.completion_rate,
        "last_completed": (
            ritual.state.last_completed.isoformat() if ritual.state.last_completed else None
        ),
        "history": [
            {"day": day.isoformat(), "outcome": record.outcome.value, **record.as_dict()}
            for day, record in sorted(ritual.state.history.items())
        ],
        "replies": list(ritual.state.replies),
    }
