"""Service calls of the reunion cues: in the background, with a timeout, never in the way.

A phone, a satellite or a speaker that hangs or fails is logged (once until it works
again); the ritual goes on as if the cue had never been asked for.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from .const import CUE_SERVICE_TIMEOUT_SECONDS, DOMAIN

_LOGGER = logging.getLogger(__name__)


class CueCaller:
    """Calls services for one couple's cues without ever waiting for them."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
        """Calls end with the couple's entry (unload cancels what still hangs)."""
        self.hass = hass
        self.entry = entry
        self._failing: set[str] = set()

    def call(self, domain: str, service: str, data: dict[str, Any]) -> None:
        """Call `domain.service` with `data` in the background."""
        name = f"{domain}.{service}"

        async def _call() -> None:
            try:
                async with asyncio.timeout(CUE_SERVICE_TIMEOUT_SECONDS):
                    await self.hass.services.async_call(domain, service, data, blocking=True)
            except Exception as err:
                if name not in self._failing:
                    self._failing.add(name)
                    _LOGGER.warning(
                        "A reunion cue through %s did not go through: %s",
                        name,
                        str(err) or type(err).__name__,
                    )
            else:
                self._failing.discard(name)

        self.entry.async_create_background_task(self.hass, _call(), f"{DOMAIN} cue {name}")
