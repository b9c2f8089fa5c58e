"""The weekly digest: once a week, one short note to both partners about the week together.

Off by default. When the couple turns it on, both phones (the notify targets the prompts
use) get one notification on the chosen weekday at the chosen local time: the rituals they
kept, a longest run and one highlight (`core.digest`). A week without a kept ritual sends
nothing. Choices made here:

- The moment is local wall-clock time, worked out afresh for every week, so a week with a
  daylight-saving change still arrives at the chosen time; a time inside the quiet hours
  waits until they end.
- Vacation mode keeps the house quiet: no digest is sent while it is on (the week stays on
  the "This week together" sensor).
- "Loved this week" needs to know when an idea was loved; the idea memory only counts
  loves, so the digest keeps the counts as they were when the week began (its own small
  store) and calls loved this week what grew since.
- The "This week together" sensor shows the current week (ending on the digest's weekday)
  whether or not the notification is on. In pressure-free mode (hide streaks) it shows no
  figures: its state is the week's highlight, its attributes the kept rituals by name.

The digest and its sensor live together: the sensor platform starts the digest and the
config entry stops it (`entry.async_on_unload`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
import logging
from typing import Any

from homeassistant.components.sensor import SensorEntity, SensorEntityDescription
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_CORE_CONFIG_UPDATE
from homeassistant.core import CALLBACK_TYPE, Event, HassJob, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import (
    CONF_DIGEST_ENABLED,
    CONF_DIGEST_TIME,
    CONF_DIGEST_WEEKDAY,
    CONF_HIDE_STREAKS,
    CONF_QUIET_END,
    CONF_QUIET_START,
    DEFAULT_DIGEST_TIME,
    DEFAULT_DIGEST_WEEKDAY,
    DOMAIN,
    PARTNERS,
)
from .core.digest import (
    RitualWeek,
    WeekSummary,
    compose,
    highlight_text,
    summarize_week,
    week_days,
    week_end,
)
from .core.ideas import IdeaLibrary, own_prompts
from .core.schedule import WEEKDAYS, in_active_hours
from .engine import RitualEngine
from .entity import CoupleEntity
from .idea_feedback import library_idea_text
from .models import parse_time
from .prompt_words import load_library

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
SEND_TIMEOUT_SECONDS = 10


def digest_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Where a couple's digest keeps the loved-idea counts of the week's start."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.digest")


@dataclass(frozen=True, slots=True)
class DigestSettings:
    """The digest's options, read once (an options change reloads the entry)."""

    enabled: bool
    weekday: int  # 0 Monday ... 6 Sunday: the week ends on it and the digest comes then
    at: time
    figures: bool  # False in pressure-free mode
    quiet: tuple[time, time] | None

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> DigestSettings:
        """The settings of a config entry's options (defaults for what is not set)."""
        weekday = options.get(CONF_DIGEST_WEEKDAY) or DEFAULT_DIGEST_WEEKDAY
        quiet_start = parse_time(options.get(CONF_QUIET_START) or "00:00:00")
        quiet_end = parse_time(options.get(CONF_QUIET_END) or "00:00:00")
        return cls(
            enabled=bool(options.get(CONF_DIGEST_ENABLED, False)),
            weekday=WEEKDAYS.index(weekday if weekday in WEEKDAYS else DEFAULT_DIGEST_WEEKDAY),
            at=parse_time(options.get(CONF_DIGEST_TIME), DEFAULT_DIGEST_TIME),
            figures=not options.get(CONF_HIDE_STREAKS, False),
            quiet=(quiet_start, quiet_end) if quiet_start != quiet_end else None,
        )

    def next_moment(self, now: datetime) -> tuple[datetime, date]:
        """The first digest moment after `now` (UTC), and the day its week ends on: the
        weekday's local time, out of the quiet hours. Worked out in local wall-clock time
        for each week, so daylight saving never shifts it; a time a spring-forward night
        skips comes just after."""
        zone = dt_util.get_default_time_zone()
        today = dt_util.as_local(now).date()
        # From yesterday: a moment the quiet hours hold back may fall on the next day.
        for offset in range(-1, 15):
            day = today + timedelta(days=offset)
            if day.weekday() != self.weekday:
                continue
            moment = dt_util.as_utc(self._after_quiet(datetime.combine(day, self.at, zone)))
            if moment > now:
                return moment, day
        raise AssertionError("a weekday comes within two weeks")  # pragma: no cover

    def _after_quiet(self, local: datetime) -> datetime:
        if self.quiet is None or not in_active_hours(local.time(), *self.quiet):
            return local
        end = self.quiet[1]
        day = local.date() if local.time() < end else local.date() + timedelta(days=1)
        return datetime.combine(day, end, local.tzinfo)


