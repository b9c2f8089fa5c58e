"""Rhythms learned from a real recorder: a replayed month, too little history, shift work,
and a default installation's ten days followed by live days across a restart."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.connection_rituals.const import (
    CONF_LIGHTS,
    CONF_TRIGGER_TIME,
    CONF_WORKDAY_ENTITY,
    SUBENTRY_TYPE_RITUAL,
    RitualKind,
)
from custom_components.connection_rituals.core.rhythms import DayKind, Rhythm, Signal
from custom_components.connection_rituals.rhythms import RhythmLearner, learner_of

from .conftest import couple_entry, ritual_subentry
from .rhythm_history import (
    ALEX,
    BEDROOM,
    LIVING_ROOM,
    SAM,
    TRUTH_ALEX_HOME,
    TRUTH_BEDTIME_DAY_OFF,
    TRUTH_BEDTIME_WORKDAY,
    TRUTH_MORNING_WORKDAY,
    ZONE,
    Change,
    couples_month,
)


@pytest.fixture(autouse=True)
def mock_recorder_before_hass(async_test_recorder: Any) -> None:
    """The recorder's database is prepared before Home Assistant starts."""


NOW = datetime(2026, 11, 16, 12, 0, tzinfo=ZONE)  # a Monday; DST ended on Nov 1


def _minutes_apart(rhythm: Rhythm | None, truth: time) -> int:
    assert rhythm is not None
    d = abs(rhythm.minutes - (truth.hour * 60 + truth.minute)) % 1440
    return min(d, 1440 - d)


async def _write(hass: HomeAssistant, changes: list[Change]) -> None:
    """Into the real recorder, each change at its own moment."""
    for change in changes:
        hass.states.async_set(change.entity_id, change.state, timestamp=change.at.timestamp())
    await async_wait_recording_done(hass)


def _entry() -> MockConfigEntry:
    return couple_entry(
        ritual_subentry(RitualKind.BEDTIME, **{CONF_LIGHTS: [BEDROOM, LIVING_ROOM]}),
        ritual_subentry(RitualKind.MORNING, **{CONF_LIGHTS: [BEDROOM]}),
    )


async def _set_up(hass: HomeAssistant, entry: MockConfigEntry) -> RhythmLearner:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    learner = learner_of(entry)
    assert learner is not None
    return learner


async def _history(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, days: int, **kwargs: Any
) -> None:
    freezer.move_to(NOW)
    first = NOW.date() - timedelta(days=days)
    await _write(hass, couples_month(first, days, **kwargs))


async def test_a_replayed_month(
    recorder_mock: Recorder, hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Five weeks with a week away and a DST change: the learned times match the truth,
    Sam's shifts give no usual arrival, and the ritual form offers the learned time."""
    await _history(hass, freezer, 35, away=range(12, 19))
    entry = _entry()
    learner = await _set_up(hass, entry)

    assert learner.imported
    bedtime = learner.usual_for(Signal.LIGHTS_OUT, DayKind.WORKDAY)
    assert _minutes_apart(bedtime, TRUTH_BEDTIME_WORKDAY) <= 15
    assert (
        _minutes_apart(learner.usual_for(Signal.LIGHTS_OUT, DayKind.DAY_OFF), TRUTH_BEDTIME_DAY_OFF)
        <= 15
    )
    assert (
        _minutes_apart(learner.usual_for(Signal.MORNING, DayKind.WORKDAY), TRUTH_MORNING_WORKDAY)
        <= 15
    )
    assert (
        _minutes_apart(learner.usual_for(Signal.ARRIVAL_A, DayKind.WORKDAY), TRUTH_ALEX_HOME) <= 15
    )
    # Shift work: no steady rhythm, so nothing rather than a wrong time.
    assert learner.usual_for(Signal.ARRIVAL_B, DayKind.WORKDAY) is None
    assert learner.learned[Signal.ARRIVAL_B].kinds[DayKind.WORKDAY].stable is False
    assert learner.usual_arrival("b") is None
    arrival = learner.usual_arrival("a")
    assert arrival is not None
    assert arrival.date() == NOW.date()

    # Adding a bedtime ritual: the learned time is the default, with where it comes from.
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_TYPE_RITUAL), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"kind": RitualKind.BEDTIME.value}
    )
    line = result["description_placeholders"]["rhythm"]
    assert "usually goes dark around" in line
    assert "on workdays" in line
    (marker,) = (m for m in result["data_schema"].schema if str(m) == CONF_TRIGGER_TIME)
    suggested = marker.description["suggested_value"]
    assert (
        _minutes_apart(
            Rhythm(minutes=int(suggested[:2]) * 60 + int(suggested[3:5]), spread=0, days=0),
            TRUTH_BEDTIME_WORKDAY,
        )
        <= 15
    )
    hass.config_entries.subentries.async_abort(result["flow_id"])


