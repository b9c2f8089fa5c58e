"""The house says the reunion's prompt: an Assist satellite, or a speaker through TTS.

Listens to the integration's own bus event (a reunion that `started`), never to the
engine's insides; a satellite or speaker that hangs or fails never holds the ritual up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback

from .const import EVENT_CONNECTION_RITUALS, RitualEventType, RitualKind
from .cue_calls import CueCaller
from .idea_feedback import library_idea_text
from .reunion_cues import ReunionCues, may_speak, reunion_cues

if TYPE_CHECKING:
    from .engine import RitualEngine


def tts_entity(hass: HomeAssistant, cues: ReunionCues) -> str | None:
    """The chosen text-to-speech entity, or the only one there is."""
    if cues.tts:
        return cues.tts
    found = hass.states.async_entity_ids("tts")
    return found[0] if len(found) == 1 else None


class HouseCue:
    """Says a reunion's prompt out loud where the couple asked for it."""

    def __init__(self, hass: HomeAssistant, engine: RitualEngine, caller: CueCaller) -> None:
        """Prepare; `async_start` begins listening."""
        self.hass = hass
        self.engine = engine
        self.caller = caller
        self.cues = {
            cue.ritual_id: cue
            for cue in reunion_cues(engine.entry.subentries)
            if cue.satellite or cue.media_player
        }
        self._unsub: CALLBACK_TYPE | None = None

    @callback
    def async_start(self) -> None:
        """Listen to reunions opening."""
        if not self.cues:
            return
        entry_id = self.engine.entry.entry_id

        @callback
        def _matches(data: dict[str, Any]) -> bool:
            return (
                data.get("entry_id") == entry_id
                and data.get("type") == RitualEventType.STARTED
                and data.get("kind") == RitualKind.REUNION
                and data.get("ritual_id") in self.cues
            )

        self._unsub = self.hass.bus.async_listen(
            EVENT_CONNECTION_RITUALS, self._on_started, event_filter=_matches
        )

    @callback
    def async_stop(self) -> None:
        """Stop listening."""
        if self._unsub is not None:
            self._unsub()
            self._unsub = None

    def message(self, data: dict[str, Any]) -> str | None:
        """What the house says: the cue ("Sam is home. Phones down for 10 minutes?") and
        the idea the phones got, if one was sent."""
        notifier = self.engine.notifier
        ritual = self.engine.rituals.get(str(data.get("ritual_id")))
        if notifier is None or ritual is None:
            return None
        phrases = notifier.library.phrases
        minutes = ritual.config.window_minutes
        actor = self.engine.partner_for_person(str(data.get("partner") or ""))
        parts = [
            phrases["reunion_cue"].format(partner=self.engine.partner_name(actor), minutes=minutes)
            if actor is not None
            else phrases["reunion_cue_self"].format(minutes=minutes)
        ]
        idea_id = data.get("idea_id")
        if idea_id and (text := library_idea_text(notifier.library, str(idea_id))):
            parts.append(text)
        return " ".join(parts)

    @callback
    def _on_started(self, event: Event[dict[str, Any]]) -> None:
        data = dict(event.data)
        cues = self.cues[str(data["ritual_id"])]
        ritual = self.engine.rituals.get(cues.ritual_id)
        if ritual is None or not may_speak(self.engine, ritual):
            return
        message = self.message(data)
        if message is None:
            return
        if cues.satellite and self.hass.states.get(cues.satellite) is not None:
            self.caller.call(
                "assist_satellite", "announce", {"entity_id": cues.satellite, "message": message}
            )
        if cues.media_player and (tts := tts_entity(self.hass, cues)):
            self.caller.call(
                "tts",
                "speak",
                {
                    "entity_id": tts,
                    "media_player_entity_id": cues.media_player,
                    "message": message,
                },
            )
