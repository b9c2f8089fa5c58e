"""The browser test needs no in-process Home Assistant: it drives a real one."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Overrides tests/conftest.py's, which would start an in-process Home Assistant."""
