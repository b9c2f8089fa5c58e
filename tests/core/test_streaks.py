"""Day outcomes and streaks: every rule by example, then the invariants by property."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import reduce
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.connection_rituals.core.streaks import (
    COMPLETION_RATE_DAYS,
    STREAK_MILESTONES,
    Baseline,
    DayOutcome,
    DayRecord,
    StreakRules,
    add_neutral_day,
    compute_stats,
    couple_history,
    milestone_reached,
    prune_history,
)

CI = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

MONDAY = date(2026, 3, 2)  # ISO week 2026-W10 runs Monday 2 March to Sunday 8 March
assert MONDAY.isoweekday() == 1

DONE = DayRecord(started=1, completed=1)
MISSED = DayRecord(started=1, missed=1)
SKIPPED = DayRecord(skipped=1)
PAUSED = DayRecord(paused=1)
OPEN = DayRecord(started=1)  # started, not resolved yet: no outcome of its own

NO_GRACE = StreakRules(grace_days_per_week=0)


def d(offset: int) -> date:
    """The day `offset` days after the reference Monday."""
    return MONDAY + timedelta(days=offset)


def seq(*records: DayRecord | None, start: int = 0) -> dict[date, DayRecord]:
    """A history of consecutive days from d(start); None leaves a day without a record."""
    return {d(start + i): r for i, r in enumerate(records) if r is not None}


# --------------------------------------------------------------------------- DayRecord


def test_empty_and_started_only_records_had_no_opportunity() -> None:
    assert DayRecord().outcome is DayOutcome.NO_OPPORTUNITY
    assert OPEN.outcome is DayOutcome.NO_OPPORTUNITY


@pytest.mark.parametrize(
    ("record", "outcome"),
    [
        (DayRecord(paused=1), DayOutcome.PAUSED),
        (DayRecord(missed=1), DayOutcome.MISSED),
        (DayRecord(skipped=1), DayOutcome.SKIPPED),
        (DayRecord(completed=1), DayOutcome.COMPLETED),
        (DayRecord(missed=1, paused=3), DayOutcome.MISSED),
        (DayRecord(skipped=1, missed=2, paused=1), DayOutcome.SKIPPED),
        (DayRecord(started=2, completed=1, missed=1, skipped=1, paused=1), DayOutcome.COMPLETED),
    ],
)
def test_outcome_of_a_day(record: DayRecord, outcome: DayOutcome) -> None:
    assert record.outcome is outcome


def test_merge_adds_counters() -> None:
    merged = DayRecord(started=1, missed=1).merge(DayRecord(started=2, completed=1, paused=4))
    assert merged == DayRecord(started=3, completed=1, missed=1, paused=4)
    both = DayRecord(1, 2, 3, 4, 5).merge(DayRecord(5, 4, 3, 2, 1))
    assert both == DayRecord(6, 6, 6, 6, 6)


def test_add_increases_only_the_named_counters() -> None:
    record = DayRecord(started=1).add(completed=2, skipped=1)
    assert record == DayRecord(started=1, completed=2, skipped=1)
    assert DayRecord().add() == DayRecord()


def test_as_dict_leaves_out_zero_counters() -> None:
    assert DayRecord().as_dict() == {}
    assert DayRecord(started=2, completed=1).as_dict() == {"started": 2, "completed": 1}
    assert DayRecord(1, 2, 3, 4, 5).as_dict() == {
        "started": 1,
        "completed": 2,
        "missed": 3,
        "skipped": 4,
        "paused": 5,
    }


def test_from_dict_defaults_missing_counters_to_zero() -> None:
    assert DayRecord.from_dict({}) == DayRecord()
    assert DayRecord.from_dict({"missed": 2}) == DayRecord(missed=2)


@pytest.mark.parametrize("name", ["started", "completed", "missed", "skipped", "paused"])
@pytest.mark.parametrize("value", [-1, True, False, 1.0, 1.5, "1", None, [1], {"n": 1}])
def test_from_dict_rejects_bad_counters(name: str, value: Any) -> None:
    with pytest.raises(ValueError, match=name):
        DayRecord.from_dict({name: value})


def test_from_dict_rejects_unknown_keys() -> None:
    with pytest.raises(ValueError, match="complete"):
        DayRecord.from_dict({"complete": 1})


@pytest.mark.parametrize("data", [None, [1, 2], "completed", 3])
def test_from_dict_rejects_what_is_not_a_mapping(data: Any) -> None:
    with pytest.raises(ValueError, match="invalid day record"):
        DayRecord.from_dict(data)


def test_baseline_round_trip_and_validation() -> None:
    baseline = Baseline(current=4, best=9, completions=31)
    assert baseline.as_dict() == {"current": 4, "best": 9, "completions": 31}
    assert Baseline.from_dict(baseline.as_dict()) == baseline
    assert Baseline.from_dict({}) == Baseline()
    for bad in (-1, True, 2.0, "3", None):
        with pytest.raises(ValueError, match="invalid baseline"):
            Baseline.from_dict({"best": bad})
    with pytest.raises(ValueError, match="invalid baseline"):
        Baseline.from_dict([1, 2, 3])  # type: ignore[arg-type]


# ---------------------------------------------------------------------- compute_stats


def test_empty_history() -> None:
    stats = compute_stats({}, d(0))
    assert (stats.current, stats.best, stats.completions) == (0, 0, 0)
    assert stats.completion_rate is None
    assert stats.today is DayOutcome.NO_OPPORTUNITY
    assert stats.grace_days_used_this_week == 0
    assert dict(stats.outcomes) == {}


def test_completed_days_extend_the_streak() -> None:
    history = seq(DONE, DONE, DONE)
    assert compute_stats(history, d(0)).current == 1
    assert compute_stats(history, d(1)).current == 2
    stats = compute_stats(history, d(2))
    assert (stats.current, stats.best, stats.completions) == (3, 3, 3)
    assert stats.today is DayOutcome.COMPLETED


@pytest.mark.parametrize(
    "neutral", [None, DayRecord(), OPEN, PAUSED, DayRecord(started=1, paused=2)]
)
def test_no_opportunity_and_paused_days_are_neutral(neutral: DayRecord | None) -> None:
    history = seq(DONE, neutral, neutral, DONE, neutral, DONE)
    stats = compute_stats(history, d(5), NO_GRACE)
    assert (stats.current, stats.best, stats.completions) == (3, 3, 3)
    # ...also as the latest days: they do not end the streak either.
    stats = compute_stats(seq(DONE, DONE, neutral, neutral), d(3), NO_GRACE)
    assert stats.current == 2


def test_not_today_is_always_free() -> None:
    """A skipped day ("not today") is neutral however many there are, with no grace."""
    stats = compute_stats(seq(DONE, SKIPPED, SKIPPED, SKIPPED, SKIPPED, DONE), d(5), NO_GRACE)
    assert (stats.current, stats.best) == (2, 2)
    assert stats.outcomes[DayOutcome.SKIPPED] == 4
    assert stats.grace_days_used_this_week == 0
    # The completion rate only knows completed and not-marked days: skips are not counted.
    assert stats.completion_rate == 100.0


@given(pattern=st.lists(st.booleans(), min_size=1, max_size=60))
def test_declining_never_ends_a_streak(pattern: list[bool]) -> None:
    """Any mix of kept days and "not today" keeps a streak of every kept day."""
    days = [DONE if kept else SKIPPED for kept in pattern]
    stats = compute_stats(seq(*days), d(len(days) - 1), NO_GRACE)
    assert stats.current == sum(pattern)


def test_more_grace_days_per_week() -> None:
    rules = StreakRules(grace_days_per_week=2)
    history = seq(DONE, MISSED, MISSED, DONE, MISSED, DONE)
    stats = compute_stats(history, d(5), rules)
    assert (stats.current, stats.best) == (1, 2)
    assert compute_stats(seq(DONE, MISSED, MISSED, DONE), d(3), rules).current == 2


def test_best_streak_survives_a_break() -> None:
    history = seq(DONE, DONE, DONE, DONE, MISSED, DONE, DONE, start=7)
    stats = compute_stats(history, d(13), NO_GRACE)
    assert (stats.current, stats.best) == (2, 4)
    assert stats.best >= stats.current


def test_completions_count_every_completed_occurrence() -> None:
    history = seq(DayRecord(started=3, completed=3), DayRecord(completed=1, missed=1), MISSED)
    stats = compute_stats(history, d(2))
    assert stats.completions == 4
    assert stats.current == 2  # two completed days, however many completions
    assert stats.outcomes == {DayOutcome.COMPLETED: 2, DayOutcome.MISSED: 1}


def test_completion_rate_over_the_last_30_days() -> None:
    today = d(40)
    first = today - timedelta(days=COMPLETION_RATE_DAYS - 1)
    history = {
        first - timedelta(days=1): MISSED,  # 31 days ago: outside the window
        first - timedelta(days=2): MISSED,
        first: DONE,  # the oldest day inside the window
        first + timedelta(days=3): DayRecord(completed=2),  # a day counts once
        first + timedelta(days=5): MISSED,
        first + timedelta(days=6): SKIPPED,  # neither completed nor missed
        first + timedelta(days=7): PAUSED,
        first + timedelta(days=8): OPEN,
        today + timedelta(days=1): MISSED,  # the future is ignored
    }
    assert compute_stats(history, today).completion_rate == 66.7


@pytest.mark.parametrize(
    ("completed", "missed", "rate"),
    [(1, 0, 100.0), (0, 1, 0.0), (1, 2, 33.3), (2, 1, 66.7), (1, 7, 12.5), (5, 2, 71.4)],
)
def test_completion_rate_is_a_percentage_rounded_to_a_tenth(
    completed: int, missed: int, rate: float
) -> None:
    history = seq(*([DONE] * completed + [MISSED] * missed))
    assert compute_stats(history, d(completed + missed), NO_GRACE).completion_rate == rate


def test_completion_rate_is_none_without_opportunities() -> None:
    history = seq(SKIPPED, PAUSED, OPEN, None, DayRecord())
    assert compute_stats(history, d(4)).completion_rate is None
    # Opportunities older than the window do not count either.
    assert compute_stats(seq(DONE, MISSED), d(40)).completion_rate is None


def test_today_counts_only_once_resolved() -> None:
    history = {**seq(DONE, MISSED, DONE), d(3): OPEN}  # the week's grace day is used
    stats = compute_stats(history, d(3))
    assert stats.current == 2
    assert stats.today is DayOutcome.NO_OPPORTUNITY

    stats = compute_stats({**history, d(3): OPEN.add(missed=1)}, d(3))
    assert stats.current == 0
    assert stats.today is DayOutcome.MISSED

    stats = compute_stats({**history, d(3): OPEN.add(completed=1)}, d(3))
    assert stats.current == 3
    assert stats.today is DayOutcome.COMPLETED


def test_future_days_are_ignored() -> None:
    history = seq(DONE, DONE, MISSED, MISSED, DayRecord(completed=5), start=0)
    stats = compute_stats(history, d(1), NO_GRACE)
    assert (stats.current, stats.best, stats.completions) == (2, 2, 2)
    assert stats.outcomes == {DayOutcome.COMPLETED: 2}
    assert stats.completion_rate == 100.0
    assert stats.grace_days_used_this_week == 0


def test_outcomes_are_counted_per_day() -> None:
    history = seq(DONE, MISSED, SKIPPED, PAUSED, OPEN, DONE)
    stats = compute_stats(history, d(5))
    assert stats.outcomes == {
        DayOutcome.COMPLETED: 2,
        DayOutcome.MISSED: 1,
        DayOutcome.SKIPPED: 1,
        DayOutcome.PAUSED: 1,
        DayOutcome.NO_OPPORTUNITY: 1,
    }


def test_baseline_carries_pruned_figures() -> None:
    baseline = Baseline(current=5, best=9, completions=40)
    stats = compute_stats({}, d(0), baseline=baseline)
    assert (stats.current, stats.best, stats.completions) == (5, 9, 40)

    stats = compute_stats(seq(DONE, DONE), d(1), baseline=baseline)
    assert (stats.current, stats.best, stats.completions) == (7, 9, 42)

    stats = compute_stats(seq(DONE, DONE, DONE, DONE, DONE), d(4), baseline=baseline)
    assert (stats.current, stats.best, stats.completions) == (10, 10, 45)

    stats = compute_stats(seq(MISSED, DONE), d(1), NO_GRACE, baseline)
    assert (stats.current, stats.best, stats.completions) == (1, 9, 41)


def test_baseline_best_is_never_below_its_current() -> None:
    stats = compute_stats({}, d(0), baseline=Baseline(current=6, best=2, completions=6))
    assert (stats.current, stats.best) == (6, 6)


# ---------------------------------------------------------------------- couple_history


@pytest.mark.parametrize(
    ("records", "outcome"),
    [
        ([DONE, MISSED, SKIPPED, PAUSED], DayOutcome.COMPLETED),
        ([MISSED, DONE], DayOutcome.COMPLETED),
        ([MISSED, SKIPPED, PAUSED, OPEN], DayOutcome.MISSED),
        ([SKIPPED, MISSED], DayOutcome.MISSED),
        ([PAUSED, SKIPPED, OPEN], DayOutcome.SKIPPED),
        ([OPEN, PAUSED, DayRecord()], DayOutcome.PAUSED),
        ([OPEN, DayRecord()], DayOutcome.NO_OPPORTUNITY),
    ],
)
def test_couple_day_takes_the_strongest_outcome(
    records: list[DayRecord], outcome: DayOutcome
) -> None:
    for ordering in (records, records[::-1]):
        folded = couple_history([{d(0): record} for record in ordering])
        assert set(folded) == {d(0)}
        assert folded[d(0)].outcome is outcome


def test_couple_history_counts_days_not_completions() -> None:
    reunion = seq(DayRecord(completed=2), MISSED, None, DONE)
    bedtime = seq(DONE, DONE, PAUSED, MISSED)
    folded = couple_history([reunion, bedtime])
    assert set(folded) == {d(0), d(1), d(2), d(3)}
    assert folded[d(0)] == DayRecord(completed=1)
    assert folded[d(2)] == DayRecord(paused=1)
    stats = compute_stats(folded, d(3), NO_GRACE)
    assert (stats.current, stats.completions) == (3, 3)
    assert couple_history([]) == {}


# ------------------------------------------------------------------- milestone_reached


@pytest.mark.parametrize(
    ("previous", "current", "milestone"),
    [
        (2, 3, 3),
        (0, 3, 3),
        (3, 3, None),
        (3, 4, None),
        (6, 7, 7),
        (0, 8, 7),  # crossing several at once reports the highest
        (29, 31, 30),
        (999, 1000, 1000),
        (1000, 5000, None),
        (8, 2, None),  # a streak that shrank reached nothing
        (0, 0, None),
    ],
)
def test_milestone_reached(previous: int, current: int, milestone: int | None) -> None:
    assert milestone_reached(previous, current) == milestone


def test_every_milestone_is_reached_by_one_more_day() -> None:
    assert list(STREAK_MILESTONES) == sorted(set(STREAK_MILESTONES))
    for m in STREAK_MILESTONES:
        assert milestone_reached(m - 1, m) == m


# --------------------------------------------------------------------------- pruning


def test_prune_cuts_on_a_monday_and_folds_into_the_baseline() -> None:
    history = {d(i): DONE for i in range(40)}
    history[d(3)] = MISSED
    today = d(39)  # a Friday
    kept, baseline = prune_history(history, today, 10, StreakRules(), Baseline())
    assert min(kept) == d(28)  # Monday on or before today - 10 days
    assert d(28).isoweekday() == 1
    assert all(day in kept for day in history if day >= today - timedelta(days=10))
    assert baseline == Baseline(current=27, best=27, completions=27)
    full = compute_stats(history, today)
    pruned = compute_stats(kept, today, baseline=baseline)
    assert (pruned.current, pruned.best, pruned.completions) == (39, 39, 39)
    assert (full.current, full.best, full.completions) == (39, 39, 39)


def test_prune_never_splits_a_weeks_grace_allowance() -> None:
    # Week 12 (d14..d20) has two misses, on Tuesday and Friday: the second one breaks.
    history = {d(i): DONE for i in range(30)}
    history[d(15)] = MISSED
    history[d(18)] = MISSED
    today = d(27)
    kept, baseline = prune_history(history, today, 10, StreakRules(), Baseline())
    assert min(kept) == d(14)  # today - 10 days is Thursday d17: back to Monday d14
    full = compute_stats(history, today)
    assert (full.current, full.best, full.completions) == (9, 17, 26)
    pruned = compute_stats(kept, today, baseline=baseline)
    assert (pruned.current, pruned.best, pruned.completions) == (9, 17, 26)


def test_prune_without_old_days_changes_nothing() -> None:
    history = seq(DONE, MISSED, start=30)
    baseline = Baseline(current=3, best=5, completions=8)
    kept, new_baseline = prune_history(history, d(31), 30, StreakRules(), baseline)
    assert kept == history
    assert kept is not history
    assert new_baseline == baseline


# ==================================================================== properties

SPAN = 140  # days covered by generated histories

small = st.integers(min_value=0, max_value=2)
records = st.one_of(
    st.builds(DayRecord, started=small, completed=st.integers(1, 3), missed=small),
    st.builds(DayRecord, started=small, missed=st.integers(1, 2), paused=small),
    st.builds(DayRecord, skipped=st.integers(1, 2), missed=small, paused=small),
    st.builds(DayRecord, paused=st.integers(1, 2)),
    st.builds(DayRecord, started=small),
    st.builds(DayRecord, started=small, completed=small, missed=small, skipped=small, paused=small),
)
neutral_records = st.one_of(
    st.just(DayRecord()),
    st.builds(DayRecord, started=small),
    st.builds(DayRecord, paused=st.integers(1, 3)),
)
days = st.integers(min_value=0, max_value=SPAN).map(d)
histories = st.one_of(
    st.dictionaries(days, records, max_size=80),
    # Long runs of completed days with the odd miss, skip or pause: streaks that matter.
    st.lists(
        st.sampled_from([DONE] * 6 + [MISSED] * 2 + [SKIPPED, PAUSED, OPEN, None]),
        min_size=20,
        max_size=SPAN,
    ).map(lambda daily: seq(*daily)),
)
rules_st = st.builds(StreakRules, grace_days_per_week=st.integers(0, 3))
baselines = st.builds(
    lambda current, extra, completions: Baseline(current, current + extra, current + completions),
    st.integers(0, 50),
    st.integers(0, 50),
    st.integers(0, 100),
)


def figures(
    history: Mapping[date, DayRecord], today: date, rules: StreakRules, baseline: Baseline
) -> tuple[int, int, int]:
    stats = compute_stats(history, today, rules, baseline)
    return stats.current, stats.best, stats.completions


@CI
@given(histories, days, rules_st, baselines, st.data())
def test_inserting_a_neutral_day_changes_nothing(
    history: dict[date, DayRecord],
    today: date,
    rules: StreakRules,
    baseline: Baseline,
    data: st.DataObject,
) -> None:
    free = [day for day in map(d, range(SPAN + 10)) if day not in history]
    day = data.draw(st.sampled_from(free))
    neutral = data.draw(neutral_records)
    before = compute_stats(history, today, rules, baseline)
    after = compute_stats({**history, day: neutral}, today, rules, baseline)
    assert (after.current, after.best, after.completions) == (
        before.current,
        before.best,
        before.completions,
    )
    assert after.completion_rate == before.completion_rate
    assert after.grace_days_used_this_week == before.grace_days_used_this_week


@CI
@given(histories, st.integers(0, SPAN // 7), days, rules_st, baselines)
def test_inserting_a_neutral_week_changes_nothing(
    history: dict[date, DayRecord],
    week: int,
    today: date,
    rules: StreakRules,
    baseline: Baseline,
) -> None:
    """Shifting everything from a Monday on by a week without opportunity (travel)."""
    monday = MONDAY + timedelta(weeks=week)
    shifted = {day + timedelta(weeks=1) if day >= monday else day: r for day, r in history.items()}
    shifted_today = today + timedelta(weeks=1) if today >= monday else today
    assert figures(history, today, rules, baseline) == figures(
        shifted, shifted_today, rules, baseline
    )


@CI
@given(histories, days, rules_st, baselines)
def test_best_is_never_below_current(
    history: dict[date, DayRecord], today: date, rules: StreakRules, baseline: Baseline
) -> None:
    stats = compute_stats(history, today, rules, baseline)
    assert stats.best >= stats.current >= 0
    assert stats.best >= baseline.best
    assert stats.completions == baseline.completions + sum(
        r.completed for day, r in history.items() if day <= today
    )


@CI
@given(st.lists(records, min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_outcome_does_not_depend_on_event_order(parts: list[DayRecord], rnd: Any) -> None:
    merged = reduce(DayRecord.merge, parts, DayRecord())
    shuffled = parts[:]
    rnd.shuffle(shuffled)
    remerged = reduce(DayRecord.merge, shuffled, DayRecord())
    assert remerged == merged
    assert remerged.outcome is merged.outcome
    # Grouping does not matter either: merge the two halves first.
    half = len(shuffled) // 2
    grouped = reduce(DayRecord.merge, shuffled[:half], DayRecord()).merge(
        reduce(DayRecord.merge, shuffled[half:], DayRecord())
    )
    assert grouped.outcome is merged.outcome


@CI
@given(
    st.permutations(
        [
            DayRecord(started=1),
            DayRecord(missed=1),
            DayRecord(skipped=1),
            DayRecord(paused=1),
            DayRecord(completed=1),
        ]
    )
)
def test_every_order_of_one_days_events_gives_the_same_outcome(events: list[DayRecord]) -> None:
    record = DayRecord()
    for event in events:
        record = record.merge(event)
    assert record.outcome is DayOutcome.COMPLETED
    record = DayRecord()
    for event in events:
        if not event.completed:
            record = record.add(**event.as_dict())
    assert record.outcome is DayOutcome.SKIPPED


@CI
@given(
    st.dictionaries(st.integers(0, 100).map(d), records, max_size=60),
    st.integers(1, 10),
    st.integers(0, 10),
    st.builds(DayRecord, started=small, completed=st.integers(1, 3), missed=small, skipped=small),
    rules_st,
    baselines,
)
def test_a_new_completed_latest_day_adds_exactly_one(
    history: dict[date, DayRecord],
    gap: int,
    later: int,
    completed: DayRecord,
    rules: StreakRules,
    baseline: Baseline,
) -> None:
    new_day = max([d(0), *history]) + timedelta(days=gap)
    today = new_day + timedelta(days=later)
    before = compute_stats(history, today, rules, baseline)
    after = compute_stats({**history, new_day: completed}, today, rules, baseline)
    assert after.current == before.current + 1
    assert after.best == max(before.best, before.current + 1)
    assert after.completions == before.completions + completed.completed


@CI
@given(histories, days, st.integers(7, 120), rules_st, baselines)
def test_pruning_changes_no_figure(
    history: dict[date, DayRecord],
    today: date,
    keep_days: int,
    rules: StreakRules,
    baseline: Baseline,
) -> None:
    kept, new_baseline = prune_history(history, today, keep_days, rules, baseline)
    assert set(kept) <= set(history)
    assert all(kept[day] == history[day] for day in kept)
    assert all(day in kept for day in history if day >= today - timedelta(days=keep_days))
    assert all(day >= today - timedelta(days=keep_days + 6) for day in kept)
    full = compute_stats(history, today, rules, baseline)
    pruned = compute_stats(kept, today, rules, new_baseline)
    assert (pruned.current, pruned.best, pruned.completions) == (
        full.current,
        full.best,
        full.completions,
    )
    assert pruned.grace_days_used_this_week == full.grace_days_used_this_week
    assert pruned.today is full.today


@CI
@given(histories, days, st.integers(0, 60), st.integers(7, 60), rules_st, baselines)
def test_repeated_pruning_changes_no_figure(
    history: dict[date, DayRecord],
    first_today: date,
    later: int,
    keep_days: int,
    rules: StreakRules,
    baseline: Baseline,
) -> None:
    today = first_today + timedelta(days=later)
    kept, mid = prune_history(history, first_today, keep_days, rules, baseline)
    kept, last = prune_history(kept, today, keep_days, rules, mid)
    assert figures(kept, today, rules, last) == figures(history, today, rules, baseline)


@CI
@given(records)
def test_day_record_round_trip(record: DayRecord) -> None:
    stored = record.as_dict()
    assert all(value > 0 for value in stored.values())
    assert DayRecord.from_dict(stored) == record


@CI
@given(baselines)
def test_baseline_round_trip(baseline: Baseline) -> None:
    assert Baseline.from_dict(baseline.as_dict()) == baseline


@CI
@given(st.lists(histories, max_size=4), st.randoms(use_true_random=False))
def test_couple_history_is_completed_when_any_ritual_is(
    rituals: list[dict[date, DayRecord]], rnd: Any
) -> None:
    folded = couple_history(rituals)
    shuffled = rituals[:]
    rnd.shuffle(shuffled)
    assert couple_history(shuffled) == folded
    assert set(folded) == {day for history in rituals for day in history}
    for day, record in folded.items():
        completed = any(h[day].completed for h in rituals if day in h)
        assert (record.outcome is DayOutcome.COMPLETED) == completed
        assert sum(record.as_dict().values()) <= 1


@CI
@given(histories, days, rules_st, baselines, st.data())
def test_a_first_start_of_a_day_updates_the_figures_without_a_recount(
    history: dict[date, DayRecord],
    today: date,
    rules: StreakRules,
    baseline: Baseline,
    data: st.DataObject,
) -> None:
    """The engine's shortcut for arrivals equals a full recount."""
    free = [day for day in map(d, range(SPAN + 10)) if day not in history]
    day = data.draw(st.sampled_from(free))
    started = data.draw(st.builds(DayRecord, started=st.integers(1, 3)))
    recounted = compute_stats({**history, day: started}, today, rules, baseline)
    shortcut = add_neutral_day(compute_stats(history, today, rules, baseline), day, today)
    assert shortcut == recounted


