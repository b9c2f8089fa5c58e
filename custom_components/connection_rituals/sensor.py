"""Sensors: streaks, completions and rates per ritual; the couple's connection streak."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    DOMAIN as SENSOR_DOMAIN,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import ConnectionRitualsConfigEntry
from .const import CONF_HIDE_STREAKS, DOMAIN, PARTNERS
from .core.interactions import TARGET_RATIO
from .digest import async_setup_digest
from .engine import Ritual, RitualEngine
from .entity import CoupleEntity, RitualEntity
from .rhythm_sensor import rhythm_sensors

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class RitualSensorDescription(SensorEntityDescription):
    """A ritual sensor and how to read its value."""

    value_fn: Callable[[Ritual], float | int | datetime | None]
    # A figure (streak, count, rate, ratio): not created while pressure-free.
    is_figure: bool = False


RITUAL_SENSORS: tuple[RitualSensorDescription, ...] = (
    RitualSensorDescription(
        key="streak",
        translation_key="streak",
        native_unit_of_measurement=UnitOfTime.DAYS,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda ritual: ritual.stats.current,
        is_figure=True,
    ),
    RitualSensorDescription(
        key="best_streak",
        translation_key="best_streak",
        native_unit_of_measurement=UnitOfTime.DAYS,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda ritual: ritual.stats.best,
        is_figure=True,
    ),
    RitualSensorDescription(
        key="completions",
        translation_key="completions",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda ritual: ritual.stats.completions,
        is_figure=True,
    ),
    RitualSensorDescription(
        key="completion_rate",
        translation_key="completion_rate",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda ritual: ritual.stats.completion_rate,
        is_figure=True,
    ),
    RitualSensorDescription(
        key="last_completed",
        translation_key="last_completed",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda ritual: ritual.state.last_completed,
    ),
)


@dataclass(frozen=True, kw_only=True)
class CoupleSensorDescription(SensorEntityDescription):
    """A couple sensor and how to read its value."""

    value_fn: Callable[[RitualEngine], float | int | datetime | None]
    attributes_fn: Callable[[RitualEngine], dict[str, Any]] | None = None
    partner: str | None = None
    is_figure: bool = False


def _next_ritual_time(engine: RitualEngine) -> datetime | None:
    upcoming = engine.next_ritual()
    return upcoming[0] if upcoming else None


def _initiative_share(partner: str) -> CoupleSensorDescription:
    """How many rituals a partner started or marked on purpose (a tap, an action) in the
    last 30 days: a count of their own, never a share against the other partner, and
    never arrivals or departures (staying home is no lack of initiative)."""

    def _attributes(engine: RitualEngine) -> dict[str, Any]:
        balance = engine.initiative_balance()
        return {"starts": balance.starts[partner], "completions": balance.completions[partner]}

    return CoupleSensorDescription(
        key=f"initiative_share_{partner}",
        translation_key="initiative_share",
        state_class=SensorStateClass.MEASUREMENT,
        partner=partner,
        # Not for everyone to look at every day: opt in.
        entity_registry_enabled_default=False,
        value_fn=lambda engine: engine.initiative_balance().count(partner),
        is_figure=True,
        attributes_fn=_attributes,
    )


COUPLE_SENSORS: tuple[CoupleSensorDescription, ...] = (
    CoupleSensorDescription(
        key="connection_streak",
        translation_key="connection_streak",
        native_unit_of_measurement=UnitOfTime.DAYS,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda engine: engine.connection_stats.current,
        is_figure=True,
    ),
    CoupleSensorDescription(
        key="next_ritual",
        translation_key="next_ritual",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_next_ritual_time,
        attributes_fn=lambda engine: {
            "ritual": upcoming[1].config.name if (upcoming := engine.next_ritual()) else None
        },
    ),
    CoupleSensorDescription(
        key="positive_ratio",
        translation_key="positive_ratio",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda engine: engine.positive_ratio().value,
        is_figure=True,
        attributes_fn=lambda engine: {
            "positives": (ratio := engine.positive_ratio()).positives,
            "negatives": ratio.negatives,
            "target": TARGET_RATIO,
        },
    ),
    *(_initiative_share(partner) for partner in PARTNERS),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConnectionRitualsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the couple's sensors and each ritual's sensors."""
    engine = entry.runtime_data
    pressure_free = bool(entry.options.get(CONF_HIDE_STREAKS, False))
    if pressure_free:
        _remove_figure_entities(hass, engine)
    async_add_entities(
        CoupleSensor(engine, description)
        for description in COUPLE_SENSORS
        if not (pressure_free and description.is_figure)
    )
    async_add_entities(rhythm_sensors(entry))  # rhythms: usual arrivals
    for ritual_id, ritual in engine.rituals.items():
        async_add_entities(
            (
                RitualSensor(engine, ritual, description)
                for description in RITUAL_SENSORS
                if not (pressure_free and description.is_figure)
            ),
            config_subentry_id=ritual_id,
        )
    # The week together: the weekly digest and its sensor.
    await async_setup_digest(hass, entry, async_add_entities)


def _remove_figure_entities(hass: HomeAssistant, engine: RitualEngine) -> None:
    """Pressure-free: figures hidden after the fact leave no entity behind."""
    registry = er.async_get(hass)
    unique_ids = [f"{engine.entry.entry_id}_{d.key}" for d in COUPLE_SENSORS if d.is_figure] + [
        f"{ritual_id}_{d.key}"
        for ritual_id in engine.rituals
        for d in RITUAL_SENSORS
        if d.is_figure
    ]
    for unique_id in unique_ids:
        if entity_id := registry.async_get_entity_id(SENSOR_DOMAIN, DOMAIN, unique_id):
            registry.async_remove(entity_id)


class RitualSensor(RitualEntity, SensorEntity):
    """A figure of one ritual."""

    entity_description: RitualSensorDescription

    @property
    def native_value(self) -> float | int | datetime | None:
        """The figure."""
        return self.entity_description.value_fn(self.ritual)


class CoupleSensor(CoupleEntity, SensorEntity):
    """A figure of the couple."""

    entity_description: CoupleSensorDescription

    @property
    def native_value(self) -> float | int | datetime | None:
        """The figure."""
        return self.entity_description.value_fn(self.engine)

    def __init__(self, engine: RitualEngine, description: CoupleSensorDescription) -> None:
        """Name per-partner sensors after their partner."""
        super().__init__(engine, description)
        if description.partner is not None:
            self._attr_translation_placeholders = {
                "partner": engine.partner_name(description.partner)
            }

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Details behind the figure."""
        attributes_fn = self.entity_description.attributes_fn
        return attributes_fn(self.engine) if attributes_fn else None