class WeeklyDigest:
    """Builds the week's summary and sends it once a week."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[RitualEngine]) -> None:
        """Prepare; `async_start` loads the week's start and arms the timer."""
        self.hass = hass
        self.entry = entry
        self.engine: RitualEngine = entry.runtime_data
        self.settings = DigestSettings.from_options(entry.options)
        self._store = digest_store(hass, entry.entry_id)
        self._week: date | None = None  # the end of the week the loved counts belong to
        self._loved_at_start: dict[str, int] = {}
        # The week before: its end and the ideas loved in it (a digest held back by the
        # quiet hours past the week's end still tells them).
        self._last_week: date | None = None
        self._last_loved: list[str] = []
        self._unsubs: list[CALLBACK_TYPE] = []
        self._timer: CALLBACK_TYPE | None = None

    async def async_start(self) -> None:
        """Read the week's start; arm the timer when the digest is on."""
        stored = await self._store.async_load()
        if isinstance(stored, dict):
            self._week = _day(stored.get("week"))
            self._last_week = _day(stored.get("last_week"))
            loved, last = stored.get("loved"), stored.get("last_loved")
            if isinstance(loved, dict):
                self._loved_at_start = {
                    str(i): n for i, n in loved.items() if isinstance(n, int) and n > 0
                }
            if isinstance(last, list):
                self._last_loved = [str(i) for i in last]
        self.current_week()
        if self.settings.enabled:
            self._arm()
            self._unsubs.append(
                self.hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, self._async_zone_changed)
            )

    @callback
    def async_stop(self) -> None:
        """Cancel the timer and stop listening."""
        if self._timer is not None:
            self._timer()
            self._timer = None
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()

    # ------------------------------------------------------------------ the week

    def current_week(self) -> date:
        """The last day of the current week; a new week starts counting loved ideas afresh."""
        end = week_end(self.engine.today(), self.settings.weekday)
        if self._week != end:
            if self._week is not None:
                self._last_week, self._last_loved = self._week, self._loved_since_start()
            self._week = end
            self._loved_at_start = dict(self.engine.ideas.loved)
            # Written at once (once a week): nothing is left pending when the entry goes.
            self.entry.async_create_task(
                self.hass, self._store.async_save(self._stored()), f"{DOMAIN} digest week"
            )
        return end

    def _stored(self) -> dict[str, Any]:
        return {
            "week": self._week.isoformat() if self._week else None,
            "loved": dict(self._loved_at_start),
            "last_week": self._last_week.isoformat() if self._last_week else None,
            "last_loved": list(self._last_loved),
        }

    def _loved_since_start(self) -> list[str]:
        """The ideas loved since the current week began, most loved first."""
        loved = self.engine.ideas.loved
        return sorted(
            (i for i, n in loved.items() if n > self._loved_at_start.get(i, 0)),
            key=lambda i: self._loved_at_start.get(i, 0) - loved[i],
        )

    def summary(
        self, end: date | None = None, library: IdeaLibrary | None = None
    ) -> WeekSummary | None:
        """The week ending on `end` (the current one: so far), None when nothing was kept."""
        current = self.current_week()
        end = end or current
        today = self.engine.today()
        days = week_days(end)
        since = [end - timedelta(days=6 - offset) for offset in range((today - end).days + 7)]
        rituals = []
        for ritual in self.engine.rituals.values():
            history = ritual.state.history
            records = {day: history[day] for day in days if day in history}
            # Kept before the week: more completions than the week and the days since hold.
            since_start = sum(history[day].completed for day in since if day in history)
            rituals.append(
                RitualWeek(
                    ritual.config.name,
                    {day: record.outcome for day, record in records.items()},
                    kept_before=ritual.stats.completions > since_start,
                )
            )
        return summarize_week(
            rituals,
            end,
            couple_streak=self.engine.connection_stats.current,
            loved_ideas=self._idea_texts(
                self._loved_since_start()
                if end == current
                else self._last_loved
                if end == self._last_week
                else [],
                library,
            ),
        )

    def _idea_texts(self, idea_ids: list[str], library: IdeaLibrary | None) -> list[str]:
        """The texts of ideas (the couple's own prompts or the library's)."""
        if not idea_ids:
            return []
        library = library or (self.engine.notifier.library if self.engine.notifier else None)
        own = {
            idea.idea_id: idea.text
            for ritual in self.engine.rituals.values()
            for idea in own_prompts(ritual.config.prompt_text, ritual.config.ritual_id)
        }
        texts = []
        for idea_id in idea_ids:
            text = own.get(idea_id) or (library_idea_text(library, idea_id) if library else None)
            if text:
                texts.append(text)
        return texts

    # ------------------------------------------------------------------ sending

    def _arm(self) -> None:
        if self.hass.is_stopping:
            return
        moment, end = self.settings.next_moment(dt_util.utcnow())

        @callback
        def _due(now: datetime) -> None:
            self._timer = None
            self._arm()  # next week's, before anything else
            if self.engine.vacation:
                return  # vacation keeps the house quiet
            self.entry.async_create_task(self.hass, self._async_send(end), f"{DOMAIN} digest")

        self._timer = async_track_point_in_utc_time(
            self.hass,
            HassJob(_due, "connection_rituals weekly digest", cancel_on_shutdown=True),
            moment,
        )

    @callback
    def _async_zone_changed(self, event: Event[dict[str, Any]]) -> None:
        if "time_zone" in event.data and self._timer is not None:
            self._timer()
            self._arm()

    async def _async_send(self, end: date) -> None:
        """The week ending on `end`, once per target (a shared plain target gets it once)."""
        language = self.hass.config.language
        library = await self.hass.async_add_executor_job(load_library, language)
        summary = self.summary(end, library)
        notifier = self.engine.notifier
        if summary is None or notifier is None:
            return  # nothing to celebrate: nothing is sent
        digest = compose(summary, language, figures=self.settings.figures)
        targets = {}
        for partner in PARTNERS:
            if (target := notifier.target(partner)) is not None:
                targets[target.service] = target.actionable
        await asyncio.gather(
            *(
                self._async_call(service, digest.title, digest.message, actionable)
                for service, actionable in targets.items()
            )
        )

    async def _async_call(self, service: str, title: str, message: str, actionable: bool) -> None:
        payload: dict[str, Any] = {"title": title, "message": message}
        if actionable:
            # One tag: a digest replaces last week's if it is still on the phone.
            payload["data"] = {"tag": f"{DOMAIN}_digest_{self.entry.entry_id}", "group": DOMAIN}
        try:
            async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                await self.hass.services.async_call("notify", service, payload, blocking=True)
        except Exception as err:
            _LOGGER.warning(
                "Sending the weekly digest through notify.%s failed: %s",
                service,
                str(err) or type(err).__name__,
            )


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


