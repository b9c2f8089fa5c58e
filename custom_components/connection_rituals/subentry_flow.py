"""The ritual subentry flow: add or change one ritual of the couple."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import (
    ConfigSubentryFlow,
    SubentryFlowResult,
)
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
    CONF_DND,
    CONF_KIND,
    CONF_LIGHTS,
    CONF_MIN_AWAY_MINUTES,
    CONF_NAME,
    CONF_PRESENCE,
    CONF_PROMPT_MODE,
    CONF_PROMPT_TEXT,
    CONF_PROMPTED,
    CONF_REPLY,
    CONF_SCENE,
    CONF_SLEEP_ENTITY,
    CONF_TRANSITION,
    CONF_TRIGGER_ENTITY,
    CONF_TRIGGER_STATE,
    CONF_TRIGGER_TIME,
    CONF_TRIGGER_TYPE,
    CONF_WINDOW_MINUTES,
    DEFAULT_BRIGHTNESS,
    DEFAULT_TRANSITION,
    KIND_DEFAULTS,
    SCHEDULED_KINDS,
    SUBENTRY_TYPE_RITUAL,
    Completion,
    Prompted,
    PromptMode,
    RitualKind,
    TriggerType,
)
from .core.schedule import WEEKDAYS, PresenceCondition
from .prompt_words import load_library
from .reunion_cues import CUE_FIELDS, cue_form_fields
from .rhythm_flow import async_rhythm_placeholder, async_suggest, ritual_fields

# Default ritual names per kind (the user renames them freely).
DEFAULT_NAMES: dict[RitualKind, str] = {
    RitualKind.REUNION: "Reunion",
    RitualKind.DEPARTURE: "Departure",
    RitualKind.MORNING: "Good morning",
    RitualKind.BEDTIME: "Bedtime appreciation",
    RitualKind.APART: "Thinking of you",
    RitualKind.CUSTOM: "Our ritual",
}


def select_selector(
    options: list[str], key: str, multiple: bool = False
) -> selector.SelectSelector:
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


def minutes_selector(minimum: int, maximum: int) -> selector.NumberSelector:
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


def ritual_schema(kind: RitualKind, values: Mapping[str, Any]) -> vol.Schema:
    """The fields that matter for a kind, pre-filled with `values`."""

    def req(key: str) -> vol.Required:
        return vol.Required(key, default=values[key]) if key in values else vol.Required(key)

    def opt(key: str) -> vol.Optional:
        if values.get(key) not in (None, ""):
            return vol.Optional(key, description={"suggested_value": values[key]})
        return vol.Optional(key)

    fields: dict[vol.Marker, Any] = {req(CONF_NAME): selector.TextSelector()}
    if kind in SCHEDULED_KINDS:
        fields[req(CONF_TRIGGER_TYPE)] = select_selector(
            [t.value for t in TriggerType], CONF_TRIGGER_TYPE
        )
        fields[opt(CONF_TRIGGER_TIME)] = selector.TimeSelector()
        fields[opt(CONF_TRIGGER_ENTITY)] = selector.EntitySelector()
        fields[opt(CONF_TRIGGER_STATE)] = selector.TextSelector()
    if kind is RitualKind.CUSTOM:
        fields[req(CONF_PRESENCE)] = select_selector(
            [p.value for p in PresenceCondition], CONF_PRESENCE
        )
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
        fields[req(CONF_WINDOW_MINUTES)] = minutes_selector(1, 720)
    if kind in (RitualKind.REUNION, RitualKind.DEPARTURE):
        fields[req(CONF_MIN_AWAY_MINUTES)] = minutes_selector(0, 720)
    fields[req(CONF_ACTIVE_DAYS)] = select_selector(list(WEEKDAYS), CONF_ACTIVE_DAYS, multiple=True)
    fields[req(CONF_ACTIVE_START)] = selector.TimeSelector()
    fields[req(CONF_ACTIVE_END)] = selector.TimeSelector()
    fields[req(CONF_PROMPTED)] = select_selector([p.value for p in Prompted], CONF_PROMPTED)
    if kind is RitualKind.BEDTIME:
        fields[req(CONF_COMPLETION)] = select_selector(
            [c.value for c in Completion], CONF_COMPLETION
        )
        fields[req(CONF_REPLY)] = selector.BooleanSelector()
    if kind is RitualKind.REUNION:
        fields[req(CONF_DND)] = selector.BooleanSelector()
        fields.update(cue_form_fields(opt))
    fields[req(CONF_PROMPT_MODE)] = select_selector([m.value for m in PromptMode], CONF_PROMPT_MODE)
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
                    vol.Required(CONF_KIND, default=RitualKind.REUNION.value): select_selector(
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
            data_schema=ritual_schema(self._kind, values),
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
            data_schema=ritual_schema(kind, values),
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
    *CUE_FIELDS,
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
