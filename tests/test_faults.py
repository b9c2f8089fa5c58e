"""Faults from outside: damaged storage files, broken notify services, flapping persons,
clock jumps and a time-zone change of Home Assistant's configuration.

Storage files are real files on disk here (the test harness otherwise keeps storage in
memory): what a user has after a power cut or a manual edit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator
import json
import logging
from pathlib import Path
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import CoreState, HomeAssistant, ServiceCall
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.connection_rituals.const import DOMAIN, RitualKind
from custom_components.connection_rituals.core.ideas import IdeaMemory

from .conftest import ALEX, SAM, Household, couple_entry, ritual_subentry, set_person
from .helpers import (
    CUE_ARRIVED,
    OWN,
    move_to,
    ritual_device,
    sam_arrives,
    setup_couple,
    state,
    tick,
)

STREAK = "sensor.reunion_streak"
ACTIVE = "binary_sensor.reunion_active"


# ------------------------------------------------------------------ storage files


@pytest.fixture
def real_files(
    hass: HomeAssistant, hass_storage: dict[str, Any], tmp_path: Path
) -> Generator[Path]:
    """Home Assistant reads our store from a real `.storage` directory (in tmp_path).

    Whatever the integration writes still lands in `hass_storage`, and is read back
    from there after a reload, as the harness does for every store.
    """
    hass.config.config_dir = str(tmp_path)
    (tmp_path / ".storage").mkdir()
    mocked = Store._async_load

    async def _load(store: Store) -> Any:
        if store.key in hass_storage or not store.key.startswith(DOMAIN):
            return await mocked(store)
        return await store._async_load_data()

    with patch.object(Store, "_async_load", _load):
        yield tmp_path / ".storage"


def _our_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Errors with a traceback, or any error from this integration's own code.

    Core's JSON loader logs the decode error of a corrupt file with its traceback
    itself; that one is expected.
    """
    return [
        record
        for record in caplog.records
        if record.levelno >= logging.ERROR
        and (record.name.startswith("custom_components") or record.exc_info)
        and record.name != "homeassistant.util.json"
        and "kept aside" not in record.getMessage()
    ]


def _write(directory: Path, entry: MockConfigEntry, content: bytes) -> Path:
    path = directory / f"{DOMAIN}.{entry.entry_id}"
    path.write_bytes(content)
    return path


