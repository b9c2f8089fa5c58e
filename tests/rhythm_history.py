"""A couple's noisy month, made from a known truth, for the rhythm tests and the benchmark.

Alex works office hours (home around 17:40 on workdays); Sam works shifts, early and late
weeks in turn (no steady arrival). The bedroom goes dark around 23:10 on workdays and
00:20 on days off, with late nights, trips at 3:00, a week away and unavailable flaps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
import random
from zoneinfo import ZoneInfo

ALEX = "person.alex"
SAM = "person.sam"
BEDROOM = "light.bedroom"
LIVING_ROOM = "light.living_room"
ZONE = ZoneInfo("America/Los_Angeles")  # the test harness's zone; DST ends 2026-11-01

TRUTH_BEDTIME_WORKDAY = time(23, 10)
TRUTH_BEDTIME_DAY_OFF = time(0, 20)
TRUTH_MORNING_WORKDAY = time(6, 45)
TRUTH_ALEX_HOME = time(17, 40)


@dataclass(frozen=True, slots=True)
class Change:
    """One state change at a moment."""

    at: datetime
    entity_id: str
    state: str


def _at(day: date, clock: time, minutes: float = 0.0) -> datetime:
    return datetime.combine(day, clock, ZONE) + timedelta(minutes=minutes)


def couples_month(
    first: date, days: int, seed: int = 16, away: range | None = None, shift_worker: bool = True
) -> list[Change]:
    """Every change of `days` days from `first`, in time order. `away`: day offsets
    the couple is away together."""
    rnd = random.Random(seed)
    changes: list[Change] = []
    late_nights = set(rnd.sample(range(days), k=days // 12))
    for offset in range(days):
        day = first + timedelta(days=offset)
        workday = day.weekday() < 5
        if away is not None and offset in away:
            if offset == away.start:
                changes += [
                    Change(_at(day, time(9, 0)), ALEX, "not_home"),
                    Change(_at(day, time(9, 1)), SAM, "not_home"),
                ]
            continue
        if away is not None and offset == away.stop:
            changes += [
                Change(_at(day, time(15, 0)), ALEX, "home"),
                Change(_at(day, time(15, 2)), SAM, "home"),
            ]
        changes += list(_morning(day, workday, rnd))
        changes += list(_alex(day, workday, rnd))
        if shift_worker:
            changes += list(_sam_shifts(day, workday, rnd))
        changes += list(_evening(day, workday, offset in late_nights, rnd))
        if rnd.random() < 0.15:  # a flaky bulb
            changes += [
                Change(_at(day, time(14, 0)), LIVING_ROOM, "unavailable"),
                Change(_at(day, time(14, 1)), LIVING_ROOM, "off"),
            ]
    return sorted(changes, key=lambda c: c.at.timestamp())


def _morning(day: date, workday: bool, rnd: random.Random) -> Iterator[Change]:
    on = _at(day, TRUTH_MORNING_WORKDAY if workday else time(8, 30), rnd.gauss(0, 8))
    yield Change(on, BEDROOM, "on")
    yield Change(on + timedelta(minutes=20 + rnd.random() * 10), BEDROOM, "off")


def _alex(day: date, workday: bool, rnd: random.Random) -> Iterator[Change]:
    if workday:
        yield Change(_at(day, time(7, 50), rnd.gauss(0, 5)), ALEX, "not_home")
        yield Change(_at(day, TRUTH_ALEX_HOME, rnd.gauss(0, 10)), ALEX, "home")
    elif rnd.random() < 0.6:
        yield Change(_at(day, time(10, 0), rnd.gauss(0, 30)), ALEX, "not_home")
        yield Change(_at(day, time(13, 30), rnd.gauss(0, 40)), ALEX, "home")


def _sam_shifts(day: date, workday: bool, rnd: random.Random) -> Iterator[Change]:
    if not workday:
        return
    if day.isocalendar().week % 2:
        yield Change(_at(day, time(5, 30), rnd.gauss(0, 5)), SAM, "not_home")
        yield Change(_at(day, time(14, 30), rnd.gauss(0, 10)), SAM, "home")
    else:
        yield Change(_at(day, time(13, 30), rnd.gauss(0, 5)), SAM, "not_home")
        yield Change(_at(day, time(22, 40), rnd.gauss(0, 10)), SAM, "home")


def _evening(day: date, workday: bool, late: bool, rnd: random.Random) -> Iterator[Change]:
    yield Change(_at(day, time(18, 30), rnd.gauss(0, 20)), LIVING_ROOM, "on")
    if late:
        dark = _at(day + timedelta(days=1), time(1, 30), rnd.gauss(0, 15))
    elif workday:
        dark = _at(day, TRUTH_BEDTIME_WORKDAY, rnd.gauss(0, 12))
    else:
        dark = _at(day + timedelta(days=1), TRUTH_BEDTIME_DAY_OFF, rnd.gauss(0, 12))
    yield Change(dark - timedelta(minutes=50 + rnd.random() * 20), BEDROOM, "on")
    yield Change(dark - timedelta(minutes=15 + rnd.random() * 10), LIVING_ROOM, "off")
    yield Change(dark, BEDROOM, "off")
    if rnd.random() < 0.25:  # a trip at night
        trip = _at(day + timedelta(days=1), time(3, 10), rnd.gauss(0, 20))
        yield Change(trip, BEDROOM, "on")
        yield Change(trip + timedelta(minutes=4), BEDROOM, "off")
