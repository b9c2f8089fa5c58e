"""Sets up a couple's reunion cues (on the way home, the house speaking) and their repairs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
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
def async_setup_cues(
    hass: HomeAssistant,
    entry: ConfigEntry[RitualEngine],
    usual_hour: Callable[[str, datetime], bool] | None = None,
) -> None:
    """Start the cues of the entry's engine; they stop when the entry unloads.

    `usual_hour(partner, now)` keeps the cue before arrival quiet at hours the partner
    never comes home (the learned rhythms).
    """
    engine = entry.runtime_data
    caller = CueCaller(hass, entry)
    parts = (
        ArrivalCue(hass, engine, caller, usual_hour),
        HouseCue(hass, engine, caller),
        CueRepairs(hass, engine, reunion_cues(entry.subentries)),
    )
    for part in parts:
        part.async_start()
        entry.async_on_unload(part.async_stop)
