"""The ritual engine: turns home events into ritual occurrences and keeps their history.

Thin Home Assistant glue around the domain core: it listens to the partners'
`person` entities, the rituals' trigger entities and "device in use" entities,
runs window timers, and persists everything in one debounced `Store`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
import logging
import random
from typing import TYPE_CHECKING, Any

from homeassistant.const import EVENT_CORE_CONFIG_UPDATE, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HassJob,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_state_change_event,
)
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util

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
    EVENT_CONNECTION_RITUALS,
    PARTNER_A,
    PARTNER_B,
    PARTNERS,
    Completion,
    Prompted,
    RitualEventType,
    RitualKind,
    TriggerType,
)
from .core.ideas import IdeaMemory
from .core.interactions import (
    INITIATIVE_DAYS,
    RATIO_DAYS,
    Balance,
    Initiative,
    Interaction,
    Ratio,
    initiative_balance,
    positive_ratio,
    prune,
)
from .core.reunion import device_free_start, kept_by_itself
from .core.rhythms import TimeProvider
from .core.schedule import (
    HOME,
    Window,
    are_apart,
    arrival_counts,
    day_start,
    is_active_day,
    is_away,
    next_time_trigger,
    presence_holds,
    ritual_day,
)
from .core.streaks import (
    DayRecord,
    StreakRules,
    StreakStats,
    add_neutral_day,
    compute_stats,
    couple_history,
    milestone_reached,
)
from .house import HouseActions
from .models import Occurrence, RitualConfig, RitualState, parse_time
from .notifier import PartnerNotifier, load_library
from .repairs import async_check_entities
from .storage import RitualsStore

if TYPE_CHECKING:
    from . import ConnectionRitualsConfigEntry

_LOGGER = logging.getLogger(__name__)

NO_RECORD = DayRecord()  # a day without a record (records are immutable: one will do)

# media_player / binary_sensor states that mean a screen is in use.
IN_USE_STATES = frozenset({"on", "playing"})
UNSETTLED = frozenset({STATE_UNKNOWN, STATE_UNAVAILABLE})

type RitualEventListener = Callable[[RitualEventType, dict[str, Any]], None]


def _shutdown_safe(action: Callable[[datetime], None]) -> HassJob[[datetime], None]:
    """Our timers end with Home Assistant: state is persisted, restarts resume it."""
    return HassJob(action, f"connection_rituals {action.__name__}", cancel_on_shutdown=True)


@dataclass(slots=True)
class Ritual:
    """A configured ritual with its persisted state and derived statistics."""

    config: RitualConfig
    state: RitualState
    stats: StreakStats = field(default_factory=StreakStats)
    end_timer: CALLBACK_TYPE | None = None
    apart_timer: CALLBACK_TYPE | None = None

    @property
    def active(self) -> bool:
        """Whether the ritual window is open."""
        return self.state.occurrence is not None


class RitualEngine:
    """Runs every ritual of one couple (one config entry)."""

    def __init__(self, hass: HomeAssistant, entry: ConnectionRitualsConfigEntry) -> None:
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
        self.store = RitualsStore(hass, entry.entry_id)
        self.rituals: dict[str, Ritual] = {}
        self.vacation = False
        self.away_since: dict[str, datetime] = {}
        self.apart_since: datetime | None = None
        self.connection_stats = StreakStats()
        self.snooze_minutes = float(entry.options.get(CONF_SNOOZE_MINUTES, DEFAULT_SNOOZE_MINUTES))
        self.reading_time = timedelta(
            minutes=float(entry.options.get(CONF_READING_MINUTES, DEFAULT_READING_MINUTES))
        )
        self.notifier: PartnerNotifier | None = None
        self._next_ritual_cache: (
            tuple[tuple[bool, tuple[bool, ...]], datetime, tuple[datetime, Ritual] | None] | None
        ) = None
        self.house = HouseActions(hass)
        self.ideas = IdeaMemory()
        self.interactions: list[Interaction] = []
        self.initiative: list[Initiative] = []
        self.prompt_counts: dict[str, Any] = {}
        self._listeners: dict[str | None, list[CALLBACK_TYPE]] = {}
        self._event_listeners: dict[str, list[RitualEventListener]] = {}
        self._unsubs: list[CALLBACK_TYPE] = []
        self._day_cache: tuple[str, float, float, date] | None = None
        # Occurrence ids only need to be unique: a seeded generator is much cheaper
        # than uuid4 (a system call) on the arrival path.
        self._occurrence_ids = random.Random()
        # The couple's day outcomes, folded from every ritual's history (kept up to date
        # day by day instead of refolded on every event).
        self._couple_days: dict[date, DayRecord] = {}
        self._daily_reschedules: list[CALLBACK_TYPE] = []
        # Rhythm hook: a provider (rhythms.RhythmLearner) that may move time rituals.
        self.time_provider: TimeProvider | None = None

    # ----------------------------------------------------------------- lifecycle

    async def async_start(self) -> None:
        """Load persisted state, reconcile it with now, and start listening."""
        stored = await self.store.async_load_state(self.today(), self.rules)
        self.vacation = stored.vacation
        self.away_since = dict(stored.away_since)
        self.apart_since = stored.apart_since
        self.ideas = stored.ideas
        self.prompt_counts = dict(stored.prompt_counts)
        self.interactions = list(stored.interactions)
        self.initiative = list(stored.initiative)
        library = await self.hass.async_add_executor_job(load_library, self.hass.config.language)
        self.notifier = PartnerNotifier(self.hass, self, library)
        self.notifier.async_start()
        for subentry in self.entry.subentries.values():
            # Rituals are the only subentry type.
            config = RitualConfig.from_subentry(subentry.subentry_id, subentry.data)
            state = stored.rituals.get(subentry.subentry_id) or RitualState()
            self.rituals[subentry.subentry_id] = Ritual(config=config, state=state)

        now = dt_util.utcnow()
        today = self.today(now)
        for ritual in self.rituals.values():
            self._resume_occurrence(ritual, now)
        self._recompute_all(today)

        if stored.pruned:
            self._save()  # a smaller file from now on
        self._setup_schedule_listeners()
        self._unsubs.append(async_at_started(self.hass, self._async_on_started))
        self._unsubs.append(
            self.hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, self._async_core_config_updated)
        )

    async def async_stop(self) -> None:
        """Stop listening and flush state to disk."""
        if self.notifier is not None:
            self.notifier.async_stop()
        self.house.async_stop()
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        for ritual in self.rituals.values():
            self._cancel_timers(ritual)
        await self.store.async_flush(self._snapshot)

    @callback
    def _async_on_started(self, hass: HomeAssistant) -> None:
        """Presence listening starts once Home Assistant runs: start-up is no arrival."""
        self._unsubs.append(
            async_track_state_change_event(
                hass, list(self.persons.values()), self._async_person_changed
            )
        )
        if self.in_use_entities:
            self._unsubs.append(
                async_track_state_change_event(
                    hass, list(self.in_use_entities), self._async_device_changed
                )
            )
        self._refresh_apart(dt_util.utcnow())
        # Entities the couple's setup relies on: gone ones get a fixable repair issue.
        watched = [
            *self.persons.values(),
            *self.in_use_entities,
            *(r.config.trigger_entity for r in self.rituals.values() if r.config.trigger_entity),
        ]

        @callback
        def _appeared_or_vanished(event: Event[EventStateChangedData]) -> None:
            if event.data["old_state"] is None or event.data["new_state"] is None:
                async_check_entities(hass, self)

        self._unsubs.append(async_track_state_change_event(hass, watched, _appeared_or_vanished))
        async_check_entities(hass, self)

    def _setup_schedule_listeners(self) -> None:
        """Time and entity triggers, plus the day boundary."""
        state_triggers: dict[str, list[Ritual]] = {}
        for ritual in self.rituals.values():
            config = ritual.config
            if config.trigger_type is TriggerType.TIME and config.trigger_time is not None:
                self._track_daily(
                    config.trigger_time,
                    config.window,
                    self._time_trigger_action(ritual),
                    config.ritual_id,  # rhythm hook
                )
            elif config.trigger_type is TriggerType.STATE and config.trigger_entity:
                state_triggers.setdefault(config.trigger_entity, []).append(ritual)
            elif config.kind is RitualKind.APART:
                # An apart stretch that matured outside active hours starts here.
                self._track_daily(config.window.start, Window(), self._apart_check_action(ritual))
        if state_triggers:

            @callback
            def _state_trigger(event: Event[EventStateChangedData]) -> None:
                old, new = event.data["old_state"], event.data["new_state"]
                if old is None or new is None or old.state in UNSETTLED:
                    return
                for ritual in state_triggers.get(event.data["entity_id"], []):
                    if new.state == ritual.config.trigger_state != old.state:
                        self.attempt_start(ritual)

            self._unsubs.append(
                async_track_state_change_event(self.hass, list(state_triggers), _state_trigger)
            )
        self._track_daily(self.boundary, Window(), self._on_day_boundary)

    def _track_daily(
        self, at: time, window: Window, action: Callable[[], None], ritual_id: str | None = None
    ) -> None:
        """Run `action` at a local wall-clock time on the window's days.

        Our own scheduling (not async_track_time_change) so that a time skipped by
        a spring-forward night still fires once, just after the gap, and a time
        repeated by a fall-back night fires once.
        """
        handle: list[CALLBACK_TYPE] = []

        @callback
        def _fire(now: datetime) -> None:
            handle.clear()
            action()
            _schedule()

        def _schedule() -> None:
            if self.hass.is_stopping:
                return  # an entry set up while Home Assistant stops must not leave timers
            moment = self._next_trigger(dt_util.now(), at, window, ritual_id)  # rhythm hook
            if moment is not None:
                handle.append(
                    async_track_point_in_utc_time(
                        self.hass, _shutdown_safe(_fire), dt_util.as_utc(moment)
                    )
                )

        @callback
        def _cancel() -> None:
            for unsub in handle:
                unsub()
            handle.clear()

        @callback
        def _reschedule() -> None:
            _cancel()
            _schedule()

        _schedule()
        self._unsubs.append(_cancel)
        self._daily_reschedules.append(_reschedule)

    @callback
    def _async_core_config_updated(self, event: Event[dict[str, Any]]) -> None:
        """A new time zone: daily times and the day boundary follow its local clock."""
        if "time_zone" not in event.data:
            return
        for reschedule in self._daily_reschedules:
            reschedule()
        self._next_ritual_cache = None
        self._recompute_all(self.today())
        for ritual_id in self.rituals:
            self._notify(ritual_id)

    def _apart_check_action(self, ritual: Ritual) -> Callable[[], None]:
        def _check() -> None:
            self._maybe_start_apart(ritual, dt_util.utcnow())

        return _check

    def _time_trigger_action(self, ritual: Ritual) -> Callable[[], None]:
        def _fire() -> None:
            self.attempt_start(ritual)
            self._notify(None)  # the next-ritual time moved on

        return _fire

    # ------------------------------------------------------------- rhythm hook

    def _next_trigger(
        self, now: datetime, at: time, window: Window, ritual_id: str | None
    ) -> datetime | None:
        if ritual_id is not None and self.time_provider is not None:
            return self.time_provider.next_start(ritual_id, now, at, window, self.boundary)
        return next_time_trigger(now, at, window, self.boundary)

    @callback
    def async_times_changed(self) -> None:
        """Learned times moved: time rituals and the next-ritual time follow."""
        for reschedule in self._daily_reschedules:
            reschedule()
        self._next_ritual_cache = None
        self._notify(None)

    # ------------------------------------------------------------------ queries

    def local_now(self) -> datetime:
        """Local time in Home Assistant's configured zone (read at call time)."""
        return dt_util.now()

    def today(self, now: datetime | None = None) -> date:
        """The current ritual day.

        Asked several times per event: the current day's span is cached, keyed on
        the configured zone so a time-zone change is seen at once.
        """
        moment = now or dt_util.utcnow()
        stamp = moment.timestamp()
        cached = self._day_cache
        if cached is not None and cached[0] == self.hass.config.time_zone:
            _zone, start, end, day = cached
            if start <= stamp < end:
                return day
        local = dt_util.as_local(moment)
        day = ritual_day(local, self.boundary)
        zone = local.tzinfo or dt_util.UTC
        self._day_cache = (
            self.hass.config.time_zone,
            day_start(day, self.boundary, zone).timestamp(),
            day_start(day + timedelta(days=1), self.boundary, zone).timestamp(),
            day,
        )
        return day

    def partner_state(self, partner: str) -> str:
        """The partner's person state, or unknown."""
        state = self.hass.states.get(self.persons[partner])
        return state.state if state else STATE_UNKNOWN

    def partner_name(self, partner: str) -> str:
        """The partner's display name."""
        state = self.hass.states.get(self.persons[partner])
        return state.name if state else self.persons[partner]

    def partner_for_person(self, entity_id: str) -> str | None:
        """Which partner a person entity is."""
        for partner, person in self.persons.items():
            if person == entity_id:
                return partner
        return None

    def next_ritual(self) -> tuple[datetime, Ritual] | None:
        """The next time-triggered ritual start (local time) among enabled rituals.

        Cached until that moment passes or what it depends on changes: the couple's
        sensors ask on every state write.
        """
        key = (self.vacation, tuple(r.state.enabled for r in self.rituals.values()))
        cached = self._next_ritual_cache
        if cached is not None and cached[0] == key and dt_util.utcnow() < cached[1]:
            return cached[2]
        result = self._compute_next_ritual()
        valid_until = dt_util.as_utc(result[0]) if result else dt_util.utcnow() + timedelta(hours=1)
        self._next_ritual_cache = (key, valid_until, result)
        return result

    def _compute_next_ritual(self) -> tuple[datetime, Ritual] | None:
        if self.vacation:
            return None
        now = self.local_now()
        upcoming: list[tuple[datetime, Ritual]] = []
        for ritual in self.rituals.values():
            config = ritual.config
            if not ritual.state.enabled or config.trigger_time is None:
                continue
            moment = self._next_trigger(now, config.trigger_time, config.window, config.ritual_id)
            if moment is not None:
                upcoming.append((moment, ritual))
        return min(upcoming, key=lambda item: item[0].timestamp()) if upcoming else None

    def todays_rituals(self) -> list[Ritual]:
        """Enabled rituals active on today's ritual day."""
        today = self.today()
        return [
            ritual
            for ritual in self.rituals.values()
            if ritual.state.enabled and is_active_day(today, ritual.config.window.active_days)
        ]

    # --------------------------------------------------------------- listeners

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

    def _notify(self, ritual_id: str | None) -> None:
        if ritual_id is not None:
            for update in list(self._listeners.get(ritual_id, [])):
                update()
        for update in list(self._listeners.get(None, [])):
            update()

    def _emit(
        self,
        ritual: Ritual,
        event_type: RitualEventType,
        partner: str | None = None,
        **extra: Any,
    ) -> None:
        """Tell the event entity and the bus what happened."""
        occurrence = ritual.state.occurrence
        data: dict[str, Any] = {
            "ritual_id": ritual.config.ritual_id,
            "ritual_name": ritual.config.name,
            "kind": ritual.config.kind.value,
            "partner": self.persons[partner] if partner else None,
            "streak": ritual.stats.current,
            "occurrence_id": occurrence.occurrence_id if occurrence else None,
            # The idea the prompt carried (for `rate_idea`), once a prompt was sent.
            "idea_id": self.ideas.shown.get(occurrence.occurrence_id) if occurrence else None,
            **extra,
        }
        self.hass.bus.async_fire(
            EVENT_CONNECTION_RITUALS,
            {"type": event_type.value, "entry_id": self.entry.entry_id, **data},
        )
        for listener in list(self._event_listeners.get(ritual.config.ritual_id, [])):
            listener(event_type, data)

    # ---------------------------------------------------------------- presence

    @callback
    def _async_person_changed(self, event: Event[EventStateChangedData]) -> None:
        partner = self.partner_for_person(event.data["entity_id"])
        old, new = event.data["old_state"], event.data["new_state"]
        if partner is None or new is None:
            return
        now = dt_util.utcnow()
        self._track_absence(partner, old, new, now)
        if old is not None and old.state not in UNSETTLED and new.state not in UNSETTLED:
            if new.state == HOME and is_away(old.state):
                self._on_arrival(partner, now)
            elif old.state == HOME and is_away(new.state):
                self._on_departure(partner)
        if new.state == HOME:
            self.away_since.pop(partner, None)  # home again, however (e.g. via unavailable)
        self._refresh_apart(now)
        self._save()

    def _track_absence(self, partner: str, old: State | None, new: State, now: datetime) -> None:
        """Remember since when a partner is away, across restarts."""
        if new.state == HOME:
            return  # cleared after the arrival check
        if is_away(new.state) and partner not in self.away_since:
            since = now if old is not None and old.state == HOME else new.last_changed
            self.away_since[partner] = since

    def _on_arrival(self, partner: str, now: datetime) -> None:
        since = self.away_since.pop(partner, None)
        away_for = now - since if since else None
        other = PARTNER_B if partner == PARTNER_A else PARTNER_A
        for ritual in self.rituals.values():
            if ritual.config.kind is not RitualKind.REUNION:
                continue
            if not arrival_counts(away_for, ritual.config.min_away):
                _LOGGER.debug("Arrival after %s away is too short for a reunion", away_for)
                continue
            if self.partner_state(other) == HOME:
                self.attempt_start(ritual, actor=partner)

    def _on_departure(self, partner: str) -> None:
        other = PARTNER_B if partner == PARTNER_A else PARTNER_A
        for ritual in self.rituals.values():
            if ritual.config.kind is RitualKind.DEPARTURE and self.partner_state(other) == HOME:
                self.attempt_start(ritual, actor=partner)

    def _refresh_apart(self, now: datetime) -> None:
        """Track the apart stretch and end apart occurrences at reunion."""
        state_a, state_b = self.partner_state(PARTNER_A), self.partner_state(PARTNER_B)
        if {state_a, state_b} & UNSETTLED:
            return  # no news (a phone went quiet, start-up): nobody came together
        apart = are_apart(state_a, state_b)
        reunited = not apart and self.apart_since is not None
        if apart and self.apart_since is None:
            self.apart_since = now
        elif not apart:
            self.apart_since = None
        for ritual in self.rituals.values():
            if ritual.config.kind is not RitualKind.APART:
                continue
            if not apart:
                if ritual.apart_timer:
                    ritual.apart_timer()
                    ritual.apart_timer = None
                if ritual.state.occurrence is not None and reunited:
                    self._finish(ritual, completed=False)
                continue
            if ritual.apart_timer is None and ritual.state.occurrence is None:
                assert self.apart_since is not None
                due = self.apart_since + ritual.config.apart_for
                if due <= now:
                    self._maybe_start_apart(ritual, now)
                else:
                    ritual.apart_timer = async_track_point_in_utc_time(
                        self.hass, _shutdown_safe(self._apart_due_callback(ritual)), due
                    )

    def _apart_due_callback(self, ritual: Ritual) -> Callable[[datetime], None]:
        @callback
        def _due(now: datetime) -> None:
            ritual.apart_timer = None
            self._maybe_start_apart(ritual, dt_util.utcnow())

        return _due

    def _maybe_start_apart(self, ritual: Ritual, now: datetime) -> None:
        occurrence = ritual.state.occurrence
        if occurrence and occurrence.ends_at is None and occurrence.day < self.today(now):
            # A woken host runs overdue timers in any order: yesterday's ends first.
            self._finish(ritual, completed=False)
        if self.apart_since is None or now - self.apart_since < ritual.config.apart_for:
            return
        self.attempt_start(ritual)

    # ------------------------------------------------------------- device use

    def any_device_in_use(self) -> bool:
        """Whether any "device in use" entity of either partner is in use now."""
        return any(
            (state := self.hass.states.get(entity_id)) is not None and state.state in IN_USE_STATES
            for entity_id in self.in_use_entities
        )

    @callback
    def _async_device_changed(self, event: Event[EventStateChangedData]) -> None:
        """A screen or TV changed. Reading the prompt never counts; later use only keeps
        the window from completing by itself. Nothing says who or which device."""
        old, new = event.data["old_state"], event.data["new_state"]
        if new is None:
            return
        was_in_use = old is not None and old.state in IN_USE_STATES
        in_use = new.state in IN_USE_STATES
        if was_in_use == in_use:
            return
        now = dt_util.utcnow()
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
                    self._notify(ritual.config.ritual_id)
                    self._save()
                    continue
            if in_use and not occurrence.device_used:
                occurrence.device_used = True
                self._save()

    # -------------------------------------------------------------- occurrences

    def attempt_start(
        self, ritual: Ritual, actor: str | None = None, manual: bool = False
    ) -> Occurrence | None:
        """Start an occurrence if the ritual's conditions hold (always, when manual)."""
        if ritual.state.occurrence is not None:
            return None
        now = dt_util.utcnow()
        local = dt_util.as_local(now)
        day = self.today(now)
        record = ritual.state.history.get(day, NO_RECORD)
        config = ritual.config
        if not manual:
            if not config.window.allows(local, self.boundary, day):
                return None
            if not presence_holds(
                config.presence, self.partner_state(PARTNER_A), self.partner_state(PARTNER_B)
            ):
                return None  # no opportunity: a neutral day
            if config.once_per_day and (record.started or record.skipped or record.completed):
                return None
            if not ritual.state.enabled or self.vacation:
                if not record.paused:  # a paused day is paused once, however often retried
                    self._record(ritual, day, paused=1)
                    self._notify(config.ritual_id)
                    self._save()
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
        # listening for the event; the bookkeeping and entity updates follow
        # (a start changes no figure the event carries).
        if self.notifier is not None:
            self.notifier.on_started(ritual, occurrence)
        self._emit(ritual, RitualEventType.STARTED, actor)
        if ritual.state.enabled and not self.vacation:
            self.house.on_started(ritual, occurrence)
        self._record(ritual, day, started=1)
        if actor is not None and manual:
            # Started on purpose (a tap, an action); an arrival or departure is no initiative.
            self._took_initiative(day, actor, "start")
        self._schedule_end(ritual)
        self._notify(config.ritual_id)
        self._save()
        return occurrence

    def prompted_partners(self, ritual: Ritual, occurrence: Occurrence) -> list[str]:
        """Who gets the prompt, by the ritual's rule (alternate rotates fairly)."""
        rule = ritual.config.prompted
        actor = occurrence.actor
        if rule is Prompted.ACTOR and actor:
            return [actor]
        if rule is Prompted.AT_HOME:
            at_home = [p for p in PARTNERS if self.partner_state(p) == HOME and p != actor]
            return at_home or list(PARTNERS)
        if rule is Prompted.ALTERNATE:
            return [PARTNERS[ritual.state.rotation % 2]]
        return list(PARTNERS)

    def complete(self, ritual: Ritual, partner: str | None = None) -> None:
        """Done: completes the open occurrence, or records today's completion."""
        occurrence = ritual.state.occurrence
        if occurrence is None:
            self._record_completion(ritual, self.today(), partner)
            self._save()
            return
        if partner and partner not in occurrence.completed_by:
            occurrence.completed_by.append(partner)
        if (
            ritual.config.completion is Completion.EACH
            and partner is not None
            and set(occurrence.completed_by) != set(PARTNERS)
        ):
            self._notify(ritual.config.ritual_id)
            self._save()
            return  # waiting for the other partner
        self._finish(ritual, completed=True, partner=partner)

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
        if self.notifier is not None:
            self.notifier.on_snoozed(ritual, occurrence)
        self._notify(ritual.config.ritual_id)
        self._save()

    def skip(self, ritual: Ritual, partner: str | None = None) -> None:
        """The couple chose to skip: the open occurrence, or today's ritual."""
        occurrence = ritual.state.occurrence
        day = occurrence.day if occurrence else self.today()
        if occurrence is not None:
            self._cancel_timers(ritual)
        self._record(ritual, day, skipped=1)
        self._emit(ritual, RitualEventType.SKIPPED, partner)
        self._end_occurrence(ritual)
        self._notify(ritual.config.ritual_id)
        self._save()

    def set_enabled(self, ritual: Ritual, enabled: bool) -> None:
        """Turn a ritual on or off; turning it off ends its open window."""
        ritual.state.enabled = enabled
        if not enabled and ritual.state.occurrence is not None:
            self._cancel_timers(ritual)
            self._end_occurrence(ritual)
        if enabled:
            self._refresh_apart(dt_util.utcnow())  # an apart stretch already due starts now
        self._notify(ritual.config.ritual_id)
        self._save()

    def set_vacation(self, on: bool) -> None:
        """Vacation mode: every day is paused (neutral)."""
        self.vacation = on
        if not on:
            self._refresh_apart(dt_util.utcnow())  # an apart stretch already due starts now
        self._notify(None)
        self._save()

    def reset(self, ritual: Ritual) -> None:
        """Forget a ritual's history (admin)."""
        self._cancel_timers(ritual)
        self._end_occurrence(ritual)
        enabled, rotation = ritual.state.enabled, ritual.state.rotation
        ritual.state = RitualState(enabled=enabled, rotation=rotation)
        self._recompute_all(self.today())
        self._notify(ritual.config.ritual_id)
        self._save()

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
        self._notify(ritual.config.ritual_id)
        self._save()

    def _end_occurrence(self, ritual: Ritual) -> None:
        """The window is over, however it ended: phones are tidied up."""
        occurrence = ritual.state.occurrence
        ritual.state.occurrence = None
        if occurrence is None:
            return
        if self.notifier is not None:
            self.notifier.on_ended(ritual, occurrence)
        self.house.on_ended(ritual, occurrence)

    def _took_initiative(self, day: date, partner: str, action: str) -> None:
        self.initiative.append(Initiative(day, partner, action))
        # Records arrive (nearly) in day order: copy the list only when its oldest is due
        # to go; the balance itself reads only its own 30 days.
        if (self.today() - self.initiative[0].day).days > INITIATIVE_DAYS:
            self.initiative = prune(self.initiative, self.today(), INITIATIVE_DAYS)

    def log_interaction(self, positive: bool, partner: str | None, note: str | None) -> None:
        """A positive or negative moment, for the 5:1 ratio."""
        self.interactions = prune(
            [*self.interactions, Interaction(self.today(), positive, partner, note)],
            self.today(),
            RATIO_DAYS,
        )
        self._notify(None)
        self._save()

    def positive_ratio(self) -> Ratio:
        """Completed rituals and logged positives against negatives, last 7 days."""
        today = self.today()
        days = [today - timedelta(days=offset) for offset in range(RATIO_DAYS)]
        completions = (
            (day, record.completed)
            for ritual in self.rituals.values()
            for day in days
            if (record := ritual.state.history.get(day)) is not None
        )
        return positive_ratio(completions, self.interactions, today)

    def initiative_balance(self) -> Balance:
        """Each partner's starts and completions, last 30 days."""
        return initiative_balance(self.initiative, PARTNERS, self.today())

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
        if ritual.state.occurrence is None:
            self._notify(ritual.config.ritual_id)

    def _record(self, ritual: Ritual, day: date, **counts: int) -> None:
        history = ritual.state.history
        existed = day in history
        before = history.get(day, NO_RECORD)
        after = history[day] = before.add(**counts)
        today = self.today()
        # Figures read outcomes and completions: a start changes neither, so an
        # arrival costs no recount (a day's first record is only counted).
        if after.outcome is before.outcome and after.completed == before.completed:
            if not existed:
                ritual.stats = add_neutral_day(ritual.stats, day, today)
                if day not in self._couple_days:
                    self._couple_days[day] = NO_RECORD
                    self.connection_stats = add_neutral_day(self.connection_stats, day, today)
            return
        ritual.stats = compute_stats(history, today, self.rules, ritual.state.baseline)
        if after.outcome is not before.outcome:
            self._refold_couple_day(day, today)

    # ------------------------------------------------------------------ timers

    def _schedule_end(self, ritual: Ritual) -> None:
        if ritual.end_timer:
            ritual.end_timer()
            ritual.end_timer = None
        occurrence = ritual.state.occurrence
        if occurrence is None or occurrence.ends_at is None:
            return

        @callback
        def _window_closed(now: datetime) -> None:
            ritual.end_timer = None
            self._on_window_closed(ritual)

        ritual.end_timer = async_track_point_in_utc_time(
            self.hass, _shutdown_safe(_window_closed), occurrence.ends_at
        )

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
        if ritual.end_timer:
            ritual.end_timer()
            ritual.end_timer = None
        if ritual.apart_timer:
            ritual.apart_timer()
            ritual.apart_timer = None

    def _resume_occurrence(self, ritual: Ritual, now: datetime) -> None:
        """After a restart: resume an open window, or close one that expired meanwhile."""
        occurrence = ritual.state.occurrence
        if occurrence is None:
            return
        if occurrence.ends_at is None:
            # Open-ended (apart): it cannot outlive its ritual day.
            if occurrence.day < self.today(now):
                self._finish(ritual, completed=False)
            return
        if occurrence.ends_at <= now:
            self._on_window_closed(ritual)
        else:
            self._schedule_end(ritual)

    def _on_day_boundary(self) -> None:
        """A new ritual day: close open-ended occurrences of the old one, refresh figures."""
        today = self.today()
        for ritual in self.rituals.values():
            occurrence = ritual.state.occurrence
            if occurrence and occurrence.ends_at is None and occurrence.day < today:
                self._finish(ritual, completed=False)
        self._recompute_all(today)
        for ritual_id in self.rituals:
            self._notify(ritual_id)
        self._save()

    # ---------------------------------------------------------------- figures

    def _recompute_all(self, today: date) -> None:
        for ritual in self.rituals.values():
            ritual.stats = compute_stats(
                ritual.state.history, today, self.rules, ritual.state.baseline
            )
        self._couple_days = couple_history(r.state.history for r in self.rituals.values())
        self.connection_stats = compute_stats(self._couple_days, today, self.rules)

    def _refold_couple_day(self, day: date, today: date) -> None:
        """One ritual's outcome of `day` changed: refold that day for the couple."""
        folded = couple_history(
            {day: r.state.history[day]} for r in self.rituals.values() if day in r.state.history
        ).get(day)
        if folded is None or folded == self._couple_days.get(day):
            return
        self._couple_days[day] = folded
        self.connection_stats = compute_stats(self._couple_days, today, self.rules)

    # ------------------------------------------------------------------ storage

    def _save(self) -> None:
        self.store.async_delay_save(self._snapshot)

    def async_save(self) -> None:
        """Schedule a debounced write (for the notifier's bookkeeping)."""
        self._save()

    def _snapshot(self) -> dict[str, Any]:
        return {
            "couple": {
                "vacation": self.vacation,
                "away_since": {p: t.isoformat() for p, t in self.away_since.items()},
                "apart_since": self.apart_since.isoformat() if self.apart_since else None,
            },
            "rituals": {rid: r.state.as_dict() for rid, r in self.rituals.items()},
            "ideas": self.ideas.as_dict(),
            "prompt_counts": dict(self.prompt_counts),
            "interactions": [
                {
                    "day": i.day.isoformat(),
                    "positive": i.positive,
                    "partner": i.partner,
                    "note": i.note,
                }
                for i in self.interactions
            ],
            "initiative": [
                {"day": i.day.isoformat(), "partner": i.partner, "action": i.action}
                for i in self.initiative
            ],
        }

    def export(self, ritual: Ritual) -> dict[str, Any]:
        """A ritual's history and figures as plain data."""
        stats = ritual.stats
        return {
            "ritual": ritual.config.name,
            "kind": ritual.config.kind.value,
            "streak": stats.current,
            "best_streak": stats.best,
            "completions": stats.completions,
            "completion_rate": stats.completion_rate,
            "last_completed": (
                ritual.state.last_completed.isoformat() if ritual.state.last_completed else None
            ),
            "history": [
                {"day": day.isoformat(), "outcome": record.outcome.value, **record.as_dict()}
                for day, record in sorted(ritual.state.history.items())
            ],
            "replies": list(ritual.state.replies),
        }
