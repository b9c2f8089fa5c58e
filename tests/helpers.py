"""Test helpers: moving time the way Home Assistant sees it."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_fire_time_changed


async def tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, **delta: float) -> None:
    """Advance the clock and let every due timer fire."""
    freezer.tick(timedelta(**delta))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def move_to(hass: HomeAssistant, freezer: FrozenDateTimeFactory, moment: str) -> None:
    """Jump to a moment (ISO with offset) and let due timers fire."""
    freezer.move_to(moment)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
