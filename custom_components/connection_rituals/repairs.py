"""Repair issues with fix flows: a partner, a "device in use" or a trigger entity gone."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from homeassistant.components.repairs import RepairsFlow
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir, selector

from .compat import RepairsFlowResult, vol
from .const import (
    CONF_DEVICES_A,
    CONF_DEVICES_B,
    CONF_PARTNER_A,
    CONF_PARTNER_B,
    CONF_TRIGGER_ENTITY,
    PARTNER_A,
)
from .issues import async_set_issue
from .models import RitualConfig

ISSUE_PERSON = "person_missing"
ISSUE_DEVICE = "device_missing"
ISSUE_TRIGGER = "trigger_missing"


def _issue_id(kind: str, entry_id: str, key: str) -> str:
    return f"{kind}_{entry_id}_{key}"


@callback
def async_check_entities(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    persons: Mapping[str, str],
    in_use_entities: Mapping[str, str],
    rituals: Iterable[RitualConfig],
) -> None:
    """Raise a fixable issue for every needed entity that is gone; clear the others."""
    for partner, person in persons.items():
        async_set_issue(
            hass,
            _issue_id(ISSUE_PERSON, entry.entry_id, partner),
            hass.states.get(person) is None,
            is_fixable=True,
            # Someone's setup changed: gentle, not an error.
            severity=ir.IssueSeverity.WARNING,
            translation_key="person_missing",
            translation_placeholders={"entity": person, "couple": entry.title},
            data={"entry_id": entry.entry_id, "kind": ISSUE_PERSON, "partner_key": partner},
        )
    for entity_id, partner in in_use_entities.items():
        async_set_issue(
            hass,
            _issue_id(ISSUE_DEVICE, entry.entry_id, entity_id),
            hass.states.get(entity_id) is None,
            is_fixable=True,
            severity=ir.IssueSeverity.WARNING,
            translation_key="device_missing",
            translation_placeholders={"entity": entity_id, "couple": entry.title},
            data={
                "entry_id": entry.entry_id,
                "kind": ISSUE_DEVICE,
                "partner_key": partner,
                "entity": entity_id,
            },
        )
    for config in rituals:
        if (trigger := config.trigger_entity) is None:
            continue
        async_set_issue(
            hass,
            _issue_id(ISSUE_TRIGGER, entry.entry_id, config.ritual_id),
            hass.states.get(trigger) is None,
            is_fixable=True,
            severity=ir.IssueSeverity.WARNING,
            translation_key="trigger_missing",
            translation_placeholders={"entity": trigger, "ritual": config.name},
            data={
                "entry_id": entry.entry_id,
                "kind": ISSUE_TRIGGER,
                "ritual_id": config.ritual_id,
                "entity": trigger,
            },
        )


class _EntryRepairFlow(RepairsFlow):
    """A fix that changes the couple's entry or one of its rituals, then reloads."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        """The repairs manager starts here with the issue's data: show the form."""
        return await self.async_step_fix()

    async def async_step_fix(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        """The fix itself."""
        raise NotImplementedError

    def _entry(self) -> Any:
        return self.hass.config_entries.async_get_entry(self._data["entry_id"])


class ReplacePersonFlow(_EntryRepairFlow):
    """A partner's person is gone: choose who takes the place, or let the couple go."""

    async def async_step_fix(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        """Offer both ways, without assuming either."""
        entry = self._entry()
        if entry is None:
            return self.async_abort(reason="entry_removed")
        return self.async_show_menu(
            step_id="fix",
            menu_options=["replace", "remove"],
            description_placeholders=self._placeholders(entry),
        )

    def _key(self) -> str:
        return CONF_PARTNER_A if self._data["partner_key"] == PARTNER_A else CONF_PARTNER_B

    def _placeholders(self, entry: Any) -> dict[str, str]:
        return {"entity": entry.data[self._key()], "couple": entry.title}

    async def async_step_replace(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Ask for the replacement."""
        entry = self._entry()
        if entry is None:
            return self.async_abort(reason="entry_removed")
        key = self._key()
        other = entry.data[CONF_PARTNER_B if key == CONF_PARTNER_A else CONF_PARTNER_A]
        errors: dict[str, str] = {}
        if user_input is not None:
            person = user_input["person"]
            if person == other:
                errors["person"] = "same_person"
            else:
                self.hass.config_entries.async_update_entry(entry, data={**entry.data, key: person})
                return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="replace",
            data_schema=vol.Schema(
                {
                    vol.Required("person"): selector.EntitySelector(
                        selector.EntitySelectorConfig(domain="person")
                    )
                }
            ),
            errors=errors,
            description_placeholders=self._placeholders(entry),
        )

    async def async_step_remove(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Remove the couple's setup (its rituals and their history), once confirmed."""
        entry = self._entry()
        if entry is None:
            return self.async_abort(reason="entry_removed")
        if user_input is not None:
            await self.hass.config_entries.async_remove(entry.entry_id)
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="remove", description_placeholders=self._placeholders(entry)
        )


class ForgetDeviceFlow(_EntryRepairFlow):
    """Stop watching a "device in use" entity that no longer exists."""

    async def async_step_fix(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        """Confirm."""
        entry = self._entry()
        if entry is None:
            return self.async_abort(reason="entry_removed")
        if user_input is not None:
            key = CONF_DEVICES_A if self._data["partner_key"] == PARTNER_A else CONF_DEVICES_B
            remaining = [e for e in entry.data.get(key, []) if e != self._data["entity"]]
            self.hass.config_entries.async_update_entry(entry, data={**entry.data, key: remaining})
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="fix",
            description_placeholders={"entity": self._data["entity"], "couple": entry.title},
        )


class ReplaceTriggerFlow(_EntryRepairFlow):
    """Choose a new entity to start a ritual."""

    async def async_step_fix(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        """Ask for the new trigger entity."""
        entry = self._entry()
        subentry = entry.subentries.get(self._data["ritual_id"]) if entry else None
        if entry is None or subentry is None:
            return self.async_abort(reason="entry_removed")
        if user_input is not None:
            self.hass.config_entries.async_update_subentry(
                entry,
                subentry,
                data={**subentry.data, CONF_TRIGGER_ENTITY: user_input[CONF_TRIGGER_ENTITY]},
            )
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="fix",
            data_schema=vol.Schema({vol.Required(CONF_TRIGGER_ENTITY): selector.EntitySelector()}),
            description_placeholders={"entity": self._data["entity"], "ritual": subentry.title},
        )


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """The fix flow for one of our issues."""
    assert data is not None
    kind = data["kind"]
    flows: dict[str, type[_EntryRepairFlow]] = {
        ISSUE_PERSON: ReplacePersonFlow,
        ISSUE_DEVICE: ForgetDeviceFlow,
        ISSUE_TRIGGER: ReplaceTriggerFlow,
    }
    return flows[str(kind)](dict(data))
