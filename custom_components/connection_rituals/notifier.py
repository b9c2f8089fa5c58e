"""Prompts on the partners' phones: actionable, varied, fair and quiet.

The notifier hears the engine's events (an occurrence started, was snoozed, ended); it
decides who hears about it, when (quiet hours, daily cap), with which
words (own prompts or the idea library), and turns taps on the phone back into
engine actions. A failing notify service never breaks the engine.
"""

from __future__ import annotations

from datetime import datetime
import json
import logging
from pathlib import Path
import random
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
    PromptMode,
    RitualEventType,
    RitualKind,
)
from .core.idea_cycle import IdeaPool, next_idea
from .core.ideas import (
    CycleState,
    IdeaLibrary,
    IdeaMemory,
    Moment,
    own_prompts,
    parse_library,
    time_of_day,
)
from .core.prompting import (
    ACTION_DONE,
    ACTION_PREFIX,
    ACTION_REPLY,
    ACTION_SKIP,
    ACTION_SNOOZE,
    action_id,
    after_quiet_hours,
    count_against_cap,
    notification_tag,
)
from .core.schedule import HOME, PresenceCondition, is_away
from .events import ENDED, RitualEvent
from .idea_feedback import feedback_payload, feedback_tag
from .models import Occurrence, Ritual, parse_time
from .phones import Phones, Target
from .presence import other
from .timers import AtStarted
from .views import CoupleView

_LOGGER = logging.getLogger(__name__)

NOTIFY_TIMEOUT_SECONDS = 10
IDEAS_DIR = Path(__file__).parent / "ideas"
MAX_STORED_REPLIES = 100


def load_library(language: str) -> IdeaLibrary:
    """Read the idea library for a language, falling back to English (runs in the executor)."""
    candidates = [IDEAS_DIR / f"{language.lower()}.json"]
    if "-" in language:
        candidates.append(IDEAS_DIR / f"{language.split('-')[0].lower()}.json")
    candidates.append(IDEAS_DIR / "en.json")
    for path in candidates:
        if path.is_file():
            return parse_library(json.loads(path.read_text(encoding="utf-8")))
    raise FileNotFoundError(IDEAS_DIR / "en.json")


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
        self.rng = random.Random()
        self.phones = Phones(hass, engine.entry, engine.partner_name)
        self._timers: dict[str, CALLBACK_TYPE] = {}
        self._candidates: dict[str, tuple[str, IdeaPool]] = {}
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
        text = self._prompt_text(ritual, occurrence)
        for partner, target in recipients:
            if partner not in occurrence.prompted:
                occurrence.prompted.append(partner)
            message = f"{self._reunion_cue(ritual, occurrence, partner)}{text}"
            payload: dict[str, Any] = {"title": ritual.config.name, "message": message}
            if target.actionable:
                payload["data"] = {
                    "tag": notification_tag(occurrence.occurrence_id),
                    "group": DOMAIN,
                    "actions": self._actions(ritual, occurrence),
                }
            else:
                # A plain target may be shared (a TV, the sidebar): say who it is for.
                payload["title"] = self.library.phrases["plain_title"].format(
                    ritual=ritual.config.name, partner=self.engine.partner_name(partner)
                )
            self.phones.call(target, payload)

    def _reunion_cue(self, ritual: Ritual, occurrence: Occurrence, partner: str) -> str:
        """What is coming, before the idea: "Sam is home. Phones down for 10 minutes? ",
        or, for the one who arrived (or a reunion started by hand), just the second part."""
        minutes = ritual.config.window_minutes
        if ritual.config.kind is not RitualKind.REUNION or not minutes:
            return ""
        phrases = self.library.phrases
        actor = occurrence.actor
        if actor is None or actor == partner:
            return phrases["reunion_cue_self"].format(minutes=minutes) + " "
        return (
            phrases["reunion_cue"].format(partner=self.engine.partner_name(actor), minutes=minutes)
            + " "
        )

    def _has_left(self, ritual: Ritual, occurrence: Occurrence, partner: str) -> bool:
        """A ritual for the two at home does not follow a partner who went out since it
        started (a snoozed or quiet-hours prompt); "start now" is the couple's own choice.
        """
        return (
            ritual.config.presence is PresenceCondition.BOTH_HOME
            and not occurrence.manual
            and is_away(self.engine.partner_state(partner))
        )

    def _actions(self, ritual: Ritual, occurrence: Occurrence) -> list[dict[str, str]]:
        phrases = self.library.phrases
        # "Not today" is always offered (always free); Android shows three buttons.
        decline = {
            "action": action_id(ACTION_SKIP, occurrence.occurrence_id),
            "title": phrases[
                "skip_evening" if ritual.config.kind is RitualKind.BEDTIME else "skip"
            ],
        }
        if ritual.config.kind is RitualKind.BEDTIME and ritual.config.reply:
            # Reply takes Snooze's place: Reply, Done, Not tonight.
            return [
                {
                    "action": action_id(ACTION_REPLY, occurrence.occurrence_id),
                    "title": phrases["reply"],
                    "behavior": "textInput",
                },
                {
                    "action": action_id(ACTION_DONE, occurrence.occurrence_id),
                    "title": phrases["done"],
                },
                decline,
            ]
        return [
            {"action": action_id(ACTION_DONE, occurrence.occurrence_id), "title": phrases["done"]},
            {
                "action": action_id(ACTION_SNOOZE, occurrence.occurrence_id),
                "title": phrases["snooze"],
            },
            decline,
        ]

    def _prompt_text(self, ritual: Ritual, occurrence: Occurrence) -> str:
        """Own words, or the next idea of the ritual's pool (a shuffled cycle per couple
        and pool, fitted to the moment; own prompts mix in when both are chosen)."""
        config = ritual.config
        pool = self._candidates.get(config.ritual_id)
        if pool is None:
            # A ritual's settings only change through a reload: worked out once.
            own = own_prompts(config.prompt_text, config.ritual_id)
            if config.prompt_mode is PromptMode.OWN and own:
                pool = (f"own-{config.ritual_id}", IdeaPool(own))
            else:
                pool = (
                    config.kind.value,
                    IdeaPool((*self.library.for_kind(config.kind.value), *own)),
                )
            self._candidates[config.ritual_id] = pool
        key, candidates = pool
        memory = self.ideas
        sent_today = memory.today(self.engine.today().isoformat())
        moment = Moment(
            time_of_day=time_of_day(dt_util.now().hour),
            together=all(self.engine.partner_state(p) == HOME for p in PARTNERS),
        )
        chosen = next_idea(
            candidates,
            memory.cycles.get(key, CycleState()),
            moment,
            self.rng,
            avoid=sent_today,
            retired=memory.retired,
            weights=memory.weights(),
        )
        if chosen is None:
            return config.name
        idea, memory.cycles[key] = chosen
        if idea.idea_id not in sent_today:  # bounded by the library, however many prompts
            sent_today.append(idea.idea_id)
        memory.remember(occurrence.occurrence_id, idea.idea_id)
        return idea.text

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
