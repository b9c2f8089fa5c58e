"""The automation blueprints in blueprints/automation/connection_rituals/, run for real."""

from __future__ import annotations

from collections.abc import AsyncGenerator
import logging
from pathlib import Path
import shutil
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import models
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service

from custom_components.connection_rituals.const import RitualKind

from .conftest import ALEX, SAM, couple_entry, ritual_subentry, set_person
from .helpers import move_to as _move_to, tick as _tick

REPO = Path(__file__).parent.parent
BLUEPRINT_FOLDER = Path("blueprints", "automation", "connection_rituals")
BLUEPRINTS = sorted(path.name for path in (REPO / BLUEPRINT_FOLDER).glob("*.yaml"))
SOURCE_URL = (
    "https://github.com/connection-rituals/connection-rituals/blob/main/"
    "blueprints/automation/connection_rituals/{}"
)

REUNION_ACTIVE = "binary_sensor.reunion_active"
BEDTIME_ACTIVE = "binary_sensor.bedtime_appreciation_active"
LIVING_ROOM = "light.living_room"
KITCHEN = "light.kitchen"
HALLWAY = "light.hallway"
BEDROOM = "light.bedroom"


def test_the_three_blueprints_are_there() -> None:
    """The README links exactly these."""
    assert BLUEPRINTS == [
        "bedtime_scene.yaml",
        "notify_partner_on_arrival.yaml",
        "reunion_lights.yaml",
    ]


@pytest.mark.parametrize("filename", BLUEPRINTS)
def test_blueprint_is_valid(filename: str) -> None:
    """Home Assistant's own loader accepts it, and it knows where it comes from."""
    blueprint = models.Blueprint(
        load_yaml_dict(str(REPO / BLUEPRINT_FOLDER / filename)),
        expected_domain="automation",
        path=f"connection_rituals/{filename}",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )
    assert blueprint.validate() is None
    assert blueprint.metadata["source_url"] == SOURCE_URL.format(filename)
    assert blueprint.metadata["author"]
    assert blueprint.metadata["description"]
    for name, spec in blueprint.inputs.items():
        assert (spec or {}).get("selector"), f"{filename}: input {name} has no selector"


# ------------------------------------------------------------------ harness


async def settle(hass: HomeAssistant) -> None:
    """Let the chain person -> ritual -> automation -> action run to its end.

    State-change listeners and event triggers are each dispatched with call_soon, and one
    async_block_till_done only flushes a single such hop before waiting for tasks.
    """
    for _ in range(3):
        await hass.async_block_till_done()


async def tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, **delta: float) -> None:
    await _tick(hass, freezer, **delta)
    await settle(hass)


async def move_to(hass: HomeAssistant, freezer: FrozenDateTimeFactory, moment: str) -> None:
    await _move_to(hass, freezer, moment)
    await settle(hass)


async def arrive(hass: HomeAssistant, person: str) -> None:
    set_person(hass, person, "home")
    await settle(hass)


