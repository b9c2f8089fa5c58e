"""Readable logbook entries for ritual happenings, in Home Assistant's language.

Home Assistant has no translation hook for logbook lines: they come from the phrases of
the couple's idea library (the language Home Assistant runs in), English when the couple
is not loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant, callback

from .const import CONF_HIDE_STREAKS, DOMAIN, EVENT_CONNECTION_RITUALS, RitualEventType

_ENGLISH = {
    "log_started": "{ritual} started",
    "log_completed": "{ritual} kept",
    "log_completed_streak": "{ritual} kept, streak {streak}",
    "log_missed": "{ritual} not marked",
    "log_snoozed": "{ritual} snoozed",
    "log_skipped": "{ritual}: not today",
    "log_milestone": "{ritual}: a streak of {days} days",
    "log_updated": "{ritual} updated",
    "log_on_the_way": "{ritual}: on the way home",
}
_KEYS = {
    RitualEventType.STARTED: "log_started",
    RitualEventType.COMPLETED: "log_completed",
    RitualEventType.MISSED: "log_missed",
    RitualEventType.SNOOZED: "log_snoozed",
    RitualEventType.SKIPPED: "log_skipped",
    RitualEventType.STREAK_MILESTONE: "log_milestone",
    RitualEventType.ON_THE_WAY: "log_on_the_way",
}


def describe_ritual_event(
    data: dict[str, Any], phrases: Mapping[str, str] = _ENGLISH
) -> dict[str, str]:
    """'Reunion kept, streak 12'."""
    try:
        event_type: RitualEventType | None = RitualEventType(str(data.get("type")))
    except ValueError:
        event_type = None
    name = str(data.get("ritual_name") or "Connection Rituals")
    key = _KEYS.get(event_type, "log_updated") if event_type else "log_updated"
    values: dict[str, Any] = {"ritual": name}
    if event_type is RitualEventType.STREAK_MILESTONE and data.get("milestone"):
        values["days"] = data["milestone"]
    elif event_type is RitualEventType.STREAK_MILESTONE:
        key = "log_updated"
    elif event_type is RitualEventType.COMPLETED and data.get("streak"):
        key, values["streak"] = "log_completed_streak", data["streak"]
    return {"name": "Connection Rituals", "message": phrases[key].format(**values)}


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe the integration's bus events for the logbook."""

    @callback
    def _describe(event: Event) -> dict[str, str]:
        data = dict(event.data)
        entry = hass.config_entries.async_get_entry(str(data.get("entry_id", "")))
        phrases: Mapping[str, str] = _ENGLISH
        if entry is not None and entry.domain == DOMAIN and entry.state is ConfigEntryState.LOADED:
            notifier = entry.runtime_data.notifier
            if notifier is not None:
                phrases = notifier.library.phrases
        if entry is not None and entry.options.get(CONF_HIDE_STREAKS):
            # Pressure-free: no figures, in the logbook either.
            data.pop("streak", None)
            data.pop("milestone", None)
        return describe_ritual_event(data, phrases)

    async_describe_event(DOMAIN, EVENT_CONNECTION_RITUALS, _describe)
