"""The card's websocket commands (history, today's rituals live) and its served module."""

from __future__ import annotations

from datetime import date, timedelta
import hashlib
import json
from typing import Any

from aiohttp import WSMsgType
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import frontend
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import CLIENT_ID, MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.connection_rituals.card import (
    CARD_FILE,
    FRONTEND_DIR,
    STATIC_URL,
    async_register_card,
)
from custom_components.connection_rituals.const import (
    CONF_HIDE_STREAKS,
    DOMAIN,
    HISTORY_DAYS,
    RitualKind,
)

from .conftest import SAM, couple_entry, ritual_subentry, set_person
from .helpers import devices_by_name, move_to, stored_file, tick

TODAY = date(2026, 11, 16)  # a Monday; the ritual day of 17:30 local below
NOW = "2026-11-16 17:30:00-08:00"


def _day(offset: int) -> str:
    return (TODAY - timedelta(days=offset)).isoformat()


def _store(hass_storage: dict[str, Any], entry: MockConfigEntry, rituals: dict[str, Any]) -> None:
    """A couple's stored file (storage version 2: compact day records)."""
    hass_storage[f"{DOMAIN}.{entry.entry_id}"] = stored_file(entry.entry_id, rituals)


def _two_rituals(**options: Any) -> MockConfigEntry:
    return couple_entry(
        ritual_subentry(RitualKind.REUNION, name="Reunion"),
        ritual_subentry(RitualKind.BEDTIME, name="Bedtime"),
        options=options or None,
    )


async def _setup(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_entry: Any,
    hass_storage: dict[str, Any],
    *,
    reunion_today: list[int] | None = None,
    **options: Any,
) -> tuple[MockConfigEntry, str, str]:
    """Alex & Sam with a reunion and a bedtime ritual and a few days behind them."""
    await move_to(hass, freezer, NOW)
    entry = _two_rituals(**options)
    reunion, bedtime = entry.subentries
    _store(
        hass_storage,
        entry,
        {
            reunion: {
                "history": {
                    _day(3): [1, 1],  # kept
                    _day(2): [1, 0, 1],  # not marked
                    _day(1): [1, 0, 0, 1],  # not today
                    **({_day(0): reunion_today} if reunion_today else {}),
                }
            },
            bedtime: {
                "history": {
                    _day(3): [1, 0, 1],  # not marked: the reunion kept the day
                    _day(2): [0, 0, 0, 1],  # not today: not marked wins for the couple
                    _day(1): [0, 0, 0, 0, 1],  # paused
                    _day(400): [1, 1],  # long ago
                    _day(5): [1],  # started only: no opportunity, left out
                }
            },
        },
    )
    await setup_entry(entry)
    return entry, reunion, bedtime


async def _ws(hass: HomeAssistant, hass_ws_client: WebSocketGenerator, user: MockUser) -> Any:
    """A websocket client of `user`, logged in now (the clock jumps in these tests, and an
    access token lives for 30 minutes)."""
    refresh_token = await hass.auth.async_create_refresh_token(user, CLIENT_ID)
    return await hass_ws_client(hass, hass.auth.async_create_access_token(refresh_token))


async def _bedtime_kept(client: Any, bedtime: str) -> dict[str, Any]:
    """The push that shows bedtime kept; a reload may push its own blips first (a moment
    unloaded, then today as it was), depending on the release."""
    for _ in range(3):
        event: dict[str, Any] = (await client.receive_json())["event"]
        if event["loaded"] and {r["id"]: r for r in event["rituals"]}[bedtime]["outcome"] == "c":
            return event
    raise AssertionError("bedtime was not pushed as kept")


async def _history(client: Any, **params: Any) -> dict[str, Any]:
    await client.send_json_auto_id({"type": "connection_rituals/history", **params})
    response: dict[str, Any] = await client.receive_json()
    return response


