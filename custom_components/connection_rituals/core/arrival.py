"""When to tell the partner at home that the other is on the way, and how long it may take.

Pure rules over distance readings (any unit, as long as it stays the same within a trip) and
a trip's state; the Home Assistant side (`arrival_cue.py`) feeds them and sends the word.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
import math

TOWARDS = "towards"
# An estimate needs readings this far apart, all of them coming closer.
MIN_SPAN = timedelta(minutes=2)
# Readings older than this say nothing about the current approach.
MAX_AGE = timedelta(minutes=30)
# Beyond this the estimate is a guess: no number is said.
MAX_MINUTES = 90
MAX_READINGS = 20


@dataclass(frozen=True, slots=True)
class Reading:
    """A distance to home at a moment."""

    at: datetime
    distance: float


@dataclass(frozen=True, slots=True)
class Trip:
    """One time away: the readings so far and whether the partner at home heard of it."""

    readings: tuple[Reading, ...] = ()
    cued: bool = False


def add_reading(trip: Trip, reading: Reading) -> Trip:
    """The trip with a new reading (older ones fall away; an out-of-order one is ignored)."""
    if not math.isfinite(reading.distance) or reading.distance < 0:
        return trip
    if trip.readings and reading.at < trip.readings[-1].at:
        return trip
    kept = tuple(r for r in trip.readings if reading.at - r.at <= MAX_AGE)
    return replace(trip, readings=(*kept, reading)[-MAX_READINGS:])


def approach(readings: tuple[Reading, ...]) -> tuple[Reading, ...]:
    """The trailing run of readings in which the distance never grows."""
    run: list[Reading] = []
    for reading in reversed(readings):
        if run and reading.distance < run[-1].distance:
            break
        run.append(reading)
    return tuple(reversed(run))


def coming_closer(readings: tuple[Reading, ...]) -> bool:
    """The latest reading is closer than the one before."""
    return len(readings) >= 2 and readings[-1].distance < readings[-2].distance


def estimate_minutes(readings: tuple[Reading, ...]) -> int | None:
    """About how many minutes until home, only where the readings allow an honest guess.

    Needs a steady approach (no reading farther than the one before) spanning at least
    `MIN_SPAN`; the pace over that span is assumed to hold. Rounded to whole minutes up to
    ten, to fives beyond; None when there is no honest estimate.
    """
    run = approach(readings)
    if len(run) < 2:
        return None
    first, last = run[0], run[-1]
    span = last.at - first.at
    covered = first.distance - last.distance
    if span < MIN_SPAN or covered <= 0:
        return None
    minutes = last.distance / covered * span.total_seconds() / 60
    if minutes > MAX_MINUTES:
        return None
    if minutes <= 10:
        return max(1, round(minutes))
    return int(5 * round(minutes / 5))


def should_cue(
    trip: Trip,
    *,
    direction: str | None = None,
    entered_zone: bool = False,
) -> bool:
    """Whether this moment is the one to say "on the way home": once per trip, when the
    proximity says towards and the distance shrinks, or when the zone on the way is entered."""
    if trip.cued:
        return False
    if entered_zone:
        return True
    return direction == TOWARDS and coming_closer(trip.readings)
