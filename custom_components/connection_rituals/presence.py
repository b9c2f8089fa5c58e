"""The partners' presence: who is home, since when a partner is away, the apart stretch,
and whether a screen is in use. Turns state changes into arrivals, departures and
apart / together news; what they start is the engine's business."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State

from .const import PARTNER_A, PARTNER_B
from .core.schedule import HOME, UNSETTLED_STATES, are_apart, is_away

# media_player / binary_sensor states that mean a screen is in use.
IN_USE_STATES = frozenset({"on", "playing"})
# States that carry no news about where someone is (a phone went quiet, start-up).
UNSETTLED = UNSETTLED_STATES


class Move(StrEnum):
    """What a partner's state change means."""

    ARRIVAL = "arrival"
    DEPARTURE = "departure"


@dataclass(frozen=True, slots=True)
class ApartNews:
    """The apart stretch after a presence change: are they apart, did they just meet."""

    apart: bool
    reunited: bool


def other(partner: str) -> str:
    """The other partner."""
    return PARTNER_B if partner == PARTNER_A else PARTNER_A


class Presence:
    """Where the partners are, as far as their `person` entities tell."""

    def __init__(
        self,
        hass: HomeAssistant,
        persons: dict[str, str],
        in_use_entities: dict[str, str],
    ) -> None:
        """Watch `persons` (partner -> person) and `in_use_entities` (entity -> partner)."""
        self.hass = hass
        self.persons = persons
        self.in_use_entities = in_use_entities
        self.away_since: dict[str, datetime] = {}
        self.apart_since: datetime | None = None

    def partner_for_person(self, entity_id: str) -> str | None:
        """Which partner a person entity is."""
        for partner, person in self.persons.items():
            if person == entity_id:
                return partner
        return None

    def state(self, partner: str) -> str:
        """The partner's person state, or unknown."""
        state = self.hass.states.get(self.persons[partner])
        return state.state if state else STATE_UNKNOWN

    def name(self, partner: str) -> str:
        """The partner's display name."""
        state = self.hass.states.get(self.persons[partner])
        return state.name if state else self.persons[partner]

    def changed(
        self, partner: str, old: State | None, new: State, now: datetime
    ) -> tuple[Move, timedelta | None] | None:
        """A partner's new state: an arrival (with how long they were away), a
        departure, or nothing; since when they are away is kept across restarts."""
        move: tuple[Move, timedelta | None] | None = None
        if new.state != HOME and is_away(new.state) and partner not in self.away_since:
            since = now if old is not None and old.state == HOME else new.last_changed
            self.away_since[partner] = since
        if old is not None and old.state not in UNSETTLED and new.state not in UNSETTLED:
            if new.state == HOME and is_away(old.state):
                left = self.away_since.get(partner)
                move = (Move.ARRIVAL, now - left if left else None)
            elif old.state == HOME and is_away(new.state):
                move = (Move.DEPARTURE, None)
        if new.state == HOME:
            self.away_since.pop(partner, None)  # home again, however (e.g. via unavailable)
        return move

    def refresh_apart(self, now: datetime) -> ApartNews | None:
        """Track the apart stretch; None when a state carries no news."""
        state_a, state_b = self.state(PARTNER_A), self.state(PARTNER_B)
        if {state_a, state_b} & UNSETTLED:
            return None  # no news (a phone went quiet, start-up): nobody came together
        apart = are_apart(state_a, state_b)
        reunited = not apart and self.apart_since is not None
        if apart and self.apart_since is None:
            self.apart_since = now
        elif not apart:
            self.apart_since = None
        return ApartNews(apart=apart, reunited=reunited)

    def any_device_in_use(self) -> bool:
        """Whether any "device in use" entity of either partner is in use now."""
        return any(
            (state := self.hass.states.get(entity_id)) is not None and state.state in IN_USE_STATES
            for entity_id in self.in_use_entities
        )


def device_use_change(old: State | None, new: State | None) -> tuple[bool, bool] | None:
    """(was in use, is in use) when a screen's use changed; None otherwise."""
    if new is None:
        return None
    was_in_use = old is not None and old.state in IN_USE_STATES
    in_use = new.state in IN_USE_STATES
    return None if was_in_use == in_use else (was_in_use, in_use)
