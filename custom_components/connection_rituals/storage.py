"""Persistence of a couple's rituals: a versioned, debounced Store."""

from __future__ import annotations

from collections.abc import Callable
import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime
import json
import logging
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .compat import NewerStorageVersionError
from .const import (
    DOMAIN,
    HISTORY_DAYS,
    SAVE_DELAY_SECONDS,
    STORAGE_MINOR_VERSION,
    STORAGE_VERSION,
)
from .core.ideas import IdeaMemory
from .core.interactions import Initiative, Interaction
from .core.streaks import DayRecord, StreakRules, prune_history
from .models import RitualState, parse_utc

_LOGGER = logging.getLogger(__name__)


@dataclass(slots=True)
class StoredState:
    """Everything loaded from disk for one couple."""

    vacation: bool = False
    away_since: dict[str, datetime] = field(default_factory=dict)
    apart_since: datetime | None = None
    rituals: dict[str, RitualState] = field(default_factory=dict)
    ideas: IdeaMemory = field(default_factory=IdeaMemory)
    prompt_counts: dict[str, Any] = field(default_factory=dict)
    interactions: list[Interaction] = field(default_factory=list)
    initiative: list[Initiative] = field(default_factory=list)
    # Older days were folded into baselines while loading: worth writing back.
    pruned: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The stored form (what `_parse` reads back)."""
        return {
            "couple": {
                "vacation": self.vacation,
                "away_since": {p: t.isoformat() for p, t in self.away_since.items()},
                "apart_since": self.apart_since.isoformat() if self.apart_since else None,
            },
            "rituals": {rid: state.as_dict() for rid, state in self.rituals.items()},
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


class _VersionedStore(Store[dict[str, Any]]):
    """Store with the migration path for older layouts."""

    # The data as it was before a migration: Home Assistant writes the migrated form
    # back at once, so this is what to keep aside if it then turns out unreadable.
    before_migration: Any = None

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> dict[str, Any]:
        if old_major_version > STORAGE_VERSION:
            raise NotImplementedError
        self.before_migration = data = old_data
        if old_major_version < 2:
            # Years of history: converted off the event loop.
            data = await self.hass.async_add_executor_job(_migrate_1_to_2, data)
        if old_major_version < 2 or old_minor_version < 2:
            data = _drop_device_use(data)
        return data


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _drop_device_use(data: Any) -> Any:
    """2.1 -> 2.2: forget which partner used which device when (never kept from now on),
    and the last-used days of the old idea selection."""
    if not isinstance(data, dict):
        return data
    data = {key: value for key, value in data.items() if key != "ideas_used"}
    rituals = data.get("rituals")
    if isinstance(rituals, dict):
        cleaned: dict[Any, Any] = {}
        for ritual_id, state in rituals.items():
            occurrence = state.get("occurrence") if isinstance(state, dict) else None
            if isinstance(occurrence, dict) and "device_use" in occurrence:
                occurrence = {k: v for k, v in occurrence.items() if k != "device_use"}
                state = {**state, "occurrence": occurrence}
            cleaned[ritual_id] = state
        data["rituals"] = cleaned
    return data


def _migrate_1_to_2(data: Any) -> Any:
    """Day records become compact lists: {"started": 1, "completed": 1} -> [1, 1].

    Anything that does not have the version 1 shape is left as it was: parsing then
    rejects it, and it is kept aside with a repair issue rather than lost here.
    """
    if not isinstance(data, dict) or not isinstance(data.get("rituals"), dict):
        return data
    rituals: dict[Any, Any] = {}
    for ritual_id, state in data["rituals"].items():
        history = state.get("history") if isinstance(state, dict) else None
        if isinstance(history, dict):
            with contextlib.suppress(ValueError, TypeError):
                state = {
                    **state,
                    "history": {
                        day: DayRecord.from_dict(record).as_list()
                        for day, record in history.items()
                    },
                }
        rituals[ritual_id] = state
    return {**data, "rituals": rituals}


class RitualsStore:
    """Load, parse and save one couple's state; damaged data is kept aside, never lost."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Create the store for a config entry."""
        self.hass = hass
        self.entry_id = entry_id
        self._store = _VersionedStore(
            hass,
            STORAGE_VERSION,
            f"{DOMAIN}.{entry_id}",
            minor_version=STORAGE_MINOR_VERSION,
            atomic_writes=True,
        )

    @property
    def path(self) -> str:
        """Where the data lives."""
        return str(self._store.path)

    async def async_load_state(self, today: date, rules: StreakRules) -> StoredState:
        """Load, parse and prune; unreadable content is moved aside and reported."""
        try:
            raw = await self._store.async_load()
        except (
            NotImplementedError,
            NewerStorageVersionError,
            KeyError,
            TypeError,
            ValueError,
        ) as err:
            # A layout from a newer release (after a downgrade) or a file without the
            # Store's envelope: keep the file as it is before anything overwrites it.
            text = await self.hass.async_add_executor_job(_read_text, self.path)
            await self._keep_aside(None, err, text=text)
            return StoredState()
        if raw is None:
            return StoredState()
        try:
            # Years of history take a while to parse and fold: not in the event loop.
            return await self.hass.async_add_executor_job(_parse, raw, today, rules)
        except (ValueError, TypeError, KeyError, AttributeError) as err:
            original = self._store.before_migration
            await self._keep_aside(raw if original is None else original, err)
            return StoredState()

    async def _keep_aside(self, raw: Any, err: Exception, *, text: str | None = None) -> None:
        """Write `raw` (as JSON) or the file's own `text` next to the store file."""
        stamp = dt_util.utcnow().strftime("%Y%m%dT%H%M%S")
        aside = f"{self.path}.unreadable.{stamp}"

        def _write() -> None:
            Path(aside).parent.mkdir(parents=True, exist_ok=True)
            content = text if text is not None else json.dumps(raw, indent=2, default=str)
            Path(aside).write_text(content, encoding="utf-8")

        await self.hass.async_add_executor_job(_write)
        _LOGGER.error(
            "Stored ritual history could not be read (%s); it was kept aside as %s", err, aside
        )
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            f"unreadable_storage_{self.entry_id}",
            is_fixable=False,
            is_persistent=True,
            severity=ir.IssueSeverity.ERROR,
            translation_key="unreadable_storage",
            translation_placeholders={"path": aside},
        )

    def async_delay_save(self, data_func: Callable[[], dict[str, Any]]) -> None:
        """Debounced write: bursts of changes become one write."""
        self._store.async_delay_save(data_func, SAVE_DELAY_SECONDS)

    async def async_flush(self, data_func: Callable[[], dict[str, Any]]) -> None:
        """Write now (on unload)."""
        await self._store.async_save(data_func())

    async def async_remove(self) -> None:
        """Delete the file when the entry is removed."""
        await self._store.async_remove()


