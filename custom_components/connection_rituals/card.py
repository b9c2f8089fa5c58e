"""The card's module, served by the integration itself (no second install).

``async_register_card`` runs once, from ``async_setup``: it serves the ``frontend`` folder
and has the frontend load the card on every dashboard. The URL carries the integration's
version and the file's hash, so browsers fetch the module again after an update.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Final

from homeassistant.components import frontend
from homeassistant.components.http import StaticPathConfig
from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_integration

from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

STATIC_URL: Final = "/connection_rituals_static"
CARD_FILE: Final = "connection-rituals-card.js"
FRONTEND_DIR: Final = Path(__file__).parent / "frontend"


async def async_register_card(hass: HomeAssistant) -> str | None:
    """Serve the card's module and have the frontend load it; returns its URL.

    Without the http component (no web server) there is nothing to serve; without the
    frontend, the module is still served, for a dashboard resource added by hand.
    """
    if getattr(hass, "http", None) is None:
        _LOGGER.debug("No web server: the card is not served")
        return None
    integration = await async_get_integration(hass, DOMAIN)
    digest = await hass.async_add_executor_job(_file_digest, FRONTEND_DIR / CARD_FILE)
    url = f"{STATIC_URL}/{CARD_FILE}?v={integration.version or '0'}-{digest}"
    await hass.http.async_register_static_paths(
        [StaticPathConfig(STATIC_URL, str(FRONTEND_DIR), cache_headers=True)]
    )
    if frontend.DATA_EXTRA_MODULE_URL in hass.data:
        frontend.add_extra_js_url(hass, url)
    else:
        _LOGGER.debug("The frontend is not loaded: add %s as a dashboard resource", url)
    return url


def _file_digest(path: Path) -> str:
    """The first 8 hex digits of the file's SHA-256 (blocking: run in the executor)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    except OSError:
        return "0"
