"""End to end in a real browser: Debian's Chromium, headless, driven by Playwright.

Against the Home Assistant of `scripts/develop --no-rituals` (the demo household, without
its Connection Rituals entry) on a free port of 127.0.0.1, as a user would:

1. log in on the real login page;
2. Settings → Devices & services → Add integration → Connection Rituals: the couple;
3. the integration page's "Add ritual": the "Welcome home" reunion (1 minute away, all
   day), then "Bedtime appreciation" with its defaults (the example dashboard shows both);
4. `scripts/demo leave sam`, a minute's wait, `scripts/demo arrive sam`;
5. the example dashboard (config/dashboards/rituals.yaml) shows the reunion window running;
6. its "Complete" button: the reunion streak on the dashboard goes from 0 d to 1 d;
7. the reunion's prompts are among the notifications (the demo's stand-in phones).

A screenshot after each step goes to tests/e2e/screenshots/tmp/ (git-ignored); with
E2E_UPDATE_SCREENSHOTS=1 the ones the README shows are copied to docs/screenshots/.
On a failure, the page's screenshot and text and Home Assistant's log are saved there as
FAILED-*. E2E_CHROMIUM names another Chromium than /usr/bin/chromium.

Run it with `scripts/test --e2e` (which installs Playwright and Chromium first).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
import contextlib
from datetime import date, timedelta
import os
from pathlib import Path
import re
import shutil
import time
from typing import TYPE_CHECKING, Any

import pytest

from tests.develop_helpers import (
    ROOT,
    START_TIMEOUT,
    Develop,
    demo,
    login,
    request,
    run_develop,
    state,
    wait_until_ready,
    ws_call,
)

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="Playwright is not installed: run `scripts/test --e2e` (scripts/setup --e2e)",
)
expect = sync_api.expect

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page, Route

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(START_TIMEOUT + 600)]

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 60_000  # a first frontend load is slow on two busy cores
SHOTS = Path(__file__).parent / "screenshots" / "tmp"
README_SHOTS = ROOT / "docs" / "screenshots"
# Per-run screenshot name -> the README's copy (only with E2E_UPDATE_SCREENSHOTS=1).
FOR_README = {
    "02-couple-form": "e2e-couple-form.png",
    "05-ritual-created": "e2e-rituals.png",
    "07-dashboard-active": "e2e-dashboard-active.png",
    "08-dashboard-streak": "e2e-dashboard-streak.png",
    "10-automation-triggers": "e2e-automation-triggers.png",
}
MIN_AWAY_S = 60  # the ritual's minimum time away, 1 minute


# The text a user sees, through the frontend's shadow roots (innerText stops at them).
_PAGE_TEXT = """() => {
    const out = [];
    const walk = (node) => {
        if (node.nodeType === Node.TEXT_NODE) {
            const text = node.textContent.trim();
            if (text) out.push(text);
            return;
        }
        if (["STYLE", "SCRIPT", "TEMPLATE"].includes(node.nodeName)) return;
        if (node.shadowRoot) walk(node.shadowRoot);
        for (const child of node.childNodes) walk(child);
    };
    walk(document.body);
    return out.join("\\n");
}"""


class Steps:
    """Screenshots after each step; the page's state when a step fails."""

    def __init__(self, page: Page, develop: Develop) -> None:
        self.page = page
        self.develop = develop
        shutil.rmtree(SHOTS, ignore_errors=True)
        SHOTS.mkdir(parents=True)
        self.started = time.monotonic()

    def shot(self, name: str) -> None:
        self.page.screenshot(path=SHOTS / f"{name}.png")

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        try:
            yield
        except BaseException:
            with contextlib.suppress(Exception):
                self.page.screenshot(path=SHOTS / f"FAILED-{name}.png")
                (SHOTS / f"FAILED-{name}.txt").write_text(
                    f"{self.page.url}\n\n{self.page.evaluate(_PAGE_TEXT)}"
                )
            with contextlib.suppress(OSError):
                shutil.copy(self.develop.log, SHOTS / "FAILED-develop.log")
            raise
        self.shot(name)
        print(f"e2e: {name} done at {time.monotonic() - self.started:.0f} s", flush=True)


