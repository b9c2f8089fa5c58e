"""A reunion cue's entity that is gone or unavailable: a gentle repair issue, no fuss.

The ritual runs as before (just without that cue); the issue names the entity and clears
itself as soon as the entity is back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.start import async_at_started

from .const import DOMAIN
from .reunion_cues import ReunionCues

if TYPE_CHECKING:
    from .engine import RitualEngine

ISSUE_CUE = "cue_entity_missing"


def cue_issue_id(entry_id: str, entity_id: str) -> str:
    """One issue per couple and entity."""
    return f"{ISSUE_CUE}_{entry_id}_{entity_id}"


class CueRepairs:
    """Raises and clears the issues of the cues' entities."""

    def __init__(self, hass: HomeAssistant, engine: RitualEngine, cues: list[ReunionCues]) -> None:
        """Follow the entities of these cues."""
        self.hass = hass
        self.engine = engine
        self._rituals: dict[str, str] = {}
        for cue in cues:
            ritual = engine.rituals.get(cue.ritual_id)
            for entity_id in cue.entities:
                self._rituals.setdefault(entity_id, ritual.config.name if ritual else "")
        self._unsubs: list[CALLBACK_TYPE] = []

    @callback
    def async_start(self) -> None:
        """Check once Home Assistant runs (entities load late), then on every change."""
        async_clear_cue_issues(self.hass, self.engine.entry.entry_id, keep=set(self._rituals))
        if not self._rituals:
            return
        self._unsubs.append(
            async_track_state_change_event(self.hass, list(self._rituals), self._on_change)
        )
        self._unsubs.append(async_at_started(self.hass, self._check_all))

    @callback
    def async_stop(self) -> None:
        """Stop following; the issues stay until the entities are back or the couple goes."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()

    @callback
    def _check_all(self, hass: HomeAssistant) -> None:
        for entity_id in self._rituals:
            self._check(entity_id)

    @callback
    def _on_change(self, event: Event[EventStateChangedData]) -> None:
        self._check(event.data["entity_id"])

    def _check(self, entity_id: str) -> None:
        state = self.hass.states.get(entity_id)
        issue_id = cue_issue_id(self.engine.entry.entry_id, entity_id)
        if state is not None and state.state != STATE_UNAVAILABLE:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="cue_entity_missing",
            translation_placeholders={
                "entity": entity_id,
                "ritual": self._rituals[entity_id],
            },
        )


@callback
def async_clear_cue_issues(
    hass: HomeAssistant, entry_id: str, keep: set[str] | frozenset[str] = frozenset()
) -> None:
    """Clear the couple's cue issues, but for the entities in `keep` (still in use)."""
    prefix = cue_issue_id(entry_id, "")
    kept = {cue_issue_id(entry_id, entity_id) for entity_id in keep}
    for domain, issue_id in list(ir.async_get(hass).issues):
        if domain == DOMAIN and issue_id.startswith(prefix) and issue_id not in kept:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
