"""The 5:1 ratio, initiative balance, diagnostics and logbook entries."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from syrupy.assertion import SnapshotAssertion

from custom_components.connection_rituals.const import DOMAIN, PromptMode, RitualKind
from custom_components.connection_rituals.diagnostics import async_get_config_entry_diagnostics
from custom_components.connection_rituals.logbook import (
    async_describe_events,
    describe_ritual_event,
)

from .conftest import ALEX, SAM, couple_entry, ritual_subentry, set_person
from .helpers import move_to, ritual_device, state, tick

RATIO = "sensor.alex_sam_positive_moments_7_days"


async def log(hass: HomeAssistant, entry_id: str, **data: Any) -> None:
    await hass.services.async_call(
        DOMAIN, "log_interaction", {"config_entry_id": entry_id, **data}, blocking=True
    )


async def test_positive_ratio_counts_rituals_and_logged_moments(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """Completed rituals and positives against negatives over the last seven days."""
    await move_to(hass, freezer, "2026-11-16 12:00:00-08:00")
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.BEDTIME)))
    assert state(hass, RATIO) == "0.0"
    device = ritual_device(hass, "Bedtime appreciation")
    await hass.services.async_call(DOMAIN, "complete", {"ritual": device}, blocking=True)
    await log(hass, entry.entry_id, positive=True, partner=ALEX, note="made tea")
    await log(hass, entry.entry_id, positive=False)
    attributes = hass.states.get(RATIO).attributes
    assert (attributes["positives"], attributes["negatives"], attributes["target"]) == (2, 1, 5)
    assert state(hass, RATIO) == "2.0"
    for _ in range(8):
        await log(hass, entry.entry_id, positive=True)
    assert state(hass, RATIO) == "10.0"
    # A week later, all of it has aged out.
    await move_to(hass, freezer, "2026-11-23 12:00:00-08:00")
    await log(hass, entry.entry_id, positive=False, partner=SAM)
    assert state(hass, RATIO) == "0.0"
    assert hass.states.get(RATIO).attributes["negatives"] == 1


async def test_log_interaction_bad_input(hass: HomeAssistant, setup_entry) -> None:
    """Unknown couples and strangers are refused with translated errors."""
    entry = await setup_entry(couple_entry())
    for data, key in (
        ({"config_entry_id": "nope", "positive": True}, "unknown_couple"),
        (
            {"config_entry_id": entry.entry_id, "positive": True, "partner": "person.x"},
            "not_a_partner",
        ),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(DOMAIN, "log_interaction", data, blocking=True)
        assert err.value.translation_key == key
    assert state(hass, RATIO) == "0.0"
    await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await log(hass, entry.entry_id, positive=True)
    assert err.value.translation_key == "entry_not_loaded"


async def test_initiative_balance_and_its_persistence(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """Sam arrives (no initiative: coming home is not a choice to count), Alex marks the
    reunion twice, Sam starts one by hand: each partner's own count of 30 days."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    alex_share = "sensor.alex_sam_rituals_alex_started_or_marked_30_days"
    sam_share = "sensor.alex_sam_rituals_sam_started_or_marked_30_days"
    # Disabled by default: the couple opts in.
    registry = er.async_get(hass)
    assert hass.states.get(alex_share) is None
    for entity_id in (alex_share, sam_share):
        assert registry.async_get(entity_id).disabled_by is er.RegistryEntryDisabler.INTEGRATION
        registry.async_update_entity(entity_id, disabled_by=None)
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, alex_share) == "0"
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    device = ritual_device(hass)
    await hass.services.async_call(
        DOMAIN, "complete", {"ritual": device, "partner": ALEX}, blocking=True
    )
    await move_to(hass, freezer, "2026-11-17 17:30:00-08:00")
    await hass.services.async_call(
        DOMAIN, "complete", {"ritual": device, "partner": ALEX}, blocking=True
    )
    assert state(hass, alex_share) == "2"
    assert state(hass, sam_share) == "0"  # Sam's arrival counts for nobody
    await hass.services.async_call(
        DOMAIN, "start", {"ritual": device, "partner": SAM}, blocking=True
    )
    assert state(hass, sam_share) == "1"
    assert hass.states.get(sam_share).attributes == hass.states.get(sam_share).attributes | {
        "starts": 1,
        "completions": 0,
    }
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, alex_share) == "2"
    await move_to(hass, freezer, "2026-12-20 17:30:00-08:00")
    await log(hass, entry.entry_id, positive=True)  # any change refreshes the figures
    assert state(hass, alex_share) == "0"


async def test_diagnostics_are_redacted(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_entry,
    snapshot: SnapshotAssertion,
) -> None:
    """No names, persons, phones, targets, prompts or replies in diagnostics."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = await setup_entry(
        couple_entry(
            ritual_subentry(
                RitualKind.REUNION,
                name="Hug o'clock with Sam",
                prompt_mode=PromptMode.OWN,
                prompt_text="Tell Sam about the blue heron",
            ),
            ritual_subentry(RitualKind.BEDTIME),
            notify_a="notify.alex_secret_pager",
        )
    )
    await log(hass, entry.entry_id, positive=True, note="Sam fixed the bike")
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=3)
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    text = str(diagnostics)
    for secret in (
        "alex",
        "sam",
        "Alex",
        "Sam",
        "heron",
        "Hug o'clock",
        "secret_pager",
        "bike",
        entry.entry_id,
    ):
        assert secret not in text, secret
    assert diagnostics == snapshot


async def test_logbook_descriptions(hass: HomeAssistant) -> None:
    """Readable lines in kind words: 'Reunion kept, streak 12', never a doubled "ritual"."""
    assert describe_ritual_event({"type": "completed", "ritual_name": "Reunion", "streak": 12}) == {
        "name": "Connection Rituals",
        "message": "Reunion kept, streak 12",
    }
    assert describe_ritual_event({"type": "started", "ritual_name": "Our ritual"})["message"] == (
        "Our ritual started"
    )
    assert (
        describe_ritual_event(
            {"type": "streak_milestone", "ritual_name": "Bedtime", "milestone": 7}
        )["message"]
        == "Bedtime: a streak of 7 days"
    )
    assert describe_ritual_event({"type": "missed", "ritual_name": "Reunion"})["message"] == (
        "Reunion not marked"
    )
    assert describe_ritual_event({"type": "bogus"})["message"] == "Connection Rituals updated"

    described: dict[str, Any] = {}

    def _register(domain: str, event_type: str, describe: Any) -> None:
        described[event_type] = (domain, describe)

    async_describe_events(hass, _register)
    domain, describe = described["connection_rituals_event"]
    assert domain == DOMAIN
    event = Event("connection_rituals_event", {"type": "skipped", "ritual_name": "Departure"})
    assert describe(event)["message"] == "Departure: not today"
