"""Rhythms in Home Assistant: adapted start times, the usual-arrival sensors, forgetting,
diagnostics rounded to 15 minutes, the workday sensor and the signals a couple has."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_RECONFIGURE
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.connection_rituals.const import (
    CONF_ADAPT_MINUTES,
    CONF_ADAPT_RHYTHM,
    CONF_LIGHTS,
    CONF_PHONE_A,
    CONF_SLEEP_ENTITY,
    CONF_TRIGGER_ENTITY,
    CONF_TRIGGER_STATE,
    CONF_TRIGGER_TYPE,
    CONF_WORKDAY_ENTITY,
    DOMAIN,
    SUBENTRY_TYPE_RITUAL,
    RitualKind,
)
from custom_components.connection_rituals.core.rhythms import DayKind, Signal
from custom_components.connection_rituals.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.connection_rituals.rhythms import RhythmLearner, learner_of

from .conftest import couple_entry, ritual_subentry
from .helpers import move_to

NOW = "2026-11-16 12:00:00-08:00"  # a Monday


def _stored(days: int, minutes: int, signal: Signal = Signal.LIGHTS_OUT) -> dict[str, Any]:
    today = date(2026, 11, 16)
    rows = [
        [
            (day := today - timedelta(days=n)).toordinal(),
            minutes + (n % 3) - 1,
            int(day.weekday() < 5),
        ]
        for n in range(1, days + 1)
    ]
    return {"imported": True, "signals": {signal.value: rows}}


def _seed(hass_storage: dict[str, Any], entry: MockConfigEntry, data: dict[str, Any]) -> None:
    hass_storage[f"{DOMAIN}.rhythms.{entry.entry_id}"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.rhythms.{entry.entry_id}",
        "data": data,
    }


def _bedtime(**overrides: Any) -> MockConfigEntry:
    return couple_entry(
        ritual_subentry(RitualKind.BEDTIME, **{CONF_LIGHTS: ["light.bedroom"], **overrides})
    )


def _timestamp(hass: HomeAssistant, entity_id: str) -> datetime | None:
    state = hass.states.get(entity_id)
    assert state is not None
    return dt_util.parse_datetime(state.state)


async def _start(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_entry: Any,
    hass_storage: dict[str, Any],
    entry: MockConfigEntry,
    data: dict[str, Any],
) -> None:
    """At NOW, with what a learner stored before."""
    await move_to(hass, freezer, NOW)
    _seed(hass_storage, entry, data)
    await setup_entry(entry)


def _learner(entry: MockConfigEntry) -> RhythmLearner:
    learner = learner_of(entry)
    assert learner is not None
    return learner


async def test_adapted_bedtime_moves_the_next_ritual(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, hass_storage
) -> None:
    """Adapting: 20 minutes before the learned 23:10 on workdays; the sensor shows it."""
    entry = _bedtime(**{CONF_ADAPT_RHYTHM: True, CONF_ADAPT_MINUTES: 20})
    await _start(hass, freezer, setup_entry, hass_storage, entry, _stored(30, 23 * 60 + 10))
    assert _timestamp(hass, "sensor.alex_sam_next_ritual") == datetime.fromisoformat(
        "2026-11-16 22:50:00-08:00"
    )
    # The ritual starts then (both at home).
    hass.states.async_set("person.sam", "home")
    await move_to(hass, freezer, "2026-11-16 22:50:01-08:00")
    assert entry.runtime_data.rituals[next(iter(entry.subentries))].active


async def test_without_a_rhythm_the_configured_time_stays(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, hass_storage
) -> None:
    entry = _bedtime(**{CONF_ADAPT_RHYTHM: True})
    await _start(hass, freezer, setup_entry, hass_storage, entry, _stored(5, 23 * 60 + 10))
    assert _timestamp(hass, "sensor.alex_sam_next_ritual") == datetime.fromisoformat(
        "2026-11-16 22:30:00-08:00"
    )


async def test_forgetting_by_button_and_action(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, hass_storage
) -> None:
    entry = _bedtime(**{CONF_ADAPT_RHYTHM: True, CONF_ADAPT_MINUTES: 20})
    await _start(hass, freezer, setup_entry, hass_storage, entry, _stored(30, 23 * 60 + 10))
    learner = _learner(entry)
    assert learner.usual_for(Signal.LIGHTS_OUT, DayKind.WORKDAY) is not None
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.alex_sam_forget_what_was_learned"}, blocking=True
    )
    assert learner.records[Signal.LIGHTS_OUT] == []
    stored = hass_storage[f"{DOMAIN}.rhythms.{entry.entry_id}"]["data"]
    assert stored["signals"]["lights_out"] == []
    # The next ritual is back at its configured time.
    state = hass.states.get("sensor.alex_sam_next_ritual")
    assert state is not None
    assert state.state.startswith("2026-11-17T06:30:00")  # 22:30 local, in UTC

    learner.records[Signal.MORNING].extend(learner.records[Signal.LIGHTS_OUT])
    await hass.services.async_call(
        DOMAIN, "forget_rhythms", {"config_entry_id": entry.entry_id}, blocking=True
    )
    assert all(not records for records in learner.records.values())
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN, "forget_rhythms", {"config_entry_id": "nope"}, blocking=True
        )


async def test_diagnostics_round_to_fifteen_minutes(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, hass_storage
) -> None:
    entry = _bedtime()
    await _start(hass, freezer, setup_entry, hass_storage, entry, _stored(30, 23 * 60 + 7))
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    lights_out = diagnostics["rhythms"]["signals"]["lights_out"]
    assert lights_out["days"] == 30
    assert lights_out["usual"]["workday"] == {"about": "23:00", "steady": True}
    assert "23:07" not in str(diagnostics)
    assert "23:06" not in str(diagnostics)


async def test_usual_arrival_sensor(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, hass_storage
) -> None:
    """Disabled by default; once on, today's usual arrival while it is ahead."""
    entry = _bedtime()
    await _start(
        hass, freezer, setup_entry, hass_storage, entry, _stored(30, 17 * 60 + 40, Signal.ARRIVAL_A)
    )
    registry = er.async_get(hass)
    for partner in ("alex", "sam"):
        entity = registry.async_get(f"sensor.alex_sam_usual_arrival_{partner}")
        assert entity is not None
        assert entity.disabled_by is er.RegistryEntryDisabler.INTEGRATION
        assert entity.entity_category is EntityCategory.DIAGNOSTIC
        registry.async_update_entity(entity.entity_id, disabled_by=None)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert _timestamp(hass, "sensor.alex_sam_usual_arrival_alex") == datetime.fromisoformat(
        "2026-11-16 17:40:00-08:00"
    )
    sam = hass.states.get("sensor.alex_sam_usual_arrival_sam")
    assert sam is not None
    assert sam.state == "unknown"
    # After it, tomorrow's; an hourly tick brings the sensor up to date.
    await move_to(hass, freezer, "2026-11-16 19:00:00-08:00")
    assert _timestamp(hass, "sensor.alex_sam_usual_arrival_alex") == datetime.fromisoformat(
        "2026-11-17 17:40:00-08:00"
    )


