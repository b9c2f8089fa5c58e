"""The demo household of the development Home Assistant.

Used by `scripts/develop` and `scripts/demo`. Everything goes through Home Assistant's
own HTTP and websocket APIs (login flow, onboarding, config flows), except marking the
online-only onboarding steps done before the first start (see `prepare`).

    demo_household.py [--port P] prepare CONFIG           before each start
    demo_household.py bootstrap --config C --port P [--hass-pid PID] [--no-rituals]
    demo_household.py [--config C] [--port P] status
    demo_household.py [--config C] [--port P] arrive|leave alex|sam
    demo_household.py [--config C] [--port P] phone alex|sam on|off
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Mapping
import contextlib
from datetime import datetime
import json
import os
from pathlib import Path
import signal
import sys
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiohttp
from demo_history import (
    WEEKDAYS,
    DemoRitual,
    prepare_history,
    ritual_day,
    write_history,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config"
DEFAULT_PORT = 8123
STATE_FILE = ".demo_household.json"  # git-ignored, next to configuration.yaml

DEMO_USER = "demo"
PASSWORD = "connection"  # for demo, alex and sam alike: a local demo only
PEOPLE = {"alex": "Alex", "sam": "Sam"}
DOMAIN = "connection_rituals"
DAY_BOUNDARY = "04:00:00"
RITUALS: list[dict[str, Any]] = [
    {"kind": "bedtime", "name": "Bedtime appreciation"},
    # All day, and a short minimum absence, so `scripts/demo leave sam`, a minute's
    # wait and `scripts/demo arrive sam` start a reunion whenever you try it.
    {
        "kind": "reunion",
        "name": "Welcome home",
        "min_away_minutes": 1,
        "active_start": "00:00:00",
        "active_end": "00:00:00",
        # The house takes part: these dim for the window and come back afterwards.
        "lights": ["light.living_room", "light.kitchen"],
        "brightness": 25,
    },
]
try:
    from homeassistant.config_entries import RELOAD_AFTER_UPDATE_DELAY as _RELOAD_AFTER
except ImportError:  # pragma: no cover - only where Home Assistant is not installed
    _RELOAD_AFTER = 30
RELOAD_DELAY = _RELOAD_AFTER + 2  # seconds: the reload after entities are enabled again
START_TIMEOUT = 900  # seconds to wait for Home Assistant's HTTP server
STEP_TIMEOUT = aiohttp.ClientTimeout(total=60)


class DemoError(Exception):
    """Something the user should read, without a stack trace."""


def say(prefix: str, message: str) -> None:
    """Print one clear line."""
    print(f"{prefix}: {message}", file=sys.stderr, flush=True)


# --- Home Assistant's HTTP and websocket APIs ------------------------------------------


class HomeAssistantApi:
    """A thin client for the REST and websocket APIs of one Home Assistant."""

    def __init__(self, session: aiohttp.ClientSession, port: int) -> None:
        self.session = session
        self.base = f"http://127.0.0.1:{port}"
        self.token: str | None = None

    @property
    def client_id(self) -> str:
        return f"{self.base}/"

    async def request(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            async with self.session.request(
                method, self.base + path, headers=headers, timeout=STEP_TIMEOUT, **kwargs
            ) as response:
                try:
                    body: Any = await response.json(content_type=None)
                except ValueError:
                    body = await response.text()
                return response.status, body
        except (aiohttp.ClientError, TimeoutError) as err:
            raise DemoError(f"Home Assistant at {self.base} does not answer ({err})") from err

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """A request that must succeed."""
        status, body = await self.request(method, path, **kwargs)
        if status == 401:
            raise DemoError(f"Home Assistant refused the login for {path}")
        if status >= 400:
            raise DemoError(f"{method} {path} failed ({status}): {_message(body)}")
        return body

    async def is_up(self) -> bool:
        try:
            async with self.session.get(
                f"{self.base}/manifest.json", timeout=aiohttp.ClientTimeout(total=5)
            ) as response:
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    async def exchange_code(self, code: str) -> str:
        """Trade an authorization code for an access token (`/auth/token`)."""
        body = await self.call(
            "POST",
            "/auth/token",
            data={"grant_type": "authorization_code", "code": code, "client_id": self.client_id},
        )
        self.token = body["access_token"]
        return self.token

    async def login(self, username: str, password: str) -> str:
        """Log in through the real login flow, as the frontend does."""
        flow = await self.call(
            "POST",
            "/auth/login_flow",
            json={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{self.base}/?auth_callback=1",
            },
        )
        result = await self.call(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            json={"client_id": self.client_id, "username": username, "password": password},
        )
        if result.get("type") != "create_entry":
            raise DemoError(f"Home Assistant did not accept the login '{username}'")
        return await self.exchange_code(result["result"])

    async def websocket(self) -> WebSocket:
        ws = await self.session.ws_connect(f"{self.base}/api/websocket")
        await ws.receive_json()  # auth_required
        await ws.send_json({"type": "auth", "access_token": self.token})
        if (await ws.receive_json()).get("type") != "auth_ok":
            await ws.close()
            raise DemoError("the websocket API refused the login")
        return WebSocket(ws)


class WebSocket:
    """Websocket commands, one at a time."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.next_id = 1

    async def __call__(self, command: str, **data: Any) -> Any:
        msg_id = self.next_id
        self.next_id += 1
        await self.ws.send_json({"id": msg_id, "type": command, **data})
        while True:
            message = await asyncio.wait_for(self.ws.receive_json(), 60)
            if message.get("id") == msg_id and message.get("type") == "result":
                break
        if not message.get("success"):
            raise DemoError(f"{command} failed: {_message(message.get('error'))}")
        return message.get("result")

    async def close(self) -> None:
        await self.ws.close()


