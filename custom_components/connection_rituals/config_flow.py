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
    SubentryFlowResult,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import selector

from .compat import vol
from .const import (
    CONF_ACTIVE_DAYS,
    CONF_ACTIVE_END,
    CONF_ACTIVE_START,
    CONF_ADAPT_MINUTES,
    CONF_APART_HOURS,
    CONF_BRIGHTNESS,
    CONF_COMPLETION,
    CONF_DAILY_CAP,
    CONF_DAY_BOUNDARY,
    CONF_DEVICES_A,
    CONF_DEVICES_B,
    CONF_DND,
    CONF_GRACE_DAYS,
    CONF_HIDE_STREAKS,
    CONF_IDEA_FEEDBACK,
    CONF_KIND,
    CONF_LIGHTS,
    CONF_MIN_AWAY_MINUTES,
    CONF_NAME,
    CONF_NOTIFY_A,
    CONF_NOTIFY_B,
    CONF_PARTNER_A,
    CONF_PARTNER_B,
    CONF_PHONE_A,
    CONF_PHONE_B,
    CONF_PRESENCE,
    CONF_PROMPT_MODE,
    CONF_PROMPT_TEXT,
    CONF_PROMPTED,
    CONF_QUIET_END,
    CONF_QUIET_START,
    CONF_READING_MINUTES,
    CONF_REPLY,
    CONF_RETIRED_IDEAS,
    CONF_SCENE,
    CONF_SLEEP_ENTITY,
    CONF_SNOOZE_MINUTES,
    CONF_STORE_REPLIES,
    CONF_TRANSITION,
    CONF_TRIGGER_ENTITY,
    CONF_TRIGGER_STATE,
    CONF_TRIGGER_TIME,
    CONF_TRIGGER_TYPE,
    CONF_WINDOW_MINUTES,
    DEFAULT_BRIGHTNESS,
    DEFAULT_DAILY_CAP,
    DEFAULT_DAY_BOUNDARY,
    DEFAULT_GRACE_DAYS,
    DEFAULT_READING_MINUTES,
    DEFAULT_SNOOZE_MINUTES,
    DEFAULT_TRANSITION,
    DOMAIN,
    KIND_DEFAULTS,
    SCHEDULED_KINDS,
    SUBENTRY_TYPE_RITUAL,
    Completion,
    Prompted,
    PromptMode,
    RitualKind,
    TriggerType,
)
from .core.ideas import RATING_RESTORE
from .core.schedule import WEEKDAYS, PresenceCondition
from .idea_feedback import library_idea_text
from .notifier import load_library
from .rhythm_flow import async_rhythm_placeholder, async_suggest, option_fields, ritual_fields

NOTIFY_DOMAIN = "notify"

# Default ritual names per kind (the user renames them freely).
DEFAULT_NAMES: dict[RitualKind, str] = {
    RitualKind.REUNION: "Reunion",
    RitualKind.DEPARTURE: "Departure",
    RitualKind.MORNING: "Good morning",
    RitualKind.BEDTIME: "Bedtime appreciation",
    RitualKind.APART: "Thinking of you",
    RitualKind.CUSTOM: "Our ritual",
}


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
        options = self.config_entry.options
        schema = vol.Schema(
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
                ): _minutes(1, 180),
                vol.Required(
                    CONF_STORE_REPLIES, default=options.get(CONF_STORE_REPLIES, False)
                ): selector.BooleanSelector(),
                vol.Required(
                    CONF_IDEA_FEEDBACK, default=options.get(CONF_IDEA_FEEDBACK, False)
                ): selector.BooleanSelector(),
                vol.Required(
                    CONF_READING_MINUTES,
                    default=options.get(CONF_READING_MINUTES, DEFAULT_READING_MINUTES),
                ): _minutes(0, 10),
            }
        )
        schema = schema.extend(option_fields(options))  # rhythms: the workday sensor
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


def _select(options: list[str], key: str, multiple: bool = False) -> selector.SelectSelector:
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=options,
            translation_key=key,
            multiple=multiple,
            mode=selector.SelectSelectorMode.DROPDOWN
            if not multiple
            else selector.SelectSelectorMode.LIST,
        )
    )


def _minutes(minimum: int, maximum: int) -> selector.NumberSelector:
    return selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=1,
            mode=selector.NumberSelectorMode.BOX,
            unit_of_measurement="min",
        )
    )