@pytest.fixture
async def use_blueprint(
    hass: HomeAssistant, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> AsyncGenerator[Any]:
    """Install the blueprints in a fresh config dir; yields a function adding automations.

    Afterwards nothing may have logged a warning or an error (a failing action, an empty
    scene, a missing entity).
    """
    hass.config.config_dir = str(tmp_path)
    target = Path(hass.config.path(str(BLUEPRINT_FOLDER)))

    def _copy() -> None:
        target.mkdir(parents=True)
        for filename in BLUEPRINTS:
            shutil.copy(REPO / BLUEPRINT_FOLDER / filename, target / filename)

    await hass.async_add_executor_job(_copy)

    async def _automations(*automations: tuple[str, dict[str, Any], dict[str, Any]]) -> None:
        config = [
            {
                **extra,
                "use_blueprint": {"path": f"connection_rituals/{filename}", "input": inputs},
            }
            for filename, inputs, extra in automations
        ]
        assert await async_setup_component(hass, "automation", {"automation": config})
        await hass.async_block_till_done()
        states = hass.states.async_all("automation")
        assert len(states) == len(automations)
        for automation in states:
            assert automation.state == "on", automation

    yield _automations

    await settle(hass)
    problems = [
        record.getMessage()
        for record in caplog.get_records("call")
        if record.levelno >= logging.WARNING
        and record.name.startswith("homeassistant")
        and record.name != "homeassistant.loader"  # "custom integration ... not tested"
    ]
    assert problems == []


async def setup_lights(hass: HomeAssistant, *names: str) -> None:
    """Real light entities: optimistic template lights that keep on/off and brightness."""
    lights = [{"name": name, "turn_on": [], "turn_off": [], "set_level": []} for name in names]
    assert await async_setup_component(hass, "template", {"template": [{"light": lights}]})
    await hass.async_block_till_done()


async def light(hass: HomeAssistant, entity_id: str, **data: Any) -> None:
    """Switch a light on (with data) or off (no data)."""
    service = "turn_on" if data else "turn_off"
    await hass.services.async_call(
        "light", service, {"entity_id": entity_id, **data}, blocking=True
    )


def brightness(hass: HomeAssistant, entity_id: str) -> int | str | None:
    """The brightness of a light that is on, else its state."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    if state.state != "on":
        return state.state
    return state.attributes.get("brightness")


# ------------------------------------------------------------------ reunion lights


async def start_reunion_with_lights(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_entry: Any,
    use_blueprint: Any,
    automation: dict[str, Any] | None = None,
    **extra_inputs: Any,
) -> None:
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    assert await async_setup_component(hass, "scene", {})
    await setup_lights(hass, "Living room", "Kitchen", "Hallway", "Porch")
    await light(hass, LIVING_ROOM, brightness=200)
    await light(hass, KITCHEN, brightness=255)
    await light(hass, HALLWAY)
    await light(hass, "light.porch", brightness=255)
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    await use_blueprint(
        (
            "reunion_lights.yaml",
            {
                "active_sensor": REUNION_ACTIVE,
                "lights": [LIVING_ROOM, KITCHEN, HALLWAY],
                "brightness": 20,
                "transition": 2,
                **extra_inputs,
            },
            automation or {"alias": "Reunion lights"},
        )
    )
    assert brightness(hass, LIVING_ROOM) == 200

    await arrive(hass, SAM)
    assert hass.states.get(REUNION_ACTIVE).state == "on"


async def test_reunion_dims_the_lights_and_restores_them(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, use_blueprint
) -> None:
    """Sam comes home: the lights that are on dim; after ten minutes they are as before."""
    await start_reunion_with_lights(hass, freezer, setup_entry, use_blueprint)
    assert brightness(hass, LIVING_ROOM) == 51  # 20 %
    assert brightness(hass, KITCHEN) == 51
    assert brightness(hass, HALLWAY) == "off"  # off lights are left alone by default
    assert brightness(hass, "light.porch") == 255  # not chosen
    snapshot = "scene.connection_rituals_reunion_lights_reunion_lights"
    assert set(hass.states.get(snapshot).attributes["entity_id"]) == {LIVING_ROOM, KITCHEN}

    await tick(hass, freezer, minutes=9)
    assert brightness(hass, LIVING_ROOM) == 51
    await tick(hass, freezer, minutes=1)
    assert hass.states.get(REUNION_ACTIVE).state == "off"
    assert brightness(hass, LIVING_ROOM) == 200
    assert brightness(hass, KITCHEN) == 255
    assert brightness(hass, HALLWAY) == "off"
    assert hass.states.get(snapshot) is None  # the snapshot is cleaned up


async def test_reunion_can_turn_on_lights_that_were_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, use_blueprint
) -> None:
    """With 'also turn on lights that are off', the hallway glows and goes off again.

    An automation made in the UI has an id: the snapshot is named after it, so renaming
    the automation during a reunion cannot lose it.
    """
    await start_reunion_with_lights(
        hass,
        freezer,
        setup_entry,
        use_blueprint,
        automation={"id": "1731781234567", "alias": "Cosy welcome"},
        include_off_lights=True,
    )
    assert brightness(hass, HALLWAY) == 51
    assert brightness(hass, LIVING_ROOM) == 51
    snapshot = hass.states.get("scene.connection_rituals_reunion_lights_1731781234567")
    assert set(snapshot.attributes["entity_id"]) == {LIVING_ROOM, KITCHEN, HALLWAY}
    await tick(hass, freezer, minutes=10)
    assert brightness(hass, HALLWAY) == "off"
    assert brightness(hass, LIVING_ROOM) == 200
    assert brightness(hass, KITCHEN) == 255


async def test_reunion_with_every_light_off_changes_nothing(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, use_blueprint
) -> None:
    """Nothing on, nothing dimmed, nothing to restore, no error."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    assert await async_setup_component(hass, "scene", {})
    await setup_lights(hass, "Hallway")
    await light(hass, HALLWAY)
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    await use_blueprint(
        ("reunion_lights.yaml", {"active_sensor": REUNION_ACTIVE, "lights": [HALLWAY]}, {})
    )
    await arrive(hass, SAM)
    assert brightness(hass, HALLWAY) == "off"
    await tick(hass, freezer, minutes=10)
    assert brightness(hass, HALLWAY) == "off"
    assert hass.states.async_all("scene") == []


# ------------------------------------------------------------------ arrival note


async def test_partner_at_home_hears_about_the_arrival(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, use_blueprint
) -> None:
    """Only a reunion started by Sam's arrival sends Alex (at home) a note."""
    alex_phone = async_mock_service(hass, "notify", "mobile_app_alex_phone")
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    set_person(hass, ALEX, "not_home")
    set_person(hass, SAM, "home")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    await use_blueprint(
        (
            "notify_partner_on_arrival.yaml",
            {
                "arriving_person": SAM,
                "notify_action": "notify.mobile_app_alex_phone",
                "message": "Go say hello ({{ ritual_name }}).",
            },
            {},
        )
    )

    # Alex arrives while Sam is home: a reunion, but not Sam's arrival.
    await arrive(hass, ALEX)
    assert hass.states.get(REUNION_ACTIVE).attributes["started_by"] == ALEX
    assert alex_phone == []

    await tick(hass, freezer, minutes=10)
    set_person(hass, SAM, "not_home")
    await settle(hass)
    await tick(hass, freezer, minutes=60)
    assert alex_phone == []

    # Sam arrives while Alex is home.
    await arrive(hass, SAM)
    assert hass.states.get(REUNION_ACTIVE).attributes["started_by"] == SAM
    assert len(alex_phone) == 1
    assert alex_phone[0].data == {"title": "Sam is home", "message": "Go say hello (Reunion)."}


async def test_arrival_note_to_a_companion_app_phone(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, use_blueprint
) -> None:
    """A phone picked as a device reaches its notify.mobile_app_* action; default text."""
    alex_phone = async_mock_service(hass, "notify", "mobile_app_alex_s_pixel")
    other = async_mock_service(hass, "notify", "persistent_notification")
    phone_entry = MockConfigEntry(domain="mobile_app", title="Alex's Pixel")
    phone_entry.add_to_hass(hass)
    phone = dr.async_get(hass).async_get_or_create(
        config_entry_id=phone_entry.entry_id,
        identifiers={("mobile_app", "alex-pixel-webhook")},
        name="Alex's Pixel",
    )
    dr.async_get(hass).async_update_device(phone.id, name_by_user="Phone")
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    await use_blueprint(
        (
            "notify_partner_on_arrival.yaml",
            {
                "arriving_person": SAM,
                "notify_device": phone.id,
                "notify_action": "persistent_notification",  # the phone wins
            },
            {},
        )
    )
    await arrive(hass, SAM)
    assert other == []
    assert len(alex_phone) == 1
    assert alex_phone[0].data["title"] == "Sam is home"
    assert "say hello" in alex_phone[0].data["message"]


async def test_arrival_note_to_any_notify_action(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, use_blueprint
) -> None:
    """A bare notify action name works too."""
    notes = async_mock_service(hass, "notify", "persistent_notification")
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION)))
    await use_blueprint(
        (
            "notify_partner_on_arrival.yaml",
            {"arriving_person": SAM, "notify_action": " persistent_notification "},
            {},
        )
    )
    await arrive(hass, SAM)
    assert len(notes) == 1


