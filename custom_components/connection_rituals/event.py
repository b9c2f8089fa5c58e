"""The ritual's event entity: started, completed, missed, snoozed, skipped, milestones."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import ConnectionRitualsConfigEntry
from .const import RitualEventType
from .entity import RitualEntity

PARALLEL_UPDATES = 0

RITUAL_EVENT = EventEntityDescription(
    key="event",
    translation_key="ritual_event",
    event_types=[event_type.value for event_type in RitualEventType],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConnectionRitualsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One event entity per ritual."""
    engine = entry.runtime_data
    for ritual_id, ritual in engine.rituals.items():
        async_add_entities(
            [RitualEventEntity(engine, ritual, RITUAL_EVENT)], config_subentry_id=ritual_id
        )


class RitualEventEntity(RitualEntity, EventEntity):
    """Fires for each happening of the ritual."""

    async def async_added_to_hass(self) -> None:
        """Listen to the ritual's happenings (not to its state changes)."""
        self.async_on_remove(
            self.engine.async_add_event_listener(self.ritual.config.ritual_id, self._on_event)
        )

    @callback
    def _on_event(self, event_type: RitualEventType, data: dict[str, Any]) -> None:
        self._trigger_event(
            event_type.value,
            {key: value for key, value in data.items() if key not in ("ritual_id", "kind")},
        )
        self.async_write_ha_state()
