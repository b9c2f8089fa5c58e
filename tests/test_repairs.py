"""Repair issues and their fix flows, through the same HTTP API the frontend uses."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from custom_components.connection_rituals.const import DOMAIN, RitualKind, TriggerType

from .conftest import ALEX, ALEX_PHONE_IN_USE, SAM, couple_entry, ritual_subentry, set_person

ALARM = "input_boolean.alarm"


async def fix(client: Any, issue_id: str, user_input: dict[str, Any] | None) -> dict[str, Any]:
    """Open the fix flow; submit the form if input is given."""
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    assert response.status == 200, await response.text()
    result = await response.json()
    if user_input is None:
        return result
    response = await client.post(f"/api/repairs/issues/fix/{result['flow_id']}", json=user_input)
    assert response.status == 200, await response.text()
    return await response.json()


async def step(client: Any, flow_id: str, user_input: dict[str, Any]) -> dict[str, Any]:
    """Submit one more step of an open fix flow."""
    response = await client.post(f"/api/repairs/issues/fix/{flow_id}", json=user_input)
    assert response.status == 200, await response.text()
    return await response.json()


def issue(hass: HomeAssistant, issue_id: str) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, issue_id)


async def test_missing_partner_is_replaced(hass: HomeAssistant, setup_entry, hass_client) -> None:
    """Sam's person entity disappears: a fix flow picks the new person; the entry reloads."""
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    issue_id = f"person_missing_{entry.entry_id}_b"
    assert issue(hass, issue_id) is None
    hass.states.async_remove(SAM)
    await hass.async_block_till_done()
    found = issue(hass, issue_id)
    assert found is not None
    assert found.is_fixable
    # Someone's setup changed: a gentle warning, never an error.
    assert found.severity is ir.IssueSeverity.WARNING
    assert found.translation_placeholders == {"entity": SAM, "couple": "Alex & Sam"}

    set_person(hass, "person.samantha", "home")
    client = await hass_client()
    result = await fix(client, issue_id, None)
    assert result["type"] == "menu"
    assert result["step_id"] == "fix"
    assert result["menu_options"] == ["replace", "remove"]
    flow_id = result["flow_id"]
    result = await step(client, flow_id, {"next_step_id": "replace"})
    assert result["step_id"] == "replace"
    result = await step(client, flow_id, {"person": ALEX})
    assert result["errors"] == {"person": "same_person"}
    result = await step(client, flow_id, {"person": "person.samantha"})
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    assert entry.data["partner_b"] == "person.samantha"
    assert issue(hass, issue_id) is None


async def test_missing_partner_can_take_the_couple_along(
    hass: HomeAssistant, setup_entry, hass_client
) -> None:
    """The other way out: the couple's setup goes, gently, after a confirmation."""
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    issue_id = f"person_missing_{entry.entry_id}_b"
    hass.states.async_remove(SAM)
    await hass.async_block_till_done()
    client = await hass_client()
    result = await fix(client, issue_id, None)
    flow_id = result["flow_id"]
    result = await step(client, flow_id, {"next_step_id": "remove"})
    assert result["type"] == "form"
    assert result["step_id"] == "remove"
    assert result["description_placeholders"] == {"entity": SAM, "couple": "Alex & Sam"}
    assert hass.config_entries.async_get_entry(entry.entry_id) is not None  # not yet
    result = await step(client, flow_id, {})
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    assert hass.config_entries.async_get_entry(entry.entry_id) is None
    assert issue(hass, issue_id) is None


async def test_person_flapping_to_unknown_raises_nothing(hass: HomeAssistant, setup_entry) -> None:
    """A person entity that flaps to unknown (a tracker restarting) is still there."""
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    issue_id = f"person_missing_{entry.entry_id}_b"
    for state in ("unknown", "not_home", "unknown", "home"):
        set_person(hass, SAM, state)
        await hass.async_block_till_done()
        assert issue(hass, issue_id) is None
    assert entry.runtime_data.partner_state("b") == "home"


async def test_missing_device_is_forgotten(hass: HomeAssistant, setup_entry, hass_client) -> None:
    """Alex's phone sensor is gone: confirming stops watching it."""
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    hass.states.async_remove(ALEX_PHONE_IN_USE)
    await hass.async_block_till_done()
    issue_id = f"device_missing_{entry.entry_id}_{ALEX_PHONE_IN_USE}"
    assert issue(hass, issue_id) is not None
    result = await fix(await hass_client(), issue_id, {})
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    assert entry.data["devices_a"] == []
    assert issue(hass, issue_id) is None


async def test_missing_trigger_entity_is_replaced(
    hass: HomeAssistant, setup_entry, hass_client
) -> None:
    """The alarm entity of a morning ritual is gone: choose another; the ritual follows it."""
    entry = await setup_entry(
        couple_entry(
            ritual_subentry(
                RitualKind.MORNING,
                trigger_type=TriggerType.STATE,
                trigger_entity=ALARM,
                trigger_state="off",
                trigger_time=None,
            )
        )
    )
    (subentry_id,) = entry.subentries
    issue_id = f"trigger_missing_{entry.entry_id}_{subentry_id}"
    found = issue(hass, issue_id)
    assert found is not None
    assert found.translation_placeholders == {"entity": ALARM, "ritual": "Good morning"}
    hass.states.async_set("input_boolean.new_alarm", "on")
    result = await fix(await hass_client(), issue_id, {"trigger_entity": "input_boolean.new_alarm"})
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    assert entry.subentries[subentry_id].data["trigger_entity"] == "input_boolean.new_alarm"
    assert issue(hass, issue_id) is None
    engine = entry.runtime_data
    assert engine.rituals[subentry_id].config.trigger_entity == "input_boolean.new_alarm"


async def test_entity_coming_back_clears_the_issue(hass: HomeAssistant, setup_entry) -> None:
    """A partner's person that returns (e.g. after a restart of its integration) clears it."""
    entry = await setup_entry(couple_entry())
    hass.states.async_remove(SAM)
    await hass.async_block_till_done()
    issue_id = f"person_missing_{entry.entry_id}_b"
    assert issue(hass, issue_id) is not None
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert issue(hass, issue_id) is None


async def test_fix_flow_for_a_removed_entry_aborts(
    hass: HomeAssistant, setup_entry, hass_client
) -> None:
    """An issue outliving its couple cannot change anything."""
    entry = await setup_entry(couple_entry())
    hass.states.async_remove(SAM)
    await hass.async_block_till_done()
    issue_id = f"person_missing_{entry.entry_id}_b"
    client = await hass_client()
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    result = await fix(client, issue_id, None)
    assert result["type"] == "abort"
    assert result["reason"] == "entry_removed"
