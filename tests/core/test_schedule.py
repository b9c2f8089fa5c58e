"""Ritual days, active hours, presence and time triggers, including daylight-saving nights."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.connection_rituals.core.schedule import (
    WEEKDAYS,
    PresenceCondition,
    Window,
    are_apart,
    arrival_counts,
    day_start,
    in_active_hours,
    is_active_day,
    is_away,
    next_time_trigger,
    presence_holds,
    ritual_day,
)

CI = settings(max_examples=200, deadline=None)

LA = ZoneInfo("America/Los_Angeles")
BERLIN = ZoneInfo("Europe/Berlin")
FOUR = time(4, 0)

# 2026 daylight-saving nights: (zone, date, local wall time at which the clocks jump)
SPRING_FORWARD = [(LA, date(2026, 3, 8), time(2, 0)), (BERLIN, date(2026, 3, 29), time(2, 0))]
FALL_BACK = [(LA, date(2026, 11, 1), time(1, 0)), (BERLIN, date(2026, 10, 25), time(2, 0))]


def at_utc(year: int, month: int, day: int, hour: int, minute: int, zone: tzinfo) -> datetime:
    """A UTC instant seen in `zone` (the way Home Assistant hands out local times)."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC).astimezone(zone)


def exists(local: datetime) -> bool:
    """Whether a local wall time really occurs (is not inside a spring-forward gap)."""
    assert local.tzinfo is not None
    round_trip = local.astimezone(UTC).astimezone(local.tzinfo)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None)


