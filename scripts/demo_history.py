"""A few months of made-up history for the demo couple, so the card's calendar is not empty.

Written into the couple's storage file (`.storage/connection_rituals.<entry id>`) while
the entry is not loaded: before Home Assistant starts, or, on the very first start (the
entry is made by the config flow then), while `demo_household.py bootstrap` has it
disabled for a moment. Deterministic: the outcome of a day depends on the ritual's kind
and the date only, so every run tells the same story.

Mostly kept, some "not today" and "not marked" days, reunions only on some days (no
opportunity on the others), a paused week of vacation, and the last days kept, for a
streak to look at. Only on each ritual's active days, never today or later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
import json
import os
from pathlib import Path
import random
from typing import Any
from zoneinfo import ZoneInfo

DOMAIN = "connection_rituals"
# custom_components/connection_rituals/const.py (tests/test_develop.py checks they agree).
STORAGE_VERSION = 2
STORAGE_MINOR_VERSION = 2
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

HISTORY_MONTHS = 5
SEED = "connection-rituals-demo"
VACATION = range(38, 45)  # days before today: a paused week
RECENT_STREAK = 9  # the last days before today, all kept
# Compact day records (storage version 2): started, completed, missed, skipped, paused.
KEPT = [1, 1]
NOT_MARKED = [1, 0, 1]
NOT_TODAY = [0, 0, 0, 1]
PAUSED = [0, 0, 0, 0, 1]
# Per kind: the share of days with an opportunity, then of those kept and "not today".
ODDS: dict[str, tuple[float, float, float]] = {
    "reunion": (0.7, 0.8, 0.1),  # only when someone comes home
    "bedtime": (1.0, 0.82, 0.1),
}
DEFAULT_ODDS = (1.0, 0.8, 0.1)


@dataclass(frozen=True)
class DemoRitual:
    """What the history needs to know of a ritual."""

    ritual_id: str
    kind: str
    active_days: tuple[str, ...] = WEEKDAYS


def ritual_day(now: datetime, zone: str, boundary: str) -> date:
    """Today's ritual day (a day runs from `boundary` to `boundary`, local time)."""
    local = now.astimezone(ZoneInfo(zone))
    start = time.fromisoformat(boundary)
    return local.date() - timedelta(days=1) if local.time() < start else local.date()


def day_record(kind: str, day: date, offset: int) -> list[int] | None:
    """The made-up record of a ritual day `offset` days before today (None: no record)."""
    if offset in VACATION:
        return PAUSED
    rng = random.Random(f"{SEED}:{kind}:{day.isoformat()}")
    chance, kept, not_today = ODDS.get(kind, DEFAULT_ODDS)
    if rng.random() >= chance:
        return None  # no opportunity that day
    if offset <= RECENT_STREAK:
        return KEPT
    roll = rng.random()
    if roll < kept:
        return KEPT
    if roll < kept + not_today:
        return NOT_TODAY
    return NOT_MARKED


def demo_history(
    rituals: Iterable[DemoRitual], today: date, months: int = HISTORY_MONTHS
) -> dict[str, dict[str, list[int]]]:
    """{ritual id: {iso day: record}} from `months` months back to yesterday."""
    first = today - timedelta(days=round(months * 30.44))
    history: dict[str, dict[str, list[int]]] = {}
    for ritual in rituals:
        days: dict[str, list[int]] = {}
        for offset in range(1, (today - first).days + 1):
            day = today - timedelta(days=offset)
            if WEEKDAYS[day.weekday()] not in ritual.active_days:
                continue
            record = day_record(ritual.kind, day, offset)
            if record is not None:
                days[day.isoformat()] = record
        history[ritual.ritual_id] = days
    return history


def storage_path(config: Path, entry_id: str) -> Path:
    return config / ".storage" / f"{DOMAIN}.{entry_id}"


def write_history(config: Path, entry_id: str, rituals: Iterable[DemoRitual], today: date) -> int:
    """Add the demo history to the couple's storage file; days already there are kept.

    Only while Home Assistant does not have the entry loaded (it would write its own
    state over it). Returns the number of day records added.
    """
    path = storage_path(config, entry_id)
    try:
        stored: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        stored = {
            "version": STORAGE_VERSION,
            "minor_version": STORAGE_MINOR_VERSION,
            "key": f"{DOMAIN}.{entry_id}",
            "data": {},
        }
    if stored.get("version") != STORAGE_VERSION:
        return 0  # a layout this script does not know: left alone
    data = stored.setdefault("data", {})
    data.setdefault("couple", {"vacation": False, "away_since": {}, "apart_since": None})
    states: dict[str, Any] = data.setdefault("rituals", {})
    added = 0
    for ritual_id, days in demo_history(rituals, today).items():
        history = states.setdefault(ritual_id, {}).setdefault("history", {})
        for day, record in days.items():
            if day not in history:
                history[day] = record
                added += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".demo")
    partial.write_text(json.dumps(stored, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return added


def rituals_of_entry(entry: Mapping[str, Any]) -> list[DemoRitual]:
    """The rituals of a stored config entry (`.storage/core.config_entries`)."""
    found = []
    for sub in entry.get("subentries") or []:
        if sub.get("subentry_type") != "ritual":
            continue
        data = sub.get("data") or {}
        days = tuple(d for d in WEEKDAYS if d in (data.get("active_days") or WEEKDAYS))
        found.append(DemoRitual(str(sub["subentry_id"]), str(data.get("kind", "custom")), days))
    return found


def prepare_history(config: Path, now: datetime) -> str | None:
    """Before a start: the demo couple's history, once (its entry id, or None).

    For a config directory whose couple was set up before the demo had a history.
    """
    storage = config / ".storage"
    try:
        entries = json.loads((storage / "core.config_entries").read_text())["data"]["entries"]
        core = json.loads((storage / "core.config").read_text())["data"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    for entry in entries:
        if entry.get("domain") != DOMAIN or entry.get("disabled_by"):
            continue
        rituals = rituals_of_entry(entry)
        if not rituals:
            return None
        boundary = str((entry.get("data") or {}).get("day_boundary", "04:00:00"))
        today = ritual_day(now, str(core.get("time_zone") or "UTC"), boundary)
        write_history(config, str(entry["entry_id"]), rituals, today)
        return str(entry["entry_id"])
    return None