async def test_fresh_learning_by_the_week(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, hass_storage
) -> None:
    """The adapted time is learned again each week, not with every new day."""
    entry = _bedtime(**{CONF_ADAPT_RHYTHM: True, CONF_ADAPT_MINUTES: 0})
    await _start(hass, freezer, setup_entry, hass_storage, entry, _stored(30, 23 * 60 + 10))
    learner = _learner(entry)
    learned_at = learner.learned_at
    await move_to(hass, freezer, "2026-11-17 12:00:00-08:00")
    assert learner.learned_at == learned_at
    await move_to(hass, freezer, "2026-11-23 13:00:00-08:00")
    assert learner.learned_at != learned_at


async def test_workday_sensor_tells_the_kind_of_day(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, hass_storage
) -> None:
    await move_to(hass, freezer, NOW)
    hass.states.async_set("binary_sensor.workday_sensor", "off")  # a holiday Monday
    entry = couple_entry(options={CONF_WORKDAY_ENTITY: "binary_sensor.workday_sensor"})
    await setup_entry(entry)
    learner = _learner(entry)
    assert learner.is_workday(date(2026, 11, 16)) is False
    assert learner.is_workday(date(2026, 11, 17)) is True  # not seen yet: Mon-Fri
    hass.states.async_set("binary_sensor.workday_sensor", "on")
    await hass.async_block_till_done()
    assert learner.is_workday(date(2026, 11, 16)) is True


async def test_the_signals_of_a_couple(hass: HomeAssistant, setup_entry) -> None:
    """Bedtime and morning rituals' lights, a state trigger, a sleep entity and the
    phones' charging state; reunions give none."""
    entry = couple_entry(
        ritual_subentry(
            RitualKind.BEDTIME,
            **{
                CONF_LIGHTS: ["light.bedroom"],
                CONF_SLEEP_ENTITY: "input_boolean.sleeping",
                CONF_TRIGGER_TYPE: "state",
                CONF_TRIGGER_ENTITY: "switch.bed_lamp",
                CONF_TRIGGER_STATE: "off",
            },
        ),
        ritual_subentry(RitualKind.MORNING, **{CONF_TRIGGER_ENTITY: "light.kitchen"}),
        ritual_subentry(RitualKind.REUNION, **{CONF_LIGHTS: ["light.hall"]}),
    )
    entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={("mobile_app", "alex-phone")}
    )
    registry = er.async_get(hass)
    registry.async_get_or_create(
        "sensor",
        "mobile_app",
        "alex-battery-state",
        device_id=device.id,
        suggested_object_id="alex_phone_battery_state",
    )
    registry.async_get_or_create(
        "sensor",
        "mobile_app",
        "alex-battery-level",
        device_id=device.id,
        suggested_object_id="alex_phone_battery_level",
    )
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_PHONE_A: device.id})
    await setup_entry(entry)
    night = _learner(entry).watched.night
    assert night == {
        "light.bedroom": frozenset({"off"}),
        "input_boolean.sleeping": frozenset({"on"}),
        "switch.bed_lamp": frozenset({"off"}),
        "light.kitchen": frozenset({"off"}),
        "sensor.alex_phone_battery_state": frozenset({"charging", "full"}),
    }


async def test_reconfiguring_shows_the_usual_time_and_keeps_the_own(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, hass_storage
) -> None:
    entry = couple_entry(ritual_subentry(RitualKind.MORNING))
    await _start(
        hass, freezer, setup_entry, hass_storage, entry, _stored(30, 6 * 60 + 45, Signal.MORNING)
    )
    (subentry_id,) = entry.subentries
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_TYPE_RITUAL),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )
    assert result["description_placeholders"]["rhythm"] == (
        "\n\nThe first light usually goes on around 06:45 on workdays."
    )
    (marker,) = (m for m in result["data_schema"].schema if str(m) == "trigger_time")
    assert marker.description["suggested_value"] == "07:30:00"
    hass.config_entries.subentries.async_abort(result["flow_id"])


async def test_nothing_is_kept_after_removal(
    hass: HomeAssistant, setup_entry, hass_storage
) -> None:
    entry = await setup_entry(_bedtime())
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert f"{DOMAIN}.rhythms.{entry.entry_id}" in hass_storage
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert f"{DOMAIN}.rhythms.{entry.entry_id}" not in hass_storage
