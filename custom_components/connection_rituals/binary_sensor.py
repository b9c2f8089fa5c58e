"""The "active" binary sensor: on while a ritual's window is open."""

from __future__ import annotations

from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import ConnectionRitualsConfigEntry
from .entity import RitualEntity

PARALLEL_UPDATES = 0

ACTIVE = BinarySensorEntityDescription(
    key="active",
    translation_key="active",
    device_class=BinarySensorDeviceClass.RUNNING,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConnectionRitualsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One active sensor per ritual."""
    engine = entry.runtime_data
    for ritual_id, ritual in engine.rituals.items():
        async_add_entities(
            [RitualActiveSensor(engine, ritual, ACTIVE)], config_subentry_id=ritual_id
        )


class RitualActiveSensor(RitualEntity, BinarySensorEntity):
    """On during the ritual window: drive lights and scenes from it."""

    _unrecorded_attributes = frozenset({"occurrence_id"})

    @property
    def is_on(self) -> bool:
        """Whether the window is open."""
        return self.ritual.active

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The open occurrence."""
        occurrence = self.ritual.state.occurrence
        if occurrence is None:
            return {}
        return {
            "occurrence_id": occurrence.occurrence_id,
            "started_at": occurrence.started_at.isoformat(),
            "ends_at": occurrence.ends_at.isoformat() if occurrence.ends_at else None,
            "started_by": self.engine.persons[occurrence.actor] if occurrence.actor else None,
        }
