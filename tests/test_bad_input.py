"""Every action with bad input: a clear, translated error and nothing changes.

Two couples are set up (Alex & Sam, Kim & Lee) so that a partner of the other
couple can be named. Unknown rituals, strangers and inactive snoozes for one
service are in test_services.py::test_bad_input_is_refused_without_changes; here
every action gets the whole list.
"""

from __future__ import annotations

from dataclasses import dataclass
import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.connection_rituals.const import (
    CONF_DAY_BOUNDARY,
    CONF_PARTNER_A,
    CONF_PARTNER_B,
    DOMAIN,
    RitualKind,
)

from .conftest import ALEX, SAM, couple_entry, ritual_subentry, set_person
from .helpers import devices_by_name, move_to

KIM = "person.kim"
LEE = "person.lee"
STRINGS = json.loads(
    (Path(__file__).parents[1] / "custom_components" / DOMAIN / "strings.json").read_text(
        encoding="utf-8"
    )
)
RITUAL_ACTIONS = ("start", "complete", "snooze", "skip", "reset", "export")
ALL_ACTIONS = (*RITUAL_ACTIONS, "log_interaction")


@dataclass
class Couples:
    """Two loaded couples; ids to put into action data."""

    ours: str  # Alex & Sam's reunion device (its window is open)
    theirs: str  # Kim & Lee's reunion device (idle)
    our_entry: str
    their_entry: str
    foreign_device: str  # a device of another integration
    foreign_entry: str  # a config entry of another integration

    def fill(self, data: dict[str, Any]) -> dict[str, Any]:
        """Replace {placeholders} in string values with the ids."""
        return {
            key: value.format(**vars(self)) if isinstance(value, str) else value
            for key, value in data.items()
        }


