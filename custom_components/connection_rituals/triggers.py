"""Every Home Assistant listener of a couple, turned into an engine command."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time

from homeassistant.const import EVENT_CORE_CONFIG_UPDATE
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.start import async_at_started

from .const import RitualKind, TriggerType
from .core.schedule import Window
from .models import Ritual
from .presence import UNSETTLED
from .timers import DailyTimers
from .views import RitualCommands


class Triggers:
    """Listens for the couple: persons, screens, trigger entities, times, the day."""

    def __init__(
        self,
        hass: HomeAssistant,
        engine: RitualCommands,
        boundary: time,
        in_use_entities: list[str],
    ) -> None:
        """Prepare; `async_start` begins listening."""
        self.hass = hass
        self.engine = engine
        self.in_use_entities = in_use_entities
        self.daily = DailyTimers(hass, boundary)
        self._unsubs: list[CALLBACK_TYPE] = []

    @callback
    def async_start(self) -> None:
        """Time and entity triggers and the day boundary now; presence once HA runs."""
        engine = self.engine
        state_triggers: dict[str, list[Ritual]] = {}
        for ritual in engine.rituals.values():
            config = ritual.config
            if config.trigger_type is TriggerType.TIME and config.trigger_time is not None:
                self.daily.track(
                    config.trigger_time,
                    config.window,
                    _bind(engine.time_triggered, ritual),
                    config.ritual_id,
                )
            elif config.trigger_type is TriggerType.STATE and config.trigger_entity:
                state_triggers.setdefault(config.trigger_entity, []).append(ritual)
            elif config.kind is RitualKind.APART:
                # An apart stretch that matured outside active hours starts here.
                self.daily.track(
                    config.window.start, Window(), _bind(engine.start_due_apart, ritual)
                )
        if state_triggers:

            @callback
            def _state_trigger(event: Event[EventStateChangedData]) -> None:
                old, new = event.data["old_state"], event.data["new_state"]
                if old is None or new is None or old.state in UNSETTLED:
                    return
                for ritual in state_triggers.get(event.data["entity_id"], []):
                    if new.state == ritual.config.trigger_state != old.state:
                        engine.attempt_start(ritual)

            self._unsubs.append(
                async_track_state_change_event(self.hass, list(state_triggers), _state_trigger)
            )
        self.daily.track(self.daily.boundary, Window(), engine.new_day)
        self._unsubs.append(async_at_started(self.hass, self._async_on_started))
        self._unsubs.append(
            self.hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, self._async_core_config_updated)
        )

    @callback
    def async_stop(self) -> None:
        """Stop every listener and timer."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        self.daily.cancel()

    @callback
    def _async_on_started(self, hass: HomeAssistant) -> None:
        """Presence listening starts once Home Assistant runs: start-up is no arrival."""
        engine = self.engine
        persons = {person: partner for partner, person in engine.persons.items()}

        @callback
        def _person_changed(event: Event[EventStateChangedData]) -> None:
            partner = persons.get(event.data["entity_id"])
            new = event.data["new_state"]
            if partner is not None and new is not None:
                engine.person_changed(partner, event.data["old_state"], new)

        self._unsubs.append(async_track_state_change_event(hass, list(persons), _person_changed))
        if self.in_use_entities:

            @callback
            def _device_changed(event: Event[EventStateChangedData]) -> None:
                engine.device_changed(event.data["old_state"], event.data["new_state"])

            self._unsubs.append(
                async_track_state_change_event(hass, self.in_use_entities, _device_changed)
            )
        engine.presence_settled()
        # Entities the couple's setup relies on: gone ones get a fixable repair issue.
        watched = [
            *persons,
            *self.in_use_entities,
            *(r.config.trigger_entity for r in engine.rituals.values() if r.config.trigger_entity),
        ]

        @callback
        def _appeared_or_vanished(event: Event[EventStateChangedData]) -> None:
            if event.data["old_state"] is None or event.data["new_state"] is None:
                engine.check_entities()

        self._unsubs.append(async_track_state_change_event(hass, watched, _appeared_or_vanished))
        engine.check_entities()

    @callback
    def _async_core_config_updated(self, event: Event) -> None:
        """A new time zone: daily times and the day boundary follow its local clock."""
        if "time_zone" in event.data:
            self.daily.reschedule()
            self.engine.new_time_zone()


def _bind[T](command: Callable[[T], object], ritual: T) -> Callable[[], None]:
    def _run() -> None:
        command(ritual)

    return _run
