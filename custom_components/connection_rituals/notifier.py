"""Prompts on the partners' phones: actionable, varied, fair and quiet.

The notifier hears the engine's events (an occurrence started, was snoozed, ended); it
decides who hears about it and when (quiet hours, daily cap), sends the words
`prompt_words.py` writes, and turns taps on the phone back into engine actions. A
failing notify service never breaks the engine.
"""

from __future__ import annotations

from datetime import datetime
import logging
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .const import (
    CONF_DAILY_CAP,
    CONF_IDEA_FEEDBACK,
    CONF_QUIET_END,
    CONF_QUIET_START,
    CONF_STORE_REPLIES,
    DEFAULT_DAILY_CAP,
    DOMAIN,
    PARTNERS,
    RitualEventType,
    RitualKind,
)
from .core.ideas import IdeaLibrary, IdeaMemory
from .core.prompting import (
    ACTION_PREFIX,
    after_quiet_hours,
    count_against_cap,
    notification_tag,
)
from .core.schedule import PresenceCondition, is_away
from .events import ENDED, RitualEvent
from .idea_feedback import feedback_payload, feedback_tag
from .models import Occurrence, Ritual, parse_time
from .phones import Phones, Target
from .presence import other
from .prompt_words import PromptWords
from .timers import AtStarted
from .views import CoupleView

_LOGGER = logging.getLogger(__name__)

MAX_STORED_REPLIES = 100


