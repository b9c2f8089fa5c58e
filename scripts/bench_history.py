"""Benchmark of the card's history command: 10 years of a 20-ritual couple.

Run as `.venv/bin/python scripts/bench_history.py`. Not part of the test suite: the
figures depend on the machine.

The couple's file is made the way ten years of use leave it (scripts/bench_couple.py):
ten years of daily records for twenty rituals written raw, set up once (older days fold
into a baseline, HISTORY_DAYS days stay) and unloaded (written back), then set up again.
Then the `connection_rituals/history` handler answers the largest range it accepts
(MAX_RANGE_DAYS days, every ritual) 20 times on the event loop, result serialised as the
websocket sends it. Target: a median under 50 ms.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
import gc
import logging
from pathlib import Path
import statistics
import sys
import tempfile
import time
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_couple import make_entry, setup, write_history  # noqa: E402
from homeassistant import loader  # noqa: E402
from homeassistant.components.websocket_api import messages  # noqa: E402
from homeassistant.helpers.json import json_bytes  # noqa: E402
from pytest_homeassistant_custom_component.common import async_test_home_assistant  # noqa: E402

from custom_components.connection_rituals.history_api import (  # noqa: E402
    MAX_RANGE_DAYS,
    ws_history,
)
from tests.conftest import ALEX, ALEX_PHONE_IN_USE, SAM, SAM_TV, set_person  # noqa: E402

YEARS = 10
RUNS = 20
TARGET_MS = 50.0


class _Connection:
    """What the handler needs of a websocket connection; a result is serialised as the
    real connection does before it goes out."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []
        self.errors: list[tuple[int, str, str]] = []

    def send_result(self, msg_id: int, result: Any = None) -> None:
        self.sent.append(json_bytes(messages.result_message(msg_id, result)))

    def send_error(self, msg_id: int, code: str, message: str, *args: Any, **kw: Any) -> None:
        self.errors.append((msg_id, code, message))


async def run() -> tuple[list[float], int, int, int]:
    """The timings (s), the answer's size (bytes), its days and its rituals."""
    with tempfile.TemporaryDirectory(prefix="connection-rituals-bench-history-") as config_dir:
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)  # find custom_components/
            set_person(hass, ALEX, "home")
            set_person(hass, SAM, "home")
            hass.states.async_set(ALEX_PHONE_IN_USE, "off")
            hass.states.async_set(SAM_TV, "off")

            entry = make_entry()
            write_history(hass, entry, YEARS)
            entry.add_to_hass(hass)
            await setup(hass, entry)  # folds the old days into baselines
            assert await hass.config_entries.async_unload(entry.entry_id)
            await hass.async_block_till_done()
            await setup(hass, entry)  # the file after ten years of use

            engine = entry.runtime_data
            today = engine.today()
            msg = {
                "id": 1,
                "type": "connection_rituals/history",
                "entry_id": entry.entry_id,
                "start": today - timedelta(days=MAX_RANGE_DAYS - 1),
                "end": today,
            }
            connection = _Connection()
            ws_history(hass, connection, msg)  # type: ignore[arg-type]  # warm-up
            assert not connection.errors, connection.errors
            timings: list[float] = []
            gc.collect()
            for _ in range(RUNS):
                start = time.perf_counter()
                ws_history(hass, connection, msg)  # type: ignore[arg-type]
                timings.append(time.perf_counter() - start)
                await asyncio.sleep(0)  # the loop runs on between requests
            assert not connection.errors, connection.errors
            days = sum(len(r.state.history) for r in engine.rituals.values())
            size = len(connection.sent[-1])
            rituals = len(engine.rituals)
            await hass.config_entries.async_remove(entry.entry_id)
            await hass.async_block_till_done()
            await hass.async_stop(force=True)
    return timings, size, days, rituals


def main() -> int:
    """Print the median; exit 1 when it misses the target."""
    logging.basicConfig(level=logging.ERROR)
    timings, size, records, rituals = asyncio.run(run())
    median_ms = statistics.median(timings) * 1e3
    met = median_ms < TARGET_MS
    print(
        f"connection_rituals/history, {rituals} rituals, {YEARS} years of use "
        f"({records} stored day records), {MAX_RANGE_DAYS}-day range, {RUNS} runs on the event loop:"
    )
    print(
        f"  median {median_ms:.1f} ms (min {min(timings) * 1e3:.1f}, max {max(timings) * 1e3:.1f}), "
        f"answer {size / 1024:.0f} KiB; target < {TARGET_MS:.0f} ms: {'met' if met else 'NOT met'}"
    )
    print(f"  (Python {sys.version.split()[0]})")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