async def test_history_for_a_logged_in_user(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_entry,
    hass_storage,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_user: MockUser,
) -> None:
    """Any user of the house (not only admins) gets the couple's days, compactly."""
    entry, reunion, bedtime = await _setup(hass, freezer, setup_entry, hass_storage)
    client = await _ws(hass, hass_ws_client, hass_read_only_user)

    response = await _history(client, entry_id=entry.entry_id, start=_day(10), end=_day(0))

    assert response["success"], response
    result = response["result"]
    devices = devices_by_name(hass)
    assert result["rituals"] == [
        {
            "id": reunion,
            "name": "Reunion",
            "kind": "reunion",
            "device_id": devices["Reunion"],
            "enabled": True,
            "streak": 1,
            "best": 1,
        },
        {
            "id": bedtime,
            "name": "Bedtime",
            "kind": "bedtime",
            "device_id": devices["Bedtime"],
            "enabled": True,
            "streak": 1,  # the day 400 days ago; the rest is neutral within the allowances
            "best": 1,
        },
    ]
    assert result["days"] == {_day(3): "cm", _day(2): "ms", _day(1): "sp"}
    assert result["couple"] == {_day(3): "c", _day(2): "m", _day(1): "s"}
    assert result["start"] == _day(10)
    assert result["end"] == result["today"] == TODAY.isoformat()
    assert result["title"] == "Alex & Sam"
    assert result["pressure_free"] is False
    assert result["vacation"] is False
    # Day 400 and day 3 kept; not marked (grace day) and not today (allowance) are neutral.
    assert result["connection_streak"] == entry.runtime_data.connection_stats.current == 2
    assert result["unknown_ritual_ids"] == []


async def test_history_defaults_and_ritual_choice(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_entry,
    hass_storage,
    hass_ws_client: WebSocketGenerator,
    hass_admin_user: MockUser,
) -> None:
    """Without a range: the last 365 days; chosen rituals come in the order asked."""
    entry, reunion, bedtime = await _setup(hass, freezer, setup_entry, hass_storage)
    client = await _ws(hass, hass_ws_client, hass_admin_user)

    result = (await _history(client, entry_id=entry.entry_id))["result"]
    assert (result["start"], result["end"]) == (_day(364), _day(0))
    assert _day(400) not in result["days"]

    result = (
        await _history(
            client,
            entry_id=entry.entry_id,
            start=_day(500),
            end=_day(0),
            ritual_ids=[bedtime, "gone-ritual", bedtime],
        )
    )["result"]
    assert [r["id"] for r in result["rituals"]] == [bedtime]
    assert result["unknown_ritual_ids"] == ["gone-ritual"]
    assert result["days"] == {_day(400): "c", _day(3): "m", _day(2): "s", _day(1): "p"}
    assert result["couple"] == {_day(400): "c", _day(3): "m", _day(2): "s", _day(1): "p"}

    # An empty choice is every ritual.
    result = (await _history(client, entry_id=entry.entry_id, ritual_ids=[]))["result"]
    assert [r["id"] for r in result["rituals"]] == [reunion, bedtime]


async def test_bad_input_gets_a_clear_error(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_entry,
    hass_storage,
    hass_ws_client: WebSocketGenerator,
    hass_admin_user: MockUser,
) -> None:
    """Unknown or unloaded couples, reversed or huge ranges, and non-dates are refused."""
    entry, _, _ = await _setup(hass, freezer, setup_entry, hass_storage)
    client = await _ws(hass, hass_ws_client, hass_admin_user)

    response = await _history(client, entry_id="no-such-couple")
    assert not response["success"]
    assert response["error"]["code"] == "not_found"
    assert "no-such-couple" in response["error"]["message"]

    other = MockConfigEntry(domain="person", title="Not a couple")
    other.add_to_hass(hass)
    response = await _history(client, entry_id=other.entry_id)
    assert response["error"]["code"] == "not_found"

    response = await _history(client, entry_id=entry.entry_id, start=_day(1), end=_day(2))
    assert response["error"]["code"] == "invalid_format"
    assert response["error"]["message"] == (
        f"The range is reversed: start {_day(1)} is after end {_day(2)}"
    )

    response = await _history(
        client, entry_id=entry.entry_id, start=_day(HISTORY_DAYS), end=_day(0)
    )
    assert response["error"]["code"] == "invalid_format"
    assert f"spans {HISTORY_DAYS + 1} days" in response["error"]["message"]
    assert f"at most {HISTORY_DAYS} days" in response["error"]["message"]
    response = await _history(client, entry_id=entry.entry_id, start="2016-01-01", end="2026-01-01")
    assert response["error"]["code"] == "invalid_format"
    response = await _history(
        client, entry_id=entry.entry_id, start=_day(HISTORY_DAYS - 1), end=_day(0)
    )
    assert response["success"]

    response = await _history(client, entry_id=entry.entry_id, start="last week")
    assert response["error"]["code"] == "invalid_format"
    await client.send_json_auto_id({"type": "connection_rituals/history"})
    assert (await client.receive_json())["error"]["code"] == "invalid_format"

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    response = await _history(client, entry_id=entry.entry_id)
    assert response["error"]["code"] == "not_loaded"
    assert "Alex & Sam" in response["error"]["message"]
    await client.send_json_auto_id(
        {"type": "connection_rituals/subscribe_today", "entry_id": entry.entry_id}
    )
    assert (await client.receive_json())["error"]["code"] == "not_loaded"


