"""The config flow, reconfigure, options and ritual subentry flows, on a real Home Assistant."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntryState,
)
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.connection_rituals.const import (
    CONF_ACTIVE_DAYS,
    CONF_DAY_BOUNDARY,
    CONF_DEVICES_A,
    CONF_DEVICES_B,
    CONF_GRACE_DAYS,
    CONF_HIDE_STREAKS,
    CONF_KIND,
    CONF_NAME,
    CONF_NOTIFY_A,
    CONF_NOTIFY_B,
    CONF_PARTNER_A,
    CONF_PARTNER_B,
    CONF_PROMPT_MODE,
    CONF_PROMPT_TEXT,
    CONF_SKIPS_PER_WEEK,
    CONF_TRIGGER_ENTITY,
    CONF_TRIGGER_STATE,
    CONF_TRIGGER_TIME,
    CONF_TRIGGER_TYPE,
    CONF_WINDOW_MINUTES,
    DOMAIN,
    SUBENTRY_TYPE_RITUAL,
    RitualKind,
)

from .conftest import (
    ALEX,
    ALEX_PHONE_IN_USE,
    SAM,
    SAM_TV,
    couple_entry,
    ritual_subentry,
    set_person,
)
from .helpers import device_by_identifier, device_subentries

ROBIN = "person.robin"
STRINGS = json.loads(
    (Path(__file__).parent.parent / "custom_components" / DOMAIN / "strings.json").read_text(
        encoding="utf-8"
    )
)
CONFIG_ERRORS = set(STRINGS["config"]["error"])
RITUAL_ERRORS = set(STRINGS["config_subentries"][SUBENTRY_TYPE_RITUAL]["error"])


# --- helpers -----------------------------------------------------------------------------


async def _noop(call: ServiceCall) -> None:
    """A notify service that does nothing."""


def register_notify(hass: HomeAssistant, *names: str) -> None:
    """Fake notify services, as a phone or another notifier would register them."""
    for name in names:
        hass.services.async_register("notify", name, _noop)


def field(result: dict[str, Any], key: str) -> tuple[vol.Marker, Any]:
    """The schema marker and selector of one form field."""
    for marker, value in result["data_schema"].schema.items():
        if str(marker) == key:
            return marker, value
    raise AssertionError(f"{key} is not in the form {result['step_id']}")


def prefilled(result: dict[str, Any]) -> dict[str, Any]:
    """What the frontend submits when the user changes nothing: defaults and suggestions."""
    values: dict[str, Any] = {}
    for marker in result["data_schema"].schema:
        description = marker.description or {}
        if "suggested_value" in description:
            values[str(marker)] = description["suggested_value"]
        elif marker.default is not vol.UNDEFINED:
            values[str(marker)] = marker.default()
    return values


def couple_input(**changes: Any) -> dict[str, Any]:
    """A complete user-step form for Alex and Sam."""
    return {
        CONF_PARTNER_A: ALEX,
        CONF_PARTNER_B: SAM,
        CONF_DEVICES_A: [ALEX_PHONE_IN_USE],
        CONF_DEVICES_B: [SAM_TV],
        CONF_DAY_BOUNDARY: "04:00:00",
        **changes,
    }


async def start_user_flow(hass: HomeAssistant) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return result


async def start_reconfigure_flow(hass: HomeAssistant, entry_id: str) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry_id}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    return result


async def start_ritual_flow(hass: HomeAssistant, entry_id: str, kind: str) -> dict[str, Any]:
    """Open "Add ritual", pick a kind; returns the ritual form."""
    result = await hass.config_entries.subentries.async_init(
        (entry_id, SUBENTRY_TYPE_RITUAL), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    marker, _ = field(result, CONF_KIND)
    assert marker.default() == RitualKind.REUNION
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_KIND: kind}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "ritual"
    assert result["errors"] == {}
    assert result["description_placeholders"] == {"kind": kind, "rhythm": ""}
    return result


async def start_ritual_reconfigure(
    hass: HomeAssistant, entry_id: str, subentry_id: str
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry_id, SUBENTRY_TYPE_RITUAL),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    return result


def subentry_named(entry: Any, name: str) -> Any:
    (subentry,) = (sub for sub in entry.subentries.values() if sub.title == name)
    return subentry


# --- user step ---------------------------------------------------------------------------


async def test_user_creates_the_couple(hass: HomeAssistant, couple: None) -> None:
    """Empty optionals are dropped, the title comes from the names, the id from the pair."""
    register_notify(hass, "alex_phone", "send_message", "persistent_notification")
    result = await start_user_flow(hass)
    _, notify_selector = field(result, CONF_NOTIFY_A)
    # Other notify services are offered; the entity-based and UI-only ones are not.
    assert notify_selector.config["options"] == ["notify.alex_phone"]
    marker, _ = field(result, CONF_DAY_BOUNDARY)
    assert marker.default() == "04:00:00"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        couple_input(
            **{
                CONF_PARTNER_A: SAM,
                CONF_PARTNER_B: ALEX,
                CONF_NOTIFY_A: "",
                CONF_NOTIFY_B: "notify.alex_phone",
                CONF_DEVICES_A: [],
                CONF_DAY_BOUNDARY: "05:30:00",
            }
        ),
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Sam & Alex"
    assert result["data"] == {
        CONF_PARTNER_A: SAM,
        CONF_PARTNER_B: ALEX,
        CONF_NOTIFY_B: "notify.alex_phone",
        CONF_DEVICES_B: [SAM_TV],
        CONF_DAY_BOUNDARY: "05:30:00",
    }
    entry = result["result"]
    assert entry.unique_id == f"{ALEX}|{SAM}"
    assert entry.options == {}
    assert entry.state is ConfigEntryState.LOADED
    assert entry.subentries == {}


async def test_title_uses_friendly_names(hass: HomeAssistant, couple: None) -> None:
    """Renamed persons give the title; no day boundary given means 04:00."""
    set_person(hass, ALEX, "home", friendly_name="Alexandra")
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PARTNER_A: ALEX, CONF_PARTNER_B: SAM}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Alexandra & Sam"
    assert result["data"] == {
        CONF_PARTNER_A: ALEX,
        CONF_PARTNER_B: SAM,
        CONF_DAY_BOUNDARY: "04:00:00",
    }


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({CONF_PARTNER_B: ALEX}, {CONF_PARTNER_B: "same_person"}),
        ({CONF_PARTNER_B: "person.nobody"}, {CONF_PARTNER_B: "person_not_found"}),
        ({CONF_PARTNER_A: "person.nobody"}, {CONF_PARTNER_A: "person_not_found"}),
        ({CONF_NOTIFY_A: "notify.missing_phone"}, {CONF_NOTIFY_A: "notify_not_found"}),
        ({CONF_NOTIFY_B: "light.alex_phone"}, {CONF_NOTIFY_B: "notify_not_found"}),
        ({CONF_NOTIFY_B: "alex_phone"}, {CONF_NOTIFY_B: "notify_not_found"}),
    ],
)
async def test_user_errors_then_recovery(
    hass: HomeAssistant, couple: None, changes: dict[str, Any], errors: dict[str, str]
) -> None:
    """Each mistake is shown on its field, the input is kept, and fixing it finishes."""
    register_notify(hass, "alex_phone")
    assert set(errors.values()) <= CONFIG_ERRORS
    result = await start_user_flow(hass)
    bad = couple_input(**changes)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], bad)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == errors
    # The form comes back with what was typed.
    for key, value in bad.items():
        marker, _ = field(result, key)
        assert marker.description == {"suggested_value": value}
    assert hass.config_entries.async_entries(DOMAIN) == []

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], couple_input(**{CONF_NOTIFY_A: "notify.alex_phone"})
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_NOTIFY_A] == "notify.alex_phone"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_same_couple_in_the_other_order_is_refused(hass: HomeAssistant, couple: None) -> None:
    """Alex & Sam and Sam & Alex are one couple."""
    couple_entry().add_to_hass(hass)
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], couple_input(**{CONF_PARTNER_A: SAM, CONF_PARTNER_B: ALEX})
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


# --- reconfigure -------------------------------------------------------------------------


async def test_reconfigure_changes_the_couple_and_reloads(hass: HomeAssistant, setup_entry) -> None:
    """New data is stored, empty optionals dropped, and the entry is loaded again."""
    register_notify(hass, "sam_phone")
    set_person(hass, ROBIN, "home")
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    engine_before = entry.runtime_data

    result = await start_reconfigure_flow(hass, entry.entry_id)
    # The form shows the current setup.
    assert field(result, CONF_PARTNER_A)[0].default() == ALEX
    assert field(result, CONF_PARTNER_B)[0].default() == SAM
    assert field(result, CONF_DEVICES_A)[0].description == {"suggested_value": [ALEX_PHONE_IN_USE]}
    assert field(result, CONF_NOTIFY_A)[0].description is None
    assert field(result, CONF_DAY_BOUNDARY)[0].default() == "04:00:00"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_PARTNER_A: ALEX,
            CONF_PARTNER_B: ROBIN,
            CONF_NOTIFY_B: "notify.sam_phone",
            CONF_DEVICES_A: [],
            CONF_DAY_BOUNDARY: "03:00:00",
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()

    assert entry.data == {
        CONF_PARTNER_A: ALEX,
        CONF_PARTNER_B: ROBIN,
        CONF_NOTIFY_B: "notify.sam_phone",
        CONF_DAY_BOUNDARY: "03:00:00",
    }
    assert entry.title == "Alex & Robin"
    assert entry.unique_id == f"{ALEX}|{ROBIN}"
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data is not engine_before  # reloaded
    assert len(entry.subentries) == 1  # rituals are kept
    assert hass.states.get("binary_sensor.reunion_active").state == "off"


async def test_reconfigure_keeping_the_couple(hass: HomeAssistant, setup_entry) -> None:
    """The same pair (in either order) is not a duplicate of itself."""
    entry = await setup_entry(couple_entry())
    result = await start_reconfigure_flow(hass, entry.entry_id)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        couple_input(**{CONF_PARTNER_A: SAM, CONF_PARTNER_B: ALEX, CONF_DAY_BOUNDARY: "05:00:00"}),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.data[CONF_DAY_BOUNDARY] == "05:00:00"
    assert entry.data[CONF_PARTNER_A] == SAM
    assert entry.title == "Sam & Alex"
    assert entry.unique_id == f"{ALEX}|{SAM}"
    assert entry.state is ConfigEntryState.LOADED


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({CONF_PARTNER_B: ALEX}, {CONF_PARTNER_B: "same_person"}),
        ({CONF_PARTNER_B: "person.nobody"}, {CONF_PARTNER_B: "person_not_found"}),
        ({CONF_NOTIFY_A: "notify.missing_phone"}, {CONF_NOTIFY_A: "notify_not_found"}),
    ],
)
async def test_reconfigure_errors(
    hass: HomeAssistant, setup_entry, changes: dict[str, Any], errors: dict[str, str]
) -> None:
    """Mistakes are shown with the typed values; nothing changes until they are fixed."""
    entry = await setup_entry(couple_entry())
    data_before = dict(entry.data)
    result = await start_reconfigure_flow(hass, entry.entry_id)
    bad = couple_input(**changes)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], bad)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == errors
    assert field(result, CONF_PARTNER_B)[0].default() == bad[CONF_PARTNER_B]
    await hass.async_block_till_done()
    assert dict(entry.data) == data_before

    result = await hass.config_entries.flow.async_configure(result["flow_id"], couple_input())
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"


async def test_reconfigure_to_another_entrys_couple_aborts(
    hass: HomeAssistant, setup_entry
) -> None:
    """A couple that another entry already has is refused; the entry stays as it was."""
    set_person(hass, ROBIN, "home")
    entry = await setup_entry(couple_entry())
    MockConfigEntry(
        domain=DOMAIN,
        title="Alex & Robin",
        unique_id=f"{ALEX}|{ROBIN}",
        data={CONF_PARTNER_A: ALEX, CONF_PARTNER_B: ROBIN},
    ).add_to_hass(hass)
    data_before = dict(entry.data)

    result = await start_reconfigure_flow(hass, entry.entry_id)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], couple_input(**{CONF_PARTNER_A: ROBIN, CONF_PARTNER_B: ALEX})
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    await hass.async_block_till_done()
    assert dict(entry.data) == data_before
    assert entry.unique_id == f"{ALEX}|{SAM}"
    assert entry.title == "Alex & Sam"
    assert entry.state is ConfigEntryState.LOADED


# --- options -----------------------------------------------------------------------------


async def test_options_are_stored_and_applied(hass: HomeAssistant, setup_entry) -> None:
    """Grace days reach the engine (there is no skip allowance to set); hiding streaks removes the streak sensors."""
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    assert hass.states.get("sensor.reunion_streak") is not None
    assert hass.states.get("sensor.alex_sam_connection_streak") is not None

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert field(result, CONF_GRACE_DAYS)[0].default() == 1
    assert CONF_SKIPS_PER_WEEK not in {str(key) for key in result["data_schema"].schema}
    assert field(result, CONF_HIDE_STREAKS)[0].default() is False

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_GRACE_DAYS: 2,
            CONF_HIDE_STREAKS: True,
            "quiet_start": "22:00:00",
            "quiet_end": "07:00:00",
            "daily_cap": 3.0,
            "snooze_minutes": 15.0,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()

    assert entry.options == {
        CONF_GRACE_DAYS: 2,
        CONF_HIDE_STREAKS: True,
        "quiet_start": "22:00:00",
        "quiet_end": "07:00:00",
        "daily_cap": 3,
        "snooze_minutes": 15,
        "store_replies": False,
        "idea_feedback": False,
        "reading_minutes": 0,  # as the entry had it (conftest's couple)
        # The weekly digest stays off unless turned on.
        "digest_enabled": False,
        "digest_weekday": "sun",
        "digest_time": "19:00:00",
    }
    assert type(entry.options["daily_cap"]) is int
    assert type(entry.options[CONF_GRACE_DAYS]) is int
    assert entry.state is ConfigEntryState.LOADED
    engine = entry.runtime_data
    assert engine.rules.grace_days_per_week == 2
    assert engine.snooze_minutes == 15
    assert engine.notifier.daily_cap == 3
    assert str(engine.notifier.quiet_start) == "22:00:00"

    # Pressure-free: no live figure sensors any more (see the next test for their registry
    # entries): no streaks, counts, rates or ratio.
    for entity_id in (
        "sensor.reunion_streak",
        "sensor.reunion_best_streak",
        "sensor.alex_sam_connection_streak",
        "sensor.reunion_completions",
        "sensor.reunion_completion_rate_30_days",
    ):
        current = hass.states.get(entity_id)
        assert current is None or current.state == "unavailable", entity_id
    # What is not a figure stays.
    assert hass.states.get("sensor.reunion_last_completed") is not None
    assert hass.states.get("binary_sensor.reunion_active").state == "off"

    # The form shows the stored options next time; turning streaks back on restores them.
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert field(result, CONF_GRACE_DAYS)[0].default() == 2
    assert field(result, CONF_HIDE_STREAKS)[0].default() is True
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_GRACE_DAYS: 1, CONF_HIDE_STREAKS: False},
    )
    await hass.async_block_till_done()
    assert hass.states.get("sensor.reunion_streak").state == "0"
    assert hass.states.get("sensor.alex_sam_connection_streak").state == "0"


async def test_hiding_streaks_removes_their_entities(hass: HomeAssistant, setup_entry) -> None:
    """Turning on the pressure-free option leaves no streak entity behind."""
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    hass.config_entries.async_update_entry(entry, options={CONF_HIDE_STREAKS: True})
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    registry = er.async_get(hass)
    left = {
        entity.entity_id
        for entity in er.async_entries_for_config_entry(registry, entry.entry_id)
        if entity.translation_key in ("streak", "best_streak", "connection_streak")
    }
    assert left == set()
    assert hass.states.get("sensor.reunion_streak") is None


async def test_hidden_streaks_are_never_created(hass: HomeAssistant, setup_entry) -> None:
    """An entry set up with hidden streaks has no streak entities at all."""
    entry = await setup_entry(
        couple_entry(ritual_subentry(RitualKind.REUNION), options={CONF_HIDE_STREAKS: True})
    )
    registry = er.async_get(hass)
    keys = {
        entity.unique_id.removeprefix(f"{entity.config_subentry_id or entry.entry_id}_")
        for entity in er.async_entries_for_config_entry(registry, entry.entry_id)
    }
    assert "streak" not in keys
    assert "best_streak" not in keys
    assert "connection_streak" not in keys
    # Pressure-free hides every figure, not only the streaks.
    figures = {"completions", "completion_rate", "positive_ratio"}
    figures |= {f"initiative_share_{partner}" for partner in ("a", "b")}
    assert not figures & keys
    assert {"last_completed", "next_ritual", "active"} <= keys
    assert hass.states.get("sensor.reunion_streak") is None


# --- ritual subentries: add --------------------------------------------------------------

# What each kind stores when the user keeps the pre-filled form and only renames it,
# narrows the days (in any order) and, where it has one, changes the window.
EXPECTED_RITUALS: dict[RitualKind, dict[str, Any]] = {
    RitualKind.REUNION: {
        "kind": "reunion",
        "window_minutes": 12,
        "min_away_minutes": 15,
        "active_start": "06:00:00",
        "active_end": "23:00:00",
        "prompted": "both",
        "prompt_mode": "surprise",
        "dnd": False,
        "brightness": 30,
        "transition": 2.0,
    },
    RitualKind.DEPARTURE: {
        "kind": "departure",
        "window_minutes": 12,
        "min_away_minutes": 15,
        "active_start": "05:00:00",
        "active_end": "22:00:00",
        "prompted": "at_home",
        "prompt_mode": "surprise",
        "brightness": 30,
        "transition": 2.0,
    },
    RitualKind.MORNING: {
        "kind": "morning",
        "trigger_type": "time",
        "trigger_time": "07:30:00",
        "window_minutes": 12,
        "active_start": "05:00:00",
        "active_end": "12:00:00",
        "prompted": "both",
        "prompt_mode": "surprise",
        "brightness": 30,
        "transition": 2.0,
        "adapt_rhythm": False,
        "adapt_minutes": 15,
    },
    RitualKind.BEDTIME: {
        "kind": "bedtime",
        "trigger_type": "time",
        "trigger_time": "22:30:00",
        "window_minutes": 12,
        "active_start": "20:00:00",
        "active_end": "03:00:00",
        "prompted": "both",
        "completion": "either",
        "reply": True,
        "prompt_mode": "surprise",
        "brightness": 30,
        "transition": 2.0,
        "adapt_rhythm": False,
        "adapt_minutes": 15,
    },
    RitualKind.APART: {
        "kind": "apart",
        "apart_hours": 2.5,
        "window_minutes": 0,
        "active_start": "08:00:00",
        "active_end": "21:00:00",
        "prompted": "alternate",
        "prompt_mode": "surprise",
        "brightness": 30,
        "transition": 2.0,
    },
    RitualKind.CUSTOM: {
        "kind": "custom",
        "trigger_type": "time",
        "trigger_time": "19:00:00",
        "presence": "both_home",
        "window_minutes": 12,
        "active_start": "00:00:00",
        "active_end": "00:00:00",
        "prompted": "both",
        "prompt_mode": "surprise",
        "brightness": 30,
        "transition": 2.0,
    },
}


@pytest.mark.parametrize("kind", list(RitualKind))
async def test_add_ritual_of_every_kind(hass: HomeAssistant, setup_entry, kind: RitualKind) -> None:
    """Kind first, then the tuned ritual; stored with plain types, days in week order."""
    entry = await setup_entry(couple_entry())
    result = await start_ritual_flow(hass, entry.entry_id, kind.value)
    values = prefilled(result)
    values[CONF_NAME] = "  Our little thing "
    values[CONF_ACTIVE_DAYS] = ["sun", "wed", "mon"]
    if kind is RitualKind.APART:
        values["apart_hours"] = 2.5
    else:
        values[CONF_WINDOW_MINUTES] = 12
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], values)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Our little thing"
    expected = {
        "name": "Our little thing",
        "active_days": ["mon", "wed", "sun"],
        **EXPECTED_RITUALS[kind],
    }
    assert result["data"] == expected
    subentry = subentry_named(entry, "Our little thing")
    assert subentry.subentry_type == SUBENTRY_TYPE_RITUAL
    assert dict(subentry.data) == expected
    for key, value in subentry.data.items():
        # Plain JSON types: no StrEnum, no float minutes.
        assert type(value) in (str, int, float, list, bool), key
        if key.endswith("_minutes"):
            assert type(value) is int, key
    if kind is RitualKind.APART:
        assert type(subentry.data["apart_hours"]) is float
    assert entry.state is ConfigEntryState.LOADED


@pytest.mark.parametrize(
    ("language", "kind", "suggested"),
    [
        ("en", RitualKind.REUNION, "Reunion"),
        ("en", RitualKind.BEDTIME, "Bedtime appreciation"),
        ("de", RitualKind.REUNION, "Wiedersehen"),
        ("de", RitualKind.APART, "Ich denk an dich"),
        ("fr", RitualKind.MORNING, "Bonjour"),
        ("es", RitualKind.DEPARTURE, "Despedida"),
        ("nl", RitualKind.CUSTOM, "Ons ritueel"),
        ("pt-BR", RitualKind.REUNION, "Reunion"),  # no library yet: English
    ],
)
async def test_a_new_ritual_is_named_in_the_household_language(
    hass: HomeAssistant, setup_entry, language: str, kind: RitualKind, suggested: str
) -> None:
    """The suggested name (and so the entity ids) follows Home Assistant's language."""
    hass.config.language = language
    entry = await setup_entry(couple_entry())
    result = await start_ritual_flow(hass, entry.entry_id, kind.value)
    values = prefilled(result)
    assert values[CONF_NAME] == suggested
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], values)
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert subentry_named(entry, suggested).data[CONF_NAME] == suggested


