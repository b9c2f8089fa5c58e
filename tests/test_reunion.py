"""A day in the life: reunions, device-free windows and streaks."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest

from custom_components.connection_rituals.const import (
    CONF_GRACE_DAYS,
    DOMAIN,
    SAVE_DELAY_SECONDS,
    RitualKind,
)

from .conftest import (
    ALEX,
    ALEX_PHONE_IN_USE,
    SAM,
    SAM_TV,
    couple_entry,
    ritual_subentry,
    set_person,
)
from .helpers import move_to, ritual_device, state, tick

ACTIVE = "binary_sensor.reunion_active"
STREAK = "sensor.reunion_streak"
EVENT = "event.reunion_ritual"


async def sam_leaves_and_returns(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, away_minutes: float
) -> None:
    set_person(hass, SAM, "not_home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=away_minutes)
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()


async def test_reunion_completes_after_device_free_window(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """Sam comes home while Alex is home: ten device-free minutes, then streak 1."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    assert state(hass, ACTIVE) == "off"
    assert state(hass, STREAK) == "0"

    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert state(hass, ACTIVE) == "on"
    attributes = hass.states.get(ACTIVE).attributes
    assert attributes["started_by"] == SAM
    assert attributes["ends_at"] == "2026-11-17T01:40:00+00:00"
    assert state(hass, EVENT) != "unknown"
    assert hass.states.get(EVENT).attributes["event_type"] == "started"
    assert [e["type"] for e in bus_events] == ["started"]
    assert bus_events[0]["partner"] == SAM
    assert bus_events[0]["kind"] == "reunion"
    assert bus_events[0]["ritual_name"] == "Reunion"

    await tick(hass, freezer, minutes=9, seconds=59)
    assert state(hass, ACTIVE) == "on"
    await tick(hass, freezer, seconds=1)
    assert state(hass, ACTIVE) == "off"
    assert state(hass, STREAK) == "1"
    assert state(hass, "sensor.reunion_completions") == "1"
    assert state(hass, "sensor.reunion_completion_rate_30_days") == "100.0"
    assert state(hass, "sensor.reunion_last_completed") == "2026-11-17T01:40:00+00:00"
    assert state(hass, "sensor.alex_sam_connection_streak") == "1"
    assert hass.states.get(EVENT).attributes["event_type"] == "completed"
    assert [e["type"] for e in bus_events] == ["started", "completed"]
    assert bus_events[-1]["streak"] == 1


@pytest.mark.parametrize(("grace", "streak_after"), [(0, "0"), (1, "1")])
async def test_a_phone_in_use_mid_window_never_ends_it_and_names_nobody(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_entry,
    bus_events,
    hass_storage: dict[str, Any],
    grace: int,
    streak_after: str,
) -> None:
    """The next day Alex picks up the phone at minute 4: the window stays open to its end,
    then the day is simply not marked (grace days soften it); nobody is named anywhere."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = await setup_entry(
        couple_entry(ritual_subentry(RitualKind.REUNION), options={CONF_GRACE_DAYS: grace})
    )
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=10)
    assert state(hass, STREAK) == "1"

    # Next day, Sam leaves for work and comes back in the evening.
    await move_to(hass, freezer, "2026-11-17 08:00:00-08:00")
    await sam_leaves_and_returns(hass, freezer, away_minutes=9 * 60)
    assert state(hass, ACTIVE) == "on"
    await tick(hass, freezer, minutes=4)
    hass.states.async_set(ALEX_PHONE_IN_USE, "on")
    await hass.async_block_till_done()
    assert state(hass, ACTIVE) == "on"  # never ended early
    hass.states.async_set(ALEX_PHONE_IN_USE, "off")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=6)
    assert state(hass, ACTIVE) == "off"
    assert state(hass, STREAK) == streak_after
    assert state(hass, "sensor.reunion_best_streak") == "1"
    assert state(hass, "sensor.reunion_completion_rate_30_days") == "50.0"
    not_marked = bus_events[-1]
    assert not_marked["type"] == "missed"  # the stable machine value ("Not marked")
    assert not_marked["partner"] is None
    assert "device_use" not in not_marked
    # Nothing about who used a device, or which one, is kept or shown.
    await tick(hass, freezer, seconds=SAVE_DELAY_SECONDS)  # the file on disk
    stored = str(hass_storage[f"{DOMAIN}.{entry.entry_id}"])
    assert "2026-11-17" in stored  # this evening's day was written
    assert ALEX_PHONE_IN_USE not in stored
    assert "device_use" not in stored
    assert ALEX_PHONE_IN_USE not in str(hass.states.get(ACTIVE).attributes)
    assert ALEX_PHONE_IN_USE not in str(hass.states.get(EVENT).attributes)


async def test_screens_that_light_up_for_the_prompt_do_not_count(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """Real phones: the prompt wakes both screens, they are read and go dark again. With
    the default reading time of 2 minutes, the reunion still completes by itself, and
    the device-free ten minutes start as soon as both screens are dark."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_entry(
        couple_entry(ritual_subentry(RitualKind.REUNION), options={"reading_minutes": 2})
    )
    set_person(hass, SAM, "home")
    hass.states.async_set(ALEX_PHONE_IN_USE, "on")  # the notification wakes the screen
    hass.states.async_set(SAM_TV, "off")
    await hass.async_block_till_done()
    assert state(hass, ACTIVE) == "on"
    assert hass.states.get(ACTIVE).attributes["ends_at"] == "2026-11-17T01:42:00+00:00"
    await tick(hass, freezer, seconds=40)  # read, then put down
    hass.states.async_set(ALEX_PHONE_IN_USE, "off")
    await hass.async_block_till_done()
    # The device-free part began now: ten minutes from here.
    assert hass.states.get(ACTIVE).attributes["ends_at"] == "2026-11-17T01:40:40+00:00"
    await tick(hass, freezer, minutes=10)
    assert state(hass, ACTIVE) == "off"
    assert [e["type"] for e in bus_events] == ["started", "completed"]
    assert state(hass, STREAK) == "1"