# The server's side of a refused connection may leave aiohttp's heartbeat timer armed for a
# moment after it closed (aiohttp's, not ours).
@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_commands_need_a_logged_in_user(
    hass: HomeAssistant,
    setup_entry,
    aiohttp_client: ClientSessionGenerator,
    socket_enabled: None,
) -> None:
    """Without logging in (or with a wrong token), a connection cannot ask for anything."""
    entry = await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    assert await async_setup_component(hass, "websocket_api", {})
    client = await aiohttp_client(hass.http.app)
    for first in (
        {"id": 1, "type": "connection_rituals/history", "entry_id": entry.entry_id},
        {"type": "auth", "access_token": "not-a-token"},
    ):
        websocket = await client.ws_connect("/api/websocket")
        assert (await websocket.receive_json())["type"] == "auth_required"
        await websocket.send_json(first)
        reply = await websocket.receive_json()
        assert reply["type"] == "auth_invalid"
        assert (await websocket.receive()).type is WSMsgType.CLOSE
        await websocket.close()
    await client.close()
    await hass.async_block_till_done()


async def test_years_of_history(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_entry,
    hass_storage,
    hass_ws_client: WebSocketGenerator,
    hass_admin_user: MockUser,
) -> None:
    """Ten years of daily records: the last 800 days answer day by day, older days only
    live on in the figures (their baseline)."""
    await move_to(hass, freezer, NOW)
    entry = _two_rituals()
    reunion, bedtime = entry.subentries
    histories: dict[str, dict[str, list[int]]] = {reunion: {}, bedtime: {}}
    for offset in range(1, 10 * 365 + 1):
        # Reunions every day; bedtime kept but one night in ten not marked.
        histories[reunion][_day(offset)] = [1, 1]
        histories[bedtime][_day(offset)] = [1, 0, 1] if offset % 10 == 0 else [1, 1]
    _store(hass_storage, entry, {rid: {"history": h} for rid, h in histories.items()})
    await setup_entry(entry)
    client = await _ws(hass, hass_ws_client, hass_admin_user)

    result = (await _history(client, entry_id=entry.entry_id, start=_day(799), end=_day(0)))[
        "result"
    ]
    assert len(result["days"]) == 799  # every day but today
    assert result["days"][_day(1)] == "cc"
    assert result["days"][_day(10)] == "cm"
    assert set(result["couple"].values()) == {"c"}
    streaks = {r["name"]: (r["streak"], r["best"]) for r in result["rituals"]}
    assert streaks["Reunion"] == (10 * 365, 10 * 365)  # the baseline carries the old days
    assert hass.states.get("sensor.reunion_streak").state == str(10 * 365)
    # The couple's streak is what its sensor shows.
    connection_streak = hass.states.get("sensor.alex_sam_connection_streak").state
    assert result["connection_streak"] == int(connection_streak) > 799

    # Ranges across the years: before the kept history there is nothing left to show.
    result = (await _history(client, entry_id=entry.entry_id, start=_day(3000), end=_day(2300)))[
        "result"
    ]
    assert result["days"] == {}
    result = (await _history(client, entry_id=entry.entry_id, start=_day(1200), end=_day(401)))[
        "result"
    ]
    stored_days = sorted(entry.runtime_data.rituals[reunion].state.history)
    assert min(result["days"]) == stored_days[0].isoformat()
    assert max(result["days"]) == _day(401)

    # Future days have no record yet.
    result = (
        await _history(
            client,
            entry_id=entry.entry_id,
            start=TODAY.isoformat(),
            end=(TODAY + timedelta(days=30)).isoformat(),
        )
    )["result"]
    assert result["days"] == {}