def walk(zone: tzinfo, start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    """Every `step` between two instants, as local times of `zone`."""
    moments = []
    moment = start.astimezone(UTC)
    while moment <= end.astimezone(UTC):
        moments.append(moment.astimezone(zone))
        moment += step
    return moments


# ------------------------------------------------------------------------ ritual_day


@pytest.mark.parametrize(
    ("wall", "expected"),
    [
        (time(0, 0), date(2026, 6, 9)),
        (time(0, 40), date(2026, 6, 9)),
        (time(3, 59, 59, 999999), date(2026, 6, 9)),
        (time(4, 0), date(2026, 6, 10)),
        (time(4, 0, 0, 1), date(2026, 6, 10)),
        (time(12, 0), date(2026, 6, 10)),
        (time(23, 59, 59), date(2026, 6, 10)),
    ],
)
@pytest.mark.parametrize("zone", [LA, BERLIN, UTC, None])
def test_ritual_day_with_a_four_oclock_boundary(
    wall: time, expected: date, zone: tzinfo | None
) -> None:
    local = datetime.combine(date(2026, 6, 10), wall, tzinfo=zone)
    assert ritual_day(local, FOUR) == expected


def test_midnight_boundary_is_the_calendar_day() -> None:
    for hour in range(24):
        local = datetime(2026, 6, 10, hour, 30, tzinfo=BERLIN)
        assert ritual_day(local, time(0, 0)) == date(2026, 6, 10)


@pytest.mark.parametrize(("zone", "night", "jump"), SPRING_FORWARD + FALL_BACK)
def test_ritual_day_on_daylight_saving_nights(zone: ZoneInfo, night: date, jump: time) -> None:
    before = night - timedelta(days=1)
    start = datetime.combine(before, time(12, 0), tzinfo=zone)
    end = datetime.combine(night, time(12, 0), tzinfo=zone)
    moments = walk(zone, start, end, timedelta(minutes=10))
    for local in moments:
        expected = night if local.date() == night and local.hour >= 4 else before
        assert ritual_day(local, FOUR) == expected, local
    # The walk really crossed the jump: an hour of wall clock was skipped or repeated.
    assert len({local.utcoffset() for local in moments}) == 2
    hour = [local for local in moments if local.date() == night and local.hour == jump.hour]
    assert len(hour) == (0 if (zone, night, jump) in SPRING_FORWARD else 12)


def test_spring_forward_night_in_los_angeles() -> None:
    assert ritual_day(at_utc(2026, 3, 8, 9, 59, LA), FOUR) == date(2026, 3, 7)  # 01:59 PST
    just_after = at_utc(2026, 3, 8, 10, 0, LA)
    assert just_after.time() == time(3, 0)  # 02:00 PST does not exist: 03:00 PDT
    assert ritual_day(just_after, FOUR) == date(2026, 3, 7)
    assert ritual_day(at_utc(2026, 3, 8, 10, 59, LA), FOUR) == date(2026, 3, 7)  # 03:59 PDT
    assert ritual_day(at_utc(2026, 3, 8, 11, 0, LA), FOUR) == date(2026, 3, 8)  # 04:00 PDT


def test_fall_back_night_in_los_angeles() -> None:
    first = at_utc(2026, 11, 1, 8, 30, LA)  # 01:30 PDT
    second = at_utc(2026, 11, 1, 9, 30, LA)  # 01:30 PST, an hour later
    assert first.time() == second.time() == time(1, 30)
    assert (first.fold, second.fold) == (0, 1)
    assert ritual_day(first, FOUR) == ritual_day(second, FOUR) == date(2026, 10, 31)
    assert ritual_day(at_utc(2026, 11, 1, 11, 59, LA), FOUR) == date(2026, 10, 31)  # 03:59 PST
    assert ritual_day(at_utc(2026, 11, 1, 12, 0, LA), FOUR) == date(2026, 11, 1)  # 04:00 PST


def test_daylight_saving_nights_in_berlin() -> None:
    # 2026-03-29: 02:00 CET jumps to 03:00 CEST.
    assert ritual_day(at_utc(2026, 3, 29, 0, 59, BERLIN), FOUR) == date(2026, 3, 28)
    assert ritual_day(at_utc(2026, 3, 29, 1, 0, BERLIN), FOUR) == date(2026, 3, 28)  # 03:00
    assert ritual_day(at_utc(2026, 3, 29, 2, 0, BERLIN), FOUR) == date(2026, 3, 29)  # 04:00
    # 2026-10-25: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice.
    first = at_utc(2026, 10, 25, 0, 30, BERLIN)
    second = at_utc(2026, 10, 25, 1, 30, BERLIN)
    assert first.time() == second.time() == time(2, 30)
    assert ritual_day(first, FOUR) == ritual_day(second, FOUR) == date(2026, 10, 24)
    assert ritual_day(at_utc(2026, 10, 25, 2, 59, BERLIN), FOUR) == date(2026, 10, 24)
    assert ritual_day(at_utc(2026, 10, 25, 3, 0, BERLIN), FOUR) == date(2026, 10, 25)  # 04:00


@pytest.mark.parametrize(
    ("zone", "night", "boundary"),
    [
        (LA, date(2026, 11, 1), time(1, 30)),
        (BERLIN, date(2026, 10, 25), time(2, 30)),
    ],
)
def test_a_boundary_inside_the_repeated_hour_never_goes_back(
    zone: ZoneInfo, night: date, boundary: time
) -> None:
    """Once the new ritual day began, the second pass of the hour stays in it."""
    moments = walk(
        zone,
        datetime.combine(night, time(0, 0), tzinfo=zone),
        datetime.combine(night, time(5, 0), tzinfo=zone),
        timedelta(minutes=5),
    )
    days = [ritual_day(local, boundary) for local in moments]
    assert days == sorted(days)
    assert days[0] == night - timedelta(days=1)
    assert days[-1] == night
    start = day_start(night, boundary, zone)
    for local, day in zip(moments, days, strict=True):
        assert day == (night if local.timestamp() >= start.timestamp() else night - timedelta(1))


# ------------------------------------------------------------------------- day_start


def test_day_start_is_the_boundary_on_ordinary_and_dst_days() -> None:
    start = day_start(date(2026, 3, 8), FOUR, LA)
    assert (start.date(), start.time(), start.utcoffset()) == (
        date(2026, 3, 8),
        FOUR,
        timedelta(hours=-7),
    )

    def length(day: date) -> timedelta:
        return day_start(day + timedelta(days=1), FOUR, LA).astimezone(UTC) - day_start(
            day, FOUR, LA
        ).astimezone(UTC)

    # The ritual day holding the spring-forward night lasts 23 hours, the fall-back one 25.
    assert length(date(2026, 3, 7)) == timedelta(hours=23)
    assert length(date(2026, 10, 31)) == timedelta(hours=25)
    assert length(date(2026, 6, 10)) == timedelta(hours=24)


@pytest.mark.parametrize(("zone", "night", "jump"), SPRING_FORWARD)
def test_day_start_inside_a_gap_moves_past_it(zone: ZoneInfo, night: date, jump: time) -> None:
    start = day_start(night, time(jump.hour, 30), zone)
    assert exists(start)
    assert start.date() == night
    gap_end = datetime.combine(night, time(jump.hour + 1, 0), tzinfo=zone)
    assert gap_end.timestamp() <= start.timestamp() < gap_end.timestamp() + 3600


@pytest.mark.parametrize(("zone", "night", "jump"), FALL_BACK)
def test_day_start_inside_the_repeated_hour_is_its_first_pass(
    zone: ZoneInfo, night: date, jump: time
) -> None:
    start = day_start(night, time(jump.hour, 30), zone)
    assert start.time() == time(jump.hour, 30)
    assert start.fold == 0
    second_pass = start.replace(fold=1)
    assert start.timestamp() + 3600 == second_pass.timestamp()


def test_day_start_in_a_fixed_offset_zone() -> None:
    zone = timezone(timedelta(hours=5, minutes=30))
    assert day_start(date(2026, 1, 1), FOUR, zone) == datetime(2026, 1, 1, 4, 0, tzinfo=zone)


# --------------------------------------------------------------------- active hours/days


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (time(7, 59, 59), False),
        (time(8, 0), True),
        (time(12, 0), True),
        (time(21, 59, 59), True),
        (time(22, 0), False),
        (time(0, 0), False),
    ],
)
def test_active_hours_within_a_day(moment: time, expected: bool) -> None:
    assert in_active_hours(moment, time(8, 0), time(22, 0)) is expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (time(21, 59), False),
        (time(22, 0), True),
        (time(23, 59, 59), True),
        (time(0, 0), True),
        (time(5, 59, 59), True),
        (time(6, 0), False),
        (time(12, 0), False),
    ],
)
def test_active_hours_wrapping_midnight(moment: time, expected: bool) -> None:
    assert in_active_hours(moment, time(22, 0), time(6, 0)) is expected