# ------------------------------------------------------------------ bedtime scene


async def test_bedtime_scene(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, use_blueprint
) -> None:
    """Bedtime starts at 22:30 with both home: the scene; the window closes: the other one."""
    await move_to(hass, freezer, "2026-11-16 22:00:00-08:00")
    await setup_lights(hass, "Bedroom")
    await light(hass, BEDROOM, brightness=255)
    assert await async_setup_component(
        hass,
        "scene",
        {
            "scene": [
                {"name": "Wind down", "entities": {BEDROOM: {"state": "on", "brightness": 60}}},
                {"name": "Good night", "entities": {BEDROOM: "off"}},
            ]
        },
    )
    await setup_entry(couple_entry(ritual_subentry(RitualKind.BEDTIME, trigger_time="22:30:00")))
    await use_blueprint(
        (
            "bedtime_scene.yaml",
            {
                "active_sensor": BEDTIME_ACTIVE,
                "scene": "scene.wind_down",
                "end_scene": "scene.good_night",
            },
            {},
        )
    )
    await arrive(hass, SAM)
    await move_to(hass, freezer, "2026-11-16 22:29:00-08:00")
    assert brightness(hass, BEDROOM) == 255

    await move_to(hass, freezer, "2026-11-16 22:30:00-08:00")
    assert hass.states.get(BEDTIME_ACTIVE).state == "on"
    assert brightness(hass, BEDROOM) == 60

    await tick(hass, freezer, minutes=60)
    assert hass.states.get(BEDTIME_ACTIVE).state == "off"
    assert brightness(hass, BEDROOM) == "off"


async def test_bedtime_scene_without_end_scene(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry, use_blueprint
) -> None:
    """The end scene is optional: scene.turn_on is called once, at the start."""
    scene_calls = async_mock_service(hass, "scene", "turn_on")
    await move_to(hass, freezer, "2026-11-16 22:00:00-08:00")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.BEDTIME, trigger_time="22:30:00")))
    await use_blueprint(
        ("bedtime_scene.yaml", {"active_sensor": BEDTIME_ACTIVE, "scene": "scene.cosy"}, {})
    )
    await arrive(hass, SAM)
    await move_to(hass, freezer, "2026-11-16 22:30:00-08:00")
    assert [call.data for call in scene_calls] == [{"entity_id": ["scene.cosy"], "transition": 2}]
    await tick(hass, freezer, minutes=60)
    assert len(scene_calls) == 1
