"""Taps on a prompt's buttons (and replies typed into it), turned into engine commands."""

from __future__ import annotations

import logging

from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback

from .core.prompting import (
    ACTION_DONE,
    ACTION_SKIP,
    ACTION_SNOOZE,
    ACTIONS,
    parse_action,
)
from .idea_feedback import FEEDBACK_ACTIONS
from .models import Ritual
from .notifier import PartnerNotifier
from .views import RitualCommands

_LOGGER = logging.getLogger(__name__)

EVENT_NOTIFICATION_ACTION = "mobile_app_notification_action"
KNOWN_ACTIONS = (*ACTIONS, *FEEDBACK_ACTIONS)


class PhoneActions:
    """Listens for taps on the couple's prompts."""

    def __init__(
        self, hass: HomeAssistant, engine: RitualCommands, notifier: PartnerNotifier
    ) -> None:
        """Prepare; `async_start` begins listening."""
        self.hass = hass
        self.engine = engine
        self.notifier = notifier
        self._unsub: CALLBACK_TYPE | None = None

    @callback
    def async_start(self) -> None:
        """Listen to taps."""
        self._unsub = self.hass.bus.async_listen(EVENT_NOTIFICATION_ACTION, self._async_on_action)

    @callback
    def async_stop(self) -> None:
        """Stop listening."""
        if self._unsub is not None:
            self._unsub()
            self._unsub = None

    @callback
    def _async_on_action(self, event: Event) -> None:
        parsed = parse_action(event.data.get("action"), KNOWN_ACTIONS)
        if parsed is None:
            return
        kind, occurrence_id = parsed
        partner = self._partner_of_user(event.context.user_id)
        if kind in FEEDBACK_ACTIONS:
            if partner is not None:  # not one of the partners: ignored
                self.notifier.rate_from_tap(FEEDBACK_ACTIONS[kind], occurrence_id)
            return
        ritual = self._ritual_of(occurrence_id)
        if ritual is None:
            return  # stale, finished, or another couple's occurrence
        if partner is None:
            _LOGGER.debug("Ignoring a ritual action from a user who is not a partner")
            return
        engine = self.engine
        if kind == ACTION_DONE:
            engine.complete(ritual, partner)
        elif kind == ACTION_SNOOZE:
            engine.snooze(ritual, engine.snooze_minutes, partner)
        elif kind == ACTION_SKIP:
            engine.skip(ritual, partner)
        else:
            text = str(event.data.get("reply_text") or "").strip()
            self.notifier.forward_reply(ritual, partner, text)
            engine.complete(ritual, partner)

    def _ritual_of(self, occurrence_id: str) -> Ritual | None:
        for ritual in self.engine.rituals.values():
            occurrence = ritual.state.occurrence
            if occurrence is not None and occurrence.occurrence_id == occurrence_id:
                return ritual
        return None

    def _partner_of_user(self, user_id: str | None) -> str | None:
        if user_id is None:
            return None
        for partner, person in self.engine.persons.items():
            state = self.hass.states.get(person)
            if state is not None and state.attributes.get("user_id") == user_id:
                return partner
        return None
