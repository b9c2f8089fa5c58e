"""The ritual day: which day it is for the couple, cached per day and time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .core.schedule import day_start, ritual_day


class RitualClock:
    """The couple's ritual day, which begins at the day boundary (local time)."""

    def __init__(self, hass: HomeAssistant, boundary: time) -> None:
        """A clock for the configured day boundary."""
        self.hass = hass
        self.boundary = boundary
        self._day_cache: tuple[str, float, float, date] | None = None

    def today(self, now: datetime | None = None) -> date:
        """The current ritual day.

        Asked several times per event: the current day's span is cached, keyed on
        the configured zone so a time-zone change is seen at once.
        """
        moment = now or dt_util.utcnow()
        stamp = moment.timestamp()
        cached = self._day_cache
        if cached is not None and cached[0] == self.hass.config.time_zone:
            _zone, start, end, day = cached
            if start <= stamp < end:
                return day
        local = dt_util.as_local(moment)
        day = ritual_day(local, self.boundary)
        zone = local.tzinfo or dt_util.UTC
        self._day_cache = (
            self.hass.config.time_zone,
            day_start(day, self.boundary, zone).timestamp(),
            day_start(day + timedelta(days=1), self.boundary, zone).timestamp(),
            day,
        )
        return day