async def test_add_ritual_with_state_trigger_and_own_text(hass: HomeAssistant, setup_entry) -> None:
    """A state-started morning ritual with the couple's own words, trimmed."""
    entry = await setup_entry(couple_entry())
    result = await start_ritual_flow(hass, entry.entry_id, RitualKind.MORNING.value)
    values = prefilled(result)
    values.pop(CONF_TRIGGER_TIME)
    values.update(
        {
            CONF_TRIGGER_TYPE: "state",
            CONF_TRIGGER_ENTITY: ALEX_PHONE_IN_USE,
            CONF_TRIGGER_STATE: " on ",
            CONF_PROMPT_MODE: "own",
            CONF_PROMPT_TEXT: "  Coffee together?  ",
        }
    )
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], values)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_TRIGGER_TYPE] == "state"
    assert result["data"][CONF_TRIGGER_ENTITY] == ALEX_PHONE_IN_USE
    assert result["data"][CONF_TRIGGER_STATE] == "on"
    assert result["data"][CONF_PROMPT_TEXT] == "Coffee together?"
    assert result["data"][CONF_PROMPT_MODE] == "own"


async def test_ritual_form_fields_per_kind(hass: HomeAssistant, setup_entry) -> None:
    """Each kind's form asks only what matters for it."""
    entry = await setup_entry(couple_entry())
    fields = {}
    for kind in RitualKind:
        result = await start_ritual_flow(hass, entry.entry_id, kind.value)
        fields[kind] = [str(marker) for marker in result["data_schema"].schema]
        hass.config_entries.subentries.async_abort(result["flow_id"])
    common_tail = ["active_days", "active_start", "active_end", "prompted"]
    start_actions = ["scene", "lights", "brightness", "transition"]
    trigger = ["trigger_type", "trigger_time", "trigger_entity", "trigger_state"]
    assert fields[RitualKind.REUNION] == [
        "name",
        "window_minutes",
        "min_away_minutes",
        *common_tail,
        "dnd",
        # The reunion's optional cues: on the way home, the house saying the prompt.
        "arrival_proximity",
        "arrival_zone",
        "house_satellite",
        "house_media_player",
        "house_tts",
        "prompt_mode",
        "prompt_text",
        *start_actions,
    ]
    cues = {"dnd", "arrival_proximity", "arrival_zone", "house_satellite"}
    cues |= {"house_media_player", "house_tts"}
    assert fields[RitualKind.DEPARTURE] == [f for f in fields[RitualKind.REUNION] if f not in cues]
    assert fields[RitualKind.MORNING] == [
        "name",
        *trigger,
        "window_minutes",
        *common_tail,
        "prompt_mode",
        "prompt_text",
        *start_actions,
        "adapt_rhythm",
        "adapt_minutes",
    ]
    assert fields[RitualKind.BEDTIME] == [
        "name",
        *trigger,
        "window_minutes",
        *common_tail,
        "completion",
        "reply",
        "prompt_mode",
        "prompt_text",
        *start_actions,
        "sleep_entity",
        "adapt_rhythm",
        "adapt_minutes",
    ]
    assert fields[RitualKind.APART] == [
        "name",
        "apart_hours",
        *common_tail,
        "prompt_mode",
        "prompt_text",
        *start_actions,
    ]
    assert fields[RitualKind.CUSTOM] == [
        "name",
        *trigger,
        "presence",
        "window_minutes",
        *common_tail,
        "prompt_mode",
        "prompt_text",
        *start_actions,
    ]


