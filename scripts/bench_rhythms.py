"""Benchmark of learning rhythms from the recorder: 90 days of history for 10 entities.

Run as `.venv/bin/python scripts/bench_rhythms.py` (or through scripts/bench, as
benchmark 7). Not part of the test suite: the figures depend on the machine.

A real recorder (SQLite in a temporary folder) is given 90 days of a couple's noisy
life (tests/rhythm_history.py) for two persons and eight lights, each change at its own
moment. Then the learner's first-setup import runs as it does in Home Assistant: the
history query and the derivation of daily times in the recorder's executor, the merge
and the statistics on the event loop. Targets: under 1 s in the executor, under 5 ms
of event-loop blocking in total (measured by timing every loop-side part of the import,
and checked with a loop-lag probe).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
import logging
from pathlib import Path
import sys
import tempfile
import time
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from homeassistant import loader  # noqa: E402
from homeassistant.components.recorder import get_instance  # noqa: E402
from homeassistant.helpers import recorder as recorder_helper  # noqa: E402
from homeassistant.setup import async_setup_component  # noqa: E402
from homeassistant.util import dt as dt_util  # noqa: E402
from pytest_homeassistant_custom_component.common import async_test_home_assistant  # noqa: E402
from pytest_homeassistant_custom_component.components.recorder.common import (  # noqa: E402
    async_wait_recording_done,
)

from custom_components.connection_rituals import rhythms  # noqa: E402
from custom_components.connection_rituals.const import CONF_LIGHTS, RitualKind  # noqa: E402
from custom_components.connection_rituals.core.rhythms import DayKind, Signal  # noqa: E402
from tests.conftest import couple_entry, ritual_subentry  # noqa: E402
from tests.rhythm_history import BEDROOM, LIVING_ROOM, ZONE, couples_month  # noqa: E402

DAYS = 90
EXTRA_LIGHTS = 6  # with the bedroom, the living room and two persons: 10 entities
TARGET_EXECUTOR_S = 1.0
TARGET_LOOP_MS = 5.0


async def run() -> dict[str, Any]:
    """Executor seconds, loop-blocking milliseconds, rows written, learned bedtime."""
    with tempfile.TemporaryDirectory(prefix="connection-rituals-rhythms-") as config_dir:
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
            await hass.config.async_set_time_zone(str(ZONE))
            db_url = f"sqlite:///{Path(config_dir) / 'bench.db'}"
            recorder_helper.async_initialize_recorder(hass)
            assert await async_setup_component(
                hass, "recorder", {"recorder": {"db_url": db_url, "commit_interval": 0}}
            )
            await hass.async_block_till_done()
            end = dt_util.now().replace(hour=12, minute=0, second=0, microsecond=0)
            first = end.date() - timedelta(days=DAYS)
            changes = couples_month(first, DAYS)
            extra = [f"light.room_{n}" for n in range(EXTRA_LIGHTS)]
            rows = 0
            for change in changes:
                hass.states.async_set(
                    change.entity_id, change.state, timestamp=change.at.timestamp()
                )
                rows += 1
                if change.entity_id == BEDROOM:  # the other rooms follow the bedroom
                    for n, light in enumerate(extra):
                        moment = change.at.timestamp() - 60 * (n + 1)
                        hass.states.async_set(light, change.state, timestamp=moment)
                        rows += 1
            await async_wait_recording_done(hass)

            entry = couple_entry(
                ritual_subentry(RitualKind.BEDTIME, **{CONF_LIGHTS: [BEDROOM, LIVING_ROOM, *extra]})
            )
            entry.add_to_hass(hass)
            learner = rhythms.RhythmLearner(hass, entry)
            await learner.async_load()
            assert len(learner.watched.entity_ids) == 10

            executor_s: list[float] = []
            original = rhythms.read_history

            def timed(*args: Any) -> Any:
                started = time.perf_counter()
                try:
                    return original(*args)
                finally:
                    executor_s.append(time.perf_counter() - started)

            loop_s: list[float] = []
            for name in ("_merge", "_relearn", "_changed"):
                method = getattr(learner, name)

                def _wrapped(*args: Any, _method: Any = method, **kwargs: Any) -> Any:
                    started = time.perf_counter()
                    try:
                        return _method(*args, **kwargs)
                    finally:
                        loop_s.append(time.perf_counter() - started)

                setattr(learner, name, _wrapped)

            lags: list[float] = []
            probing = True

            async def probe() -> None:
                while probing:
                    before = time.perf_counter()
                    await asyncio.sleep(0)
                    lags.append(time.perf_counter() - before)

            rhythms.read_history = timed  # type: ignore[assignment]
            probe_task = asyncio.create_task(probe())
            started = time.perf_counter()
            try:
                await learner._async_import(dt_util.as_utc(end))
            finally:
                rhythms.read_history = original  # type: ignore[assignment]
                probing = False
                await probe_task
            wall = time.perf_counter() - started
            # The import's own loop part: before the executor call (its start) and after.
            before_await = max(0.0, wall - executor_s[0] - sum(loop_s))
            bedtime = learner.usual_for(Signal.LIGHTS_OUT, DayKind.WORKDAY)
            await get_instance(hass).async_add_executor_job(lambda: None)
            await hass.async_stop(force=True)
    return {
        "executor_s": executor_s[0],
        "loop_ms": sum(loop_s) * 1000,
        "other_ms": before_await * 1000,
        "max_lag_ms": max(lags) * 1000 if lags else 0.0,
        "rows": rows,
        "bedtime": None if bedtime is None else rhythms.hours_minutes(bedtime),
    }


def run_sync() -> dict[str, Any]:
    """The figures, from a fresh event loop."""
    return asyncio.run(run())


def main() -> int:
    """Run it and print the figures."""
    logging.basicConfig(level=logging.ERROR)
    result = run_sync()
    print(
        f"executor {result['executor_s'] * 1000:.0f} ms, loop {result['loop_ms']:.2f} ms "
        f"(waiting and scheduling around it {result['other_ms']:.2f} ms; longest stall of the "
        f"loop while it ran, the recorder's own work included, {result['max_lag_ms']:.2f} ms), "
        f"{result['rows']} rows, "
        f"bedtime {result['bedtime']}"
    )
    met = result["executor_s"] < TARGET_EXECUTOR_S and result["loop_ms"] < TARGET_LOOP_MS
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
