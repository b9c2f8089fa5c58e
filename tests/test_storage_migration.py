"""Stored history from older layouts (and newer ones, after a downgrade)."""

from __future__ import annotations

from datetime import date, timedelta
import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.connection_rituals.const import DOMAIN, HISTORY_DAYS, RitualKind

from .conftest import SAM, couple_entry, ritual_subentry, set_person
from .helpers import move_to, stored_file, tick

STORAGE_KEY = f"{DOMAIN}.{{entry_id}}"
TODAY = date(2026, 11, 16)  # a Monday; the ritual day of 17:30 local below


def _version_1(entry_id: str, rituals: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A file as release 0.1 (storage version 1) wrote it."""
    return stored_file(entry_id, rituals, version=1, minor_version=1, **extra)


def _three_years(last_missed: date) -> dict[str, dict[str, int]]:
    """Three years of daily reunions, all completed except one missed day."""
    history = {}
    for offset in range(1, 3 * 365 + 1):
        day = TODAY - timedelta(days=offset)
        if day == last_missed:
            history[day.isoformat()] = {"started": 1, "missed": 1}
        else:
            history[day.isoformat()] = {"started": 1, "completed": 1}
    return history


async def test_version_1_history_migrates_with_every_figure(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, hass_storage
) -> None:
    """Three years in the old layout: same streaks, compact on disk, old days folded."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = couple_entry(ritual_subentry(RitualKind.REUNION))
    (ritual_id,) = entry.subentries
    # With one grace day a week, a single missed day 20 days ago does not break the
    # streak: 3 years of completions, all counted (the missed day is neutral).
    history = _three_years(last_missed=TODAY - timedelta(days=20))
    hass_storage[STORAGE_KEY.format(entry_id=entry.entry_id)] = _version_1(
        entry.entry_id,
        {ritual_id: {"history": history, "enabled": True, "rotation": 3}},
        ideas_used={"reunion-01": (TODAY - timedelta(days=2)).isoformat()},
    )

    await setup_entry(entry)

    assert entry.state is ConfigEntryState.LOADED
    completed = 3 * 365 - 1
    assert hass.states.get("sensor.reunion_streak").state == str(completed)
    assert hass.states.get("sensor.reunion_best_streak").state == str(completed)
    assert hass.states.get("sensor.reunion_completions").state == str(completed)
    assert (
        ir.async_get(hass).async_get_issue(DOMAIN, f"unreadable_storage_{entry.entry_id}") is None
    )

    # Home Assistant writes the migrated data back at once: version 2, compact lists,
    # and only the recent days (the rest lives in the baseline).
    stored = hass_storage[STORAGE_KEY.format(entry_id=entry.entry_id)]
    assert stored["version"] == 2
    await tick(hass, freezer, seconds=30)  # our own debounced write, after pruning
    stored = hass_storage[STORAGE_KEY.format(entry_id=entry.entry_id)]
    state = stored["data"]["rituals"][ritual_id]
    assert state["history"][(TODAY - timedelta(days=1)).isoformat()] == [1, 1]
    assert state["history"][(TODAY - timedelta(days=20)).isoformat()] == [1, 0, 1]
    assert HISTORY_DAYS <= len(state["history"]) < HISTORY_DAYS + 7
    kept_completions = sum(record[1] for record in state["history"].values() if len(record) > 1)
    assert state["baseline"]["completions"] + kept_completions == completed
    assert state["rotation"] == 3
    # The last-used days of the old idea selection give way to fresh shuffled cycles.
    assert "ideas_used" not in stored["data"]
    assert stored["data"]["ideas"]["cycles"] == {}

    # And the streak goes on from there.
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=10)
    assert hass.states.get("sensor.reunion_streak").state == str(completed + 1)


