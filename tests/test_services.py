"""Actions, switches, buttons, the to-do list and the next-ritual sensor, as a user meets them."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import device_registry as dr
import pytest

from custom_components.connection_rituals.const import DOMAIN, RitualKind

from .conftest import ALEX, SAM, couple_entry, ritual_subentry, set_person
from .helpers import move_to, ritual_device, state, tick


@pytest.fixture
async def reunion(hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry) -> str:
    """A loaded couple with a reunion ritual on Monday 2026-11-16 at 17:30; its device id."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    return ritual_device(hass)


async def call(hass: HomeAssistant, service: str, **data: Any) -> Any:
    return await hass.services.async_call(DOMAIN, service, data, blocking=True)


async def test_start_snooze_complete(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, reunion: str, bus_events
) -> None:
    """Start now, snooze by 5 minutes (the window moves), then complete."""
    await call(hass, "start", ritual=reunion)
    attributes = hass.states.get("binary_sensor.reunion_active").attributes
    assert attributes["ends_at"] == "2026-11-17T01:40:00+00:00"
    assert attributes["started_by"] is None
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "start", ritual=reunion)
    assert err.value.translation_key == "already_active"

    await call(hass, "snooze", ritual=reunion, minutes=5, partner=SAM)
    attributes = hass.states.get("binary_sensor.reunion_active").attributes
    assert attributes["ends_at"] == "2026-11-17T01:45:00+00:00"
    assert bus_events[-1]["type"] == "snoozed"
    assert bus_events[-1]["partner"] == SAM

    await call(hass, "complete", ritual=reunion, partner=ALEX)
    assert state(hass, "binary_sensor.reunion_active") == "off"
    assert [e["type"] for e in bus_events] == ["started", "snoozed", "completed"]
    assert bus_events[-1]["partner"] == ALEX
    await tick(hass, freezer, minutes=20)
    assert [e["type"] for e in bus_events].count("completed") == 1


async def test_buttons(hass: HomeAssistant, reunion: str, bus_events) -> None:
    """Start-now and complete buttons."""
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.reunion_start_now"}, blocking=True
    )
    assert state(hass, "binary_sensor.reunion_active") == "on"
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.reunion_complete"}, blocking=True
    )
    assert state(hass, "binary_sensor.reunion_active") == "off"
    assert state(hass, "sensor.reunion_streak") == "1"


async def test_skip_is_neutral_and_stops_the_window(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, reunion: str, bus_events
) -> None:
    """A skipped day within the allowance keeps yesterday's streak."""
    await call(hass, "complete", ritual=reunion)
    assert state(hass, "sensor.reunion_streak") == "1"
    await move_to(hass, freezer, "2026-11-17 17:30:00-08:00")
    await call(hass, "start", ritual=reunion)
    await call(hass, "skip", ritual=reunion, partner=SAM)
    assert state(hass, "binary_sensor.reunion_active") == "off"
    assert bus_events[-1]["type"] == "skipped"
    await move_to(hass, freezer, "2026-11-18 17:30:00-08:00")
    assert state(hass, "sensor.reunion_streak") == "1"


async def test_bad_input_is_refused_without_changes(
    hass: HomeAssistant, reunion: str, bus_events
) -> None:
    """Unknown rituals, strangers, inactive snoozes: translated errors, nothing changes."""
    other = dr.async_get(hass).async_get_or_create(
        config_entry_id=next(iter(hass.config_entries.async_entries(DOMAIN))).entry_id,
        identifiers={("other", "device")},
    )
    cases = [
        ("complete", {"ritual": "not-a-device"}, "unknown_ritual"),
        ("complete", {"ritual": other.id}, "unknown_ritual"),
        ("complete", {"ritual": reunion, "partner": "person.stranger"}, "not_a_partner"),
        ("snooze", {"ritual": reunion}, "not_active"),
    ]
    for service, data, key in cases:
        with pytest.raises(ServiceValidationError) as err:
            await call(hass, service, **data)
        assert err.value.translation_key == key
        assert err.value.translation_domain == DOMAIN
    assert bus_events == []
    assert state(hass, "sensor.reunion_completions") == "0"


async def test_unloaded_entry_is_reported(hass: HomeAssistant, reunion: str) -> None:
    """Calling an action for a couple that is not loaded says so."""
    entry = next(iter(hass.config_entries.async_entries(DOMAIN)))
    await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "complete", ritual=reunion)
    assert err.value.translation_key == "entry_not_loaded"


async def test_reset_and_export_are_admin_only(
    hass: HomeAssistant, hass_read_only_user, hass_admin_user, reunion: str
) -> None:
    """A non-admin user may not reset or export; an admin may."""
    await call(hass, "complete", ritual=reunion)
    for service in ("reset", "export"):
        with pytest.raises(Unauthorized):
            await hass.services.async_call(
                DOMAIN,
                service,
                {"ritual": reunion},
                blocking=True,
                context=Context(user_id=hass_read_only_user.id),
                return_response=service == "export",
            )
    exported = await hass.services.async_call(
        DOMAIN,
        "export",
        {"ritual": reunion},
        blocking=True,
        context=Context(user_id=hass_admin_user.id),
        return_response=True,
    )
    assert exported["completions"] == 1
    assert exported["history"][0]["outcome"] == "completed"
    await hass.services.async_call(
        DOMAIN,
        "reset",
        {"ritual": reunion},
        blocking=True,
        context=Context(user_id=hass_admin_user.id),
    )
    assert state(hass, "sensor.reunion_completions") == "0"
    assert state(hass, "sensor.reunion_streak") == "0"


