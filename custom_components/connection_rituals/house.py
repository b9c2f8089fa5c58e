"""Start actions: the house takes part in a ritual window.

At the start a scene is activated and/or chosen lights are dimmed; each light's
state is remembered first (in the occurrence, so it survives a restart). When
the window closes, every light returns to exactly how it was, unless someone
changed it during the window: then it is left alone.

Who changed a light is told by the state change's context, not by its timing: our own
calls carry a context made here, and a light that reports late or in steps through a
transition reports under it (or, for a device's own report, under a bare context). A
change made by a person (a user) or another automation (a parent context) marks the
light as changed. After a restart mid-window nothing was watched while Home Assistant
was down, so there the light's look is compared with the one the window set.
"""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import ATTR_ENTITY_ID, STATE_ON
from homeassistant.core import (
    CALLBACK_TYPE,
    Context,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.helpers.event import async_track_state_change_event

from .const import DOMAIN, RitualEventType
from .events import ENDED, RitualEvent
from .models import Occurrence, Ritual
from .timers import AtStarted

_LOGGER = logging.getLogger(__name__)

# Light attributes that describe how a light looks and can be given back to light.turn_on.
RESTORED_ATTRIBUTES = ("brightness", "color_temp_kelvin", "hs_color")


def light_snapshot(hass: HomeAssistant, entity_id: str) -> dict[str, Any] | None:
    """How a light is now, in a form light.turn_on/off can restore."""
    state = hass.states.get(entity_id)
    if state is None:
        return None
    snapshot: dict[str, Any] = {"state": state.state}
    if state.state == STATE_ON:
        color_mode = state.attributes.get("color_mode")
        for attribute in RESTORED_ATTRIBUTES:
            value = state.attributes.get(attribute)
            if value is None:
                continue
            # Only the colour the light is actually in, so restoring does not fight it.
            if attribute == "hs_color" and color_mode not in ("hs", "xy", "rgb", "rgbw"):
                continue
            if attribute == "color_temp_kelvin" and color_mode != "color_temp":
                continue
            snapshot[attribute] = list(value) if isinstance(value, tuple) else value
    return snapshot


class HouseActions:
    """Scenes and lights around ritual windows."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
        """Prepare."""
        self.hass = hass
        self.entry = entry
        self._at_started = AtStarted(hass)
        # Per occurrence id: the context of our own calls and the watch on its lights.
        self._contexts: dict[str, Context] = {}
        self._watches: dict[str, CALLBACK_TYPE] = {}

    @callback
    def async_stop(self) -> None:
        """Stop watching lights (the entry unloads)."""
        for unsub in self._watches.values():
            unsub()
        self._watches.clear()
        self._contexts.clear()
        self._at_started.cancel_all()

    def on_event(self, event: RitualEvent) -> None:
        """A subscriber: the mood when an occurrence starts (not while paused), the lights
        given back when it ends."""
        occurrence = event.occurrence
        if occurrence is None:
            return
        if event.type is RitualEventType.STARTED and not event.paused:
            self.on_started(event.ritual, occurrence)
        elif event.type == ENDED:
            self.on_ended(event.ritual, occurrence)

    def on_started(self, ritual: Ritual, occurrence: Occurrence) -> None:
        """Remember the lights, then set the mood."""
        config = ritual.config
        if not config.scene and not config.lights:
            return
        lights = list(config.lights)
        if config.scene and (scene := self.hass.states.get(config.scene)) is not None:
            lights += [
                entity_id
                for entity_id in scene.attributes.get(ATTR_ENTITY_ID, [])
                if entity_id.startswith("light.") and entity_id not in lights
            ]
        occurrence.lights = {
            entity_id: snapshot
            for entity_id in lights
            if (snapshot := light_snapshot(self.hass, entity_id)) is not None
        }
        context = self._contexts[occurrence.occurrence_id] = Context()
        self._watch(occurrence, context)
        self.entry.async_create_background_task(
            self.hass, self._async_set_mood(ritual, occurrence, context), f"{DOMAIN} mood"
        )

    def _watch(self, occurrence: Occurrence, context: Context) -> None:
        """Note every light someone else changes while the window is open."""

        @callback
        def _changed(event: Event[EventStateChangedData]) -> None:
            new = event.data["new_state"]
            if new is None:
                return
            if not _someone_else(new.context, context):
                return
            if (entity_id := event.data["entity_id"]) not in occurrence.lights_changed:
                occurrence.lights_changed.append(entity_id)

        self._watches[occurrence.occurrence_id] = async_track_state_change_event(
            self.hass, list(occurrence.lights), _changed
        )

    async def _async_set_mood(
        self, ritual: Ritual, occurrence: Occurrence, context: Context
    ) -> None:
        config = ritual.config
        try:
            if config.scene:
                await self.hass.services.async_call(
                    "scene",
                    "turn_on",
                    {ATTR_ENTITY_ID: config.scene},
                    blocking=True,
                    context=context,
                )
            if config.lights:
                await self.hass.services.async_call(
                    "light",
                    "turn_on",
                    {
                        ATTR_ENTITY_ID: list(config.lights),
                        "brightness_pct": config.brightness,
                        "transition": config.transition,
                    },
                    blocking=True,
                    context=context,
                )
        except Exception as err:
            _LOGGER.warning("Setting the lights for %s failed: %s", config.name, err)
            return
        # What the window looks like, to tell later whether someone changed it.
        occurrence.lights_set = {
            entity_id: snapshot
            for entity_id in occurrence.lights
            if (snapshot := light_snapshot(self.hass, entity_id)) is not None
        }

    def on_ended(self, ritual: Ritual, occurrence: Occurrence) -> None:
        """Give every untouched light back its look from before the window."""
        if unsub := self._watches.pop(occurrence.occurrence_id, None):
            unsub()
        watched = self._contexts.pop(occurrence.occurrence_id, None)
        if not occurrence.lights:
            return

        def _restore() -> None:
            self.entry.async_create_background_task(
                self.hass, self._async_restore(ritual, occurrence, watched), f"{DOMAIN} restore"
            )

        # After a restart the lights may not be loaded yet.
        self._at_started.run(occurrence.occurrence_id, _restore)

    async def _async_restore(
        self, ritual: Ritual, occurrence: Occurrence, watched: Context | None
    ) -> None:
        transition = ritual.config.transition
        for entity_id, before in occurrence.lights.items():
            now = light_snapshot(self.hass, entity_id)
            state = self.hass.states.get(entity_id)
            if (
                now is None
                or state is None
                or entity_id in occurrence.lights_changed
                or (watched is not None and _someone_else(state.context, watched))
            ):
                continue  # someone changed it during the window: leave it alone
            expected = occurrence.lights_set.get(entity_id)
            if watched is None and expected is not None and not _same_look(now, expected):
                continue  # not watched the whole window (a restart): judged by its look
            data: dict[str, Any] = {
                ATTR_ENTITY_ID: entity_id,
                "transition": transition,
            }
            try:
                if before["state"] == STATE_ON:
                    data.update({k: v for k, v in before.items() if k != "state"})
                    await self.hass.services.async_call(
                        "light", "turn_on", data, blocking=True, context=watched
                    )
                else:
                    await self.hass.services.async_call(
                        "light", "turn_off", data, blocking=True, context=watched
                    )
            except Exception as err:
                _LOGGER.warning("Restoring %s after a ritual failed: %s", entity_id, err)


def _someone_else(origin: Context, ours: Context) -> bool:
    """A change made by a person (a user) or another automation (a parent context), not
    by our own call (however late or in how many steps the light reports it) and not by
    the device settling on its own (a bare context)."""
    if ours.id in (origin.id, origin.parent_id):
        return False
    return origin.user_id is not None or origin.parent_id is not None


def _same_look(now: dict[str, Any], expected: dict[str, Any]) -> bool:
    """Equal state and nearly equal brightness (devices round)."""
    if now.get("state") != expected.get("state"):
        return False
    brightness_now, brightness_then = now.get("brightness"), expected.get("brightness")
    if brightness_now is None or brightness_then is None:
        return brightness_now == brightness_then
    return abs(int(brightness_now) - int(brightness_then)) <= 3
