"""The development Home Assistant of scripts/develop and its demo household, for real.

Starts `scripts/develop` on a free port with a copy of the tracked config/, logs in
through the real auth API, checks the Connection Rituals entry and the persons, moves
Sam with `scripts/demo`, and stops Home Assistant with SIGINT (Ctrl-C).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
import json
import os
from pathlib import Path
import shutil
import signal
import socket
import subprocess
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request

import aiohttp
import pytest

ROOT = Path(__file__).resolve().parent.parent
TRACKED_CONFIG = ("configuration.yaml", "demo", "dashboards", "blueprints")
START_TIMEOUT = 900  # the first run may install requirements_dev.txt

pytestmark = [pytest.mark.slow, pytest.mark.timeout(START_TIMEOUT + 300)]


@dataclass
class Develop:
    """A running scripts/develop."""

    process: subprocess.Popen[bytes]
    port: int
    config: Path
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _copy_tracked_config(target: Path) -> None:
    """Only what git tracks under config/, never its runtime files."""
    target.mkdir()
    source = ROOT / "config"
    for name in TRACKED_CONFIG:
        path = source / name
        if path.is_file():
            shutil.copy(path, target / name)
        elif path.is_dir():
            # Home Assistant copies its own example blueprints into blueprints/*/homeassistant.
            shutil.copytree(path, target / name, ignore=shutil.ignore_patterns("homeassistant"))


def _request(
    base: str,
    method: str,
    path: str,
    token: str | None = None,
    json_body: Any = None,
    form: dict[str, str] | None = None,
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def _login(base: str, username: str, password: str) -> str:
    """The frontend's way in: login flow, then an authorization code for a token."""
    client_id = f"{base}/"
    status, flow = _request(
        base,
        "POST",
        "/auth/login_flow",
        json_body={
            "client_id": client_id,
            "handler": ["homeassistant", None],
            "redirect_uri": f"{base}/?auth_callback=1",
        },
    )
    assert status == 200, flow
    status, result = _request(
        base,
        "POST",
        f"/auth/login_flow/{flow['flow_id']}",
        json_body={"client_id": client_id, "username": username, "password": password},
    )
    assert status == 200, result
    assert result["type"] == "create_entry", result
    status, tokens = _request(
        base,
        "POST",
        "/auth/token",
        form={"grant_type": "authorization_code", "code": result["result"], "client_id": client_id},
    )
    assert status == 200, tokens
    return str(tokens["access_token"])


def _wait_until_ready(develop: Develop) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        output = develop.output()
        if "develop: ready:" in output:
            return
        if "warning: demo household not prepared" in output or develop.process.poll() is not None:
            pytest.fail(f"scripts/develop did not get ready:\n{output[-5000:]}")
        time.sleep(1)
    pytest.fail(f"scripts/develop not ready after {START_TIMEOUT} s:\n{develop.output()[-5000:]}")


def _demo(develop: Develop, *args: str) -> str:
    result = subprocess.run(
        [ROOT / "scripts" / "demo", "--port", str(develop.port), "--config", develop.config, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _state(develop: Develop, token: str, entity_id: str) -> dict[str, Any]:
    status, state = _request(develop.base, "GET", f"/api/states/{entity_id}", token)
    assert status == 200, f"{entity_id}: {state}"
    return dict(state)


def _ws_call(base: str, token: str, message: dict[str, Any]) -> Any:
    """One websocket API command (what the frontend uses), its result."""

    async def _call() -> Any:
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(base.replace("http", "ws", 1) + "/api/websocket") as ws,
        ):
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": token})
            assert (await ws.receive_json())["type"] == "auth_ok"
            await ws.send_json({"id": 1, **message})
            reply = await ws.receive_json()
            assert reply["success"], reply
            return reply["result"]

    return asyncio.run(_call())


def _persistent_notifications(base: str, token: str) -> list[dict[str, Any]]:
    """The sidebar's notifications (only the websocket API lists them)."""
    return list(_ws_call(base, token, {"type": "persistent_notification/get"}))


@pytest.fixture
def develop(tmp_path: Path, socket_enabled: None) -> Iterator[Develop]:
    """scripts/develop with a copy of the tracked config, stopped at the end."""
    config = tmp_path / "config"
    _copy_tracked_config(config)
    log = tmp_path / "develop.log"
    port = _free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [ROOT / "scripts" / "develop", "--port", str(port), "--config", config],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a group of its own: cleanup reaches the helper too
            env={k: v for k, v in os.environ.items() if k != "CONNECTION_RITUALS_DEV_PORT"},
        )
    running = Develop(process, port, config, log)
    try:
        yield running
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)


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
