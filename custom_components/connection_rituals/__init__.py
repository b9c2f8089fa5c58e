"""Connection Rituals: small daily connection rituals for a couple, driven by the home."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .card import async_register_card
from .const import CONF_SKIPS_PER_WEEK, DOMAIN
from .cue_repairs import async_clear_cue_issues
from .cue_setup import async_setup_cues
from .digest import digest_store
from .engine import RitualEngine
from .entity import couple_device_info
from .history_api import async_setup_history_api
from .rhythms import RhythmLearner
from .services import async_setup_services
from .storage import RitualsStore

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TODO,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

type ConnectionRitualsConfigEntry = ConfigEntry[RitualEngine]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, the card's websocket commands and the card, once."""
    async_setup_services(hass)
    async_setup_history_api(hass)
    await async_register_card(hass)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: ConnectionRitualsConfigEntry) -> bool:
    """1.1 -> 1.2: the skip allowance goes ("not today" is always free)."""
    if entry.version > 1:
        return False  # a newer release's entry: leave it as it is
    if entry.minor_version < 2:
        options = {k: v for k, v in entry.options.items() if k != CONF_SKIPS_PER_WEEK}
        hass.config_entries.async_update_entry(entry, options=options, minor_version=2)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: ConnectionRitualsConfigEntry) -> bool:
    """Start the couple's ritual engine and its entities."""
    engine = RitualEngine(hass, entry)
    # Rhythms learned from the home: read before the engine schedules its time rituals.
    engine.time_provider = learner = RhythmLearner(hass, entry)
    await learner.async_load()
    learner.on_times_changed = engine.async_times_changed
    await engine.async_start()
    entry.runtime_data = engine
    learner.async_start()
    entry.async_on_unload(learner.async_stop)
    # The couple's device first: each ritual's device points to it.
    couple_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **couple_device_info(engine)
    )
    engine.couple_device_id = couple_device.id
    async_setup_cues(hass, entry, learner.at_usual_arrival_hour)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # Rituals (subentries) and options change through the update listener: reload.
    entry.async_on_unload(entry.add_update_listener(_async_reload_on_update))
    return True


async def _async_reload_on_update(hass: HomeAssistant, entry: ConnectionRitualsConfigEntry) -> None:
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: ConnectionRitualsConfigEntry) -> bool:
    """Stop the engine and unload the entities."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.async_stop()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: ConnectionRitualsConfigEntry) -> None:
    """Delete the couple's stored history when the entry is deleted."""
    await RitualsStore(hass, entry.entry_id).async_remove()
    await digest_store(hass, entry.entry_id).async_remove()
    async_clear_cue_issues(hass, entry.entry_id)
    await RhythmLearner(hass, entry).store.async_remove()
