"""Performance benchmarks of Connection Rituals on a real Home Assistant instance.

Run through `scripts/bench` (it prepares `.venv` first). Not part of the test suite:
the figures depend on the machine. Prints one table: benchmark, figure, target, met.

1. Overhead on unrelated state changes (with vs. without a 20-ritual entry).
2. Relevant-event cost: person arrival -> `started` bus event + notify call, vs. a bare
   state-change listener (the floor).
3. Setup time of a 20-ritual entry after 10 years of use (+ history load time), and the
   first setup of 10 years of raw daily records as a worst case.
4. Storage writes during a storm of 1 000 relevant events in 10 s.
5. Memory added by the 20-ritual / 10-year entry (tracemalloc).
6. The card's history command over its largest range, 10 years of a 20-ritual couple
   (scripts/bench_history.py).
7. Learning rhythms from 90 days of recorder history for 10 entities: executor time and
   event-loop blocking (scripts/bench_rhythms.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
import gc
import logging
from pathlib import Path
import statistics
import sys
import tempfile
import time
import tracemalloc
from typing import Any
from unittest.mock import patch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_couple import (  # noqa: E402  # a sibling script: scripts/ is on the path
    HISTORY_YEARS,
    make_entry,
    setup,
    write_history,
)
from homeassistant import loader  # noqa: E402
from homeassistant.config_entries import ConfigEntryState  # noqa: E402
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback  # noqa: E402
from homeassistant.helpers.event import async_track_state_change_event  # noqa: E402
from homeassistant.helpers.storage import Store  # noqa: E402
from pytest_homeassistant_custom_component.common import (  # noqa: E402
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.connection_rituals.const import (  # noqa: E402
    CONF_NOTIFY_A,
    DOMAIN,
    EVENT_CONNECTION_RITUALS,
    SAVE_DELAY_SECONDS,
    RitualKind,
)
from custom_components.connection_rituals.core.streaks import StreakRules  # noqa: E402
from custom_components.connection_rituals.storage import RitualsStore  # noqa: E402
from tests.conftest import (  # noqa: E402
    ALEX,
    ALEX_PHONE_IN_USE,
    SAM,
    SAM_TV,
    set_person,
)

UNRELATED_WRITES = 100_000
OVERHEAD_ROUNDS = 15
ARRIVALS = 1_000
SETUP_RUNS = 7
STORM_EVENTS = 1_000
STORM_SPACING = 0.01  # seconds: 1 000 events in 10 s
MINIMAL = "person.minimal"  # a person only the bench's minimal integration watches

Row = tuple[str, str, str, bool]


# ---------------------------------------------------------------- figures


def median(values: list[float]) -> float:
    """Median."""
    return statistics.median(values)


def p99(values: list[float]) -> float:
    """99th percentile."""
    return statistics.quantiles(values, n=100, method="inclusive")[98]


# ------------------------------------------------------------ benchmark 1


async def bench_unrelated(hass: HomeAssistant, entry: MockConfigEntry) -> list[Row]:
    """100 000 writes of unwatched entities, with vs. without the entry loaded."""

    async def burst(round_no: int, writes: int = UNRELATED_WRITES) -> float:
        states = hass.states
        await hass.async_block_till_done()
        gc.collect()
        gc.disable()  # collector pauses land at random: same work, less noise
        try:
            # CPU time of this process: other processes on the machine do not count.
            start = time.process_time()
            for i in range(writes):
                states.async_set(f"sensor.unrelated_{i % 1000}", str(i + round_no))
            await hass.async_block_till_done()
            return time.process_time() - start
        finally:
            gc.enable()

    await burst(-1)  # warm up (creates the 1 000 entities)
    with_times: list[float] = []
    without_times: list[float] = []
    for round_no in range(OVERHEAD_ROUNDS):
        order = [True, False] if round_no % 2 else [False, True]
        for loaded in order:
            if loaded:
                if entry.state is not ConfigEntryState.LOADED:
                    await setup(hass, entry)
                await burst(-2, UNRELATED_WRITES // 10)  # settle after the toggle
                with_times.append(await burst(round_no))
            else:
                if entry.state is ConfigEntryState.LOADED:
                    assert await hass.config_entries.async_unload(entry.entry_id)
                    await hass.async_block_till_done()
                await burst(-2, UNRELATED_WRITES // 10)
                without_times.append(await burst(round_no))
    if entry.state is not ConfigEntryState.LOADED:
        await setup(hass, entry)
    # Each round measures both, back to back: the median of the rounds' ratios is
    # what load from other processes disturbs least.
    ratio = median([w / wo for w, wo in zip(with_times, without_times, strict=True)])
    per_write = median(without_times) / UNRELATED_WRITES * 1e6
    best = min(with_times) / min(without_times)
    return [
        (
            "1. unrelated state writes: with / without entry",
            f"{ratio:.3f}x median of {OVERHEAD_ROUNDS} paired rounds, {best:.3f}x best-of "
            f"({per_write:.1f} µs/write)",
            "<= 1.02x",
            ratio <= 1.02,
        )
    ]


# ------------------------------------------------------------ benchmark 2


async def bench_arrival(hass: HomeAssistant, entry: MockConfigEntry) -> list[Row]:
    """Arrival -> `started` bus event and notify call, against a bare listener.

    The floor is a bare listener on the same person and the same arrival: it is
    registered before the entry's own listener (the entry is reloaded after it), so
    Home Assistant reaches it first, and the same arrival times both.
    """
    # When each listener was reached during the current arrival (perf_counter).
    reached: dict[str, float] = {}

    @callback
    def _notify(call: Any) -> None:
        reached.setdefault("notify", time.perf_counter())

    @callback
    def _started(event: Event) -> None:
        if event.data.get("type") == "started" and event.data.get("kind") == "reunion":
            reached.setdefault("event", time.perf_counter())

    @callback
    def _floor(event: Event[EventStateChangedData]) -> None:
        reached.setdefault("floor", time.perf_counter())

    @callback
    def _lone_floor(event: Event[EventStateChangedData]) -> None:
        reached.setdefault("lone", time.perf_counter())

    hass.services.async_register("notify", "alex_pager", _notify)  # now timed

    # The least an integration can do on an arrival, for comparison: one notify call in a
    # task of the entry (with a timeout, as ours) and one bus event, nothing else.
    @callback
    def _minimal_notify(call: Any) -> None:
        reached.setdefault("minimal_notify", time.perf_counter())

    @callback
    def _minimal_event(event: Event) -> None:
        reached.setdefault("minimal_event", time.perf_counter())

    async def _minimal_send() -> None:
        async with asyncio.timeout(10):
            await hass.services.async_call(
                "notify", "minimal_pager", {"message": "Home"}, blocking=True
            )

    @callback
    def _minimal_floor(event: Event[EventStateChangedData]) -> None:
        reached.setdefault("minimal_floor", time.perf_counter())

    @callback
    def _minimal(event: Event[EventStateChangedData]) -> None:
        if event.data["new_state"] is not None and event.data["new_state"].state == "home":
            entry.async_create_background_task(hass, _minimal_send(), "bench minimal")
            hass.bus.async_fire("bench_minimal_started", {"partner": MINIMAL})

    hass.services.async_register("notify", "minimal_pager", _minimal_notify)
    unsub_minimal = [
        hass.bus.async_listen("bench_minimal_started", _minimal_event),
        async_track_state_change_event(hass, [MINIMAL], _minimal_floor),
        async_track_state_change_event(hass, [MINIMAL], _minimal),
    ]
    unsub_event = hass.bus.async_listen(EVENT_CONNECTION_RITUALS, _started)
    unsub_floor = async_track_state_change_event(hass, [SAM], _floor)
    # For comparison: a person entity nothing else in Home Assistant watches.
    unsub_lone = async_track_state_change_event(hass, ["person.nobody_watches"], _lone_floor)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    engine = entry.runtime_data
    reunion = next(r for r in engine.rituals.values() if r.config.kind is RitualKind.REUNION)
    # Where the arrival spends its time: the integration's own listener is timed too.
    person_changed = engine.person_changed

    def _timed_person_changed(partner: str, old: Any, new: Any) -> None:
        reached.setdefault("ours", time.perf_counter())
        person_changed(partner, old, new)
        reached.setdefault("done", time.perf_counter())

    engine.person_changed = _timed_person_changed
    # ... and, inside it, choosing the prompt's idea (the notifier's words).
    assert engine.notifier is not None
    words = engine.notifier.words
    text = words.text

    def _timed_text(ritual: Any, occurrence: Any) -> str:
        reached.setdefault("idea", time.perf_counter())
        chosen = text(ritual, occurrence)
        reached.setdefault("idea_chosen", time.perf_counter())
        return chosen

    words.text = _timed_text  # type: ignore[method-assign]
    stages: dict[str, list[float]] = {
        "ours": [],
        "prompt": [],
        "event": [],
        "returned": [],
        "idea": [],
    }

    async def arrival() -> tuple[float, float]:
        set_person(hass, SAM, "not_home")
        await hass.async_block_till_done()
        if reunion.state.occurrence is not None:
            engine.skip(reunion)  # end the window so the next arrival starts one again
        await hass.async_block_till_done()
        reached.clear()
        start = time.perf_counter()
        set_person(hass, SAM, "home")
        # The listeners record when they are reached; nothing else is timed.
        await hass.async_block_till_done()
        stages["ours"].append(reached["ours"] - reached["floor"])
        stages["prompt"].append(reached["notify"] - reached["ours"])
        stages["event"].append(reached["event"] - reached["ours"])
        stages["returned"].append(reached["done"] - reached["ours"])
        stages["idea"].append(reached["idea_chosen"] - reached["idea"])
        return max(reached["notify"], reached["event"]) - start, reached["floor"] - start

    async def lone_floor() -> float:
        set_person(hass, "person.nobody_watches", "not_home")
        await hass.async_block_till_done()
        reached.clear()
        start = time.perf_counter()
        set_person(hass, "person.nobody_watches", "home")
        await hass.async_block_till_done()
        return reached["lone"] - start

    async def minimal() -> tuple[float, float]:
        set_person(hass, MINIMAL, "not_home")
        await hass.async_block_till_done()
        reached.clear()
        start = time.perf_counter()
        set_person(hass, MINIMAL, "home")
        await hass.async_block_till_done()
        done = max(reached["minimal_notify"], reached["minimal_event"])
        return done - start, reached["minimal_floor"] - start

    for _ in range(20):  # warm up
        await arrival()
        await lone_floor()
        await minimal()
    arrivals: list[float] = []
    floors: list[float] = []
    lone_floors: list[float] = []
    minimals: list[float] = []
    minimal_floors: list[float] = []
    gc.collect()
    for _ in range(ARRIVALS):
        arrival_time, floor_time = await arrival()
        arrivals.append(arrival_time)
        floors.append(floor_time)
        lone_floors.append(await lone_floor())
        minimal_time, minimal_floor = await minimal()
        minimals.append(minimal_time)
        minimal_floors.append(minimal_floor)
    for unsub in unsub_minimal:
        unsub()
    unsub_event()
    unsub_floor()
    unsub_lone()
    engine.person_changed = person_changed
    words.text = text  # type: ignore[method-assign]
    for stage in stages.values():
        del stage[: len(stage) - ARRIVALS]  # the measured arrivals, not the warm-up
    arrive_med, arrive_p99 = median(arrivals) * 1e6, p99(arrivals) * 1e6
    floor_med, floor_p99 = median(floors) * 1e6, p99(floors) * 1e6
    lone_med = median(lone_floors) * 1e6
    minimal_med = median(minimals) * 1e6
    minimal_floor_med = median(minimal_floors) * 1e6
    ratio = arrive_med / floor_med
    return [
        (
            "2. arrival -> started event + notify (median / p99)",
            f"{arrive_med:.0f} µs / {arrive_p99:.0f} µs",
            "",
            True,
        ),
        (
            "   bare state listener floor, same arrival (median / p99)",
            f"{floor_med:.0f} µs / {floor_p99:.0f} µs",
            "",
            True,
        ),
        (
            "   arrival cost / floor (medians)",
            f"{ratio:.1f}x (p99: {arrive_p99 / floor_p99:.1f}x)",
            "<= 3x",
            ratio <= 3,
        ),
        (
            "   where (medians): floor -> our listener; from its start: -> notify "
            "call / -> started event / -> it returned (the event waits for that); "
            "of it, choosing the idea",
            " / ".join(f"{median(stage) * 1e6:.0f}" for stage in stages.values()) + " µs",
            "",
            True,
        ),
        (
            "   for comparison: floor on an unwatched person",
            f"{lone_med:.0f} µs median (arrival: {arrive_med / lone_med:.1f}x)",
            "",
            True,
        ),
        (
            "   for comparison: the least an integration can do (one notify call in a "
            "task, one bus event) / its own floor",
            f"{minimal_med:.0f} µs / {minimal_floor_med:.0f} µs median "
            f"({minimal_med / minimal_floor_med:.1f}x)",
            "",
            True,
        ),
    ]


# ------------------------------------------------------------ benchmark 4


async def bench_storm(hass: HomeAssistant, entry: MockConfigEntry) -> list[Row]:
    """1 000 arrivals/departures 10 ms apart (real time); count our Store writes."""
    engine = entry.runtime_data
    await engine.store.async_flush(engine.stored_data)  # nothing pending before the storm
    writes: list[float] = []
    original = Store._async_write_data
    key = f"{DOMAIN}.{entry.entry_id}"

    async def _counting(self: Store, data: dict[str, Any]) -> None:
        if self.key == key:
            writes.append(time.monotonic())
        await original(self, data)

    with patch.object(Store, "_async_write_data", _counting):
        start = time.monotonic()
        for i in range(STORM_EVENTS):
            set_person(hass, SAM, "home" if i % 2 else "not_home")
            await asyncio.sleep(max(0.0, start + (i + 1) * STORM_SPACING - time.monotonic()))
        storm_end = time.monotonic()
        await asyncio.sleep(SAVE_DELAY_SECONDS + 1.5)  # the debounced write lands
        await hass.async_block_till_done()
    during = sum(1 for t in writes if t <= storm_end)
    return [
        (
            f"4. Store writes, {STORM_EVENTS} events in {storm_end - start:.1f} s (+{SAVE_DELAY_SECONDS} s)",
            f"{len(writes)} ({during} during the storm)",
            "<= 3",
            len(writes) <= 3,
        )
    ]


# ------------------------------------------------------------ benchmarks 3, 5


async def bench_setup(hass: HomeAssistant) -> list[Row]:
    """Setup of 20 rituals after 10 years of use; the history load alone; memory.

    The integration keeps HISTORY_DAYS days per ritual and folds older days into a
    baseline, so after 10 years of use the file holds ~800 days + baselines. That
    file is made the way a couple's would be: 10 years of daily records written
    raw, set up once (folded while loading) and unloaded (written back). The raw
    file's own first load is measured as a worst case.
    """
    setup_times: list[float] = []
    load_times: list[float] = []
    raw_setup_times: list[float] = []
    raw_load_times: list[float] = []
    raw_size = stored_size = 0
    for _ in range(SETUP_RUNS):
        entry = make_entry()
        raw_size = write_history(hass, entry, HISTORY_YEARS)
        gc.collect()
        start = time.perf_counter()
        await RitualsStore(hass, entry.entry_id).async_load_state(date.today(), StreakRules())
        raw_load_times.append(time.perf_counter() - start)

        entry.add_to_hass(hass)
        gc.collect()
        start = time.perf_counter()
        await setup(hass, entry)
        raw_setup_times.append(time.perf_counter() - start)
        # Unloading writes the folded history: the file after 10 years of use.
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
        stored_size = stored_bytes(hass, entry)

        gc.collect()
        start = time.perf_counter()
        await RitualsStore(hass, entry.entry_id).async_load_state(date.today(), StreakRules())
        load_times.append(time.perf_counter() - start)
        gc.collect()
        start = time.perf_counter()
        await setup(hass, entry)
        setup_times.append(time.perf_counter() - start)
        await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()

    # Memory: what the entry keeps once set up (and the peak while setting up).
    entry = make_entry()
    write_history(hass, entry, HISTORY_YEARS)
    entry.add_to_hass(hass)
    await setup(hass, entry)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    gc.collect()
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    await setup(hass, entry)
    gc.collect()
    after, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    added = (after - before) / 2**20
    peak_mb = (peak - before) / 2**20

    setup_ms = median(setup_times) * 1e3
    return [
        (
            f"3. setup, 20 rituals, {HISTORY_YEARS} y of use as stored ({stored_size / 2**20:.2f} MB)",
            f"{setup_ms:.0f} ms median (max {max(setup_times) * 1e3:.0f} ms, {SETUP_RUNS} runs)",
            "< 150 ms",
            setup_ms < 150,
        ),
        (
            "   of which: loading that history",
            f"{median(load_times) * 1e3:.0f} ms median",
            "",
            True,
        ),
        (
            f"   worst case: {HISTORY_YEARS} y of raw daily records ({raw_size / 2**20:.1f} MB), first setup",
            f"{median(raw_setup_times) * 1e3:.0f} ms median (load {median(raw_load_times) * 1e3:.0f} ms)",
            "",
            True,
        ),
        (
            "5. memory added by that entry (tracemalloc)",
            f"{added:.2f} MB retained (peak {peak_mb:.1f} MB during setup)",
            "< 5 MB",
            added < 5,
        ),
    ]


def stored_bytes(hass: HomeAssistant, entry: MockConfigEntry) -> int:
    """Size of the entry's Store file."""
    return Path(hass.config.path(".storage", f"{DOMAIN}.{entry.entry_id}")).stat().st_size


