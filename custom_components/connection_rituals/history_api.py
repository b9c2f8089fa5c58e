"""The card's data: a couple's day outcomes over a range, and today's rituals, live.

Websocket commands, open to any logged-in user of the house (nothing here is admin-only,
and nothing tells the partners apart):

``connection_rituals/couples`` -> ``{"couples": [{"entry_id", "title", "loaded",
"rituals": [{"id", "name", "kind"}]}]}``: every couple, for the card's editor.

``connection_rituals/history`` with ``entry_id``, optional ``start`` and ``end`` (ISO
dates, ritual days, both included; ``end`` defaults to today, ``start`` to 364 days before
``end``, at most ``MAX_RANGE_DAYS`` days) and optional ``ritual_ids`` (default, or empty:
every ritual) ->

    {
      "entry_id": str, "title": str,
      "start": iso, "end": iso, "today": iso,
      "pressure_free": bool,            # the couple chose "Hide streaks"
      "vacation": bool,
      "connection_streak": int | None,  # None when pressure-free
      "rituals": [{"id", "name", "kind", "device_id", "enabled",
                   "streak": int | None, "best": int | None}],
      "days": {iso: "cms"},             # one outcome code per ritual, in "rituals" order
      "couple": {iso: "c"},             # the couple's outcome of that day (those rituals)
      "unknown_ritual_ids": [str],      # asked for, but not (or no longer) rituals
    }

Outcome codes (``OUTCOME_CODES``): ``c`` kept, ``s`` not today (the couple chose to
skip), ``m`` not marked, ``p`` paused, ``o`` no opportunity. A day missing from ``days``
had no opportunity for any of the rituals. In pressure-free mode only kept days are told
apart (every other code reads ``o``) and no figure is sent.

``connection_rituals/subscribe_today`` with ``entry_id``: an event now and whenever the
couple's rituals change (a day starts, a ritual opens, is kept or declined, the entry
reloads): ``{"loaded": False}`` while the couple is not set up, otherwise

    {
      "loaded": True, "entry_id", "title", "today": iso, "vacation": bool,
      "pressure_free": bool, "connection_streak": int | None,
      "rituals": [{"id", "name", "kind", "device_id", "enabled",
                   "scheduled": bool,   # enabled and today is one of its days
                   "active": bool,      # its window is open now
                   "outcome": code,     # today's, as above (``m`` reads ``o`` when
                                        # pressure-free)
                   "streak": int | None, "best": int | None}],
    }

Errors (``connection.send_error``): ``not_found`` for an unknown couple, ``not_loaded``
for a couple that is not set up right now, ``invalid_format`` for a start after the end
or a range longer than ``MAX_RANGE_DAYS`` days (and, from the schema, for what is not a
date).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components import websocket_api
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import config_validation as cv, device_registry as dr

from .compat import vol
from .const import CONF_HIDE_STREAKS, CONF_KIND, DOMAIN, HISTORY_DAYS
from .core.schedule import is_active_day
from .core.streaks import DayOutcome

if TYPE_CHECKING:
    from .engine import Ritual, RitualEngine

# History keeps HISTORY_DAYS days per ritual (older days live on in a baseline): a longer
# range could only ever be empty at its start.
MAX_RANGE_DAYS: Final = HISTORY_DAYS
DEFAULT_RANGE_DAYS: Final = 365

OUTCOME_CODES: Final[dict[DayOutcome, str]] = {
    DayOutcome.COMPLETED: "c",
    DayOutcome.SKIPPED: "s",
    DayOutcome.MISSED: "m",
    DayOutcome.PAUSED: "p",
    DayOutcome.NO_OPPORTUNITY: "o",
}
NO_OPPORTUNITY: Final = "o"
# The couple's day when rituals differ: as core/streaks.couple_history folds them (a kept
# ritual makes the day kept, then not marked, not today, paused).
_COUPLE_ORDER: Final = ("c", "m", "s", "p")
# Pressure-free: only kept days are told apart.
_KEPT_ONLY: Final = str.maketrans({"s": "o", "m": "o", "p": "o"})

ERR_NOT_LOADED: Final = "not_loaded"

# ------------------------------------------------------------------- setup


@callback
def async_setup_history_api(hass: HomeAssistant) -> None:
    """Register the card's websocket commands (once, from ``async_setup``)."""
    websocket_api.async_register_command(hass, ws_couples)
    websocket_api.async_register_command(hass, ws_history)
    websocket_api.async_register_command(hass, ws_subscribe_today)


# ----------------------------------------------------------------- payloads


def _pressure_free(engine: RitualEngine) -> bool:
    return bool(engine.entry.options.get(CONF_HIDE_STREAKS, False))


