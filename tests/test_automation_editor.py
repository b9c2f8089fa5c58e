"""The automation editor's own triggers and conditions, through real automations.

Offered only where the running Home Assistant has the newer trigger/condition API; on older
releases the platforms offer nothing and these tests are skipped (the rest of the suite
shows the integration loading cleanly there).
"""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import condition as condition_helper, trigger as trigger_helper
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service

from custom_components.connection_rituals import condition, trigger
from custom_components.connection_rituals.compat import vol
from custom_components.connection_rituals.const import DOMAIN, RitualKind

from .conftest import SAM, couple_entry, ritual_subentry, set_person
from .helpers import devices_by_name, move_to, tick

pytestmark = pytest.mark.skipif(
    not (trigger.supported() and condition.supported()),
    reason="this Home Assistant has no integration triggers and conditions",
)

REUNION = "binary_sensor.reunion_active"


async def _household(hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry) -> Any:
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    return await setup_entry(
        couple_entry(
            ritual_subentry(RitualKind.REUNION),
            ritual_subentry(RitualKind.BEDTIME, trigger_time="21:00:00"),
        )
    )


def _automation_config(trigger_config: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An automation that records what its trigger passed on."""
    return {
        "triggers": [trigger_config],
        "actions": [
            {
                "action": "test.automation",
                "data": {
                    "name": "{{ trigger.ritual_name }}",
                    "type": "{{ trigger.type }}",
                    "description": "{{ trigger.description }}",
                },
            }
        ],
        **extra,
    }


async def _automations(hass: HomeAssistant, *configs: dict[str, Any]) -> None:
    assert await async_setup_component(hass, "automation", {"automation": list(configs)})
    await hass.async_block_till_done()


def _fired(calls: list[ServiceCall]) -> list[tuple[str, str]]:
    return [(call.data["name"], call.data["type"]) for call in calls]


async def test_the_editor_lists_the_triggers_and_conditions(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """The editor's descriptions come from triggers.yaml and conditions.yaml."""
    await _household(hass, freezer, setup_entry)
    triggers = await trigger_helper.async_get_all_descriptions(hass)
    conditions = await condition_helper.async_get_all_descriptions(hass)
    for key in (
        "ritual_started",
        "ritual_kept",
        "reunion_window_opened",
        "reunion_window_closed",
        "partner_on_the_way_home",
    ):
        description = triggers[f"{DOMAIN}.{key}"]
        assert description["fields"]["rituals"]["selector"]["device"]["integration"] == DOMAIN
    assert "rituals" in conditions[f"{DOMAIN}.is_ritual_active"]["fields"]
    assert "couple" in conditions[f"{DOMAIN}.is_vacation_mode_on"]["fields"]


async def test_ritual_started_and_kept_fire_for_the_chosen_ritual(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """A trigger for the reunion fires when Sam comes home, not for the bedtime ritual."""
    await _household(hass, freezer, setup_entry)
    devices = devices_by_name(hass)
    calls = async_mock_service(hass, "test", "automation")
    await _automations(
        hass,
        _automation_config(
            {"trigger": f"{DOMAIN}.ritual_started", "options": {"rituals": [devices["Reunion"]]}}
        ),
    )
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert _fired(calls) == [("Reunion", "started")]
    assert calls[0].data["description"] == "ritual started"

    # The bedtime ritual starting later does not fire it.
    await move_to(hass, freezer, "2026-11-16 21:00:00-08:00")
    assert hass.states.get("binary_sensor.bedtime_appreciation_active").state == "on"
    assert _fired(calls) == [("Reunion", "started")]


async def test_ritual_kept_without_a_choice_follows_every_ritual(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """With no ritual chosen, every kept ritual fires it."""
    await _household(hass, freezer, setup_entry)
    calls = async_mock_service(hass, "test", "automation")
    await _automations(hass, _automation_config({"trigger": f"{DOMAIN}.ritual_kept"}))
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert calls == []
    await tick(hass, freezer, minutes=10)  # the device-free window ends: kept
    await move_to(hass, freezer, "2026-11-16 21:00:00-08:00")
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.bedtime_appreciation_complete"}, blocking=True
    )
    await hass.async_block_till_done()
    assert _fired(calls) == [("Reunion", "completed"), ("Bedtime appreciation", "completed")]


async def test_reunion_window_opens_and_closes(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """The reunion triggers follow its window, however it closes."""
    await _household(hass, freezer, setup_entry)
    calls = async_mock_service(hass, "test", "automation")
    await _automations(
        hass,
        _automation_config({"trigger": f"{DOMAIN}.reunion_window_opened"}),
        _automation_config({"trigger": f"{DOMAIN}.reunion_window_closed"}),
    )
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert hass.states.get(REUNION).state == "on"
    assert _fired(calls) == [("Reunion", "started")]
    await tick(hass, freezer, minutes=10)
    assert hass.states.get(REUNION).state == "off"
    assert _fired(calls) == [("Reunion", "started"), ("Reunion", "completed")]


async def test_conditions_read_the_ritual_and_vacation_mode(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """ "Ritual is active" and "vacation mode is on" gate a real automation."""
    entry = await _household(hass, freezer, setup_entry)
    devices = devices_by_name(hass)
    calls = async_mock_service(hass, "test", "automation")
    await _automations(
        hass,
        _automation_config(
            {"trigger": "event", "event_type": "test_during_reunion"},
            conditions=[
                {
                    "condition": f"{DOMAIN}.is_ritual_active",
                    "options": {"rituals": [devices["Reunion"]]},
                }
            ],
        ),
        _automation_config(
            {"trigger": "event", "event_type": "test_on_vacation"},
            conditions=[
                {
                    "condition": f"{DOMAIN}.is_vacation_mode_on",
                    "options": {"couple": entry.entry_id},
                }
            ],
        ),
    )

    async def fire(event_type: str) -> int:
        before = len(calls)
        hass.bus.async_fire(event_type)
        await hass.async_block_till_done()
        return len(calls) - before

    assert await fire("test_during_reunion") == 0
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert await fire("test_during_reunion") == 1
    await tick(hass, freezer, minutes=10)
    assert await fire("test_during_reunion") == 0

    assert await fire("test_on_vacation") == 0
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.alex_sam_vacation_mode"}, blocking=True
    )
    assert await fire("test_on_vacation") == 1


async def test_a_removed_ritual_is_refused_in_the_editor_and_quiet_at_run_time(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """Saving an automation for a ritual that is gone gives a clear error; one saved
    before the ritual went away never raises and never fires."""
    entry = await _household(hass, freezer, setup_entry)
    devices = devices_by_name(hass)
    with pytest.raises(vol.Invalid, match="not a Connection Rituals ritual"):
        await trigger_helper.async_validate_trigger_config(
            hass, [{"platform": f"{DOMAIN}.ritual_started", "options": {"rituals": ["nope"]}}]
        )
    with pytest.raises(vol.Invalid, match="not a reunion ritual"):
        await trigger_helper.async_validate_trigger_config(
            hass,
            [
                {
                    "platform": f"{DOMAIN}.reunion_window_opened",
                    "options": {"rituals": [devices["Bedtime appreciation"]]},
                }
            ],
        )
    with pytest.raises(vol.Invalid, match="not a Connection Rituals couple"):
        await condition_helper.async_validate_condition_config(
            hass, {"condition": f"{DOMAIN}.is_vacation_mode_on", "options": {"couple": "gone"}}
        )
    with pytest.raises(vol.Invalid, match="not a Connection Rituals ritual"):
        await condition_helper.async_validate_condition_config(
            hass, {"condition": f"{DOMAIN}.is_ritual_active", "options": {"rituals": ["gone"]}}
        )

    calls = async_mock_service(hass, "test", "automation")
    await _automations(
        hass,
        _automation_config(
            {"trigger": f"{DOMAIN}.ritual_started", "options": {"rituals": [devices["Reunion"]]}}
        ),
        _automation_config(
            {"trigger": "event", "event_type": "test_check"},
            conditions=[
                {
                    "condition": f"{DOMAIN}.is_ritual_active",
                    "options": {"rituals": [devices["Reunion"]]},
                }
            ],
        ),
    )
    reunion = next(s for s in entry.subentries.values() if s.title == "Reunion")
    assert hass.config_entries.async_remove_subentry(entry, reunion.subentry_id)
    await hass.async_block_till_done()
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    hass.bus.async_fire("test_check")
    await hass.async_block_till_done()
    assert calls == []

    # A couple that is not loaded: the condition is false, not an error.
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    hass.bus.async_fire("test_check")
    await hass.async_block_till_done()
    assert calls == []