async def test_pressure_free_shows_kept_days_only(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_entry,
    hass_storage,
    hass_ws_client: WebSocketGenerator,
    hass_admin_user: MockUser,
) -> None:
    """Hide streaks: kept days and nothing else, and no figures at all."""
    entry, reunion, bedtime = await _setup(
        hass,
        freezer,
        setup_entry,
        hass_storage,
        reunion_today=[1, 0, 1],  # not marked
        **{CONF_HIDE_STREAKS: True},
    )
    client = await _ws(hass, hass_ws_client, hass_admin_user)

    result = (await _history(client, entry_id=entry.entry_id, start=_day(500)))["result"]
    assert result["pressure_free"] is True
    assert result["days"] == {_day(400): "oc", _day(3): "co"}
    assert result["couple"] == {_day(400): "c", _day(3): "c"}
    assert result["connection_streak"] is None
    assert all(r["streak"] is None and r["best"] is None for r in result["rituals"])

    await client.send_json_auto_id(
        {"type": "connection_rituals/subscribe_today", "entry_id": entry.entry_id}
    )
    assert (await client.receive_json())["success"]
    event = (await client.receive_json())["event"]
    assert event["pressure_free"] is True
    assert event["connection_streak"] is None
    assert {r["id"]: r["streak"] for r in event["rituals"]} == {
        r["id"]: None for r in event["rituals"]
    }
    assert bedtime in {r["id"] for r in event["rituals"]}

    # Today's reunion, already not marked (it ended unmarked), shows nothing either.
    today = {r["id"]: r for r in event["rituals"]}[reunion]
    assert entry.runtime_data.rituals[reunion].state.history[TODAY].missed == 1
    assert (today["active"], today["outcome"]) == (False, "o")
    result = (await _history(client, entry_id=entry.entry_id, start=_day(0)))["result"]
    assert result["days"] == {}


async def test_subscription_pushes_today(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_entry,
    hass_storage,
    hass_ws_client: WebSocketGenerator,
    hass_admin_user: MockUser,
) -> None:
    """Today's rituals now, then again as they open, are kept or declined, and reload."""
    entry, reunion, bedtime = await _setup(hass, freezer, setup_entry, hass_storage)
    engine = entry.runtime_data
    listeners_before = engine.publisher.listener_count(None)
    devices = devices_by_name(hass)
    client = await _ws(hass, hass_ws_client, hass_admin_user)
    await client.send_json_auto_id(
        {"type": "connection_rituals/subscribe_today", "entry_id": entry.entry_id}
    )
    subscribed = await client.receive_json()
    assert subscribed["success"]
    subscription = subscribed["id"]

    first = await client.receive_json()
    assert first["id"] == subscription
    today = first["event"]
    assert today["loaded"] is True
    assert today["today"] == TODAY.isoformat()
    assert today["title"] == "Alex & Sam"
    assert today["connection_streak"] == 2
    by_id = {r["id"]: r for r in today["rituals"]}
    assert by_id[bedtime] == {
        "id": bedtime,
        "name": "Bedtime",
        "kind": "bedtime",
        "device_id": devices["Bedtime"],
        "enabled": True,
        "streak": 1,
        "best": 1,
        "scheduled": True,
        "active": False,
        "outcome": "o",
    }

    # Sam comes home: the reunion window opens.
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    pushed = (await client.receive_json())["event"]
    reunion_now = {r["id"]: r for r in pushed["rituals"]}[reunion]
    assert (reunion_now["active"], reunion_now["outcome"]) == (True, "o")

    # Kept from the card: one push with the new figures.
    await hass.services.async_call(
        DOMAIN, "complete", {"ritual": devices["Reunion"]}, blocking=True
    )
    pushed = (await client.receive_json())["event"]
    reunion_now = {r["id"]: r for r in pushed["rituals"]}[reunion]
    assert (reunion_now["active"], reunion_now["outcome"]) == (False, "c")
    assert reunion_now["streak"] == 2
    assert pushed["connection_streak"] == 3

    # Not today, from the card.
    await hass.services.async_call(DOMAIN, "skip", {"ritual": devices["Bedtime"]}, blocking=True)
    pushed = (await client.receive_json())["event"]
    assert {r["id"]: r for r in pushed["rituals"]}[bedtime]["outcome"] == "s"

    # The history agrees with what was pushed.
    result = (await _history(client, entry_id=entry.entry_id, start=_day(0)))["result"]
    assert result["days"] == {_day(0): "cs"}

    # A reload (a ritual added or changed) follows the new engine.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data is not engine
    assert entry.runtime_data.publisher.listener_count(None) == listeners_before + 1
    await hass.services.async_call(
        DOMAIN, "complete", {"ritual": devices["Bedtime"]}, blocking=True
    )
    await _bedtime_kept(client, bedtime)

    # Unloaded, the card hears so; set up again, today's rituals come back.
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert (await client.receive_json())["event"] == {"loaded": False}
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    pushed = (await client.receive_json())["event"]
    assert pushed["loaded"] is True
    assert entry.runtime_data.publisher.listener_count(None) == listeners_before + 1

    # A new ritual day is pushed too.
    await tick(hass, freezer, hours=11)  # 04:30 the next morning
    pushed = (await client.receive_json())["event"]
    assert pushed["today"] == (TODAY + timedelta(days=1)).isoformat()

    # Unsubscribing lets go of the engine.
    await client.send_json_auto_id({"type": "unsubscribe_events", "subscription": subscription})
    assert (await client.receive_json())["success"]
    assert entry.runtime_data.publisher.listener_count(None) == listeners_before
    await hass.services.async_call(
        DOMAIN, "complete", {"ritual": devices["Reunion"]}, blocking=True
    )
    await hass.async_block_till_done()
    result = (await _history(client, entry_id=entry.entry_id, start=_day(-1)))["result"]
    assert result["days"] == {_day(-1): "co"}  # the next reply is the history, no push