@pytest.fixture
async def couples(hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry) -> Couples:
    """Monday 17:30; Alex & Sam's reunion is running, Kim & Lee's is not."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    set_person(hass, KIM, "home")
    set_person(hass, LEE, "home")
    ours = await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    theirs = await setup_entry(
        MockConfigEntry(
            domain=DOMAIN,
            title="Kim & Lee",
            unique_id=f"{KIM}|{LEE}",
            data={CONF_PARTNER_A: KIM, CONF_PARTNER_B: LEE, CONF_DAY_BOUNDARY: "04:00:00"},
            subentries_data=[ritual_subentry(RitualKind.REUNION, name="Their reunion")],
            version=1,
            minor_version=1,
        )
    )
    foreign = MockConfigEntry(domain="other")
    foreign.add_to_hass(hass)
    devices = dr.async_get(hass)
    foreign_device = devices.async_get_or_create(
        config_entry_id=foreign.entry_id, identifiers={("other", "lamp")}
    )
    by_name = devices_by_name(hass)
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.reunion_active").state == "on"
    return Couples(
        ours=by_name["Reunion"],
        theirs=by_name["Their reunion"],
        our_entry=ours.entry_id,
        their_entry=theirs.entry_id,
        foreign_device=foreign_device.id,
        foreign_entry=foreign.entry_id,
    )


def what_users_see(hass: HomeAssistant) -> dict[str, Any]:
    """Every entity state with its attributes, and what each couple would write to disk."""
    seen: dict[str, Any] = {
        state.entity_id: (state.state, dict(state.attributes))
        for state in hass.states.async_all()
        if not state.entity_id.startswith("person.")
    }
    for entry in hass.config_entries.async_entries(DOMAIN):
        if (engine := getattr(entry, "runtime_data", None)) is not None:
            seen[entry.entry_id] = engine.stored_data()
    return seen


def message(key: str, placeholders: dict[str, str] | None) -> str:
    """The English message a user reads for a translated error (core drops the final dot)."""
    template: str = STRINGS["exceptions"][key]["message"]
    return template.format(**(placeholders or {})).rstrip(".")


async def call(hass: HomeAssistant, service: str, data: dict[str, Any]) -> None:
    await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=service == "export"
    )


# What each action needs to be valid, apart from the field under test.
VALID = {
    "start": {"ritual": "{theirs}"},
    "complete": {"ritual": "{ours}"},
    "snooze": {"ritual": "{ours}"},
    "skip": {"ritual": "{ours}"},
    "reset": {"ritual": "{ours}"},
    "export": {"ritual": "{ours}"},
    "log_interaction": {"config_entry_id": "{our_entry}"},
}

# (case id, actions, data on top of VALID, or None to drop a field)
SCHEMA_CASES: list[tuple[str, tuple[str, ...], dict[str, Any]]] = [
    ("ritual_missing", RITUAL_ACTIONS, {"ritual": None}),
    ("ritual_is_a_list", RITUAL_ACTIONS, {"ritual": ["{ours}"]}),
    ("ritual_is_a_mapping", RITUAL_ACTIONS, {"ritual": {"id": "{ours}"}}),
    ("partner_is_a_number", ("complete", "snooze", "skip", "log_interaction"), {"partner": 42}),
    (
        "partner_is_no_entity_id",
        ("complete", "snooze", "skip", "log_interaction"),
        {"partner": "Alex"},
    ),
    ("minutes_is_text", ("snooze",), {"minutes": "a while"}),
    ("minutes_too_small", ("snooze",), {"minutes": 0}),
    ("minutes_too_large", ("snooze",), {"minutes": 721}),
    ("minutes_is_a_list", ("snooze",), {"minutes": [5]}),
    ("entry_missing", ("log_interaction",), {"config_entry_id": None}),
    ("entry_is_a_list", ("log_interaction",), {"config_entry_id": ["{our_entry}"]}),
    ("positive_is_no_boolean", ("log_interaction",), {"positive": "maybe"}),
    ("note_too_long", ("log_interaction",), {"note": "x" * 501}),
    ("note_is_a_mapping", ("log_interaction",), {"note": {"text": "hug"}}),
    ("unknown_field", ALL_ACTIONS, {"colour": "blue"}),
]


def _expand(
    cases: list[tuple[str, tuple[str, ...], dict[str, Any]]],
) -> list[Any]:
    return [
        pytest.param(service, data, id=f"{service}-{case}")
        for case, services, data in cases
        for service in services
    ]


def _data(couples: Couples, service: str, overrides: dict[str, Any]) -> dict[str, Any]:
    data = {**VALID[service], **overrides}
    filled = couples.fill({k: v for k, v in data.items() if v is not None})
    for key, value in filled.items():
        if isinstance(value, list):
            filled[key] = [couples.fill({"v": item})["v"] for item in value]
    return filled


@pytest.mark.parametrize(("service", "overrides"), _expand(SCHEMA_CASES))
async def test_malformed_data_is_refused_by_the_schema(
    hass: HomeAssistant, couples: Couples, bus_events, service: str, overrides: dict[str, Any]
) -> None:
    """Wrong types, missing required fields, out-of-range numbers, unknown fields."""
    before = what_users_see(hass)
    with pytest.raises(vol.Invalid) as err:
        await call(hass, service, _data(couples, service, overrides))
    assert str(err.value)  # voluptuous names the field and the problem
    assert what_users_see(hass) == before
    assert bus_events == []


# (case id, actions, data on top of VALID, translation key, placeholder to expect)
REFUSED: list[tuple[str, tuple[str, ...], dict[str, Any], str, dict[str, str]]] = [
    (
        "unknown_device",
        RITUAL_ACTIONS,
        {"ritual": "0123456789abcdef"},
        "unknown_ritual",
        {"ritual": "0123456789abcdef"},
    ),
    ("number_as_ritual", RITUAL_ACTIONS, {"ritual": 1234}, "unknown_ritual", {"ritual": "1234"}),
    (
        "device_of_another_integration",
        RITUAL_ACTIONS,
        {"ritual": "{foreign_device}"},
        "unknown_ritual",
        {"ritual": "{foreign_device}"},
    ),
    (
        "partner_of_the_other_couple",
        ("complete", "snooze", "skip", "log_interaction"),
        {"partner": KIM},
        "not_a_partner",
        {"person": KIM},
    ),
    (
        "our_partner_for_their_ritual",
        ("complete", "skip"),
        {"ritual": "{theirs}", "partner": ALEX},
        "not_a_partner",
        {"person": ALEX},
    ),
    (
        "unknown_person",
        ("complete", "snooze", "skip", "log_interaction"),
        {"partner": "person.nobody"},
        "not_a_partner",
        {"person": "person.nobody"},
    ),
    (
        "snooze_an_idle_ritual",
        ("snooze",),
        {"ritual": "{theirs}"},
        "not_active",
        {"ritual": "Their reunion"},
    ),
    (
        "start_a_running_ritual",
        ("start",),
        {"ritual": "{ours}"},
        "already_active",
        {"ritual": "Reunion"},
    ),
    (
        "unknown_couple",
        ("log_interaction",),
        {"config_entry_id": "not-an-entry"},
        "unknown_couple",
        {"entry": "not-an-entry"},
    ),
    (
        "entry_of_another_integration",
        ("log_interaction",),
        {"config_entry_id": "{foreign_entry}"},
        "unknown_couple",
        {"entry": "{foreign_entry}"},
    ),
]


@pytest.mark.parametrize(
    ("service", "overrides", "key", "placeholders"),
    [
        pytest.param(service, data, key, placeholders, id=f"{service}-{case}")
        for case, services, data, key, placeholders in REFUSED
        for service in services
    ],
)
async def test_refused_with_a_translated_error_and_no_change(
    hass: HomeAssistant,
    couples: Couples,
    bus_events,
    hass_admin_user,
    service: str,
    overrides: dict[str, Any],
    key: str,
    placeholders: dict[str, str],
) -> None:
    """Unknown rituals and couples, strangers, the other couple's partners, wrong moments."""
    before = what_users_see(hass)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            service,
            _data(couples, service, overrides),
            blocking=True,
            return_response=service == "export",
            context=Context(user_id=hass_admin_user.id),
        )
    expected = couples.fill(placeholders)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    assert err.value.translation_placeholders == expected
    assert str(err.value) == message(key, expected)
    assert what_users_see(hass) == before
    assert bus_events == []


@pytest.mark.parametrize("service", ALL_ACTIONS)
async def test_a_couple_that_is_not_loaded_is_named(
    hass: HomeAssistant, couples: Couples, bus_events, service: str
) -> None:
    """Kim & Lee's entry is unloaded: every action on it says so, Alex & Sam are untouched."""
    assert await hass.config_entries.async_unload(couples.their_entry)
    await hass.async_block_till_done()
    before = what_users_see(hass)
    field = "config_entry_id" if service == "log_interaction" else "ritual"
    data = {field: "{their_entry}" if service == "log_interaction" else "{theirs}"}
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, couples.fill(data))
    assert err.value.translation_key == "entry_not_loaded"
    assert str(err.value) == message("entry_not_loaded", {"entry": "Kim & Lee"})
    assert what_users_see(hass) == before
    assert bus_events == []
