"""The weekly digest in a real Home Assistant: both phones, the chosen local time (also
across daylight-saving changes in Los Angeles), silence when nothing was kept, the words
in the house's language, and the "This week together" sensor."""

from __future__ import annotations

import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service
from syrupy.assertion import SnapshotAssertion

from custom_components.connection_rituals.const import (
    CONF_DIGEST_ENABLED,
    CONF_DIGEST_TIME,
    CONF_DIGEST_WEEKDAY,
    CONF_HIDE_STREAKS,
    DOMAIN,
    RitualKind,
)
from custom_components.connection_rituals.core.digest import PHRASES

from .conftest import Household, couple_entry, ritual_subentry
from .helpers import device_by_identifier, move_to, setup_couple

SUNDAY_EVENINGS = {
    CONF_DIGEST_ENABLED: True,
    CONF_DIGEST_WEEKDAY: "sun",
    CONF_DIGEST_TIME: "19:00:00",
}
RITUALS = (ritual_subentry(RitualKind.REUNION), ritual_subentry(RitualKind.BEDTIME))
SENSOR = "sensor.alex_sam_this_week_together"


def digests(calls: list[ServiceCall], entry: MockConfigEntry) -> list[dict[str, Any]]:
    """The digests a phone received (prompts of the rituals themselves left out)."""
    tag = f"{DOMAIN}_digest_{entry.entry_id}"
    return [call.data for call in calls if call.data.get("data", {}).get("tag") == tag]


async def keep(
    hass: HomeAssistant, entry: MockConfigEntry, name: str, action: str = "complete"
) -> None:
    """Mark a ritual kept today (the `complete` action), or take another action on it."""
    ritual_id = next(i for i, s in entry.subentries.items() if s.title == name)
    device = device_by_identifier(hass, (DOMAIN, ritual_id))
    assert device is not None
    await hass.services.async_call(DOMAIN, action, {"ritual": device.id}, blocking=True)


async def love(hass: HomeAssistant, entry: MockConfigEntry, idea: str) -> None:
    """ "Loved it" for an idea (the `rate_idea` action)."""
    await hass.services.async_call(
        DOMAIN,
        "rate_idea",
        {"config_entry_id": entry.entry_id, "idea": idea, "rating": "loved"},
        blocking=True,
    )


async def a_week_before_fall_back(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household, **options: Any
) -> MockConfigEntry:
    """Monday 26 October 2026 (summer time): reunions kept Monday to Wednesday, a bedtime
    appreciation on Tuesday. Clocks go back an hour on Sunday 1 November."""
    await move_to(hass, freezer, "2026-10-26 10:00:00-07:00")
    entry = await setup_couple(hass, household, *RITUALS, options=options)
    for day in ("26", "27", "28"):
        await move_to(hass, freezer, f"2026-10-{day} 10:00:00-07:00")
        await keep(hass, entry, "Reunion")
        if day == "27":
            await keep(hass, entry, "Bedtime appreciation")
    return entry


