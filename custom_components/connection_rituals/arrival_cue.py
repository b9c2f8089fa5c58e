"""A word to the partner at home when the other is on the way home (reunion rituals).

Follows the distance and direction sensors a proximity entry keeps for each partner, or a
zone on the way. Once per trip, when the away partner comes closer or enters the zone, the
partner at home (only when at home) hears "Sam is on the way home", with "about N minutes"
only where the readings allow an honest estimate. The one travelling is never notified.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util

from .const import DOMAIN, PARTNERS, RitualEventType
from .core.arrival import Reading, Trip, add_reading, estimate_minutes, should_cue
from .core.schedule import HOME, is_away
from .cue_calls import CueCaller
from .reunion_cues import ReunionCues, may_speak, reunion_cues

if TYPE_CHECKING:
    from .engine import RitualEngine

DISTANCE_SUFFIX = "_dist_to_zone"
DIRECTION_SUFFIX = "_dir_of_travel"
_UNSETTLED = frozenset({STATE_UNKNOWN, STATE_UNAVAILABLE})


def proximity_sensors(
    hass: HomeAssistant, picked: str, identifiers: set[str]
) -> tuple[str | None, str | None]:
    """The distance and direction sensors a proximity entry keeps for one person.

    `picked` is any entity of the proximity entry; its per-person sensors are found by
    their unique ids (`<entry>_<tracked entity>_<key>`), the tracked entity being the
    person or one of their device trackers (by registry id or entity id).
    """
    registry = er.async_get(hass)
    chosen = registry.async_get(picked)
    if chosen is None or chosen.config_entry_id is None:
        return None, None
    prefix = f"{chosen.config_entry_id}_"
    found: dict[str, str] = {}
    for entity in er.async_entries_for_config_entry(registry, chosen.config_entry_id):
        for suffix in (DISTANCE_SUFFIX, DIRECTION_SUFFIX):
            unique_id = entity.unique_id
            if unique_id.startswith(prefix) and unique_id.endswith(suffix):
                tracked = unique_id[len(prefix) : -len(suffix)]
                if tracked in identifiers:
                    found[suffix] = entity.entity_id
    return found.get(DISTANCE_SUFFIX), found.get(DIRECTION_SUFFIX)


class ArrivalCue:
    """Follows the away partner's way home for the reunions that asked for it."""

    def __init__(
        self,
        hass: HomeAssistant,
        engine: RitualEngine,
        caller: CueCaller,
        usual_hour: Callable[[str, datetime], bool] | None = None,
    ) -> None:
        """Prepare; `async_start` begins following. `usual_hour(partner, now)`: whether
        the partner comes home around now (their learned rhythm), where one is known."""
        self.hass = hass
        self.engine = engine
        self.caller = caller
        self.usual_hour = usual_hour
        self.cues = [
            cue for cue in reunion_cues(engine.entry.subentries) if cue.proximity or cue.zone
        ]
        self.trips: dict[str, Trip] = {partner: Trip() for partner in PARTNERS}
        # entity id -> (partner, "distance" | "direction")
        self._sensors: dict[str, tuple[str, str]] = {}
        self._unsubs: list[CALLBACK_TYPE] = []
        self._sensor_unsub: CALLBACK_TYPE | None = None

    @callback
    def async_start(self) -> None:
        """Follow the partners, the zones and (as they appear) the proximity sensors."""
        if not self.cues:
            return
        watched = [*self.engine.persons.values(), *{c.zone for c in self.cues if c.zone}]
        self._unsubs.append(async_track_state_change_event(self.hass, watched, self._on_state))
        if any(cue.proximity for cue in self.cues):
            self._unsubs.append(
                self.hass.bus.async_listen(er.EVENT_ENTITY_REGISTRY_UPDATED, self._on_registry)
            )
            self._follow_sensors()

    @callback
    def async_stop(self) -> None:
        """Stop following."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        if self._sensor_unsub is not None:
            self._sensor_unsub()
            self._sensor_unsub = None

    # ------------------------------------------------------------------ sensors

    def _identifiers(self, partner: str) -> set[str]:
        """What a proximity entry may call a partner: the person or their trackers."""
        registry = er.async_get(self.hass)
        person = self.engine.persons[partner]
        state = self.hass.states.get(person)
        trackers = list(state.attributes.get("device_trackers", [])) if state else []
        found = set()
        for entity_id in (person, *trackers):
            found.add(entity_id)
            if (entry := registry.async_get(entity_id)) is not None:
                found.add(entry.id)
        return found

    @callback
    def _follow_sensors(self) -> None:
        sensors: dict[str, tuple[str, str]] = {}
        for cue in self.cues:
            if not cue.proximity:
                continue
            for partner in PARTNERS:
                distance, direction = proximity_sensors(
                    self.hass, cue.proximity, self._identifiers(partner)
                )
                if distance:
                    sensors[distance] = (partner, "distance")
                if direction:
                    sensors[direction] = (partner, "direction")
        if sensors == self._sensors:
            return
        self._sensors = sensors
        if self._sensor_unsub is not None:
            self._sensor_unsub()
            self._sensor_unsub = None
        if sensors:
            self._sensor_unsub = async_track_state_change_event(
                self.hass, list(sensors), self._on_sensor
            )

    @callback
    def _on_registry(self, event: Event[er.EventEntityRegistryUpdatedData]) -> None:
        self._follow_sensors()

    def _direction(self, partner: str) -> str | None:
        for entity_id, (owner, what) in self._sensors.items():
            if owner == partner and what == "direction":
                state = self.hass.states.get(entity_id)
                return state.state if state else None
        return None

    @callback
    def _on_sensor(self, event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        known = self._sensors.get(event.data["entity_id"])
        if new is None or known is None or new.state in _UNSETTLED:
            return  # a sensor flapping to unknown says nothing about the way home
        partner, what = known
        if not is_away(self.engine.partner_state(partner)):
            return  # a late report after coming home
        now = dt_util.utcnow()
        if what == "distance":
            try:
                distance = float(new.state)
            except ValueError:
                return
            trip = self.trips[partner] = add_reading(self.trips[partner], Reading(now, distance))
        else:
            trip = self.trips[partner]
        if should_cue(trip, direction=self._direction(partner)):
            self._cue(partner, self._proximity_cues(), now)

    def _proximity_cues(self) -> list[ReunionCues]:
        return [cue for cue in self.cues if cue.proximity]

    # ----------------------------------------------------------- people, zones

    @callback
    def _on_state(self, event: Event[EventStateChangedData]) -> None:
        entity_id = event.data["entity_id"]
        old, new = event.data["old_state"], event.data["new_state"]
        partner = self.engine.partner_for_person(entity_id)
        if partner is not None:
            if new is not None and old is not None and new.state != old.state:
                if HOME in (new.state, old.state):
                    self.trips[partner] = Trip()  # home, or off again: a new trip
                self._follow_sensors()  # their trackers may have changed
            return
        if new is None:
            return
        before = set(old.attributes.get("persons", [])) if old else set()
        after = set(new.attributes.get("persons", []))
        for partner in PARTNERS:
            person = self.engine.persons[partner]
            if (
                person in after
                and person not in before
                and is_away(self.engine.partner_state(partner))
                and should_cue(self.trips[partner], entered_zone=True)
            ):
                zone_cues = [cue for cue in self.cues if cue.zone == entity_id]
                self._cue(partner, zone_cues, dt_util.utcnow())

    # ---------------------------------------------------------------------- cue

    def _cue(self, traveller: str, cues: list[ReunionCues], now: datetime) -> None:
        """Tell the partner at home, once per trip, if a reunion would welcome the word."""
        at_home = next(p for p in PARTNERS if p != traveller)
        if self.engine.partner_state(at_home) != HOME:
            return
        ritual = next(
            (
                ritual
                for cue in cues
                if (ritual := self.engine.rituals.get(cue.ritual_id)) is not None
                and not ritual.active
                and ritual.config.window.allows(
                    dt_util.as_local(now), self.engine.boundary, self.engine.today(now)
                )
                and may_speak(self.engine, ritual, now)
            ),
            None,
        )
        if ritual is None:
            return
        away_since = self.engine.presence.away_since.get(traveller)
        if away_since is not None and now - away_since < ritual.config.min_away:
            return  # a short errand or a GPS bounce: no reunion ahead, no word
        if self.usual_hour is not None and not self.usual_hour(traveller, now):
            # An hour they never come home (a drive past at night): no word; the
            # reunion at the door is as always.
            return
        trip = self.trips[traveller] = replace(self.trips[traveller], cued=True)
        minutes = estimate_minutes(trip.readings)
        extra: dict[str, Any] = {"minutes": minutes}
        self.engine.emit(ritual, RitualEventType.ON_THE_WAY, traveller, **extra)
        notifier = self.engine.notifier
        target = notifier.target(at_home) if notifier is not None else None
        if notifier is None or target is None:
            return
        phrases = notifier.library.phrases
        name = self.engine.partner_name(traveller)
        message = (
            phrases["on_the_way"].format(partner=name)
            if minutes is None
            else phrases["on_the_way_eta"].format(partner=name, minutes=minutes)
        )
        payload: dict[str, Any] = {"title": ritual.config.name, "message": message}
        if target.actionable:
            payload["data"] = {"tag": f"{DOMAIN}_on_the_way_{ritual.config.ritual_id}"}
        else:
            payload["title"] = phrases["plain_title"].format(
                ritual=ritual.config.name, partner=self.engine.partner_name(at_home)
            )
        self.caller.call("notify", target.service, payload)
