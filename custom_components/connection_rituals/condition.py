"""Conditions in the automation editor ("a ritual is active", "vacation mode is on").

Home Assistant offers integrations' own conditions in the automation editor on newer
releases; the API took its present form in 2026.5 (`ConditionChecker`). On releases without
it this platform offers none, and the entities' states stay the way to write conditions.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import condition as condition_helper


def supported() -> bool:
    """Whether the running release takes integration conditions in their present form."""
    return hasattr(condition_helper, "ConditionChecker") and hasattr(
        condition_helper, "ConditionConfig"
    )


async def async_get_conditions(hass: HomeAssistant) -> dict[str, Any]:
    """The conditions this integration offers, where the release supports them."""
    if not supported():
        return {}
    from .ritual_conditions import CONDITIONS

    return dict(CONDITIONS)
