"""Shared fixtures: a couple (Alex and Sam) and Connection Rituals entries with rituals."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass
import logging
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import Event, HomeAssistant, ServiceCall, callback
from homeassistant.helpers import device_registry as dr
from hypothesis import settings
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.amber import AmberSnapshotExtension
from syrupy.location import PyTestLocation

from custom_components.connection_rituals.const import (
    CONF_DAY_BOUNDARY,
    CONF_DEVICES_A,
    CONF_DEVICES_B,
    CONF_PARTNER_A,
    CONF_PARTNER_B,
    DOMAIN,
    EVENT_CONNECTION_RITUALS,
    SUBENTRY_TYPE_RITUAL,
    RitualKind,
)
from custom_components.connection_rituals.subentry_flow import ritual_defaults

ALEX = "person.alex"
SAM = "person.sam"
ALEX_PHONE_IN_USE = "binary_sensor.alex_phone_interactive"
SAM_TV = "media_player.living_room_tv"

# Property tests have no deadline: how long one example takes depends on the machine's
# load (the suite runs on two workers); speed is measured in scripts/bench, not in tests.
settings.register_profile("no_deadline", deadline=None)
settings.load_profile("no_deadline")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/ in every test."""


class _DeprecationReports(logging.Handler):
    """Home Assistant's frame helper reports about this integration (`report_usage`)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.reports: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "integration 'connection_rituals'" in message:
            self.reports.append(message)


@pytest.fixture(autouse=True)
def no_deprecation_reports() -> Generator[None]:
    """Fail a test in which Home Assistant reports a deprecated use by our package: a user
    would find that warning in their log ("... please create a bug report")."""
    handler = _DeprecationReports()
    frame_logger = logging.getLogger("homeassistant.helpers.frame")
    frame_logger.addHandler(handler)
    try:
        yield
    finally:
        frame_logger.removeHandler(handler)
    assert not handler.reports, "\n".join(handler.reports)


class _PlainSnapshots(AmberSnapshotExtension):
    """One snapshot location and format for every supported harness version."""

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(Path(test_location.filepath).parent / "snapshots")


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots of plain data, the same on Home Assistant 2025.4 and 2026.2."""
    return snapshot.use_extension(_PlainSnapshots)


@pytest.fixture
def config_in_tmp(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A configuration directory of the test's own: files the integration writes next to
    its store (history kept aside) stay out of the shared harness folder."""
    hass.config.config_dir = str(tmp_path)
    return tmp_path


@pytest.fixture
def bus_events(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Every connection_rituals_event on the bus."""
    captured: list[dict[str, Any]] = []

    @callback
    def _capture(event: Event) -> None:
        captured.append(dict(event.data))

    hass.bus.async_listen(EVENT_CONNECTION_RITUALS, _capture)
    return captured


def set_person(hass: HomeAssistant, entity_id: str, state: str, **attributes: Any) -> None:
    """Put a partner somewhere (the real state machine, as a person entity would)."""
    base = {"friendly_name": entity_id.split(".")[1].capitalize(), "user_id": None}
    current = hass.states.get(entity_id)
    if current is not None:
        base.update(current.attributes)
    base.update(attributes)
    hass.states.async_set(entity_id, state, base)


@pytest.fixture
def couple(hass: HomeAssistant) -> None:
    """Alex at home, Sam at work; their screens are off."""
    set_person(hass, ALEX, "home")
    set_person(hass, SAM, "not_home")
    hass.states.async_set(ALEX_PHONE_IN_USE, "off")
    hass.states.async_set(SAM_TV, "off")


def ritual_subentry(kind: RitualKind, **overrides: Any) -> ConfigSubentryData:
    """A ritual subentry with the kind's defaults and overrides."""
    data = {**ritual_defaults(kind), **overrides}
    data = {key: str(value) if isinstance(value, str) else value for key, value in data.items()}
    return ConfigSubentryData(
        data=data,
        subentry_type=SUBENTRY_TYPE_RITUAL,
        title=data["name"],
        unique_id=None,
    )


def couple_entry(
    *subentries: ConfigSubentryData,
    options: dict[str, Any] | None = None,
    unique_id: str = f"{ALEX}|{SAM}",
    **data: Any,
) -> MockConfigEntry:
    """A config entry for Alex and Sam."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Alex & Sam",
        unique_id=unique_id,
        data={
            CONF_PARTNER_A: ALEX,
            CONF_PARTNER_B: SAM,
            CONF_DEVICES_A: [ALEX_PHONE_IN_USE],
            CONF_DEVICES_B: [SAM_TV],
            CONF_DAY_BOUNDARY: "04:00:00",
            **data,
        },
        # Most tests time a reunion's window from its start: no reading time unless a test
        # asks for one (test_reunion.py covers the default reading time of 2 minutes).
        options={"reading_minutes": 0, **(options or {})},
        subentries_data=list(subentries),
        version=1,
        minor_version=1,
    )


type SetupEntry = Callable[..., Any]


@pytest.fixture
async def setup_entry(
    hass: HomeAssistant, couple: None
) -> AsyncGenerator[Callable[[MockConfigEntry], Any]]:
    """Add an entry to hass and set it up; returns the entry."""

    async def _setup(entry: MockConfigEntry) -> MockConfigEntry:
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        return entry

    yield _setup
    # A reload a test set off (adding a ritual, changing options) finishes before
    # Home Assistant stops, as it would in real life.
    await hass.async_block_till_done()


@dataclass
class Household:
    """The couple's users, phone devices and what their phones received."""

    alex_user: str
    sam_user: str
    alex_phone: str
    sam_phone: str
    alex_calls: list[ServiceCall]
    sam_calls: list[ServiceCall]


@pytest.fixture
async def household(hass: HomeAssistant, couple: None) -> Household:
    """Alex has an Android phone, Sam an iPhone, both with the companion app."""
    alex = await hass.auth.async_create_user("Alex")
    sam = await hass.auth.async_create_user("Sam")
    set_person(hass, ALEX, "home", user_id=alex.id)
    set_person(hass, SAM, "not_home", user_id=sam.id)
    devices = {}
    for name, os_name in (("Alex Phone", "Android"), ("Sam Phone", "iOS")):
        entry = MockConfigEntry(domain="mobile_app", data={"device_name": name, "os_name": os_name})
        entry.add_to_hass(hass)
        devices[name] = (
            dr.async_get(hass)
            .async_get_or_create(
                config_entry_id=entry.entry_id, identifiers={("mobile_app", name)}, name=name
            )
            .id
        )
    return Household(
        alex_user=alex.id,
        sam_user=sam.id,
        alex_phone=devices["Alex Phone"],
        sam_phone=devices["Sam Phone"],
        alex_calls=async_mock_service(hass, "notify", "mobile_app_alex_phone"),
        sam_calls=async_mock_service(hass, "notify", "mobile_app_sam_phone"),
    )