def _json_of(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _corrupt_copy(path: Path) -> tuple[bool, Path, bytes]:
    """Whether the original is still there, and the one copy core set aside."""
    (kept,) = path.parent.glob(f"{path.name}.corrupt.*")
    return path.exists(), kept, kept.read_bytes()


def _envelope(entry: MockConfigEntry, data: Any) -> bytes:
    return json.dumps(
        {"version": 1, "minor_version": 1, "key": f"{DOMAIN}.{entry.entry_id}", "data": data}
    ).encode()


async def _reunion_still_works(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Entities are there, a new reunion is recorded and written, and survives a reload."""
    assert entry.state is ConfigEntryState.LOADED
    assert state(hass, STREAK) == "0"
    assert state(hass, ACTIVE) == "off"
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert state(hass, ACTIVE) == "on"
    await tick(hass, freezer, minutes=10)
    assert state(hass, STREAK) == "1"
    await tick(hass, freezer, seconds=30)  # past the debounced write
    saved = hass_storage[f"{DOMAIN}.{entry.entry_id}"]["data"]
    (ritual,) = saved["rituals"].values()
    assert ritual["history"] == {"2026-11-16": [1, 1]}  # started, completed (storage v2)
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, STREAK) == "1"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(
            b'{"version": 1, "minor_version": 1, "data": {"rituals": {"x": {"hist', id="truncated"
        ),
        pytest.param(b"\x00\x00\x00\x00\x00\x00", id="zeroed"),
        pytest.param(b"{'version': 1}", id="not_json"),
        pytest.param(b"", id="empty"),
    ],
)
async def test_corrupt_file_is_kept_and_reported(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_entry,
    real_files: Path,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    content: bytes,
) -> None:
    """A file that is no JSON at all: Home Assistant keeps the bytes aside and tells the user.

    Core's storage loader renames the file to `<path>.corrupt.<time>` and raises a
    critical repair issue shown under this integration (2025.4 and 2026.2 alike).
    """
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = couple_entry(ritual_subentry(RitualKind.REUNION))
    path = _write(real_files, entry, content)
    await setup_entry(entry)

    still_there, kept, kept_bytes = _corrupt_copy(path)
    assert not still_there
    assert kept_bytes == content
    issues = [
        issue
        for (domain, _), issue in ir.async_get(hass).issues.items()
        if domain == "homeassistant" and issue.translation_key == "storage_corruption"
    ]
    (issue,) = issues
    assert issue.issue_domain == DOMAIN
    assert issue.severity is ir.IssueSeverity.CRITICAL
    assert issue.translation_placeholders["corrupt_path"] == str(kept)
    assert not _our_errors(caplog)
    await _reunion_still_works(hass, freezer, entry, hass_storage)


BAD_SHAPES = {
    "history_is_a_list": {"rituals": {"r": {"history": [["2026-11-15", {"completed": 1}]]}}},
    "day_is_no_date": {"rituals": {"r": {"history": {"yesterday": {"completed": 1}}}}},
    "count_is_text": {"rituals": {"r": {"history": {"2026-11-15": {"completed": "lots"}}}}},
    "record_is_a_number": {"rituals": {"r": {"history": {"2026-11-15": 3}}}},
    "rituals_is_a_list": {"rituals": ["r"]},
    "couple_is_text": {"couple": "Alex & Sam"},
    "occurrence_without_id": {"rituals": {"r": {"occurrence": {"started_at": "2026-11-16"}}}},
    "rotation_is_text": {"rituals": {"r": {"rotation": "next"}}},
    "interaction_without_day": {"interactions": [{"positive": True}]},
    "initiative_is_text": {"initiative": "Alex"},
    "prompt_counts_is_a_list": {"prompt_counts": [1, 2]},
    "data_is_a_list": ["rituals"],
    "data_is_null_string": "null",
}


@pytest.mark.parametrize("data", list(BAD_SHAPES.values()), ids=list(BAD_SHAPES))
async def test_valid_json_with_a_wrong_shape_is_kept_aside(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_entry,
    real_files: Path,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    data: Any,
) -> None:
    """Readable JSON that is not our history: kept aside whole, a repair issue, a fresh start."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = couple_entry(ritual_subentry(RitualKind.REUNION))
    _write(real_files, entry, _envelope(entry, data))
    await setup_entry(entry)

    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"unreadable_storage_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "unreadable_storage"
    assert issue.severity is ir.IssueSeverity.ERROR
    aside = Path(issue.translation_placeholders["path"])
    assert aside.parent == real_files
    assert _json_of(aside) == data
    assert "kept aside" in caplog.text
    assert not _our_errors(caplog)
    await _reunion_still_works(hass, freezer, entry, hass_storage)
    # What was kept aside is never overwritten by the new history.
    assert _json_of(aside) == data


@pytest.mark.parametrize(
    "ideas",
    [{"cycles": "all"}, {"cycles": {"reunion": {"sent": 3}}, "loved": {"x": "lots"}}, [1], "none"],
    ids=["cycles_is_text", "cycle_and_loved_are_wrong", "a_list", "a_string"],
)
async def test_an_unreadable_idea_memory_starts_afresh(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_entry,
    real_files: Path,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    ideas: Any,
) -> None:
    """The idea cycles are selection state, not history: a damaged one starts a fresh
    cycle, and the history beside it loads as it is (no repair issue)."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = couple_entry(ritual_subentry(RitualKind.REUNION))
    (ritual_id,) = entry.subentries
    # A version 1 file (the envelope), so the day is in the version 1 form.
    data = {
        "rituals": {ritual_id: {"history": {"2026-11-15": {"started": 1, "completed": 1}}}},
        "ideas": ideas,
    }
    _write(real_files, entry, _envelope(entry, data))
    await setup_entry(entry)
    assert (
        ir.async_get(hass).async_get_issue(DOMAIN, f"unreadable_storage_{entry.entry_id}") is None
    )
    assert hass.states.get("sensor.reunion_streak").state == "1"
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert state(hass, ACTIVE) == "on"
    await tick(hass, freezer, minutes=10)
    assert state(hass, STREAK) == "2"
    await tick(hass, freezer, seconds=30)  # past the debounced write: a fresh, readable memory
    saved = hass_storage[f"{DOMAIN}.{entry.entry_id}"]["data"]["ideas"]
    assert IdeaMemory.from_dict(saved).as_dict() == saved
    assert not saved["loved"]
    assert not _our_errors(caplog)


@pytest.mark.parametrize(
    "envelope",
    [
        pytest.param({"data": {"rituals": {}}}, id="no_version"),
        pytest.param({"version": 1, "minor_version": 1}, id="no_data"),
        pytest.param({"version": "one", "data": {}}, id="version_is_text"),
        pytest.param([1, 2, 3], id="a_list"),
        pytest.param("just text", id="a_string"),
    ],
)
async def test_a_damaged_envelope_is_kept_aside(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_entry,
    real_files: Path,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    envelope: Any,
) -> None:
    """JSON without Home Assistant's version/data envelope: the entry still loads."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = couple_entry(ritual_subentry(RitualKind.REUNION))
    _write(real_files, entry, json.dumps(envelope).encode())
    await setup_entry(entry)

    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"unreadable_storage_{entry.entry_id}")
    assert issue is not None
    aside = Path(issue.translation_placeholders["path"])
    assert _json_of(aside) == envelope
    assert not _our_errors(caplog)
    await _reunion_still_works(hass, freezer, entry, hass_storage)


# ------------------------------------------------------------------ notify services

# A notify service that raises is covered for the start of a reunion by
# test_notifications.py::test_a_failing_notify_service_never_breaks_the_engine;
# here both failure modes go through a whole window, with the other partner's phone.


@pytest.mark.parametrize("failure", ["raises", "hangs"])
async def test_a_broken_phone_never_stops_the_ritual_or_the_other_phone(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    household: Household,
    caplog: pytest.LogCaptureFixture,
    failure: str,
) -> None:
    """Alex's phone fails on every send; Sam is prompted and cleared, the reunion runs.

    A hanging send is cut after the 10 s timeout; the failure is logged once.
    """
    calls: list[ServiceCall] = []
    cut: list[ServiceCall] = []

    async def _broken(call: ServiceCall) -> None:
        calls.append(call)
        if failure == "raises":
            raise ConnectionError("push gateway down")
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cut.append(call)
            raise

    hass.services.async_register("notify", "mobile_app_alex_phone", _broken)
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_couple(hass, household, ritual_subentry(RitualKind.REUNION, **OWN))
    await sam_arrives(hass)
    assert state(hass, ACTIVE) == "on"
    assert [c.data["message"] for c in household.sam_calls] == [CUE_ARRIVED + OWN["prompt_text"]]
    assert len(calls) == 1
    await tick(hass, freezer, seconds=11)
    assert len(cut) == (1 if failure == "hangs" else 0)

    await hass.services.async_call(
        DOMAIN,
        "complete",
        {"ritual": ritual_device(hass, "Reunion"), "partner": SAM},
        blocking=True,
    )
    assert state(hass, ACTIVE) == "off"
    assert state(hass, STREAK) == "1"
    assert household.sam_calls[-1].data["message"] == "clear_notification"
    assert len(calls) == 2  # the clearing was attempted on Alex's phone too
    await tick(hass, freezer, seconds=11)
    assert len(cut) == (2 if failure == "hangs" else 0)
    warnings = [r for r in caplog.records if "notify.mobile_app_alex_phone failed" in r.message]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert ("TimeoutError" if failure == "hangs" else "push gateway down") in warnings[0].message
    assert not _our_errors(caplog)

    # The next day the same phone still gets a try, and Sam still gets the prompt.
    await move_to(hass, freezer, "2026-11-17 17:30:00-08:00")
    set_person(hass, SAM, "not_home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=30)
    await sam_arrives(hass)
    assert len(calls) == 3
    assert household.sam_calls[-1].data["message"] == CUE_ARRIVED + OWN["prompt_text"]
    await tick(hass, freezer, minutes=10)
    assert state(hass, STREAK) == "2"


async def test_a_snoozed_prompt_does_not_follow_a_partner_who_left(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """Reunion snoozed, Sam goes out again: ten minutes later only Alex is prompted."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_couple(hass, household, ritual_subentry(RitualKind.REUNION, **OWN))
    await sam_arrives(hass)
    await hass.services.async_call(
        DOMAIN, "snooze", {"ritual": ritual_device(hass, "Reunion")}, blocking=True
    )
    set_person(hass, SAM, "not_home")
    await hass.async_block_till_done()
    alex_before, sam_before = len(household.alex_calls), len(household.sam_calls)
    await tick(hass, freezer, minutes=10, seconds=1)
    assert [c.data["message"] for c in household.alex_calls[alex_before:]] == [
        "Sam is home. Phones down for 10 minutes? " + OWN["prompt_text"]
    ]
    assert household.sam_calls[sam_before:] == []
    assert state(hass, ACTIVE) == "on"


# ------------------------------------------------------------ flapping persons


async def test_persons_flapping_during_start_up_start_nothing(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """While Home Assistant starts, person entities go unknown, unavailable, home, away."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    hass.set_state(CoreState.starting)
    set_person(hass, ALEX, "unknown")
    set_person(hass, SAM, "unavailable")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    for alex, sam in [
        ("unavailable", "unknown"),
        ("home", "unavailable"),
        ("not_home", "home"),
        ("home", "unknown"),
        ("home", "home"),
    ]:
        set_person(hass, ALEX, alex)
        set_person(hass, SAM, sam)
        await hass.async_block_till_done()
        await tick(hass, freezer, minutes=20)  # long enough to count as an absence
    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done()
    assert bus_events == []
    assert state(hass, ACTIVE) == "off"
    assert state(hass, STREAK) == "0"

    set_person(hass, SAM, "not_home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=20)
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert [e["type"] for e in bus_events] == ["started"]
    assert bus_events[0]["partner"] == SAM


async def test_persons_flapping_right_after_set_up_start_nothing(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """Persons that are unknown at set-up and flap afterwards: no reunion, no crash.

    (A settled person flapping is in test_reunion.py::test_unknown_and_unavailable_are_no_arrivals.)
    """
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    set_person(hass, ALEX, "unknown")
    set_person(hass, SAM, "unknown")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    for person, flap in [
        (SAM, "unavailable"),
        (ALEX, "home"),
        (SAM, "home"),
        (SAM, "unavailable"),
        (ALEX, "unknown"),
        (ALEX, "home"),
        (SAM, "home"),
    ]:
        set_person(hass, person, flap)
        await hass.async_block_till_done()
        await tick(hass, freezer, minutes=1)
    assert bus_events == []
    assert state(hass, ACTIVE) == "off"
    set_person(hass, SAM, "not_home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=16)
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert [e["type"] for e in bus_events] == ["started"]


async def test_coming_home_through_unavailable_forgets_the_absence(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """Away all day, back home via 'unavailable' (no reunion): a later GPS bounce is no arrival.

    The absence ended when Sam was home again, however Sam got there; a two-minute
    bounce after that must not count as a long absence.
    """
    await move_to(hass, freezer, "2026-11-16 09:00:00-08:00")
    set_person(hass, SAM, "home")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    set_person(hass, SAM, "not_home")
    await hass.async_block_till_done()
    await move_to(hass, freezer, "2026-11-16 17:00:00-08:00")
    set_person(hass, SAM, "unavailable")
    await hass.async_block_till_done()
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=30)
    assert bus_events == []
    set_person(hass, SAM, "not_home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=2)
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert bus_events == []
    assert state(hass, ACTIVE) == "off"


async def test_a_phone_going_quiet_while_apart_is_no_reunion(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """Apart since morning; Sam's person goes unavailable and back: the ritual stays open."""
    await move_to(hass, freezer, "2026-11-16 09:00:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.APART)))
    await tick(hass, freezer, hours=4, seconds=1)
    apart = "binary_sensor.thinking_of_you_active"
    assert state(hass, apart) == "on"
    for flap in ("unavailable", "unknown", "not_home"):
        set_person(hass, SAM, flap)
        await hass.async_block_till_done()
        await tick(hass, freezer, minutes=5)
        assert state(hass, apart) == "on", flap
    assert [e["type"] for e in bus_events] == ["started"]
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert state(hass, apart) == "off"  # the real reunion ends it


async def test_apart_ritual_started_by_hand_at_home_survives_a_restart(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """ "Start now" while together: a restart keeps it open (found by the fuzz test)."""
    await move_to(hass, freezer, "2026-11-16 12:00:00-08:00")
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.APART)))
    await _both_home(hass)
    await hass.services.async_call(
        DOMAIN, "start", {"ritual": ritual_device(hass, "Thinking of you")}, blocking=True
    )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, "binary_sensor.thinking_of_you_active") == "on"
    assert [e["type"] for e in bus_events] == ["started"]
    await _done(hass, "Thinking of you")
    assert state(hass, "sensor.thinking_of_you_streak") == "1"


async def test_a_paused_day_is_recorded_once(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """On vacation, restarts and moves while apart retry the ritual: the day stays one pause.

    (Found by the fuzz test: each retry added to the stored counter, so a restart at the
    same moment changed what was stored.)
    """
    await move_to(hass, freezer, "2026-11-16 09:00:00-08:00")
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.APART)))
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.alex_sam_vacation_mode"}, blocking=True
    )
    await tick(hass, freezer, hours=4, seconds=1)
    for _ in range(2):
        await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
    set_person(hass, SAM, "Work")
    await hass.async_block_till_done()
    history = (await _export(hass, "Thinking of you"))["history"]
    assert history == [{"day": "2026-11-16", "outcome": "paused", "paused": 1}]
    assert bus_events == []


@pytest.mark.parametrize(
    "switch", ["switch.alex_sam_vacation_mode", "switch.thinking_of_you_enabled"]
)
async def test_back_from_a_pause_while_apart_starts_what_is_due(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events, switch: str
) -> None:
    """Apart for 4 hours during a pause; the pause ends: the ritual starts then, not at
    the next restart (found by the fuzz test: a restart started it, nothing else did).
    """
    await move_to(hass, freezer, "2026-11-16 06:30:00-08:00")
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.APART)))
    vacation = switch.endswith("vacation_mode")
    await hass.services.async_call(
        "switch", "turn_on" if vacation else "turn_off", {"entity_id": switch}, blocking=True
    )
    await tick(hass, freezer, hours=4)
    assert state(hass, "binary_sensor.thinking_of_you_active") == "off"
    await hass.services.async_call(
        "switch", "turn_off" if vacation else "turn_on", {"entity_id": switch}, blocking=True
    )
    assert state(hass, "binary_sensor.thinking_of_you_active") == "on"
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, "binary_sensor.thinking_of_you_active") == "on"
    assert [e["type"] for e in bus_events] == ["started"]


