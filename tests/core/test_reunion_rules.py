"""The reunion's device-free window: reading first, never attributed, never ended early."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, strategies as st

from custom_components.connection_rituals.core.reunion import device_free_start, kept_by_itself

START = datetime(2026, 11, 16, 17, 30, tzinfo=UTC)
seconds = st.integers(0, 20 * 60)


@given(reading=st.integers(0, 600), after=seconds, in_use=st.booleans(), dark=st.booleans())
def test_the_device_free_part_begins_by_the_end_of_the_reading_time(
    reading: int, after: int, in_use: bool, dark: bool
) -> None:
    now = START + timedelta(seconds=after)
    start = device_free_start(START, timedelta(seconds=reading), now, in_use, dark)
    if after >= reading:
        assert start == START + timedelta(seconds=reading)  # never later than the reading time
    elif dark and not in_use:
        assert start == now  # read and put down: it begins at once
    else:
        assert start is None  # still reading: nothing counts yet
    assert start is None or START <= start <= now


def test_a_screen_still_on_elsewhere_keeps_the_reading_time() -> None:
    now = START + timedelta(seconds=30)
    assert (
        device_free_start(START, timedelta(minutes=2), now, any_in_use=True, screen_went_dark=True)
        is None
    )


@given(used=st.booleans(), in_use=st.booleans())
def test_only_resting_devices_keep_the_window_by_itself(used: bool, in_use: bool) -> None:
    assert kept_by_itself(used, in_use) is (not used and not in_use)
