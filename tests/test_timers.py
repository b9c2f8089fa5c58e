"""Actions that wait for Home Assistant to run: each waits once, and is dropped after."""

from __future__ import annotations

from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import CoreState, HomeAssistant

from custom_components.connection_rituals.timers import AtStarted


async def test_actions_wait_until_home_assistant_has_started(hass: HomeAssistant) -> None:
    hass.set_state(CoreState.not_running)
    ran: list[str] = []
    waiting = AtStarted(hass)
    waiting.run("kept", lambda: ran.append("kept"))
    waiting.run("replaced", lambda: ran.append("first"))
    waiting.run("replaced", lambda: ran.append("second"))  # one action per key
    waiting.run("cancelled", lambda: ran.append("cancelled"))
    waiting.cancel("cancelled")
    assert ran == []
    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done()
    assert sorted(ran) == ["kept", "second"]
    waiting.cancel_all()  # nothing left waiting: harmless
    waiting.run("now", lambda: ran.append("now"))  # Home Assistant runs: at once
    assert ran[-1] == "now"


async def test_stopping_forgets_what_waits(hass: HomeAssistant) -> None:
    hass.set_state(CoreState.not_running)
    ran: list[str] = []
    waiting = AtStarted(hass)
    waiting.run("a", lambda: ran.append("a"))
    waiting.cancel_all()
    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done()
    assert ran == []