async def test_version_1_open_window_resumes(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, hass_storage
) -> None:
    """A reunion window open when the old release stopped is still open afterwards."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = couple_entry(ritual_subentry(RitualKind.REUNION))
    (ritual_id,) = entry.subentries
    occurrence = {
        "id": "0123456789ab",
        "day": TODAY.isoformat(),
        "started_at": "2026-11-17T01:25:00+00:00",
        "ends_at": "2026-11-17T01:35:00+00:00",
        "actor": "b",
    }
    hass_storage[STORAGE_KEY.format(entry_id=entry.entry_id)] = _version_1(
        entry.entry_id,
        {
            ritual_id: {
                "history": {TODAY.isoformat(): {"started": 1}},
                "occurrence": occurrence,
            }
        },
    )
    await setup_entry(entry)
    assert hass.states.get("binary_sensor.reunion_active").state == "on"
    await tick(hass, freezer, minutes=6)
    assert hass.states.get("binary_sensor.reunion_active").state == "off"
    assert hass.states.get("sensor.reunion_streak").state == "1"


async def test_who_used_a_device_is_dropped_from_an_earlier_release_file(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, hass_storage
) -> None:
    """A file of the previous release (version 2) still holding "device_use" (which
    partner used which device when): it is dropped on the first load, nothing else."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    entry = couple_entry(ritual_subentry(RitualKind.REUNION))
    (ritual_id,) = entry.subentries
    key = STORAGE_KEY.format(entry_id=entry.entry_id)
    hass_storage[key] = {
        "version": 2,
        "minor_version": 1,
        "key": key,
        "data": {
            "rituals": {
                ritual_id: {
                    "history": {"2026-11-15": [1, 1], TODAY.isoformat(): [1]},
                    "occurrence": {
                        "id": "0123456789ab",
                        "day": TODAY.isoformat(),
                        "started_at": "2026-11-17T01:25:00+00:00",
                        "ends_at": "2026-11-17T01:35:00+00:00",
                        "actor": "b",
                        "device_use": {
                            "partner": "a",
                            "entity_id": "binary_sensor.alex_phone_interactive",
                            "at": "2026-11-17T01:27:00+00:00",
                        },
                    },
                }
            },
            "ideas_used": {"reunion-best-part": "2026-11-15"},
        },
    }
    await setup_entry(entry)
    assert hass.states.get("binary_sensor.reunion_active").state == "on"
    # Home Assistant writes the migrated data (2.2) back at once.
    assert hass_storage[key]["minor_version"] == 2
    saved = json.dumps(hass_storage[key])
    assert "device_use" not in saved
    assert "alex_phone_interactive" not in saved
    assert hass.states.get("sensor.reunion_streak").state == "1"


async def test_version_1_with_a_broken_record_is_kept_aside(
    hass: HomeAssistant, config_in_tmp: Path, setup_entry, hass_storage
) -> None:
    """The migration leaves what it cannot read alone: parsing keeps it aside."""
    entry = couple_entry(ritual_subentry(RitualKind.REUNION))
    (ritual_id,) = entry.subentries
    hass_storage[STORAGE_KEY.format(entry_id=entry.entry_id)] = _version_1(
        entry.entry_id,
        {ritual_id: {"history": {"2026-11-01": {"completed": "yes"}}}},
    )
    await setup_entry(entry)
    assert '"completed": "yes"' in await _kept_aside(hass, entry)


async def test_a_newer_layout_is_kept_aside_not_overwritten(
    hass: HomeAssistant, config_in_tmp: Path, setup_entry, hass_storage
) -> None:
    """After a downgrade: the newer file is copied aside before anything is written."""
    entry = couple_entry(ritual_subentry(RitualKind.REUNION))
    key = STORAGE_KEY.format(entry_id=entry.entry_id)
    newer = {"version": 9, "minor_version": 1, "key": key, "data": {"future": True}}
    hass_storage[key] = newer
    # The harness keeps storage in memory; the real file is what gets copied aside.
    path = Path(hass.config.path(".storage", key))
    await hass.async_add_executor_job(_write, path, '{"version": 9, "data": {"future": true}}')

    await setup_entry(entry)
    assert '"future": true' in await _kept_aside(hass, entry)


async def _kept_aside(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """The entry loaded afresh, with a repair issue naming what was kept aside."""
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get("sensor.reunion_streak").state == "0"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"unreadable_storage_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "unreadable_storage"
    path = Path(issue.translation_placeholders["path"])
    return await hass.async_add_executor_job(path.read_text, "utf-8")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
