"""Prompt rules without a clock or a phone: notification tags and action ids, quiet
hours, and the daily cap."""

from __future__ import annotations

from collections.abc import Collection, MutableMapping
from datetime import datetime, time, timedelta
from typing import Any

from .schedule import in_active_hours

ACTION_PREFIX = "CONNECTION_RITUALS"
ACTION_DONE = "DONE"
ACTION_SNOOZE = "SNOOZE"
ACTION_SKIP = "SKIP"
ACTION_REPLY = "REPLY"
ACTIONS = (ACTION_DONE, ACTION_SNOOZE, ACTION_SKIP, ACTION_REPLY)


def notification_tag(occurrence_id: str) -> str:
    """One tag per occurrence: re-sends replace, completion clears."""
    return f"connection_rituals_{occurrence_id}"


def action_id(action: str, occurrence_id: str) -> str:
    """An action identifier carrying the occurrence id."""
    return f"{ACTION_PREFIX}_{action}_{occurrence_id}"


def parse_action(action: Any, known: Collection[str] = ACTIONS) -> tuple[str, str] | None:
    """(action, occurrence id) from an action identifier, or None if it is not ours."""
    if not isinstance(action, str) or not action.startswith(f"{ACTION_PREFIX}_"):
        return None
    kind, _, occurrence_id = action[len(ACTION_PREFIX) + 1 :].partition("_")
    if kind not in known or not occurrence_id:
        return None
    return kind, occurrence_id


def after_quiet_hours(local: datetime, start: time, end: time) -> datetime:
    """The first moment at or after `local` outside the quiet hours [start, end)
    (local wall-clock times; equal times mean no quiet hours)."""
    if start == end:
        return local
    if not in_active_hours(local.time(), start, end):
        return local
    until = local.replace(hour=end.hour, minute=end.minute, second=end.second, microsecond=0)
    return until if until > local else until + timedelta(days=1)


def count_against_cap(counts: MutableMapping[str, Any], day: str, partner: str, cap: int) -> bool:
    """Count one prompt for `partner` on ritual day `day` (ISO); False once the cap is
    reached (then nothing is counted). The counts start afresh on a new day."""
    if counts.get("day") != day:
        counts.clear()
        counts["day"] = day
    sent = int(counts.get(partner, 0))
    if sent >= cap:
        return False
    counts[partner] = sent + 1
    return True
