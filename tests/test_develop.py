"""The development Home Assistant of scripts/develop and its demo household, for real.

Starts `scripts/develop` on a free port with a copy of the tracked config/, logs in
through the real auth API, checks the Connection Rituals entry and the persons, moves
Sam with `scripts/demo`, and stops Home Assistant with SIGINT (Ctrl-C).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
import signal
import time
from typing import Any

import pytest

from .develop_helpers import (
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

pytestmark = [pytest.mark.slow, pytest.mark.timeout(START_TIMEOUT + 300)]


def _persistent_notifications(base: str, token: str) -> list[dict[str, Any]]:
    """The sidebar's notifications (only the websocket API lists them)."""
    return list(_ws_call(base, token, {"type": "persistent_notification/get"}))


@pytest.fixture
def develop(tmp_path: Path, socket_enabled: None) -> Iterator[Develop]:
    """scripts/develop with a copy of the tracked config, stopped at the end."""
    with run_develop(tmp_path) as running:
        yield running


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
    assert {"todo-list", "glance", "tile"} <= {card["type"] for card in cards}
    for card in cards:
        for item in card.get("entities", [card.get("entity")]):
            entity_id = item["entity"] if isinstance(item, dict) else item
            assert _state(develop, token, entity_id), entity_id
    assert all(n["message"].strip() for n in notes if n["title"].startswith("Welcome home"))

    # Ctrl-C: Home Assistant (exec'd by the script) stops cleanly.
    develop.process.send_signal(signal.SIGINT)
    assert develop.process.wait(120) == 0
    output = develop.output()
    assert "Attempting install" not in output, "Home Assistant installed packages at runtime"
    errors = [line for line in output.splitlines() if " ERROR (" in line]
    assert not errors, "\n".join(errors)
