"""The automation editor's ritual conditions (the newer condition API; see `condition.py`).

They read the running engine: a ritual that was removed, or a couple that is not loaded,
makes a condition false, never an error at run time.
"""

from __future__ import annotations

from typing import Any, cast

from homeassistant.const import CONF_OPTIONS
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.condition import Condition, ConditionConfig
from homeassistant.helpers.typing import ConfigType

from .automation_support import (
    ATTR_COUPLE,
    ATTR_RITUALS,
    picked_ritual,
    running_engine,
    validate_couple,
    validate_rituals,
)
from .compat import vol

_RITUAL_ACTIVE_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_OPTIONS): {
            vol.Required(ATTR_RITUALS): vol.All(cv.ensure_list, [cv.string], vol.Length(min=1)),
        }
    }
)
_VACATION_SCHEMA = vol.Schema({vol.Required(CONF_OPTIONS): {vol.Required(ATTR_COUPLE): cv.string}})


class RitualActiveCondition(Condition):
    """True while the window of any of the chosen rituals is open."""

    @classmethod
    async def async_validate_config(cls, hass: HomeAssistant, config: ConfigType) -> ConfigType:
        """Check that every chosen device is still a ritual."""
        config = cast(ConfigType, _RITUAL_ACTIVE_SCHEMA(config))
        validate_rituals(hass, config[CONF_OPTIONS][ATTR_RITUALS])
        return config

    def __init__(self, hass: HomeAssistant, config: ConditionConfig) -> None:
        """Remember the chosen ritual devices."""
        super().__init__(hass, config)
        self._device_ids: list[str] = list((config.options or {})[ATTR_RITUALS])

    def _async_check(self, **kwargs: Any) -> bool:
        for device_id in self._device_ids:
            if (ritual := picked_ritual(self._hass, device_id)) is None:
                continue
            engine = running_engine(self._hass, ritual.entry_id)
            running = engine.rituals.get(ritual.ritual_id) if engine else None
            if running is not None and running.active:
                return True
        return False


class VacationModeCondition(Condition):
    """True while the chosen couple's vacation mode is on."""

    @classmethod
    async def async_validate_config(cls, hass: HomeAssistant, config: ConfigType) -> ConfigType:
        """Check that the couple still exists."""
        config = cast(ConfigType, _VACATION_SCHEMA(config))
        validate_couple(hass, config[CONF_OPTIONS][ATTR_COUPLE])
        return config

    def __init__(self, hass: HomeAssistant, config: ConditionConfig) -> None:
        """Remember the chosen couple."""
        super().__init__(hass, config)
        self._entry_id: str = (config.options or {})[ATTR_COUPLE]

    def _async_check(self, **kwargs: Any) -> bool:
        engine = running_engine(self._hass, self._entry_id)
        return engine is not None and engine.vacation


CONDITIONS: dict[str, type[Condition]] = {
    "is_ritual_active": RitualActiveCondition,
    "is_vacation_mode_on": VacationModeCondition,
}
