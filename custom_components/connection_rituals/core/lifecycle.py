"""An occurrence's rules without a clock or a home: who is prompted, and whether a
"done" completes it. The engine applies them; nothing here has side effects."""

from __future__ import annotations

from collections.abc import Collection, Sequence

# The rules of who gets the prompt (the values of the ritual's `prompted` option).
PROMPT_BOTH = "both"
PROMPT_ACTOR = "actor"
PROMPT_AT_HOME = "at_home"
PROMPT_ALTERNATE = "alternate"


def prompted_partners(
    rule: str,
    partners: Sequence[str],
    actor: str | None,
    rotation: int,
    at_home: Collection[str],
) -> list[str]:
    """Who gets the prompt: the actor; those at home but the actor (else everyone); the
    partner whose turn it is (alternating fairly); or both."""
    if rule == PROMPT_ACTOR and actor:
        return [actor]
    if rule == PROMPT_AT_HOME:
        return [p for p in partners if p in at_home and p != actor] or list(partners)
    if rule == PROMPT_ALTERNATE:
        return [partners[rotation % len(partners)]]
    return list(partners)


def completes(
    each_partner: bool,
    partner: str | None,
    completed_by: Collection[str],
    partners: Collection[str],
) -> bool:
    """Whether a "done" (by `partner`, already in `completed_by`) ends the occurrence: a
    ritual both partners complete waits for the other one; a "done" by nobody ends it."""
    return not each_partner or partner is None or set(completed_by) >= set(partners)