@pytest.mark.parametrize(
    ("kind", "changes", "errors"),
    [
        (RitualKind.REUNION, {CONF_NAME: "   "}, {CONF_NAME: "name_required"}),
        (RitualKind.DEPARTURE, {CONF_NAME: " reUNION "}, {CONF_NAME: "name_exists"}),
        (
            RitualKind.MORNING,
            {CONF_TRIGGER_TYPE: "state", CONF_TRIGGER_STATE: "off"},
            {CONF_TRIGGER_ENTITY: "trigger_entity_required"},
        ),
        (
            RitualKind.BEDTIME,
            {
                CONF_TRIGGER_TYPE: "state",
                CONF_TRIGGER_ENTITY: "light.nowhere",
                CONF_TRIGGER_STATE: "off",
            },
            {CONF_TRIGGER_ENTITY: "entity_not_found"},
        ),
        (
            RitualKind.CUSTOM,
            {
                CONF_TRIGGER_TYPE: "state",
                CONF_TRIGGER_ENTITY: ALEX_PHONE_IN_USE,
                CONF_TRIGGER_STATE: "  ",
            },
            {CONF_TRIGGER_STATE: "trigger_state_required"},
        ),
        (
            RitualKind.MORNING,
            {CONF_TRIGGER_TYPE: "state"},
            {
                CONF_TRIGGER_ENTITY: "trigger_entity_required",
                CONF_TRIGGER_STATE: "trigger_state_required",
            },
        ),
        (RitualKind.APART, {CONF_ACTIVE_DAYS: []}, {CONF_ACTIVE_DAYS: "no_active_days"}),
        (
            RitualKind.BEDTIME,
            {CONF_PROMPT_MODE: "own", CONF_PROMPT_TEXT: "   "},
            {CONF_PROMPT_TEXT: "prompt_text_required"},
        ),
        (
            RitualKind.REUNION,
            {CONF_NAME: "", CONF_PROMPT_MODE: "own", CONF_ACTIVE_DAYS: []},
            {
                CONF_NAME: "name_required",
                CONF_PROMPT_TEXT: "prompt_text_required",
                CONF_ACTIVE_DAYS: "no_active_days",
            },
        ),
    ],
)
async def test_add_ritual_errors_then_recovery(
    hass: HomeAssistant,
    setup_entry,
    kind: RitualKind,
    changes: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Each mistake is named on its field; fixing it adds the ritual."""
    assert set(errors.values()) <= RITUAL_ERRORS
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    result = await start_ritual_flow(hass, entry.entry_id, kind.value)
    values = {**prefilled(result), CONF_NAME: "New ritual", **changes}
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], values)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "ritual"
    assert result["errors"] == errors
    # The form comes back with what was typed.
    if changes.get(CONF_NAME):
        assert field(result, CONF_NAME)[0].default() == changes[CONF_NAME]
    assert len(entry.subentries) == 1

    fixed = {**prefilled(result), CONF_NAME: "New ritual", CONF_ACTIVE_DAYS: ["sat"]}
    if fixed.get(CONF_TRIGGER_TYPE) == "state":
        fixed[CONF_TRIGGER_ENTITY] = ALEX_PHONE_IN_USE
        fixed[CONF_TRIGGER_STATE] = "on"
    if fixed[CONF_PROMPT_MODE] == "own":
        fixed[CONF_PROMPT_TEXT] = "Tell each other one good thing."
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], fixed)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert len(entry.subentries) == 2
    assert subentry_named(entry, "New ritual").data[CONF_ACTIVE_DAYS] == ["sat"]


async def test_new_ritual_takes_effect_without_restart(hass: HomeAssistant, setup_entry) -> None:
    """Adding a ritual to a loaded entry creates its device and entities at once."""
    entry = await setup_entry(couple_entry())
    assert hass.states.get("binary_sensor.welcome_home_active") is None

    result = await start_ritual_flow(hass, entry.entry_id, RitualKind.REUNION.value)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**prefilled(result), CONF_NAME: "Welcome home"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    subentry = subentry_named(entry, "Welcome home")
    assert hass.states.get("binary_sensor.welcome_home_active").state == "off"
    assert hass.states.get("switch.welcome_home_enabled").state == "on"
    device = device_by_identifier(hass, (DOMAIN, subentry.subentry_id))
    assert device is not None
    assert device.name == "Welcome home"
    assert device_subentries(device) == {entry.entry_id: {subentry.subentry_id}}
    entity = er.async_get(hass).async_get("binary_sensor.welcome_home_active")
    assert entity.config_subentry_id == subentry.subentry_id
    assert entity.device_id == device.id


# --- ritual subentries: reconfigure and remove -------------------------------------------


async def test_reconfigure_ritual(hass: HomeAssistant, setup_entry) -> None:
    """Changes apply after a reload; the ritual keeps its own name; a rename shows."""
    entry = await setup_entry(
        couple_entry(ritual_subentry(RitualKind.REUNION), ritual_subentry(RitualKind.BEDTIME))
    )
    reunion = subentry_named(entry, "Reunion")
    engine_before = entry.runtime_data

    result = await start_ritual_reconfigure(hass, entry.entry_id, reunion.subentry_id)
    assert result["description_placeholders"] == {"kind": "reunion", "rhythm": ""}
    assert field(result, CONF_NAME)[0].default() == "Reunion"
    assert field(result, CONF_WINDOW_MINUTES)[0].default() == 10
    # Unchanged name of the same ritual is fine.
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**prefilled(result), CONF_WINDOW_MINUTES: 20}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert reunion.data[CONF_WINDOW_MINUTES] == 20
    assert type(reunion.data[CONF_WINDOW_MINUTES]) is int
    assert reunion.data[CONF_KIND] == "reunion"
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data is not engine_before
    assert entry.runtime_data.rituals[reunion.subentry_id].config.window_minutes == 20

    # A rename shows on the device and in the entities' names (their ids stay).
    result = await start_ritual_reconfigure(hass, entry.entry_id, reunion.subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**prefilled(result), CONF_NAME: "Welcome home"}
    )
    assert result["type"] is FlowResultType.ABORT
    await hass.async_block_till_done()
    assert reunion.title == "Welcome home"
    assert reunion.data[CONF_NAME] == "Welcome home"
    device = device_by_identifier(hass, (DOMAIN, reunion.subentry_id))
    assert device.name == "Welcome home"
    active = hass.states.get("binary_sensor.reunion_active")
    assert active.attributes["friendly_name"] == "Welcome home Active"
    assert len(entry.subentries) == 2


async def test_reconfigure_ritual_errors(hass: HomeAssistant, setup_entry) -> None:
    """Another ritual's name, a cleared time and a cleared own text are refused."""
    entry = await setup_entry(
        couple_entry(
            ritual_subentry(RitualKind.REUNION),
            ritual_subentry(
                RitualKind.BEDTIME, prompt_mode="own", prompt_text="One thing I loved today"
            ),
        )
    )
    bedtime = subentry_named(entry, "Bedtime appreciation")
    data_before = dict(bedtime.data)

    result = await start_ritual_reconfigure(hass, entry.entry_id, bedtime.subentry_id)
    assert result["description_placeholders"] == {"kind": "bedtime", "rhythm": ""}
    values = prefilled(result)
    assert values[CONF_TRIGGER_TIME] == "22:30:00"
    assert values[CONF_PROMPT_TEXT] == "One thing I loved today"
    # Empty optional fields are not sent by the frontend.
    del values[CONF_TRIGGER_TIME]
    del values[CONF_PROMPT_TEXT]
    values[CONF_NAME] = "REUNION"
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], values)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {
        CONF_NAME: "name_exists",
        CONF_TRIGGER_TIME: "trigger_time_required",
        CONF_PROMPT_TEXT: "prompt_text_required",
    }
    assert set(result["errors"].values()) <= RITUAL_ERRORS
    assert dict(bedtime.data) == data_before

    # Switch to a state trigger and to surprise prompts: the cleared fields are gone.
    values = {
        **prefilled(result),
        CONF_NAME: "Bedtime appreciation",
        CONF_TRIGGER_TYPE: "state",
        CONF_TRIGGER_ENTITY: SAM_TV,
        CONF_TRIGGER_STATE: "off",
        CONF_PROMPT_MODE: "surprise",
    }
    values.pop(CONF_TRIGGER_TIME, None)
    values.pop(CONF_PROMPT_TEXT, None)
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], values)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert CONF_TRIGGER_TIME not in bedtime.data
    assert CONF_PROMPT_TEXT not in bedtime.data
    assert bedtime.data[CONF_TRIGGER_ENTITY] == SAM_TV
    assert entry.state is ConfigEntryState.LOADED