def ritual_defaults(kind: RitualKind) -> dict[str, Any]:
    """A complete ritual configuration of a kind with good defaults."""
    defaults: dict[str, Any] = {
        CONF_BRIGHTNESS: DEFAULT_BRIGHTNESS,
        CONF_TRANSITION: DEFAULT_TRANSITION,
        CONF_NAME: DEFAULT_NAMES[kind],
        CONF_KIND: kind,
        CONF_ACTIVE_DAYS: list(WEEKDAYS),
        CONF_PROMPT_MODE: PromptMode.SURPRISE,
    }
    if kind in SCHEDULED_KINDS:
        defaults[CONF_TRIGGER_TYPE] = TriggerType.TIME
    if kind is RitualKind.CUSTOM:
        defaults[CONF_PRESENCE] = PresenceCondition.BOTH_HOME
    defaults.update(KIND_DEFAULTS[kind])
    return defaults


def _ritual_schema(kind: RitualKind, values: Mapping[str, Any]) -> vol.Schema:
    """The fields that matter for a kind, pre-filled with `values`."""

    def req(key: str) -> vol.Required:
        return vol.Required(key, default=values[key]) if key in values else vol.Required(key)

    def opt(key: str) -> vol.Optional:
        if values.get(key) not in (None, ""):
            return vol.Optional(key, description={"suggested_value": values[key]})
        return vol.Optional(key)

    fields: dict[vol.Marker, Any] = {req(CONF_NAME): selector.TextSelector()}
    if kind in SCHEDULED_KINDS:
        fields[req(CONF_TRIGGER_TYPE)] = _select([t.value for t in TriggerType], CONF_TRIGGER_TYPE)
        fields[opt(CONF_TRIGGER_TIME)] = selector.TimeSelector()
        fields[opt(CONF_TRIGGER_ENTITY)] = selector.EntitySelector()
        fields[opt(CONF_TRIGGER_STATE)] = selector.TextSelector()
    if kind is RitualKind.CUSTOM:
        fields[req(CONF_PRESENCE)] = _select([p.value for p in PresenceCondition], CONF_PRESENCE)
    if kind is RitualKind.APART:
        fields[req(CONF_APART_HOURS)] = selector.NumberSelector(
            selector.NumberSelectorConfig(
                min=0.5,
                max=24,
                step=0.5,
                mode=selector.NumberSelectorMode.BOX,
                unit_of_measurement="h",
            )
        )
    else:
        fields[req(CONF_WINDOW_MINUTES)] = _minutes(1, 720)
    if kind in (RitualKind.REUNION, RitualKind.DEPARTURE):
        fields[req(CONF_MIN_AWAY_MINUTES)] = _minutes(0, 720)
    fields[req(CONF_ACTIVE_DAYS)] = _select(list(WEEKDAYS), CONF_ACTIVE_DAYS, multiple=True)
    fields[req(CONF_ACTIVE_START)] = selector.TimeSelector()
    fields[req(CONF_ACTIVE_END)] = selector.TimeSelector()
    fields[req(CONF_PROMPTED)] = _select([p.value for p in Prompted], CONF_PROMPTED)
    if kind is RitualKind.BEDTIME:
        fields[req(CONF_COMPLETION)] = _select([c.value for c in Completion], CONF_COMPLETION)
        fields[req(CONF_REPLY)] = selector.BooleanSelector()
    if kind is RitualKind.REUNION:
        fields[req(CONF_DND)] = selector.BooleanSelector()
    fields[req(CONF_PROMPT_MODE)] = _select([m.value for m in PromptMode], CONF_PROMPT_MODE)
    fields[opt(CONF_PROMPT_TEXT)] = selector.TextSelector(
        selector.TextSelectorConfig(multiline=True)
    )
    fields[opt(CONF_SCENE)] = selector.EntitySelector(selector.EntitySelectorConfig(domain="scene"))
    fields[opt(CONF_LIGHTS)] = selector.EntitySelector(
        selector.EntitySelectorConfig(domain="light", multiple=True)
    )
    fields[req(CONF_BRIGHTNESS)] = selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=1, max=100, step=1, mode=selector.NumberSelectorMode.SLIDER, unit_of_measurement="%"
        )
    )
    fields[req(CONF_TRANSITION)] = selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=0, max=300, step=1, mode=selector.NumberSelectorMode.BOX, unit_of_measurement="s"
        )
    )
    fields.update(ritual_fields(kind, values))  # rhythms: adapt, sleep entity
    return vol.Schema(fields)


