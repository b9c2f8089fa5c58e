"""Repair issues that come and go with what they are about."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN


def async_set_issue(hass: HomeAssistant, issue_id: str, needed: bool, **issue: Any) -> None:
    """Raise the issue while it is `needed`; clear it once it is not."""
    if needed:
        ir.async_create_issue(hass, DOMAIN, issue_id, **issue)
    else:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
