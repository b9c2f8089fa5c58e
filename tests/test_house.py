"""Start actions: lights dim at the start of a window and come back as they were."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Context, HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service

from custom_components.connection_rituals.const import RitualKind

from .conftest import SAM, couple_entry, ritual_subentry, set_person
from .helpers import move_to, tick

LIVING = "light.living_room"
KITCHEN = "light.kitchen"
HALL = "light.hallway"


@pytest.fixture(autouse=True)
def private_config_dir(hass: HomeAssistant, tmp_path: Path) -> None:
    """`template` writes its example blueprints into the config folder: use our own."""
    hass.config.config_dir = str(tmp_path)


async def setup_lights(hass: HomeAssistant) -> None:
    """Real light entities: optimistic template lights keeping on/off and brightness."""
    lights = [
        {"name": name, "turn_on": [], "turn_off": [], "set_level": []}
        for name in ("Living room", "Kitchen", "Hallway")
    ]
    assert await async_setup_component(hass, "template", {"template": [{"light": lights}]})
    await hass.async_block_till_done()


async def light(
    hass: HomeAssistant, entity_id: str, context: Context | None = None, **data: Any
) -> None:
    service = "turn_on" if data else "turn_off"
    await hass.services.async_call(
        "light", service, {"entity_id": entity_id, **data}, blocking=True, context=context
    )


def look(hass: HomeAssistant, entity_id: str) -> Any:
    current = hass.states.get(entity_id)
    return current.attributes.get("brightness") if current.state == "on" else current.state


async def reunion_with_lights(hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry):
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_lights(hass)
    await light(hass, LIVING, brightness=200)
    await light(hass, KITCHEN, brightness=255)
    await light(hass, HALL)  # off
    entry = await setup_entry(
        couple_entry(
            ritual_subentry(
                RitualKind.REUNION, lights=[LIVING, KITCHEN, HALL], brightness=20, transition=0
            )
        )
    )
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    return entry


async def test_lights_dim_and_come_back(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """Sam comes home: the lights dim to 20 %; after the window, exactly as before."""
    await reunion_with_lights(hass, freezer, setup_entry)
    assert hass.states.get("binary_sensor.reunion_active").state == "on"
    assert [look(hass, e) for e in (LIVING, KITCHEN, HALL)] == [51, 51, 51]
    await tick(hass, freezer, minutes=10)
    assert hass.states.get("binary_sensor.reunion_active").state == "off"
    assert [look(hass, e) for e in (LIVING, KITCHEN, HALL)] == [200, 255, "off"]


async def test_a_light_changed_during_the_window_is_left_alone(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """Alex brightened the kitchen from the app and an automation switched the hallway off
    during the reunion: both stay as they were set."""
    await reunion_with_lights(hass, freezer, setup_entry)
    alex = await hass.auth.async_create_user("Alex")
    await light(hass, KITCHEN, Context(user_id=alex.id), brightness=120)
    await light(hass, HALL, Context(parent_id="an-automation-run"))
    await tick(hass, freezer, minutes=10)
    assert [look(hass, e) for e in (LIVING, KITCHEN, HALL)] == [200, 120, "off"]


async def test_a_light_that_reports_late_or_in_steps_is_given_back(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """Real bulbs: one reports its dimmed state only seconds later, one reports steps of
    its transition; neither is mistaken for a person's change, both come back."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    hass.states.async_set(LIVING, "on", {"brightness": 200, "color_mode": "brightness"})
    hass.states.async_set(KITCHEN, "on", {"brightness": 255, "color_mode": "brightness"})
    calls: list[ServiceCall] = []

    async def _bulb(call: ServiceCall) -> None:
        # The bulb answers the call at once but its state arrives from the device later,
        # with the device's own (bare) context.
        calls.append(call)

    hass.services.async_register("light", "turn_on", _bulb)
    hass.services.async_register("light", "turn_off", _bulb)
    await setup_entry(
        couple_entry(
            ritual_subentry(
                RitualKind.REUNION, lights=[LIVING, KITCHEN], brightness=20, transition=2
            )
        )
    )
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert [c.data["brightness_pct"] for c in calls] == [20]
    # Living room: mid-transition, then settled; kitchen: only after eight seconds.
    hass.states.async_set(LIVING, "on", {"brightness": 130, "color_mode": "brightness"})
    await tick(hass, freezer, seconds=1)
    hass.states.async_set(LIVING, "on", {"brightness": 51, "color_mode": "brightness"})
    await tick(hass, freezer, seconds=7)
    hass.states.async_set(KITCHEN, "on", {"brightness": 51, "color_mode": "brightness"})
    await tick(hass, freezer, minutes=10)
    restored = {c.data["entity_id"]: c.data.get("brightness") for c in calls[1:]}
    assert restored == {LIVING: 200, KITCHEN: 255}


async def test_lights_come_back_after_a_restart_in_the_window(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """Home Assistant restarts mid-window: the snapshot was stored, the lights return."""
    entry = await reunion_with_lights(hass, freezer, setup_entry)
    await tick(hass, freezer, minutes=3)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await move_to(hass, freezer, "2026-11-16 17:50:00-08:00")
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert [look(hass, e) for e in (LIVING, KITCHEN, HALL)] == [200, 255, "off"]


async def test_scene_at_the_start(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """A scene is activated at the start; its lights are given back afterwards."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    await setup_lights(hass)
    await light(hass, LIVING, brightness=180)
    assert await async_setup_component(
        hass,
        "scene",
        {"scene": [{"name": "Cosy", "entities": {LIVING: {"state": "on", "brightness": 60}}}]},
    )
    await hass.async_block_till_done()
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION, scene="scene.cosy")))
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert look(hass, LIVING) == 60
    await tick(hass, freezer, minutes=10)
    assert look(hass, LIVING) == 180


async def test_failing_lights_never_break_the_ritual(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry
) -> None:
    """A light service that raises is logged; the reunion still completes."""
    await move_to(hass, freezer, "2026-11-16 17:30:00-08:00")
    hass.states.async_set(LIVING, "on", {"brightness": 100})

    async def _broken(call: Any) -> None:
        raise RuntimeError("zigbee coordinator offline")

    hass.services.async_register("light", "turn_on", _broken)
    turn_off = async_mock_service(hass, "light", "turn_off")
    await setup_entry(couple_entry(ritual_subentry(RitualKind.REUNION, lights=[LIVING])))
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=10)
    assert hass.states.get("sensor.reunion_streak").state == "1"
    assert turn_off == []
