"""Rhythms in the forms: a learned time as the default, its line, and the fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import selector

from .compat import vol
from .const import (
    CONF_ADAPT_MINUTES,
    CONF_ADAPT_RHYTHM,
    CONF_SLEEP_ENTITY,
    CONF_TRIGGER_TIME,
    CONF_WORKDAY_ENTITY,
    DEFAULT_ADAPT_MINUTES,
    RitualKind,
)
from .core.rhythms import DayKind
from .prompt_words import load_library
from .rhythm_signals import RITUAL_SIGNAL
from .rhythms import learner_of

PLACEHOLDER = "rhythm"


def ritual_fields(kind: RitualKind, values: Mapping[str, Any]) -> dict[vol.Marker, Any]:
    """Bedtime and morning: adapt to the couple's rhythm; bedtime: a sleep entity."""
    if kind not in RITUAL_SIGNAL:
        return {}
    fields: dict[vol.Marker, Any] = {}
    if kind is RitualKind.BEDTIME:
        sleep = values.get(CONF_SLEEP_ENTITY)
        fields[
            vol.Optional(CONF_SLEEP_ENTITY, description={"suggested_value": sleep})
            if sleep
            else vol.Optional(CONF_SLEEP_ENTITY)
        ] = selector.EntitySelector(
            selector.EntitySelectorConfig(domain=["binary_sensor", "input_boolean", "switch"])
        )
    fields[vol.Required(CONF_ADAPT_RHYTHM, default=bool(values.get(CONF_ADAPT_RHYTHM)))] = (
        selector.BooleanSelector()
    )
    fields[
        vol.Required(
            CONF_ADAPT_MINUTES, default=values.get(CONF_ADAPT_MINUTES, DEFAULT_ADAPT_MINUTES)
        )
    ] = selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=0, max=120, step=1, mode=selector.NumberSelectorMode.BOX, unit_of_measurement="min"
        )
    )
    return fields


def option_fields(options: Mapping[str, Any]) -> dict[vol.Marker, Any]:
    """The couple's workday sensor (the workday integration), where they have one."""
    current = options.get(CONF_WORKDAY_ENTITY)
    marker = (
        vol.Optional(CONF_WORKDAY_ENTITY, description={"suggested_value": current})
        if current
        else vol.Optional(CONF_WORKDAY_ENTITY)
    )
    return {
        marker: selector.EntitySelector(
            selector.EntitySelectorConfig(domain="binary_sensor", integration="workday")
        )
    }


async def async_suggest(
    hass: HomeAssistant, entry: ConfigEntry[Any], kind: RitualKind, values: dict[str, Any]
) -> dict[str, str]:
    """Offer the learned time as the ritual's time (new rituals only: `values` changes)
    and say where it comes from; the placeholder is empty where nothing is learned."""
    line = await async_rhythm_line(hass, entry, kind)
    if line is not None:
        values[CONF_TRIGGER_TIME] = line[1]
    return {PLACEHOLDER: line[0] if line else ""}


async def async_rhythm_placeholder(
    hass: HomeAssistant, entry: ConfigEntry[Any], kind: RitualKind
) -> dict[str, str]:
    """Where a changed ritual's usual time lies, without changing its own time."""
    line = await async_rhythm_line(hass, entry, kind)
    return {PLACEHOLDER: line[0] if line else ""}


async def async_rhythm_line(
    hass: HomeAssistant, entry: ConfigEntry[Any], kind: RitualKind
) -> tuple[str, str] | None:
    """("Your bedroom usually goes dark around 23:10 on workdays.", "23:10:00") or None."""
    signal = RITUAL_SIGNAL.get(kind)
    learner = learner_of(entry) if entry.state is ConfigEntryState.LOADED else None
    if signal is None or learner is None:
        return None
    for day_kind in DayKind:
        learned = learner.usual_for(signal, day_kind)
        if learned is None:
            continue
        clock = f"{learned.minutes // 60:02d}:{learned.minutes % 60:02d}"
        library = await hass.async_add_executor_job(load_library, hass.config.language)
        text = library.phrases.get(f"rhythm_{signal.value}_{day_kind.value}")
        if text is None:
            return None
        return "\n\n" + text.format(time=clock), f"{clock}:00"
    return None