async def test_a_screen_left_on_after_the_reading_time_keeps_it_open_to_the_end(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """Still on the phone when the reading time is over: the window runs to its end
    (Done would still keep it) and ends not marked; the TV counts the same way."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_entry(
        couple_entry(ritual_subentry(RitualKind.REUNION), options={"reading_minutes": 2})
    )
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=1)
    hass.states.async_set(SAM_TV, "playing")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=3)
    assert state(hass, ACTIVE) == "on"
    await tick(hass, freezer, minutes=8)
    assert state(hass, ACTIVE) == "off"
    assert bus_events[-1]["type"] == "missed"
    assert bus_events[-1]["partner"] is None


async def test_done_keeps_a_reunion_whatever_the_screens_did(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_entry(
        couple_entry(ritual_subentry(RitualKind.REUNION), options={"reading_minutes": 2})
    )
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=5)
    hass.states.async_set(ALEX_PHONE_IN_USE, "on")
    await hass.async_block_till_done()
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.reunion_complete"}, blocking=True
    )
    assert [e["type"] for e in bus_events] == ["started", "completed"]


async def test_travel_week_keeps_the_streak(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """Sam travels for a week: no opportunity, neutral days, the streak survives."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=10)
    assert state(hass, STREAK) == "1"

    await move_to(hass, freezer, "2026-11-17 06:00:00-08:00")
    set_person(hass, SAM, "Berlin")
    await hass.async_block_till_done()
    for day in range(18, 25):
        await move_to(hass, freezer, f"2026-11-{day} 12:00:00-08:00")
        assert state(hass, STREAK) == "1"
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=10)
    assert state(hass, STREAK) == "2"
    assert state(hass, "sensor.reunion_completion_rate_30_days") == "100.0"


async def test_gps_bounce_starts_no_second_reunion(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """home → away for 2 minutes → home is no arrival."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=10)
    await sam_leaves_and_returns(hass, freezer, away_minutes=2)
    await tick(hass, freezer, minutes=30)
    assert [e["type"] for e in bus_events] == ["started", "completed"]
    # A real absence afterwards counts again.
    await sam_leaves_and_returns(hass, freezer, away_minutes=20)
    assert state(hass, ACTIVE) == "on"


async def test_both_arriving_together_start_one_reunion(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """Out together, home together: one reunion."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    set_person(hass, ALEX, "not_home")
    await tick(hass, freezer, hours=2)
    set_person(hass, ALEX, "home")
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    await tick(hass, freezer, seconds=5)
    assert [e["type"] for e in bus_events] == ["started"]
    assert state(hass, ACTIVE) == "on"


async def test_unknown_and_unavailable_are_no_arrivals(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """A person flapping through unknown/unavailable into home starts nothing."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    for flap in ("unavailable", "home", "unknown", "home"):
        set_person(hass, SAM, flap)
        await hass.async_block_till_done()
    assert bus_events == []
    assert state(hass, ACTIVE) == "off"


async def test_outside_active_hours_nothing_starts(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """A 23:30 arrival is outside the default 06:00-23:00 hours: no opportunity."""
    await move_to(hass, freezer, "2026-11-16 23:30:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert bus_events == []
    assert state(hass, STREAK) == "0"


async def test_restart_mid_window_resumes_the_remaining_time(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """Home Assistant restarts 3 minutes in: the window still ends on time."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=3)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await tick(hass, freezer, minutes=1)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, ACTIVE) == "on"
    await tick(hass, freezer, minutes=5, seconds=59)
    assert state(hass, ACTIVE) == "on"
    await tick(hass, freezer, seconds=1)
    assert state(hass, ACTIVE) == "off"
    assert state(hass, STREAK) == "1"


async def test_window_that_expired_while_down_closes_on_start(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """Down across midnight: the window closes at start-up and counts for its own day."""
    await move_to(hass, freezer, "2026-11-16 22:55:00-08:00")
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await move_to(hass, freezer, "2026-11-17 07:00:00-08:00")
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, ACTIVE) == "off"
    assert state(hass, STREAK) == "1"
    export = await hass.services.async_call(
        "connection_rituals",
        "export",
        {"ritual": ritual_device(hass)},
        blocking=True,
        return_response=True,
    )
    assert export["history"] == [
        {"day": "2026-11-16", "outcome": "completed", "started": 1, "completed": 1}
    ]
