"""The couple's rhythms, learned locally: recorder history once, then live days.

Only derived daily times are kept ("lights out 23:07 on 2026-11-30"), in a store of
their own, bounded per signal; never raw states or locations.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HassJob,
    HomeAssistant,
    callback,
)
from homeassistant.helpers.event import (
    async_call_later,
    async_track_state_change_event,
    async_track_time_change,
)
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import (
    CONF_ADAPT_MINUTES,
    CONF_ADAPT_RHYTHM,
    CONF_KIND,
    DEFAULT_ADAPT_MINUTES,
    DOMAIN,
    RHYTHM_HISTORY_DAYS,
    RitualKind,
)
from .core.rhythms import (
    MAX_RECORDS,
    MIN_DAYS,
    MINUTES_PER_DAY,
    DailyTime,
    DayKind,
    Learned,
    Rhythm,
    Signal,
    add_record,
    at_a_usual_hour,
    default_kind,
    learn,
    next_adapted_trigger,
)
from .core.schedule import Window
from .rhythm_signals import (
    ARRIVAL_SIGNAL,
    RITUAL_SIGNAL,
    derive,
    read_history,
    watched_for,
)

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
SAVE_DELAY = 30
SETTLE_DELAY = 60  # seconds after a change before the day's times are derived again
RELEARN_EVERY = timedelta(days=7)
BUFFER = timedelta(hours=36)  # live events kept in memory to settle a day's times
MAX_BUFFERED = 1000  # per entity: a flapping entity cannot grow the buffer without end

# ------------------------------------------------------------------- the learner


class RhythmLearner:
    """Learns one couple's rhythms; a ritual that adapts asks it for its start time."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
        """Prepare; `async_load` reads the store, `async_start` begins learning."""
        self.hass = hass
        self.entry = entry
        self.store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.rhythms.{entry.entry_id}"
        )
        self.watched = watched_for(hass, entry)
        self.records: dict[Signal, list[DailyTime]] = {signal: [] for signal in Signal}
        self.learned: dict[Signal, Learned] = {}
        self.learned_at: datetime | None = None
        self.imported = False
        self.adapt: dict[str, tuple[Signal, int]] = {}
        for ritual_id, subentry in entry.subentries.items():
            signal = RITUAL_SIGNAL.get(RitualKind(subentry.data[CONF_KIND]))
            if signal is not None and subentry.data.get(CONF_ADAPT_RHYTHM):
                minutes = int(subentry.data.get(CONF_ADAPT_MINUTES, DEFAULT_ADAPT_MINUTES))
                self.adapt[ritual_id] = (signal, minutes)
        self._changes: dict[str, list[tuple[float, str]]] = {}
        self._live_since: datetime | None = None
        self._seen_kinds: dict[date, bool] = {}
        self._listeners: list[CALLBACK_TYPE] = []
        self._unsubs: list[CALLBACK_TYPE] = []
        self.on_times_changed: CALLBACK_TYPE | None = None
        self._settle_later: CALLBACK_TYPE | None = None
        self._settle_job = HassJob(
            self._async_settle_soon, f"{DOMAIN} rhythms settle", cancel_on_shutdown=True
        )

    # ----------------------------------------------------------- lifecycle

    async def async_load(self) -> None:
        """Read what was learned before."""
        stored = await self.store.async_load() or {}
        self.imported = bool(stored.get("imported"))
        for signal in Signal:
            rows = stored.get("signals", {}).get(signal.value, [])
            self.records[signal] = [
                DailyTime(date.fromordinal(int(d)), int(m) % MINUTES_PER_DAY, bool(w))
                for d, m, w in rows[-MAX_RECORDS:]
            ]
        self._relearn()

    @callback
    def async_start(self) -> None:
        """Follow the signals live; read the recorder once, in the background."""
        now = dt_util.utcnow()
        self._live_since = dt_util.as_local(now)
        for entity_id in self.watched.entity_ids:
            if (state := self.hass.states.get(entity_id)) is not None:
                self._changes.setdefault(entity_id, []).append((now.timestamp(), state.state))
        self._unsubs.append(
            async_track_state_change_event(
                self.hass, self.watched.entity_ids, self._async_state_changed
            )
        )
        self._unsubs.append(
            async_track_time_change(self.hass, self._async_hourly, minute=0, second=0)
        )
        self._note_kind_of_today()
        if not self.imported and "recorder" in self.hass.config.components:
            self.entry.async_create_background_task(
                self.hass, self._async_import(now), f"{DOMAIN} rhythms import"
            )

    async def async_stop(self) -> None:
        """Stop following and keep what was learned."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        if self._settle_later is not None:
            self._settle_later()
            self._settle_later = None
        self._settle(dt_util.utcnow(), notify=False)
        await self.store.async_save(self._data())

    async def _async_import(self, end: datetime) -> None:
        from homeassistant.components.recorder import get_instance

        instance = get_instance(self.hass)
        if not await instance.async_db_ready:
            return  # no database this time: live days only, the next start reads it
        start = end - timedelta(days=RHYTHM_HISTORY_DAYS)
        found, kinds = await instance.async_add_executor_job(
            read_history, self.hass, self.watched, start, end
        )
        self._seen_kinds = {**kinds, **self._seen_kinds}
        self._merge(found, overwrite=False)
        self.imported = True
        self._relearn()
        self._changed(save=True)

    # ---------------------------------------------------------------- live

    @callback
    def _async_state_changed(self, event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is None:
            return
        entity_id = event.data["entity_id"]
        if entity_id == self.watched.workday:
            self._note_kind_of_today()
            return
        # Only buffered here: a day's times settle a minute later (and on the hourly
        # tick), off the path of the state change: an arrival's prompt never waits for
        # the learning, and a burst of changes settles once.
        changes = self._changes.setdefault(entity_id, [])
        changes.append((new.last_changed.timestamp(), new.state))
        if len(changes) > MAX_BUFFERED:
            del changes[: len(changes) - MAX_BUFFERED]
        if self._settle_later is None:
            self._settle_later = async_call_later(self.hass, SETTLE_DELAY, self._settle_job)

    @callback
    def _async_settle_soon(self, now: datetime) -> None:
        self._settle_later = None
        self._settle(now)

    @callback
    def _async_hourly(self, now: datetime) -> None:
        self._note_kind_of_today()
        cutoff = now.timestamp() - BUFFER.total_seconds()
        for entity_id, changes in self._changes.items():
            # Keep the last state before the cut-off: an absence stays known.
            kept = [c for c in changes if c[0] >= cutoff]
            older = [c for c in changes if c[0] < cutoff]
            self._changes[entity_id] = older[-1:] + kept
        self._settle(now)
        if self.learned_at is None or now - self.learned_at >= RELEARN_EVERY:
            self._relearn()
            if self.on_times_changed is not None:
                self.on_times_changed()
        self._changed(save=False)

    def _settle(self, now: datetime, notify: bool = True) -> None:
        found = derive(self.watched, self._changes, dt_util.as_local(now), self._live_since)
        if self._merge(found, overwrite=False):
            if any(known.total_days < MIN_DAYS for known in self.learned.values()):
                self._relearn()  # still gathering: a suggestion may have become possible
            if notify:
                self._changed(save=True)

    def _note_kind_of_today(self) -> None:
        state = self.hass.states.get(self.watched.workday) if self.watched.workday else None
        if state is not None and state.state in ("on", "off"):
            self._seen_kinds[dt_util.now().date()] = state.state == "on"

    def _merge(self, found: Mapping[Signal, Mapping[date, int]], overwrite: bool) -> bool:
        added = False
        for signal, days in found.items():
            known = {r.day for r in self.records[signal]}
            for day, minutes in days.items():
                if day in known and not overwrite:
                    continue
                add_record(self.records[signal], DailyTime(day, minutes, self.is_workday(day)))
                added = True
        return added

    def _relearn(self) -> None:
        today = dt_util.now().date()
        self.learned = {signal: learn(records, today) for signal, records in self.records.items()}
        self.learned_at = dt_util.utcnow()

    def _changed(self, save: bool) -> None:
        if save:
            self.store.async_delay_save(self._data, SAVE_DELAY)
        for listener in list(self._listeners):
            listener()

    def _data(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "signals": {
                signal.value: [[r.day.toordinal(), r.minutes, int(r.workday)] for r in records]
                for signal, records in self.records.items()
            },
        }

    # ------------------------------------------------------------- queries

    def is_workday(self, day: date) -> bool:
        """The workday sensor's verdict where seen, else Monday to Friday."""
        seen = self._seen_kinds.get(day)
        return default_kind(day) is DayKind.WORKDAY if seen is None else seen

    def usual(self, signal: Signal, day: date, fresh: bool = False) -> Rhythm | None:
        """The usual time of a signal on a day (fresh: from every day seen so far)."""
        kind = DayKind.WORKDAY if self.is_workday(day) else DayKind.DAY_OFF
        learned = (
            learn(self.records[signal], dt_util.now().date()) if fresh else self.learned.get(signal)
        )
        return learned.usual(kind, day.weekday()) if learned else None

    def usual_for(self, signal: Signal, kind: DayKind) -> Rhythm | None:
        """The usual time of a signal on a kind of day, from every day seen so far."""
        return learn(self.records[signal], dt_util.now().date()).usual(kind)

    def next_start(
        self, ritual_id: str, after: datetime, at: time, window: Window, boundary: time
    ) -> datetime | None:
        """The engine's hook: when a time ritual starts next (its learned time less its
        minutes where it adapts and a rhythm is known, else its configured time)."""
        adapt = self.adapt.get(ritual_id)

        def time_for(day: date) -> time:
            if adapt is not None and (usual := self.usual(adapt[0], day)) is not None:
                moment = datetime.combine(day, usual.time) - timedelta(minutes=adapt[1])
                return moment.time()
            return at

        return next_adapted_trigger(after, time_for, window, boundary)

    def at_usual_arrival_hour(self, partner: str, moment: datetime) -> bool:
        """Whether a partner comes home around this hour on such a day (or no rhythm
        of theirs is known yet): the cue before arrival stays quiet otherwise."""
        local = dt_util.as_local(moment)
        return at_a_usual_hour(local, self.usual(ARRIVAL_SIGNAL[partner], local.date()))

    def usual_arrival(self, partner: str) -> datetime | None:
        """The next usual arrival of a partner (today's if still ahead), or None."""
        now = dt_util.now()
        for offset in (0, 1):
            day = now.date() + timedelta(days=offset)
            if (usual := self.usual(ARRIVAL_SIGNAL[partner], day)) is not None:
                moment = dt_util.as_local(datetime.combine(day, usual.time, now.tzinfo))
                if moment > now:
                    return moment
        return None

    @callback
    def async_add_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` whenever what was learned may have changed."""
        self._listeners.append(update)
        return lambda: self._listeners.remove(update)

    async def async_forget(self) -> None:
        """Forget every learned time (the recorder is not read again)."""
        self.records = {signal: [] for signal in Signal}
        self._changes = {}
        self._live_since = dt_util.now()
        self.imported = True
        self._relearn()
        await self.store.async_save(self._data())
        if self.on_times_changed is not None:
            self.on_times_changed()
        self._changed(save=False)


def learner_of(entry: ConfigEntry[Any]) -> RhythmLearner | None:
    """The couple's learner, where the entry is loaded."""
    provider = getattr(getattr(entry, "runtime_data", None), "time_provider", None)
    return provider if isinstance(provider, RhythmLearner) else None


def hours_minutes(rhythm: Rhythm) -> str:
    """A usual time as HH:MM."""
    return f"{rhythm.minutes // 60:02d}:{rhythm.minutes % 60:02d}"
