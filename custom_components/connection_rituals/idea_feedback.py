"""Learning what the couple loves: after a kept ritual, the phones that got its prompt may
ask about the idea ("❤ Loved it" / "Not this one"); taps and the `rate_idea` action
change the couple's idea memory (local only). Loved ideas come earlier in their cycle,
retired ones never come again until restored (the options, or `rate_idea` "restore")."""

from __future__ import annotations

from typing import Any

from .const import DOMAIN
from .core.ideas import OWN_CATEGORY, RATING_LOVED, RATING_RETIRE, IdeaLibrary, IdeaMemory

ACTION_LOVED = "LOVED"
ACTION_RETIRE = "RETIRE"
# The tap's action -> the rating it gives.
FEEDBACK_ACTIONS = {ACTION_LOVED: RATING_LOVED, ACTION_RETIRE: RATING_RETIRE}


def feedback_tag(occurrence_id: str) -> str:
    """Its own tag: the prompt's notification is cleared when the ritual ends."""
    return f"{DOMAIN}_feedback_{occurrence_id}"


def library_idea_text(library: IdeaLibrary, idea_id: str) -> str | None:
    """The text of a library idea (never one of the couple's own prompts), or None."""
    if idea_id.startswith(f"{OWN_CATEGORY}-"):
        return None
    for ideas in library.ideas.values():
        for idea in ideas:
            if idea.idea_id == idea_id:
                return idea.text
    return None


def feedback_payload(
    library: IdeaLibrary, memory: IdeaMemory, occurrence_id: str, action_prefix: str
) -> dict[str, Any] | None:
    """The question about a kept occurrence's idea, or None (no library idea, or retired)."""
    idea_id = memory.shown.get(occurrence_id)
    if idea_id is None or idea_id in memory.retired:
        return None
    text = library_idea_text(library, idea_id)
    if text is None:
        return None
    phrases = library.phrases
    return {
        "title": phrases["feedback_title"],
        "message": text,
        "data": {
            "tag": feedback_tag(occurrence_id),
            "group": DOMAIN,
            "actions": [
                {
                    "action": f"{action_prefix}_{ACTION_LOVED}_{occurrence_id}",
                    "title": phrases["loved"],
                },
                {
                    "action": f"{action_prefix}_{ACTION_RETIRE}_{occurrence_id}",
                    "title": phrases["not_this_one"],
                },
            ],
        },
    }