# ---------------------------------------------------------------------- the sensor

WEEK_SENSOR = SensorEntityDescription(key="week_together", translation_key="week_together")


class WeekTogetherSensor(CoupleEntity, SensorEntity):
    """This week together: rituals kept so far (pressure-free: the highlight, no figures)."""

    def __init__(self, digest: WeeklyDigest) -> None:
        """Show the digest's current week."""
        super().__init__(digest.engine, WEEK_SENSOR)
        self.digest = digest

    @property
    def native_value(self) -> str | int | None:
        """Rituals kept this week, or (pressure-free) the highlight."""
        summary = self.digest.summary()
        if not self.digest.settings.figures:
            return highlight_text(summary, self.hass.config.language)[:255] if summary else None
        return summary.together if summary else 0

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The week: its days, the kept rituals, the longest run and the highlight."""
        summary = self.digest.summary()
        end = self.digest.current_week()
        attributes: dict[str, Any] = {
            "week_start": (end - timedelta(days=6)).isoformat(),
            "week_end": end.isoformat(),
        }
        if not self.digest.settings.figures:
            attributes["kept"] = list(summary.kept) if summary else []
        else:
            attributes["kept"] = dict(summary.kept) if summary else {}
            attributes["longest_run"] = summary.longest_run if summary else 0
        attributes["highlight"] = (
            highlight_text(summary, self.hass.config.language) if summary else None
        )
        return attributes


async def async_setup_digest(
    hass: HomeAssistant,
    entry: ConfigEntry[RitualEngine],
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Start the couple's weekly digest (stopped with the entry) and add its sensor."""
    digest = WeeklyDigest(hass, entry)
    await digest.async_start()
    entry.async_on_unload(digest.async_stop)
    async_add_entities([WeekTogetherSensor(digest)])