@pytest.mark.parametrize("bounds", [time(0, 0), time(7, 15)])
@pytest.mark.parametrize("moment", [time(0, 0), time(7, 14), time(7, 15), time(23, 59, 59)])
def test_equal_start_and_end_means_all_day(bounds: time, moment: time) -> None:
    assert in_active_hours(moment, bounds, bounds)


def test_active_hours_ignore_the_time_zone_of_the_time() -> None:
    aware = time(23, 0, tzinfo=timezone(timedelta(hours=2)))
    assert in_active_hours(aware, time(22, 0), time(6, 0))
    assert not in_active_hours(aware, time(8, 0), time(22, 0))


def test_active_days() -> None:
    monday = date(2026, 3, 2)
    for offset, name in enumerate(WEEKDAYS):
        day = monday + timedelta(days=offset)
        assert is_active_day(day, [name])
        assert is_active_day(day, iter(WEEKDAYS))
        assert not is_active_day(day, [other for other in WEEKDAYS if other != name])
    assert not is_active_day(monday, ())


def test_window_uses_the_ritual_day_and_the_wall_clock() -> None:
    window = Window(active_days=("fri",), start=time(21, 0), end=time(2, 0))
    friday_night = datetime(2026, 3, 6, 23, 0, tzinfo=LA)
    saturday_small_hours = datetime(2026, 3, 7, 1, 0, tzinfo=LA)  # still Friday's ritual day
    assert window.allows(friday_night, FOUR)
    assert window.allows(saturday_small_hours, FOUR)
    assert not window.allows(saturday_small_hours, time(0, 0))  # with a midnight boundary
    assert not window.allows(datetime(2026, 3, 7, 23, 0, tzinfo=LA), FOUR)  # Saturday
    assert not window.allows(datetime(2026, 3, 6, 20, 59, tzinfo=LA), FOUR)  # too early
    assert Window().allows(datetime(2026, 3, 8, 3, 0, tzinfo=LA), FOUR)


