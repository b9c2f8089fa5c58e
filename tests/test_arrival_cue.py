"""On the way home: the partner at home hears it once per trip, the traveller never.

Proximity is emulated as Home Assistant's proximity integration lays it out: a config
entry whose per-person sensors carry `<entry>_<tracked entity>_dist_to_zone` and
`..._dir_of_travel` unique ids, reporting late, flapping to unknown.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service

from custom_components.connection_rituals import trigger
from custom_components.connection_rituals.const import DOMAIN, RitualKind

from .conftest import ALEX, SAM, Household, couple_entry, ritual_subentry, set_person
from .helpers import devices_by_name, move_to, setup_couple, tick

EVENING = "2026-11-16 17:00:00-08:00"
DISTANCE = "sensor.home_sam_distance"
DIRECTION = "sensor.home_sam_direction"
NEAREST = "sensor.home_nearest_distance"
ZONE = "zone.station"


def emulate_proximity(hass: HomeAssistant, tracked: str = SAM) -> MockConfigEntry:
    """A proximity entry for home following `tracked` (its sensors without states yet)."""
    entry = MockConfigEntry(domain="proximity", title="Home")
    entry.add_to_hass(hass)
    registry = er.async_get(hass)
    for unique_id, object_id in (
        (f"{entry.entry_id}_dist_to_zone", "home_nearest_distance"),
        (f"{entry.entry_id}_{tracked}_dist_to_zone", "home_sam_distance"),
        (f"{entry.entry_id}_{tracked}_dir_of_travel", "home_sam_direction"),
    ):
        registry.async_get_or_create(
            "sensor",
            "proximity",
            unique_id,
            config_entry=entry,
            suggested_object_id=object_id,
        )
    hass.states.async_set(NEAREST, "unknown", {"unit_of_measurement": "m"})
    return entry


async def report(hass: HomeAssistant, distance: Any = None, direction: str | None = None) -> None:
    """The proximity sensors report (either may stay as it is)."""
    if distance is not None:
        hass.states.async_set(DISTANCE, str(distance), {"unit_of_measurement": "m"})
    if direction is not None:
        hass.states.async_set(DIRECTION, direction)
    await hass.async_block_till_done()


def cues(household: Household) -> tuple[list[str], list[str]]:
    """The on-the-way messages each phone received (Alex's, Sam's)."""

    def _on_the_way(calls: list[Any]) -> list[str]:
        return [c.data["message"] for c in calls if "on the way" in c.data["message"]]

    return _on_the_way(household.alex_calls), _on_the_way(household.sam_calls)


async def _couple(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household, **cue: Any
) -> MockConfigEntry:
    await move_to(hass, freezer, EVENING)
    set_person(hass, SAM, "home")
    entry = await setup_couple(hass, household, ritual_subentry(RitualKind.REUNION, **cue))
    set_person(hass, SAM, "not_home")  # Sam leaves for the day
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=30)  # away long enough for a reunion
    return entry


async def test_the_partner_at_home_hears_once_with_an_honest_estimate(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household, bus_events
) -> None:
    emulate_proximity(hass)
    await _couple(hass, freezer, household, arrival_proximity=NEAREST)
    await report(hass, 12000, "away_from")
    await tick(hass, freezer, minutes=3)
    await report(hass, 9000, "towards")  # 3 km in 3 minutes, 9 km to go
    assert cues(household) == (["Sam is on the way home, about 9 minutes away."], [])
    (event,) = [e for e in bus_events if e["type"] == "on_the_way"]
    assert event["partner"] == SAM
    assert event["minutes"] == 9
    assert event["kind"] == "reunion"
    assert hass.states.get("event.reunion_ritual").attributes["event_type"] == "on_the_way"

    # Closer still, the direction flapping: nothing more on this trip.
    for distance, direction in ((6000, "unknown"), (3000, "towards"), ("unavailable", "towards")):
        await tick(hass, freezer, minutes=2)
        await report(hass, distance, direction)
    assert cues(household) == (["Sam is on the way home, about 9 minutes away."], [])

    # Home: the reunion opens as always (the cue never stands in for it).
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.reunion_active").state == "on"
    # A late report after coming home says nothing.
    await report(hass, 100, "towards")
    assert len(cues(household)[0]) == 1

    # Off again, and back on a new trip: a new cue, without a number this time (too soon).
    await tick(hass, freezer, minutes=20)
    set_person(hass, SAM, "not_home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=40)
    await report(hass, 5000, "away_from")
    await report(hass, "unknown", "unknown")
    await tick(hass, freezer, minutes=1)
    await report(hass, 4500, "towards")
    assert cues(household)[0][-1] == "Sam is on the way home."
    assert len(cues(household)[0]) == 2
    assert cues(household)[1] == []


def _seed_usual_arrival(hass_storage: dict[str, Any], entry: MockConfigEntry) -> None:
    """What the learner kept of five weeks: Sam comes home around 18:00 on workdays."""
    today = date(2026, 11, 16)
    rows = [
        [day.toordinal(), 18 * 60 + (n % 5) - 2, int(day.weekday() < 5)]
        for n in range(1, 36)
        if (day := today - timedelta(days=n)).weekday() < 5
    ]
    key = f"{DOMAIN}.rhythms.{entry.entry_id}"
    hass_storage[key] = {
        "version": 1,
        "minor_version": 1,
        "key": key,
        "data": {"imported": True, "signals": {"arrival_b": rows}},
    }


@pytest.mark.parametrize(
    ("leaves", "heard"),
    [
        ("2026-11-17 01:30:00-08:00", []),  # on the way home in the night
        ("2026-11-17 09:30:00-08:00", []),  # and in the morning: hours Sam never comes
        ("2026-11-16 16:30:00-08:00", ["Sam is on the way home, about 9 minutes away."]),
    ],
)
async def test_the_usual_arrival_keeps_unusual_hours_quiet(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    household: Household,
    hass_storage: dict[str, Any],
    leaves: str,
    heard: list[str],
) -> None:
    """Sam usually comes home around 18:00 (learned): on the way home at an hour Sam never
    comes, Alex hears nothing; around the usual hour, as always. The reunion at the door
    opens either way: the rhythm never stands in for where Sam is."""
    emulate_proximity(hass)
    await move_to(hass, freezer, leaves)
    set_person(hass, SAM, "home")
    entry = couple_entry(
        # A couple whose reunions may open at any hour.
        ritual_subentry(
            RitualKind.REUNION,
            arrival_proximity=NEAREST,
            active_start="00:00:00",
            active_end="23:59:00",
        ),
        phone_a=household.alex_phone,
        phone_b=household.sam_phone,
    )
    _seed_usual_arrival(hass_storage, entry)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    set_person(hass, SAM, "not_home")
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=60)
    await report(hass, 12000, "away_from")
    await tick(hass, freezer, minutes=3)
    await report(hass, 9000, "towards")
    assert cues(household) == (heard, [])
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.reunion_active").state == "on"


async def test_a_direction_without_a_closer_reading_waits(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """ "towards" alone, or a distance that grows, is no way home yet."""
    emulate_proximity(hass)
    await _couple(hass, freezer, household, arrival_proximity=NEAREST)
    await report(hass, 5000, "towards")
    await tick(hass, freezer, minutes=1)
    await report(hass, 5200, "towards")
    assert cues(household) == ([], [])
    await report(hass, "not a number")
    assert cues(household) == ([], [])


async def test_sensors_that_appear_late_are_followed(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """The proximity entry loads after the couple: its sensors are found when they come."""
    await _couple(hass, freezer, household, arrival_proximity=NEAREST)
    entry = MockConfigEntry(domain="proximity", title="Home")
    entry.add_to_hass(hass)
    registry = er.async_get(hass)
    registry.async_get_or_create(
        "sensor", "proximity", f"{entry.entry_id}_dist_to_zone", config_entry=entry,
        suggested_object_id="home_nearest_distance",
    )  # fmt: skip
    await hass.async_block_till_done()
    # Sam's sensors, named after Sam's phone tracker (as proximity does for trackers).
    set_person(hass, SAM, "not_home", device_trackers=["device_tracker.sam_phone"])
    for key, object_id in (
        ("dist_to_zone", "home_sam_distance"),
        ("dir_of_travel", "home_sam_direction"),
    ):
        registry.async_get_or_create(
            "sensor", "proximity", f"{entry.entry_id}_device_tracker.sam_phone_{key}",
            config_entry=entry, suggested_object_id=object_id,
        )  # fmt: skip
    await hass.async_block_till_done()
    await report(hass, 8000, "towards")
    await tick(hass, freezer, minutes=1)
    await report(hass, 7000, "towards")
    assert cues(household) == (["Sam is on the way home."], [])


@pytest.mark.parametrize("quiet", ["alex_out", "vacation", "disabled", "quiet_hours", "short"])
async def test_no_cue_when_the_couple_asked_for_quiet(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household, quiet: str
) -> None:
    emulate_proximity(hass)
    await move_to(hass, freezer, EVENING)
    options = {"quiet_start": "16:00:00", "quiet_end": "18:00:00"} if quiet == "quiet_hours" else {}
    await setup_couple(
        hass,
        household,
        ritual_subentry(RitualKind.REUNION, arrival_proximity=NEAREST),
        options=options,
    )
    if quiet == "short":
        set_person(hass, SAM, "home")
        await hass.async_block_till_done()
        await tick(hass, freezer, minutes=15)
        set_person(hass, SAM, "not_home")  # back out for five minutes: no reunion ahead
        await hass.async_block_till_done()
        await tick(hass, freezer, minutes=5)
    else:
        await tick(hass, freezer, minutes=30)
    if quiet == "alex_out":
        set_person(hass, ALEX, "not_home")
    elif quiet == "vacation":
        await hass.services.async_call(
            "switch", "turn_on", {"entity_id": "switch.alex_sam_vacation_mode"}, blocking=True
        )
    elif quiet == "disabled":
        await hass.services.async_call(
            "switch", "turn_off", {"entity_id": "switch.reunion_enabled"}, blocking=True
        )
    await hass.async_block_till_done()
    await report(hass, 9000, "towards")
    await tick(hass, freezer, minutes=3)
    await report(hass, 6000, "towards")
    assert cues(household) == ([], [])


async def test_entering_the_zone_on_the_way(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household, bus_events
) -> None:
    hass.states.async_set(ZONE, "0", {"persons": [], "friendly_name": "Station"})
    await _couple(hass, freezer, household, arrival_zone=ZONE)
    set_person(hass, SAM, "Station")
    hass.states.async_set(ZONE, "1", {"persons": [SAM], "friendly_name": "Station"})
    await hass.async_block_till_done()
    assert cues(household) == (["Sam is on the way home."], [])
    assert [e["minutes"] for e in bus_events if e["type"] == "on_the_way"] == [None]
    # Out of the zone and in again on the same trip: once is enough.
    hass.states.async_set(ZONE, "0", {"persons": [], "friendly_name": "Station"})
    hass.states.async_set(ZONE, "1", {"persons": [SAM], "friendly_name": "Station"})
    await hass.async_block_till_done()
    assert len(cues(household)[0]) == 1
    # Alex passing through the zone is no one's way home.
    hass.states.async_set(ZONE, "2", {"persons": [SAM, ALEX], "friendly_name": "Station"})
    await hass.async_block_till_done()
    assert len(cues(household)[0]) == 1


async def test_a_hanging_phone_never_holds_the_ritual_up(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    """Alex's phone hangs on the cue: the reunion still opens when Sam comes home."""
    emulate_proximity(hass)
    await move_to(hass, freezer, EVENING)
    hung: list[Any] = []

    async def _hang(call: Any) -> None:
        hung.append(call)
        await hass.loop.create_future()  # never answers

    hass.services.async_register("notify", "alex_tablet", _hang)
    entry = couple_entry(
        ritual_subentry(RitualKind.REUNION, arrival_proximity=NEAREST),
        notify_a="notify.alex_tablet",
        phone_b=household.sam_phone,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await tick(hass, freezer, minutes=30)
    await report(hass, 9000, "towards")
    await tick(hass, freezer, minutes=3)
    await report(hass, 6000, "towards")
    assert [call.data["message"] for call in hung] == [
        "Sam is on the way home, about 6 minutes away."
    ]
    assert hung[0].data["title"] == "Reunion (Alex)"
    set_person(hass, SAM, "home")
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.reunion_active").state == "on"


@pytest.mark.skipif(not trigger.supported(), reason="no integration triggers on this release")
async def test_the_on_the_way_trigger(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, household: Household
) -> None:
    emulate_proximity(hass)
    await _couple(hass, freezer, household, arrival_proximity=NEAREST)
    calls = async_mock_service(hass, "test", "automation")
    reunion = devices_by_name(hass)["Reunion"]
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "triggers": [
                    {
                        "trigger": f"{DOMAIN}.partner_on_the_way_home",
                        "options": {"rituals": [reunion]},
                    }
                ],
                "actions": [
                    {"action": "test.automation", "data": {"who": "{{ trigger.partner }}"}}
                ],
            }
        },
    )
    await report(hass, 9000, "towards")
    await tick(hass, freezer, minutes=3)
    await report(hass, 6000, "towards")
    assert [call.data["who"] for call in calls] == [SAM]
