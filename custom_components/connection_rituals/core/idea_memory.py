"""What a couple's idea selection remembers: each pool's shuffled cycle, the ideas sent
today, the ideas the couple loved and the ones they retired. Plain data, no clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# How a couple rates an idea, and how many prompted occurrences are remembered for it.
RATING_LOVED = "loved"
RATING_RETIRE = "not_this_one"
RATING_RESTORE = "restore"
RATINGS: tuple[str, ...] = (RATING_LOVED, RATING_RETIRE, RATING_RESTORE)
SHOWN_KEPT = 20


@dataclass(frozen=True, slots=True)
class CycleState:
    """Where a pool's shuffled cycle stands: the ideas sent in this cycle, in order, and
    the idea sent last (which never opens the next cycle)."""

    sent: tuple[str, ...] = ()
    last: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The stored form."""
        return {"sent": list(self.sent), "last": self.last}

    @classmethod
    def from_dict(cls, raw: Any) -> CycleState:
        """Read the stored form; anything unreadable starts a fresh cycle."""
        if not isinstance(raw, dict):
            return cls()
        sent = raw.get("sent")
        last = raw.get("last")
        return cls(
            sent=tuple(str(idea_id) for idea_id in sent) if isinstance(sent, list) else (),
            last=last if isinstance(last, str) else None,
        )


@dataclass(slots=True)
class IdeaMemory:
    """What a couple's idea selection remembers (stored): each pool's cycle, what was sent
    on the current ritual day (never the same idea in two rituals on a day), the ideas the
    couple loved (weights) and the ones they retired ("not this one")."""

    cycles: dict[str, CycleState] = field(default_factory=dict)
    day: str | None = None
    sent_today: list[str] = field(default_factory=list)
    loved: dict[str, int] = field(default_factory=dict)
    retired: set[str] = field(default_factory=set)
    # The idea each recent occurrence was prompted with (for "loved it" after it was kept).
    shown: dict[str, str] = field(default_factory=dict)

    def remember(self, occurrence_id: str, idea_id: str) -> None:
        """Note the idea an occurrence was prompted with (the last SHOWN_KEPT only)."""
        self.shown.pop(occurrence_id, None)
        self.shown[occurrence_id] = idea_id
        while len(self.shown) > SHOWN_KEPT:
            del self.shown[next(iter(self.shown))]

    def rate(self, idea_id: str, rating: str) -> None:
        """ "loved" raises an idea's weight, "not_this_one" retires it, "restore" undoes both."""
        if rating == RATING_LOVED:
            self.loved[idea_id] = self.loved.get(idea_id, 0) + 1
            self.retired.discard(idea_id)
        elif rating == RATING_RETIRE:
            self.retired.add(idea_id)
            self.loved.pop(idea_id, None)
        elif rating == RATING_RESTORE:
            self.retired.discard(idea_id)
            self.loved.pop(idea_id, None)
        else:
            raise ValueError(f"unknown rating {rating!r}")

    def today(self, day: str) -> list[str]:
        """The ideas sent on ritual day `day` (ISO), starting the list afresh on a new day."""
        if self.day != day:
            self.day, self.sent_today = day, []
        return self.sent_today

    def weights(self) -> dict[str, float]:
        """A loved idea comes earlier in its cycle: weight 1 + 2 per "loved it" (at most 7)."""
        return {idea_id: 1.0 + 2.0 * min(count, 3) for idea_id, count in self.loved.items()}

    def as_dict(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "cycles": {pool: cycle.as_dict() for pool, cycle in self.cycles.items()},
            "day": self.day,
            "sent_today": list(self.sent_today),
            "loved": dict(self.loved),
            "retired": sorted(self.retired),
            "shown": dict(self.shown),
        }

    @classmethod
    def from_dict(cls, raw: Any) -> IdeaMemory:
        """Read the stored form; unreadable parts start afresh (selection state only)."""
        if not isinstance(raw, dict):
            return cls()
        cycles = raw.get("cycles")
        loved = raw.get("loved")
        retired = raw.get("retired")
        sent_today = raw.get("sent_today")
        day = raw.get("day")
        shown = raw.get("shown")
        return cls(
            shown={str(o): str(i) for o, i in shown.items()} if isinstance(shown, dict) else {},
            cycles={str(pool): CycleState.from_dict(cycle) for pool, cycle in cycles.items()}
            if isinstance(cycles, dict)
            else {},
            day=day if isinstance(day, str) else None,
            sent_today=[str(i) for i in sent_today] if isinstance(sent_today, list) else [],
            loved={str(i): int(n) for i, n in loved.items() if isinstance(n, int) and n > 0}
            if isinstance(loved, dict)
            else {},
            retired={str(i) for i in retired} if isinstance(retired, list) else set(),
        )
