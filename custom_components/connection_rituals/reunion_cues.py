"""A reunion's optional cues: their form fields and when the house may speak at all.

`arrival_cue.py` tells the partner at home that the other is on the way; `house_cue.py`
lets a satellite or speaker say the reunion's prompt. Both read their settings from the
reunion's subentry here and keep quiet whenever the couple asked for quiet.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from homeassistant.helpers import selector
from homeassistant.util import dt as dt_util

from .const import (
    CONF_ARRIVAL_PROXIMITY,
    CONF_ARRIVAL_ZONE,
    CONF_HOUSE_MEDIA_PLAYER,
    CONF_HOUSE_SATELLITE,
    CONF_HOUSE_TTS,
    CONF_KIND,
    RitualKind,
)
from .core.schedule import in_active_hours

if TYPE_CHECKING:
    from .engine import Ritual, RitualEngine

CUE_FIELDS = (
    CONF_ARRIVAL_PROXIMITY,
    CONF_ARRIVAL_ZONE,
    CONF_HOUSE_SATELLITE,
    CONF_HOUSE_MEDIA_PLAYER,
    CONF_HOUSE_TTS,
)


def cue_form_fields(optional: Callable[[str], Any]) -> dict[Any, Any]:
    """The reunion form's cue fields (all optional), keyed with the form's own markers."""

    def entity(domain: str) -> selector.EntitySelector:
        return selector.EntitySelector(selector.EntitySelectorConfig(domain=domain))

    return {
        optional(CONF_ARRIVAL_PROXIMITY): selector.EntitySelector(
            selector.EntitySelectorConfig(integration="proximity", domain="sensor")
        ),
        optional(CONF_ARRIVAL_ZONE): entity("zone"),
        optional(CONF_HOUSE_SATELLITE): entity("assist_satellite"),
        optional(CONF_HOUSE_MEDIA_PLAYER): entity("media_player"),
        optional(CONF_HOUSE_TTS): entity("tts"),
    }


@dataclass(frozen=True, slots=True)
class ReunionCues:
    """What one reunion ritual asked for."""

    ritual_id: str
    proximity: str | None = None
    zone: str | None = None
    satellite: str | None = None
    media_player: str | None = None
    tts: str | None = None

    @property
    def entities(self) -> tuple[str, ...]:
        """Every entity the cues rely on."""
        picked = (self.proximity, self.zone, self.satellite, self.media_player, self.tts)
        return tuple(entity_id for entity_id in picked if entity_id)


def reunion_cues(subentries: Mapping[str, Any]) -> list[ReunionCues]:
    """The cue settings of every reunion ritual that asked for a cue."""
    found = []
    for ritual_id, subentry in subentries.items():
        data = subentry.data
        if data.get(CONF_KIND) != RitualKind.REUNION:
            continue
        cues = ReunionCues(
            ritual_id=ritual_id,
            proximity=data.get(CONF_ARRIVAL_PROXIMITY) or None,
            zone=data.get(CONF_ARRIVAL_ZONE) or None,
            satellite=data.get(CONF_HOUSE_SATELLITE) or None,
            media_player=data.get(CONF_HOUSE_MEDIA_PLAYER) or None,
            tts=data.get(CONF_HOUSE_TTS) or None,
        )
        if cues.entities:
            found.append(cues)
    return found


def may_speak(engine: RitualEngine, ritual: Ritual, now: datetime | None = None) -> bool:
    """Not on vacation, not for a ritual that is off, not in the quiet hours."""
    if engine.vacation or not ritual.state.enabled:
        return False
    notifier = engine.notifier
    if notifier is None or notifier.quiet_start == notifier.quiet_end:
        return True
    local = dt_util.as_local(now or dt_util.utcnow())
    return not in_active_hours(local.time(), notifier.quiet_start, notifier.quiet_end)
