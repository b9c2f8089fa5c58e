"""Prompt rules: tags and action ids, quiet hours, the daily cap."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from hypothesis import given, strategies as st

from custom_components.connection_rituals.core.prompting import (
    ACTION_PREFIX,
    ACTIONS,
    action_id,
    after_quiet_hours,
    count_against_cap,
    notification_tag,
    parse_action,
)
from custom_components.connection_rituals.core.schedule import in_active_hours

occurrence_ids = st.text("0123456789abcdef", min_size=1, max_size=12)
times = st.times().map(lambda t: t.replace(microsecond=0))  # options have seconds
moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)
)


@given(action=st.sampled_from(ACTIONS), occurrence_id=occurrence_ids)
def test_an_action_id_reads_back(action: str, occurrence_id: str) -> None:
    assert parse_action(action_id(action, occurrence_id)) == (action, occurrence_id)


@given(value=st.one_of(st.none(), st.integers(), st.text()))
def test_anything_else_is_not_ours(value: Any) -> None:
    parsed = parse_action(value)
    if parsed is not None:
        kind, occurrence_id = parsed
        assert value == action_id(kind, occurrence_id)


def test_unknown_kinds_and_missing_ids_are_not_ours() -> None:
    assert parse_action(f"{ACTION_PREFIX}_DANCE_abc") is None
    assert parse_action(f"{ACTION_PREFIX}_DONE_") is None
    assert parse_action(f"{ACTION_PREFIX}_LOVED_abc", known=("LOVED",)) == ("LOVED", "abc")


@given(first=occurrence_ids, second=occurrence_ids)
def test_one_tag_per_occurrence(first: str, second: str) -> None:
    assert (notification_tag(first) == notification_tag(second)) == (first == second)


@given(local=moments, start=times, end=times)
def test_a_prompt_never_lands_in_the_quiet_hours(local: datetime, start: time, end: time) -> None:
    moved = after_quiet_hours(local, start, end)
    assert local <= moved < local + timedelta(days=1)
    if start != end:
        # Outside [start, end): the quiet hours are the "active hours" of silence.
        assert not in_active_hours(moved.time(), start, end) or moved == local
        if moved != local:
            assert in_active_hours(local.time(), start, end)
            assert moved.time() == end.replace(microsecond=0)


@given(local=moments, at=times)
def test_equal_times_mean_no_quiet_hours(local: datetime, at: time) -> None:
    assert after_quiet_hours(local, at, at) is local


@given(cap=st.integers(1, 30), tries=st.integers(0, 40), partner=st.sampled_from(["a", "b"]))
def test_the_cap_counts_up_to_the_cap_per_day(cap: int, tries: int, partner: str) -> None:
    counts: dict[str, Any] = {}
    sent = [count_against_cap(counts, "2026-11-16", partner, cap) for _ in range(tries)]
    assert sum(sent) == min(cap, tries)
    assert sent == sorted(sent, reverse=True)  # once refused, refused for the day
    assert count_against_cap(counts, "2026-11-17", partner, cap)  # a new day starts afresh
    assert counts == {"day": "2026-11-17", partner: 1}