def _message(body: Any) -> str:
    if isinstance(body, Mapping):
        return str(body.get("message") or body.get("reason") or body.get("errors") or body)
    return str(body)[:300]


# --- State kept between runs (token, what was created) ---------------------------------


def load_state(config: Path) -> dict[str, Any]:
    try:
        data = json.loads((config / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_state(config: Path, state: Mapping[str, Any]) -> None:
    path = config / STATE_FILE
    path.write_text(json.dumps(state, indent=2) + "\n")
    path.chmod(0o600)


async def authenticate(api: HomeAssistantApi, config: Path) -> None:
    """Use the stored long-lived token, else log in as the demo user."""
    api.token = load_state(config).get("token")
    if api.token and (await api.request("GET", "/api/"))[0] == 200:
        return
    await api.login(DEMO_USER, PASSWORD)


# --- prepare: before Home Assistant's first start --------------------------------------


def http_store(config: Path, port: int) -> None:
    """Serve 127.0.0.1:PORT, on every start.

    Newer Home Assistant releases keep the HTTP settings in storage (a YAML `http:` is
    migrated once, then ignored with a repair issue, and a changed port waits for a
    confirmation in the UI). The demo writes the stored settings itself, as confirmed.
    """
    try:
        from homeassistant.components.http import config as http_config
    except ImportError:
        return
    schema = getattr(http_config, "HTTP_STORAGE_SCHEMA", None)
    if schema is None:
        return
    stable = {
        **schema({"server_host": ["127.0.0.1"], "server_port": port}),
        "created_at": datetime.now(ZoneInfo("UTC")).isoformat(),
        "error": None,
        "error_message": None,
    }
    storage = config / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    data = {
        "version": http_config.STORAGE_VERSION,
        "minor_version": http_config.STORAGE_MINOR_VERSION,
        "key": http_config.STORAGE_KEY,
        "data": {"stable": stable, "pending": None, "yaml_migration_done": True},
    }
    (storage / http_config.STORAGE_KEY).write_text(json.dumps(data, indent=2) + "\n")


def prepare(config: Path, port: int = DEFAULT_PORT) -> None:
    """Skip the onboarding steps that would set up online services.

    Onboarding's core-config step starts weather, radio and cloud text-to-speech
    integrations, which need the internet and extra packages. For a fresh config
    directory, mark those steps done in Home Assistant's onboarding store; the user
    step (the owner account) still runs through the real API.
    """
    http_store(config, port)
    state = load_state(config)
    # A couple set up before the demo had a history: written before the start.
    if (
        state.get("rituals_created")
        and not state.get("history_written")
        and prepare_history(config, datetime.now(ZoneInfo("UTC")))
    ):
        state["history_written"] = True
        save_state(config, state)
    storage = config / ".storage"
    if (storage / "onboarding").exists() or (storage / "auth").exists():
        return
    storage.mkdir(parents=True, exist_ok=True)
    # homeassistant/components/onboarding: STORAGE_VERSION 4 in 2025.4 to 2026.2; newer
    # releases migrate older versions of this store.
    data = {
        "version": 4,
        "minor_version": 1,
        "key": "onboarding",
        "data": {"done": ["core_config", "analytics", "integration"]},
    }
    (storage / "onboarding").write_text(json.dumps(data, indent=2) + "\n")


def local_time_zone() -> str:
    """The machine's IANA time zone, so ritual times match the developer's clock."""
    candidates = [os.environ.get("TZ", "")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text().strip())
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        candidates.append(str(localtime.resolve()).partition("zoneinfo/")[2])
    for name in candidates:
        try:
            if name and ZoneInfo(name.lstrip(":")):
                return name.lstrip(":")
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return "UTC"


# --- bootstrap: after Home Assistant has started ---------------------------------------


async def wait_for_home_assistant(api: HomeAssistantApi, hass_pid: int | None) -> bool:
    """True once the HTTP server answers; False if Home Assistant went away."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    while loop.time() < deadline:
        if hass_pid is not None and not _alive(hass_pid):
            return False
        if await api.is_up():
            return True
        await asyncio.sleep(1)
    raise DemoError(f"Home Assistant did not open {api.base} within {START_TIMEOUT} s")


async def wait_until_running(api: HomeAssistantApi) -> None:
    """The HTTP server opens early in the start-up; wait for all integrations."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    while (await api.call("GET", "/api/config")).get("state") != "RUNNING":
        if loop.time() > deadline:
            raise DemoError(f"Home Assistant did not finish starting within {START_TIMEOUT} s")
        await asyncio.sleep(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def onboard(api: HomeAssistantApi) -> bool:
    """Create the owner `demo` through onboarding's user step; True if it ran now."""
    status, steps = await api.request("GET", "/api/onboarding")
    if status != 200 or all(step.get("done") for step in steps):
        return False
    if not any(step["step"] == "user" and not step["done"] for step in steps):
        raise DemoError(
            "onboarding is half done in this config directory; finish it in the browser"
        )
    result = await api.call(
        "POST",
        "/api/onboarding/users",
        json={
            "client_id": api.client_id,
            "name": "Demo",
            "username": DEMO_USER,
            "password": PASSWORD,
            "language": "en",
        },
    )
    await api.exchange_code(result["auth_code"])
    return True


async def ensure_people(ws: WebSocket) -> dict[str, str]:
    """Users alex and sam with persons following their demo phones; {key: user_id}."""
    users = {user["username"]: user for user in await ws("config/auth/list") if user["username"]}
    persons = (await ws("person/list"))["storage"]
    user_ids: dict[str, str] = {}
    for key, name in PEOPLE.items():
        if key in users:
            user_id = users[key]["id"]
        else:
            user = await ws("config/auth/create", name=name, group_ids=["system-users"])
            user_id = user["user"]["id"]
            await ws(
                "config/auth_provider/homeassistant/create",
                user_id=user_id,
                username=key,
                password=PASSWORD,
            )
        user_ids[key] = user_id
        if not any(person.get("user_id") == user_id for person in persons):
            await ws(
                "person/create",
                name=name,
                user_id=user_id,
                device_trackers=[f"device_tracker.{key}_phone"],
                picture=None,
            )
    # Onboarding made a person for the owner too; the demo household is two people.
    demo = users.get(DEMO_USER)
    for person in persons:
        if demo and person.get("user_id") == demo["id"]:
            await ws("person/delete", person_id=person["id"])
    return user_ids


async def person_entities(api: HomeAssistantApi, user_ids: Mapping[str, str]) -> dict[str, str]:
    """{key: person entity id}, found by the persons' user ids."""
    states = await api.call("GET", "/api/states")
    found = {
        state["attributes"].get("user_id"): state["entity_id"]
        for state in states
        if state["entity_id"].startswith("person.")
    }
    missing = [key for key, user_id in user_ids.items() if user_id not in found]
    if missing:
        raise DemoError(f"no person entity for {', '.join(missing)}")
    return {key: found[user_id] for key, user_id in user_ids.items()}


async def first_run_settings(api: HomeAssistantApi, ws: WebSocket) -> None:
    """What onboarding's location step would have set; Sam starts away; lights in rooms."""
    await ws(
        "config/core/update",
        location_name="Alex & Sam's home",
        time_zone=local_time_zone(),
        country="NL",
        currency="EUR",
        unit_system="metric",
        language="en",
    )
    await api.call(
        "POST",
        "/api/services/input_select/select_option",
        json={"entity_id": "input_select.sam_location", "option": "Away"},
    )
    # Onboarding created these areas; put each demo light in its room.
    areas = {area["area_id"] for area in await ws("config/area_registry/list")}
    for room in ("living_room", "kitchen", "bedroom"):
        if room in areas:
            await ws("config/entity_registry/update", entity_id=f"light.{room}", area_id=room)


async def flow_step(api: HomeAssistantApi, path: str, user_input: Mapping[str, Any]) -> Any:
    """Post one flow step; a form shown again with errors is a failure."""
    result = await api.call("POST", path, json=dict(user_input))
    if result.get("type") == "form" and result.get("errors"):
        raise DemoError(f"the form '{result.get('step_id')}' said {result['errors']}")
    return result


def form_defaults(result: Mapping[str, Any]) -> dict[str, Any]:
    """What the form shows pre-filled: defaults and suggested values."""
    values: dict[str, Any] = {}
    for field in result.get("data_schema") or []:
        suggested = (field.get("description") or {}).get("suggested_value")
        if "default" in field:
            values[field["name"]] = field["default"]
        elif suggested is not None:
            values[field["name"]] = suggested
    return values


async def create_couple(api: HomeAssistantApi, entities: Mapping[str, str]) -> str | None:
    """Add the Connection Rituals entry for Alex and Sam through the config flow API."""
    flow = await api.call("POST", "/api/config/config_entries/flow", json={"handler": DOMAIN})
    if flow.get("type") == "abort":
        raise DemoError(f"the config flow aborted: {flow.get('reason')}")
    user_input = {
        "partner_a": entities["alex"],
        "partner_b": entities["sam"],
        "notify_a": "notify.alex_phone",
        "notify_b": "notify.sam_phone",
        "devices_a": ["binary_sensor.alex_s_phone_in_use"],
        "devices_b": ["binary_sensor.sam_s_phone_in_use"],
        "day_boundary": DAY_BOUNDARY,
    }
    result = await flow_step(api, f"/api/config/config_entries/flow/{flow['flow_id']}", user_input)
    if result.get("type") == "abort" and result.get("reason") == "already_configured":
        return None
    if result.get("type") != "create_entry":
        raise DemoError(f"the config flow ended with {result.get('type')}: {_message(result)}")
    return str(result["result"]["entry_id"])


async def add_ritual(api: HomeAssistantApi, entry_id: str, ritual: Mapping[str, Any]) -> None:
    """Add one ritual through the subentry flow API (kind first, then its settings)."""
    base = "/api/config/config_entries/subentries/flow"
    flow = await api.call("POST", base, json={"handler": [entry_id, "ritual"]})
    result = await flow_step(api, f"{base}/{flow['flow_id']}", {"kind": ritual["kind"]})
    if result.get("type") == "form":
        settings = {**form_defaults(result), **{k: v for k, v in ritual.items() if k != "kind"}}
        result = await flow_step(api, f"{base}/{flow['flow_id']}", settings)
    if result.get("type") != "create_entry":
        raise DemoError(f"the ritual flow ended with {result.get('type')}: {_message(result)}")


async def ensure_rituals_entry(
    api: HomeAssistantApi,
    ws: WebSocket,
    config: Path,
    state: dict[str, Any],
    user_ids: Mapping[str, str],
) -> None:
    """The couple's entry and its demo rituals, once (a removed entry stays removed)."""
    entries = await api.call("GET", f"/api/config/config_entries/entry?domain={DOMAIN}")
    if not entries and not state.get("entry_created"):
        entry_id = await create_couple(api, await person_entities(api, user_ids))
        if entry_id is None:
            return
        state["entry_created"] = True
        save_state(config, state)
        say("develop", "added the Connection Rituals entry for Alex & Sam")
        entries = [{"entry_id": entry_id}]
    if not entries or state.get("rituals_created"):
        return
    entry_id = entries[0]["entry_id"]
    existing = await ws("config_entries/subentries/list", entry_id=entry_id)
    names = {sub.get("title", "").casefold() for sub in existing}
    for ritual in RITUALS:
        if ritual["name"].casefold() not in names:
            await add_ritual(api, entry_id, ritual)
            say("develop", f"added the ritual '{ritual['name']}'")
    state["rituals_created"] = True
    save_state(config, state)


async def ensure_history(
    api: HomeAssistantApi, ws: WebSocket, config: Path, state: dict[str, Any]
) -> None:
    """A few months of made-up history for the new couple (see demo_history.py), once.

    The couple was made by the config flow in this very start, so its storage file is
    written while the entry is disabled for a moment (a loaded entry would write its own
    state over it).
    """
    if state.get("history_written") or not state.get("rituals_created"):
        return
    entries = await api.call("GET", f"/api/config/config_entries/entry?domain={DOMAIN}")
    if not entries:
        return
    entry_id = entries[0]["entry_id"]
    known = {ritual["name"].casefold(): ritual for ritual in RITUALS}
    rituals = [
        DemoRitual(
            sub["subentry_id"],
            known[sub["title"].casefold()]["kind"],
            tuple(known[sub["title"].casefold()].get("active_days", WEEKDAYS)),
        )
        for sub in await ws("config_entries/subentries/list", entry_id=entry_id)
        if sub.get("subentry_type") == "ritual" and sub.get("title", "").casefold() in known
    ]
    if not rituals:
        return
    zone = (await api.call("GET", "/api/config"))["time_zone"]
    today = ritual_day(datetime.now(ZoneInfo("UTC")), zone, DAY_BOUNDARY)
    await ws("config_entries/disable", entry_id=entry_id, disabled_by="user")
    try:
        added = write_history(config, entry_id, rituals, today)
    finally:
        await ws("config_entries/disable", entry_id=entry_id, disabled_by=None)
    state["history_written"] = True
    save_state(config, state)
    say("develop", f"wrote {added} days of made-up ritual history for the calendar card")
    # Its entities, enabled again, have Home Assistant reload the entry once more a little
    # later: ready only after that.
    await asyncio.sleep(RELOAD_DELAY)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while loop.time() < deadline:
        entries = await api.call("GET", f"/api/config/config_entries/entry?domain={DOMAIN}")
        if entries and entries[0]["state"] == "loaded":
            return
        await asyncio.sleep(0.5)
    raise DemoError("the couple's entry did not load again after its history was written")


async def bootstrap(
    config: Path, port: int, hass_pid: int | None, with_rituals: bool = True
) -> None:
    """Everything the demo household needs inside a running Home Assistant.

    Without rituals, the household is left without a Connection Rituals entry, for
    adding it through the UI (the end-to-end browser test does).
    """
    state = load_state(config)
    async with aiohttp.ClientSession() as session:
        api = HomeAssistantApi(session, port)
        if not await wait_for_home_assistant(api, hass_pid):
            return
        first_run = await onboard(api)
        if not first_run:
            await authenticate(api, config)
        await wait_until_running(api)
        ws = await api.websocket()
        try:
            if first_run:
                say("develop", "onboarded: owner 'demo' created")
            user_ids = await ensure_people(ws)
            if first_run:
                await first_run_settings(api, ws)
            if not state.get("token"):
                name = f"scripts/demo {datetime.now():%Y-%m-%d %H:%M:%S}"
                state["token"] = await ws(
                    "auth/long_lived_access_token", client_name=name, lifespan=3650
                )
                save_state(config, state)
            try:
                if with_rituals:
                    await ensure_rituals_entry(api, ws, config, state, user_ids)
                    await ensure_history(api, ws, config, state)
            except DemoError as err:
                say(
                    "develop",
                    f"warning: could not set up Connection Rituals for Alex & Sam: {err}. "
                    "Home Assistant keeps running; add it under Settings > Devices & services.",
                )
        finally:
            await ws.close()
    say("develop", f"ready: {api.base}  (log in as '{DEMO_USER}', password '{PASSWORD}')")
    say("develop", "move people with: scripts/demo leave sam | arrive sam | status")


# --- demo commands ---------------------------------------------------------------------


async def run_command(args: argparse.Namespace) -> None:
    async with aiohttp.ClientSession() as session:
        api = HomeAssistantApi(session, args.port)
        if not await api.is_up():
            raise DemoError(
                f"no Home Assistant at {api.base}; start it with scripts/develop"
                + ("" if args.port == DEFAULT_PORT else f" --port {args.port}")
            )
        await authenticate(api, args.config)
        if args.command == "status":
            await print_status(api)
        elif args.command in ("arrive", "leave"):
            await move(api, args.person, home=args.command == "arrive")
        else:
            await api.call(
                "POST",
                f"/api/services/input_boolean/turn_{args.state}",
                json={"entity_id": f"input_boolean.{args.person}_phone_in_use"},
            )
            print(f"{PEOPLE[args.person]}'s phone is {'in use' if args.state == 'on' else 'down'}")


async def move(api: HomeAssistantApi, key: str, home: bool) -> None:
    """Set the person's location selector and wait until the person follows."""
    await api.call(
        "POST",
        "/api/services/input_select/select_option",
        json={"entity_id": f"input_select.{key}_location", "option": "Home" if home else "Away"},
    )
    want = "home" if home else "not_home"
    for _ in range(50):
        state = (await api.call("GET", f"/api/states/person.{key}"))["state"]
        if state == want:
            print(f"{PEOPLE[key]} is {'home' if home else 'away'}")
            return
        await asyncio.sleep(0.2)
    raise DemoError(f"person.{key} is still '{state}' (expected '{want}')")


async def print_status(api: HomeAssistantApi) -> None:
    states = {state["entity_id"]: state for state in await api.call("GET", "/api/states")}
    for key, name in PEOPLE.items():
        person = states.get(f"person.{key}", {}).get("state", "missing")
        phone = states.get(f"input_boolean.{key}_phone_in_use", {}).get("state", "missing")
        print(f"{name:5} {person:10} phone in use: {phone}")
    template = f"{{{{ integration_entities('{DOMAIN}') | tojson }}}}"
    entity_ids = await api.call("POST", "/api/template", json={"template": template})
    if not entity_ids:
        print("Connection Rituals: no entities (is the entry set up?)")
    rows = []
    for entity_id in entity_ids:
        state = states.get(entity_id, {})
        rows.append((state.get("attributes", {}).get("friendly_name", entity_id), state))
    for name, state in sorted(rows, key=lambda row: row[0]):
        print(f"  {name}: {state.get('state', 'missing')}")


# --- command line ----------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/demo", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="Home Assistant's port")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="its config dir")
    commands = parser.add_subparsers(dest="command", required=True)
    prep = commands.add_parser("prepare", help="(scripts/develop) before the first start")
    prep.add_argument("config_dir", type=Path)
    boot = commands.add_parser("bootstrap", help="(scripts/develop) set up the household")
    boot.add_argument("--hass-pid", type=int)
    boot.add_argument(
        "--no-rituals", action="store_true", help="no Connection Rituals entry (add it in the UI)"
    )
    commands.add_parser("status", help="where Alex and Sam are, and the rituals' states")
    for verb, text in (("arrive", "come home"), ("leave", "go away")):
        commands.add_parser(verb, help=f"let a person {text}").add_argument(
            "person", choices=sorted(PEOPLE)
        )
    phone = commands.add_parser("phone", help="pick up (on) or put down (off) a phone")
    phone.add_argument("person", choices=sorted(PEOPLE))
    phone.add_argument("state", choices=["on", "off"])
    args = parser.parse_args(argv)
    if args.command == "prepare":
        args.config = args.config_dir
    args.config = args.config.resolve()
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        if args.command == "prepare":
            prepare(args.config, args.port)
        elif args.command == "bootstrap":
            # Ctrl-C is for Home Assistant; this helper ends when Home Assistant does.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                asyncio.run(bootstrap(args.config, args.port, args.hass_pid, not args.no_rituals))
            except Exception as err:  # never a stack trace in Home Assistant's output
                if args.hass_pid is None or _alive(args.hass_pid):
                    reason = str(err) if isinstance(err, DemoError) else repr(err)
                    say("develop", f"warning: demo household not prepared: {reason}")
        else:
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `scripts/demo status | head`
            asyncio.run(run_command(args))
    except DemoError as err:
        say("demo", f"error: {err}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
