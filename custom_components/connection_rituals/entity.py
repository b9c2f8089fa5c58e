"""Base entities: one device per ritual, one for the couple."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription

from .compat import via_device
from .const import DOMAIN
from .engine import Ritual, RitualEngine


def couple_device_info(engine: RitualEngine) -> DeviceInfo:
    """The couple's device."""
    return DeviceInfo(
        identifiers={(DOMAIN, engine.entry.entry_id)},
        name=engine.entry.title,
        entry_type=DeviceEntryType.SERVICE,
        manufacturer="Connection Rituals",
        model="Couple",
    )


class CoupleEntity(Entity):
    """An entity of the couple; updates on any change."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, engine: RitualEngine, description: EntityDescription) -> None:
        """Attach to the couple's device."""
        self.engine = engine
        self.entity_description = description
        self._attr_unique_id = f"{engine.entry.entry_id}_{description.key}"
        self._attr_device_info = couple_device_info(engine)

    async def async_added_to_hass(self) -> None:
        """Follow the engine."""
        self.async_on_remove(self.engine.async_add_listener(None, self.async_write_ha_state))


class RitualEntity(Entity):
    """An entity of one ritual; updates when that ritual changes."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self, engine: RitualEngine, ritual: Ritual, description: EntityDescription
    ) -> None:
        """Attach to the ritual's device."""
        self.engine = engine
        self.ritual = ritual
        self.entity_description = description
        ritual_id = ritual.config.ritual_id
        self._attr_unique_id = f"{ritual_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, ritual_id)},
            name=ritual.config.name,
            entry_type=DeviceEntryType.SERVICE,
            manufacturer="Connection Rituals",
            model=ritual.config.kind.value.capitalize(),
            **via_device(DOMAIN, engine.entry.entry_id, engine.couple_device_id),
        )

    async def async_added_to_hass(self) -> None:
        """Follow the ritual."""
        self.async_on_remove(
            self.engine.async_add_listener(self.ritual.config.ritual_id, self.async_write_ha_state)
        )
