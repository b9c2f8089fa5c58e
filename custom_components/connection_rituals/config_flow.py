"""Config flow for Connection Rituals: the couple, its options, and rituals as subentries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import selector

from .compat import vol
from .const import (
    CONF_ACTIVE_DAYS,
    CONF_DAILY_CAP,
    CONF_DAY_BOUNDARY,
    CONF_DEVICES_A,
    CONF_DEVICES_B,
    CONF_DIGEST_ENABLED,
    CONF_DIGEST_TIME,
    CONF_DIGEST_WEEKDAY,
    CONF_GRACE_DAYS,
    CONF_HIDE_STREAKS,
    CONF_IDEA_FEEDBACK,
    CONF_NOTIFY_A,
    CONF_NOTIFY_B,
    CONF_PARTNER_A,
    CONF_PARTNER_B,
    CONF_PHONE_A,
    CONF_PHONE_B,
    CONF_QUIET_END,
    CONF_QUIET_START,
    CONF_READING_MINUTES,
    CONF_RETIRED_IDEAS,
    CONF_SNOOZE_MINUTES,
    CONF_STORE_REPLIES,
    DEFAULT_DAILY_CAP,
    DEFAULT_DAY_BOUNDARY,
    DEFAULT_DIGEST_TIME,
    DEFAULT_DIGEST_WEEKDAY,
    DEFAULT_GRACE_DAYS,
    DEFAULT_READING_MINUTES,
    DEFAULT_SNOOZE_MINUTES,
    DOMAIN,
    SUBENTRY_TYPE_RITUAL,
)
from .core.ideas import RATING_RESTORE
from .core.schedule import WEEKDAYS
from .idea_feedback import library_idea_text
from .rhythm_flow import option_fields
from .subentry_flow import RitualSubentryFlow, minutes_selector, select_selector

NOTIFY_DOMAIN = "notify"


def couple_unique_id(person_a: str, person_b: str) -> str:
    """The same couple in either order has one unique id."""
    return "|".join(sorted((person_a, person_b)))


def _notify_services(hass: HomeAssistant) -> list[str]:
    return sorted(
        f"{NOTIFY_DOMAIN}.{name}"
        for name in hass.services.async_services_for_domain(NOTIFY_DOMAIN)
        if name not in {"send_message", "persistent_notification"}
    )


def _couple_schema(hass: HomeAssistant, defaults: Mapping[str, Any]) -> vol.Schema:
    notify_selector = selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=_notify_services(hass),
            custom_value=True,
            mode=selector.SelectSelectorMode.DROPDOWN,
        )
    )
    phone_selector = selector.DeviceSelector(
        selector.DeviceSelectorConfig(integration="mobile_app")
    )
    devices_selector = selector.EntitySelector(
        selector.EntitySelectorConfig(domain=["binary_sensor", "media_player"], multiple=True)
    )
    person_selector = selector.EntitySelector(selector.EntitySelectorConfig(domain="person"))

    def optional(key: str) -> vol.Optional:
        if key in defaults and defaults[key] not in (None, "", []):
            return vol.Optional(key, description={"suggested_value": defaults[key]})
        return vol.Optional(key)

    def required(key: str) -> vol.Required:
        if key in defaults:
            return vol.Required(key, default=defaults[key])
        return vol.Required(key)

    return vol.Schema(
        {
            required(CONF_PARTNER_A): person_selector,
            optional(CONF_PHONE_A): phone_selector,
            optional(CONF_NOTIFY_A): notify_selector,
            optional(CONF_DEVICES_A): devices_selector,
            required(CONF_PARTNER_B): person_selector,
            optional(CONF_PHONE_B): phone_selector,
            optional(CONF_NOTIFY_B): notify_selector,
            optional(CONF_DEVICES_B): devices_selector,
            vol.Required(
                CONF_DAY_BOUNDARY, default=defaults.get(CONF_DAY_BOUNDARY, DEFAULT_DAY_BOUNDARY)
            ): selector.TimeSelector(),
        }
    )


def _validate_couple(hass: HomeAssistant, user_input: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for key in (CONF_PARTNER_A, CONF_PARTNER_B):
        if hass.states.get(user_input[key]) is None:
            errors[key] = "person_not_found"
    if user_input[CONF_PARTNER_A] == user_input[CONF_PARTNER_B]:
        errors[CONF_PARTNER_B] = "same_person"
    for key in (CONF_NOTIFY_A, CONF_NOTIFY_B):
        target = user_input.get(key)
        if not target:
            continue
        domain, _, service = str(target).partition(".")
        if domain != NOTIFY_DOMAIN or not hass.services.has_service(NOTIFY_DOMAIN, service):
            errors[key] = "notify_not_found"
    return errors


def _clean_couple(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Drop empty optional values so stored data stays tidy."""
    return {key: value for key, value in user_input.items() if value not in (None, "", [])}


class ConnectionRitualsConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a couple."""

    VERSION = 1
    # 1.2: no skip allowance ("not today" is always free)
    MINOR_VERSION = 2

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Pick the two partners, their phones and the day boundary."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _validate_couple(self.hass, user_input)
            if not errors:
                await self.async_set_unique_id(
                    couple_unique_id(user_input[CONF_PARTNER_A], user_input[CONF_PARTNER_B])
                )
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=self._title(user_input), data=_clean_couple(user_input)
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _couple_schema(self.hass, {}), user_input or {}
            ),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the couple's setup; the entry reloads through its update listener."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _validate_couple(self.hass, user_input)
            if not errors:
                unique_id = couple_unique_id(user_input[CONF_PARTNER_A], user_input[CONF_PARTNER_B])
                await self.async_set_unique_id(unique_id)
                if unique_id != entry.unique_id:
                    self._abort_if_unique_id_configured()
                # Not async_update_and_abort (missing in 2025.4); the entry's
                # update listener reloads it.
                self.hass.config_entries.async_update_entry(
                    entry,
                    title=self._title(user_input),
                    unique_id=unique_id,
                    data=_clean_couple(user_input),
                )
                return self.async_abort(reason="reconfigure_successful")
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=_couple_schema(self.hass, user_input or dict(entry.data)),
            errors=errors,
        )

    def _title(self, user_input: Mapping[str, Any]) -> str:
        names = []
        for key in (CONF_PARTNER_A, CONF_PARTNER_B):
            state = self.hass.states.get(user_input[key])
            names.append(state.name if state else user_input[key])
        return " & ".join(names)

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Allowances and streak display."""
        return ConnectionRitualsOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Rituals are subentries of the couple."""
        return {SUBENTRY_TYPE_RITUAL: RitualSubentryFlow}


class ConnectionRitualsOptionsFlow(OptionsFlow):
    """Streak allowances, the pressure-free option, and how prompts behave."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the options."""
        engine = (
            self.config_entry.runtime_data
            if self.config_entry.state is ConfigEntryState.LOADED
            else None
        )
        retired = sorted(engine.ideas.retired) if engine is not None else []
        if user_input is not None:
            # Ideas set aside with "not this one" and now unticked come back (the idea
            # memory lives with the history, not in the options).
            kept = set(user_input.pop(CONF_RETIRED_IDEAS, retired))
            if engine is not None:
                for idea_id in set(retired) - kept:
                    engine.ideas.rate(idea_id, RATING_RESTORE)
                engine.async_save()
            # Day counts as int (the number selector gives floats).
            return self.async_create_entry(
                data={
                    **user_input,
                    CONF_GRACE_DAYS: int(user_input[CONF_GRACE_DAYS]),
                    CONF_DAILY_CAP: int(user_input[CONF_DAILY_CAP]),
                    CONF_SNOOZE_MINUTES: int(user_input[CONF_SNOOZE_MINUTES]),
                    CONF_READING_MINUTES: int(user_input[CONF_READING_MINUTES]),
                }
            )
        schema = options_schema(self.config_entry.options)
        schema = schema.extend(option_fields(self.config_entry.options))  # the workday sensor
        if retired and engine is not None and engine.notifier is not None:
            library = engine.notifier.library
            schema = schema.extend(
                {
                    vol.Optional(CONF_RETIRED_IDEAS, default=retired): selector.SelectSelector(
                        selector.SelectSelectorConfig(
                            options=[
                                selector.SelectOptionDict(
                                    value=idea_id,
                                    label=library_idea_text(library, idea_id) or idea_id,
                                )
                                for idea_id in retired
                            ],
                            multiple=True,
                            mode=selector.SelectSelectorMode.LIST,
                        )
                    )
                }
            )
        return self.async_show_form(step_id="init", data_schema=schema)


def options_schema(options: Mapping[str, Any]) -> vol.Schema:
    """The options form: one field per option, pre-filled with the current values."""
    return vol.Schema(
        {
            vol.Required(
                CONF_GRACE_DAYS, default=options.get(CONF_GRACE_DAYS, DEFAULT_GRACE_DAYS)
            ): selector.NumberSelector(
                selector.NumberSelectorConfig(
                    min=0, max=7, step=1, mode=selector.NumberSelectorMode.BOX
                )
            ),
            vol.Required(
                CONF_HIDE_STREAKS, default=options.get(CONF_HIDE_STREAKS, False)
            ): selector.BooleanSelector(),
            vol.Optional(
                CONF_QUIET_START,
                description={"suggested_value": options.get(CONF_QUIET_START)},
            ): selector.TimeSelector(),
            vol.Optional(
                CONF_QUIET_END,
                description={"suggested_value": options.get(CONF_QUIET_END)},
            ): selector.TimeSelector(),
            vol.Required(
                CONF_DAILY_CAP, default=options.get(CONF_DAILY_CAP, DEFAULT_DAILY_CAP)
            ): selector.NumberSelector(
                selector.NumberSelectorConfig(
                    min=1, max=30, step=1, mode=selector.NumberSelectorMode.BOX
                )
            ),
            vol.Required(
                CONF_SNOOZE_MINUTES,
                default=options.get(CONF_SNOOZE_MINUTES, DEFAULT_SNOOZE_MINUTES),
            ): minutes_selector(1, 180),
            vol.Required(
                CONF_STORE_REPLIES, default=options.get(CONF_STORE_REPLIES, False)
            ): selector.BooleanSelector(),
            vol.Required(
                CONF_IDEA_FEEDBACK, default=options.get(CONF_IDEA_FEEDBACK, False)
            ): selector.BooleanSelector(),
            vol.Required(
                CONF_READING_MINUTES,
                default=options.get(CONF_READING_MINUTES, DEFAULT_READING_MINUTES),
            ): minutes_selector(0, 10),
            # The weekly digest: off unless the couple turns it on.
            vol.Required(
                CONF_DIGEST_ENABLED, default=options.get(CONF_DIGEST_ENABLED, False)
            ): selector.BooleanSelector(),
            vol.Required(
                CONF_DIGEST_WEEKDAY,
                default=options.get(CONF_DIGEST_WEEKDAY, DEFAULT_DIGEST_WEEKDAY),
            ): select_selector(list(WEEKDAYS), CONF_ACTIVE_DAYS),
            vol.Required(
                CONF_DIGEST_TIME, default=options.get(CONF_DIGEST_TIME, DEFAULT_DIGEST_TIME)
            ): selector.TimeSelector(),
        }
    )