# -------------------------------------------------------------------------- presence

STATES = ["home", "not_home", "work", "unknown", "unavailable"]


@pytest.mark.parametrize(
    ("state", "away"),
    [
        ("home", False),
        ("not_home", True),
        ("work", True),
        ("unknown", False),
        ("unavailable", False),
    ],
)
def test_is_away(state: str, away: bool) -> None:
    assert is_away(state) is away


@pytest.mark.parametrize(
    ("a", "b", "apart"),
    [
        ("home", "not_home", True),
        ("not_home", "home", True),
        ("home", "work", True),
        ("work", "not_home", True),
        ("not_home", "not_home", False),  # possibly out together
        ("work", "work", False),
        ("home", "home", False),
        ("home", "unknown", False),
        ("unavailable", "home", False),
        ("not_home", "unavailable", False),
        ("unknown", "unknown", False),
    ],
)
def test_are_apart(a: str, b: str, apart: bool) -> None:
    assert are_apart(a, b) is apart
    assert are_apart(b, a) is apart


@pytest.mark.parametrize("a", STATES)
@pytest.mark.parametrize("b", STATES)
def test_presence_conditions(a: str, b: str) -> None:
    settled = a not in ("unknown", "unavailable") and b not in ("unknown", "unavailable")
    assert presence_holds(PresenceCondition.BOTH_HOME, a, b) is (a == b == "home")
    assert presence_holds(PresenceCondition.APART, a, b) is (settled and a != b)
    assert presence_holds(PresenceCondition.ANY, a, b) is True


def test_presence_condition_values() -> None:
    assert PresenceCondition("both_home") is PresenceCondition.BOTH_HOME
    assert PresenceCondition("apart") is PresenceCondition.APART
    assert PresenceCondition("any") is PresenceCondition.ANY


# ---------------------------------------------------------------------- arrival_counts


@pytest.mark.parametrize(
    ("away_for", "counts"),
    [
        (None, True),
        (timedelta(0), False),
        (timedelta(minutes=3), False),
        (timedelta(minutes=14, seconds=59), False),
        (timedelta(minutes=15), True),
        (timedelta(hours=9), True),
    ],
)
def test_arrival_counts_after_the_minimum_absence(away_for: timedelta | None, counts: bool) -> None:
    assert arrival_counts(away_for, timedelta(minutes=15)) is counts


def test_arrival_counts_with_no_minimum() -> None:
    assert arrival_counts(timedelta(0), timedelta(0))


# -------------------------------------------------------------------- next_time_trigger


def chain(after: datetime, at: time, window: Window, count: int) -> list[datetime]:
    """The next `count` firings, each computed from the previous one."""
    moments = []
    for _ in range(count):
        moment = next_time_trigger(after, at, window, FOUR)
        assert moment is not None
        moments.append(moment)
        after = moment
    return moments


def test_trigger_on_active_days_over_two_weeks() -> None:
    window = Window(active_days=("mon", "wed", "fri"))
    start = datetime(2026, 3, 2, 0, 0, tzinfo=BERLIN)  # a Monday
    moments = chain(start, time(7, 30), window, 6)
    assert [m.date() for m in moments] == [
        date(2026, 3, 2),
        date(2026, 3, 4),
        date(2026, 3, 6),
        date(2026, 3, 9),
        date(2026, 3, 11),
        date(2026, 3, 13),
    ]
    assert all(m.time() == time(7, 30) and m.tzinfo is BERLIN for m in moments)


def test_trigger_is_strictly_after() -> None:
    monday_0730 = datetime(2026, 3, 2, 7, 30, tzinfo=BERLIN)
    assert next_time_trigger(monday_0730, time(7, 30), Window(), FOUR) == datetime(
        2026, 3, 3, 7, 30, tzinfo=BERLIN
    )
    just_before = monday_0730 - timedelta(microseconds=1)
    assert next_time_trigger(just_before, time(7, 30), Window(), FOUR) == monday_0730