async def test_sent_to_both_at_local_time_across_the_fall_back(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    entry = await a_week_before_fall_back(hass, freezer, household, **SUNDAY_EVENINGS)
    # 19:00 of the old offset (18:00 winter time) and one minute early: nothing yet.
    await move_to(hass, freezer, "2026-11-01 18:00:30-08:00")
    await move_to(hass, freezer, "2026-11-01 18:59:00-08:00")
    assert digests(household.alex_calls, entry) == digests(household.sam_calls, entry) == []

    await move_to(hass, freezer, "2026-11-01 19:00:00-08:00")
    expected = {
        "title": "Your week together",
        "message": "4 rituals kept together this week: Reunion \u00d73, Bedtime appreciation.\n"
        "Longest run: 3 days in a row.\n"
        "A highlight: Reunion, the one you kept most often.",
        "data": {"tag": f"{DOMAIN}_digest_{entry.entry_id}", "group": DOMAIN},
    }
    assert digests(household.alex_calls, entry) == [expected]
    assert digests(household.sam_calls, entry) == [expected]
    # The couple together: no partner is named.
    assert "Alex" not in expected["message"]
    assert "Sam" not in expected["message"]

    # The next week keeps nothing: silence.
    await move_to(hass, freezer, "2026-11-08 19:00:00-08:00")
    await move_to(hass, freezer, "2026-11-08 23:00:00-08:00")
    assert len(digests(household.alex_calls, entry)) == 1
    assert len(digests(household.sam_calls, entry)) == 1


async def test_a_time_the_spring_forward_night_skips_comes_just_after(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """02:30 does not exist on Sunday 8 March 2026 in Los Angeles: the digest comes at 03:30
    summer time, once, and the next week at 02:30 again."""
    await move_to(hass, freezer, "2026-03-06 10:00:00-08:00")
    options = {**SUNDAY_EVENINGS, CONF_DIGEST_TIME: "02:30:00"}
    entry = await setup_couple(hass, household, *RITUALS, options=options)
    await keep(hass, entry, "Reunion")
    await move_to(hass, freezer, "2026-03-08 01:59:00-08:00")
    await move_to(hass, freezer, "2026-03-08 03:29:00-07:00")
    assert digests(household.alex_calls, entry) == []
    await move_to(hass, freezer, "2026-03-08 03:30:00-07:00")
    sent = digests(household.alex_calls, entry)
    assert [d["message"].splitlines()[0] for d in sent] == [
        "1 ritual kept together this week: Reunion."
    ]
    await move_to(hass, freezer, "2026-03-12 10:00:00-07:00")
    await keep(hass, entry, "Reunion")
    await move_to(hass, freezer, "2026-03-15 02:29:00-07:00")
    assert len(digests(household.alex_calls, entry)) == 1
    await move_to(hass, freezer, "2026-03-15 02:30:00-07:00")
    assert len(digests(household.alex_calls, entry)) == 2


async def test_silence_in_a_week_with_nothing_kept(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    await move_to(hass, freezer, "2026-10-26 10:00:00-07:00")
    entry = await setup_couple(hass, household, *RITUALS, options=SUNDAY_EVENINGS)
    await keep(hass, entry, "Reunion", "skip")  # "not today"
    await move_to(hass, freezer, "2026-11-01 19:00:00-08:00")
    assert digests(household.alex_calls, entry) == digests(household.sam_calls, entry) == []
    assert hass.states.get(SENSOR).state == "0"


async def test_off_by_default(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    entry = await a_week_before_fall_back(hass, freezer, household)
    await move_to(hass, freezer, "2026-11-01 19:00:00-08:00")
    # The week is still there to look at.
    assert hass.states.get(SENSOR).state == "4"
    await move_to(hass, freezer, "2026-11-02 19:00:00-08:00")
    assert digests(household.alex_calls, entry) == digests(household.sam_calls, entry) == []


async def test_no_digest_on_vacation(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    entry = await a_week_before_fall_back(hass, freezer, household, **SUNDAY_EVENINGS)
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.alex_sam_vacation_mode"}, blocking=True
    )
    await move_to(hass, freezer, "2026-11-01 19:00:00-08:00")
    assert digests(household.alex_calls, entry) == []


@pytest.mark.parametrize(
    ("language", "first_line"),
    [
        (
            "de",
            "4 Rituale habt ihr diese Woche gemeinsam gelebt: Reunion \u00d73, Bedtime appreciation.",
        ),
        ("fr", "4 rituels vécus à deux cette semaine : Reunion \u00d73, Bedtime appreciation."),
        ("es", "4 rituales vividos en pareja esta semana: Reunion \u00d73, Bedtime appreciation."),
        ("nl", "4 rituelen samen gedaan deze week: Reunion \u00d73, Bedtime appreciation."),
    ],
)
async def test_words_in_the_house_language(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    household: Household,
    language: str,
    first_line: str,
) -> None:
    """The rituals keep the names the couple gave them; the rest is in the house's language
    at the moment the digest is sent."""
    entry = await a_week_before_fall_back(hass, freezer, household, **SUNDAY_EVENINGS)
    hass.config.language = language
    await move_to(hass, freezer, "2026-11-01 19:00:00-08:00")
    (sent,) = digests(household.sam_calls, entry)
    assert sent["title"] == PHRASES[language].title
    assert sent["message"].splitlines()[0] == first_line


async def test_an_idea_loved_this_week_is_the_highlight(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """Loved this week, not before: a love of an earlier week is no highlight any more,
    also across a restart."""
    entry = await a_week_before_fall_back(hass, freezer, household, **SUNDAY_EVENINGS)
    await love(hass, entry, "bedtime-love-you-eyes")
    await move_to(hass, freezer, "2026-11-01 19:00:00-08:00")
    (sent,) = digests(household.alex_calls, entry)
    assert sent["message"].splitlines()[-1] == (
        "A highlight, an idea you loved: “Before the light goes out, look them in the eyes and"
        " say 'I love you', slowly.”"
    )
    # A new week; a restart in between keeps where the week began.
    await move_to(hass, freezer, "2026-11-03 10:00:00-08:00")
    assert hass.states.get(SENSOR).attributes["highlight"] is None
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await keep(hass, entry, "Reunion")
    await move_to(hass, freezer, "2026-11-08 19:00:00-08:00")
    assert digests(household.alex_calls, entry)[-1]["message"].splitlines()[-1] == (
        "A highlight: Reunion, the one you kept most often."
    )


async def test_quiet_hours_hold_the_digest_back(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    options = {**SUNDAY_EVENINGS, CONF_DIGEST_TIME: "22:00:00"}
    entry = await a_week_before_fall_back(
        hass, freezer, household, **options, quiet_start="21:00:00", quiet_end="07:00:00"
    )
    await move_to(hass, freezer, "2026-11-02 06:59:00-08:00")
    assert digests(household.alex_calls, entry) == []
    await move_to(hass, freezer, "2026-11-02 07:00:00-08:00")
    assert len(digests(household.alex_calls, entry)) == 1


async def test_held_back_past_the_week_it_still_tells_that_week(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """Sunday 22:00 in quiet hours until 07:00: Monday's digest is about the week that
    ended, with the idea loved in it (Monday belongs to the next week)."""
    options = {**SUNDAY_EVENINGS, CONF_DIGEST_TIME: "22:00:00"}
    entry = await a_week_before_fall_back(
        hass, freezer, household, **options, quiet_start="21:00:00", quiet_end="07:00:00"
    )
    await love(hass, entry, "bedtime-love-you-eyes")
    await move_to(hass, freezer, "2026-11-02 05:00:00-08:00")  # a new ritual day, a new week
    assert hass.states.get(SENSOR).attributes["week_start"] == "2026-11-02"
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await move_to(hass, freezer, "2026-11-02 07:00:00-08:00")
    (sent,) = digests(household.alex_calls, entry)
    assert sent["message"].startswith("4 rituals kept together this week")
    assert "I love you" in sent["message"].splitlines()[-1]


async def test_an_unreadable_digest_store_starts_afresh(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household, hass_storage
) -> None:
    await move_to(hass, freezer, "2026-10-26 10:00:00-07:00")
    entry = couple_entry(
        *RITUALS,
        options=SUNDAY_EVENINGS,
        phone_a=household.alex_phone,
        phone_b=household.sam_phone,
    )
    hass_storage[f"{DOMAIN}.{entry.entry_id}.digest"] = {
        "version": 1,
        "key": f"{DOMAIN}.{entry.entry_id}.digest",
        "data": {"week": "someday", "loved": ["x"], "last_week": 7, "last_loved": "x"},
    }
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await keep(hass, entry, "Reunion")
    await move_to(hass, freezer, "2026-11-01 19:00:00-08:00")
    assert len(digests(household.alex_calls, entry)) == 1
    assert hass_storage[f"{DOMAIN}.{entry.entry_id}.digest"]["data"]["week"] == "2026-11-01"


async def test_a_new_time_zone_moves_the_digest(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    entry = await a_week_before_fall_back(hass, freezer, household, **SUNDAY_EVENINGS)
    await hass.config.async_update(time_zone="America/New_York")
    await hass.async_block_till_done()
    await move_to(hass, freezer, "2026-11-01 18:59:00-05:00")
    assert digests(household.alex_calls, entry) == []
    await move_to(hass, freezer, "2026-11-01 19:00:00-05:00")
    assert len(digests(household.alex_calls, entry)) == 1


async def test_a_shared_screen_gets_it_once_and_a_failing_phone_is_logged(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    couple: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Both partners on one plain notify service: one digest, with no name in its title.
    A failing service is logged and never stops the digest."""
    family = async_mock_service(hass, "notify", "family")
    await move_to(hass, freezer, "2026-10-26 10:00:00-07:00")
    entry = couple_entry(
        *RITUALS, options=SUNDAY_EVENINGS, notify_a="notify.family", notify_b="notify.family"
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await keep(hass, entry, "Reunion")
    await move_to(hass, freezer, "2026-11-01 19:00:00-08:00")
    sent = [c.data for c in family if c.data.get("title") == "Your week together"]
    assert sent == [
        {
            "title": "Your week together",
            "message": "1 ritual kept together this week: Reunion.\n"
            "A first: Reunion, kept for the first time.",
        }
    ]

    async def _fails(call: ServiceCall) -> None:
        raise HomeAssistantError("the screen is off")

    hass.services.async_register("notify", "family", _fails)
    await move_to(hass, freezer, "2026-11-05 10:00:00-08:00")
    await keep(hass, entry, "Reunion")
    with caplog.at_level(logging.WARNING):
        await move_to(hass, freezer, "2026-11-08 19:00:00-08:00")
    assert "Sending the weekly digest through notify.family failed: the screen is off" in (
        caplog.text
    )


async def test_the_sensor(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    household: Household,
    snapshot: SnapshotAssertion,
) -> None:
    """Rituals kept this week as the state; the week, per ritual, the run, the highlight."""
    await a_week_before_fall_back(hass, freezer, household)
    state = hass.states.get(SENSOR)
    assert state.state == "4"
    assert {str(key): value for key, value in state.attributes.items()} == snapshot


async def test_the_sensor_without_figures(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    household: Household,
    snapshot: SnapshotAssertion,
) -> None:
    """Pressure-free: the highlight as the state, the kept rituals by name, no figure; the
    digest itself names the rituals, without counts or a run."""
    options = {**SUNDAY_EVENINGS, CONF_HIDE_STREAKS: True}
    entry = await a_week_before_fall_back(hass, freezer, household, **options)
    state = hass.states.get(SENSOR)
    assert state.state == "A highlight: Reunion, the one you kept most often."
    assert {str(key): value for key, value in state.attributes.items()} == snapshot
    assert "longest_run" not in state.attributes
    await move_to(hass, freezer, "2026-11-01 19:00:00-08:00")
    (sent,) = digests(household.alex_calls, entry)
    assert sent["message"] == (
        "Kept together this week: Reunion, Bedtime appreciation.\n"
        "A highlight: Reunion, the one you kept most often."
    )


async def test_removing_the_couple_removes_the_digest_store(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household, hass_storage
) -> None:
    entry = await a_week_before_fall_back(hass, freezer, household, **SUNDAY_EVENINGS)
    await move_to(hass, freezer, "2026-10-28 10:01:00-07:00")
    key = f"{DOMAIN}.{entry.entry_id}.digest"
    assert hass_storage[key]["data"] == {
        "week": "2026-11-01",
        "loved": {},
        "last_week": None,
        "last_loved": [],
    }
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage


async def test_the_options_turn_it_on_for_a_day_and_time(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """Off by default in the options form; turned on there for Friday 18:30."""
    entry = await a_week_before_fall_back(hass, freezer, household)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    defaults = {
        str(key): key.default() for key in result["data_schema"].schema if str(key) in OPTION_KEYS
    }
    assert defaults == {
        CONF_DIGEST_ENABLED: False,
        CONF_DIGEST_WEEKDAY: "sun",
        CONF_DIGEST_TIME: "19:00:00",
    }
    await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_DIGEST_ENABLED: True, CONF_DIGEST_WEEKDAY: "fri", CONF_DIGEST_TIME: "18:30:00"},
    )
    await hass.async_block_till_done()  # the entry reloads with the new options
    assert entry.options[CONF_DIGEST_WEEKDAY] == "fri"
    assert hass.states.get(SENSOR).attributes["week_end"] == "2026-10-30"
    await move_to(hass, freezer, "2026-10-30 18:29:00-07:00")
    assert digests(household.alex_calls, entry) == []
    await move_to(hass, freezer, "2026-10-30 18:30:00-07:00")
    assert len(digests(household.alex_calls, entry)) == 1


OPTION_KEYS = (CONF_DIGEST_ENABLED, CONF_DIGEST_WEEKDAY, CONF_DIGEST_TIME)
