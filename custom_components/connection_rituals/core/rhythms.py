"""The couple's rhythms: usual times of day learned from derived daily times.

Pure: the caller hands in local wall-clock events and days; nothing here reads a
clock. A daily time is minutes after local midnight (0..1439). Times of day are
circular: a lights-out at 00:20 lies 20 minutes after 00:00, not 23 hours before
it, so every statistic works on values unwrapped around their circular mean.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
import math
from typing import Protocol

from .schedule import Window, day_start, next_time_trigger, ritual_day

MINUTES_PER_DAY = 1440
HALF_DAY = MINUTES_PER_DAY // 2
# Nothing is suggested before this many distinct days of one signal.
MIN_DAYS = 14
# A kind of day (workday / day off) needs this many of its own days; a single weekday
# needs MIN_WEEKDAY_DAYS of its own to be told apart from its kind.
MIN_KIND_DAYS = 4
MIN_WEEKDAY_DAYS = 8
# The spread is how far from the usual time three days in four lie (the weighted 75th
# percentile of absolute deviations, in minutes). Above MAX_SPREAD_MINUTES there is no
# stable rhythm (shift work, irregular days): no suggestion rather than a wrong one.
SPREAD_QUANTILE = 0.75
MAX_SPREAD_MINUTES = 60.0
# The last RECENT_DAYS days count RECENT_WEIGHT times as much as older ones.
RECENT_DAYS = 60
RECENT_WEIGHT = 4.0
# Daily times kept per signal.
MAX_RECORDS = 180

# Deriving daily times from events.
EVENING_START = time(19, 0)  # lights-out is looked for from here ...
NIGHT_END = time(3, 0)  # ... until here on the next calendar day
QUIET_AFTER_DARK = timedelta(hours=2)  # lights-out: no further signal for this long
MORNING_START = time(4, 0)
MORNING_END = time(12, 0)
MIN_AWAY = timedelta(hours=2)  # an arrival counts after this long away
# Around a usual arrival, this far (or three spreads, if wider) is still a usual hour.
USUAL_HOUR_MARGIN = 120


class TimeProvider(Protocol):
    """Asked by the engine when a time ritual starts next (its rhythm hook)."""

    def next_start(
        self, ritual_id: str, after: datetime, at: time, window: Window, boundary: time
    ) -> datetime | None:
        """The next start strictly after `after`, or None within the horizon."""


def next_start(
    provider: TimeProvider | None,
    ritual_id: str | None,
    after: datetime,
    at: time,
    window: Window,
    boundary: time,
) -> datetime | None:
    """A time ritual's next start: the provider's (learned rhythm) where there is one."""
    if ritual_id is not None and provider is not None:
        return provider.next_start(ritual_id, after, at, window, boundary)
    return next_time_trigger(after, at, window, boundary)


class Signal(StrEnum):
    """What is learned."""

    ARRIVAL_A = "arrival_a"
    ARRIVAL_B = "arrival_b"
    LIGHTS_OUT = "lights_out"
    MORNING = "morning"


class DayKind(StrEnum):
    """Kinds of day a rhythm is learned for."""

    WORKDAY = "workday"
    DAY_OFF = "day_off"


@dataclass(frozen=True, slots=True)
class DailyTime:
    """One derived daily time: the day, minutes after local midnight, workday or not."""

    day: date
    minutes: int
    workday: bool


@dataclass(frozen=True, slots=True)
class Rhythm:
    """A usual time (minutes after midnight), its spread in minutes and its day count."""

    minutes: int
    spread: float
    days: int

    @property
    def stable(self) -> bool:
        """Regular enough to be suggested."""
        return self.spread <= MAX_SPREAD_MINUTES

    @property
    def time(self) -> time:
        """The usual time as a wall-clock time."""
        return time(self.minutes // 60, self.minutes % 60)


def at_a_usual_hour(moment: datetime | time, usual: Rhythm | None) -> bool:
    """Whether a moment is near the usual time (no known rhythm: every hour is usual).

    Used only to stay quiet at an hour someone never comes home, never to guess where
    they are. The distance wraps around midnight.
    """
    if usual is None:
        return True
    apart = abs(_unwrap(minutes_of(moment), usual.minutes) - usual.minutes)
    return apart <= max(USUAL_HOUR_MARGIN, 3 * usual.spread)


def minutes_of(moment: datetime | time) -> int:
    """Minutes after local midnight of a wall-clock moment."""
    return moment.hour * 60 + moment.minute


def weight(day: date, today: date) -> float:
    """Recent days weigh more than older ones."""
    return RECENT_WEIGHT if (today - day).days < RECENT_DAYS else 1.0


def _circular_centre(values: Iterable[tuple[int, float]]) -> float:
    """The weighted circular mean (minutes) of times of day; fsum keeps it order-free."""
    pairs = list(values)
    angles = [(2 * math.pi * v / MINUTES_PER_DAY, w) for v, w in pairs]
    x = math.fsum(w * math.cos(a) for a, w in angles)
    y = math.fsum(w * math.sin(a) for a, w in angles)
    if abs(x) < 1e-9 and abs(y) < 1e-9:
        # No direction at all (evenly spread): the smallest time anchors the unwrap.
        return float(min(v for v, _ in pairs))
    return (math.atan2(y, x) * MINUTES_PER_DAY / (2 * math.pi)) % MINUTES_PER_DAY


def _unwrap(value: int, centre: float) -> float:
    """A time of day moved by whole days to lie within half a day of `centre`."""
    offset = (value - centre + HALF_DAY) % MINUTES_PER_DAY - HALF_DAY
    return centre + offset


def weighted_quantile(pairs: Iterable[tuple[float, float]], q: float = 0.5) -> float:
    """The lower weighted `q` quantile of (value, weight) pairs (not empty); q=0.5 is
    the weighted median."""
    ordered = sorted(pairs)
    target = math.fsum(w for _, w in ordered) * q
    running = 0.0
    for value, w in ordered:
        running += w
        if running >= target - 1e-9:
            return value
    return ordered[-1][0]  # pragma: no cover - rounding guard


def rhythm_of(records: Iterable[DailyTime], today: date) -> Rhythm | None:
    """The usual time and spread of some daily times (None without any)."""
    listed = list(records)
    pairs = [(r.minutes, weight(r.day, today)) for r in listed]
    if not pairs:
        return None
    centre = _circular_centre(pairs)
    unwrapped = [(_unwrap(v, centre), w) for v, w in pairs]
    median = weighted_quantile(unwrapped)
    spread = weighted_quantile(((abs(v - median), w) for v, w in unwrapped), SPREAD_QUANTILE)
    return Rhythm(
        minutes=round(median) % MINUTES_PER_DAY,
        # On a clock no time is more than half a day away (float unwrapping may say a hair more).
        spread=min(spread, HALF_DAY),
        days=len({r.day for r in listed}),
    )


@dataclass(frozen=True, slots=True)
class Learned:
    """What one signal's records say, per kind of day and per weekday."""

    total_days: int
    kinds: Mapping[DayKind, Rhythm]
    weekdays: Mapping[int, Rhythm]

    def usual(self, kind: DayKind, weekday: int | None = None) -> Rhythm | None:
        """The usual time for a kind of day (a weekday's own where it has enough days),
        or None: too few days, or no stable rhythm."""
        if self.total_days < MIN_DAYS:
            return None
        own = self.weekdays.get(weekday) if weekday is not None else None
        if own is not None and own.stable:
            return own
        found = self.kinds.get(kind)
        if found is None or found.days < MIN_KIND_DAYS or not found.stable:
            return None
        return found


