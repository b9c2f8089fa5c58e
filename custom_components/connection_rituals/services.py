"""Actions: start, complete, snooze, skip; admin-only reset and export."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError, Unauthorized, UnknownUser
from homeassistant.helpers import config_validation as cv, device_registry as dr

from .compat import device_config_entry_ids, vol
from .const import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_IDEA,
    ATTR_MINUTES,
    ATTR_NOTE,
    ATTR_PARTNER,
    ATTR_POSITIVE,
    ATTR_RATING,
    ATTR_RITUAL,
    DEFAULT_SNOOZE_MINUTES,
    DOMAIN,
    SERVICE_COMPLETE,
    SERVICE_EXPORT,
    SERVICE_FORGET_RHYTHMS,
    SERVICE_LOG_INTERACTION,
    SERVICE_RATE_IDEA,
    SERVICE_RESET,
    SERVICE_SKIP,
    SERVICE_SNOOZE,
    SERVICE_START,
)
from .core.ideas import RATINGS
from .engine import Ritual, RitualEngine
from .idea_feedback import library_idea_text
from .rhythms import learner_of

RITUAL_SCHEMA = vol.Schema({vol.Required(ATTR_RITUAL): cv.string})
PARTNER_SCHEMA = RITUAL_SCHEMA.extend({vol.Optional(ATTR_PARTNER): cv.entity_id})
SNOOZE_SCHEMA = PARTNER_SCHEMA.extend(
    {
        vol.Optional(ATTR_MINUTES, default=DEFAULT_SNOOZE_MINUTES): vol.All(
            vol.Coerce(float), vol.Range(min=1, max=720)
        )
    }
)


LOG_INTERACTION_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_POSITIVE, default=True): cv.boolean,
        vol.Optional(ATTR_PARTNER): cv.entity_id,
        vol.Optional(ATTR_NOTE): vol.All(cv.string, vol.Length(max=500)),
    }
)


COUPLE_SCHEMA = vol.Schema({vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string})

RATE_IDEA_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_IDEA): vol.All(cv.string, vol.Length(min=1, max=80)),
        vol.Required(ATTR_RATING): vol.In(RATINGS),
    }
)


def _resolve_couple(hass: HomeAssistant, call: ServiceCall) -> RitualEngine:
    """The couple a call names (its config entry)."""
    entry_id = call.data[ATTR_CONFIG_ENTRY_ID]
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_couple",
            translation_placeholders={"entry": str(entry_id)},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"entry": entry.title},
        )
    engine: RitualEngine = entry.runtime_data
    return engine


def _resolve(hass: HomeAssistant, call: ServiceCall) -> tuple[RitualEngine, Ritual]:
    """Find the ritual a call names (a ritual device id)."""
    device_id = call.data[ATTR_RITUAL]
    device = dr.async_get(hass).async_get(device_id)
    if device is not None:
        for entry_id in device_config_entry_ids(device):
            entry = hass.config_entries.async_get_entry(entry_id)
            if entry is None or entry.domain != DOMAIN:
                continue
            if entry.state is not ConfigEntryState.LOADED:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="entry_not_loaded",
                    translation_placeholders={"entry": entry.title},
                )
            engine: RitualEngine = entry.runtime_data
            for domain, identifier in device.identifiers:
                if domain == DOMAIN and identifier in engine.rituals:
                    return engine, engine.rituals[identifier]
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="unknown_ritual",
        translation_placeholders={"ritual": str(device_id)},
    )


def _partner(engine: RitualEngine, call: ServiceCall) -> str | None:
    person = call.data.get(ATTR_PARTNER)
    if person is None:
        return None
    partner = engine.partner_for_person(person)
    if partner is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_partner",
            translation_placeholders={"person": person},
        )
    return partner


def _require_active(ritual: Ritual) -> None:
    if not ritual.active:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_active",
            translation_placeholders={"ritual": ritual.config.name},
        )


async def _require_admin(hass: HomeAssistant, call: ServiceCall) -> None:
    """Admin-only actions (our own check: 2025.4's helper cannot return responses)."""
    user_id = call.context.user_id
    if user_id is None:
        return  # automations and scripts run as the system
    user = await hass.auth.async_get_user(user_id)
    if user is None:
        raise UnknownUser(context=call.context)
    if not user.is_admin:
        raise Unauthorized(context=call.context)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""

    async def _start(call: ServiceCall) -> None:
        engine, ritual = _resolve(hass, call)
        if ritual.active:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="already_active",
                translation_placeholders={"ritual": ritual.config.name},
            )
        engine.attempt_start(ritual, actor=_partner(engine, call), manual=True)

    async def _complete(call: ServiceCall) -> None:
        engine, ritual = _resolve(hass, call)
        engine.complete(ritual, _partner(engine, call))

    async def _snooze(call: ServiceCall) -> None:
        engine, ritual = _resolve(hass, call)
        partner = _partner(engine, call)
        _require_active(ritual)
        engine.snooze(ritual, call.data[ATTR_MINUTES], partner)

    async def _skip(call: ServiceCall) -> None:
        engine, ritual = _resolve(hass, call)
        engine.skip(ritual, _partner(engine, call))

    async def _log_interaction(call: ServiceCall) -> None:
        engine = _resolve_couple(hass, call)
        partner = _partner(engine, call)
        note = str(call.data.get(ATTR_NOTE) or "").strip() or None
        engine.log_interaction(call.data[ATTR_POSITIVE], partner, note)

    async def _rate_idea(call: ServiceCall) -> None:
        engine = _resolve_couple(hass, call)
        idea_id = call.data[ATTR_IDEA]
        library = engine.notifier.library if engine.notifier else None
        known = library is not None and library_idea_text(library, idea_id) is not None
        if not known and idea_id not in engine.ideas.retired | set(engine.ideas.loved):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_idea",
                translation_placeholders={"idea": idea_id},
            )
        engine.ideas.rate(idea_id, call.data[ATTR_RATING])
        engine.async_save()

    async def _reset(call: ServiceCall) -> None:
        await _require_admin(hass, call)
        engine, ritual = _resolve(hass, call)
        engine.reset(ritual)

    async def _export(call: ServiceCall) -> ServiceResponse:
        await _require_admin(hass, call)
        engine, ritual = _resolve(hass, call)
        result: dict[str, Any] = engine.export(ritual)
        return result

    hass.services.async_register(DOMAIN, SERVICE_START, _start, schema=PARTNER_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_COMPLETE, _complete, schema=PARTNER_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_SNOOZE, _snooze, schema=SNOOZE_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_SKIP, _skip, schema=PARTNER_SCHEMA)
    hass.services.async_register(
        DOMAIN, SERVICE_LOG_INTERACTION, _log_interaction, schema=LOG_INTERACTION_SCHEMA
    )
    hass.services.async_register(DOMAIN, SERVICE_RATE_IDEA, _rate_idea, schema=RATE_IDEA_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_RESET, _reset, schema=RITUAL_SCHEMA)

    async def _forget_rhythms(call: ServiceCall) -> None:
        if (learner := learner_of(_resolve_couple(hass, call).entry)) is not None:
            await learner.async_forget()

    hass.services.async_register(
        DOMAIN, SERVICE_FORGET_RHYTHMS, _forget_rhythms, schema=COUPLE_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_EXPORT,
        _export,
        schema=RITUAL_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
