"""Constants for Connection Rituals."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

DOMAIN: Final = "connection_rituals"
SUBENTRY_TYPE_RITUAL: Final = "ritual"

# Couple (config entry data)
CONF_PARTNER_A: Final = "partner_a"
CONF_PARTNER_B: Final = "partner_b"
CONF_PHONE_A: Final = "phone_a"
CONF_PHONE_B: Final = "phone_b"
CONF_NOTIFY_A: Final = "notify_a"
CONF_NOTIFY_B: Final = "notify_b"
CONF_DEVICES_A: Final = "devices_a"
CONF_DEVICES_B: Final = "devices_b"
CONF_DAY_BOUNDARY: Final = "day_boundary"

DEFAULT_DAY_BOUNDARY: Final = "04:00:00"

# Couple (config entry options)
CONF_GRACE_DAYS: Final = "grace_days_per_week"
# Removed in config entry 1.2 ("not today" is always free); read only by the migration.
CONF_SKIPS_PER_WEEK: Final = "skips_per_week"
CONF_HIDE_STREAKS: Final = "hide_streaks"
CONF_QUIET_START: Final = "quiet_start"
CONF_QUIET_END: Final = "quiet_end"
CONF_DAILY_CAP: Final = "daily_cap"
CONF_SNOOZE_MINUTES: Final = "snooze_minutes"
CONF_STORE_REPLIES: Final = "store_replies"
CONF_IDEA_FEEDBACK: Final = "idea_feedback"
# Minutes to read a reunion's prompt before its device-free part begins.
CONF_READING_MINUTES: Final = "reading_minutes"
DEFAULT_READING_MINUTES: Final = 2
CONF_RETIRED_IDEAS: Final = "retired_ideas"
DEFAULT_DAILY_CAP: Final = 6
DEFAULT_GRACE_DAYS: Final = 1

# Ritual (subentry data)
CONF_NAME: Final = "name"
CONF_KIND: Final = "kind"
CONF_TRIGGER_TYPE: Final = "trigger_type"
CONF_TRIGGER_TIME: Final = "trigger_time"
CONF_TRIGGER_ENTITY: Final = "trigger_entity"
CONF_TRIGGER_STATE: Final = "trigger_state"
CONF_APART_HOURS: Final = "apart_hours"
CONF_WINDOW_MINUTES: Final = "window_minutes"
CONF_ACTIVE_DAYS: Final = "active_days"
CONF_ACTIVE_START: Final = "active_start"
CONF_ACTIVE_END: Final = "active_end"
CONF_PRESENCE: Final = "presence"
CONF_PROMPTED: Final = "prompted"
CONF_PROMPT_MODE: Final = "prompt_mode"
CONF_PROMPT_TEXT: Final = "prompt_text"
CONF_MIN_AWAY_MINUTES: Final = "min_away_minutes"
CONF_COMPLETION: Final = "completion"
CONF_DND: Final = "dnd"
CONF_SCENE: Final = "scene"
CONF_LIGHTS: Final = "lights"
CONF_BRIGHTNESS: Final = "brightness"
CONF_TRANSITION: Final = "transition"
DEFAULT_BRIGHTNESS: Final = 30
DEFAULT_TRANSITION: Final = 2
CONF_REPLY: Final = "reply"


class RitualKind(StrEnum):
    """Built-in ritual kinds."""

    REUNION = "reunion"
    DEPARTURE = "departure"
    MORNING = "morning"
    BEDTIME = "bedtime"
    APART = "apart"
    CUSTOM = "custom"


class TriggerType(StrEnum):
    """How a time- or state-started ritual begins."""

    TIME = "time"
    STATE = "state"


class Prompted(StrEnum):
    """Who gets the prompt."""

    BOTH = "both"
    ACTOR = "actor"  # the arriving or leaving partner
    AT_HOME = "at_home"
    ALTERNATE = "alternate"


class PromptMode(StrEnum):
    """Where a prompt's text comes from."""

    OWN = "own"
    SURPRISE = "surprise"


class Completion(StrEnum):
    """Who must tap Done."""

    EITHER = "either"
    EACH = "each"


PRESENCE_KINDS: Final = frozenset({RitualKind.REUNION, RitualKind.DEPARTURE})
SCHEDULED_KINDS: Final = frozenset({RitualKind.MORNING, RitualKind.BEDTIME, RitualKind.CUSTOM})

