"""What reaches the phones: payloads, taps, clearing, replies, quiet hours, caps, DND, repairs."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from custom_components.connection_rituals.const import (
    CONF_DAILY_CAP,
    CONF_QUIET_END,
    CONF_QUIET_START,
    CONF_STORE_REPLIES,
    DOMAIN,
    Prompted,
    RitualKind,
)
from custom_components.connection_rituals.core.ideas import parse_library

from .conftest import (
    ALEX,
    ALEX_PHONE_IN_USE,
    SAM,
    Household,
    couple_entry,
    ritual_subentry,
    set_person,
)
from .helpers import (
    CUE_ARRIVED,
    CUE_AT_HOME,
    OWN,
    move_device,
    move_to,
    ritual_device,
    sam_arrives,
    setup_couple,
    state,
    tap,
    tick,
)


def payload(call: ServiceCall) -> dict[str, Any]:
    return dict(call.data)


async def test_reunion_prompt_payload_and_done_clears_both_phones(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """Exact payloads; Alex taps Done; both phones lose the notification."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_couple(hass, household, ritual_subentry(RitualKind.REUNION, **OWN))
    occurrence = await sam_arrives(hass)
    tag = f"connection_rituals_{occurrence}"
    expected = {
        "title": "Reunion",
        "message": CUE_AT_HOME + OWN["prompt_text"],
        "data": {
            "tag": tag,
            "group": DOMAIN,
            "actions": [
                {"action": f"CONNECTION_RITUALS_DONE_{occurrence}", "title": "Done"},
                {"action": f"CONNECTION_RITUALS_SNOOZE_{occurrence}", "title": "Snooze"},
                {"action": f"CONNECTION_RITUALS_SKIP_{occurrence}", "title": "Not today"},
            ],
        },
    }
    assert [payload(c) for c in household.alex_calls] == [expected]
    assert [payload(c) for c in household.sam_calls] == [
        {**expected, "message": CUE_ARRIVED + OWN["prompt_text"]}
    ]

    events = []
    hass.bus.async_listen("connection_rituals_event", lambda e: events.append(e.data))
    await tap(hass, household.alex_user, f"CONNECTION_RITUALS_DONE_{occurrence}", tag=tag)
    assert state(hass, "binary_sensor.reunion_active") == "off"
    assert state(hass, "sensor.reunion_streak") == "1"
    clear = {"message": "clear_notification", "data": {"tag": tag}}
    assert payload(household.alex_calls[-1]) == clear
    assert payload(household.sam_calls[-1]) == clear
    assert events[-1]["partner"] == ALEX


async def test_stale_foreign_and_forged_taps_are_ignored(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """Old occurrences, unknown ids, strangers and other apps' actions change nothing."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_couple(hass, household, ritual_subentry(RitualKind.REUNION, **OWN))
    first = await sam_arrives(hass)
    await tick(hass, freezer, minutes=10)
    assert state(hass, "sensor.reunion_completions") == "1"
    set_person(hass, SAM, "not_home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=30)
    second = await sam_arrives(hass)
    stranger = await hass.auth.async_create_user("Visitor")
    for user, action in (
        (household.alex_user, f"CONNECTION_RITUALS_DONE_{first}"),  # stale
        (household.alex_user, "CONNECTION_RITUALS_DONE_ffffffffffff"),  # unknown
        (household.alex_user, "CONNECTION_RITUALS_EXPLODE_" + second),  # not an action
        (household.alex_user, "OTHER_APP_ACTION"),
        (stranger.id, f"CONNECTION_RITUALS_DONE_{second}"),  # forged
        (None, f"CONNECTION_RITUALS_SKIP_{second}"),
    ):
        await tap(hass, user, action)
    assert state(hass, "binary_sensor.reunion_active") == "on"
    assert state(hass, "sensor.reunion_completions") == "1"


async def test_snooze_from_the_phone_resends_later(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """Snooze: cleared now, the same tag comes back after the snooze."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_couple(
        hass, household, ritual_subentry(RitualKind.REUNION, window_minutes=30, **OWN)
    )
    occurrence = await sam_arrives(hass)
    await tap(hass, household.sam_user, f"CONNECTION_RITUALS_SNOOZE_{occurrence}")
    assert payload(household.sam_calls[-1])["message"] == "clear_notification"
    sent = len(household.sam_calls)
    await tick(hass, freezer, minutes=9)
    assert len(household.sam_calls) == sent
    await tick(hass, freezer, minutes=1)
    assert payload(household.sam_calls[-1])["message"] == (
        "Phones down for 30 minutes? " + OWN["prompt_text"]
    )
    assert payload(household.sam_calls[-1])["data"]["tag"] == f"connection_rituals_{occurrence}"


