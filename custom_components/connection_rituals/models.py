"""Typed configuration and persisted state of rituals (no Home Assistant imports)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from .const import (
    CONF_ACTIVE_DAYS,
    CONF_ACTIVE_END,
    CONF_ACTIVE_START,
    CONF_APART_HOURS,
    CONF_BRIGHTNESS,
    CONF_COMPLETION,
    CONF_DND,
    CONF_KIND,
    CONF_LIGHTS,
    CONF_MIN_AWAY_MINUTES,
    CONF_NAME,
    CONF_PRESENCE,
    CONF_PROMPT_MODE,
    CONF_PROMPT_TEXT,
    CONF_PROMPTED,
    CONF_REPLY,
    CONF_SCENE,
    CONF_TRANSITION,
    CONF_TRIGGER_ENTITY,
    CONF_TRIGGER_STATE,
    CONF_TRIGGER_TIME,
    CONF_TRIGGER_TYPE,
    CONF_WINDOW_MINUTES,
    DEFAULT_BRIGHTNESS,
    DEFAULT_TRANSITION,
    KIND_DEFAULTS,
    Completion,
    Prompted,
    PromptMode,
    RitualKind,
    TriggerType,
)
from .core.schedule import WEEKDAYS, PresenceCondition, Window
from .core.streaks import Baseline, DayRecord, StreakStats


def parse_time(value: Any, fallback: str = "00:00:00") -> time:
    """Parse 'HH:MM[:SS]' as stored by the time selector."""
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        return time.fromisoformat(fallback)


def parse_utc(value: Any) -> datetime | None:
    """Parse a stored UTC ISO timestamp; anything else is None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


# Presence implied by each kind; custom rituals choose.
_KIND_PRESENCE = {
    RitualKind.REUNION: PresenceCondition.BOTH_HOME,
    RitualKind.DEPARTURE: PresenceCondition.ANY,
    RitualKind.MORNING: PresenceCondition.BOTH_HOME,
    RitualKind.BEDTIME: PresenceCondition.BOTH_HOME,
    RitualKind.APART: PresenceCondition.APART,
}


@dataclass(frozen=True, slots=True)
class RitualConfig:
    """One ritual as configured in its subentry."""

    ritual_id: str
    name: str
    kind: RitualKind
    window: Window
    window_minutes: int
    trigger_type: TriggerType | None
    trigger_time: time | None
    trigger_entity: str | None
    trigger_state: str | None
    presence: PresenceCondition
    prompted: Prompted
    prompt_mode: PromptMode
    prompt_text: str | None
    min_away: timedelta
    apart_for: timedelta
    completion: Completion
    dnd: bool = False
    reply: bool = False
    scene: str | None = None
    lights: tuple[str, ...] = ()
    brightness: int = DEFAULT_BRIGHTNESS
    transition: float = DEFAULT_TRANSITION

    @classmethod
    def from_subentry(cls, ritual_id: str, data: Mapping[str, Any]) -> RitualConfig:
        """Build from subentry data, falling back to the kind's defaults."""
        kind = RitualKind(data[CONF_KIND])
        merged: dict[str, Any] = {**KIND_DEFAULTS[kind], **data}
        trigger_type = (
            TriggerType(merged.get(CONF_TRIGGER_TYPE, TriggerType.TIME))
            if kind in (RitualKind.MORNING, RitualKind.BEDTIME, RitualKind.CUSTOM)
            else None
        )
        days = tuple(day for day in WEEKDAYS if day in merged.get(CONF_ACTIVE_DAYS, WEEKDAYS))
        return cls(
            ritual_id=ritual_id,
            name=str(merged.get(CONF_NAME) or kind.value),
            kind=kind,
            window=Window(
                active_days=days,
                start=parse_time(merged.get(CONF_ACTIVE_START)),
                end=parse_time(merged.get(CONF_ACTIVE_END)),
            ),
            window_minutes=int(merged.get(CONF_WINDOW_MINUTES, 0) or 0),
            trigger_type=trigger_type,
            trigger_time=(
                parse_time(merged[CONF_TRIGGER_TIME])
                if trigger_type is TriggerType.TIME and merged.get(CONF_TRIGGER_TIME)
                else None
            ),
            trigger_entity=(
                merged.get(CONF_TRIGGER_ENTITY) if trigger_type is TriggerType.STATE else None
            ),
            trigger_state=(
                str(merged.get(CONF_TRIGGER_STATE))
                if trigger_type is TriggerType.STATE and merged.get(CONF_TRIGGER_STATE)
                else None
            ),
            presence=PresenceCondition(
                merged.get(CONF_PRESENCE) or _KIND_PRESENCE.get(kind, PresenceCondition.ANY)
            )
            if kind is RitualKind.CUSTOM
            else _KIND_PRESENCE[kind],
            prompted=Prompted(merged.get(CONF_PROMPTED, Prompted.BOTH)),
            prompt_mode=PromptMode(merged.get(CONF_PROMPT_MODE, PromptMode.SURPRISE)),
            prompt_text=merged.get(CONF_PROMPT_TEXT) or None,
            min_away=timedelta(minutes=float(merged.get(CONF_MIN_AWAY_MINUTES, 0) or 0)),
            apart_for=timedelta(hours=float(merged.get(CONF_APART_HOURS, 0) or 0)),
            completion=Completion(merged.get(CONF_COMPLETION, Completion.EITHER)),
            dnd=bool(merged.get(CONF_DND, False)) and kind is RitualKind.REUNION,
            reply=bool(merged.get(CONF_REPLY, False)) and kind is RitualKind.BEDTIME,
            scene=merged.get(CONF_SCENE) or None,
            lights=tuple(merged.get(CONF_LIGHTS) or ()),
            brightness=int(merged.get(CONF_BRIGHTNESS, DEFAULT_BRIGHTNESS)),
            transition=float(merged.get(CONF_TRANSITION, DEFAULT_TRANSITION)),
        )

    @property
    def once_per_day(self) -> bool:
        """Scheduled and apart rituals start at most once per ritual day."""
        return self.kind not in (RitualKind.REUNION, RitualKind.DEPARTURE)