class RitualSubentryFlow(ConfigSubentryFlow):
    """Add or change one ritual."""

    _kind: RitualKind

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Start from a kind."""
        if user_input is not None:
            self._kind = RitualKind(user_input[CONF_KIND])
            return await self.async_step_ritual()
        return self.async_show_form(
            step_id="user",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_KIND, default=RitualKind.REUNION.value): _select(
                        [k.value for k in RitualKind], CONF_KIND
                    )
                }
            ),
        )

    async def _suggested_name(self, kind: RitualKind) -> str:
        """The kind's name in Home Assistant's language (from the idea library)."""
        library = await self.hass.async_add_executor_job(load_library, self.hass.config.language)
        return library.phrases[f"name_{kind.value}"]

    async def async_step_ritual(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Tune a new ritual."""
        errors: dict[str, str] = {}
        values = ritual_defaults(self._kind)
        values[CONF_NAME] = await self._suggested_name(self._kind)
        rhythm = await async_suggest(self.hass, self._get_entry(), self._kind, values)
        if user_input is not None:
            _apply_form(values, user_input)
            errors = self._validate(values, exclude_subentry=None)
            if not errors:
                data = _clean_ritual(values)
                return self.async_create_entry(title=data[CONF_NAME], data=data)
        return self.async_show_form(
            step_id="ritual",
            data_schema=_ritual_schema(self._kind, values),
            errors=errors,
            description_placeholders={"kind": self._kind.value, **rhythm},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change an existing ritual; its kind stays."""
        subentry = self._get_reconfigure_subentry()
        kind = RitualKind(subentry.data[CONF_KIND])
        values = {**ritual_defaults(kind), **subentry.data}
        errors: dict[str, str] = {}
        if user_input is not None:
            _apply_form(values, user_input)
            errors = self._validate(values, exclude_subentry=subentry.subentry_id)
            if not errors:
                data = _clean_ritual(values)
                return self.async_update_and_abort(
                    self._get_entry(), subentry, title=data[CONF_NAME], data=data
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=_ritual_schema(kind, values),
            errors=errors,
            description_placeholders={
                "kind": kind.value,
                **await async_rhythm_placeholder(self.hass, self._get_entry(), kind),
            },
        )

    def _validate(self, values: Mapping[str, Any], exclude_subentry: str | None) -> dict[str, str]:
        errors: dict[str, str] = {}
        kind = RitualKind(values[CONF_KIND])
        name = str(values.get(CONF_NAME, "")).strip()
        if not name:
            errors[CONF_NAME] = "name_required"
        elif any(
            sub.data.get(CONF_NAME, "").strip().casefold() == name.casefold()
            for sub in self._get_entry().subentries.values()
            if sub.subentry_type == SUBENTRY_TYPE_RITUAL and sub.subentry_id != exclude_subentry
        ):
            errors[CONF_NAME] = "name_exists"
        if kind in SCHEDULED_KINDS:
            if values.get(CONF_TRIGGER_TYPE) == TriggerType.STATE:
                entity_id = values.get(CONF_TRIGGER_ENTITY)
                if not entity_id:
                    errors[CONF_TRIGGER_ENTITY] = "trigger_entity_required"
                elif self.hass.states.get(entity_id) is None:
                    errors[CONF_TRIGGER_ENTITY] = "entity_not_found"
                if not str(values.get(CONF_TRIGGER_STATE) or "").strip():
                    errors[CONF_TRIGGER_STATE] = "trigger_state_required"
            elif not values.get(CONF_TRIGGER_TIME):
                errors[CONF_TRIGGER_TIME] = "trigger_time_required"
        if not values.get(CONF_ACTIVE_DAYS):
            errors[CONF_ACTIVE_DAYS] = "no_active_days"
        if (
            values.get(CONF_PROMPT_MODE) == PromptMode.OWN
            and not str(values.get(CONF_PROMPT_TEXT) or "").strip()
        ):
            errors[CONF_PROMPT_TEXT] = "prompt_text_required"
        return errors


_OPTIONAL_RITUAL_FIELDS = (
    CONF_TRIGGER_TIME,
    CONF_TRIGGER_ENTITY,
    CONF_TRIGGER_STATE,
    CONF_PROMPT_TEXT,
    CONF_SCENE,
    CONF_LIGHTS,
    CONF_SLEEP_ENTITY,
)


def _apply_form(values: dict[str, Any], user_input: Mapping[str, Any]) -> None:
    """Merge a submitted form into pre-filled values.

    Optional fields the user cleared are absent from the form's input, so their
    pre-filled value must not come back.
    """
    for key in _OPTIONAL_RITUAL_FIELDS:
        values.pop(key, None)
    values.update(user_input)


def _clean_ritual(values: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise a ritual's data: plain types, trimmed text, no empty optionals."""
    data: dict[str, Any] = {}
    for key, value in values.items():
        if value in (None, "", []):
            continue
        if isinstance(value, str):
            value = value.strip()
        if key in (CONF_WINDOW_MINUTES, CONF_MIN_AWAY_MINUTES, CONF_BRIGHTNESS, CONF_ADAPT_MINUTES):
            value = int(value)
        elif key in (CONF_APART_HOURS, CONF_TRANSITION):
            value = float(value)
        elif key == CONF_ACTIVE_DAYS:
            value = [day for day in WEEKDAYS if day in value]
        data[key] = str(value) if isinstance(value, str) else value
    return data