@pytest.fixture
def develop(tmp_path: Path, socket_enabled: None) -> Iterator[Develop]:
    """The demo household without a Connection Rituals entry; killed at the end."""
    with run_develop(tmp_path, "--no-rituals") as running:
        wait_until_ready(running)
        yield running


@contextlib.contextmanager
def _browser_page(develop: Develop) -> Iterator[Page]:
    """A page of headless Chromium (a fresh profile) that reaches 127.0.0.1 only."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `scripts/setup --e2e`")

    def local_only(route: Route) -> None:
        # The frontend would fetch brand icons from the internet: never leave the machine.
        if route.request.url.startswith(develop.base + "/"):
            route.continue_()
        else:
            route.abort()

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(viewport=VIEWPORT, locale="en-US")
            context.route("**/*", local_only)
            new_page = context.new_page()
            new_page.set_default_timeout(TIMEOUT_MS)
            expect.set_options(timeout=TIMEOUT_MS)
            yield new_page
        finally:
            browser.close()


@pytest.fixture
def page(develop: Develop) -> Iterator[Page]:
    """A page for the household without its couple."""
    with _browser_page(develop) as new_page:
        yield new_page


def _dialog(page: Page) -> Locator:
    return page.locator("dialog-data-entry-flow")


_FOCUS_IN_INPUT = """() => {
    let active = document.activeElement;
    while (active && active.shadowRoot && active.shadowRoot.activeElement) {
        active = active.shadowRoot.activeElement;
    }
    return active !== null && active.tagName === "INPUT";
}"""


def _pick(page: Page, field: Locator, text: str) -> None:
    """Open an entity picker or a drop-down, search, click the match."""
    field.click()
    # Keys typed before its search field has the focus would reach the page's shortcuts
    # ("e" opens the quick bar).
    page.wait_for_function(_FOCUS_IN_INPUT)
    page.keyboard.type(text)
    # The picker's pop-up list lives inside the field; the match is its first item.
    field.locator("ha-combo-box-item").filter(has_text=text).first.click()


def _field_input(form: Locator, selector: str, index: int) -> Locator:
    """The input of a form's `index`-th text or number field (`ha-selector-text` or
    `ha-selector-number`): 2026.10's fields give their inner input no accessible name."""
    return form.locator(selector).nth(index).locator("input, textarea").first


def _add_ritual(page: Page, form: Locator) -> None:
    """Open "Add ritual". Right after a ritual was added the entry reloads, and a click in
    that moment may open nothing: the button is pressed again then (a user would, too)."""
    button = page.get_by_role("button", name="Add ritual")
    for attempt in range(3):
        button.click()
        try:
            expect(form).to_contain_text("Add a ritual", timeout=15_000)
            return
        except AssertionError:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")  # whatever half-opened, closed


def _set_time(page: Page, field: Locator, hours: int, minutes: int) -> None:
    """A time selector, on a 12-hour clock (English) or a 24-hour one."""
    am_pm = field.locator('ha-select[name="amPm"]')
    twelve_hour = am_pm.count() > 0
    shown = (hours % 12 or 12) if twelve_hour else hours
    field.locator('input[name="hours"]').fill(str(shown))
    field.locator('input[name="minutes"]').fill(f"{minutes:02d}")
    if twelve_hour:
        am_pm.click()
        field.locator(f'ha-list-item[value="{"AM" if hours < 12 else "PM"}"]').click()
        page.wait_for_timeout(300)


def _glance_value(page: Page, name: str) -> Locator:
    """One entity of the dashboard's "Streaks" glance card."""
    return page.locator("hui-glance-card .entity").filter(has_text=name)