# ------------------------------------------------------------------ clock jumps

BEDTIME = "binary_sensor.bedtime_appreciation_active"
BEDTIME_STREAK = "sensor.bedtime_appreciation_streak"


async def _both_home(hass: HomeAssistant) -> None:
    set_person(hass, ALEX, "home")
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()


async def _export(hass: HomeAssistant, name: str) -> dict[str, Any]:
    result: dict[str, Any] = await hass.services.async_call(
        DOMAIN,
        "export",
        {"ritual": ritual_device(hass, name)},
        blocking=True,
        return_response=True,
    )
    return result


async def _done(hass: HomeAssistant, name: str) -> None:
    await hass.services.async_call(
        DOMAIN, "complete", {"ritual": ritual_device(hass, name)}, blocking=True
    )


async def test_clock_jumping_forward_over_days(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """A suspended host wakes up days later, once inside and once outside a window."""
    await move_to(hass, freezer, "2026-11-16 20:00:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.BEDTIME)))
    await _both_home(hass)
    # Monday 20:00 → Wednesday 23:00: the missed 22:30 and 04:00 timers fire once each.
    await move_to(hass, freezer, "2026-11-18 23:00:00-08:00")
    assert [e["type"] for e in bus_events] == ["started"]
    assert state(hass, BEDTIME) == "on"
    # Wednesday 23:00 → Friday 10:00: the open window closes as missed, for its own day.
    await move_to(hass, freezer, "2026-11-20 10:00:00-08:00")
    assert [e["type"] for e in bus_events] == ["started", "missed"]
    assert state(hass, BEDTIME) == "off"
    history = (await _export(hass, "Bedtime appreciation"))["history"]
    assert [(d["day"], d["outcome"]) for d in history] == [("2026-11-18", "missed")]
    assert history[0]["started"] == 1
    assert state(hass, BEDTIME_STREAK) == "0"
    # Life goes on: Friday's bedtime starts at 22:30 and counts once.
    await move_to(hass, freezer, "2026-11-20 22:30:00-08:00")
    assert state(hass, BEDTIME) == "on"
    await _done(hass, "Bedtime appreciation")
    assert state(hass, BEDTIME_STREAK) == "1"
    assert [e["type"] for e in bus_events].count("started") == 2
    assert state(hass, "todo.alex_sam_today_s_rituals") == "0"
    await move_to(hass, freezer, "2026-11-21 04:00:01-08:00")
    assert state(hass, "todo.alex_sam_today_s_rituals") == "1"


async def test_clock_stepping_back(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """NTP steps the clock back (minutes, then across the day boundary): nothing runs twice."""
    await move_to(hass, freezer, "2026-11-16 22:00:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.BEDTIME)))
    await _both_home(hass)
    await move_to(hass, freezer, "2026-11-16 22:31:00-08:00")
    await _done(hass, "Bedtime appreciation")
    assert state(hass, BEDTIME_STREAK) == "1"
    # 25 minutes back, then forward past 22:30 again.
    await move_to(hass, freezer, "2026-11-16 22:06:00-08:00")
    await move_to(hass, freezer, "2026-11-16 22:45:00-08:00")
    assert [e["type"] for e in bus_events] == ["started", "completed"]
    # Past the 04:00 boundary, back before it, and forward again.
    await move_to(hass, freezer, "2026-11-17 04:05:00-08:00")
    await move_to(hass, freezer, "2026-11-17 03:30:00-08:00")
    await move_to(hass, freezer, "2026-11-17 04:30:00-08:00")
    assert state(hass, BEDTIME_STREAK) == "1"
    assert state(hass, "todo.alex_sam_today_s_rituals") == "1"
    # An hour back in the middle of Tuesday's window: still one window, one completion.
    await move_to(hass, freezer, "2026-11-17 22:40:00-08:00")
    assert state(hass, BEDTIME) == "on"
    await move_to(hass, freezer, "2026-11-17 21:40:00-08:00")
    await move_to(hass, freezer, "2026-11-17 22:50:00-08:00")
    assert state(hass, BEDTIME) == "on"
    await _done(hass, "Bedtime appreciation")
    assert state(hass, BEDTIME_STREAK) == "2"
    assert [e["type"] for e in bus_events].count("started") == 2
    history = (await _export(hass, "Bedtime appreciation"))["history"]
    assert history == [
        {"day": "2026-11-16", "outcome": "completed", "started": 1, "completed": 1},
        {"day": "2026-11-17", "outcome": "completed", "started": 1, "completed": 1},
    ]


# ------------------------------------------------------------ time-zone change


async def test_time_zone_change_moves_scheduled_rituals_and_the_day(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """The couple moves from Los Angeles to New York: 22:30 and 04:00 are New York times now.

    No reload: the entry follows Home Assistant's new time zone at once.
    """
    await move_to(hass, freezer, "2026-11-16 12:00:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.BEDTIME)))
    await _both_home(hass)
    next_ritual = "sensor.alex_sam_next_ritual"
    assert state(hass, next_ritual) == "2026-11-17T06:30:00+00:00"  # 22:30 in Los Angeles

    await hass.config.async_update(time_zone="America/New_York")
    await hass.async_block_till_done()
    assert state(hass, next_ritual) == "2026-11-17T03:30:00+00:00"  # 22:30 in New York
    await move_to(hass, freezer, "2026-11-16 22:30:00-05:00")
    assert state(hass, BEDTIME) == "on"
    await _done(hass, "Bedtime appreciation")
    assert state(hass, "todo.alex_sam_today_s_rituals") == "0"
    # The day now ends at 04:00 New York time (01:00 in Los Angeles).
    await move_to(hass, freezer, "2026-11-17 04:00:01-05:00")
    assert state(hass, "todo.alex_sam_today_s_rituals") == "1"
    assert state(hass, BEDTIME_STREAK) == "1"
    history = (await _export(hass, "Bedtime appreciation"))["history"]
    assert [(d["day"], d["outcome"]) for d in history] == [("2026-11-16", "completed")]
    # Other configuration changes leave the schedule alone.
    await hass.config.async_update(location_name="Home")
    await hass.async_block_till_done()
    assert state(hass, next_ritual) == "2026-11-18T03:30:00+00:00"
    assert [e["type"] for e in bus_events] == ["started", "completed"]


async def test_apart_check_before_the_day_boundary_after_a_long_sleep(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, bus_events
) -> None:
    """Apart since Monday; the host wakes on Tuesday at 09:00 and the 08:00 check runs
    before the 04:00 boundary: Monday's ritual still ends as missed and Tuesday's starts.

    (Found by the fuzz test: the order of overdue timers decided whether Tuesday had one.)
    """
    await move_to(hass, freezer, "2026-11-16 06:30:00-08:00")
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.APART)))
    await tick(hass, freezer, hours=4)
    apart = "binary_sensor.thinking_of_you_active"
    assert state(hass, apart) == "on"
    freezer.move_to("2026-11-17 09:00:00-08:00")
    engine = entry.runtime_data
    (ritual,) = engine.rituals.values()
    engine.start_due_apart(ritual)  # the 08:00 check, first
    assert [e["type"] for e in bus_events] == ["started", "missed", "started"]
    await move_to(hass, freezer, "2026-11-17 09:00:00-08:00")  # then every other timer
    assert [e["type"] for e in bus_events] == ["started", "missed", "started"]
    assert state(hass, apart) == "on"
    history = (await _export(hass, "Thinking of you"))["history"]
    assert history == [
        {"day": "2026-11-16", "outcome": "missed", "started": 1, "missed": 1},
        {"day": "2026-11-17", "outcome": "no_opportunity", "started": 1},  # still open
    ]
