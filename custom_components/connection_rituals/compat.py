"""The few places where supported Home Assistant releases differ in API.

Each shim names the releases it bridges; drop it once the floor passes them.
"""

from __future__ import annotations

from typing import Any

from homeassistant import exceptions as ha_exceptions
from homeassistant.helpers.device_registry import DeviceInfo

# Newer releases validate with probatio, voluptuous's drop-in successor (their
# `cv` validators and flow types are probatio's); 2025.4 and 2026.2 use voluptuous.
try:
    import probatio as vol
except ImportError:  # 2025.4, 2026.2
    import voluptuous as vol  # type: ignore[no-redef,unused-ignore]

# The repairs flow's result type has its own name on newer releases.
try:
    from homeassistant.components.repairs import RepairsFlowResult
except ImportError:  # 2025.4, 2026.2
    from homeassistant.data_entry_flow import (  # type: ignore[assignment,unused-ignore]
        FlowResult as RepairsFlowResult,
    )

__all__ = [
    "NewerStorageVersionError",
    "RepairsFlowResult",
    "device_config_entry_ids",
    "via_device",
    "vol",
]

# Newer releases link a device to its parent by device id (`via_device_id`) and report
# `via_device=(domain, identifier)` as deprecated (it stops working in 2027.8); 2025.4 and
# 2026.2 know only `via_device` in a device info (checked: 2025.4.4, 2026.2.3, 2026.10.4).
_VIA_DEVICE_ID = "via_device_id" in (DeviceInfo.__required_keys__ | DeviceInfo.__optional_keys__)


def via_device(domain: str, identifier: str, device_id: str) -> DeviceInfo:
    """The device-info part that makes `device_id` (identified as `(domain, identifier)`)
    the parent of a device, in the form the running release expects."""
    if _VIA_DEVICE_ID:
        return DeviceInfo(via_device_id=device_id)  # type: ignore[typeddict-unknown-key,unused-ignore]
    return DeviceInfo(via_device=(domain, identifier))  # type: ignore[typeddict-unknown-key,unused-ignore]


def device_config_entry_ids(device: Any) -> set[str]:
    """The config entries a device belongs to.

    On newer releases a device belongs to one config entry (`config_entry_id`) and reading
    `config_entries` is reported as deprecated (removed in 2027.10); 2025.4 and 2026.2 have
    only `config_entries`.
    """
    if (entry_id := getattr(device, "config_entry_id", None)) is not None:
        return {entry_id}
    return set(device.config_entries)


# Newer releases (2026.10.4, not 2026.2.3) raise this from a Store for a file of a newer major
# version than it can read, before any migration runs; older ones hand that file to the
# migration, which raises NotImplementedError for it.
NewerStorageVersionError: type[Exception] = getattr(
    ha_exceptions, "UnsupportedStorageVersionError", NotImplementedError
)
