"""The reunion's device-free window, as rules: reading first, then the phones rest.

The prompt arrives as the window opens and wakes the phone that shows it, so the first
minutes are for reading it: device use then never counts. The device-free part begins
when the reading time is over, or earlier, once a screen that was on goes dark and none
is in use. Device use in the device-free part never ends the reunion early and is never
attributed: the window only does not complete by itself (Done still does).
"""

from __future__ import annotations

from datetime import datetime, timedelta


def device_free_start(
    started_at: datetime,
    reading: timedelta,
    now: datetime,
    any_in_use: bool,
    screen_went_dark: bool,
) -> datetime | None:
    """When the device-free part begins, if it has by `now` (else None: still reading)."""
    if now >= started_at + reading:
        return started_at + reading
    if screen_went_dark and not any_in_use:
        return now
    return None


def kept_by_itself(device_used: bool, any_in_use_at_end: bool) -> bool:
    """A device-free window that ran out with no device in use since it began is kept."""
    return not device_used and not any_in_use_at_end
