"""The occurrence state machine of one couple: its state, and how occurrences start,
end and are timed. Each happening is published once (`events.py`) to the phones, the
house, the bus and the event entities; a command ends with `_commit`: one update per
changed entity and one debounced save."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
import random
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .clock import RitualClock
from .const import (
    CONF_DAY_BOUNDARY,
    CONF_DEVICES_A,
    CONF_DEVICES_B,
    CONF_GRACE_DAYS,
    CONF_PARTNER_A,
    CONF_PARTNER_B,
    CONF_READING_MINUTES,
    CONF_SNOOZE_MINUTES,
    DEFAULT_DAY_BOUNDARY,
    DEFAULT_GRACE_DAYS,
    DEFAULT_READING_MINUTES,
    DEFAULT_SNOOZE_MINUTES,
    DOMAIN,
    PARTNER_A,
    PARTNER_B,
    PARTNERS,
    Prompted,
    RitualEventType,
    RitualKind,
)
from .core.ideas import IdeaMemory
from .core.interactions import (
    INITIATIVE_DAYS,
    Initiative,
    Interaction,
    prune,
)
from .core.lifecycle import prompted_partners
from .core.reunion import kept_by_itself
from .core.schedule import HOME, presence_holds
from .core.streaks import StreakRules, milestone_reached
from .events import ENDED, Publisher, RitualEvent
from .figures import NO_RECORD, Figures
from .models import Occurrence, Ritual, parse_time
from .notifier import PartnerNotifier
from .presence import Presence
from .storage import RitualsStore, StoredState
from .timers import Timers

END, APART = "end", "apart"  # a ritual's timers: its window's end, its apart stretch


class OccurrenceMachine:
    """The state of one couple's rituals and the transitions of their occurrences."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
        """Prepare the engine; `async_start` loads state and begins listening."""
        self.hass = hass
        self.entry = entry
        # The couple's device in the device registry (set up before the platforms): each
        # ritual's device points to it.
        self.couple_device_id = ""
        self.persons: dict[str, str] = {
            PARTNER_A: entry.data[CONF_PARTNER_A],
            PARTNER_B: entry.data[CONF_PARTNER_B],
        }
        self.in_use_entities: dict[str, str] = {}
        for partner, key in ((PARTNER_A, CONF_DEVICES_A), (PARTNER_B, CONF_DEVICES_B)):
            for entity_id in entry.data.get(key, []):
                self.in_use_entities[entity_id] = partner
        self.boundary = parse_time(entry.data.get(CONF_DAY_BOUNDARY), DEFAULT_DAY_BOUNDARY)
        self.rules = StreakRules(
            grace_days_per_week=int(entry.options.get(CONF_GRACE_DAYS, DEFAULT_GRACE_DAYS)),
        )
        options = entry.options
        self.snooze_minutes = float(options.get(CONF_SNOOZE_MINUTES, DEFAULT_SNOOZE_MINUTES))
        self.reading_time = timedelta(
            minutes=float(options.get(CONF_READING_MINUTES, DEFAULT_READING_MINUTES))
        )
        self.store = RitualsStore(hass, entry.entry_id)
        self.rituals: dict[str, Ritual] = {}
        self.vacation = False
        self.interactions: list[Interaction] = []
        self.initiative: list[Initiative] = []
        self.clock = RitualClock(hass, self.boundary)
        self.presence = Presence(hass, self.persons, self.in_use_entities)
        self.figures = Figures(self.rituals, self.rules, self.boundary)
        self.publisher = Publisher(hass, entry.entry_id, self.persons)
        self.notifier: PartnerNotifier | None = None
        self.timers = Timers(hass)
        # Occurrence ids only need to be unique: a seeded generator is much cheaper
        # than uuid4 (a system call) on the arrival path.
        self._occurrence_ids = random.Random()
        self._changed: set[str | None] = set()
        # What a command leaves for its end (a start's day record and end timer, the
        # apart stretch after an arrival): the prompt and the event do not wait for it.
        self._bookkeeping: list[Callable[[], None]] = []
        self._commit_pending: asyncio.Task[None] | None = None

    def today(self, now: datetime | None = None) -> date:
        """The current ritual day."""
        return self.clock.today(now)

    def partner_state(self, partner: str) -> str:
        """The partner's person state, or unknown."""
        return self.presence.state(partner)

    def paused(self, ritual: Ritual) -> bool:
        """Vacation or a ritual turned off: nothing is prompted, nothing set in motion."""
        return self.vacation or not ritual.state.enabled

    def any_device_in_use(self) -> bool:
        """Whether any "device in use" entity of either partner is in use now."""
        return self.presence.any_device_in_use()

    def prompted_partners(self, ritual: Ritual, occurrence: Occurrence) -> list[str]:
        """Who gets the prompt, by the ritual's rule (alternate rotates fairly)."""
        at_home = [p for p in PARTNERS if self.partner_state(p) == HOME]
        return prompted_partners(
            ritual.config.prompted.value,
            PARTNERS,
            occurrence.actor,
            ritual.state.rotation,
            at_home,
        )

    @property
    def ideas(self) -> IdeaMemory:
        """What the idea selection remembers (the notifier's, once it runs)."""
        return self.notifier.ideas if self.notifier is not None else IdeaMemory()

    def async_save(self) -> None:
        """Schedule a debounced write (for the notifier's bookkeeping)."""
        self.store.async_delay_save(self.stored_data)

    # ------------------------------------------------------------ the machine

    def _touch(self, ritual_id: str | None) -> None:
        self._changed.add(ritual_id)

    def _commit(self, save: bool = True) -> None:
        """The end of a command: its bookkeeping, one update per changed entity, one
        debounced save."""
        self._do_bookkeeping()
        if self._changed or self.publisher.has_pending:
            changed, self._changed = self._changed, set()
            self.publisher.changed(changed)
        if save:
            self.async_save()

    def _commit_after_dispatch(self) -> None:
        """The end of a command from a state-change listener: Home Assistant delivers
        the events it fired (the `started` event first) once every listener of the
        state change returned; the bookkeeping, the entity updates and the save follow
        just after (a task of the entry, not `call_soon`: up to 2026.2 the listener
        itself runs from `call_soon`, and waiting for Home Assistant waits only for
        tasks)."""
        if self._commit_pending is None:
            self._commit_pending = self.entry.async_create_task(
                self.hass, self._async_commit(), f"{DOMAIN} commit", eager_start=False
            )

    async def _async_commit(self) -> None:
        self._commit_pending = None
        self._commit()

    def _do_bookkeeping(self) -> None:
        while self._bookkeeping:
            pending, self._bookkeeping = self._bookkeeping, []
            for step in pending:
                step()

    def _settle_before_stop(self) -> None:
        """Stopping: what a command left for later is done now (the flush writes it)."""
        if self._commit_pending is not None:
            self._commit_pending.cancel()
            self._commit_pending = None
        self._do_bookkeeping()

    def _start(
        self, ritual: Ritual, actor: str | None = None, manual: bool = False
    ) -> Occurrence | None:
        if ritual.state.occurrence is not None:
            return None
        now = dt_util.utcnow()
        day = self.today(now)
        config = ritual.config
        if not manual:
            record = ritual.state.history.get(day, NO_RECORD)
            if not config.window.allows(dt_util.as_local(now), self.boundary, day):
                return None
            if not presence_holds(
                config.presence, self.partner_state(PARTNER_A), self.partner_state(PARTNER_B)
            ):
                return None  # no opportunity: a neutral day
            if config.once_per_day and (record.started or record.skipped or record.completed):
                return None
            if self.paused(ritual):
                if not record.paused:  # a paused day is paused once, however often retried
                    self._record(ritual, day, paused=1)
                    self._touch(config.ritual_id)
                return None
        window = timedelta(minutes=config.window_minutes) if config.window_minutes else None
        # A reunion's prompt gets its reading time before the device-free minutes.
        reading = self.reading_time if config.kind is RitualKind.REUNION else timedelta(0)
        occurrence = Occurrence(
            occurrence_id=f"{self._occurrence_ids.getrandbits(48):012x}",
            day=day,
            started_at=now,
            ends_at=now + reading + window if window else None,
            actor=actor,
            manual=manual,
            device_free_from=now if not reading else None,
        )
        ritual.state.occurrence = occurrence
        # What people notice first: the prompt on the phones, then automations
        # listening for the event; the bookkeeping and entity updates follow at the
        # command's end (a start changes no figure the event carries).
        self._emit(ritual, RitualEventType.STARTED, actor)
        self._bookkeeping.append(partial(self._started, ritual, occurrence))
        self._touch(config.ritual_id)
        return occurrence

    def _started(self, ritual: Ritual, occurrence: Occurrence) -> None:
        """A start's bookkeeping: the day's record, initiative, the end timer (an
        occurrence already ended within the same command still started that day)."""
        self._record(ritual, occurrence.day, started=1)
        if occurrence.actor is not None and occurrence.manual:
            # Started on purpose (a tap, an action); an arrival or departure is no initiative.
            self._took_initiative(occurrence.day, occurrence.actor, "start")
        if ritual.state.occurrence is occurrence:
            self._schedule_end(ritual)

    def _finish(self, ritual: Ritual, completed: bool, partner: str | None = None) -> None:
        occurrence = ritual.state.occurrence
        if occurrence is None:
            return
        self._cancel_timers(ritual)
        if completed:
            self._record_completion(ritual, occurrence.day, partner)
        else:
            self._record(ritual, occurrence.day, missed=1)
            # Not marked belongs to the couple: no partner is named.
            self._emit(ritual, RitualEventType.MISSED)
        if ritual.config.prompted is Prompted.ALTERNATE:
            ritual.state.rotation += 1
        self._end_occurrence(ritual)
        self._touch(ritual.config.ritual_id)

    def _end_occurrence(self, ritual: Ritual) -> None:
        """The window is over, however it ended: phones and the house are tidied up."""
        occurrence = ritual.state.occurrence
        ritual.state.occurrence = None
        if occurrence is not None:
            self.publisher.publish(RitualEvent(ENDED, ritual, occurrence))

    def _record_completion(self, ritual: Ritual, day: date, partner: str | None) -> None:
        if partner is not None:
            self._took_initiative(day, partner, "complete")
        before = ritual.stats.current
        ritual.state.last_completed = dt_util.utcnow()
        self._record(ritual, day, completed=1)
        self._emit(ritual, RitualEventType.COMPLETED, partner)
        milestone = milestone_reached(before, ritual.stats.current)
        if milestone is not None:
            self._emit(ritual, RitualEventType.STREAK_MILESTONE, partner, milestone=milestone)

    def _record(self, ritual: Ritual, day: date, **counts: int) -> None:
        self.figures.record(ritual, day, self.today(), **counts)

    def _took_initiative(self, day: date, partner: str, action: str) -> None:
        self.initiative.append(Initiative(day, partner, action))
        # Records arrive (nearly) in day order: copy the list only when its oldest is due
        # to go; the balance itself reads only its own 30 days.
        if (self.today() - self.initiative[0].day).days > INITIATIVE_DAYS:
            self.initiative = prune(self.initiative, self.today(), INITIATIVE_DAYS)

    def _emit(
        self, ritual: Ritual, event_type: RitualEventType, partner: str | None = None, **extra: Any
    ) -> None:
        self.publisher.publish(
            RitualEvent(
                event_type,
                ritual,
                ritual.state.occurrence,
                partner,
                paused=self.paused(ritual),
                extra=extra,
            )
        )

    def _refresh_apart(self, now: datetime) -> None:
        """Follow the apart stretch: start apart rituals when due, end them at reunion."""
        news = self.presence.refresh_apart(now)
        if news is None:
            return
        for ritual in self.rituals.values():
            if ritual.config.kind is not RitualKind.APART:
                continue
            key = (ritual.config.ritual_id, APART)
            if not news.apart:
                self.timers.cancel(key)
                if ritual.state.occurrence is not None and news.reunited:
                    self._finish(ritual, completed=False)
                continue
            if not self.timers.pending(key) and ritual.state.occurrence is None:
                assert self.presence.apart_since is not None
                due = self.presence.apart_since + ritual.config.apart_for
                if due <= now:
                    self._maybe_start_apart(ritual, now)
                else:
                    self.timers.start(key, due, partial(self.start_due_apart, ritual))

    def start_due_apart(self, ritual: Ritual) -> None:
        """An apart ritual whose stretch may have matured."""
        self._maybe_start_apart(ritual, dt_util.utcnow())
        self._commit(save=bool(self._changed))

    def _maybe_start_apart(self, ritual: Ritual, now: datetime) -> None:
        occurrence = ritual.state.occurrence
        if occurrence and occurrence.ends_at is None and occurrence.day < self.today(now):
            # A woken host runs overdue timers in any order: yesterday's ends first.
            self._finish(ritual, completed=False)
        since = self.presence.apart_since
        if since is not None and now - since >= ritual.config.apart_for:
            self._start(ritual)

    def _schedule_end(self, ritual: Ritual) -> None:
        key = (ritual.config.ritual_id, END)
        occurrence = ritual.state.occurrence
        if occurrence is None or occurrence.ends_at is None:
            self.timers.cancel(key)
            return
        self.timers.start(key, occurrence.ends_at, partial(self._window_closed, ritual))

    def _window_closed(self, ritual: Ritual) -> None:
        self._on_window_closed(ritual)
        self._commit()

    def _on_window_closed(self, ritual: Ritual) -> None:
        # A reunion's device-free window that ran out with the devices resting is kept;
        # otherwise it is simply not marked (Done still keeps it while it is open).
        occurrence = ritual.state.occurrence
        kept = (
            ritual.config.kind is RitualKind.REUNION
            and occurrence is not None
            and kept_by_itself(occurrence.device_used, self.any_device_in_use())
        )
        self._finish(ritual, completed=kept)

    def _cancel_timers(self, ritual: Ritual) -> None:
        self.timers.cancel((ritual.config.ritual_id, END))
        self.timers.cancel((ritual.config.ritual_id, APART))

    def _resume_occurrence(self, ritual: Ritual, now: datetime) -> None:
        """After a restart: resume an open window, or close one that expired meanwhile."""
        occurrence = ritual.state.occurrence
        if occurrence is None:
            return
        if occurrence.ends_at is None:
            # Open-ended (apart): it cannot outlive its ritual day.
            if occurrence.day < self.today(now):
                self._finish(ritual, completed=False)
        elif occurrence.ends_at <= now:
            self._on_window_closed(ritual)
        else:
            self._schedule_end(ritual)

    def stored_data(self) -> dict[str, Any]:
        """What the next save writes (the couple's stored file), as plain data."""
        return StoredState(
            vacation=self.vacation,
            away_since=self.presence.away_since,
            apart_since=self.presence.apart_since,
            rituals={rid: ritual.state for rid, ritual in self.rituals.items()},
            ideas=self.ideas,
            prompt_counts=self.notifier.prompt_counts if self.notifier is not None else {},
            interactions=self.interactions,
            initiative=self.initiative,
        ).as_dict()
