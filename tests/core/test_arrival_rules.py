"""On the way home: when the partner at home hears of it, and when a number is honest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hypothesis import HealthCheck, given, settings, strategies as st

from custom_components.connection_rituals.core.arrival import (
    MAX_AGE,
    MAX_MINUTES,
    MAX_READINGS,
    Reading,
    Trip,
    add_reading,
    approach,
    estimate_minutes,
    should_cue,
)

CI = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
T0 = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


def trip(*points: tuple[float, float]) -> Trip:
    """A trip from (minutes after T0, distance) points."""
    result = Trip()
    for minutes, distance in points:
        result = add_reading(result, Reading(T0 + timedelta(minutes=minutes), distance))
    return result


def test_a_steady_approach_gives_an_estimate() -> None:
    """10 km in 10 minutes, 12 km to go: 12 minutes, said as 10 (fives above ten)."""
    assert estimate_minutes(trip((0, 22000), (10, 12000)).readings) == 10
    assert estimate_minutes(trip((0, 30000), (5, 25000), (10, 20000)).readings) == 20
    assert estimate_minutes(trip((0, 9000), (4, 5000)).readings) == 5


def test_no_estimate_without_honest_readings() -> None:
    assert estimate_minutes(trip((0, 5000)).readings) is None  # one reading
    assert estimate_minutes(trip((0, 5000), (1, 4000)).readings) is None  # under two minutes
    assert estimate_minutes(trip((0, 5000), (3, 5000)).readings) is None  # standing still
    assert estimate_minutes(trip((0, 5000), (3, 6000)).readings) is None  # going away
    # Far away and slow: a guess, not an estimate.
    assert estimate_minutes(trip((0, 100000), (3, 99000)).readings) is None


def test_only_the_last_steady_run_counts() -> None:
    """A detour breaks the run: the estimate starts again from there."""
    readings = trip((0, 9000), (3, 6000), (4, 7000), (5, 6500)).readings
    assert [r.distance for r in approach(readings)] == [7000, 6500]
    assert estimate_minutes(readings) is None  # the new run spans one minute only


def test_odd_readings_are_ignored() -> None:
    base = trip((0, 5000))
    assert add_reading(base, Reading(T0 - timedelta(minutes=1), 4000)) == base  # late
    assert add_reading(base, Reading(T0, float("nan"))) == base
    assert add_reading(base, Reading(T0, -1)) == base


def test_old_readings_fall_away() -> None:
    later = trip((0, 9000), (40, 8000))
    assert [r.distance for r in later.readings] == [8000]
    assert timedelta(minutes=40) > MAX_AGE


def test_when_to_cue() -> None:
    closer = trip((0, 9000), (1, 8000))
    assert should_cue(closer, direction="towards")
    assert not should_cue(closer, direction="away_from")
    assert not should_cue(closer, direction=None)
    assert not should_cue(trip((0, 9000)), direction="towards")  # one reading
    assert not should_cue(trip((0, 8000), (1, 9000)), direction="towards")
    assert should_cue(Trip(), entered_zone=True)
    # Once per trip.
    cued = Trip(readings=closer.readings, cued=True)
    assert not should_cue(cued, direction="towards")
    assert not should_cue(cued, entered_zone=True)


points = st.lists(
    st.tuples(
        st.floats(min_value=0.1, max_value=20, allow_nan=False),
        st.floats(min_value=0, max_value=200000, allow_nan=False),
    ),
    max_size=30,
)


def _trip_from_steps(steps: list[tuple[float, float]]) -> Trip:
    result, at = Trip(), T0
    for gap, distance in steps:
        at += timedelta(minutes=gap)
        result = add_reading(result, Reading(at, distance))
    return result


@CI
@given(points)
def test_an_estimate_is_always_a_small_honest_number(steps: list[tuple[float, float]]) -> None:
    """Whatever the readings: no estimate, or whole minutes in 1..MAX_MINUTES, backed by
    a steady run of at least two minutes that really came closer."""
    readings = _trip_from_steps(steps).readings
    assert len(readings) <= MAX_READINGS
    assert all(a.at <= b.at for a, b in pairwise(readings))
    minutes = estimate_minutes(readings)
    if minutes is None:
        return
    assert 1 <= minutes <= MAX_MINUTES
    run = approach(readings)
    assert run[-1].at - run[0].at >= timedelta(minutes=2)
    assert run[0].distance > run[-1].distance
    assert all(a.distance >= b.distance for a, b in pairwise(run))


@CI
@given(points, st.booleans())
def test_a_cued_trip_never_cues_again(steps: list[tuple[float, float]], zone: bool) -> None:
    cued = Trip(readings=_trip_from_steps(steps).readings, cued=True)
    assert not should_cue(cued, direction="towards", entered_zone=zone)
