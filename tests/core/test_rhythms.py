"""Rhythms: robust usual times of day, around midnight too, and silence without a rhythm."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
import random
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings, strategies as st

from custom_components.connection_rituals.core.rhythms import (
    MAX_RECORDS,
    MIN_DAYS,
    USUAL_HOUR_MARGIN,
    DailyTime,
    DayKind,
    Event,
    Rhythm,
    add_record,
    arrival_times,
    at_a_usual_hour,
    default_kind,
    learn,
    lights_out_times,
    morning_times,
    next_adapted_trigger,
    rhythm_of,
    round_minutes,
    weighted_quantile,
)
from custom_components.connection_rituals.core.schedule import Window, ritual_day

CI = settings(max_examples=150, deadline=None)
TODAY = date(2026, 11, 30)
BERLIN = ZoneInfo("Europe/Berlin")
FOUR = time(4, 0)


def _circular_distance(a: int, b: int) -> int:
    d = abs(a - b) % 1440
    return min(d, 1440 - d)


def _days(minutes: list[int], start: date = TODAY, workday: bool = True) -> list[DailyTime]:
    return [
        DailyTime(day=start - timedelta(days=i), minutes=m % 1440, workday=workday)
        for i, m in enumerate(minutes)
    ]


minutes_lists = st.lists(st.integers(0, 1439), min_size=1, max_size=60)


@CI
@given(minutes_lists, st.randoms(use_true_random=False))
def test_order_does_not_matter(minutes: list[int], rnd: random.Random) -> None:
    records = _days(minutes)
    shuffled = list(records)
    rnd.shuffle(shuffled)
    assert rhythm_of(records, TODAY) == rhythm_of(shuffled, TODAY)
    assert learn(records, TODAY) == learn(shuffled, TODAY)


@CI
@given(minutes_lists)
@example(minutes=[0, 0, 0, 4, 720, 721])  # a spread a hair over half a day, once
def test_bounds(minutes: list[int]) -> None:
    found = rhythm_of(_days(minutes), TODAY)
    assert found is not None
    assert 0 <= found.minutes < 1440
    assert 0 <= found.spread <= 720
    # The usual time is one of the days' times.
    assert found.minutes in {m % 1440 for m in minutes}


@CI
@given(st.integers(0, 1439), st.lists(st.integers(-30, 30), min_size=3, max_size=60))
def test_tight_rhythm_anywhere_on_the_clock(centre: int, jitter: list[int]) -> None:
    """Any centre (midnight included) with jitter of +-30 min: the usual time stays within
    30 minutes of it, and the spread stays inside the jitter."""
    found = rhythm_of(_days([centre + j for j in jitter]), TODAY)
    assert found is not None
    assert _circular_distance(found.minutes, centre) <= 30
    assert found.spread <= 60


@CI
@given(st.lists(st.integers(-60, 60), min_size=1, max_size=40), st.integers(-1440, 1440))
def test_shift_moves_the_usual_time_by_as_much(offsets: list[int], shift: int) -> None:
    base = 22 * 60 + 30
    before = rhythm_of(_days([base + o for o in offsets]), TODAY)
    after = rhythm_of(_days([base + o + shift for o in offsets]), TODAY)
    assert before is not None
    assert after is not None
    assert after.minutes == (before.minutes + shift) % 1440
    assert abs(after.spread - before.spread) < 1e-6


@CI
@given(st.lists(st.integers(0, 1439), min_size=1, max_size=MIN_DAYS - 1))
def test_nothing_under_fourteen_days(minutes: list[int]) -> None:
    learned = learn(_days([1380] * len(minutes)), TODAY)
    assert learned.usual(DayKind.WORKDAY) is None


@CI
@given(st.lists(st.integers(-10, 10), min_size=MIN_DAYS, max_size=60))
def test_stable_rhythm_from_fourteen_days(jitter: list[int]) -> None:
    learned = learn(_days([1390 + j for j in jitter]), TODAY)
    usual = learned.usual(DayKind.WORKDAY)
    assert usual is not None
    assert _circular_distance(usual.minutes, 1390) <= 10


def test_midnight_wrap() -> None:
    """23:50, 00:00 and 00:20 lie around midnight, not around noon."""
    found = rhythm_of(_days([1430, 0, 20, 10, 1435]), TODAY)
    assert found == Rhythm(minutes=0, spread=10, days=5)
    assert found.time == time(0, 0)


def test_shift_work_has_no_stable_rhythm() -> None:
    """Early and late shifts in turn: no usual time at all rather than a wrong one."""
    minutes = [(14 * 60 + 30) if (i // 7) % 2 else (22 * 60 + 40) for i in range(42)]
    learned = learn(_days(minutes), TODAY)
    assert learned.total_days == 42
    assert learned.kinds[DayKind.WORKDAY].stable is False
    assert learned.usual(DayKind.WORKDAY) is None


def test_mostly_one_shift_is_still_no_rhythm() -> None:
    """Five early days and two late ones a week: not three days in four near one time."""
    minutes = [(6 * 60) if i % 7 < 5 else (22 * 60) for i in range(42)]
    assert learn(_days(minutes), TODAY).usual(DayKind.WORKDAY) is None


def test_recent_days_outweigh_older_ones() -> None:
    old = [DailyTime(TODAY - timedelta(days=100 + i), 23 * 60, True) for i in range(30)]
    recent = [DailyTime(TODAY - timedelta(days=i), 22 * 60, True) for i in range(10)]
    found = rhythm_of(old + recent, TODAY)
    assert found is not None
    assert found.minutes == 22 * 60


def test_kinds_and_weekdays() -> None:
    records = [
        DailyTime(
            day := TODAY - timedelta(days=i),
            (23 * 60 + (60 if day.weekday() == 4 else 0)) if day.weekday() < 5 else 30,
            day.weekday() < 5,
        )
        for i in range(70)
    ]
    learned = learn(records, TODAY)
    assert learned.usual(DayKind.WORKDAY, 0) == learned.weekdays[0]
    assert learned.usual(DayKind.WORKDAY, 0).minutes == 23 * 60  # type: ignore[union-attr]
    friday = learned.usual(DayKind.WORKDAY, 4)
    assert friday is not None
    assert friday.minutes == 0
    off = learned.usual(DayKind.DAY_OFF)
    assert off is not None
    assert off.minutes == 30
    # A kind with too few days of its own says nothing.
    only_workdays = learn([r for r in records if r.workday][:20], TODAY)
    assert only_workdays.usual(DayKind.DAY_OFF) is None


def test_bounded_records_and_replacement() -> None:
    records: list[DailyTime] = []
    for i in range(MAX_RECORDS + 20):
        add_record(records, DailyTime(TODAY - timedelta(days=i), 600, True))
    assert len(records) == MAX_RECORDS
    assert records[-1].day == TODAY
    add_record(records, DailyTime(TODAY, 700, True))
    assert len(records) == MAX_RECORDS
    assert records[-1].minutes == 700


def test_small_helpers() -> None:
    assert weighted_quantile([(3.0, 1.0), (1.0, 1.0), (2.0, 1.0)]) == 2.0
    assert round_minutes(23 * 60 + 8) == 23 * 60 + 15
    assert round_minutes(23 * 60 + 55) == 0
    assert default_kind(date(2026, 11, 30)) is DayKind.WORKDAY
    assert default_kind(date(2026, 11, 29)) is DayKind.DAY_OFF
    assert rhythm_of([], TODAY) is None
    # Evenly spread over the clock: still an answer, and not a stable one.
    spread_out = rhythm_of(_days([0, 360, 720, 1080]), TODAY)
    assert spread_out is not None
    assert not spread_out.stable


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), BERLIN)


def _ritual_day(moment: datetime) -> date:
    return ritual_day(moment, FOUR)


def test_lights_out_ignores_a_trip_at_night() -> None:
    day = date(2026, 11, 20)
    nxt = day + timedelta(days=1)
    events = [
        Event(_local(day, 20), dark=True),  # a phone on charge early: lights still move
        Event(_local(day, 21), dark=False),
        Event(_local(day, 23, 10), dark=True),
        Event(_local(nxt, 3, 0), dark=False),
        Event(_local(nxt, 3, 5), dark=True),
        Event(_local(nxt, 0, 0) - timedelta(days=3), dark=True),  # afternoon? no: evening
    ]
    found = lights_out_times(events, _local(nxt, 12), _ritual_day)
    assert found[day] == 23 * 60 + 10
    # Not settled yet: the quiet time has not passed.
    assert lights_out_times(events, _local(day, 23, 30), _ritual_day).get(day) is None
    # After midnight belongs to the evening before.
    late = [Event(_local(nxt, 0, 40), dark=True)]
    assert lights_out_times(late, _local(nxt, 12), _ritual_day) == {day: 40}
    # Daytime darkness is no lights-out.
    assert lights_out_times([Event(_local(day, 14), True)], _local(nxt, 12), _ritual_day) == {}


def test_lights_out_waits_for_every_light() -> None:
    """The living room goes dark first, the bedroom later; a phone filling up at 00:30
    (another dark moment) changes nothing."""
    day = date(2026, 11, 20)
    events = [
        Event(_local(day, 21), dark=False, entity="light.bedroom"),
        Event(_local(day, 21, 5), dark=False, entity="light.living"),
        Event(_local(day, 22, 40), dark=True, entity="light.living"),
        Event(_local(day, 22, 50), dark=True),  # phone on charge, bedroom still lit
        Event(_local(day, 23, 10), dark=True, entity="light.bedroom"),
        Event(_local(day + timedelta(days=1), 0, 30), dark=True),
    ]
    found = lights_out_times(events, _local(day + timedelta(days=1), 12), _ritual_day)
    assert found == {day: 23 * 60 + 10}


def test_morning_and_arrivals() -> None:
    day = date(2026, 11, 20)
    events = [
        Event(_local(day, 2), dark=False),
        Event(_local(day, 6, 45), dark=False),
        Event(_local(day, 7), dark=False),
        Event(_local(day, 13), dark=False),
    ]
    assert morning_times(events) == {day: 6 * 60 + 45}
    presence = [
        (_local(day, 8), True),  # first known state: no arrival
        (_local(day, 8, 30), False),
        (_local(day, 9), True),  # 30 minutes out: a walk, not coming home
        (_local(day, 9, 5), True),  # no change
        (_local(day, 9, 10), False),
        (_local(day, 17, 40), True),
        (_local(day, 18), False),
        (_local(day, 21), True),  # later the same day: the first arrival counts
    ]
    assert arrival_times(presence, _ritual_day) == {day: 17 * 60 + 40}
    assert arrival_times([(_local(day, 17), True)], _ritual_day) == {}


def test_next_adapted_trigger_follows_the_day() -> None:
    after = _local(date(2026, 11, 27), 12)  # a Friday

    def time_for(day: date) -> time:
        return time(23, 0) if day.weekday() < 4 else time(0, 30)

    first = next_adapted_trigger(after, time_for, Window(), FOUR)
    # Friday's time lies after midnight: Saturday 00:30, still Friday's ritual day.
    assert first == _local(date(2026, 11, 28), 0, 30)
    weekend_off = Window(active_days=("mon", "tue", "wed", "thu"))
    assert next_adapted_trigger(after, time_for, weekend_off, FOUR) == _local(
        date(2026, 11, 30), 23
    )
    assert next_adapted_trigger(after, time_for, Window(active_days=()), FOUR) is None


# ------------------------------------------------------------- usual hours


def test_without_a_rhythm_every_hour_is_usual() -> None:
    assert at_a_usual_hour(time(3, 0), None)


def test_usual_hours_wrap_around_midnight() -> None:
    late = Rhythm(minutes=23 * 60 + 30, spread=10, days=20)
    assert at_a_usual_hour(time(0, 40), late)
    assert at_a_usual_hour(time(22, 0), late)
    assert not at_a_usual_hour(time(12, 0), late)


@CI
@given(
    usual=st.integers(0, 1439),
    spread=st.floats(0, 60),
    moment=st.integers(0, 1439),
)
def test_a_usual_hour_is_near_the_usual_time(usual: int, spread: float, moment: int) -> None:
    """Near (two hours, or three spreads if wider) on either side, across midnight."""
    rhythm = Rhythm(minutes=usual, spread=spread, days=20)
    near = _circular_distance(moment, usual) <= max(USUAL_HOUR_MARGIN, 3 * spread)
    assert at_a_usual_hour(time(moment // 60, moment % 60), rhythm) is near
    mirrored = (2 * usual - moment) % 1440  # as far on the other side
    assert at_a_usual_hour(time(mirrored // 60, mirrored % 60), rhythm) is near