def test_trigger_respects_active_hours() -> None:
    window = Window(start=time(9, 0), end=time(17, 0))
    after = datetime(2026, 3, 2, 0, 0, tzinfo=BERLIN)
    assert next_time_trigger(after, time(7, 30), window, FOUR) is None
    assert next_time_trigger(after, time(12, 0), window, FOUR) == datetime(
        2026, 3, 2, 12, 0, tzinfo=BERLIN
    )


def test_trigger_after_midnight_belongs_to_the_evening_before() -> None:
    window = Window(active_days=("fri",))
    after = datetime(2026, 3, 2, 12, 0, tzinfo=BERLIN)  # Monday
    # 00:30 on Saturday is still Friday's ritual day with a 04:00 boundary.
    assert next_time_trigger(after, time(0, 30), window, FOUR) == datetime(
        2026, 3, 7, 0, 30, tzinfo=BERLIN
    )


def test_trigger_horizon() -> None:
    window = Window(active_days=("sun",))
    monday = datetime(2026, 3, 2, 12, 0, tzinfo=BERLIN)
    assert next_time_trigger(monday, time(9, 0), window, FOUR) == datetime(
        2026, 3, 8, 9, 0, tzinfo=BERLIN
    )
    assert next_time_trigger(monday, time(9, 0), window, FOUR, horizon_days=5) is None
    assert next_time_trigger(monday, time(9, 0), Window(active_days=()), FOUR) is None


@pytest.mark.parametrize(("zone", "night", "jump"), SPRING_FORWARD)
def test_trigger_on_the_spring_forward_night(zone: ZoneInfo, night: date, jump: time) -> None:
    at = time(jump.hour, 30)  # 02:30 does not exist that night
    start = datetime.combine(night - timedelta(days=2), time(12, 0), tzinfo=zone)
    moments = chain(start, at, Window(), 4)
    assert [m.date() for m in moments] == [night + timedelta(days=i) for i in range(-1, 3)]
    assert all(exists(m) for m in moments)
    that_night = moments[1]
    gap_end = datetime.combine(night, time(jump.hour + 1, 0), tzinfo=zone)
    assert gap_end.timestamp() <= that_night.timestamp() < gap_end.timestamp() + 3600
    assert [moments[i].time() for i in (0, 2, 3)] == [at, at, at]
    # From just before the gap, the trigger is that night's, after the gap.
    before_gap = datetime.combine(night, time(jump.hour - 1, 59), tzinfo=zone)
    assert next_time_trigger(before_gap, at, Window(), FOUR) == that_night


@pytest.mark.parametrize(("zone", "night", "jump"), FALL_BACK)
def test_trigger_on_the_fall_back_night(zone: ZoneInfo, night: date, jump: time) -> None:
    at = time(jump.hour, 30)  # happens twice that night
    start = datetime.combine(night - timedelta(days=2), time(12, 0), tzinfo=zone)
    moments = chain(start, at, Window(), 4)
    assert [m.date() for m in moments] == [night + timedelta(days=i) for i in range(-1, 3)]
    assert all(m.time() == at for m in moments)
    stamps = [m.timestamp() for m in moments]
    assert stamps == sorted(stamps)


@pytest.mark.parametrize(("zone", "night", "jump"), FALL_BACK)
def test_trigger_asked_during_the_second_pass_is_in_the_future(
    zone: ZoneInfo, night: date, jump: time
) -> None:
    first_pass_end = datetime.combine(night, time(jump.hour, 59), tzinfo=zone)
    second_pass = (first_pass_end.astimezone(UTC) + timedelta(minutes=16)).astimezone(zone)
    assert second_pass.time() == time(jump.hour, 15)
    assert second_pass.fold == 1
    at = time(jump.hour, 30)
    moment = next_time_trigger(second_pass, at, Window(), FOUR)
    assert moment is not None
    assert moment.timestamp() > second_pass.timestamp()
    assert moment.time() == at
    # Whichever pass fires, the night fires once: the next one is a day later.
    following = next_time_trigger(moment, at, Window(), FOUR)
    assert following is not None
    assert following.date() == moment.date() + timedelta(days=1)


# ========================================================================= properties

ZONES = [
    LA,
    BERLIN,
    ZoneInfo("Australia/Lord_Howe"),  # half-hour daylight saving
    ZoneInfo("America/Santiago"),  # changes at midnight
    ZoneInfo("Asia/Kolkata"),  # no daylight saving
    UTC,
]