def ritual_device_ids(hass: HomeAssistant, engine: RitualEngine) -> dict[str, str]:
    """Each ritual's device id (what the complete and skip actions take)."""
    registry = dr.async_get(hass)
    device_ids: dict[str, str] = {}
    for device in dr.async_entries_for_config_entry(registry, engine.entry.entry_id):
        for domain, identifier in device.identifiers:
            if domain == DOMAIN and identifier in engine.rituals:
                device_ids[identifier] = device.id
    return device_ids


def _ritual_info(ritual: Ritual, device_ids: dict[str, str], pressure_free: bool) -> dict[str, Any]:
    config = ritual.config
    return {
        "id": config.ritual_id,
        "name": config.name,
        "kind": config.kind.value,
        "device_id": device_ids.get(config.ritual_id),
        "enabled": ritual.state.enabled,
        "streak": None if pressure_free else ritual.stats.current,
        "best": None if pressure_free else ritual.stats.best,
    }


def history_payload(
    engine: RitualEngine,
    start: date,
    end: date,
    ritual_ids: list[str] | None = None,
    device_ids: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Day outcomes of the couple's rituals from `start` to `end` (see the module doc).

    One dictionary look-up per ritual and day, from the stored records: 800 days of 20
    rituals take a few milliseconds.
    """
    if ritual_ids:
        wanted = list(dict.fromkeys(ritual_ids))
        rituals = [engine.rituals[rid] for rid in wanted if rid in engine.rituals]
        unknown = [rid for rid in wanted if rid not in engine.rituals]
    else:
        rituals = list(engine.rituals.values())
        unknown = []
    pressure_free = _pressure_free(engine)
    codes = OUTCOME_CODES
    count = len(rituals)
    # Per day, the codes of the rituals that have a record; filled ritual by ritual.
    found: dict[date, list[str]] = {}
    for index, ritual in enumerate(rituals):
        for day, record in ritual.state.history.items():
            if start <= day <= end:
                code = codes[record.outcome]
                if code == NO_OPPORTUNITY:
                    continue
                row = found.get(day)
                if row is None:
                    row = found[day] = [NO_OPPORTUNITY] * count
                row[index] = code
    days: dict[str, str] = {}
    couple: dict[str, str] = {}
    for day in sorted(found):
        text = "".join(found[day])
        if pressure_free:
            text = text.translate(_KEPT_ONLY)
            if "c" not in text:
                continue
        iso = day.isoformat()
        days[iso] = text
        couple[iso] = next((code for code in _COUPLE_ORDER if code in text), NO_OPPORTUNITY)
    if device_ids is None:
        device_ids = ritual_device_ids(engine.hass, engine)
    return {
        "entry_id": engine.entry.entry_id,
        "title": engine.entry.title,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "today": engine.today().isoformat(),
        "pressure_free": pressure_free,
        "vacation": engine.vacation,
        "connection_streak": None if pressure_free else engine.connection_stats.current,
        "rituals": [_ritual_info(ritual, device_ids, pressure_free) for ritual in rituals],
        "days": days,
        "couple": couple,
        "unknown_ritual_ids": unknown,
    }


def today_payload(engine: RitualEngine, device_ids: dict[str, str]) -> dict[str, Any]:
    """Today's rituals of the couple (see the module doc)."""
    today = engine.today()
    pressure_free = _pressure_free(engine)
    rituals = []
    for ritual in engine.rituals.values():
        record = ritual.state.history.get(today)
        code = OUTCOME_CODES[record.outcome] if record is not None else NO_OPPORTUNITY
        if pressure_free and code == "m":
            code = NO_OPPORTUNITY
        info = _ritual_info(ritual, device_ids, pressure_free)
        info["scheduled"] = ritual.state.enabled and is_active_day(
            today, ritual.config.window.active_days
        )
        info["active"] = ritual.active
        info["outcome"] = code
        rituals.append(info)
    return {
        "loaded": True,
        "entry_id": engine.entry.entry_id,
        "title": engine.entry.title,
        "today": today.isoformat(),
        "vacation": engine.vacation,
        "pressure_free": pressure_free,
        "connection_streak": None if pressure_free else engine.connection_stats.current,
        "rituals": rituals,
    }


# ----------------------------------------------------------------- commands


def _engine_or_error(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> RitualEngine | None:
    """The loaded couple a message names; otherwise an error is sent and None returned."""
    entry_id = msg["entry_id"]
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        connection.send_error(
            msg["id"],
            websocket_api.ERR_NOT_FOUND,
            f"Unknown couple: there is no Connection Rituals entry with id '{entry_id}'",
        )
        return None
    if entry.state is not ConfigEntryState.LOADED:
        connection.send_error(
            msg["id"],
            ERR_NOT_LOADED,
            f"The couple '{entry.title}' is not set up right now (state: {entry.state.value})",
        )
        return None
    engine: RitualEngine = entry.runtime_data
    return engine


@websocket_api.websocket_command({vol.Required("type"): f"{DOMAIN}/couples"})
@callback
def ws_couples(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Every couple and its rituals, for the card's editor."""
    couples = []
    for entry in hass.config_entries.async_entries(DOMAIN):
        rituals: list[dict[str, Any]]
        loaded = entry.state is ConfigEntryState.LOADED
        if loaded:
            engine: RitualEngine = entry.runtime_data
            rituals = [
                {"id": rid, "name": r.config.name, "kind": r.config.kind.value}
                for rid, r in engine.rituals.items()
            ]
        else:
            rituals = [
                {
                    "id": subentry.subentry_id,
                    "name": subentry.title,
                    "kind": subentry.data.get(CONF_KIND),
                }
                for subentry in entry.subentries.values()
            ]
        couples.append(
            {"entry_id": entry.entry_id, "title": entry.title, "loaded": loaded, "rituals": rituals}
        )
    connection.send_result(msg["id"], {"couples": couples})


@websocket_api.websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/history",
        vol.Required("entry_id"): cv.string,
        vol.Optional("start"): cv.date,
        vol.Optional("end"): cv.date,
        vol.Optional("ritual_ids"): vol.All([cv.string], vol.Length(max=200)),
    }
)
@callback
def ws_history(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Day outcomes of a couple's rituals over a range of ritual days."""
    engine = _engine_or_error(hass, connection, msg)
    if engine is None:
        return
    end: date = msg.get("end") or engine.today()
    start: date = msg.get("start") or end - timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if start > end:
        connection.send_error(
            msg["id"],
            websocket_api.ERR_INVALID_FORMAT,
            f"The range is reversed: start {start.isoformat()} is after end {end.isoformat()}",
        )
        return
    span = (end - start).days + 1
    if span > MAX_RANGE_DAYS:
        connection.send_error(
            msg["id"],
            websocket_api.ERR_INVALID_FORMAT,
            f"The range {start.isoformat()} to {end.isoformat()} spans {span} days; "
            f"at most {MAX_RANGE_DAYS} days can be asked for at once",
        )
        return
    connection.send_result(msg["id"], history_payload(engine, start, end, msg.get("ritual_ids")))


@websocket_api.websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/subscribe_today",
        vol.Required("entry_id"): cv.string,
    }
)
@callback
def ws_subscribe_today(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Push today's rituals of a couple now and whenever they change."""
    engine = _engine_or_error(hass, connection, msg)
    if engine is None:
        return
    entry = engine.entry
    msg_id: int = msg["id"]
    engine_unsub: list[CALLBACK_TYPE] = []
    # The device ids of the engine they were read for (a reload brings a new engine).
    devices: list[tuple[RitualEngine, dict[str, str]]] = []
    last: list[dict[str, Any]] = []
    pending: list[bool] = []
    closed: list[bool] = []

    @callback
    def _push() -> None:
        pending.clear()
        if closed:
            return
        if entry.state is ConfigEntryState.LOADED:
            current: RitualEngine = entry.runtime_data
            if not devices or devices[0][0] is not current:
                devices[:] = [(current, ritual_device_ids(hass, current))]
            payload = today_payload(current, devices[0][1])
        else:
            payload = {"loaded": False}
        if last and last[0] == payload:
            return  # nothing the card shows changed
        last[:] = [payload]
        connection.send_message(websocket_api.event_message(msg_id, payload))

    @callback
    def _changed() -> None:
        # One event can change a ritual several times: push once, when it is done.
        if not pending:
            pending.append(True)
            hass.loop.call_soon(_push)

    def _detach() -> None:
        while engine_unsub:
            engine_unsub.pop()()

    @callback
    def _state_changed() -> None:
        _detach()
        if entry.state is ConfigEntryState.LOADED:
            engine_unsub.append(entry.runtime_data.async_add_listener(None, _changed))
        _changed()

    engine_unsub.append(engine.async_add_listener(None, _changed))
    unsub_state = entry.async_on_state_change(_state_changed)

    @callback
    def _unsubscribe() -> None:
        closed.append(True)
        _detach()
        unsub_state()

    connection.subscriptions[msg_id] = _unsubscribe
    connection.send_result(msg_id)
    _push()
