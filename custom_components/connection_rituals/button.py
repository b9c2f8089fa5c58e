"""Buttons: complete a ritual, start it now, or "not today" (always free)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import ConnectionRitualsConfigEntry
from .engine import Ritual, RitualEngine
from .entity import RitualEntity
from .rhythm_sensor import rhythm_buttons

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class RitualButtonDescription(ButtonEntityDescription):
    """A ritual button and what it does."""

    press_fn: Callable[[RitualEngine, Ritual], object]


BUTTONS: tuple[RitualButtonDescription, ...] = (
    RitualButtonDescription(
        key="complete",
        translation_key="complete",
        press_fn=lambda engine, ritual: engine.complete(ritual),
    ),
    RitualButtonDescription(
        key="not_today",
        translation_key="not_today",
        press_fn=lambda engine, ritual: engine.skip(ritual),
    ),
    RitualButtonDescription(
        key="start",
        translation_key="start",
        press_fn=lambda engine, ritual: engine.attempt_start(ritual, manual=True),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConnectionRitualsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Complete and start-now buttons per ritual."""
    engine = entry.runtime_data
    async_add_entities(rhythm_buttons(entry))  # rhythms: forget what was learned
    for ritual_id, ritual in engine.rituals.items():
        async_add_entities(
            (RitualButton(engine, ritual, description) for description in BUTTONS),
            config_subentry_id=ritual_id,
        )


class RitualButton(RitualEntity, ButtonEntity):
    """A ritual action as a button."""

    entity_description: RitualButtonDescription

    async def async_press(self) -> None:
        """Do it."""
        self.entity_description.press_fn(self.engine, self.ritual)
