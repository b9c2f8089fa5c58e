"""The benchmarks' couple: Alex & Sam with twenty rituals, and ten years of their use as
a Store file (shared by scripts/bench.py and scripts/bench_history.py)."""

from __future__ import annotations

from datetime import date, timedelta
import json
from pathlib import Path
import sys
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from homeassistant.config_entries import ConfigSubentryData  # noqa: E402
from homeassistant.core import HomeAssistant  # noqa: E402
from pytest_homeassistant_custom_component.common import MockConfigEntry  # noqa: E402

from custom_components.connection_rituals.const import (  # noqa: E402
    CONF_ACTIVE_END,
    CONF_ACTIVE_START,
    CONF_DAILY_CAP,
    CONF_MIN_AWAY_MINUTES,
    CONF_READING_MINUTES,
    CONF_TRIGGER_ENTITY,
    CONF_TRIGGER_STATE,
    CONF_TRIGGER_TIME,
    CONF_TRIGGER_TYPE,
    DEFAULT_READING_MINUTES,
    DOMAIN,
    RitualKind,
    TriggerType,
)
from tests.conftest import ALEX, SAM, couple_entry, ritual_subentry  # noqa: E402
from tests.helpers import stored_file  # noqa: E402

HISTORY_YEARS = 10


def twenty_rituals() -> list[ConfigSubentryData]:
    """Twenty rituals of every kind, the way a keen couple might configure them."""
    all_day = {CONF_ACTIVE_START: "00:00:00", CONF_ACTIVE_END: "00:00:00"}
    rituals = [
        ritual_subentry(
            RitualKind.REUNION, name="Reunion", **{CONF_MIN_AWAY_MINUTES: 0}, **all_day
        ),
        ritual_subentry(RitualKind.DEPARTURE, name="Departure"),
        ritual_subentry(RitualKind.APART, name="Thinking of you"),
        ritual_subentry(RitualKind.APART, name="Long day apart", apart_hours=8.0),
    ]
    daily_times = {
        (RitualKind.MORNING, "Morning"): ("06:15:00", "07:15:00", "08:15:00", "09:15:00"),
        (RitualKind.BEDTIME, "Bedtime"): ("20:30:00", "21:30:00", "22:30:00", "23:30:00"),
        (RitualKind.CUSTOM, "Custom time"): ("10:00:00", "11:00:00", "12:00:00", "13:00:00"),
    }
    for (kind, name), times in daily_times.items():
        rituals += [
            ritual_subentry(kind, name=f"{name} {i}", **{CONF_TRIGGER_TIME: at})
            for i, at in enumerate(times)
        ]
    for i in range(4):
        rituals.append(
            ritual_subentry(
                RitualKind.CUSTOM,
                name=f"Custom state {i}",
                **{
                    CONF_TRIGGER_TYPE: TriggerType.STATE,
                    CONF_TRIGGER_ENTITY: f"input_boolean.ritual_trigger_{i}",
                    CONF_TRIGGER_STATE: "on",
                },
            )
        )
    assert len(rituals) == 20
    return rituals


_serial = 0


def make_entry(**data: Any) -> MockConfigEntry:
    """Alex & Sam (as the tests build them) with twenty rituals, a reading time as a
    couple would have it, and no daily cap to speak of."""
    global _serial
    _serial += 1
    return couple_entry(
        *twenty_rituals(),
        # 1 000 prompts a day in the benchmark; the reading time as installed.
        options={CONF_DAILY_CAP: 10**9, CONF_READING_MINUTES: DEFAULT_READING_MINUTES},
        unique_id=f"{ALEX}|{SAM}|{_serial}",
        **data,
    )


def write_history(hass: HomeAssistant, entry: MockConfigEntry, years: int) -> int:
    """Pre-populate the entry's Store file with `years` of daily history; returns bytes."""
    today = date.today()
    rituals: dict[str, Any] = {}
    for n, subentry_id in enumerate(entry.subentries):
        history: dict[str, list[int]] = {}
        for offset in range(years * 365, 0, -1):
            day = today - timedelta(days=offset)
            if (offset + n) % 11 == 0:
                continue  # no opportunity
            if (offset + n) % 7 == 0:
                history[day.isoformat()] = [1, 0, 1]  # started, completed, missed
            else:
                history[day.isoformat()] = [1, 1]
        rituals[subentry_id] = {"history": history, "enabled": True, "rotation": n}
    key = f"{DOMAIN}.{entry.entry_id}"
    payload = stored_file(entry.entry_id, rituals)
    path = Path(hass.config.path(".storage", key))
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload)
    path.write_text(text, encoding="utf-8")
    return len(text)


async def setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set the entry up and let everything settle."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