class PartnerNotifier:
    """Sends, replaces and clears the couple's ritual prompts."""

    def __init__(
        self,
        hass: HomeAssistant,
        engine: CoupleView,
        library: IdeaLibrary,
        ideas: IdeaMemory,
        prompt_counts: dict[str, Any],
    ) -> None:
        """Prepare with what it remembered (stored with the couple's state); `async_start`
        begins listening."""
        self.hass = hass
        self.engine = engine
        self.library = library
        # The notifier's own state: the idea cycles, what was shown and rated, and
        # today's prompts per partner (the daily cap).
        self.ideas = ideas
        self.prompt_counts = prompt_counts
        options = engine.entry.options
        self.quiet_start = parse_time(options.get(CONF_QUIET_START) or "00:00:00")
        self.quiet_end = parse_time(options.get(CONF_QUIET_END) or "00:00:00")
        self.daily_cap = int(options.get(CONF_DAILY_CAP, DEFAULT_DAILY_CAP))
        self.store_replies = bool(options.get(CONF_STORE_REPLIES, False))
        self.idea_feedback = bool(options.get(CONF_IDEA_FEEDBACK, False))
        self.phones = Phones(hass, engine.entry, engine.partner_name)
        self._timers: dict[str, CALLBACK_TYPE] = {}
        self.words = PromptWords(engine, library, ideas)
        self._at_started = AtStarted(hass)

    # ---------------------------------------------------------------- lifecycle

    @callback
    def async_start(self) -> None:
        """Follow the phones."""
        self.phones.async_start()

    @callback
    def async_stop(self) -> None:
        """Stop listening and cancel pending re-sends."""
        self.phones.async_stop()
        for cancel in self._timers.values():
            cancel()
        self._timers.clear()
        self._at_started.cancel_all()

    def target(self, partner: str) -> Target | None:
        """A partner's phone (or plain notify service), as it is now."""
        return self.phones.target(partner)

    def idea_shown(self, occurrence_id: str) -> str | None:
        """The idea a prompt of this occurrence carried, if one was sent."""
        return self.ideas.shown.get(occurrence_id)

    # ------------------------------------------------------------------ engine

    def on_event(self, event: RitualEvent) -> None:
        """A subscriber: prompts when an occurrence starts or comes back from a snooze,
        tidies the phones when it ends."""
        occurrence = event.occurrence
        if occurrence is None:
            return
        if event.type is RitualEventType.STARTED:
            self.on_started(event.ritual, occurrence)
        elif event.type is RitualEventType.SNOOZED:
            self.on_snoozed(event.ritual, occurrence)
        elif event.type == ENDED:
            self.on_ended(event.ritual, occurrence)

    def on_started(self, ritual: Ritual, occurrence: Occurrence) -> None:
        """Prompt the right partner(s), now or when quiet hours end."""
        self._prompt_at(ritual, occurrence, dt_util.utcnow())
        if ritual.config.dnd and ritual.config.kind is RitualKind.REUNION:
            self.phones.set_dnd(occurrence, on=True)

    def on_snoozed(self, ritual: Ritual, occurrence: Occurrence) -> None:
        """Remove the prompt now and bring it back after the snooze."""
        self.phones.clear(occurrence)
        if occurrence.snoozed_until is not None:
            self._prompt_at(ritual, occurrence, occurrence.snoozed_until)

    def on_ended(self, ritual: Ritual, occurrence: Occurrence) -> None:
        """Clear the prompt on both phones; lift do-not-disturb.

        At start-up (a window that closed while Home Assistant was down) the
        phones' notify services may not exist yet: wait until Home Assistant runs.
        """
        if cancel := self._timers.pop(occurrence.occurrence_id, None):
            cancel()

        def _tidy_up() -> None:
            self.phones.clear(occurrence)
            if occurrence.dnd:
                self.phones.set_dnd(occurrence, on=False)
            if self.idea_feedback and occurrence.completed_by:
                self._ask_about_the_idea(occurrence)

        self._at_started.run(occurrence.occurrence_id, _tidy_up)

    def _ask_about_the_idea(self, occurrence: Occurrence) -> None:
        """After a kept ritual: did the couple love its idea? (phones with buttons only)"""
        payload = feedback_payload(
            self.library, self.ideas, occurrence.occurrence_id, ACTION_PREFIX
        )
        if payload is None:
            return
        for partner in occurrence.prompted:
            target = self.phones.target(partner)
            if target is not None and target.actionable:
                self.phones.call(target, payload)

    def _prompt_at(self, ritual: Ritual, occurrence: Occurrence, when: datetime) -> None:
        when = self._after_quiet_hours(when)
        if occurrence.ends_at is not None and when >= occurrence.ends_at:
            return  # the window closes before the couple may be disturbed
        if when <= dt_util.utcnow():
            self._send_prompts(ritual, occurrence)
            return

        @callback
        def _due(now: datetime) -> None:
            self._timers.pop(occurrence.occurrence_id, None)
            if ritual.state.occurrence is occurrence:
                self._send_prompts(ritual, occurrence)
                # Who was prompted, ideas used, the cap (the engine saves after the
                # immediate sends of a start or snooze itself).
                self.engine.async_save()

        if cancel := self._timers.pop(occurrence.occurrence_id, None):
            cancel()
        self._timers[occurrence.occurrence_id] = async_track_point_in_utc_time(
            self.hass, HassJob(_due, "connection_rituals prompt", cancel_on_shutdown=True), when
        )

    def _after_quiet_hours(self, when: datetime) -> datetime:
        """Move a moment out of the quiet hours (if any are set)."""
        if self.quiet_start == self.quiet_end:
            return when
        local = dt_util.as_local(when)
        moved = after_quiet_hours(local, self.quiet_start, self.quiet_end)
        return when if moved is local else dt_util.as_utc(moved)

    def _send_prompts(self, ritual: Ritual, occurrence: Occurrence) -> None:
        if self.engine.paused(ritual):
            return
        recipients = [
            (partner, target)
            for partner in self.engine.prompted_partners(ritual, occurrence)
            if not self._has_left(ritual, occurrence, partner)
            and (target := self.phones.target(partner)) is not None
            and self._within_cap(partner)
        ]
        if not recipients:
            return  # no idea is used up for a prompt nobody receives
        text = self.words.text(ritual, occurrence)
        for partner, target in recipients:
            if partner not in occurrence.prompted:
                occurrence.prompted.append(partner)
            message = f"{self.words.cue(ritual, occurrence, partner)}{text}"
            payload: dict[str, Any] = {"title": ritual.config.name, "message": message}
            if target.actionable:
                payload["data"] = {
                    "tag": notification_tag(occurrence.occurrence_id),
                    "group": DOMAIN,
                    "actions": self.words.actions(ritual, occurrence),
                }
            else:
                payload["title"] = self.words.plain_title(ritual, partner)
            self.phones.call(target, payload)

    def _has_left(self, ritual: Ritual, occurrence: Occurrence, partner: str) -> bool:
        """A ritual for the two at home does not follow a partner who went out since it
        started (a snoozed or quiet-hours prompt); "start now" is the couple's own choice.
        """
        return (
            ritual.config.presence is PresenceCondition.BOTH_HOME
            and not occurrence.manual
            and is_away(self.engine.partner_state(partner))
        )

    def _within_cap(self, partner: str) -> bool:
        """Count a prompt against the partner's daily cap; False once it is reached."""
        day = self.engine.today().isoformat()
        if count_against_cap(self.prompt_counts, day, partner, self.daily_cap):
            return True
        _LOGGER.debug("Daily prompt cap reached for partner %s", partner)
        return False

    # ------------------------------------------------------------- phone taps

    def rate_from_tap(self, rating: str, occurrence_id: str) -> None:
        """A partner rated the idea of a kept occurrence; the question leaves both phones."""
        idea_id = self.ideas.shown.get(occurrence_id)
        if idea_id is None:
            return  # too old, or another couple's
        self.ideas.rate(idea_id, rating)
        for partner in PARTNERS:
            target = self.phones.target(partner)
            if target is not None and target.actionable:
                self.phones.call(
                    target,
                    {"message": "clear_notification", "data": {"tag": feedback_tag(occurrence_id)}},
                )
        self.engine.async_save()

    def forward_reply(self, ritual: Ritual, partner: str, text: str) -> None:
        """Deliver an appreciation to the other partner; stored only if the couple wants."""
        if not text:
            return
        name = self.engine.partner_name(partner)
        target = self.phones.target(other(partner))
        if target is not None:
            self.phones.call(
                target,
                {
                    "title": self.library.phrases["appreciation_title"].format(partner=name),
                    # The words as they were written; the title says who wrote them.
                    "message": text,
                },
            )
        if self.store_replies:
            replies = ritual.state.replies
            replies.append({"at": dt_util.utcnow().isoformat(), "partner": partner, "text": text})
            del replies[:-MAX_STORED_REPLIES]