def learn(records: Iterable[DailyTime], today: date) -> Learned:
    """Learn one signal's rhythms from its daily times (order does not matter)."""
    by_day = {r.day: r for r in records}  # one time per day
    days = sorted(by_day.values(), key=lambda r: r.day)
    kinds: dict[DayKind, Rhythm] = {}
    for kind in DayKind:
        members = [r for r in days if r.workday == (kind is DayKind.WORKDAY)]
        if (found := rhythm_of(members, today)) is not None:
            kinds[kind] = found
    weekdays: dict[int, Rhythm] = {}
    for weekday in range(7):
        members = [r for r in days if r.day.weekday() == weekday]
        if len(members) >= MIN_WEEKDAY_DAYS and (found := rhythm_of(members, today)):
            weekdays[weekday] = found
    return Learned(total_days=len(days), kinds=kinds, weekdays=weekdays)


def add_record(records: list[DailyTime], new: DailyTime, limit: int = MAX_RECORDS) -> None:
    """Record (or replace) a day's time, keeping at most `limit` most recent days."""
    records[:] = [r for r in records if r.day != new.day]
    records.append(new)
    records.sort(key=lambda r: r.day)
    del records[:-limit]


def round_minutes(minutes: int, step: int = 15) -> int:
    """A time of day rounded to `step` minutes (for diagnostics)."""
    return (round(minutes / step) * step) % MINUTES_PER_DAY


