"""Faults from outside: damaged storage files, broken notify services, flapping persons,
clock jumps and a time-zone change of Home Assistant's configuration.

Storage files are real files on disk here (the test harness otherwise keeps storage in
memory): what a user has after a power cut or a manual edit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from datetime import timedelta
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
from custom_components.connection_rituals.core.schedule import PresenceCondition

from .conftest import ALEX, SAM, couple_entry, ritual_subentry, set_person
from .helpers import move_to, tick
from .test_notifications import OWN, Household, sam_arrives, setup_couple
from .test_reunion import _ritual_device, state

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
    assert ritual["history"] == {"2026-11-16": {"started": 1, "completed": 1}}
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

    assert not path.exists()
    (kept,) = real_files.glob(f"{path.name}.corrupt.*")
    assert kept.read_bytes() == content
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
    "idea_day_is_wrong": {"ideas_used": {"hug": "soon"}},
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
    assert json.loads(aside.read_text(encoding="utf-8")) == data
    assert "kept aside" in caplog.text
    assert not _our_errors(caplog)
    await _reunion_still_works(hass, freezer, entry, hass_storage)
    # What was kept aside is never overwritten by the new history.
    assert json.loads(aside.read_text(encoding="utf-8")) == data


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
    assert json.loads(aside.read_text(encoding="utf-8")) == envelope
    assert not _our_errors(caplog)
    await _reunion_still_works(hass, freezer, entry, hass_storage)
