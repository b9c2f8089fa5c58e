"""The signals rhythms are learned from, and daily times derived from their changes.

Runs on recorder history (in the recorder's executor) and on live changes alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from homeassistant.const import STATE_HOME, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import (
    HomeAssistant,
    State,
)
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .const import (
    CONF_DAY_BOUNDARY,
    CONF_KIND,
    CONF_LIGHTS,
    CONF_PARTNER_A,
    CONF_PARTNER_B,
    CONF_PHONE_A,
    CONF_PHONE_B,
    CONF_SLEEP_ENTITY,
    CONF_TRIGGER_ENTITY,
    CONF_TRIGGER_STATE,
    CONF_TRIGGER_TYPE,
    CONF_WORKDAY_ENTITY,
    DEFAULT_DAY_BOUNDARY,
    PARTNER_A,
    PARTNER_B,
    RitualKind,
)
from .core.rhythms import (
    EVENING_START,
    MORNING_START,
    Event as SignalEvent,
    Signal,
    arrival_times,
    lights_out_times,
    morning_times,
)
from .core.schedule import ritual_day
from .models import parse_time

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry


UNSETTLED = frozenset({STATE_UNKNOWN, STATE_UNAVAILABLE})
RITUAL_SIGNAL: Mapping[RitualKind, Signal] = {
    RitualKind.BEDTIME: Signal.LIGHTS_OUT,
    RitualKind.MORNING: Signal.MORNING,
}
LIGHT_DARK = frozenset({"off"})
ARRIVAL_SIGNAL: Mapping[str, Signal] = {PARTNER_A: Signal.ARRIVAL_A, PARTNER_B: Signal.ARRIVAL_B}


@dataclass(frozen=True, slots=True)
class Watched:
    """What the learner follows: persons, night signals (entity -> its dark states)."""

    persons: Mapping[str, str]
    night: Mapping[str, frozenset[str]]
    workday: str | None
    boundary: time

    @property
    def entity_ids(self) -> list[str]:
        """Every entity whose history matters."""
        extra = [self.workday] if self.workday else []
        return sorted({*self.persons.values(), *self.night, *extra})


def watched_for(hass: HomeAssistant, entry: ConfigEntry[Any]) -> Watched:
    """Persons, and the bedtime and morning rituals' signals: their trigger entity and
    lights, a chosen sleep entity, and the phones' charging state."""
    night: dict[str, frozenset[str]] = {}
    for subentry in entry.subentries.values():
        data = subentry.data
        if RitualKind(data[CONF_KIND]) not in RITUAL_SIGNAL:
            continue
        for light in data.get(CONF_LIGHTS, []):
            night[light] = LIGHT_DARK
        if trigger := data.get(CONF_TRIGGER_ENTITY):
            state = data.get(CONF_TRIGGER_STATE) if data.get(CONF_TRIGGER_TYPE) == "state" else None
            night[trigger] = frozenset({state or "off"})
        if sleep := data.get(CONF_SLEEP_ENTITY):
            night[sleep] = frozenset({"on"})
    registry = er.async_get(hass)
    for key in (CONF_PHONE_A, CONF_PHONE_B):
        if device_id := entry.data.get(key):
            for entity in er.async_entries_for_device(registry, device_id):
                if entity.domain == "sensor" and entity.entity_id.endswith("_battery_state"):
                    night[entity.entity_id] = frozenset({"charging", "full"})
    return Watched(
        persons={PARTNER_A: entry.data[CONF_PARTNER_A], PARTNER_B: entry.data[CONF_PARTNER_B]},
        night=night,
        workday=entry.options.get(CONF_WORKDAY_ENTITY),
        boundary=parse_time(entry.data.get(CONF_DAY_BOUNDARY), DEFAULT_DAY_BOUNDARY),
    )


# ------------------------------------------------------------- deriving (pure-ish)

type Changes = Mapping[str, Iterable[tuple[float, str]]]  # entity -> (timestamp, state)


def derive(
    watched: Watched, changes: Changes, until: datetime, since: datetime | None = None
) -> dict[Signal, dict[date, int]]:
    """Daily times per signal from state changes (UTC timestamps, any order).

    Runs in an executor for recorder history; `since` drops days whose look-out
    began before the changes do (a day seen in part is no day seen).
    """

    def local(stamp: float) -> datetime:
        return dt_util.as_local(dt_util.utc_from_timestamp(stamp))

    def day_of(moment: datetime) -> date:
        return ritual_day(moment, watched.boundary)

    night: list[SignalEvent] = []
    for entity_id, dark_states in watched.night.items():
        held = entity_id if dark_states == LIGHT_DARK else ""  # a light holds its state
        for stamp, state in changes.get(entity_id, ()):
            if state not in UNSETTLED:
                night.append(SignalEvent(local(stamp), state in dark_states, held))
    found: dict[Signal, dict[date, int]] = {
        Signal.LIGHTS_OUT: lights_out_times(night, until, day_of),
        Signal.MORNING: morning_times(night),
    }
    for partner, person in watched.persons.items():
        presence = [
            (local(stamp), state == STATE_HOME)
            for stamp, state in changes.get(person, ())
            if state not in UNSETTLED
        ]
        found[ARRIVAL_SIGNAL[partner]] = arrival_times(presence, day_of)
    if since is not None:
        found = {
            signal: {d: m for d, m in days.items() if _looked_from(signal, d, watched) >= since}
            for signal, days in found.items()
        }
    return found


def _looked_from(signal: Signal, day: date, watched: Watched) -> datetime:
    """When a signal's look-out on a ritual day begins (local)."""
    start = {Signal.LIGHTS_OUT: EVENING_START, Signal.MORNING: MORNING_START}.get(
        signal, watched.boundary
    )
    return dt_util.as_local(dt_util.start_of_local_day(day)).replace(
        hour=start.hour, minute=start.minute
    )


def workdays_from(changes: Iterable[tuple[float, str]]) -> dict[date, bool]:
    """The workday sensor's verdict per local day (its last settled state that day)."""
    kinds: dict[date, bool] = {}
    for stamp, state in sorted(changes):
        if state in ("on", "off"):
            kinds[dt_util.as_local(dt_util.utc_from_timestamp(stamp)).date()] = state == "on"
    return kinds


def read_history(
    hass: HomeAssistant, watched: Watched, start: datetime, end: datetime
) -> tuple[dict[Signal, dict[date, int]], dict[date, bool]]:
    """Recorder history to daily times (in the recorder's executor: database I/O)."""
    from homeassistant.components.recorder.history import (
        get_significant_states,
    )

    states = get_significant_states(
        hass,
        start,
        end,
        watched.entity_ids,
        None,
        True,  # the state at the start: a departure before the window counts
        False,  # every change, not only significant ones
        False,
        True,  # no attributes
    )
    changes: dict[str, list[tuple[float, str]]] = {}
    for entity_id, rows in states.items():
        changes[entity_id] = [
            (row.last_changed.timestamp(), row.state) for row in rows if isinstance(row, State)
        ]
    kinds = workdays_from(changes.get(watched.workday, ())) if watched.workday else {}
    return derive(watched, changes, end), kinds