# -------------------------------------------------------------------- main


async def run(selected: set[str]) -> list[Row]:
    """All benchmarks on one real Home Assistant instance."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="connection-rituals-bench-") as config_dir:
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            # As the harness's enable_custom_integrations fixture: find custom_components/.
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
            set_person(hass, ALEX, "home")
            set_person(hass, SAM, "home")
            hass.states.async_set(ALEX_PHONE_IN_USE, "off")
            hass.states.async_set(SAM_TV, "off")
            notify_calls: list[Any] = []
            hass.services.async_register("notify", "alex_pager", notify_calls.append)

            entry = make_entry(**{CONF_NOTIFY_A: "notify.alex_pager"})
            entry.add_to_hass(hass)
            await setup(hass, entry)
            steps: list[tuple[str, Callable[[], Any]]] = [
                ("1", lambda: bench_unrelated(hass, entry)),
                ("2", lambda: bench_arrival(hass, entry)),
                ("4", lambda: bench_storm(hass, entry)),
            ]
            for name, step in steps:
                if name in selected:
                    rows += await step()
                    print(f"bench: {name} done", file=sys.stderr, flush=True)
            await hass.config_entries.async_remove(entry.entry_id)
            await hass.async_block_till_done()
            if selected & {"3", "5"}:
                rows += await bench_setup(hass)
                print("bench: 3, 5 done", file=sys.stderr, flush=True)
            # Table order 1..5: the memory row (5) was measured with the setup runs (3).
            rows = _in_order(rows)
            await hass.async_stop(force=True)
    return rows


def _in_order(rows: list[Row]) -> list[Row]:
    """Rows by benchmark number; indented rows stay under their benchmark."""
    keyed: list[tuple[str, int, Row]] = []
    group = ""
    for index, row in enumerate(rows):
        if row[0][0].isdigit():
            group = row[0][0]
        keyed.append((group, index, row))
    return [row for *_, row in sorted(keyed)]


def print_table(rows: list[Row]) -> None:
    """One plain-text table."""
    header = ("benchmark", "figure", "target", "met")
    cells = [
        header,
        *(
            (name, fig, target, ("yes" if ok else "no") if target else "")
            for name, fig, target, ok in rows
        ),
    ]
    widths = [max(len(row[col]) for row in cells) for col in range(4)]
    for n, row in enumerate(cells):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * width for width in widths))


def history_rows() -> list[Row]:
    """6: the card's history command, 10 years of a 20-ritual couple (scripts/bench_history.py)."""
    import bench_history  # a sibling script: scripts/ is on the path when run

    timings, size, records, rituals = asyncio.run(bench_history.run())
    ms = statistics.median(timings) * 1000
    print("bench: 6 done", file=sys.stderr, flush=True)
    return [
        (
            f"6 card history ({rituals} rituals, {records} stored days)",
            f"median {ms:.1f} ms, {size // 1024} KiB",
            f"< {bench_history.TARGET_MS:.0f} ms",
            ms < bench_history.TARGET_MS,
        )
    ]


