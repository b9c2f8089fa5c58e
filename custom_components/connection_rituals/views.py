"""What the parts around the engine may see of it and ask of it.

The engine implements these; listeners, phones, the house and repairs depend on them
(never on the engine module), so every import points one way: down to here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import State

from .models import Occurrence, Ritual


class CoupleView(Protocol):
    """The couple as the notifier and the phones read it."""

    @property
    def entry(self) -> ConfigEntry[Any]:
        """The couple's config entry."""

    @property
    def persons(self) -> Mapping[str, str]:
        """Partner key -> person entity."""

    @property
    def rituals(self) -> Mapping[str, Ritual]:
        """The couple's rituals by id."""

    @property
    def vacation(self) -> bool:
        """Whether every day is paused."""

    def today(self, now: datetime | None = None) -> date:
        """The current ritual day."""

    def partner_state(self, partner: str) -> str:
        """The partner's person state."""

    def partner_name(self, partner: str) -> str:
        """The partner's display name."""

    def paused(self, ritual: Ritual) -> bool:
        """Vacation or a ritual turned off."""

    def prompted_partners(self, ritual: Ritual, occurrence: Occurrence) -> list[str]:
        """Who gets the prompt."""

    def async_save(self) -> None:
        """Schedule a debounced write."""


class RitualCommands(CoupleView, Protocol):
    """What a tap on a phone or a Home Assistant listener may ask of the engine."""

    @property
    def snooze_minutes(self) -> float:
        """How long a snooze from a phone lasts."""

    def attempt_start(
        self, ritual: Ritual, actor: str | None = None, manual: bool = False
    ) -> Occurrence | None:
        """Start an occurrence if the ritual's conditions hold."""

    def complete(self, ritual: Ritual, partner: str | None = None) -> None:
        """Done."""

    def snooze(self, ritual: Ritual, minutes: float, partner: str | None = None) -> None:
        """Later."""

    def skip(self, ritual: Ritual, partner: str | None = None) -> None:
        """Not today."""

    def time_triggered(self, ritual: Ritual) -> None:
        """A ritual's daily time came."""

    def start_due_apart(self, ritual: Ritual) -> None:
        """An apart ritual whose stretch may have matured."""

    def new_day(self) -> None:
        """The day boundary passed."""

    def new_time_zone(self) -> None:
        """Home Assistant's time zone changed."""

    def person_changed(self, partner: str, old: State | None, new: State) -> None:
        """A partner's person entity changed."""

    def device_changed(self, old: State | None, new: State | None) -> None:
        """A "device in use" entity changed."""

    def presence_settled(self) -> None:
        """Home Assistant runs: presence counts from now on."""

    def check_entities(self) -> None:
        """Raise or clear repair issues for the entities the couple relies on."""
