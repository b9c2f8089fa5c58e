"""Setup, unload, removal, storage faults and the entity set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from syrupy.assertion import SnapshotAssertion

from custom_components.connection_rituals.const import DOMAIN, RitualKind

from .conftest import SAM, couple_entry, ritual_subentry, set_person
from .helpers import devices_by_name, move_to, tick

STORAGE_KEY = f"{DOMAIN}.{{entry_id}}"


def entity_set(hass: HomeAssistant, entry_id: str) -> dict[str, Any]:
    """What a user sees: every entity with its state, attributes and registry options."""
    registry = er.async_get(hass)
    result: dict[str, Any] = {}
    for entity in sorted(
        er.async_entries_for_config_entry(registry, entry_id), key=lambda e: e.entity_id
    ):
        current = hass.states.get(entity.entity_id)
        # Newer releases key attributes by an enum of strings: snapshot the plain strings.
        attributes = {str(k): v for k, v in current.attributes.items()} if current else None
        if attributes and "occurrence_id" in attributes:
            attributes["occurrence_id"] = "<random id>"
        result[entity.entity_id] = {
            "translation_key": entity.translation_key,
            "entity_category": str(entity.entity_category) if entity.entity_category else None,
            "disabled_by": str(entity.disabled_by) if entity.disabled_by else None,
            "in_subentry": entity.config_subentry_id is not None,
            "state": current.state if current else None,
            "attributes": attributes,
        }
    return result


async def test_entity_set(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, snapshot: SnapshotAssertion
) -> None:
    """A couple with a reunion and a bedtime ritual, one reunion completed."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = await setup_entry(
        couple_entry(ritual_subentry(RitualKind.REUNION), ritual_subentry(RitualKind.BEDTIME))
    )
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=10)
    assert entity_set(hass, entry.entry_id) == snapshot


async def test_setup_and_unload(hass: HomeAssistant, setup_entry) -> None:
    """An entry loads and unloads cleanly; its actions stay registered."""
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get("binary_sensor.reunion_active") is not None
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get("binary_sensor.reunion_active").state == "unavailable"
    assert hass.services.has_service(DOMAIN, "complete")


async def test_history_survives_a_restart(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, hass_storage
) -> None:
    """The streak is written to storage and read back."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=10)
    await tick(hass, freezer, seconds=30)  # past the debounced write
    stored = hass_storage[STORAGE_KEY.format(entry_id=entry.entry_id)]
    assert stored["version"] == 2
    (ritual_state,) = stored["data"]["rituals"].values()
    assert ritual_state["history"] == {"2026-11-16": [1, 1]}  # started, completed
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.reunion_streak").state == "1"


async def test_unreadable_storage_is_kept_aside(
    hass: HomeAssistant, config_in_tmp: Path, setup_entry, hass_storage
) -> None:
    """Valid JSON with a broken shape: the entry loads, the data is kept, a repair shows."""
    entry = couple_entry(ritual_subentry(RitualKind.REUNION))
    hass_storage[STORAGE_KEY.format(entry_id=entry.entry_id)] = {
        "version": 1,
        "minor_version": 1,
        "key": STORAGE_KEY.format(entry_id=entry.entry_id),
        "data": {"rituals": {"x": {"history": {"not-a-date": {"completed": 1}}}}},
    }
    await setup_entry(entry)
    assert entry.state is ConfigEntryState.LOADED
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"unreadable_storage_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "unreadable_storage"
    aside = issue.translation_placeholders["path"]
    assert Path(aside).parent == config_in_tmp / ".storage"
    kept = await hass.async_add_executor_job(Path(aside).read_text, "utf-8")
    assert "not-a-date" in kept
    assert hass.states.get("sensor.reunion_streak").state == "0"


async def test_removing_the_entry_deletes_its_history(
    hass: HomeAssistant, setup_entry, hass_storage, freezer: FrozenDateTimeFactory
) -> None:
    """Deleting the couple leaves no personal data behind."""
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    await hass.services.async_call(DOMAIN, "start", {"ritual": _device(hass)}, blocking=True)
    await tick(hass, freezer, seconds=30)
    assert STORAGE_KEY.format(entry_id=entry.entry_id) in hass_storage
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert STORAGE_KEY.format(entry_id=entry.entry_id) not in hass_storage


def _device(hass: HomeAssistant) -> str:
    return devices_by_name(hass)["Reunion"]
