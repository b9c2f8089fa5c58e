"""Learning what the couple loves: "Loved it" / "Not this one" after a kept ritual, the
`rate_idea` action, and bringing a set-aside idea back from the options."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest

from custom_components.connection_rituals.const import DOMAIN, RitualKind

from .conftest import Household, ritual_subentry
from .helpers import move_to, sam_arrives, setup_couple, tap, tick

FEEDBACK = {"idea_feedback": True}


def _messages(household: Household) -> list[dict]:
    return [dict(c.data) for c in household.alex_calls]


async def _kept_reunion(hass: HomeAssistant, household: Household) -> tuple[str, str]:
    """Sam comes home and Alex taps Done: (occurrence id, the idea's id)."""
    occurrence = await sam_arrives(hass)
    idea_id = hass.states.get("event.reunion_ritual").attributes["idea_id"]
    await tap(hass, household.alex_user, f"CONNECTION_RITUALS_DONE_{occurrence}")
    return occurrence, idea_id


async def test_after_a_kept_ritual_the_phones_ask_about_the_idea(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = await setup_couple(
        hass, household, ritual_subentry(RitualKind.REUNION), options=FEEDBACK
    )
    occurrence, idea_id = await _kept_reunion(hass, household)
    assert idea_id.startswith("reunion-")
    question = next(m for m in _messages(household) if m.get("title") == "How was this idea?")
    prompt = next(m for m in _messages(household) if m.get("title") == "Reunion")
    # The idea itself (the prompt said what was coming first).
    assert prompt["message"] == "Sam is home. Phones down for 10 minutes? " + question["message"]
    assert question["data"]["tag"] == f"connection_rituals_feedback_{occurrence}"
    assert [a["title"] for a in question["data"]["actions"]] == ["Loved it", "Not this one"]

    await tap(hass, household.sam_user, f"CONNECTION_RITUALS_RETIRE_{occurrence}")
    assert idea_id in entry.runtime_data.ideas.retired
    # The question leaves the phones.
    assert _messages(household)[-1] == {
        "message": "clear_notification",
        "data": {"tag": f"connection_rituals_feedback_{occurrence}"},
    }
    # A retired idea never comes again, across a restart.
    await tick(hass, freezer, seconds=30)
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert idea_id in entry.runtime_data.ideas.retired


async def test_no_question_unless_the_couple_asked_for_it_or_a_stranger_taps(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = await setup_couple(hass, household, ritual_subentry(RitualKind.REUNION))
    occurrence, idea_id = await _kept_reunion(hass, household)
    assert not [m for m in _messages(household) if m.get("title") == "How was this idea?"]
    stranger = await hass.auth.async_create_user("Robin")
    await tap(hass, stranger.id, f"CONNECTION_RITUALS_LOVED_{occurrence}")
    await tap(hass, household.alex_user, "CONNECTION_RITUALS_LOVED_unknown")
    assert entry.runtime_data.ideas.loved == {}
    await tap(hass, household.alex_user, f"CONNECTION_RITUALS_LOVED_{occurrence}")
    assert entry.runtime_data.ideas.loved == {idea_id: 1}


async def test_rate_idea_action_and_restore_from_the_options(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = await setup_couple(hass, household, ritual_subentry(RitualKind.REUNION))
    for idea, rating in (
        ("bedtime-love-you-eyes", "loved"),
        ("reunion-living-room-dance", "not_this_one"),
    ):
        await hass.services.async_call(
            DOMAIN,
            "rate_idea",
            {"config_entry_id": entry.entry_id, "idea": idea, "rating": rating},
            blocking=True,
        )
    memory = entry.runtime_data.ideas
    assert memory.loved == {"bedtime-love-you-eyes": 1}
    assert memory.retired == {"reunion-living-room-dance"}
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "rate_idea",
            {"config_entry_id": entry.entry_id, "idea": "no-such-idea", "rating": "loved"},
            blocking=True,
        )
    assert err.value.translation_key == "unknown_idea"

    # The options list the set-aside idea by its text; unticking it brings it back.
    result = await hass.config_entries.options.async_init(entry.entry_id)
    field = next(k for k in result["data_schema"].schema if str(k) == "retired_ideas")
    options = result["data_schema"].schema[field].config["options"]
    assert [o["value"] for o in options] == ["reunion-living-room-dance"]
    assert "dance" in options[0]["label"].lower()
    defaults = {
        str(k): k.default()
        for k in result["data_schema"].schema
        if hasattr(k, "default") and callable(k.default)
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**defaults, "retired_ideas": []}
    )
    await hass.async_block_till_done()
    assert "retired_ideas" not in entry.options
    assert entry.runtime_data.ideas.retired == set()
    assert entry.runtime_data.ideas.loved == {"bedtime-love-you-eyes": 1}