def test_couple_ritual_reunion_and_streak_in_the_browser(develop: Develop, page: Page) -> None:
    """The user's way through: set up, add a ritual, a reunion happens, the streak grows."""
    steps = Steps(page, develop)
    base = develop.base

    with steps.step("01-logged-in"):
        page.goto(base + "/")
        page.locator("input[name=username]").fill("demo")
        page.locator("input[name=password]").fill("connection")
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("ha-sidebar")).to_contain_text("Rituals")
        expect(page.get_by_text("Welcome Demo")).to_be_visible()  # the overview, rendered

    with steps.step("02-couple-form"):
        page.locator('ha-sidebar a[href="/config"]').click()
        page.locator('a[href="/config/integrations"]').first.click()
        page.get_by_role("button", name="Add integration").click()
        page.locator("dialog-add-integration input").first.fill("Connection Rituals")
        page.get_by_text("Connection Rituals", exact=True).click()
        form = _dialog(page)
        expect(form).to_contain_text("Set up your couple")
        # Fields in order: partner, phone, notify service, "device in use" (per partner).
        _pick(page, form.locator("ha-selector-entity").nth(0), "Alex")
        _pick(page, form.locator("ha-selector-select").nth(0), "notify.alex_phone")
        _pick(page, form.locator("ha-selector-entity").nth(2), "Sam")
        _pick(page, form.locator("ha-selector-select").nth(1), "notify.sam_phone")
        submit = form.get_by_role("button", name="Submit")
        form.locator("ha-selector-entity").nth(0).scroll_into_view_if_needed()  # both partners
        expect(form.locator("ha-selector-entity").nth(0)).to_contain_text("Alex")
        expect(form.locator("ha-selector-entity").nth(2)).to_contain_text("Sam")
        for index, target in enumerate(("notify.alex_phone", "notify.sam_phone")):
            expect(form.locator("ha-selector-select").nth(index)).to_contain_text(target)

    with steps.step("03-couple-created"):
        submit.click()
        # The new entry's couple device ("Name and assign" from 2026.10's frontend on).
        expect(form).to_contain_text(re.compile("Device created|Name and assign"))
        # The device name field (a labelled text field; 2026.10's frontend labels it
        # without an accessible name, so the first text box of the form).
        expect(form.get_by_role("textbox").first).to_have_value("Alex & Sam")
        form.get_by_role("button", name="finish").click()  # "Skip and finish" / "Finish"
        expect(form).to_be_hidden()
        # 2026.10's frontend then shows the new device's page (older ones the list).
        expect(page.get_by_text("Alex & Sam").first).to_be_visible()

    with steps.step("04-ritual-form"):
        page.goto(f"{base}/config/integrations/integration/connection_rituals")
        expect(page.get_by_text("Alex & Sam").first).to_be_visible()
        _add_ritual(page, form)
        expect(form).to_contain_text("Reunion")  # the kind it starts from
        form.get_by_role("button", name="Submit").click()
        expect(form).to_contain_text("Tune the ritual")
        _field_input(form, "ha-selector-text", 0).fill("Welcome home")
        _field_input(form, "ha-selector-number", 1).fill("1")  # window, minimum time away
        # Active from midnight until 23:59: the test runs at any hour. (Each field stays
        # in the half of the day of its default, 06:00 and 23:00, so no AM/PM changes.)
        _set_time(page, form.locator("ha-selector-time").nth(0), 0, 0)
        _set_time(page, form.locator("ha-selector-time").nth(1), 23, 59)
        form.locator("ha-selector-time").nth(1).scroll_into_view_if_needed()

    with steps.step("05-ritual-created"):
        form.get_by_role("button", name="Submit").click()
        expect(form).to_contain_text("Created configuration for Welcome home")
        form.get_by_role("button", name="Finish").click()
        expect(form).to_be_hidden()
        expect(page.get_by_text("Welcome home").first).to_be_visible()
        # The bedtime ritual of the example dashboard, with its defaults.
        _add_ritual(page, form)
        kinds = form.locator("ha-selector-select")
        kinds.click()
        # An option by its role, or (2026.10's drop-down) by its text inside the field.
        page.get_by_role("option", name="Bedtime appreciation").or_(
            kinds.get_by_text("Bedtime appreciation", exact=True)
        ).first.click()
        form.get_by_role("button", name="Submit").click()
        expect(form).to_contain_text("Tune the ritual")
        expect(_field_input(form, "ha-selector-text", 0)).to_have_value("Bedtime appreciation")
        form.get_by_role("button", name="Submit").click()
        expect(form).to_contain_text("Created configuration for Bedtime appreciation")
        form.get_by_role("button", name="Finish").click()
        expect(form).to_be_hidden()
        expect(page.get_by_text("Bedtime appreciation").first).to_be_visible()

    # Home Assistant has what the forms showed: the couple's entry with two rituals.
    token = login(base, "demo", "connection")
    status, entries = request(
        base, "GET", "/api/config/config_entries/entry?domain=connection_rituals", token
    )
    assert status == 200, entries
    assert [(e["title"], e["state"], e["num_subentries"]) for e in entries] == [
        ("Alex & Sam", "loaded", 2)
    ], entries

    with steps.step("06-dashboard-before"):
        page.locator('ha-sidebar a[href="/demo-rituals"]').click()
        window = page.locator("hui-tile-card").filter(has_text="Reunion window")
        expect(window).to_contain_text("Not running")
        expect(_glance_value(page, "Reunion")).to_contain_text("0 d")
        reunion_card = page.locator("hui-entities-card").filter(has_text="Last happening")
        expect(reunion_card.locator("hui-button-entity-row")).to_have_count(2)

    # Sam goes away (already away since the household was set up), comes home a minute later.
    left = time.monotonic()
    assert "Sam is away" in demo(develop, "leave", "sam")
    time.sleep(max(0.0, MIN_AWAY_S + 5 - (time.monotonic() - left)))
    assert "Sam is home" in demo(develop, "arrive", "sam")

    with steps.step("07-dashboard-active"):
        expect(window).to_contain_text("Running")
        expect(window).not_to_contain_text("Not running")
        expect(_glance_value(page, "Reunion")).to_contain_text("0 d")
        expect(reunion_card).to_contain_text("Started")

    with steps.step("08-dashboard-streak"):
        complete = page.locator("hui-button-entity-row").filter(has_text="Complete")
        complete.get_by_role("button", name="Press").click()
        expect(_glance_value(page, "Reunion")).to_contain_text("1 d")
        expect(reunion_card).to_contain_text("Completed")
        expect(window).to_contain_text("Not running")

    with steps.step("09-notifications"):
        # The reunion's prompts reached both stand-in phones (the demo's notify services).
        page.locator("ha-sidebar").get_by_text("Notifications").click()
        expect(page.get_by_text("Welcome home (Alex)")).to_be_visible()
        expect(page.get_by_text("Welcome home (Sam)")).to_be_visible()

    # And Home Assistant agrees with what the page showed.
    assert state(develop, token, "sensor.welcome_home_streak")["state"] == "1"

    with steps.step("10-automation-triggers"):
        # The automation editor lists the integration's own triggers.
        page.goto(f"{base}/config/automation/edit/new")
        page.get_by_role("button", name="Add trigger").first.click()
        page.wait_for_function(_FOCUS_IN_INPUT)
        page.keyboard.type("Reunion window")
        expect(page.get_by_text("Reunion window opened").first).to_be_visible()
        expect(page.get_by_text("Reunion window closed").first).to_be_visible()

    if os.environ.get("E2E_UPDATE_SCREENSHOTS") == "1":
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        for name, target in FOR_README.items():
            shutil.copy(SHOTS / f"{name}.png", README_SHOTS / target)


