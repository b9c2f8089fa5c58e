"""Readable logbook entries for ritual happenings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_CONNECTION_RITUALS, RitualEventType

# Logbook messages are plain English in Home Assistant (there is no translation hook).
_MESSAGES = {
    RitualEventType.STARTED: "ritual started",
    RitualEventType.COMPLETED: "ritual completed",
    RitualEventType.MISSED: "ritual ended without completion",
    RitualEventType.SNOOZED: "ritual snoozed",
    RitualEventType.SKIPPED: "ritual skipped",
    RitualEventType.STREAK_MILESTONE: "ritual reached a milestone",
}


def describe_ritual_event(data: dict[str, Any]) -> dict[str, str]:
    """'Reunion ritual completed — streak 12'."""
    try:
        event_type: RitualEventType | None = RitualEventType(str(data.get("type")))
    except ValueError:
        event_type = None
    name = str(data.get("ritual_name") or "Connection")
    message = f"{name} {_MESSAGES[event_type] if event_type else 'ritual updated'}"
    if event_type is RitualEventType.STREAK_MILESTONE and data.get("milestone"):
        message = f"{name} ritual reached a {data['milestone']}-day streak"
    elif event_type is RitualEventType.COMPLETED and data.get("streak"):
        message += f" — streak {data['streak']}"
    return {"name": "Connection Rituals", "message": message}


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe the integration's bus events for the logbook."""

    @callback
    def _describe(event: Event) -> dict[str, str]:
        return describe_ritual_event(dict(event.data))

    async_describe_event(DOMAIN, EVENT_CONNECTION_RITUALS, _describe)