@cache
def transitions(zone: tzinfo) -> tuple[datetime, ...]:
    """UTC instants in 2025-2027 at which the zone's offset changes (to the hour)."""
    found = []
    moment = datetime(2025, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(zone).utcoffset()
    while moment.year < 2028:
        moment += timedelta(minutes=30)
        current = moment.astimezone(zone).utcoffset()
        if current != offset:
            found.append(moment)
            offset = current
    return tuple(found) or (datetime(2026, 6, 1, tzinfo=UTC),)


@st.composite
def instants_near_transitions(draw: st.DrawFn, zone: tzinfo) -> datetime:
    """A UTC instant, usually within hours of a daylight-saving change."""
    anchor = draw(st.sampled_from(transitions(zone)))
    spread = draw(st.sampled_from([3 * 3600, 36 * 3600, 0]))
    if not spread:
        return datetime(2025, 1, 1, tzinfo=UTC) + timedelta(
            seconds=draw(st.integers(0, 3 * 365 * 86400))
        )
    return anchor + timedelta(seconds=draw(st.integers(-spread, spread)))


@st.composite
def wall_times_near(draw: st.DrawFn, zone: tzinfo, moment: datetime) -> time:
    """A wall-clock time (to the minute) of an ordinary kind, or close to `moment`."""
    if draw(st.booleans()):
        nearby = moment + timedelta(minutes=draw(st.integers(-120, 120)))
        return nearby.astimezone(zone).time().replace(second=0, microsecond=0, fold=0)
    return draw(
        st.one_of(
            st.sampled_from([time(0, 0), time(1, 30), time(2, 0), time(2, 30), FOUR]),
            st.times().map(lambda t: t.replace(second=0, microsecond=0)),
        )
    )


@CI
@given(st.data(), st.integers(1, 20))
def test_ritual_day_is_the_date_or_the_day_before_and_never_goes_back(
    data: st.DataObject, step: int
) -> None:
    zone = data.draw(st.sampled_from(ZONES))
    middle = data.draw(instants_near_transitions(zone))
    boundary = data.draw(wall_times_near(zone, middle))
    walk_ = [(middle + timedelta(minutes=step * k)).astimezone(zone) for k in range(-20, 21)]
    days = [ritual_day(local, boundary) for local in walk_]
    for local, day in zip(walk_, days, strict=True):
        assert day in (local.date(), local.date() - timedelta(days=1))
    assert days == sorted(days)


@CI
@given(st.data())
def test_ritual_day_runs_from_its_start_to_the_next(data: st.DataObject) -> None:
    zone = data.draw(st.sampled_from(ZONES))
    moment = data.draw(instants_near_transitions(zone))
    boundary = data.draw(wall_times_near(zone, moment))
    local = moment.astimezone(zone)
    day = ritual_day(local, boundary)
    start = day_start(day, boundary, zone)
    end = day_start(day + timedelta(days=1), boundary, zone)
    assert start.timestamp() <= local.timestamp() < end.timestamp()


@CI
@given(st.data())
def test_time_trigger_fires_once_a_day_at_a_real_moment(data: st.DataObject) -> None:
    zone = data.draw(st.sampled_from(ZONES))
    moment = data.draw(instants_near_transitions(zone))
    at = data.draw(wall_times_near(zone, moment))
    after = moment.astimezone(zone)
    moments = [after]
    for _ in range(3):
        fired_at = next_time_trigger(moments[-1], at, Window(), FOUR)
        assert fired_at is not None
        moments.append(fired_at)
    fired = moments[1:]
    assert all(exists(m) for m in fired)
    stamps = [m.timestamp() for m in moments]
    assert stamps == sorted(set(stamps))  # strictly later each time
    dates = [m.date() for m in fired]
    assert all(b - a == timedelta(days=1) for a, b in pairwise(dates))
    assert fired[0].date() - after.date() <= timedelta(days=1)
    for m in fired:
        if m.time() != at:  # only where `at` did not exist that day
            assert not exists(datetime.combine(m.date(), at, tzinfo=zone))