def rhythm_rows() -> list[Row]:
    """7: learning rhythms from 90 days of history for 10 entities (scripts/bench_rhythms.py)."""
    import bench_rhythms  # a sibling script: scripts/ is on the path when run

    result = bench_rhythms.run_sync()
    print("bench: 7 done", file=sys.stderr, flush=True)
    executor_ms = result["executor_s"] * 1000
    return [
        (
            f"7 rhythms from {bench_rhythms.DAYS} days, 10 entities ({result['rows']} rows)",
            f"executor {executor_ms:.0f} ms",
            f"< {bench_rhythms.TARGET_EXECUTOR_S * 1000:.0f} ms",
            result["executor_s"] < bench_rhythms.TARGET_EXECUTOR_S,
        ),
        (
            "  event loop blocked (all loop-side parts)",
            f"{result['loop_ms']:.2f} ms",
            f"< {bench_rhythms.TARGET_LOOP_MS:.0f} ms",
            result["loop_ms"] < bench_rhythms.TARGET_LOOP_MS,
        ),
    ]


def main() -> int:
    """Run the benchmarks named on the command line (default: all)."""
    logging.basicConfig(level=logging.ERROR)
    selected = set(sys.argv[1:]) or {"1", "2", "3", "4", "5", "6", "7"}
    started = time.perf_counter()
    rows = asyncio.run(run(selected))
    if "6" in selected:
        rows += history_rows()
    if "7" in selected:
        rows += rhythm_rows()
    print_table(rows)
    print(f"\n({time.perf_counter() - started:.0f} s, Python {sys.version.split()[0]})")
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
