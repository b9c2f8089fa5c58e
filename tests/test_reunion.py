"""A day in the life: reunions, device-free windows and streaks."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest

from custom_components.connection_rituals.const import (
    CONF_GRACE_DAYS,
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
from .helpers import devices_by_name, move_to, tick

ACTIVE = "binary_sensor.reunion_active"
STREAK = "sensor.reunion_streak"
EVENT = "event.reunion_ritual"


def state(hass: HomeAssistant, entity_id: str) -> str:
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state


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
async def test_phone_in_use_ends_the_reunion_as_missed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_entry,
    bus_events,
    grace: int,
    streak_after: str,
) -> None:
    """The next day Alex picks up the phone at minute 4: missed; grace days soften it."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_entry(
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

    assert state(hass, ACTIVE) == "off"
    assert state(hass, STREAK) == streak_after
    assert state(hass, "sensor.reunion_best_streak") == "1"
    assert state(hass, "sensor.reunion_completion_rate_30_days") == "50.0"
    missed = bus_events[-1]
    assert missed["type"] == "missed"
    assert missed["partner"] == ALEX
    assert missed["device_use"]["entity_id"] == ALEX_PHONE_IN_USE
    # The window's timer is gone: nothing completes it later.
    await tick(hass, freezer, minutes=10)
    assert [e["type"] for e in bus_events].count("completed") == 1


async def test_tv_turning_on_counts_for_sam(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """A media player starting to play is device use too, attributed to its partner."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=1)
    hass.states.async_set(SAM_TV, "playing")
    await hass.async_block_till_done()
    assert bus_events[-1]["type"] == "missed"
    assert bus_events[-1]["partner"] == SAM


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
        {"ritual": _ritual_device(hass)},
        blocking=True,
        return_response=True,
    )
    assert export["history"] == [
        {"day": "2026-11-16", "outcome": "completed", "started": 1, "completed": 1}
    ]


def _ritual_device(hass: HomeAssistant, name: str = "Reunion") -> str:
    by_name = devices_by_name(hass)
    assert name in by_name, f"no device {name}"
    return by_name[name]