def _parse(raw: Any, today: date, rules: StreakRules) -> StoredState:
    if not isinstance(raw, dict):
        raise ValueError("stored data is not a mapping")
    couple = raw.get("couple") or {}
    rituals = raw.get("rituals") or {}
    if not isinstance(couple, dict) or not isinstance(rituals, dict):
        raise ValueError("stored data has the wrong shape")
    away_since: dict[str, datetime] = {}
    for partner, value in (couple.get("away_since") or {}).items():
        parsed = parse_utc(value)
        if parsed is not None:
            away_since[str(partner)] = parsed
    # Idea selection state; "ideas_used" of earlier releases (last-used days) is dropped:
    # the shuffled cycles start afresh.
    ideas = IdeaMemory.from_dict(raw.get("ideas"))
    prompt_counts = raw.get("prompt_counts") or {}
    if not isinstance(prompt_counts, dict):
        raise ValueError("prompt counts have the wrong shape")
    interactions = [
        Interaction(
            day=date.fromisoformat(item["day"]),
            positive=bool(item["positive"]),
            partner=item.get("partner"),
            note=item.get("note"),
        )
        for item in raw.get("interactions") or []
    ]
    initiative = [
        Initiative(
            day=date.fromisoformat(item["day"]),
            partner=str(item["partner"]),
            action=str(item["action"]),
        )
        for item in raw.get("initiative") or []
    ]
    ritual_states = {str(rid): RitualState.from_dict(state) for rid, state in rituals.items()}
    sizes = sum(len(state.history) for state in ritual_states.values())
    for state in ritual_states.values():
        state.history, state.baseline = prune_history(
            state.history, today, HISTORY_DAYS, rules, state.baseline
        )
    return StoredState(
        pruned=sum(len(state.history) for state in ritual_states.values()) < sizes,
        interactions=interactions,
        initiative=initiative,
        ideas=ideas,
        prompt_counts=dict(prompt_counts),
        vacation=bool(couple.get("vacation", False)),
        away_since=away_since,
        apart_since=parse_utc(couple.get("apart_since")),
        # Days older than HISTORY_DAYS fold into the baseline (no figure changes).
        rituals=ritual_states,
    )
