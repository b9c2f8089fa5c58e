"""The development Home Assistant of scripts/develop and its demo household, for real.

Starts `scripts/develop` on a free port with a copy of the tracked config/, logs in
through the real auth API, checks the Connection Rituals entry and the persons, moves
Sam with `scripts/demo`, and stops Home Assistant with SIGINT (Ctrl-C).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
import json
from pathlib import Path
import signal
import sys
import time
from typing import Any

import pytest

from custom_components.connection_rituals.const import STORAGE_MINOR_VERSION, STORAGE_VERSION
from custom_components.connection_rituals.core.streaks import DayOutcome, DayRecord

from .develop_helpers import (
    ROOT,
    START_TIMEOUT,
    Develop,
    demo as _demo,
    login as _login,
    request as _request,
    run_develop,
    state as _state,
    wait_until_ready as _wait_until_ready,
    ws_call as _ws_call,
)

# scripts/demo_history.py, as scripts/demo_household.py imports it (scripts/ is no package).
sys.path.insert(0, str(ROOT / "scripts"))
import demo_history

TODAY = date(2026, 12, 2)  # a Wednesday


def _persistent_notifications(base: str, token: str) -> list[dict[str, Any]]:
    """The sidebar's notifications (only the websocket API lists them)."""
    return list(_ws_call(base, token, {"type": "persistent_notification/get"}))


@pytest.fixture
def develop(tmp_path: Path, socket_enabled: None) -> Iterator[Develop]:
    """scripts/develop with a copy of the tracked config, stopped at the end."""
    with run_develop(tmp_path) as running:
        yield running


