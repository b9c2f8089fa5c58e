"""Switches: a ritual's enabled switch and the couple's vacation mode."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import ConnectionRitualsConfigEntry
from .entity import CoupleEntity, RitualEntity

PARALLEL_UPDATES = 0

ENABLED = SwitchEntityDescription(
    key="enabled", translation_key="enabled", entity_category=EntityCategory.CONFIG
)
VACATION = SwitchEntityDescription(key="vacation", translation_key="vacation")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConnectionRitualsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """The vacation switch and an enabled switch per ritual."""
    engine = entry.runtime_data
    async_add_entities([VacationSwitch(engine, VACATION)])
    for ritual_id, ritual in engine.rituals.items():
        async_add_entities(
            [RitualEnabledSwitch(engine, ritual, ENABLED)], config_subentry_id=ritual_id
        )


class RitualEnabledSwitch(RitualEntity, SwitchEntity):
    """Whether the ritual runs."""

    @property
    def is_on(self) -> bool:
        """On when the ritual runs."""
        return self.ritual.state.enabled

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Run the ritual."""
        self.engine.set_enabled(self.ritual, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Pause the ritual: its days are neutral."""
        self.engine.set_enabled(self.ritual, False)


class VacationSwitch(CoupleEntity, SwitchEntity):
    """Vacation mode: every ritual day is paused."""

    @property
    def is_on(self) -> bool:
        """On during vacation."""
        return self.engine.vacation

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Start the vacation."""
        self.engine.set_vacation(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """End the vacation."""
        self.engine.set_vacation(False)
