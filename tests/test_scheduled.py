"""Time- and state-started rituals, departures, apart rituals, DST nights, the day boundary."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest

from custom_components.connection_rituals.const import (
    Completion,
    RitualKind,
    TriggerType,
)
from custom_components.connection_rituals.core.schedule import PresenceCondition

from .conftest import ALEX, SAM, couple_entry, ritual_subentry, set_person
from .helpers import move_to, ritual_device, state, tick


async def both_home(hass: HomeAssistant) -> None:
    set_person(hass, ALEX, "home")
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()


async def export(hass: HomeAssistant, name: str) -> dict[str, Any]:
    return await hass.services.async_call(
        "connection_rituals",
        "export",
        {"ritual": ritual_device(hass, name)},
        blocking=True,
        return_response=True,
    )


async def test_bedtime_completed_after_midnight_counts_for_the_evening(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """Bedtime at 23:50, Done at 00:40: it belongs to the evening before."""
    await move_to(hass, freezer, "2026-11-16 20:00:00-08:00")
    await setup_entry(
        couple_entry(
            ritual_subentry(RitualKind.BEDTIME, trigger_time="23:50:00", window_minutes=60)
        )
    )
    await both_home(hass)
    await move_to(hass, freezer, "2026-11-16 23:50:00-08:00")
    assert state(hass, "binary_sensor.bedtime_appreciation_active") == "on"
    await move_to(hass, freezer, "2026-11-17 00:40:00-08:00")
    await hass.services.async_call(
        "connection_rituals",
        "complete",
        {"ritual": ritual_device(hass, "Bedtime appreciation"), "partner": SAM},
        blocking=True,
    )
    assert state(hass, "binary_sensor.bedtime_appreciation_active") == "off"
    assert state(hass, "sensor.bedtime_appreciation_streak") == "1"
    assert bus_events[-1]["partner"] == SAM
    history = (await export(hass, "Bedtime appreciation"))["history"]
    assert [(d["day"], d["outcome"]) for d in history] == [("2026-11-16", "completed")]


async def test_bedtime_each_partner_must_tap_done(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """With 'each partner', one Done keeps the ritual open until the other taps too."""
    await move_to(hass, freezer, "2026-11-16 22:00:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.BEDTIME, completion=Completion.EACH)))
    await both_home(hass)
    await move_to(hass, freezer, "2026-11-16 22:30:00-08:00")
    device = ritual_device(hass, "Bedtime appreciation")
    await hass.services.async_call(
        "connection_rituals", "complete", {"ritual": device, "partner": ALEX}, blocking=True
    )
    assert state(hass, "binary_sensor.bedtime_appreciation_active") == "on"
    await hass.services.async_call(
        "connection_rituals", "complete", {"ritual": device, "partner": SAM}, blocking=True
    )
    assert state(hass, "binary_sensor.bedtime_appreciation_active") == "off"
    assert [e["type"] for e in bus_events] == ["started", "completed"]


async def test_bedtime_window_running_out_is_missed(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """Not a reunion: an unanswered window ends as missed, with no shaming anywhere."""
    await move_to(hass, freezer, "2026-11-16 22:00:00-08:00")
    await setup_entry(
        couple_entry(ritual_subentry(RitualKind.BEDTIME), options={"grace_days_per_week": 0})
    )
    await both_home(hass)
    await move_to(hass, freezer, "2026-11-16 22:30:00-08:00")
    await tick(hass, freezer, minutes=60)
    assert [e["type"] for e in bus_events] == ["started", "missed"]
    assert state(hass, "sensor.bedtime_appreciation_completion_rate_30_days") == "0.0"


async def test_time_ritual_needs_both_home(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """Sam away at bedtime: no opportunity, a neutral day."""
    await move_to(hass, freezer, "2026-11-16 22:00:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.BEDTIME)))
    await move_to(hass, freezer, "2026-11-16 22:30:00-08:00")
    assert bus_events == []
    assert (await export(hass, "Bedtime appreciation"))["history"] == []


async def test_inactive_day_does_not_start(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """A weekday-only morning ritual stays quiet on Saturday (2026-11-21)."""
    await move_to(hass, freezer, "2026-11-21 06:00:00-08:00")
    await setup_entry(
        couple_entry(
            ritual_subentry(RitualKind.MORNING, active_days=["mon", "tue", "wed", "thu", "fri"])
        )
    )
    await both_home(hass)
    await move_to(hass, freezer, "2026-11-21 07:30:00-08:00")
    assert bus_events == []
    await move_to(hass, freezer, "2026-11-23 07:30:00-08:00")
    assert [e["type"] for e in bus_events] == ["started"]


async def test_state_triggered_morning(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """The alarm is dismissed (entity reaches 'off'): good morning starts, once a day."""
    alarm = "input_boolean.alarm"
    hass.states.async_set(alarm, "on")
    await move_to(hass, freezer, "2026-11-16 06:30:00-08:00")
    await setup_entry(
        couple_entry(
            ritual_subentry(
                RitualKind.MORNING,
                trigger_type=TriggerType.STATE,
                trigger_entity=alarm,
                trigger_state="off",
                trigger_time=None,
            )
        )
    )
    await both_home(hass)
    hass.states.async_set(alarm, "off")
    await hass.async_block_till_done()
    assert state(hass, "binary_sensor.good_morning_active") == "on"
    await hass.services.async_call(
        "connection_rituals",
        "skip",
        {"ritual": ritual_device(hass, "Good morning")},
        blocking=True,
    )
    assert state(hass, "binary_sensor.good_morning_active") == "off"
    hass.states.async_set(alarm, "on")
    hass.states.async_set(alarm, "off")
    await hass.async_block_till_done()
    assert [e["type"] for e in bus_events] == ["started", "skipped"]
    # From unknown is no trigger either.
    await move_to(hass, freezer, "2026-11-17 06:30:00-08:00")
    hass.states.async_set(alarm, "unknown")
    hass.states.async_set(alarm, "off")
    await hass.async_block_till_done()
    assert [e["type"] for e in bus_events] == ["started", "skipped"]


async def test_departure_ritual(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """Alex leaves while Sam stays home: a departure ritual for Sam to answer."""
    await move_to(hass, freezer, "2026-11-16 07:30:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.DEPARTURE)))
    await both_home(hass)
    set_person(hass, ALEX, "Work")
    await hass.async_block_till_done()
    assert state(hass, "binary_sensor.departure_active") == "on"
    assert hass.states.get("binary_sensor.departure_active").attributes["started_by"] == ALEX
    await hass.services.async_call(
        "connection_rituals",
        "complete",
        {"ritual": ritual_device(hass, "Departure"), "partner": SAM},
        blocking=True,
    )
    assert [e["type"] for e in bus_events] == ["started", "completed"]
    assert bus_events[0]["partner"] == ALEX
    assert bus_events[1]["partner"] == SAM


async def test_apart_ritual_starts_after_hours_apart_and_ends_at_reunion(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """Four hours apart in active hours: thinking of you; open until they meet again."""
    await move_to(hass, freezer, "2026-11-16 09:00:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.APART)))
    await tick(hass, freezer, hours=3, minutes=59)
    assert bus_events == []
    await tick(hass, freezer, minutes=1)
    assert state(hass, "binary_sensor.thinking_of_you_active") == "on"
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert state(hass, "binary_sensor.thinking_of_you_active") == "off"
    assert [e["type"] for e in bus_events] == ["started", "missed"]


async def test_apart_stretch_maturing_at_night_starts_in_the_morning(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """Apart since the evening: the ritual waits for the active hours."""
    await move_to(hass, freezer, "2026-11-16 20:00:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.APART)))
    await move_to(hass, freezer, "2026-11-17 00:30:00-08:00")
    assert bus_events == []
    await move_to(hass, freezer, "2026-11-17 08:00:00-08:00")
    assert [e["type"] for e in bus_events] == ["started"]
    # Still apart at the day boundary: the open-ended ritual closes for its day.
    await move_to(hass, freezer, "2026-11-18 04:00:00-08:00")
    assert [e["type"] for e in bus_events] == ["started", "missed"]


async def test_custom_ritual_presence_apart(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """A custom ritual for when the partners are apart does not start when both are home."""
    await move_to(hass, freezer, "2026-11-16 12:00:00-08:00")
    await setup_entry(
        couple_entry(
            ritual_subentry(
                RitualKind.CUSTOM, trigger_time="12:30:00", presence=PresenceCondition.APART
            )
        )
    )
    await move_to(hass, freezer, "2026-11-16 12:30:00-08:00")
    assert [e["type"] for e in bus_events] == ["started"]
    await both_home(hass)
    await move_to(hass, freezer, "2026-11-17 12:30:00-08:00")
    assert [e["type"] for e in bus_events] == ["started", "missed"]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        # Spring forward: 02:30 does not exist on 2026-03-08 in US/Pacific.
        ("2026-03-08 00:00:00-08:00", "2026-03-08 06:00:00-07:00"),
        # Fall back: 01:30 happens twice on 2026-11-01.
        ("2026-11-01 00:00:00-07:00", "2026-11-01 06:00:00-08:00"),
    ],
)
async def test_dst_nights_fire_once(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events, start, end
) -> None:
    """A ritual at a time that is skipped or repeated by DST starts exactly once."""
    trigger = "02:30:00" if start.startswith("2026-03") else "01:30:00"
    await move_to(hass, freezer, start)
    await setup_entry(
        couple_entry(
            ritual_subentry(
                RitualKind.CUSTOM,
                trigger_time=trigger,
                presence=PresenceCondition.ANY,
                window_minutes=5,
            )
        )
    )
    await both_home(hass)
    while True:
        await tick(hass, freezer, minutes=5)
        if hass.states.get("sensor.our_ritual_streak") and freezer.time_to_freeze.isoformat() >= (
            _utc(end)
        ):
            break
    assert [e["type"] for e in bus_events].count("started") == 1


def _utc(moment: str) -> str:
    from datetime import datetime

    return datetime.fromisoformat(moment).astimezone(UTC).replace(tzinfo=None).isoformat()


async def test_day_boundary_refreshes_today(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """Completed at 23:00; after the 04:00 boundary the to-do item is open again."""
    await move_to(hass, freezer, "2026-11-16 22:00:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.BEDTIME)))
    await hass.services.async_call(
        "connection_rituals",
        "complete",
        {"ritual": ritual_device(hass, "Bedtime appreciation")},
        blocking=True,
    )
    assert state(hass, "todo.alex_sam_today_s_rituals") == "0"
    await move_to(hass, freezer, "2026-11-17 04:00:01-08:00")
    assert state(hass, "todo.alex_sam_today_s_rituals") == "1"
    assert state(hass, "sensor.bedtime_appreciation_streak") == "1"
