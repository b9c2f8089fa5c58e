"""Less travelled paths of the engine: prompts, flapping devices, apart timers, restarts."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant

from custom_components.connection_rituals.const import (
    PARTNER_A,
    PARTNER_B,
    Prompted,
    RitualKind,
)

from .conftest import ALEX, ALEX_PHONE_IN_USE, SAM, couple_entry, ritual_subentry, set_person
from .helpers import move_to, state, tick


def engine_of(entry: Any) -> Any:
    return entry.runtime_data


async def test_who_is_prompted(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """Both, the actor, the partner at home, and a fair rotation that survives restarts."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = await setup_entry(
        couple_entry(
            ritual_subentry(RitualKind.REUNION, name="Both"),
            ritual_subentry(RitualKind.REUNION, name="Actor", prompted=Prompted.ACTOR),
            ritual_subentry(RitualKind.DEPARTURE, name="Home", prompted=Prompted.AT_HOME),
            ritual_subentry(RitualKind.CUSTOM, name="Turns", prompted=Prompted.ALTERNATE),
        )
    )
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    engine = engine_of(entry)
    by_name = {r.config.name: r for r in engine.rituals.values()}
    assert engine.prompted_partners(by_name["Both"], by_name["Both"].state.occurrence) == [
        PARTNER_A,
        PARTNER_B,
    ]
    assert engine.prompted_partners(by_name["Actor"], by_name["Actor"].state.occurrence) == [
        PARTNER_B
    ]
    set_person(hass, SAM, "not_home")
    await hass.async_block_till_done()
    departure = by_name["Home"].state.occurrence
    assert engine.prompted_partners(by_name["Home"], departure) == [PARTNER_A]

    turns = by_name["Turns"]
    seen = []
    for _ in range(3):
        occurrence = engine.attempt_start(turns, manual=True)
        seen.append(engine.prompted_partners(turns, occurrence))
        engine.complete(turns)
    assert seen == [[PARTNER_A], [PARTNER_B], [PARTNER_A]]
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    turns = next(r for r in engine_of(entry).rituals.values() if r.config.name == "Turns")
    occurrence = engine_of(entry).attempt_start(turns, manual=True)
    assert engine_of(entry).prompted_partners(turns, occurrence) == [PARTNER_B]


async def test_device_noise_outside_reunions_is_ignored(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """Screens going on with no reunion, staying on, or vanishing change nothing."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    hass.states.async_set(ALEX_PHONE_IN_USE, "on")
    await hass.async_block_till_done()
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    # Already on before the reunion: on → on is no new use.
    hass.states.async_set(ALEX_PHONE_IN_USE, "on", {"changed": True})
    hass.states.async_remove(ALEX_PHONE_IN_USE)
    await hass.async_block_till_done()
    assert state(hass, "binary_sensor.reunion_active") == "on"
    await tick(hass, freezer, minutes=10)
    assert state(hass, "sensor.reunion_streak") == "1"


async def test_person_removed_is_ignored(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """A partner's person entity disappearing starts and ends nothing."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    hass.states.async_remove(SAM)
    await hass.async_block_till_done()
    assert state(hass, "binary_sensor.reunion_active") == "off"


async def test_apart_timer_cancelled_when_together_again(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """Apart for two hours only: the thinking-of-you ritual never starts."""
    await move_to(hass, freezer, "2026-11-16 09:00:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.APART)))
    await tick(hass, freezer, hours=2)
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    await tick(hass, freezer, hours=3)
    assert state(hass, "binary_sensor.thinking_of_you_active") == "off"


async def test_apart_stretch_already_due_after_restart(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """Apart since morning, Home Assistant back at 14:00: the ritual starts at once."""
    await move_to(hass, freezer, "2026-11-16 09:00:00-08:00")
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.APART)))
    await tick(hass, freezer, seconds=20)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await move_to(hass, freezer, "2026-11-16 14:00:00-08:00")
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, "binary_sensor.thinking_of_you_active") == "on"
    # Open-ended; a restart the next day closes it for its own day.
    assert await hass.config_entries.async_unload(entry.entry_id)
    await move_to(hass, freezer, "2026-11-17 09:00:00-08:00")
    set_person(hass, SAM, "home")
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, "binary_sensor.thinking_of_you_active") == "off"
    assert state(hass, "sensor.thinking_of_you_completion_rate_30_days") == "0.0"


async def test_engine_guards(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """Snoozing or finishing nothing is harmless; skipping an apart ritual cancels its timer."""
    await move_to(hass, freezer, "2026-11-16 09:00:00-08:00")
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.APART)))
    engine = engine_of(entry)
    (ritual,) = engine.rituals.values()
    apart_timer = (ritual.config.ritual_id, "apart")
    assert engine.timers.pending(apart_timer)
    engine.snooze(ritual, 10)
    engine.new_day()  # no open-ended occurrence of an earlier day to finish
    engine.skip(ritual)
    assert state(hass, "binary_sensor.thinking_of_you_active") == "off"
    engine.attempt_start(ritual, manual=True)
    engine.skip(ritual, PARTNER_A)
    assert not engine.timers.pending(apart_timer)
    set_person(hass, ALEX, "Work")
    await hass.async_block_till_done()