async def test_remove_ritual(hass: HomeAssistant, setup_entry) -> None:
    """Removing a ritual removes its device and entities; the other ritual stays."""
    entry = await setup_entry(
        couple_entry(ritual_subentry(RitualKind.REUNION), ritual_subentry(RitualKind.BEDTIME))
    )
    reunion = subentry_named(entry, "Reunion")
    bedtime = subentry_named(entry, "Bedtime appreciation")
    entities = er.async_get(hass)
    reunion_entities = [
        entity.entity_id
        for entity in er.async_entries_for_config_entry(entities, entry.entry_id)
        if entity.config_subentry_id == reunion.subentry_id
    ]
    assert "binary_sensor.reunion_active" in reunion_entities

    assert hass.config_entries.async_remove_subentry(entry, reunion.subentry_id)
    await hass.async_block_till_done()

    assert reunion.subentry_id not in entry.subentries
    assert entry.state is ConfigEntryState.LOADED
    assert device_by_identifier(hass, (DOMAIN, reunion.subentry_id)) is None
    for entity_id in reunion_entities:
        assert entities.async_get(entity_id) is None, entity_id
        assert hass.states.get(entity_id) is None, entity_id
    assert reunion.subentry_id not in entry.runtime_data.rituals
    assert device_by_identifier(hass, (DOMAIN, bedtime.subentry_id)) is not None
    assert hass.states.get("binary_sensor.bedtime_appreciation_active").state == "off"
    # The couple's own device and entities stay.
    assert device_by_identifier(hass, (DOMAIN, entry.entry_id)) is not None
    assert hass.states.get("switch.alex_sam_vacation_mode") is not None