async def test_skip_from_the_phone(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """Skip: the window closes as skipped, recorded for the partner who tapped."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_couple(hass, household, ritual_subentry(RitualKind.REUNION, **OWN))
    events = []
    hass.bus.async_listen("connection_rituals_event", lambda e: events.append(e.data))
    occurrence = await sam_arrives(hass)
    await tap(hass, household.sam_user, f"CONNECTION_RITUALS_SKIP_{occurrence}")
    await hass.async_block_till_done()
    assert state(hass, "binary_sensor.reunion_active") == "off"
    assert events[-1]["type"] == "skipped"
    assert events[-1]["partner"] == SAM


@pytest.mark.parametrize("store", [False, True])
async def test_bedtime_reply_is_forwarded(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household, store: bool
) -> None:
    """Alex replies with an appreciation: Sam's phone gets it; kept only when asked."""
    await move_to(hass, freezer, "2026-11-16 22:00:00-08:00")
    set_person(hass, SAM, "home")
    await setup_couple(
        hass,
        household,
        ritual_subentry(RitualKind.BEDTIME, **OWN),
        options={CONF_STORE_REPLIES: store},
    )
    await move_to(hass, freezer, "2026-11-16 22:30:00-08:00")
    prompt = payload(household.alex_calls[0])
    occurrence = prompt["data"]["tag"].removeprefix("connection_rituals_")
    assert prompt["data"]["actions"] == [
        {
            "action": f"CONNECTION_RITUALS_REPLY_{occurrence}",
            "title": "Reply",
            "behavior": "textInput",
        },
        {"action": f"CONNECTION_RITUALS_DONE_{occurrence}", "title": "Done"},
        # "Not tonight" is always offered: Reply takes Snooze's place.
        {"action": f"CONNECTION_RITUALS_SKIP_{occurrence}", "title": "Not tonight"},
    ]
    await tap(
        hass,
        household.alex_user,
        f"CONNECTION_RITUALS_REPLY_{occurrence}",
        reply_text="  the soup you made  ",
    )
    forwarded = [payload(c) for c in household.sam_calls if c.data.get("title") == "From Alex"]
    assert forwarded == [{"title": "From Alex", "message": "the soup you made"}]
    assert state(hass, "sensor.bedtime_appreciation_streak") == "1"
    exported = await hass.services.async_call(
        DOMAIN,
        "export",
        {"ritual": ritual_device(hass, "Bedtime appreciation")},
        blocking=True,
        return_response=True,
    )
    texts = [reply["text"] for reply in exported.get("replies", [])]
    assert texts == (["the soup you made"] if store else [])


async def test_who_gets_the_prompt(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """The partner at home hears about a departure; the leaving one does not."""
    await move_to(hass, freezer, "2026-11-16 07:30:00-08:00")
    set_person(hass, SAM, "home")
    await setup_couple(
        hass, household, ritual_subentry(RitualKind.DEPARTURE, prompted=Prompted.AT_HOME, **OWN)
    )
    set_person(hass, ALEX, "Work")
    await hass.async_block_till_done()
    assert household.alex_calls == []
    assert payload(household.sam_calls[0])["title"] == "Departure"


async def test_quiet_hours_hold_prompts_and_snoozes(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """A prompt due in the quiet hours waits for their end, if the window is still open."""
    await move_to(hass, freezer, "2026-11-16 21:00:00-08:00")
    set_person(hass, SAM, "home")
    await setup_couple(
        hass,
        household,
        ritual_subentry(RitualKind.BEDTIME, window_minutes=120, **OWN),
        options={CONF_QUIET_START: "22:00:00", CONF_QUIET_END: "23:00:00"},
    )
    await move_to(hass, freezer, "2026-11-16 22:30:00-08:00")
    assert state(hass, "binary_sensor.bedtime_appreciation_active") == "on"
    assert household.alex_calls == []
    await move_to(hass, freezer, "2026-11-16 23:00:00-08:00")
    assert payload(household.alex_calls[0])["message"] == OWN["prompt_text"]


async def test_a_window_ending_in_quiet_hours_sends_nothing(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """Never nag: a ritual that closes inside the quiet hours stays silent."""
    await move_to(hass, freezer, "2026-11-16 21:00:00-08:00")
    set_person(hass, SAM, "home")
    await setup_couple(
        hass,
        household,
        ritual_subentry(RitualKind.BEDTIME, **OWN),
        options={CONF_QUIET_START: "22:00:00", CONF_QUIET_END: "07:00:00"},
    )
    await move_to(hass, freezer, "2026-11-16 22:30:00-08:00")
    await move_to(hass, freezer, "2026-11-17 08:00:00-08:00")
    assert [payload(c)["message"] for c in household.alex_calls] == []


def _prompts_to_alex(household: Household) -> list[ServiceCall]:
    """What reached Alex's phone, without the calls that clear a prompt."""
    return [c for c in household.alex_calls if c.data["message"] != "clear_notification"]


async def _start_and_keep(hass: HomeAssistant, device: str, times: int) -> None:
    """Start a ritual by hand and mark it done, `times` times."""
    for _ in range(times):
        await hass.services.async_call(DOMAIN, "start", {"ritual": device}, blocking=True)
        await hass.services.async_call(DOMAIN, "complete", {"ritual": device}, blocking=True)
        await hass.async_block_till_done()


async def test_daily_cap_per_partner(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """With a cap of two, the third prompt of the day is not sent; the next day it is."""
    await move_to(hass, freezer, "2026-11-16 12:00:00-08:00")
    entry = await setup_couple(
        hass,
        household,
        ritual_subentry(RitualKind.CUSTOM, **OWN),
        options={CONF_DAILY_CAP: 2},
    )
    device = ritual_device(hass, "Our ritual")
    await _start_and_keep(hass, device, times=3)
    assert len(_prompts_to_alex(household)) == 2
    # The count survives a restart.
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call(DOMAIN, "start", {"ritual": device}, blocking=True)
    await hass.async_block_till_done()
    assert len(_prompts_to_alex(household)) == 2
    await hass.services.async_call(DOMAIN, "skip", {"ritual": device}, blocking=True)
    await move_to(hass, freezer, "2026-11-17 12:00:00-08:00")
    await hass.services.async_call(DOMAIN, "start", {"ritual": device}, blocking=True)
    await hass.async_block_till_done()
    assert len(_prompts_to_alex(household)) == 3


async def test_a_busy_day_remembers_each_idea_once(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """Forty prompts in a day with three own prompts: what is kept of the day names each
    idea once (it stays as small as the pool, however many prompts a day brings)."""
    await move_to(hass, freezer, "2026-11-16 12:00:00-08:00")
    own = {**OWN, "prompt_text": "Hold hands.\nSay one kind thing.\nLaugh at something."}
    entry = await setup_couple(
        hass,
        household,
        ritual_subentry(RitualKind.CUSTOM, **own),
        options={CONF_DAILY_CAP: 100},
    )
    device = ritual_device(hass, "Our ritual")
    await _start_and_keep(hass, device, times=40)
    assert len(_prompts_to_alex(household)) == 40
    sent_today = entry.runtime_data.stored_data()["ideas"]["sent_today"]
    assert sorted(sent_today) == sorted(set(sent_today))
    assert len(sent_today) == 3


async def test_no_prompt_on_vacation_or_when_the_ritual_is_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """A manual start while the ritual is switched off sends nothing."""
    await move_to(hass, freezer, "2026-11-16 12:00:00-08:00")
    await setup_couple(hass, household, ritual_subentry(RitualKind.CUSTOM, **OWN))
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.our_ritual_enabled"}, blocking=True
    )
    await hass.services.async_call(
        DOMAIN, "start", {"ritual": ritual_device(hass, "Our ritual")}, blocking=True
    )
    await hass.async_block_till_done()
    assert household.alex_calls == []


async def test_alternate_rotation_survives_a_restart(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """Each in turn: Alex, then Sam, then, after a restart, Alex again."""
    await move_to(hass, freezer, "2026-11-16 12:00:00-08:00")
    entry = await setup_couple(
        hass, household, ritual_subentry(RitualKind.CUSTOM, prompted=Prompted.ALTERNATE, **OWN)
    )
    order = []
    for _ in range(3):
        if _ == 2:
            await hass.config_entries.async_reload(entry.entry_id)
            await hass.async_block_till_done()
        before = (len(household.alex_calls), len(household.sam_calls))
        device = ritual_device(hass, "Our ritual")
        await hass.services.async_call(DOMAIN, "start", {"ritual": device}, blocking=True)
        await hass.async_block_till_done()
        order.append("alex" if len(household.alex_calls) > before[0] else "sam")
        await hass.services.async_call(DOMAIN, "complete", {"ritual": device}, blocking=True)
        await hass.async_block_till_done()
    assert order == ["alex", "sam", "alex"]


async def test_surprise_prompts_come_from_the_library_without_repeats(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """Surprise us: ten days of reunions, ten different reunion ideas."""
    await move_to(hass, freezer, "2026-11-16 12:00:00-08:00")
    await setup_couple(hass, household, ritual_subentry(RitualKind.REUNION))
    library = parse_library(
        __import__("json").loads(
            (
                __import__("pathlib").Path(__file__).parent.parent
                / "custom_components/connection_rituals/ideas/en.json"
            ).read_text()
        )
    )
    reunion_texts = {idea.text for idea in library.for_kind("reunion")}
    device = ritual_device(hass)
    for day in range(10):
        await move_to(hass, freezer, f"2026-11-{16 + day} 18:00:00-08:00")
        await _start_and_keep(hass, device, times=1)
    messages = [c.data["message"] for c in _prompts_to_alex(household)]
    assert len(messages) == 10
    assert len(set(messages)) == 10
    # Started by hand: the cue without a name, then the idea.
    assert all(m.startswith(CUE_ARRIVED) for m in messages)
    assert {m.removeprefix(CUE_ARRIVED) for m in messages} <= reunion_texts


async def test_plain_notify_target_gets_text_only(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, couple: None
) -> None:
    """Any other notify service: title and message, no actions, nothing to clear."""
    calls = async_mock_service(hass, "notify", "alex_pager")
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = couple_entry(ritual_subentry(RitualKind.REUNION, **OWN), notify_a="notify.alex_pager")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=10)
    assert [payload(c) for c in calls] == [
        {"title": "Reunion (Alex)", "message": CUE_AT_HOME + OWN["prompt_text"]}
    ]


async def test_missing_target_raises_a_repair_and_the_ritual_still_runs(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """Sam's phone's service is gone: repair issue; back again: it clears."""
    hass.services.async_remove("notify", "mobile_app_sam_phone")
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = await setup_couple(hass, household, ritual_subentry(RitualKind.REUNION, **OWN))
    issue_id = f"notify_target_missing_{entry.entry_id}_b"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "notify_target_missing"
    assert issue.translation_placeholders == {"partner": "Sam"}
    await sam_arrives(hass)
    await tick(hass, freezer, minutes=10)
    assert state(hass, "sensor.reunion_streak") == "1"
    assert len(household.alex_calls) == 2  # prompt and clear
    async_mock_service(hass, "notify", "mobile_app_sam_phone")
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_a_failing_notify_service_never_breaks_the_engine(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    household: Household,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A notify service that raises is logged once; the reunion goes on."""

    async def _broken(call: ServiceCall) -> None:
        raise RuntimeError("push gateway down")

    hass.services.async_register("notify", "mobile_app_alex_phone", _broken)
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_couple(hass, household, ritual_subentry(RitualKind.REUNION, **OWN))
    await sam_arrives(hass)
    await tick(hass, freezer, minutes=10)
    assert state(hass, "sensor.reunion_streak") == "1"
    assert caplog.text.count("push gateway down") == 1


async def test_do_not_disturb_during_the_reunion(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """Alex's Android goes priority-only for the window and back; Sam's iPhone is skipped."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = await setup_couple(
        hass, household, ritual_subentry(RitualKind.REUNION, dnd=True, **OWN)
    )
    await sam_arrives(hass)
    dnd = [payload(c) for c in household.alex_calls if c.data["message"] == "command_dnd"]
    assert dnd == [{"message": "command_dnd", "data": {"command": "priority_only"}}]
    assert all(c.data["message"] != "command_dnd" for c in household.sam_calls)
    # A restart in between: the window closes while Home Assistant is down, DND is lifted.
    assert await hass.config_entries.async_unload(entry.entry_id)
    await move_to(hass, freezer, "2026-11-16 18:00:00-08:00")
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    dnd = [payload(c) for c in household.alex_calls if c.data["message"] == "command_dnd"]
    assert dnd[-1] == {"message": "command_dnd", "data": {"command": "off"}}


async def test_a_reunion_not_marked_clears_the_prompt(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """A window that ends not marked tidies up too: no stale prompt left on a phone."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_couple(hass, household, ritual_subentry(RitualKind.REUNION, **OWN))
    occurrence = await sam_arrives(hass)
    hass.states.async_set(ALEX_PHONE_IN_USE, "on")
    await hass.async_block_till_done()
    assert payload(household.sam_calls[-1])["message"] != "clear_notification"  # still open
    await tick(hass, freezer, minutes=10)
    assert payload(household.sam_calls[-1]) == {
        "message": "clear_notification",
        "data": {"tag": f"connection_rituals_{occurrence}"},
    }


async def test_a_snooze_into_quiet_hours_waits_for_their_end(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """Snoozed at 21:55 for 10 minutes with quiet hours from 22:00: back at 23:00."""
    await move_to(hass, freezer, "2026-11-16 21:00:00-08:00")
    set_person(hass, SAM, "home")
    await setup_couple(
        hass,
        household,
        ritual_subentry(RitualKind.BEDTIME, trigger_time="21:50:00", window_minutes=180, **OWN),
        options={CONF_QUIET_START: "22:00:00", CONF_QUIET_END: "23:00:00"},
    )
    await move_to(hass, freezer, "2026-11-16 21:55:00-08:00")
    occurrence = payload(household.alex_calls[0])["data"]["tag"].removeprefix("connection_rituals_")
    await tap(hass, household.alex_user, f"CONNECTION_RITUALS_SNOOZE_{occurrence}")
    sent = len(household.alex_calls)
    await move_to(hass, freezer, "2026-11-16 22:30:00-08:00")
    assert len(household.alex_calls) == sent
    await move_to(hass, freezer, "2026-11-16 23:00:00-08:00")
    assert payload(household.alex_calls[-1])["message"] == OWN["prompt_text"]


async def test_a_renamed_or_reinstalled_phone_is_followed(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """Phones are resolved once and again whenever a notify service or a device changes."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_couple(hass, household, ritual_subentry(RitualKind.REUNION, **OWN))
    ritual = {"ritual": ritual_device(hass)}

    async def prompt() -> None:
        await hass.services.async_call(DOMAIN, "start", ritual, blocking=True)
        await hass.services.async_call(DOMAIN, "skip", ritual, blocking=True)
        await hass.async_block_till_done()

    def prompts(calls: list[ServiceCall]) -> int:
        return sum(1 for call in calls if payload(call).get("title") == "Reunion")

    await prompt()
    assert prompts(household.alex_calls) == 1

    # Renamed in the companion app: the old service goes, a new one comes.
    (old_app,) = (
        e
        for e in hass.config_entries.async_entries("mobile_app")
        if e.data["device_name"] == "Alex Phone"
    )
    hass.config_entries.async_update_entry(
        old_app, data={"device_name": "Alex Pixel", "os_name": "Android"}
    )
    hass.services.async_remove("notify", "mobile_app_alex_phone")
    pixel_calls = async_mock_service(hass, "notify", "mobile_app_alex_pixel")
    await prompt()
    assert prompts(pixel_calls) == 1
    assert prompts(household.alex_calls) == 1  # nothing more to the old name

    # Reinstalled: a new registration takes over the same phone device.
    new_app = MockConfigEntry(
        domain="mobile_app", data={"device_name": "Alex Again", "os_name": "iOS"}
    )
    new_app.add_to_hass(hass)
    again_calls = async_mock_service(hass, "notify", "mobile_app_alex_again")
    await prompt()  # still the Pixel registration: the device has not moved yet
    assert prompts(pixel_calls) == 2
    move_device(hass, household.alex_phone, old_app.entry_id, new_app.entry_id)
    await hass.async_block_till_done()
    await prompt()
    assert prompts(again_calls) == 1
    assert prompts(pixel_calls) == 2