async def test_vacation_mode_pauses_every_ritual(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, reunion: str, bus_events
) -> None:
    """On vacation an arrival starts nothing, the day is paused and the streak is kept."""
    await call(hass, "complete", ritual=reunion)
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.alex_sam_vacation_mode"}, blocking=True
    )
    assert state(hass, "switch.alex_sam_vacation_mode") == "on"
    assert state(hass, "sensor.alex_sam_next_ritual") == "unknown"
    await move_to(hass, freezer, "2026-11-17 17:30:00-08:00")
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert state(hass, "binary_sensor.reunion_active") == "off"
    exported = await hass.services.async_call(
        DOMAIN, "export", {"ritual": reunion}, blocking=True, return_response=True
    )
    assert exported["history"][-1] == {"day": "2026-11-17", "outcome": "paused", "paused": 1}
    await move_to(hass, freezer, "2026-11-19 17:30:00-08:00")
    assert state(hass, "sensor.reunion_streak") == "1"
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.alex_sam_vacation_mode"}, blocking=True
    )
    assert state(hass, "switch.alex_sam_vacation_mode") == "off"
    assert [e["type"] for e in bus_events] == ["completed"]


async def test_disabled_ritual_ends_its_window_and_stays_quiet(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, reunion: str, bus_events
) -> None:
    """The enabled switch: off ends an open window and pauses; on runs again."""
    await call(hass, "start", ritual=reunion)
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.reunion_enabled"}, blocking=True
    )
    assert state(hass, "binary_sensor.reunion_active") == "off"
    await move_to(hass, freezer, "2026-11-16 19:00:00-08:00")
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert [e["type"] for e in bus_events] == ["started"]
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.reunion_enabled"}, blocking=True
    )
    assert state(hass, "switch.reunion_enabled") == "on"


async def test_todays_rituals_todo_list(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """Ticking a ritual off completes it; a completed item cannot be reopened."""
    await move_to(hass, freezer, "2026-11-16 12:00:00-08:00")
    await setup_entry(
        couple_entry(ritual_subentry(RitualKind.REUNION), ritual_subentry(RitualKind.BEDTIME))
    )
    todo = "todo.alex_sam_today_s_rituals"
    assert state(hass, todo) == "2"
    items = await hass.services.async_call(
        "todo", "get_items", {}, target={"entity_id": todo}, blocking=True, return_response=True
    )
    assert [(i["summary"], i["status"]) for i in items[todo]["items"]] == [
        ("Reunion", "needs_action"),
        ("Bedtime appreciation", "needs_action"),
    ]
    await hass.services.async_call(
        "todo",
        "update_item",
        {"item": "Bedtime appreciation", "status": "completed"},
        target={"entity_id": todo},
        blocking=True,
    )
    assert state(hass, todo) == "1"
    assert state(hass, "sensor.bedtime_appreciation_streak") == "1"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "todo",
            "update_item",
            {"item": "Bedtime appreciation", "status": "needs_action"},
            target={"entity_id": todo},
            blocking=True,
        )
    assert err.value.translation_key == "cannot_uncomplete"
    # Ticking it again changes nothing.
    await hass.services.async_call(
        "todo",
        "update_item",
        {"item": "Bedtime appreciation", "status": "completed"},
        target={"entity_id": todo},
        blocking=True,
    )
    assert state(hass, "sensor.bedtime_appreciation_completions") == "1"


async def test_next_ritual_sensor(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """The next time-started ritual, moving on once it has fired."""
    await move_to(hass, freezer, "2026-11-16 12:00:00-08:00")
    await setup_entry(
        couple_entry(
            ritual_subentry(RitualKind.BEDTIME),
            ritual_subentry(RitualKind.MORNING),
            ritual_subentry(RitualKind.REUNION),
        )
    )
    sensor = "sensor.alex_sam_next_ritual"
    assert state(hass, sensor) == "2026-11-17T06:30:00+00:00"
    assert hass.states.get(sensor).attributes["ritual"] == "Bedtime appreciation"
    await move_to(hass, freezer, "2026-11-16 22:30:01-08:00")
    assert state(hass, sensor) == "2026-11-17T15:30:00+00:00"
    assert hass.states.get(sensor).attributes["ritual"] == "Good morning"


async def test_streak_milestone_event(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, reunion: str, bus_events
) -> None:
    """Three days in a row: a milestone event and the event entity shows it."""
    for day in (16, 17, 18):
        await move_to(hass, freezer, f"2026-11-{day} 18:00:00-08:00")
        await call(hass, "complete", ritual=reunion)
    assert bus_events[-1]["type"] == "streak_milestone"
    assert bus_events[-1]["milestone"] == 3
    assert hass.states.get("event.reunion_ritual").attributes["event_type"] == "streak_milestone"
