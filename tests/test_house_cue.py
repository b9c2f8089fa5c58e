"""The house says the reunion's prompt (a satellite, or a speaker through TTS), and the
cues' entities that are gone raise a gentle repair issue that clears itself.

Satellites and speakers are emulated as services that answer, fail or hang forever.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service

from custom_components.connection_rituals import cue_calls
from custom_components.connection_rituals.const import DOMAIN, RitualKind

from .conftest import SAM, Household, ritual_subentry, set_person
from .helpers import devices_by_name, move_to, setup_couple

EVENING = "2026-11-16 17:30:00-08:00"
SATELLITE = "assist_satellite.kitchen"
SPEAKER = "media_player.kitchen_speaker"
PIPER = "tts.piper"
REUNION = "binary_sensor.reunion_active"


async def _couple(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    household: Household,
    options: dict[str, Any] | None = None,
    **cue: Any,
) -> Any:
    await move_to(hass, freezer, EVENING)
    return await setup_couple(
        hass, household, ritual_subentry(RitualKind.REUNION, **cue), options=options
    )


def _speaker(hass: HomeAssistant, *tts_entities: str) -> list[ServiceCall]:
    """A kitchen speaker and these TTS entities; returns the `tts.speak` calls."""
    hass.states.async_set(SPEAKER, "idle")
    for entity_id in tts_entities:
        hass.states.async_set(entity_id, "unknown")
    return async_mock_service(hass, "tts", "speak")


async def _sam_arrives(hass: HomeAssistant) -> None:
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()


async def test_a_satellite_says_what_the_phones_say(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    hass.states.async_set(SATELLITE, "idle")
    announced = async_mock_service(hass, "assist_satellite", "announce")
    await _couple(hass, freezer, household, house_satellite=SATELLITE)
    await _sam_arrives(hass)
    assert hass.states.get(REUNION).state == "on"
    (call,) = announced
    assert call.data["entity_id"] == SATELLITE
    # The cue and the very idea Alex's phone shows.
    assert call.data["message"] == household.alex_calls[-1].data["message"]
    assert call.data["message"].startswith("Sam is home. Phones down for 10 minutes? ")


async def test_a_speaker_says_it_through_tts(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """The only TTS entity is used when none is chosen."""
    spoken = _speaker(hass, PIPER)
    await _couple(hass, freezer, household, house_media_player=SPEAKER)
    # Started by hand: nobody arrived, so only "Phones down ...".
    await hass.services.async_call(
        DOMAIN, "start", {"ritual": devices_by_name(hass)["Reunion"]}, blocking=True
    )
    await hass.async_block_till_done()
    (call,) = spoken
    assert call.data["entity_id"] == PIPER
    assert call.data["media_player_entity_id"] == SPEAKER
    assert call.data["message"].startswith("Phones down for 10 minutes?")


async def test_with_two_tts_entities_the_chosen_one_speaks(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    spoken = _speaker(hass, PIPER, "tts.cloud")
    await _couple(hass, freezer, household, house_media_player=SPEAKER, house_tts="tts.cloud")
    await _sam_arrives(hass)
    assert [call.data["entity_id"] for call in spoken] == ["tts.cloud"]


async def test_two_tts_entities_and_none_chosen_stay_silent(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    spoken = _speaker(hass, PIPER, "tts.cloud")
    await _couple(hass, freezer, household, house_media_player=SPEAKER)
    await _sam_arrives(hass)
    assert spoken == []
    assert hass.states.get(REUNION).state == "on"


async def test_the_house_is_quiet_in_the_quiet_hours(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    hass.states.async_set(SATELLITE, "idle")
    announced = async_mock_service(hass, "assist_satellite", "announce")
    quiet = {"quiet_start": "17:00:00", "quiet_end": "18:00:00"}
    await _couple(hass, freezer, household, options=quiet, house_satellite=SATELLITE)
    await _sam_arrives(hass)
    assert hass.states.get(REUNION).state == "on"
    assert announced == []


async def test_a_satellite_that_fails_never_holds_the_ritual_up(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    household: Household,
    caplog: pytest.LogCaptureFixture,
) -> None:
    hass.states.async_set(SATELLITE, "idle")
    calls: list[ServiceCall] = []

    async def _announce(call: ServiceCall) -> None:
        calls.append(call)
        raise RuntimeError("speaker offline")

    hass.services.async_register("assist_satellite", "announce", _announce)
    await _couple(hass, freezer, household, house_satellite=SATELLITE)
    with caplog.at_level(logging.WARNING):
        await _sam_arrives(hass)
    assert hass.states.get(REUNION).state == "on"
    assert household.alex_calls
    assert household.sam_calls
    assert len(calls) == 1
    assert "A reunion cue through assist_satellite.announce did not go through" in caplog.text


async def test_a_satellite_that_hangs_never_holds_the_ritual_up(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """The call waits in the background (with a timeout); unloading the couple ends it."""
    hass.states.async_set(SATELLITE, "idle")
    calls: list[ServiceCall] = []
    cancelled = asyncio.Event()

    async def _announce(call: ServiceCall) -> None:
        calls.append(call)
        try:
            await hass.loop.create_future()  # never answers
        except asyncio.CancelledError:
            cancelled.set()
            raise

    hass.services.async_register("assist_satellite", "announce", _announce)
    entry = await _couple(hass, freezer, household, house_satellite=SATELLITE)
    await _sam_arrives(hass)
    # The ritual did not wait: it is open and the phones have their prompts.
    assert hass.states.get(REUNION).state == "on"
    assert household.alex_calls
    assert len(calls) == 1
    assert not cancelled.is_set()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert cancelled.is_set()
    assert cue_calls.CUE_SERVICE_TIMEOUT_SECONDS == 10


# --- repairs ------------------------------------------------------------------------------


def _issue(hass: HomeAssistant, entry_id: str, entity_id: str) -> ir.IssueEntry | None:
    issue_id = f"cue_entity_missing_{entry_id}_{entity_id}"
    return ir.async_get(hass).async_get_issue(DOMAIN, issue_id)


async def test_a_missing_satellite_is_named_gently_and_clears_itself(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    announced = async_mock_service(hass, "assist_satellite", "announce")
    entry = await _couple(hass, freezer, household, house_satellite=SATELLITE)
    issue = _issue(hass, entry.entry_id, SATELLITE)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.WARNING
    assert not issue.is_fixable
    assert issue.translation_key == "cue_entity_missing"
    assert issue.translation_placeholders == {"entity": SATELLITE, "ritual": "Reunion"}
    # The ritual runs as before, only without the cue.
    await _sam_arrives(hass)
    assert hass.states.get(REUNION).state == "on"
    assert announced == []
    # Back: the issue goes; unavailable again: it returns; a flap to unknown is no absence.
    hass.states.async_set(SATELLITE, "idle")
    await hass.async_block_till_done()
    assert _issue(hass, entry.entry_id, SATELLITE) is None
    hass.states.async_set(SATELLITE, "unavailable")
    await hass.async_block_till_done()
    assert _issue(hass, entry.entry_id, SATELLITE) is not None
    hass.states.async_set(SATELLITE, "unknown")
    await hass.async_block_till_done()
    assert _issue(hass, entry.entry_id, SATELLITE) is None


async def test_issues_of_entities_no_longer_used_go(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """A proximity and a zone that are gone; the ritual is changed, then the couple goes."""
    entry = await _couple(
        hass,
        freezer,
        household,
        arrival_proximity="sensor.home_nearest_distance",
        arrival_zone="zone.station",
    )
    assert _issue(hass, entry.entry_id, "sensor.home_nearest_distance") is not None
    assert _issue(hass, entry.entry_id, "zone.station") is not None
    subentry = next(iter(entry.subentries.values()))
    data = {k: v for k, v in subentry.data.items() if k != "arrival_zone"}
    hass.config_entries.async_update_subentry(entry, subentry, data=data)
    await hass.async_block_till_done()
    assert _issue(hass, entry.entry_id, "zone.station") is None
    assert _issue(hass, entry.entry_id, "sensor.home_nearest_distance") is not None
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert _issue(hass, entry.entry_id, "sensor.home_nearest_distance") is None