@dataclass(slots=True)
class Occurrence:
    """One run of a ritual, from start to its end."""

    occurrence_id: str
    day: date
    started_at: datetime
    ends_at: datetime | None
    actor: str | None = None
    manual: bool = False
    completed_by: list[str] = field(default_factory=list)
    snoozed_until: datetime | None = None
    # A reunion: when its device-free part began (None during the reading time), and
    # whether a device was in use since. Never who, which device, or when.
    device_free_from: datetime | None = None
    device_used: bool = False
    prompted: list[str] = field(default_factory=list)
    dnd: list[str] = field(default_factory=list)
    # Each light's look before the window, and right after the ritual set it.
    lights: dict[str, dict[str, Any]] = field(default_factory=dict)
    lights_set: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Lights a person or another automation changed during the window (by context).
    lights_changed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Serialisable form (UTC ISO timestamps)."""
        return {
            "id": self.occurrence_id,
            "day": self.day.isoformat(),
            "started_at": self.started_at.isoformat(),
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
            "actor": self.actor,
            "manual": self.manual,
            "completed_by": list(self.completed_by),
            "snoozed_until": self.snoozed_until.isoformat() if self.snoozed_until else None,
            "device_free_from": self.device_free_from.isoformat()
            if self.device_free_from
            else None,
            "device_used": self.device_used,
            "prompted": list(self.prompted),
            "dnd": list(self.dnd),
            "lights": self.lights,
            "lights_set": self.lights_set,
            "lights_changed": list(self.lights_changed),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Occurrence:
        """Parse a stored occurrence; raises ValueError when it is unusable."""
        started_at = parse_utc(data.get("started_at"))
        if started_at is None or not isinstance(data.get("id"), str):
            raise ValueError("occurrence without id or start")
        # Earlier releases stored who used which device when ("device_use"): dropped.
        return cls(
            occurrence_id=data["id"],
            day=date.fromisoformat(str(data.get("day"))),
            started_at=started_at,
            ends_at=parse_utc(data.get("ends_at")),
            actor=data.get("actor") if isinstance(data.get("actor"), str) else None,
            manual=bool(data.get("manual", False)),
            completed_by=[str(p) for p in data.get("completed_by") or []],
            snoozed_until=parse_utc(data.get("snoozed_until")),
            device_free_from=parse_utc(data.get("device_free_from")),
            device_used=data.get("device_used") is True,
            prompted=[str(p) for p in data.get("prompted") or []],
            dnd=[str(p) for p in data.get("dnd") or []],
            lights=_light_map(data.get("lights")),
            lights_set=_light_map(data.get("lights_set")),
            lights_changed=[str(e) for e in data.get("lights_changed") or []],
        )


def _light_map(value: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict):
        return {}
    return {str(k): dict(v) for k, v in value.items() if isinstance(v, dict)}


@dataclass(slots=True)
class RitualState:
    """What is persisted for one ritual."""

    history: dict[date, DayRecord] = field(default_factory=dict)
    baseline: Baseline = field(default_factory=Baseline)
    occurrence: Occurrence | None = None
    last_completed: datetime | None = None
    enabled: bool = True
    rotation: int = 0
    replies: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Serialisable form."""
        return {
            "history": {
                day.isoformat(): rec.as_list() for day, rec in sorted(self.history.items())
            },
            "baseline": self.baseline.as_dict(),
            "occurrence": self.occurrence.as_dict() if self.occurrence else None,
            "last_completed": self.last_completed.isoformat() if self.last_completed else None,
            "enabled": self.enabled,
            "rotation": self.rotation,
            "replies": list(self.replies),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RitualState:
        """Parse stored state; raises ValueError on malformed data."""
        raw_history = data.get("history") or {}
        if not isinstance(raw_history, dict):
            raise ValueError("history is not a mapping")
        history = {
            date.fromisoformat(day): DayRecord.from_list(record)
            for day, record in raw_history.items()
        }
        occurrence_data = data.get("occurrence")
        return cls(
            history=history,
            baseline=Baseline.from_dict(data.get("baseline") or {}),
            occurrence=Occurrence.from_dict(occurrence_data) if occurrence_data else None,
            last_completed=parse_utc(data.get("last_completed")),
            enabled=bool(data.get("enabled", True)),
            rotation=int(data.get("rotation", 0)),
            replies=[
                {str(k): str(v) for k, v in reply.items()}
                for reply in data.get("replies") or []
                if isinstance(reply, dict)
            ],
        )


@dataclass(slots=True)
class Ritual:
    """A configured ritual with its persisted state and derived figures."""

    config: RitualConfig
    state: RitualState
    stats: StreakStats = field(default_factory=StreakStats)

    @property
    def active(self) -> bool:
        """Whether the ritual window is open."""
        return self.state.occurrence is not None