# --- the card, against the whole demo household (its couple and made-up history) --------

CARD = "connection-rituals-card"
CARD_DASHBOARD = "card-editor"  # a dashboard of the UI's own (storage), for the editor
CARD_MODULE = "/connection_rituals_static/connection-rituals-card.js"

# A fresh card of 12 months next to the dashboard's: its first full render, in ms.
_RENDER_12_MONTHS = """async () => {
    const hass = document.querySelector("home-assistant").hass;
    const card = document.createElement("connection-rituals-card");
    card.setConfig({ type: "custom:connection-rituals-card", months: 12 });
    card.hass = hass;
    card.style.width = "1000px";
    document.body.appendChild(card);
    const deadline = performance.now() + 30000;
    while (card.renderTimes.first === null && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const times = card.renderTimes;
    card.remove();
    return times;
}"""


def _ws(base: str, token: str, message: dict[str, Any]) -> Any:
    """A websocket command beside Playwright (whose event loop runs in this thread)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(ws_call, base, token, message).result()


@pytest.fixture
def demo_develop(tmp_path: Path, socket_enabled: None) -> Iterator[Develop]:
    """The whole demo household: its couple, two rituals and months of history."""
    with run_develop(tmp_path) as running:
        wait_until_ready(running)
        yield running


@pytest.fixture
def demo_page(demo_develop: Develop) -> Iterator[Page]:
    with _browser_page(demo_develop) as new_page:
        yield new_page


def _card_rendered(page: Page, card: Locator, seen: list[str]) -> None:
    """The card's calendar is on the page; if not, what the page knew of the module.

    (The frontend replaces the page's custom element registry when it starts: a card
    defined before that was never found, an occasional "Configuration error" here.)
    """
    try:
        expect(card.locator(".cell").first).to_be_attached()
    except AssertionError:
        defined = page.evaluate(f"() => customElements.get('{CARD}') !== undefined")
        print(f"e2e: the card did not render (element defined: {defined})")
        print("\n".join(f"e2e:   {line}" for line in seen), flush=True)
        raise


def _log_in(page: Page, base: str) -> None:
    page.goto(base + "/")
    page.locator("input[name=username]").fill("demo")
    page.locator("input[name=password]").fill("connection")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("ha-sidebar")).to_contain_text("Rituals")


def test_card_shows_the_history_edits_and_declines(demo_develop: Develop, demo_page: Page) -> None:
    """The integration's card on the example dashboard: the demo's months of history, a
    tap on a day, "Not today" from the card; its editor from the card picker's entry; the
    time a 12-month calendar takes to render (printed)."""
    page = demo_page
    steps = Steps(page, demo_develop)
    base = demo_develop.base
    token = login(base, "demo", "connection")
    couples = _ws(base, token, {"type": "connection_rituals/couples"})["couples"]
    entry_id = couples[0]["entry_id"]
    history = _ws(base, token, {"type": "connection_rituals/history", "entry_id": entry_id})
    today = date.fromisoformat(history["today"])
    yesterday = (today - timedelta(days=1)).isoformat()
    assert history["couple"][yesterday] == "c", history["couple"]  # the demo's recent streak

    # The module is served by the integration itself, no resource added by hand.
    status, module = request(base, "GET", CARD_MODULE)
    assert status == 200
    assert f'const CARD_TYPE = "{CARD}"' in module

    seen: list[str] = []  # what the page said of the module, printed if it does not run
    page.on("console", lambda msg: seen.append(f"console {msg.type}: {msg.text[:300]}"))
    page.on("pageerror", lambda err: seen.append(f"page error: {err!r}"[:300]))
    page.on(
        "requestfinished",
        lambda req: seen.append(f"loaded {req.url}") if "connection_rituals" in req.url else None,
    )
    page.on("requestfailed", lambda req: seen.append(f"failed {req.url} {req.failure}"))
    with steps.step("card-01-dashboard"):
        _log_in(page, base)
        page.locator('ha-sidebar a[href="/demo-rituals"]').click()
        card = page.locator(CARD)
        _card_rendered(page, card, seen)
        assert page.evaluate(f"() => customElements.get('{CARD}') !== undefined")
        loaded = page.evaluate(
            "() => performance.getEntriesByType('resource').map((e) => e.name)"
            f".filter((name) => name.includes('{CARD_MODULE}'))"
        )
        assert loaded, "the frontend did not load the card's module"
        # Six months (the example's setting) of the demo's days: mostly kept.
        expect(card.locator(".cell .mark.kept").nth(100)).to_be_attached()  # > 100 kept
        expect(card.locator(".cell .mark.paused").nth(4)).to_be_attached()  # a paused week
        expect(card.locator(".header")).to_contain_text("Connection streak")

    with steps.step("card-02-day"):
        card.locator(f'.cell[data-day="{yesterday}"]').click()
        day = card.locator(".day")
        expect(day).to_contain_text("Bedtime appreciation: Kept")
        shown_day = today - timedelta(days=1)
        expect(day).to_contain_text(f"{shown_day:%A}, {shown_day:%B} {shown_day.day}")

    with steps.step("card-03-not-today"):
        row = card.locator(".today-list li.ritual").filter(has_text="Welcome home")
        row.get_by_role("button", name="Not today for Welcome home").click()
        expect(row).to_contain_text("Not today")
        expect(row.get_by_role("button", name="Not today for Welcome home")).to_have_count(0)
        card.scroll_into_view_if_needed()
        card.screenshot(path=SHOTS / "card.png")
    # Home Assistant has the decline: today's reunion is "not today" (s).
    reunion = next(r for r in couples[0]["rituals"] if r["name"] == "Welcome home")
    now = _ws(
        base,
        token,
        {
            "type": "connection_rituals/history",
            "entry_id": entry_id,
            "start": today.isoformat(),
            "ritual_ids": [reunion["id"]],
        },
    )
    assert now["days"] == {today.isoformat(): "s"}, now

    # The editor, on a dashboard of the UI's own, from the card picker's entry.
    _ws(
        base,
        token,
        {
            "type": "lovelace/dashboards/create",
            "url_path": CARD_DASHBOARD,
            "title": "Card editor",
            "mode": "storage",
            "show_in_sidebar": False,
            "require_admin": False,
        },
    )
    _ws(
        base,
        token,
        {
            "type": "lovelace/config/save",
            "url_path": CARD_DASHBOARD,
            "config": {"views": [{"title": "Us", "cards": []}]},
        },
    )
    with steps.step("card-04-picker"):
        page.goto(f"{base}/{CARD_DASHBOARD}/0")
        page.get_by_role("button", name="Edit dashboard").click()
        page.get_by_role("button", name="Add card").click()
        page.get_by_role("tab", name="By card").click()
        page.get_by_placeholder("Search cards").fill("Connection")
        choice = page.locator("hui-card-picker .card").filter(has_text="Connection Rituals")
        expect(choice).to_have_count(1)
        choice.click()

    with steps.step("card-05-editor"):
        editor = page.locator(f"{CARD}-editor")
        expect(editor.locator("#couple")).to_contain_text("Alex & Sam")
        expect(editor).to_contain_text("Welcome home")
        months = editor.locator("#months")
        expect(months).to_have_value("12")
        months.fill("3")
        months.press("Tab")
        preview = page.locator(f"hui-dialog-edit-card {CARD}")
        expect(preview).to_contain_text("Calendar of the last 3 months")
        page.get_by_role("button", name="Save").click()
        shown = page.locator(f"hui-masonry-view {CARD}")
        expect(shown).to_contain_text("Calendar of the last 3 months")
    saved = _ws(base, token, {"type": "lovelace/config", "url_path": CARD_DASHBOARD})
    assert saved["views"][0]["cards"] == [
        {"type": f"custom:{CARD}", "entry_id": entry_id, "months": 3}
    ], saved

    times = page.evaluate(_RENDER_12_MONTHS)
    assert times["first"] is not None, times
    print(
        f"e2e: the card's first render of 12 months ({times['days']} days) took "
        f"{times['first']:.1f} ms in Chromium (target < 100 ms)",
        flush=True,
    )

    if os.environ.get("E2E_UPDATE_SCREENSHOTS") == "1":
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(SHOTS / "card.png", README_SHOTS / "card.png")