def default_kind(day: date) -> DayKind:
    """Monday to Friday are workdays where nothing better is known."""
    return DayKind.WORKDAY if day.weekday() < 5 else DayKind.DAY_OFF


# ----------------------------------------------------------- deriving daily times


@dataclass(frozen=True, slots=True)
class Event:
    """A signal event at a local moment: `dark` (lights off, asleep, charging) or lit.

    A light holds its state (`entity` names it): the room is dark only once every light
    seen on is off again. A sleep entity or a phone on charge (`entity` empty) only marks
    a moment.
    """

    at: datetime
    dark: bool
    entity: str = ""


def lights_out_times(
    events: Iterable[Event], until: datetime, boundary: Callable[[datetime], date]
) -> dict[date, int]:
    """Per ritual day: the first moment in the evening or night at which the lights are
    all off (or a sleep or charging signal comes while they are) and nothing lights up
    for QUIET_AFTER_DARK (a short trip at 3:00 changes nothing).

    Only nights settled before `until` are given; `boundary` maps a local moment to
    its ritual day.
    """
    ordered = sorted(events, key=lambda e: e.at.timestamp())
    lit_stamps = [e.at.timestamp() for e in ordered if not e.dark]
    found: dict[date, int] = {}
    lit: set[str] = set()
    next_lit = 0  # index into lit_stamps of the first lit event after the current one
    for event in ordered:
        stamp = event.at.timestamp()
        while next_lit < len(lit_stamps) and lit_stamps[next_lit] <= stamp:
            next_lit += 1
        if event.entity:
            (lit.discard if event.dark else lit.add)(event.entity)
        if not event.dark or lit or not _in_night(event.at):
            continue
        day = boundary(event.at)
        quiet_until = stamp + QUIET_AFTER_DARK.total_seconds()
        if day in found or quiet_until > until.timestamp():
            continue
        if next_lit == len(lit_stamps) or lit_stamps[next_lit] > quiet_until:
            found[day] = minutes_of(event.at)
    return found


def _in_night(moment: datetime) -> bool:
    wall = moment.time()
    return wall >= EVENING_START or wall < NIGHT_END


def morning_times(events: Iterable[Event]) -> dict[date, int]:
    """Per calendar day: the first lit event between MORNING_START and MORNING_END."""
    found: dict[date, int] = {}
    for event in sorted(events, key=lambda e: e.at.timestamp()):
        wall = event.at.time()
        if event.dark or not MORNING_START <= wall < MORNING_END:
            continue
        found.setdefault(event.at.date(), minutes_of(event.at))
    return found


def arrival_times(
    presence: Iterable[tuple[datetime, bool]], boundary: Callable[[datetime], date]
) -> dict[date, int]:
    """Per ritual day: the first arrival home after at least MIN_AWAY away.

    `presence` holds (local moment, at home) changes; an arrival whose departure is
    not in the data is not counted (its absence is unknown).
    """
    found: dict[date, int] = {}
    left: datetime | None = None
    home: bool | None = None
    for at, is_home in sorted(presence, key=lambda p: p[0].timestamp()):
        if is_home == home:
            continue
        if not is_home:
            left = at if home is not None else None
        elif left is not None and at.timestamp() - left.timestamp() >= MIN_AWAY.total_seconds():
            found.setdefault(boundary(at), minutes_of(at))
        home = is_home
    return found


def next_adapted_trigger(
    after: datetime,
    time_for: Callable[[date], time],
    window: Window,
    boundary: time,
    horizon_days: int = 8,
) -> datetime | None:
    """The next local moment strictly after `after` at which a ritual whose time
    depends on its ritual day (`time_for`) starts inside the window.

    A time before the day boundary belongs to the night after its ritual day.
    """
    zone = after.tzinfo
    assert zone is not None, "next_adapted_trigger needs an aware datetime"
    first = ritual_day(after, boundary)
    for offset in range(horizon_days + 1):
        day = first + timedelta(days=offset)
        at = time_for(day)
        calendar = day + timedelta(days=1) if at < boundary else day
        candidate = day_start(calendar, at, zone)
        if candidate.timestamp() > after.timestamp() and window.allows(candidate, boundary, day):
            return candidate
    return None
