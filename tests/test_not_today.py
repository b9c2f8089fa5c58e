"""'Not today' is always offered and always free: the button, the to-do list, a phone."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant

from custom_components.connection_rituals.const import RitualKind

from .conftest import SAM, couple_entry, ritual_subentry, set_person
from .helpers import move_to, tick

STREAK = "sensor.reunion_streak"
TODO = "todo.alex_sam_today_s_rituals"


async def _kept_days(hass: HomeAssistant, freezer: FrozenDateTimeFactory, days: int) -> None:
    for day in range(days):
        await move_to(hass, freezer, f"2026-11-{16 + day} 17:30:00-08:00")
        set_person(hass, SAM, "not_home")
        await hass.async_block_till_done()
        await tick(hass, freezer, minutes=30)
        set_person(hass, SAM, "home")
        await hass.async_block_till_done()
        await tick(hass, freezer, minutes=10)


async def test_the_not_today_button_never_ends_a_streak(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """Four "not today"s in one week, no grace days: the streak stays."""
    await move_to(hass, freezer, "2026-11-16 12:00:00-08:00")
    await setup_entry(
        couple_entry(ritual_subentry(RitualKind.REUNION), options={"grace_days_per_week": 0})
    )
    await _kept_days(hass, freezer, 2)
    assert hass.states.get(STREAK).state == "2"
    for day in range(18, 22):
        await move_to(hass, freezer, f"2026-11-{day} 18:30:00-08:00")
        await hass.services.async_call(
            "button", "press", {"entity_id": "button.reunion_not_today"}, blocking=True
        )
    await move_to(hass, freezer, "2026-11-22 12:00:00-08:00")
    assert hass.states.get(STREAK).state == "2"
    assert [e["type"] for e in bus_events].count("skipped") == 4
    assert all(e["partner"] is None for e in bus_events if e["type"] == "skipped")


async def test_removing_an_item_from_todays_list_is_not_today(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    await move_to(hass, freezer, "2026-11-16 12:00:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.BEDTIME, trigger_time="21:00:00")))
    assert hass.states.get(TODO).state == "1"
    items = await hass.services.async_call(
        "todo", "get_items", {"entity_id": TODO}, blocking=True, return_response=True
    )
    (item,) = items[TODO]["items"]
    await hass.services.async_call(
        "todo", "remove_item", {"entity_id": TODO, "item": item["uid"]}, blocking=True
    )
    assert hass.states.get(TODO).state == "0"
    await move_to(hass, freezer, "2026-11-16 21:00:00-08:00")
    # Declined for today: the bedtime ritual does not start tonight, and no streak ends.
    assert hass.states.get("binary_sensor.bedtime_appreciation_active").state == "off"
    await move_to(hass, freezer, "2026-11-17 12:00:00-08:00")
    assert hass.states.get(TODO).state == "1"  # back tomorrow
    assert hass.states.get("sensor.bedtime_appreciation_streak").state == "0"