async def test_closing_the_connection_unsubscribes(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_entry,
    hass_storage,
    hass_ws_client: WebSocketGenerator,
    hass_admin_user: MockUser,
) -> None:
    """A closed dashboard leaves no listener behind."""
    entry, _, _ = await _setup(hass, freezer, setup_entry, hass_storage)
    engine = entry.runtime_data
    before = engine.publisher.listener_count(None)
    client = await _ws(hass, hass_ws_client, hass_admin_user)
    await client.send_json_auto_id(
        {"type": "connection_rituals/subscribe_today", "entry_id": entry.entry_id}
    )
    assert (await client.receive_json())["success"]
    assert (await client.receive_json())["event"]["loaded"] is True
    assert engine.publisher.listener_count(None) == before + 1
    await client.close()
    await hass.async_block_till_done()
    assert engine.publisher.listener_count(None) == before


async def test_couples_for_the_editor(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_entry,
    hass_storage,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_user: MockUser,
) -> None:
    """The editor lists every couple with its rituals, loaded or not."""
    entry, reunion, bedtime = await _setup(hass, freezer, setup_entry, hass_storage)
    client = await _ws(hass, hass_ws_client, hass_read_only_user)
    await client.send_json_auto_id({"type": "connection_rituals/couples"})
    couples = (await client.receive_json())["result"]["couples"]
    assert couples == [
        {
            "entry_id": entry.entry_id,
            "title": "Alex & Sam",
            "loaded": True,
            "rituals": [
                {"id": reunion, "name": "Reunion", "kind": "reunion"},
                {"id": bedtime, "name": "Bedtime", "kind": "bedtime"},
            ],
        }
    ]
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await client.send_json_auto_id({"type": "connection_rituals/couples"})
    couples = (await client.receive_json())["result"]["couples"]
    assert couples[0]["loaded"] is False
    assert [r["id"] for r in couples[0]["rituals"]] == [reunion, bedtime]
    assert couples[0]["rituals"][0]["kind"] == "reunion"


async def test_card_is_served_and_loaded(
    hass: HomeAssistant, setup_entry, hass_client: ClientSessionGenerator
) -> None:
    """The module is served from the integration, under a URL that changes with it."""
    # The frontend's list of extra modules, as the frontend keeps it (its own setup needs
    # the frontend's files, which the test harness does not have).
    hass.data[frontend.DATA_EXTRA_MODULE_URL] = frontend.UrlManager(lambda *_: None, [])
    assert await async_setup_component(hass, "http", {})  # the web server comes first
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    await setup_entry(couple_entry(ritual_subentry(RitualKind.BEDTIME)))

    version = json.loads((FRONTEND_DIR.parent / "manifest.json").read_text())["version"]
    digest = hashlib.sha256((FRONTEND_DIR / CARD_FILE).read_bytes()).hexdigest()[:8]
    url = f"{STATIC_URL}/{CARD_FILE}?v={version}-{digest}"
    # One module on every dashboard, however many couples there are.
    assert hass.data[frontend.DATA_EXTRA_MODULE_URL].urls == {url}

    client = await hass_client()
    response = await client.get(url)
    assert response.status == 200
    assert "max-age" in response.headers.get("Cache-Control", "")
    text = await response.text()
    assert 'const CARD_TYPE = "connection-rituals-card";' in text
    assert 'const EDITOR_TYPE = "connection-rituals-card-editor";' in text
    assert "window.customCards" in text
    assert (await client.get(f"{STATIC_URL}/nothing-here.js")).status == 404


async def test_card_needs_a_web_server(hass: HomeAssistant) -> None:
    """Without http there is nothing to serve (and no error)."""
    assert "http" not in hass.config.components
    assert await async_register_card(hass) is None


async def test_card_without_frontend_is_still_served(
    hass: HomeAssistant, setup_entry, hass_client: ClientSessionGenerator
) -> None:
    """No frontend loaded (a headless install): served, for a manual resource."""
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    assert frontend.DATA_EXTRA_MODULE_URL not in hass.data
    url = await async_register_card(hass)
    assert url is not None
    assert (await (await hass_client()).get(url)).status == 200
