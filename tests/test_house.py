"""Start actions: lights dim at the start of a window and come back as they were."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
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


async def light(hass: HomeAssistant, entity_id: str, **data: Any) -> None:
    service = "turn_on" if data else "turn_off"
    await hass.services.async_call(
        "light", service, {"entity_id": entity_id, **data}, blocking=True
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
    """Someone brightened the kitchen during the reunion: it stays as they set it."""
    await reunion_with_lights(hass, freezer, setup_entry)
    await light(hass, KITCHEN, brightness=120)
    await light(hass, HALL)
    await tick(hass, freezer, minutes=10)
    assert [look(hass, e) for e in (LIVING, KITCHEN, HALL)] == [200, 120, "off"]


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
