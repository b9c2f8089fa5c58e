"""Prompts on the partners' phones: actionable, varied, fair and quiet.

The engine tells the notifier when an occurrence starts, is snoozed or ends; the
notifier decides who hears about it, when (quiet hours, daily cap), with which
words (own prompts or the idea library), and turns taps on the phone back into
engine actions. A failing notify service never breaks the engine.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
import json
import logging
from pathlib import Path
import random
from typing import TYPE_CHECKING, Any

from homeassistant.const import EVENT_SERVICE_REGISTERED, EVENT_SERVICE_REMOVED
from homeassistant.core import CALLBACK_TYPE, Event, HassJob, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util, slugify

from .compat import device_config_entry_ids
from .const import (
    CONF_DAILY_CAP,
    CONF_IDEA_FEEDBACK,
    CONF_NOTIFY_A,
    CONF_NOTIFY_B,
    CONF_PHONE_A,
    CONF_PHONE_B,
    CONF_QUIET_END,
    CONF_QUIET_START,
    CONF_STORE_REPLIES,
    DEFAULT_DAILY_CAP,
    DOMAIN,
    PARTNER_A,
    PARTNER_B,
    PARTNERS,
    PromptMode,
    RitualKind,
)
from .core.ideas import (
    CycleState,
    Idea,
    IdeaLibrary,
    Moment,
    next_idea,
    own_prompts,
    parse_library,
    time_of_day,
)
from .core.schedule import HOME, PresenceCondition, in_active_hours, is_away
from .idea_feedback import FEEDBACK_ACTIONS, feedback_payload, feedback_tag
from .models import Occurrence, parse_time

if TYPE_CHECKING:
    from .engine import Ritual, RitualEngine

_LOGGER = logging.getLogger(__name__)

EVENT_NOTIFICATION_ACTION = "mobile_app_notification_action"
ACTION_PREFIX = "CONNECTION_RITUALS"
ACTION_DONE = "DONE"
ACTION_SNOOZE = "SNOOZE"
ACTION_SKIP = "SKIP"
ACTION_REPLY = "REPLY"
NOTIFY_TIMEOUT_SECONDS = 10
IDEAS_DIR = Path(__file__).parent / "ideas"
MAX_STORED_REPLIES = 100


def notification_tag(occurrence: Occurrence) -> str:
    """One tag per occurrence: re-sends replace, completion clears."""
    return f"connection_rituals_{occurrence.occurrence_id}"


def action_id(action: str, occurrence: Occurrence) -> str:
    """An action identifier carrying the occurrence id."""
    return f"{ACTION_PREFIX}_{action}_{occurrence.occurrence_id}"


def parse_action(action: Any) -> tuple[str, str] | None:
    """(action, occurrence id) from an action identifier, or None if it is not ours."""
    if not isinstance(action, str) or not action.startswith(f"{ACTION_PREFIX}_"):
        return None
    kind, _, occurrence_id = action[len(ACTION_PREFIX) + 1 :].partition("_")
    known = (ACTION_DONE, ACTION_SNOOZE, ACTION_SKIP, ACTION_REPLY, *FEEDBACK_ACTIONS)
    if kind not in known or not occurrence_id:
        return None
    return kind, occurrence_id


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


@dataclass(frozen=True, slots=True)
class Target:
    """Where a partner's prompts go."""

    service: str  # notify service name, without the domain
    actionable: bool  # a companion app phone
    android: bool = False


