"""Running `scripts/develop` for real: shared by tests/test_develop.py and tests/e2e.

A copy of the tracked config/ in a temporary directory, a free port on 127.0.0.1, the
process in a group of its own (so the cleanup reaches the bootstrap helper too), the
real auth API for a token, and `scripts/demo` to move people.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
import contextlib
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def copy_tracked_config(target: Path) -> None:
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


@contextlib.contextmanager
def run_develop(tmp_path: Path, *args: str) -> Iterator[Develop]:
    """scripts/develop [args] with a copy of the tracked config, killed at the end."""
    config = tmp_path / "config"
    copy_tracked_config(config)
    log = tmp_path / "develop.log"
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [ROOT / "scripts" / "develop", "--port", str(port), "--config", config, *args],
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


def request(
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
    req = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def login(base: str, username: str, password: str) -> str:
    """The frontend's way in: login flow, then an authorization code for a token."""
    client_id = f"{base}/"
    status, flow = request(
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
    status, result = request(
        base,
        "POST",
        f"/auth/login_flow/{flow['flow_id']}",
        json_body={"client_id": client_id, "username": username, "password": password},
    )
    assert status == 200, result
    assert result["type"] == "create_entry", result
    status, tokens = request(
        base,
        "POST",
        "/auth/token",
        form={"grant_type": "authorization_code", "code": result["result"], "client_id": client_id},
    )
    assert status == 200, tokens
    return str(tokens["access_token"])


def wait_until_ready(develop: Develop) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        output = develop.output()
        if "develop: ready:" in output:
            return
        if "warning: demo household not prepared" in output or develop.process.poll() is not None:
            pytest.fail(f"scripts/develop did not get ready:\n{output[-5000:]}")
        time.sleep(1)
    pytest.fail(f"scripts/develop not ready after {START_TIMEOUT} s:\n{develop.output()[-5000:]}")


def demo(develop: Develop, *args: str) -> str:
    """scripts/demo against this Home Assistant; its output."""
    result = subprocess.run(
        [ROOT / "scripts" / "demo", "--port", str(develop.port), "--config", develop.config, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def state(develop: Develop, token: str, entity_id: str) -> dict[str, Any]:
    status, body = request(develop.base, "GET", f"/api/states/{entity_id}", token)
    assert status == 200, f"{entity_id}: {body}"
    return dict(body)


def ws_call(base: str, token: str, message: dict[str, Any]) -> Any:
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