@CI
@given(st.lists(histories, min_size=1, max_size=4), days, st.data())
def test_refolding_one_day_equals_folding_everything(
    rituals: list[dict[date, DayRecord]], day: date, data: st.DataObject
) -> None:
    """The engine refolds only the day that changed; that must match a full fold."""
    folded = couple_history(rituals)
    changed = data.draw(st.integers(0, len(rituals) - 1))
    rituals[changed] = {**rituals[changed], day: data.draw(records)}
    refolded_day = couple_history({day: h[day]} for h in rituals if day in h)
    assert {**folded, **refolded_day} == couple_history(rituals)


@CI
@given(records)
def test_day_record_compact_round_trip(record: DayRecord) -> None:
    stored = record.as_list()
    assert not stored or stored[-1] > 0  # trailing zeros left out
    assert DayRecord.from_list(stored) == record
    assert DayRecord.from_list(list(stored)) is DayRecord.from_list(stored)  # shared


@pytest.mark.parametrize(
    "data",
    [
        {"started": 1},
        [1, -1],
        [1, 1.5],
        [1, float("inf")],
        [1, float("nan")],
        [1, "1"],
        [1, None],
        [0, 0, 0, 0, 0, 1],
        "1,1",
        None,
    ],
)
def test_compact_record_rejects_bad_counters(data: Any) -> None:
    with pytest.raises(ValueError, match="invalid day record"):
        DayRecord.from_list(data)


@pytest.mark.parametrize("data", [[1, 1.0], [True, True], [1.0, True]])
def test_compact_record_reads_whole_numbers_alike(data: list[Any]) -> None:
    """The same answer whether or not an equal record was parsed before."""
    record = DayRecord.from_list(data)
    assert record == DONE
    assert type(record.started) is int
    assert type(record.completed) is int
