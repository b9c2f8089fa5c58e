"""Conditions in the automation editor ("a ritual is active", "vacation mode is on").

Home Assistant offers integrations' own conditions in the automation editor on newer
releases (by default from 2026.7). On releases without
it this platform offers none, and the entities' states stay the way to write conditions.
"""

from __future__ import annotations

from typing import Any

from homeassistant.const import MAJOR_VERSION, MINOR_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.helpers import condition as condition_helper


def supported() -> bool:
    """Whether the running release offers integration conditions by default, in their
    present form (2026.7 on; tested on 2026.10.4)."""
    return (MAJOR_VERSION, MINOR_VERSION) >= (2026, 7) and hasattr(
        condition_helper, "ConditionChecker"
    )


async def async_get_conditions(hass: HomeAssistant) -> dict[str, Any]:
    """The conditions this integration offers, where the release supports them."""
    if not supported():
        return {}
    from .ritual_conditions import CONDITIONS

    return dict(CONDITIONS)
