"""Shared test helpers: moving time the way Home Assistant sees it, states, devices, taps."""

from __future__ import annotations

from datetime import timedelta
import inspect
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.connection_rituals.const import (
    DOMAIN,
    STORAGE_MINOR_VERSION,
    STORAGE_VERSION,
    PromptMode,
)

from .conftest import SAM, Household, couple_entry, set_person

OWN = {"prompt_mode": PromptMode.OWN, "prompt_text": "Hold each other for ten slow breaths."}
# A reunion's prompt first says what is coming: to the one at home, and to the one who came.
CUE_AT_HOME = "Sam is home. Phones down for 10 minutes? "
CUE_ARRIVED = "Phones down for 10 minutes? "


def stored_file(
    entry_id: str,
    rituals: dict[str, Any],
    version: int = STORAGE_VERSION,
    minor_version: int = STORAGE_MINOR_VERSION,
    **couple_data: Any,
) -> dict[str, Any]:
    """A couple's stored file as the integration's Store holds it (nobody away, not
    apart, no vacation); `couple_data` adds top-level data keys."""
    key = f"{DOMAIN}.{entry_id}"
    return {
        "version": version,
        "minor_version": minor_version,
        "key": key,
        "data": {
            "couple": {"vacation": False, "away_since": {}, "apart_since": None},
            "rituals": rituals,
            **couple_data,
        },
    }


def state(hass: HomeAssistant, entity_id: str) -> str:
    """The state of `entity_id`, which must exist."""
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state


async def tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, **delta: float) -> None:
    """Advance the clock and let every due timer fire."""
    freezer.tick(timedelta(**delta))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def move_to(hass: HomeAssistant, freezer: FrozenDateTimeFactory, moment: str) -> None:
    """Jump to a moment (ISO with offset) and let due timers fire."""
    freezer.move_to(moment)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


def devices_by_name(hass: HomeAssistant) -> dict[str | None, str]:
    """Every registered device's id by its name, through the registry's public look-ups
    (the same on every supported release; the registry's mapping form is deprecated)."""
    registry = dr.async_get(hass)
    return {
        device.name: device.id
        for entry in hass.config_entries.async_entries()
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
    }


def ritual_device(hass: HomeAssistant, name: str = "Reunion") -> str:
    """The id of the device named `name` (a ritual's device carries the ritual's name)."""
    by_name = devices_by_name(hass)
    assert name in by_name, f"no device {name}"
    return by_name[name]


def device_by_identifier(hass: HomeAssistant, identifier: tuple[str, str]) -> dr.DeviceEntry | None:
    """The device with `identifier`, or None (the registry's own look-up by identifiers is
    deprecated on newer releases, and its replacement is missing on 2026.2)."""
    registry = dr.async_get(hass)
    for entry in hass.config_entries.async_entries():
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
            if identifier in device.identifiers:
                return device
    return None


def device_subentries(device: dr.DeviceEntry) -> dict[str, set[str | None]]:
    """The config entries and subentries a device belongs to: one of each on newer releases
    (`config_entry_id`, `config_subentry_id`), a mapping before."""
    if (entry_id := getattr(device, "config_entry_id", None)) is not None:
        return {entry_id: {device.config_subentry_id}}
    return dict(device.config_entries_subentries)


def move_device(hass: HomeAssistant, device_id: str, old_entry_id: str, new_entry_id: str) -> None:
    """Hand a device to another config entry, as a reinstalled app's registration does.

    On newer releases a device belongs to one config entry and moves with
    `new_config_entry_id`; on 2025.4 and 2026.2 it gained the new entry and lost the old one.
    """
    registry = dr.async_get(hass)
    if "new_config_entry_id" in inspect.signature(registry.async_update_device).parameters:
        registry.async_update_device(device_id, new_config_entry_id=new_entry_id)
    else:
        registry.async_update_device(
            device_id, add_config_entry_id=new_entry_id, remove_config_entry_id=old_entry_id
        )


async def setup_couple(
    hass: HomeAssistant, household: Household, *rituals: Any, options: dict | None = None, **data
) -> MockConfigEntry:
    entry = couple_entry(
        *rituals,
        options=options,
        phone_a=household.alex_phone,
        phone_b=household.sam_phone,
        **data,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def sam_arrives(hass: HomeAssistant) -> str:
    """Sam comes home; returns the open occurrence id."""
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    return hass.states.get("binary_sensor.reunion_active").attributes["occurrence_id"]


async def tap(hass: HomeAssistant, user_id: str, action: str, **data: Any) -> None:
    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": action, **data},
        context=Context(user_id=user_id),
    )
    await hass.async_block_till_done()
