"""The automation editor's ritual triggers (the newer trigger API; see `trigger.py`).

Each listens to the integration's own bus event, so it sees exactly what the event entity
and the logbook see; a trigger for a ritual that was removed since simply never fires.
"""

from __future__ import annotations

from typing import Any, cast

from homeassistant.const import CONF_OPTIONS
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.trigger import Trigger, TriggerActionRunner, TriggerConfig
from homeassistant.helpers.typing import ConfigType

from .automation_support import ATTR_RITUALS, picked_ritual, validate_rituals
from .compat import vol
from .const import EVENT_CONNECTION_RITUALS, RitualEventType, RitualKind

_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_OPTIONS, default=dict): {
            vol.Optional(ATTR_RITUALS, default=list): vol.All(cv.ensure_list, [cv.string]),
        }
    }
)


class _RitualEventTrigger(Trigger):
    """Fires on chosen happenings of the chosen rituals (none chosen: every ritual)."""

    _types: frozenset[RitualEventType]
    _kind: RitualKind | None = None
    _description: str

    @classmethod
    async def async_validate_config(cls, hass: HomeAssistant, config: ConfigType) -> ConfigType:
        """Check that every chosen device is still a ritual (of the right kind)."""
        config = cast(ConfigType, _SCHEMA(config))
        validate_rituals(hass, config[CONF_OPTIONS][ATTR_RITUALS], cls._kind)
        return config

    def __init__(self, hass: HomeAssistant, config: TriggerConfig) -> None:
        """Remember which rituals to follow."""
        super().__init__(hass, config)
        self._device_ids: list[str] = list((config.options or {}).get(ATTR_RITUALS, []))

    async def async_attach_runner(
        self, run_action: TriggerActionRunner, did_not_trigger: Any = None
    ) -> CALLBACK_TYPE:
        """Follow the bus event; the rituals are resolved once, here."""
        ritual_ids = {
            ritual.ritual_id
            for device_id in self._device_ids
            if (ritual := picked_ritual(self._hass, device_id)) is not None
        }
        if self._device_ids and not ritual_ids:
            # Every chosen ritual is gone: stay quiet, never raise at run time.
            return lambda: None
        types = {event_type.value for event_type in self._types}
        kind = self._kind.value if self._kind else None

        @callback
        def _matches(event_data: dict[str, Any]) -> bool:
            return (
                event_data.get("type") in types
                and (kind is None or event_data.get("kind") == kind)
                and (not ritual_ids or event_data.get("ritual_id") in ritual_ids)
            )

        @callback
        def _fire(event: Event[dict[str, Any]]) -> None:
            payload = {key: event.data.get(key) for key in _PAYLOAD_KEYS}
            run_action(payload, self._description, event.context)

        return self._hass.bus.async_listen(EVENT_CONNECTION_RITUALS, _fire, event_filter=_matches)


_PAYLOAD_KEYS = ("type", "ritual_id", "ritual_name", "kind", "partner", "streak", "occurrence_id")


class RitualStartedTrigger(_RitualEventTrigger):
    """A ritual's window opened."""

    _types = frozenset({RitualEventType.STARTED})
    _description = "ritual started"


class RitualKeptTrigger(_RitualEventTrigger):
    """A ritual was kept (completed)."""

    _types = frozenset({RitualEventType.COMPLETED})
    _description = "ritual kept"


class ReunionWindowOpenedTrigger(_RitualEventTrigger):
    """A reunion's window opened."""

    _types = frozenset({RitualEventType.STARTED})
    _kind = RitualKind.REUNION
    _description = "reunion window opened"


class ReunionWindowClosedTrigger(_RitualEventTrigger):
    """A reunion's window closed, however it ended."""

    _types = frozenset({RitualEventType.COMPLETED, RitualEventType.MISSED, RitualEventType.SKIPPED})
    _kind = RitualKind.REUNION
    _description = "reunion window closed"


class PartnerOnTheWayHomeTrigger(_RitualEventTrigger):
    """A partner who is away started coming home (a reunion's cue before arrival)."""

    _types = frozenset({RitualEventType.ON_THE_WAY})
    _kind = RitualKind.REUNION
    _description = "partner on the way home"


TRIGGERS: dict[str, type[Trigger]] = {
    "ritual_started": RitualStartedTrigger,
    "ritual_kept": RitualKeptTrigger,
    "reunion_window_opened": ReunionWindowOpenedTrigger,
    "reunion_window_closed": ReunionWindowClosedTrigger,
    "partner_on_the_way_home": PartnerOnTheWayHomeTrigger,
}