@pytest.mark.slow
@pytest.mark.timeout(START_TIMEOUT + 300)
def test_develop_serves_the_demo_household(develop: Develop) -> None:
    """Onboarded, Alex and Sam set up, the rituals entry loaded, Ctrl-C stops cleanly."""
    _wait_until_ready(develop)
    base = develop.base

    # The printed demo login works through the real auth API.
    token = _login(base, "demo", "connection")
    status, entries = _request(
        base, "GET", "/api/config/config_entries/entry?domain=connection_rituals", token
    )
    assert status == 200, entries
    assert [(entry["domain"], entry["state"]) for entry in entries] == [
        ("connection_rituals", "loaded")
    ], entries
    assert entries[0]["num_subentries"] == 2  # both demo rituals were accepted by the flow

    # Alex and Sam are persons with their own users and demo phones.
    for key in ("alex", "sam"):
        person = _state(develop, token, f"person.{key}")
        assert person["attributes"]["user_id"], person
        assert person["attributes"]["device_trackers"] == [f"device_tracker.{key}_phone"]
    status, services = _request(base, "GET", "/api/services", token)
    assert status == 200
    notify = next(item["services"] for item in services if item["domain"] == "notify")
    assert {"alex_phone", "sam_phone"} <= set(notify)

    # scripts/demo moves people; the persons follow.
    if _state(develop, token, "person.sam")["state"] == "home":
        _demo(develop, "leave", "sam")
        assert _state(develop, token, "person.sam")["state"] == "not_home"
    assert "Sam is home" in _demo(develop, "arrive", "sam")
    assert _state(develop, token, "person.sam")["state"] == "home"
    assert "Sam" in _demo(develop, "status")

    # A reunion's prompt reaches each partner's stand-in phone (a persistent notification),
    # and the house takes part: the demo lights dim for the window.
    before = _state(develop, token, "light.living_room")
    status, _ = _request(
        base,
        "POST",
        "/api/services/button/press",
        token,
        json_body={"entity_id": "button.welcome_home_start_now"},
    )
    assert status == 200
    deadline = time.monotonic() + 30
    titles: list[str] = []
    while time.monotonic() < deadline:
        notes = _persistent_notifications(base, token)
        titles = sorted(n["title"] for n in notes if n["title"].startswith("Welcome home"))
        if len(titles) == 2:
            break
        time.sleep(0.5)
    assert titles == ["Welcome home (Alex)", "Welcome home (Sam)"]
    dimmed = _state(develop, token, "light.living_room")
    assert dimmed["state"] == "on", (before, dimmed)
    assert dimmed["attributes"]["brightness"] == 64  # 25 %
    assert _state(develop, token, "binary_sensor.welcome_home_active")["state"] == "on"

    # The example dashboard loads, with the couple's cards.
    dashboard = _ws_call(base, token, {"type": "lovelace/config", "url_path": "demo-rituals"})
    cards = dashboard["views"][0]["cards"]
    assert {"custom:connection-rituals-card", "todo-list", "glance", "tile"} <= {
        card["type"] for card in cards
    }
    for card in cards:
        if card["type"].startswith("custom:"):
            continue
        for item in card.get("entities", [card.get("entity")]):
            entity_id = item["entity"] if isinstance(item, dict) else item
            assert _state(develop, token, entity_id), entity_id
    assert all(n["message"].strip() for n in notes if n["title"].startswith("Welcome home"))

    # The demo's made-up history is there for the card's calendar: months of days, mostly
    # kept, some not today or not marked, a paused week, only on the rituals' days.
    entry_id = entries[0]["entry_id"]
    history = _ws_call(base, token, {"type": "connection_rituals/history", "entry_id": entry_id})
    assert {r["name"] for r in history["rituals"]} == {"Bedtime appreciation", "Welcome home"}
    couple_days = history["couple"]
    assert len(couple_days) > 100, couple_days
    outcomes = Counter(couple_days.values())
    assert outcomes["c"] > len(couple_days) / 2, outcomes
    assert {"s", "m", "p"} <= set(outcomes), outcomes
    first = min(couple_days)
    assert first < (date.fromisoformat(history["today"]) - timedelta(days=120)).isoformat()
    assert max(couple_days) < history["today"]  # nothing made up for today
    assert history["connection_streak"] >= 5, history
    assert all(r["streak"] >= 1 for r in history["rituals"]), history["rituals"]

    # Ctrl-C: Home Assistant (exec'd by the script) stops cleanly.
    develop.process.send_signal(signal.SIGINT)
    assert develop.process.wait(120) == 0
    output = develop.output()
    assert "Attempting install" not in output, "Home Assistant installed packages at runtime"
    errors = [line for line in output.splitlines() if " ERROR (" in line]
    assert not errors, "\n".join(errors)


def test_demo_history_is_made_up_the_same_way_every_time() -> None:
    """Months of mostly kept days, some not today or not marked, a paused week, a
    recent streak; only on the rituals' active days and never today; the same each run."""
    rituals = [
        demo_history.DemoRitual("r1", "reunion"),
        demo_history.DemoRitual("b1", "bedtime", ("sun", "mon", "tue", "wed", "thu")),
    ]
    history = demo_history.demo_history(rituals, TODAY)
    assert history == demo_history.demo_history(rituals, TODAY)
    later = demo_history.demo_history(rituals, TODAY + timedelta(days=1))
    # A day keeps its made-up outcome from one day to the next (but the streaks and the
    # paused week, which are counted back from today).
    same = [
        day
        for day, record in history["b1"].items()
        if day < (TODAY - timedelta(days=50)).isoformat()
    ]
    assert same
    assert all(later["b1"][day] == history["b1"][day] for day in same)
    for ritual in rituals:
        days = history[ritual.ritual_id]
        outcomes = Counter(DayRecord.from_list(record).outcome for record in days.values())
        assert outcomes[DayOutcome.COMPLETED] > 0.6 * len(days), outcomes
        assert outcomes[DayOutcome.SKIPPED], outcomes
        assert outcomes[DayOutcome.MISSED], outcomes
        assert outcomes[DayOutcome.PAUSED] >= 5, outcomes
        assert min(days) <= (TODAY - timedelta(days=140)).isoformat()
        assert max(days) < TODAY.isoformat()
        for day in days:
            weekday = demo_history.WEEKDAYS[date.fromisoformat(day).weekday()]
            assert weekday in ritual.active_days, day
        yesterday = max(day for day in days if date.fromisoformat(day).weekday() < 4)
        assert days[yesterday] == demo_history.KEPT
    # Reunions only on some days (someone has to come home): no opportunity on the others.
    assert len(history["r1"]) < 0.9 * 150