# Sensible defaults per kind: (window minutes, trigger time, active start, active end)
KIND_DEFAULTS: Final[dict[RitualKind, dict[str, object]]] = {
    RitualKind.REUNION: {
        CONF_WINDOW_MINUTES: 10,
        CONF_ACTIVE_START: "06:00:00",
        CONF_ACTIVE_END: "23:00:00",
        CONF_PROMPTED: Prompted.BOTH,
        CONF_MIN_AWAY_MINUTES: 15,
        CONF_DND: False,
    },
    RitualKind.DEPARTURE: {
        CONF_WINDOW_MINUTES: 30,
        CONF_ACTIVE_START: "05:00:00",
        CONF_ACTIVE_END: "22:00:00",
        CONF_PROMPTED: Prompted.AT_HOME,
        CONF_MIN_AWAY_MINUTES: 15,
    },
    RitualKind.MORNING: {
        CONF_WINDOW_MINUTES: 30,
        CONF_TRIGGER_TIME: "07:30:00",
        CONF_ACTIVE_START: "05:00:00",
        CONF_ACTIVE_END: "12:00:00",
        CONF_PROMPTED: Prompted.BOTH,
    },
    RitualKind.BEDTIME: {
        CONF_WINDOW_MINUTES: 60,
        CONF_TRIGGER_TIME: "22:30:00",
        CONF_ACTIVE_START: "20:00:00",
        CONF_ACTIVE_END: "03:00:00",
        CONF_PROMPTED: Prompted.BOTH,
        CONF_COMPLETION: Completion.EITHER,
        CONF_REPLY: True,
    },
    RitualKind.APART: {
        CONF_WINDOW_MINUTES: 0,  # until the partners are together again
        CONF_APART_HOURS: 4.0,
        CONF_ACTIVE_START: "08:00:00",
        CONF_ACTIVE_END: "21:00:00",
        CONF_PROMPTED: Prompted.ALTERNATE,
    },
    RitualKind.CUSTOM: {
        CONF_WINDOW_MINUTES: 30,
        CONF_TRIGGER_TIME: "19:00:00",
        CONF_ACTIVE_START: "00:00:00",
        CONF_ACTIVE_END: "00:00:00",
        CONF_PROMPTED: Prompted.BOTH,
    },
}

# History kept per ritual before older days fold into a baseline (PRODUCT: >= 400).
HISTORY_DAYS: Final = 800

# 1: day records as {"started": 1, ...}; 2: compact lists [started, completed, ...].
STORAGE_VERSION: Final = 2
# 2.2: no record of who used which device during a reunion ("device_use"), idea cycles
# instead of last-used days ("ideas_used").
STORAGE_MINOR_VERSION: Final = 2
SAVE_DELAY_SECONDS: Final = 10

EVENT_CONNECTION_RITUALS: Final = "connection_rituals_event"


class RitualEventType(StrEnum):
    """Happenings of a ritual (event entity types and bus event `type`)."""

    STARTED = "started"
    COMPLETED = "completed"
    MISSED = "missed"
    SNOOZED = "snoozed"
    SKIPPED = "skipped"
    STREAK_MILESTONE = "streak_milestone"
    ON_THE_WAY = "on_the_way"


# Service (action) names and fields
SERVICE_START: Final = "start"
SERVICE_COMPLETE: Final = "complete"
SERVICE_SNOOZE: Final = "snooze"
SERVICE_SKIP: Final = "skip"
SERVICE_RESET: Final = "reset"
SERVICE_LOG_INTERACTION: Final = "log_interaction"
SERVICE_RATE_IDEA: Final = "rate_idea"
ATTR_IDEA: Final = "idea"
ATTR_RATING: Final = "rating"
ATTR_POSITIVE: Final = "positive"
ATTR_NOTE: Final = "note"
SERVICE_EXPORT: Final = "export"
ATTR_RITUAL: Final = "ritual"
ATTR_PARTNER: Final = "partner"
ATTR_MINUTES: Final = "minutes"
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"

PARTNER_A: Final = "a"
PARTNER_B: Final = "b"
PARTNERS: Final = (PARTNER_A, PARTNER_B)
DEFAULT_SNOOZE_MINUTES: Final = 10

# The weekly digest: one short note a week about the rituals the couple kept (off by default).
CONF_DIGEST_ENABLED: Final = "digest_enabled"
CONF_DIGEST_WEEKDAY: Final = "digest_weekday"
CONF_DIGEST_TIME: Final = "digest_time"
DEFAULT_DIGEST_WEEKDAY: Final = "sun"
DEFAULT_DIGEST_TIME: Final = "19:00:00"

# Reunion cues (subentry data, all optional): a word to the partner at home when the other
# is on the way (a proximity entity or a zone on the way), and the house saying the
# reunion's prompt (an Assist satellite, or a media player with a text-to-speech entity).
CONF_ARRIVAL_PROXIMITY: Final = "arrival_proximity"
CONF_ARRIVAL_ZONE: Final = "arrival_zone"
CONF_HOUSE_SATELLITE: Final = "house_satellite"
CONF_HOUSE_MEDIA_PLAYER: Final = "house_media_player"
CONF_HOUSE_TTS: Final = "house_tts"
CUE_SERVICE_TIMEOUT_SECONDS: Final = 10

# Rhythms learned from the home (issue 16): couple option, ritual fields, action.
CONF_WORKDAY_ENTITY: Final = "workday_entity"
CONF_SLEEP_ENTITY: Final = "sleep_entity"
CONF_ADAPT_RHYTHM: Final = "adapt_rhythm"
CONF_ADAPT_MINUTES: Final = "adapt_minutes"
DEFAULT_ADAPT_MINUTES: Final = 15
SERVICE_FORGET_RHYTHMS: Final = "forget_rhythms"
RHYTHM_HISTORY_DAYS: Final = 90  # read from the recorder on first setup
