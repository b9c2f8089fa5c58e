"""Triggers in the automation editor ("a ritual started", "a ritual was kept", …).

Home Assistant offers integrations' own triggers from 2025.12 (a Labs preview; by default
from 2026.7). On releases without that API this platform offers none, and the event entity
and the `connection_rituals_event` bus event stay the way to automate.
"""

from __future__ import annotations

from typing import Any

from homeassistant.const import MAJOR_VERSION, MINOR_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.helpers import trigger as trigger_helper


def supported() -> bool:
    """Whether the running release offers integration triggers by default (2026.7 on;
    tested on 2026.10.4). Earlier releases had them behind a Labs flag, with an API that
    still changed: there the event entity and the bus event stay the way."""
    return (MAJOR_VERSION, MINOR_VERSION) >= (2026, 7) and hasattr(trigger_helper, "Trigger")


async def async_get_triggers(hass: HomeAssistant) -> dict[str, Any]:
    """The triggers this integration offers, where the release supports them."""
    if not supported():
        return {}
    from .ritual_triggers import TRIGGERS

    return dict(TRIGGERS)
