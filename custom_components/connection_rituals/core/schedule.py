"""Ritual days, active days and hours, presence conditions.

All wall-clock reasoning happens on timezone-aware local datetimes handed in by
the caller; nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOME = "home"
NOT_HOME = "not_home"
UNSETTLED_STATES = frozenset({"unknown", "unavailable"})


def ritual_day(local: datetime, boundary: time) -> date:
    """The ritual day a local moment belongs to.

    A ritual day runs from `boundary` to `boundary`; a bedtime ritual done at
    00:40 with a 04:00 boundary counts for the evening before. The day begins at
    `day_start`, compared as instants so a boundary inside a repeated (fall-back)
    or skipped (spring-forward) hour still gives days that never go backwards.
    """
    day = local.date()
    if local.tzinfo is None:
        return day - timedelta(days=1) if local.time() < boundary else day
    if local.timestamp() < day_start(day, boundary, local.tzinfo).timestamp():
        return day - timedelta(days=1)
    return day


def day_start(day: date, boundary: time, zone: tzinfo) -> datetime:
    """The local moment a ritual day begins (the next valid time on a DST gap)."""
    # fold=0 whatever the time carries: on a gap, fold=1 would resolve to the hour *before*
    # it (PEP 495), so a midnight trigger in Santiago's spring-forward would move back a day.
    naive = datetime.combine(day, boundary.replace(fold=0))
    local = naive.replace(tzinfo=zone)
    if isinstance(zone, ZoneInfo):
        # A boundary inside a spring-forward gap does not exist: move past it.
        round_trip = local.astimezone(ZoneInfo("UTC")).astimezone(zone)
        if round_trip.replace(tzinfo=None) != naive:
            local = round_trip
    return local


def in_active_hours(local_time: time, start: time, end: time) -> bool:
    """Whether a wall-clock time is inside [start, end); a window may wrap midnight.

    start == end means all day.
    """
    moment = local_time.replace(tzinfo=None)
    if start == end:
        return True
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def is_active_day(day: date, active_days: Collection[str]) -> bool:
    """Whether the ritual runs on this ritual day."""
    return WEEKDAYS[day.weekday()] in active_days


class PresenceCondition(StrEnum):
    """Where the partners must be for a ritual to start."""

    BOTH_HOME = "both_home"
    APART = "apart"
    ANY = "any"


def is_away(state: str) -> bool:
    """A real away state: not home, and not unknown/unavailable."""
    return state != HOME and state not in UNSETTLED_STATES


def are_apart(state_a: str, state_b: str) -> bool:
    """Partners are apart when they are known to be in different places.

    Both `not_home` is not apart: they may well be out together.
    """
    if state_a in UNSETTLED_STATES or state_b in UNSETTLED_STATES:
        return False
    return state_a != state_b


def presence_holds(condition: PresenceCondition, state_a: str, state_b: str) -> bool:
    """Whether the partners' states satisfy a presence condition."""
    if condition is PresenceCondition.BOTH_HOME:
        return state_a == HOME and state_b == HOME
    if condition is PresenceCondition.APART:
        return are_apart(state_a, state_b)
    return True


@dataclass(frozen=True, slots=True)
class Window:
    """When a ritual may start: days of the week and hours of the day."""

    active_days: tuple[str, ...] = WEEKDAYS
    start: time = time(0, 0)
    end: time = time(0, 0)

    def allows(self, local: datetime, boundary: time, day: date | None = None) -> bool:
        """Whether a ritual may start at this local moment (`day`: its ritual day, if known)."""
        if day is None:
            day = ritual_day(local, boundary)
        return is_active_day(day, self.active_days) and in_active_hours(
            local.time(), self.start, self.end
        )


def next_time_trigger(
    after: datetime, at: time, window: Window, boundary: time, horizon_days: int = 8
) -> datetime | None:
    """The next local moment strictly after `after` at which a daily `at` trigger fires
    inside the window, or None within the horizon.

    A trigger time that does not exist on a spring-forward night fires at the
    next valid time, as Home Assistant's time tracking does.
    """
    zone = after.tzinfo
    assert zone is not None, "next_time_trigger needs an aware datetime"
    for offset in range(horizon_days + 1):
        day = after.date() + timedelta(days=offset)
        candidate = day_start(day, at, zone)
        # Instants, not wall clocks: same-zone comparison ignores `fold`.
        if candidate.timestamp() <= after.timestamp():
            continue
        if window.allows(candidate, boundary):
            return candidate
    return None


def arrival_counts(away_for: timedelta | None, min_away: timedelta) -> bool:
    """An arrival counts only after a real absence of at least `min_away`.

    An unknown absence (no record of the departure) counts: the person state
    machine has already filtered out start-up and unknown transitions.
    """
    return away_for is None or away_for >= min_away
