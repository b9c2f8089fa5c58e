"""The ritual engine of one couple: its commands, its read views, and its wiring.

Listeners (`triggers.py`) turn home events into commands; `presence.py` says who
arrived or left; the occurrence state machine (`occurrences.py`) starts and ends
occurrences; `figures.py` keeps the figures.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, State, callback
from homeassistant.util import dt as dt_util

from .const import (
    PARTNERS,
    Completion,
    RitualEventType,
    RitualKind,
)
from .core.interactions import (
    RATIO_DAYS,
    Balance,
    Interaction,
    Ratio,
    prune,
)
from .core.lifecycle import completes
from .core.reunion import device_free_start
from .core.rhythms import TimeProvider
from .core.schedule import HOME, arrival_counts
from .core.streaks import StreakStats
from .events import RitualEventListener
from .figures import export
from .house import HouseActions
from .models import Occurrence, Ritual, RitualConfig, RitualState
from .notifier import PartnerNotifier
from .occurrences import OccurrenceMachine
from .phone_actions import PhoneActions
from .presence import Move, device_use_change, other
from .prompt_words import load_library
from .repairs import async_check_entities
from .triggers import Triggers

__all__ = ["Ritual", "RitualEngine", "RitualEventListener"]

END, APART = "end", "apart"  # a ritual's timers: its window's end, its apart stretch


class RitualEngine(OccurrenceMachine):
    """Runs every ritual of one couple (one config entry)."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
        """Prepare the engine; `async_start` loads state and begins listening."""
        super().__init__(hass, entry)
        self.house = HouseActions(hass, entry)
        self.triggers = Triggers(hass, self, self.boundary, list(self.in_use_entities))

    # ----------------------------------------------------------------- lifecycle

    async def async_start(self) -> None:
        """Load persisted state, reconcile it with now, and start listening."""
        stored = await self.store.async_load_state(self.today(), self.rules)
        self.vacation = stored.vacation
        self.presence.away_since = dict(stored.away_since)
        self.presence.apart_since = stored.apart_since
        self.interactions = list(stored.interactions)
        self.initiative = list(stored.initiative)
        library = await self.hass.async_add_executor_job(load_library, self.hass.config.language)
        self.notifier = PartnerNotifier(
            self.hass, self, library, stored.ideas, dict(stored.prompt_counts)
        )
        self.notifier.async_start()
        # Each happening: the prompt on the phones first, then automations (the bus
        # event, the event entities), then the house.
        self.publisher.idea_of = self.notifier.idea_shown
        self.publisher.subscribe(self.notifier.on_event)
        self.publisher.subscribe(self.publisher.announce)
        self.publisher.subscribe(self.house.on_event)
        self.phone_actions = PhoneActions(self.hass, self, self.notifier)
        self.phone_actions.async_start()
        for subentry in self.entry.subentries.values():
            # Rituals are the only subentry type.
            config = RitualConfig.from_subentry(subentry.subentry_id, subentry.data)
            state = stored.rituals.get(subentry.subentry_id) or RitualState()
            self.rituals[subentry.subentry_id] = Ritual(config=config, state=state)
        now = dt_util.utcnow()
        for ritual in self.rituals.values():
            self._resume_occurrence(ritual, now)
        self.figures.recompute_all(self.today(now))
        # Closed while Home Assistant was down, or pruned: a smaller file from now on.
        self._commit(save=bool(self._changed) or stored.pruned)
        self.triggers.async_start()

    async def async_stop(self) -> None:
        """Stop listening and flush state to disk."""
        self._settle_before_stop()  # the flush below writes it
        self.triggers.async_stop()
        if self.notifier is not None:
            self.phone_actions.async_stop()
            self.notifier.async_stop()
        self.house.async_stop()
        self.timers.cancel_all()
        await self.store.async_flush(self.stored_data)

    # ------------------------------------------------------------------ queries

    @property
    def connection_stats(self) -> StreakStats:
        """The couple's streak over all rituals."""
        return self.figures.connection_stats

    def local_now(self) -> datetime:
        """Local time in Home Assistant's configured zone (read at call time)."""
        return dt_util.now()

    def partner_name(self, partner: str) -> str:
        """The partner's display name."""
        return self.presence.name(partner)

    # ------------------------------------------------------------- rhythm hook

    @property
    def time_provider(self) -> TimeProvider | None:
        """What may move time rituals to the couple's learned rhythm (None: as configured)."""
        return self.figures.time_provider

    @time_provider.setter
    def time_provider(self, provider: TimeProvider | None) -> None:
        self.figures.time_provider = self.triggers.daily.time_provider = provider

    @callback
    def async_times_changed(self) -> None:
        """Learned times moved: time rituals and the next-ritual time follow."""
        self.triggers.daily.reschedule()
        self.figures.forget_next_ritual()
        self._touch(None)
        self._commit(save=False)

    def partner_for_person(self, entity_id: str) -> str | None:
        """Which partner a person entity is."""
        return self.presence.partner_for_person(entity_id)

    def next_ritual(self) -> tuple[datetime, Ritual] | None:
        """The next time-triggered ritual start (local time) among enabled rituals."""
        return self.figures.next_ritual(self.vacation)

    def todays_rituals(self) -> list[Ritual]:
        """Enabled rituals active on today's ritual day."""
        return self.figures.todays_rituals(self.today())

    def positive_ratio(self) -> Ratio:
        """Completed rituals and logged positives against negatives, last 7 days."""
        return self.figures.positive_ratio(self.interactions, self.today())

    def initiative_balance(self) -> Balance:
        """Each partner's starts and completions, last 30 days."""
        return self.figures.initiative_balance(self.initiative, self.today())

    def export(self, ritual: Ritual) -> dict[str, Any]:
        """A ritual's history and figures as plain data."""
        return export(ritual)

    @callback
    def async_add_listener(self, ritual_id: str | None, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` when a ritual (or, for None, anything) changes."""
        return self.publisher.async_add_listener(ritual_id, update)

    @callback
    def async_add_event_listener(
        self, ritual_id: str, listener: RitualEventListener
    ) -> CALLBACK_TYPE:
        """Call `listener(type, data)` for each happening of a ritual."""
        return self.publisher.async_add_event_listener(ritual_id, listener)

    # ---------------------------------------------------- commands from listeners

    def emit(
        self, ritual: Ritual, event_type: RitualEventType, partner: str | None = None, **extra: Any
    ) -> None:
        """A happening the cue modules saw (`on_the_way`): published as every other one."""
        self._emit(ritual, event_type, partner, **extra)
        self._commit(save=False)

    def person_changed(self, partner: str, old: State | None, new: State) -> None:
        """A partner's person entity changed: an arrival or departure may start rituals."""
        now = dt_util.utcnow()
        move = self.presence.changed(partner, old, new, now)
        if move is not None and self.partner_state(other(partner)) == HOME:
            kind, away_for = move
            wanted = RitualKind.REUNION if kind is Move.ARRIVAL else RitualKind.DEPARTURE
            for ritual in self.rituals.values():
                if ritual.config.kind is wanted and (
                    kind is Move.DEPARTURE or arrival_counts(away_for, ritual.config.min_away)
                ):
                    self._start(ritual, actor=partner)
        self._bookkeeping.append(partial(self._refresh_apart, now))
        self._commit_after_dispatch()

    def device_changed(self, old: State | None, new: State | None) -> None:
        """A screen or TV changed. Reading the prompt never counts; later use only keeps
        the window from completing by itself. Nothing says who or which device."""
        change = device_use_change(old, new)
        if change is None:
            return
        was_in_use, in_use = change
        now = dt_util.utcnow()
        touched = False
        for ritual in self.rituals.values():
            occurrence = ritual.state.occurrence
            if ritual.config.kind is not RitualKind.REUNION or occurrence is None:
                continue
            if occurrence.device_free_from is None:
                start = device_free_start(
                    occurrence.started_at,
                    self.reading_time,
                    now,
                    any_in_use=self.any_device_in_use(),
                    screen_went_dark=was_in_use and not in_use,
                )
                if start is None:
                    continue  # still reading the prompt
                occurrence.device_free_from = start
                if start == now and ritual.config.window_minutes:
                    # Read and put down early: the device-free minutes start now.
                    occurrence.ends_at = now + timedelta(minutes=ritual.config.window_minutes)
                    self._schedule_end(ritual)
                    self._touch(ritual.config.ritual_id)
                    continue
            if in_use and not occurrence.device_used:
                occurrence.device_used = touched = True
        if touched or self._changed:
            self._commit()

    def presence_settled(self) -> None:
        """Home Assistant runs: an apart stretch already under way is picked up."""
        self._refresh_apart(dt_util.utcnow())
        self._commit(save=bool(self._changed))

    def check_entities(self) -> None:
        """Raise or clear repair issues for the entities the couple relies on."""
        configs = [ritual.config for ritual in self.rituals.values()]
        async_check_entities(self.hass, self.entry, self.persons, self.in_use_entities, configs)

    def time_triggered(self, ritual: Ritual) -> None:
        """A ritual's daily time came (the next-ritual time moves on either way)."""
        self._start(ritual)
        self._touch(None)
        self._commit(save=ritual.config.ritual_id in self._changed)

    def new_day(self) -> None:
        """A new ritual day: close open-ended occurrences of the old one, refresh figures."""
        today = self.today()
        for ritual in self.rituals.values():
            occurrence = ritual.state.occurrence
            if occurrence and occurrence.ends_at is None and occurrence.day < today:
                self._finish(ritual, completed=False)
        self.figures.recompute_all(today)
        self._changed.update(self.rituals)
        self._commit()

    def new_time_zone(self) -> None:
        """A new time zone: the ritual day and the figures follow its local clock."""
        self.figures.recompute_all(self.today())
        self._changed.update(self.rituals)
        self._commit(save=False)

    # -------------------------------------------------- commands from people

    def attempt_start(
        self, ritual: Ritual, actor: str | None = None, manual: bool = False
    ) -> Occurrence | None:
        """Start an occurrence if the ritual's conditions hold (always, when manual)."""
        occurrence = self._start(ritual, actor, manual)
        self._commit(save=bool(self._changed))
        return occurrence

    def complete(self, ritual: Ritual, partner: str | None = None) -> None:
        """Done: completes the open occurrence, or records today's completion."""
        occurrence = ritual.state.occurrence
        if occurrence is None:
            self._record_completion(ritual, self.today(), partner)
        else:
            if partner and partner not in occurrence.completed_by:
                occurrence.completed_by.append(partner)
            each = ritual.config.completion is Completion.EACH
            if completes(each, partner, occurrence.completed_by, PARTNERS):
                self._finish(ritual, completed=True, partner=partner)
        self._touch(ritual.config.ritual_id)
        self._commit()

    def snooze(self, ritual: Ritual, minutes: float, partner: str | None = None) -> None:
        """Push the prompt (and the window's end) back."""
        occurrence = ritual.state.occurrence
        if occurrence is None:
            return
        now = dt_util.utcnow()
        delay = timedelta(minutes=minutes)
        occurrence.snoozed_until = now + delay
        if occurrence.ends_at is not None:
            occurrence.ends_at = max(occurrence.ends_at, now) + delay
            self._schedule_end(ritual)
        self._emit(ritual, RitualEventType.SNOOZED, partner, snoozed_until=now + delay)
        self._touch(ritual.config.ritual_id)
        self._commit()

    def skip(self, ritual: Ritual, partner: str | None = None) -> None:
        """The couple chose to skip: the open occurrence, or today's ritual."""
        occurrence = ritual.state.occurrence
        self._cancel_timers(ritual)
        self._record(ritual, occurrence.day if occurrence else self.today(), skipped=1)
        self._emit(ritual, RitualEventType.SKIPPED, partner)
        self._end_occurrence(ritual)
        self._touch(ritual.config.ritual_id)
        self._commit()

    def set_enabled(self, ritual: Ritual, enabled: bool) -> None:
        """Turn a ritual on or off; turning it off ends its open window."""
        ritual.state.enabled = enabled
        if not enabled and ritual.state.occurrence is not None:
            self._cancel_timers(ritual)
            self._end_occurrence(ritual)
        if enabled:
            self._refresh_apart(dt_util.utcnow())  # an apart stretch already due starts now
        self._touch(ritual.config.ritual_id)
        self._commit()

    def set_vacation(self, on: bool) -> None:
        """Vacation mode: every day is paused (neutral)."""
        self.vacation = on
        if not on:
            self._refresh_apart(dt_util.utcnow())  # an apart stretch already due starts now
        self._touch(None)
        self._commit()

    def reset(self, ritual: Ritual) -> None:
        """Forget a ritual's history (admin)."""
        self._cancel_timers(ritual)
        self._end_occurrence(ritual)
        enabled, rotation = ritual.state.enabled, ritual.state.rotation
        ritual.state = RitualState(enabled=enabled, rotation=rotation)
        self.figures.recompute_all(self.today())
        self._touch(ritual.config.ritual_id)
        self._commit()

    def log_interaction(self, positive: bool, partner: str | None, note: str | None) -> None:
        """A positive or negative moment, for the 5:1 ratio."""
        today = self.today()
        moment = Interaction(today, positive, partner, note)
        self.interactions = prune([*self.interactions, moment], today, RATIO_DAYS)
        self._touch(None)
        self._commit()
