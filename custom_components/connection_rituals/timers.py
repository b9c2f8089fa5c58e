"""Timers: one-shot timers by key, and daily wall-clock timers safe across DST and zones."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime, time

from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util

from .core.rhythms import TimeProvider, next_start
from .core.schedule import Window


def shutdown_safe(action: Callable[[datetime], None]) -> HassJob[[datetime], None]:
    """Our timers end with Home Assistant: state is persisted, restarts resume it."""
    return HassJob(action, f"connection_rituals {action.__name__}", cancel_on_shutdown=True)


class Timers:
    """One-shot timers by key: starting one replaces the key's previous timer."""

    def __init__(self, hass: HomeAssistant) -> None:
        """No timer yet."""
        self.hass = hass
        self._handles: dict[Hashable, CALLBACK_TYPE] = {}

    def start(self, key: Hashable, when: datetime, action: Callable[[], None]) -> None:
        """Run `action` at `when` (UTC), instead of whatever the key had pending."""
        self.cancel(key)

        @callback
        def _due(now: datetime) -> None:
            self._handles.pop(key, None)
            action()

        self._handles[key] = async_track_point_in_utc_time(self.hass, shutdown_safe(_due), when)

    def pending(self, key: Hashable) -> bool:
        """Whether the key has a timer waiting."""
        return key in self._handles

    def cancel(self, key: Hashable) -> None:
        """Cancel the key's timer, if any."""
        if (unsub := self._handles.pop(key, None)) is not None:
            unsub()

    def cancel_all(self) -> None:
        """Cancel every timer."""
        for unsub in self._handles.values():
            unsub()
        self._handles.clear()


class DailyTimers:
    """Actions at a local wall-clock time on a window's days.

    Our own scheduling (not async_track_time_change) so that a time skipped by a
    spring-forward night still fires once, just after the gap, and a time repeated
    by a fall-back night fires once.
    """

    def __init__(self, hass: HomeAssistant, boundary: time) -> None:
        """No daily action yet; `boundary` begins the ritual day."""
        self.hass = hass
        self.boundary = boundary
        self._daily: list[tuple[time, Window, Callable[[], None], str | None]] = []
        self._timers = Timers(hass)
        # Learned rhythms may move a time ritual's start (None: the configured times).
        self.time_provider: TimeProvider | None = None

    def track(
        self, at: time, window: Window, action: Callable[[], None], ritual_id: str | None = None
    ) -> None:
        """Run `action` daily at `at` on the window's days (a ritual's: as its rhythm says)."""
        self._daily.append((at, window, action, ritual_id))
        self._schedule(len(self._daily) - 1)

    def _schedule(self, index: int) -> None:
        if self.hass.is_stopping:
            return  # an entry set up while Home Assistant stops must not leave timers
        at, window, action, ritual_id = self._daily[index]
        moment = next_start(self.time_provider, ritual_id, dt_util.now(), at, window, self.boundary)
        if moment is None:
            return

        def _fire() -> None:
            action()
            self._schedule(index)

        self._timers.start(index, dt_util.as_utc(moment), _fire)

    def reschedule(self) -> None:
        """A new time zone or learned times: every daily time follows."""
        self._timers.cancel_all()
        for index in range(len(self._daily)):
            self._schedule(index)

    def cancel(self) -> None:
        """Stop every daily action."""
        self._timers.cancel_all()
        self._daily.clear()


class AtStarted:
    """Actions that need Home Assistant running (after a restart, other integrations'
    entities and services may not be there yet); each handle is dropped once it ran."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing waits yet."""
        self.hass = hass
        self._waiting: dict[Hashable, CALLBACK_TYPE] = {}

    def run(self, key: Hashable, action: Callable[[], None]) -> None:
        """Run `action` now if Home Assistant has started, else once it has."""
        self.cancel(key)
        ran = False

        @callback
        def _started(hass: HomeAssistant) -> None:
            nonlocal ran
            ran = True
            self._waiting.pop(key, None)
            action()

        unsub = async_at_started(self.hass, _started)
        if not ran:
            self._waiting[key] = unsub

    def cancel(self, key: Hashable) -> None:
        """Forget the key's waiting action."""
        if (unsub := self._waiting.pop(key, None)) is not None:
            unsub()

    def cancel_all(self) -> None:
        """Forget every waiting action."""
        for unsub in self._waiting.values():
            unsub()
        self._waiting.clear()
