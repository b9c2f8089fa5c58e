"""Sets up a couple's reunion cues (on the way home, the house speaking) and their repairs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback

from .arrival_cue import ArrivalCue
from .cue_calls import CueCaller
from .cue_repairs import CueRepairs
from .house_cue import HouseCue
from .reunion_cues import reunion_cues

if TYPE_CHECKING:
    from .engine import RitualEngine


@callback
def async_setup_cues(hass: HomeAssistant, entry: ConfigEntry[RitualEngine]) -> None:
    """Start the cues of the entry's engine; they stop when the entry unloads."""
    engine = entry.runtime_data
    caller = CueCaller(hass, entry)
    parts = (
        ArrivalCue(hass, engine, caller),
        HouseCue(hass, engine, caller),
        CueRepairs(hass, engine, reunion_cues(entry.subentries)),
    )
    for part in parts:
        part.async_start()
        entry.async_on_unload(part.async_stop)
