"""Pressure-free: no figure anywhere, the logbook included; the cue's event reads kindly."""

from __future__ import annotations

from typing import Any

from homeassistant.core import Event, HomeAssistant

from custom_components.connection_rituals.const import CONF_HIDE_STREAKS, RitualKind
from custom_components.connection_rituals.logbook import async_describe_events

from .conftest import couple_entry, ritual_subentry


def _describer(hass: HomeAssistant) -> Any:
    described: dict[str, Any] = {}

    def _register(domain: str, event_type: str, describe: Any) -> None:
        described[event_type] = describe

    async_describe_events(hass, _register)
    return described["connection_rituals_event"]


async def test_the_logbook_shows_no_streak_when_pressure_free(
    hass: HomeAssistant, setup_entry
) -> None:
    entry = await setup_entry(
        couple_entry(ritual_subentry(RitualKind.REUNION), options={CONF_HIDE_STREAKS: True})
    )
    describe = _describer(hass)
    kept = {"type": "completed", "ritual_name": "Reunion", "streak": 12}
    milestone = {"type": "streak_milestone", "ritual_name": "Reunion", "milestone": 7}
    on_the_way = {"type": "on_the_way", "ritual_name": "Reunion", "minutes": 9}
    for data, message in (
        (kept, "Reunion kept"),
        (milestone, "Reunion updated"),
        (on_the_way, "Reunion: on the way home"),
    ):
        event = Event("connection_rituals_event", {**data, "entry_id": entry.entry_id})
        assert describe(event)["message"] == message
    # Without the option, the streak is there.
    hass.config_entries.async_update_entry(entry, options={CONF_HIDE_STREAKS: False})
    await hass.async_block_till_done()
    event = Event("connection_rituals_event", {**kept, "entry_id": entry.entry_id})
    assert _describer(hass)(event)["message"] == "Reunion kept, streak 12"
