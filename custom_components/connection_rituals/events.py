"""What the engine tells the world: one `RitualEvent` per happening, to its subscribers
in the order the wiring chose (the phones, then the bus event and the event entities,
then the house), and entity updates once per command."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from .const import EVENT_CONNECTION_RITUALS, RitualEventType
from .models import Occurrence, Ritual

# The window is over, however it ended (kept, not marked, declined, turned off, reset):
# for the phones and the house only, never on the bus or an event entity.
ENDED: Final = "ended"

type RitualEventListener = Callable[[RitualEventType, dict[str, Any]], None]


@dataclass(frozen=True, slots=True)
class RitualEvent:
    """One happening of a ritual, as the engine publishes it."""

    type: RitualEventType | Literal["ended"]
    ritual: Ritual
    occurrence: Occurrence | None
    partner: str | None = None
    # Vacation or the ritual turned off: nothing is set in motion.
    paused: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)


type Subscriber = Callable[[RitualEvent], None]


class Publisher:
    """Fans changes out to entities and happenings out to event entities and the bus."""

    def __init__(self, hass: HomeAssistant, entry_id: str, persons: dict[str, str]) -> None:
        """Nobody listens yet."""
        self.hass = hass
        self.entry_id = entry_id
        self.persons = persons
        self._subscribers: list[Subscriber] = []
        # The idea a prompt carried, by occurrence id (the notifier's memory).
        self.idea_of: Callable[[str], str | None] = lambda _occurrence_id: None
        self._listeners: dict[str | None, list[CALLBACK_TYPE]] = {}
        self._event_listeners: dict[str, list[RitualEventListener]] = {}
        # Happenings for the event entities, delivered with the entity updates.
        self._pending: list[tuple[str, RitualEventType, dict[str, Any]]] = []

    def subscribe(self, subscriber: Subscriber) -> None:
        """Hear every happening, after the subscribers before (for the entry's life)."""
        self._subscribers.append(subscriber)

    def publish(self, event: RitualEvent) -> None:
        """One happening, to every subscriber in order."""
        for subscriber in self._subscribers:
            subscriber(event)

    @callback
    def async_add_listener(self, ritual_id: str | None, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` when a ritual (or, for None, anything) changes."""
        self._listeners.setdefault(ritual_id, []).append(update)

        @callback
        def _remove() -> None:
            self._listeners[ritual_id].remove(update)

        return _remove

    @callback
    def async_add_event_listener(
        self, ritual_id: str, listener: RitualEventListener
    ) -> CALLBACK_TYPE:
        """Call `listener(type, data)` for each happening of a ritual."""
        self._event_listeners.setdefault(ritual_id, []).append(listener)

        @callback
        def _remove() -> None:
            self._event_listeners[ritual_id].remove(listener)

        return _remove

    def listener_count(self, ritual_id: str | None) -> int:
        """How many entities follow a ritual (None: the couple)."""
        return len(self._listeners.get(ritual_id, []))

    @property
    def has_pending(self) -> bool:
        """Whether happenings wait for the event entities (told at the next `changed`)."""
        return bool(self._pending)

    def changed(self, ritual_ids: set[str | None]) -> None:
        """The end of a command: the event entities hear what happened, then each
        changed ritual's entities and the couple's update once."""
        pending, self._pending = self._pending, []
        for happened_to, event_type, data in pending:
            for listener in list(self._event_listeners.get(happened_to, [])):
                listener(event_type, data)
        for ritual_id in ritual_ids:
            if ritual_id is not None:
                for update in list(self._listeners.get(ritual_id, [])):
                    update()
        for update in list(self._listeners.get(None, [])):
            update()

    def announce(self, event: RitualEvent) -> None:
        """A subscriber: tell the bus what happened now, and the ritual's event entity
        with the command's entity updates (`changed`)."""
        event_type = event.type
        if not isinstance(event_type, RitualEventType):
            return  # ENDED stays inside
        ritual, occurrence = event.ritual, event.occurrence
        data: dict[str, Any] = {
            "ritual_id": ritual.config.ritual_id,
            "ritual_name": ritual.config.name,
            "kind": ritual.config.kind.value,
            "partner": self.persons[event.partner] if event.partner else None,
            "streak": ritual.stats.current,
            "occurrence_id": occurrence.occurrence_id if occurrence else None,
            # The idea the prompt carried (for `rate_idea`), once a prompt was sent.
            "idea_id": self.idea_of(occurrence.occurrence_id) if occurrence else None,
            **event.extra,
        }
        self.hass.bus.async_fire(
            EVENT_CONNECTION_RITUALS,
            {"type": event_type.value, "entry_id": self.entry_id, **data},
        )
        if ritual.config.ritual_id in self._event_listeners:
            self._pending.append((ritual.config.ritual_id, event_type, data))