async def test_add_ritual_with_time_cleared_is_refused(hass: HomeAssistant, setup_entry) -> None:
    """Clearing the pre-filled time when adding a ritual does not bring the default back."""
    entry = await setup_entry(couple_entry())
    result = await start_ritual_flow(hass, entry.entry_id, RitualKind.BEDTIME)
    values = prefilled(result)
    assert values[CONF_TRIGGER_TIME] == "22:30:00"
    del values[CONF_TRIGGER_TIME]
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], values)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_TRIGGER_TIME: "trigger_time_required"}
    values[CONF_TRIGGER_TIME] = "21:45:00"
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], values)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_TRIGGER_TIME] == "21:45:00"


async def test_an_entry_with_a_skip_allowance_migrates(hass: HomeAssistant, setup_entry) -> None:
    """Entries of 1.1 had "skips per week": 1.2 drops it, since "not today" is always free;
    the other options stay as they were."""
    entry = couple_entry(
        ritual_subentry(RitualKind.REUNION),
        options={CONF_GRACE_DAYS: 2, CONF_SKIPS_PER_WEEK: 1, CONF_HIDE_STREAKS: True},
    )
    assert entry.minor_version == 1
    await setup_entry(entry)
    assert entry.state is ConfigEntryState.LOADED
    assert entry.minor_version == 2
    assert CONF_SKIPS_PER_WEEK not in entry.options
    assert entry.options[CONF_GRACE_DAYS] == 2
    assert entry.options[CONF_HIDE_STREAKS] is True


async def test_an_entry_of_a_newer_release_is_not_loaded(hass: HomeAssistant, setup_entry) -> None:
    ours = couple_entry(ritual_subentry(RitualKind.REUNION))
    entry = MockConfigEntry(
        domain=DOMAIN, title=ours.title, data=dict(ours.data), version=2, minor_version=1
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.MIGRATION_ERROR
