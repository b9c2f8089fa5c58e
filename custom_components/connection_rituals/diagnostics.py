"""Diagnostics: how the rituals run, with every personal field redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.redact import async_redact_data

from . import ConnectionRitualsConfigEntry
from .const import (
    CONF_DEVICES_A,
    CONF_DEVICES_B,
    CONF_NAME,
    CONF_NOTIFY_A,
    CONF_NOTIFY_B,
    CONF_PARTNER_A,
    CONF_PARTNER_B,
    CONF_PHONE_A,
    CONF_PHONE_B,
    CONF_PROMPT_TEXT,
    CONF_TRIGGER_ENTITY,
    PARTNERS,
)
from .rhythm_sensor import rhythm_diagnostics

TO_REDACT = {
    CONF_PARTNER_A,
    CONF_PARTNER_B,
    CONF_PHONE_A,
    CONF_PHONE_B,
    CONF_NOTIFY_A,
    CONF_NOTIFY_B,
    CONF_DEVICES_A,
    CONF_DEVICES_B,
    CONF_NAME,
    CONF_PROMPT_TEXT,
    CONF_TRIGGER_ENTITY,
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: ConnectionRitualsConfigEntry
) -> dict[str, Any]:
    """What support needs: configuration shapes, figures and open windows, no names."""
    engine = entry.runtime_data
    rituals = []
    for number, ritual in enumerate(engine.rituals.values(), start=1):
        occurrence = ritual.state.occurrence
        stats = ritual.stats
        rituals.append(
            {
                "ritual": number,
                "kind": ritual.config.kind.value,
                "config": async_redact_data(
                    dict(entry.subentries[ritual.config.ritual_id].data), TO_REDACT
                ),
                "enabled": ritual.state.enabled,
                "streak": stats.current,
                "best_streak": stats.best,
                "completions": stats.completions,
                "completion_rate": stats.completion_rate,
                "today": stats.today.value,
                "outcomes": {outcome.value: n for outcome, n in sorted(stats.outcomes.items())},
                "history_days": len(ritual.state.history),
                "stored_replies": len(ritual.state.replies),
                "open_window": None
                if occurrence is None
                else {
                    "started_at": occurrence.started_at.isoformat(),
                    "ends_at": occurrence.ends_at.isoformat() if occurrence.ends_at else None,
                    "snoozed": occurrence.snoozed_until is not None,
                    "prompted": len(occurrence.prompted),
                    "do_not_disturb": bool(occurrence.dnd),
                },
            }
        )
    notifier = engine.notifier
    return {
        "entry": {
            "version": entry.version,
            "minor_version": entry.minor_version,
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": dict(entry.options),
        },
        "couple": {
            "vacation": engine.vacation,
            "connection_streak": engine.connection_stats.current,
            "partners_home": [engine.partner_state(p) == "home" for p in PARTNERS],
            "prompt_targets": [
                None
                if notifier is None or (target := notifier.target(p)) is None
                else ("companion_app" if target.actionable else "plain")
                for p in PARTNERS
            ],
            "interactions_logged": len(engine.interactions),
            "idea_cycles": {
                pool: len(cycle.sent)
                for pool, cycle in sorted(engine.ideas.cycles.items())
                if not pool.startswith("own-")
            },
            "ideas_loved": len(engine.ideas.loved),
            "ideas_retired": len(engine.ideas.retired),
        },
        "rituals": rituals,
        "rhythms": rhythm_diagnostics(entry),
    }