class PartnerNotifier:
    """Sends, replaces and clears the couple's ritual prompts."""

    def __init__(self, hass: HomeAssistant, engine: RitualEngine, library: IdeaLibrary) -> None:
        """Prepare; `async_start` begins listening."""
        self.hass = hass
        self.engine = engine
        self.library = library
        options = engine.entry.options
        self.quiet_start = parse_time(options.get(CONF_QUIET_START) or "00:00:00")
        self.quiet_end = parse_time(options.get(CONF_QUIET_END) or "00:00:00")
        self.daily_cap = int(options.get(CONF_DAILY_CAP, DEFAULT_DAILY_CAP))
        self.store_replies = bool(options.get(CONF_STORE_REPLIES, False))
        self.idea_feedback = bool(options.get(CONF_IDEA_FEEDBACK, False))
        self.rng = random.Random()
        self._phones = {
            PARTNER_A: engine.entry.data.get(CONF_PHONE_A),
            PARTNER_B: engine.entry.data.get(CONF_PHONE_B),
        }
        self._plain = {
            PARTNER_A: engine.entry.data.get(CONF_NOTIFY_A),
            PARTNER_B: engine.entry.data.get(CONF_NOTIFY_B),
        }
        self._timers: dict[str, CALLBACK_TYPE] = {}
        self._failing: set[str] = set()
        self._candidates: dict[str, tuple[str, tuple[Idea, ...]]] = {}
        self._targets: dict[str, Target | None] = {}
        self._unsubs: list[CALLBACK_TYPE] = []

    # ---------------------------------------------------------------- lifecycle

    @callback
    def async_start(self) -> None:
        """Listen to taps and to notify services coming and going."""
        self._unsubs.append(
            self.hass.bus.async_listen(EVENT_NOTIFICATION_ACTION, self._async_on_action)
        )
        self._unsubs.append(
            self.hass.bus.async_listen(EVENT_SERVICE_REGISTERED, self._async_on_service_change)
        )
        self._unsubs.append(
            self.hass.bus.async_listen(EVENT_SERVICE_REMOVED, self._async_on_service_change)
        )
        self._unsubs.append(
            self.hass.bus.async_listen(
                dr.EVENT_DEVICE_REGISTRY_UPDATED, self._async_on_device_change
            )
        )
        self._unsubs.append(async_at_started(self.hass, self._async_check_targets))

    @callback
    def async_stop(self) -> None:
        """Stop listening and cancel pending re-sends."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        for cancel in self._timers.values():
            cancel()
        self._timers.clear()

    # ----------------------------------------------------------------- targets

    def target(self, partner: str) -> Target | None:
        """A partner's phone (or plain notify service), as it is now.

        Resolved when first needed and again whenever a notify service comes or goes
        or a device changes, so a renamed phone keeps working.
        """
        if partner in self._targets:
            return self._targets[partner]
        target = self._targets[partner] = self._resolve_target(partner)
        return target

    def _resolve_target(self, partner: str) -> Target | None:
        if device_id := self._phones[partner]:
            device = dr.async_get(self.hass).async_get(device_id)
            for entry_id in device_config_entry_ids(device) if device else ():
                entry = self.hass.config_entries.async_get_entry(entry_id)
                if entry is None or entry.domain != "mobile_app":
                    continue
                service = slugify(f"mobile_app_{entry.data.get('device_name', '')}")
                if self.hass.services.has_service("notify", service):
                    return Target(
                        service, actionable=True, android=entry.data.get("os_name") == "Android"
                    )
        if plain := self._plain[partner]:
            service = str(plain).removeprefix("notify.")
            if self.hass.services.has_service("notify", service):
                return Target(service, actionable=False)
        return None

    def _configured(self, partner: str) -> str | None:
        return self._phones[partner] or self._plain[partner]

    @callback
    def _async_on_service_change(self, event: Event) -> None:
        if event.data.get("domain") == "notify":
            self._targets.clear()
            self._async_check_targets(self.hass)

    @callback
    def _async_on_device_change(self, event: Event[dr.EventDeviceRegistryUpdatedData]) -> None:
        self._targets.clear()

    @callback
    def _async_check_targets(self, hass: HomeAssistant) -> None:
        """A configured target that is missing raises a repair issue; back, it clears."""
        for partner in PARTNERS:
            configured = self._configured(partner)
            issue_id = f"notify_target_missing_{self.engine.entry.entry_id}_{partner}"
            if configured and self.target(partner) is None:
                ir.async_create_issue(
                    hass,
                    DOMAIN,
                    issue_id,
                    is_fixable=False,
                    severity=ir.IssueSeverity.WARNING,
                    translation_key="notify_target_missing",
                    translation_placeholders={"partner": self.engine.partner_name(partner)},
                )
            else:
                ir.async_delete_issue(hass, DOMAIN, issue_id)

    # ------------------------------------------------------------------ engine

    def on_started(self, ritual: Ritual, occurrence: Occurrence) -> None:
        """Prompt the right partner(s), now or when quiet hours end."""
        self._prompt_at(ritual, occurrence, dt_util.utcnow())
        if ritual.config.dnd and ritual.config.kind is RitualKind.REUNION:
            self._set_dnd(occurrence, on=True)

    def on_snoozed(self, ritual: Ritual, occurrence: Occurrence) -> None:
        """Remove the prompt now and bring it back after the snooze."""
        self._clear(occurrence)
        if occurrence.snoozed_until is not None:
            self._prompt_at(ritual, occurrence, occurrence.snoozed_until)

    def on_ended(self, ritual: Ritual, occurrence: Occurrence) -> None:
        """Clear the prompt on both phones; lift do-not-disturb.

        At start-up (a window that closed while Home Assistant was down) the
        phones' notify services may not exist yet: wait until Home Assistant runs.
        """
        if cancel := self._timers.pop(occurrence.occurrence_id, None):
            cancel()

        @callback
        def _tidy_up(hass: HomeAssistant) -> None:
            self._clear(occurrence)
            if occurrence.dnd:
                self._set_dnd(occurrence, on=False)
            if self.idea_feedback and occurrence.completed_by:
                self._ask_about_the_idea(occurrence)

        self._unsubs.append(async_at_started(self.hass, _tidy_up))

    def _ask_about_the_idea(self, occurrence: Occurrence) -> None:
        """After a kept ritual: did the couple love its idea? (phones with buttons only)"""
        payload = feedback_payload(
            self.library, self.engine.ideas, occurrence.occurrence_id, ACTION_PREFIX
        )
        if payload is None:
            return
        for partner in occurrence.prompted:
            target = self.target(partner)
            if target is not None and target.actionable:
                self._call(target, payload)

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
        if not in_active_hours(local.time(), self.quiet_start, self.quiet_end):
            return when
        end = local.replace(
            hour=self.quiet_end.hour,
            minute=self.quiet_end.minute,
            second=self.quiet_end.second,
            microsecond=0,
        )
        if end <= local:
            end += timedelta(days=1)
        return dt_util.as_utc(end)

    def _send_prompts(self, ritual: Ritual, occurrence: Occurrence) -> None:
        if self.engine.vacation or not ritual.state.enabled:
            return
        recipients = [
            (partner, target)
            for partner in self.engine.prompted_partners(ritual, occurrence)
            if not self._has_left(ritual, occurrence, partner)
            and (target := self.target(partner)) is not None
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
                    "tag": notification_tag(occurrence),
                    "group": DOMAIN,
                    "actions": self._actions(ritual, occurrence),
                }
            else:
                # A plain target may be shared (a TV, the sidebar): say who it is for.
                payload["title"] = self.library.phrases["plain_title"].format(
                    ritual=ritual.config.name, partner=self.engine.partner_name(partner)
                )
            self._call(target, payload)

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
            "action": action_id(ACTION_SKIP, occurrence),
            "title": phrases[
                "skip_evening" if ritual.config.kind is RitualKind.BEDTIME else "skip"
            ],
        }
        if ritual.config.kind is RitualKind.BEDTIME and ritual.config.reply:
            # Reply takes Snooze's place: Reply, Done, Not tonight.
            return [
                {
                    "action": action_id(ACTION_REPLY, occurrence),
                    "title": phrases["reply"],
                    "behavior": "textInput",
                },
                {"action": action_id(ACTION_DONE, occurrence), "title": phrases["done"]},
                decline,
            ]
        return [
            {"action": action_id(ACTION_DONE, occurrence), "title": phrases["done"]},
            {"action": action_id(ACTION_SNOOZE, occurrence), "title": phrases["snooze"]},
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
                pool = (f"own-{config.ritual_id}", own)
            else:
                pool = (config.kind.value, (*self.library.for_kind(config.kind.value), *own))
            self._candidates[config.ritual_id] = pool
        key, candidates = pool
        memory = self.engine.ideas
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
        sent_today.append(idea.idea_id)
        memory.remember(occurrence.occurrence_id, idea.idea_id)
        return idea.text

    def _within_cap(self, partner: str) -> bool:
        """Count a prompt against the partner's daily cap; False once it is reached."""
        today = self.engine.today()
        counts = self.engine.prompt_counts
        if counts.get("day") != today.isoformat():
            counts.clear()
            counts["day"] = today.isoformat()
        sent = int(counts.get(partner, 0))
        if sent >= self.daily_cap:
            _LOGGER.debug("Daily prompt cap reached for partner %s", partner)
            return False
        counts[partner] = sent + 1
        return True

    def _clear(self, occurrence: Occurrence) -> None:
        """Remove the prompt from every phone that received it."""
        for partner in occurrence.prompted:
            target = self.target(partner)
            if target is not None and target.actionable:
                self._call(
                    target,
                    {
                        "message": "clear_notification",
                        "data": {"tag": notification_tag(occurrence)},
                    },
                )

    def _set_dnd(self, occurrence: Occurrence, on: bool) -> None:
        """Android phones go quiet for the device-free window (iOS has no such command)."""
        for partner in PARTNERS:
            target = self.target(partner)
            if target is None or not target.android:
                continue
            if on:
                if partner not in occurrence.dnd:
                    occurrence.dnd.append(partner)
            elif partner not in occurrence.dnd:
                continue
            self._call(
                target,
                {
                    "message": "command_dnd",
                    "data": {"command": "priority_only" if on else "off"},
                },
            )
        if not on:
            occurrence.dnd.clear()

    def _call(self, target: Target, payload: dict[str, Any]) -> None:
        """Send in the background; a failing or hanging service is logged once."""

        async def _send() -> None:
            try:
                async with asyncio.timeout(NOTIFY_TIMEOUT_SECONDS):
                    await self.hass.services.async_call(
                        "notify", target.service, payload, blocking=True
                    )
            except Exception as err:
                if target.service not in self._failing:
                    self._failing.add(target.service)
                    _LOGGER.warning(
                        "Sending a ritual prompt through notify.%s failed: %s",
                        target.service,
                        str(err) or type(err).__name__,
                    )
            else:
                self._failing.discard(target.service)

        self.hass.async_create_background_task(_send(), f"{DOMAIN} notify {target.service}")

    # ------------------------------------------------------------- phone taps

    @callback
    def _async_on_action(self, event: Event) -> None:
        parsed = parse_action(event.data.get("action"))
        if parsed is None:
            return
        kind, occurrence_id = parsed
        if kind in FEEDBACK_ACTIONS:
            self._rate_from_tap(event, FEEDBACK_ACTIONS[kind], occurrence_id)
            return
        ritual = next(
            (
                r
                for r in self.engine.rituals.values()
                if r.state.occurrence is not None
                and r.state.occurrence.occurrence_id == occurrence_id
            ),
            None,
        )
        if ritual is None:
            return  # stale, finished, or another couple's occurrence
        partner = self._partner_of_user(event.context.user_id)
        if partner is None:
            _LOGGER.debug("Ignoring a ritual action from a user who is not a partner")
            return
        if kind == ACTION_DONE:
            self.engine.complete(ritual, partner)
        elif kind == ACTION_SNOOZE:
            self.engine.snooze(ritual, self.engine.snooze_minutes, partner)
        elif kind == ACTION_SKIP:
            self.engine.skip(ritual, partner)
        else:
            self._forward_reply(ritual, partner, str(event.data.get("reply_text") or "").strip())
            self.engine.complete(ritual, partner)

    def _rate_from_tap(self, event: Event, rating: str, occurrence_id: str) -> None:
        """A partner rated the idea of a kept occurrence; the question leaves both phones."""
        idea_id = self.engine.ideas.shown.get(occurrence_id)
        if idea_id is None or self._partner_of_user(event.context.user_id) is None:
            return  # too old, another couple's, or not one of the partners
        self.engine.ideas.rate(idea_id, rating)
        for partner in PARTNERS:
            target = self.target(partner)
            if target is not None and target.actionable:
                self._call(
                    target,
                    {"message": "clear_notification", "data": {"tag": feedback_tag(occurrence_id)}},
                )
        self.engine.async_save()

    def _partner_of_user(self, user_id: str | None) -> str | None:
        if user_id is None:
            return None
        for partner, person in self.engine.persons.items():
            state = self.hass.states.get(person)
            if state is not None and state.attributes.get("user_id") == user_id:
                return partner
        return None

    def _forward_reply(self, ritual: Ritual, partner: str, text: str) -> None:
        """Deliver an appreciation to the other partner; stored only if the couple wants."""
        if not text:
            return
        other = PARTNER_B if partner == PARTNER_A else PARTNER_A
        name = self.engine.partner_name(partner)
        target = self.target(other)
        if target is not None:
            self._call(
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