async def test_five_days_suggest_nothing(
    recorder_mock: Recorder, hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Too little history: configured times as before, no line in the form."""
    await _history(hass, freezer, 5)
    entry = _entry()
    learner = await _set_up(hass, entry)
    assert learner.imported
    assert 3 <= learner.learned[Signal.LIGHTS_OUT].total_days <= 5
    assert learner.usual_for(Signal.LIGHTS_OUT, DayKind.WORKDAY) is None
    assert learner.usual_arrival("a") is None
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_TYPE_RITUAL), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"kind": RitualKind.BEDTIME.value}
    )
    assert result["description_placeholders"]["rhythm"] == ""
    (marker,) = (m for m in result["data_schema"].schema if str(m) == CONF_TRIGGER_TIME)
    assert marker.description["suggested_value"] == "22:30:00"
    hass.config_entries.subentries.async_abort(result["flow_id"])


async def _live_day(hass: HomeAssistant, freezer: FrozenDateTimeFactory, day: date) -> None:
    """One ordinary workday lived through in real time (the recorder keeps it too)."""
    for change in couples_month(day, 1, seed=day.toordinal(), shift_worker=False):
        freezer.move_to(change.at)
        async_fire_time_changed(hass)
        hass.states.async_set(change.entity_id, change.state)
        await hass.async_block_till_done()
    for hour in range(4, 13):  # the night settles; hourly ticks
        freezer.move_to(datetime.combine(day + timedelta(days=1), time(hour, 0), ZONE))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()


async def test_ten_days_then_live_days_across_a_restart(
    recorder_mock: Recorder, hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A default recorder holds ten days; live days add up to fourteen, a restart
    in between keeps them, and the suggestion comes once fourteen days are seen."""
    await _history(hass, freezer, 10, shift_worker=False)
    entry = _entry()
    learner = await _set_up(hass, entry)
    start_days = learner.learned[Signal.LIGHTS_OUT].total_days
    assert 8 <= start_days <= 10
    assert learner.usual_for(Signal.LIGHTS_OUT, DayKind.WORKDAY) is None

    day = NOW.date()
    seen: list[int] = []
    suggested: list[bool] = []
    for number in range(6):
        await _live_day(hass, freezer, day + timedelta(days=number))
        learner = learner_of(entry)  # type: ignore[assignment]
        assert learner is not None
        seen.append(len(learner.records[Signal.LIGHTS_OUT]))
        suggested.append(learner.usual_for(Signal.LIGHTS_OUT, DayKind.WORKDAY) is not None)
        if number == 1:
            # A restart: what was learned stays, the recorder is not read twice.
            assert await hass.config_entries.async_reload(entry.entry_id)
            await hass.async_block_till_done(wait_background_tasks=True)
            reloaded = learner_of(entry)
            assert reloaded is not None
            assert reloaded is not learner
            assert len(reloaded.records[Signal.LIGHTS_OUT]) == seen[-1]
    assert seen == sorted(seen)
    assert seen[-1] >= 14
    learner = learner_of(entry)  # type: ignore[assignment]
    assert learner is not None
    # Silent below fourteen days, a suggestion from the fourteenth on.
    assert suggested == [n >= 14 for n in seen]
    assert suggested[0] is False
    assert (
        _minutes_apart(learner.usual_for(Signal.LIGHTS_OUT, DayKind.WORKDAY), TRUTH_BEDTIME_WORKDAY)
        <= 15
    )


async def test_without_the_recorder_learning_is_live_only(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """No recorder: nothing to read, live days still count."""
    freezer.move_to(NOW)
    for person, state in ((ALEX, "home"), (SAM, "home")):
        hass.states.async_set(person, state)
    learner = await _set_up(hass, _entry())
    assert learner.imported is False
    await _live_day(hass, freezer, NOW.date() + timedelta(days=1))
    assert len(learner.records[Signal.LIGHTS_OUT]) == 1
    assert len(learner.records[Signal.MORNING]) == 1
    assert len(learner.records[Signal.ARRIVAL_A]) == 1


async def test_the_workday_sensor_history_tells_holidays(
    recorder_mock: Recorder, hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Where the couple has a workday sensor, its recorded verdicts give each day's kind."""
    freezer.move_to(NOW)
    holiday = NOW.date() - timedelta(days=4)  # a Thursday
    changes = [
        Change(datetime.combine(day, time(0, 1), ZONE), "binary_sensor.workday", state)
        for offset in range(1, 8)
        if (day := NOW.date() - timedelta(days=offset))
        and (state := "on" if day.weekday() < 5 and day != holiday else "off")
    ]
    await _write(hass, changes)
    entry = couple_entry(
        ritual_subentry(RitualKind.BEDTIME, **{CONF_LIGHTS: [BEDROOM]}),
        options={CONF_WORKDAY_ENTITY: "binary_sensor.workday"},
    )
    learner = await _set_up(hass, entry)
    assert learner.is_workday(holiday) is False
    assert learner.is_workday(holiday - timedelta(days=1)) is True


async def test_a_live_arrival_is_learned_a_minute_later(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Sam's homecoming counts for the rhythm about a minute after it (not on the state
    change itself, which belongs to the reunion's prompt)."""
    freezer.move_to(NOW)
    for person, state in ((ALEX, "home"), (SAM, "home")):
        hass.states.async_set(person, state)
    learner = await _set_up(hass, _entry())
    for moment, state in (("2026-11-17 08:10", "not_home"), ("2026-11-17 18:20", "home")):
        freezer.move_to(datetime.fromisoformat(moment).replace(tzinfo=ZONE))
        async_fire_time_changed(hass)
        hass.states.async_set(SAM, state)
        await hass.async_block_till_done()
    arrivals = learner.records[Signal.ARRIVAL_B]
    assert arrivals == []  # not yet: the prompt comes first
    freezer.tick(timedelta(seconds=61))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert [(r.day, r.minutes) for r in learner.records[Signal.ARRIVAL_B]] == [
        (date(2026, 11, 17), 18 * 60 + 20)
    ]
