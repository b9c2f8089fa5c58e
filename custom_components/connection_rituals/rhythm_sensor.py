"""Entities of the learned rhythms: each partner's usual arrival, and forgetting it all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EntityCategory

from .const import PARTNERS
from .core.rhythms import round_minutes
from .engine import RitualEngine
from .entity import CoupleEntity
from .rhythms import RhythmLearner, learner_of

FORGET = ButtonEntityDescription(
    key="forget_rhythms",
    translation_key="forget_rhythms",
    entity_category=EntityCategory.CONFIG,
)


class UsualArrivalSensor(CoupleEntity, SensorEntity):
    """When a partner usually comes home next (for automations that prepare the house)."""

    def __init__(self, engine: RitualEngine, learner: RhythmLearner, partner: str) -> None:
        """One per partner; opt in (diagnostic, disabled by default)."""
        super().__init__(
            engine,
            SensorEntityDescription(
                key=f"usual_arrival_{partner}",
                translation_key="usual_arrival",
                device_class=SensorDeviceClass.TIMESTAMP,
                entity_category=EntityCategory.DIAGNOSTIC,
                entity_registry_enabled_default=False,
            ),
        )
        self.learner = learner
        self.partner = partner
        self._attr_translation_placeholders = {"partner": engine.partner_name(partner)}

    async def async_added_to_hass(self) -> None:
        """Follow the learner."""
        await super().async_added_to_hass()
        self.async_on_remove(self.learner.async_add_listener(self.async_write_ha_state))

    @property
    def native_value(self) -> datetime | None:
        """The next usual arrival, or nothing while no steady rhythm is known."""
        return self.learner.usual_arrival(self.partner)


class ForgetRhythmsButton(CoupleEntity, ButtonEntity):
    """Forget every learned time."""

    def __init__(self, engine: RitualEngine, learner: RhythmLearner) -> None:
        """The couple's button."""
        super().__init__(engine, FORGET)
        self.learner = learner

    async def async_press(self) -> None:
        """Forget."""
        await self.learner.async_forget()


def rhythm_sensors(entry: ConfigEntry[Any]) -> list[SensorEntity]:
    """The usual-arrival sensors (none without a learner)."""
    learner = learner_of(entry)
    if learner is None:
        return []
    engine: RitualEngine = entry.runtime_data
    return [UsualArrivalSensor(engine, learner, partner) for partner in PARTNERS]


def rhythm_buttons(entry: ConfigEntry[Any]) -> list[ButtonEntity]:
    """The forget button (none without a learner)."""
    learner = learner_of(entry)
    return [] if learner is None else [ForgetRhythmsButton(entry.runtime_data, learner)]


def rhythm_diagnostics(entry: ConfigEntry[Any]) -> dict[str, Any] | None:
    """Learned times rounded to 15 minutes and day counts; never a single day's time."""
    learner = learner_of(entry)
    if learner is None:
        return None
    signals: dict[str, Any] = {}
    for signal, learned in sorted(learner.learned.items()):
        signals[signal.value] = {
            "days": learned.total_days,
            "usual": {
                kind.value: {
                    "about": f"{(m := round_minutes(r.minutes)) // 60:02d}:{m % 60:02d}",
                    "steady": r.stable,
                }
                for kind, r in sorted(learned.kinds.items())
            },
        }
    return {
        "read_recorder": learner.imported,
        "workday_sensor": learner.watched.workday is not None,
        "night_signals": len(learner.watched.night),
        "adapting_rituals": len(learner.adapt),
        "signals": signals,
    }
