"""The couple's phones: where each partner's prompts go, and sending to them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_SERVICE_REGISTERED, EVENT_SERVICE_REMOVED
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.start import async_at_started
from homeassistant.util import slugify

from .compat import device_config_entry_ids
from .const import (
    CONF_NOTIFY_A,
    CONF_NOTIFY_B,
    CONF_PHONE_A,
    CONF_PHONE_B,
    DOMAIN,
    PARTNER_A,
    PARTNER_B,
    PARTNERS,
)
from .core.prompting import notification_tag
from .issues import async_set_issue
from .models import Occurrence

_LOGGER = logging.getLogger(__name__)

NOTIFY_TIMEOUT_SECONDS = 10


@dataclass(frozen=True, slots=True)
class Target:
    """Where a partner's prompts go."""

    service: str  # notify service name, without the domain
    actionable: bool  # a companion app phone
    android: bool = False


class Phones:
    """Each partner's notify target, resolved when needed and again when phones change."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry[Any], partner_name: Callable[[str], str]
    ) -> None:
        """Prepare; `async_start` begins following the phones."""
        self.hass = hass
        self.entry = entry
        self.partner_name = partner_name
        self._phones = {
            PARTNER_A: entry.data.get(CONF_PHONE_A),
            PARTNER_B: entry.data.get(CONF_PHONE_B),
        }
        self._plain = {
            PARTNER_A: entry.data.get(CONF_NOTIFY_A),
            PARTNER_B: entry.data.get(CONF_NOTIFY_B),
        }
        self._failing: set[str] = set()
        self._targets: dict[str, Target | None] = {}
        self._unsubs: list[CALLBACK_TYPE] = []

    @callback
    def async_start(self) -> None:
        """Listen to notify services and devices coming and going."""
        bus = self.hass.bus
        self._unsubs.append(
            bus.async_listen(EVENT_SERVICE_REGISTERED, self._async_on_service_change)
        )
        self._unsubs.append(bus.async_listen(EVENT_SERVICE_REMOVED, self._async_on_service_change))
        self._unsubs.append(
            bus.async_listen(dr.EVENT_DEVICE_REGISTRY_UPDATED, self._async_on_device_change)
        )
        self._unsubs.append(async_at_started(self.hass, self._async_check_targets))

    @callback
    def async_stop(self) -> None:
        """Stop listening."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()

    # ----------------------------------------------------------------- targets

    def target(self, partner: str) -> Target | None:
        """A partner's phone (or plain notify service), as it is now.

        Resolved when first needed and again whenever a notify service comes or goes
        or a device changes, so a renamed phone keeps working.
        """
        if partner in self._targets:
            return self._targets[partner]
        target = self._targets[partner] = self._resolve_target(partner)
        return target

    def _resolve_target(self, partner: str) -> Target | None:
        if device_id := self._phones[partner]:
            device = dr.async_get(self.hass).async_get(device_id)
            for entry_id in device_config_entry_ids(device) if device else ():
                entry = self.hass.config_entries.async_get_entry(entry_id)
                if entry is None or entry.domain != "mobile_app":
                    continue
                service = slugify(f"mobile_app_{entry.data.get('device_name', '')}")
                if self.hass.services.has_service("notify", service):
                    return Target(
                        service, actionable=True, android=entry.data.get("os_name") == "Android"
                    )
        if plain := self._plain[partner]:
            service = str(plain).removeprefix("notify.")
            if self.hass.services.has_service("notify", service):
                return Target(service, actionable=False)
        return None

    def _configured(self, partner: str) -> str | None:
        return self._phones[partner] or self._plain[partner]

    @callback
    def _async_on_service_change(self, event: Event) -> None:
        if event.data.get("domain") == "notify":
            self._targets.clear()
            self._async_check_targets(self.hass)

    @callback
    def _async_on_device_change(self, event: Event[dr.EventDeviceRegistryUpdatedData]) -> None:
        self._targets.clear()

    @callback
    def _async_check_targets(self, hass: HomeAssistant) -> None:
        """A configured target that is missing raises a repair issue; back, it clears."""
        for partner in PARTNERS:
            configured = self._configured(partner)
            issue_id = f"notify_target_missing_{self.entry.entry_id}_{partner}"
            async_set_issue(
                hass,
                issue_id,
                bool(configured) and self.target(partner) is None,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key="notify_target_missing",
                translation_placeholders={"partner": self.partner_name(partner)},
            )

    def clear(self, occurrence: Occurrence) -> None:
        """Remove the prompt from every phone that received it."""
        for partner in occurrence.prompted:
            target = self.target(partner)
            if target is not None and target.actionable:
                self.call(
                    target,
                    {
                        "message": "clear_notification",
                        "data": {"tag": notification_tag(occurrence.occurrence_id)},
                    },
                )

    def set_dnd(self, occurrence: Occurrence, on: bool) -> None:
        """Android phones go quiet for the device-free window (iOS has no such command)."""
        for partner in PARTNERS:
            target = self.target(partner)
            if target is None or not target.android:
                continue
            if on:
                if partner not in occurrence.dnd:
                    occurrence.dnd.append(partner)
            elif partner not in occurrence.dnd:
                continue
            self.call(
                target,
                {
                    "message": "command_dnd",
                    "data": {"command": "priority_only" if on else "off"},
                },
            )
        if not on:
            occurrence.dnd.clear()

    def call(self, target: Target, payload: dict[str, Any]) -> None:
        """Send in the background; a failing or hanging service is logged once."""

        async def _send() -> None:
            try:
                async with asyncio.timeout(NOTIFY_TIMEOUT_SECONDS):
                    await self.hass.services.async_call(
                        "notify", target.service, payload, blocking=True
                    )
            except Exception as err:
                if target.service not in self._failing:
                    self._failing.add(target.service)
                    _LOGGER.warning(
                        "Sending a ritual prompt through notify.%s failed: %s",
                        target.service,
                        str(err) or type(err).__name__,
                    )
            else:
                self._failing.discard(target.service)

        self.entry.async_create_background_task(
            self.hass, _send(), f"{DOMAIN} notify {target.service}"
        )