def test_demo_history_is_written_into_the_stored_format(tmp_path: Path) -> None:
    """Added to the couple's file (the integration's storage version, compact records),
    days already there kept; a file from an unknown layout left alone."""
    assert (demo_history.STORAGE_VERSION, demo_history.STORAGE_MINOR_VERSION) == (
        STORAGE_VERSION,
        STORAGE_MINOR_VERSION,
    )
    rituals = [demo_history.DemoRitual("r1", "bedtime")]
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    path = demo_history.storage_path(tmp_path, "entry1")
    path.parent.mkdir()
    path.write_text(
        json.dumps(
            {
                "version": 2,
                "minor_version": 2,
                "key": "connection_rituals.entry1",
                "data": {"rituals": {"r1": {"history": {yesterday: [1, 0, 0, 1]}}}, "ideas": {}},
            }
        )
    )
    added = demo_history.write_history(tmp_path, "entry1", rituals, TODAY)
    stored = json.loads(path.read_text())
    history = stored["data"]["rituals"]["r1"]["history"]
    assert added == len(history) - 1 > 100
    assert history[yesterday] == [1, 0, 0, 1]  # what was there stays
    assert stored["data"]["ideas"] == {}
    assert (stored["version"], stored["minor_version"]) == (2, 2)

    newer = demo_history.storage_path(tmp_path, "entry2")
    newer.write_text(json.dumps({"version": 3, "minor_version": 1, "data": {}}))
    assert demo_history.write_history(tmp_path, "entry2", rituals, TODAY) == 0
    assert json.loads(newer.read_text())["version"] == 3


def test_demo_history_before_a_start(tmp_path: Path) -> None:
    """A couple set up before the demo had a history gets it before the next start, on
    its own rituals' days, in the home's time zone and day boundary."""
    storage = tmp_path / ".storage"
    storage.mkdir()
    entry = {
        "domain": "connection_rituals",
        "entry_id": "entry1",
        "data": {"day_boundary": "04:00:00"},
        "subentries": [
            {
                "subentry_id": "s1",
                "subentry_type": "ritual",
                "data": {"kind": "bedtime", "active_days": ["sat", "sun"]},
            },
            {"subentry_id": "x", "subentry_type": "other", "data": {}},
        ],
    }
    (storage / "core.config_entries").write_text(
        json.dumps({"data": {"entries": [{"domain": "person"}, entry]}})
    )
    (storage / "core.config").write_text(json.dumps({"data": {"time_zone": "Europe/Amsterdam"}}))
    # 02:30 on Thursday in Amsterdam: still Wednesday's ritual day.
    now = datetime(2026, 12, 3, 1, 30, tzinfo=UTC)
    assert demo_history.prepare_history(tmp_path, now) == "entry1"
    stored = json.loads(demo_history.storage_path(tmp_path, "entry1").read_text())
    days = stored["data"]["rituals"]["s1"]["history"]
    assert max(days) == "2026-11-29"  # the Sunday before
    assert {date.fromisoformat(day).weekday() for day in days} == {5, 6}
    assert set(stored["data"]["rituals"]) == {"s1"}
    assert stored["key"] == "connection_rituals.entry1"
    assert demo_history.ritual_day(now, "Europe/Amsterdam", "04:00:00") == TODAY

    (storage / "core.config_entries").write_text("{}")
    assert demo_history.prepare_history(tmp_path, now) is None
