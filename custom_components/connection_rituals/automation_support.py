"""What the automation editor's own triggers and conditions share: which rituals a user
picked (ritual devices), checked when the automation is saved, never at run time."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from .compat import device_config_entry_ids, vol
from .const import CONF_KIND, DOMAIN, RitualKind
from .engine import RitualEngine

ATTR_RITUALS = "rituals"
ATTR_COUPLE = "couple"


@dataclass(frozen=True, slots=True)
class PickedRitual:
    """A ritual an automation refers to, as its device and its couple."""

    ritual_id: str
    entry_id: str
    kind: RitualKind


def picked_ritual(hass: HomeAssistant, device_id: str) -> PickedRitual | None:
    """The ritual behind a ritual device, or None (removed, or not one of ours)."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        return None
    for entry_id in device_config_entry_ids(device):
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            continue
        for domain, identifier in device.identifiers:
            subentry = entry.subentries.get(identifier) if domain == DOMAIN else None
            if subentry is not None:
                return PickedRitual(identifier, entry_id, RitualKind(subentry.data[CONF_KIND]))
    return None


def validate_rituals(
    hass: HomeAssistant, device_ids: list[str], kind: RitualKind | None = None
) -> list[PickedRitual]:
    """Every picked device is a ritual (of `kind`, if given), or a clear error for the editor."""
    rituals = []
    for device_id in device_ids:
        ritual = picked_ritual(hass, device_id)
        if ritual is None:
            raise vol.Invalid(
                f"Device {device_id} is not a Connection Rituals ritual (it may have been removed)"
            )
        if kind is not None and ritual.kind is not kind:
            raise vol.Invalid(f"Device {device_id} is not a {kind.value} ritual")
        rituals.append(ritual)
    return rituals


def validate_couple(hass: HomeAssistant, entry_id: str) -> str:
    """A Connection Rituals couple (config entry id), or a clear error for the editor."""
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise vol.Invalid(
            f"{entry_id} is not a Connection Rituals couple (it may have been removed)"
        )
    return entry_id


def running_engine(hass: HomeAssistant, entry_id: str) -> RitualEngine | None:
    """A couple's running engine, or None while it is not loaded (or gone)."""
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
        return None
    engine: RitualEngine = entry.runtime_data
    return engine
