"""The prompt's words: the idea library of Home Assistant's language, the next idea of a
ritual's pool (own prompts mixed in, fitted to the moment), the reunion's cue of what is
coming, and the buttons. What a prompt says, never whom or when it reaches."""

from __future__ import annotations

import json
from pathlib import Path
import random

from homeassistant.util import dt as dt_util

from .const import PARTNERS, PromptMode, RitualKind
from .core.idea_cycle import IdeaPool, next_idea
from .core.ideas import (
    CycleState,
    IdeaLibrary,
    IdeaMemory,
    Moment,
    own_prompts,
    parse_library,
    time_of_day,
)
from .core.prompting import (
    ACTION_DONE,
    ACTION_REPLY,
    ACTION_SKIP,
    ACTION_SNOOZE,
    action_id,
)
from .core.schedule import HOME
from .models import Occurrence, Ritual
from .views import CoupleView

IDEAS_DIR = Path(__file__).parent / "ideas"


def load_library(language: str) -> IdeaLibrary:
    """Read the idea library for a language, falling back to English (runs in the executor)."""
    candidates = [IDEAS_DIR / f"{language.lower()}.json"]
    if "-" in language:
        candidates.append(IDEAS_DIR / f"{language.split('-')[0].lower()}.json")
    candidates.append(IDEAS_DIR / "en.json")
    for path in candidates:
        if path.is_file():
            return parse_library(json.loads(path.read_text(encoding="utf-8")))
    raise FileNotFoundError(IDEAS_DIR / "en.json")


class PromptWords:
    """Words for a ritual's prompts, in the couple's library; remembers the ideas it
    chose in the couple's idea memory."""

    def __init__(self, engine: CoupleView, library: IdeaLibrary, ideas: IdeaMemory) -> None:
        """Each ritual's pool is worked out on its first prompt."""
        self.engine = engine
        self.library = library
        self.ideas = ideas
        self.rng = random.Random()
        self._candidates: dict[str, tuple[str, IdeaPool]] = {}

    def plain_title(self, ritual: Ritual, partner: str) -> str:
        """A plain target may be shared (a TV, the sidebar): the title says who it is for."""
        return self.library.phrases["plain_title"].format(
            ritual=ritual.config.name, partner=self.engine.partner_name(partner)
        )

    def cue(self, ritual: Ritual, occurrence: Occurrence, partner: str) -> str:
        """What is coming, before the idea: "Sam is home. Phones down for 10 minutes? ",
        or, for the one who arrived (or a reunion started by hand), just the second part."""
        minutes = ritual.config.window_minutes
        if ritual.config.kind is not RitualKind.REUNION or not minutes:
            return ""
        phrases = self.library.phrases
        actor = occurrence.actor
        if actor is None or actor == partner:
            return phrases["reunion_cue_self"].format(minutes=minutes) + " "
        return (
            phrases["reunion_cue"].format(partner=self.engine.partner_name(actor), minutes=minutes)
            + " "
        )

    def actions(self, ritual: Ritual, occurrence: Occurrence) -> list[dict[str, str]]:
        """The prompt's buttons: Done, Snooze (Reply at bedtime, if on) and Not today."""
        phrases = self.library.phrases
        # "Not today" is always offered (always free); Android shows three buttons.
        decline = {
            "action": action_id(ACTION_SKIP, occurrence.occurrence_id),
            "title": phrases[
                "skip_evening" if ritual.config.kind is RitualKind.BEDTIME else "skip"
            ],
        }
        if ritual.config.kind is RitualKind.BEDTIME and ritual.config.reply:
            # Reply takes Snooze's place: Reply, Done, Not tonight.
            return [
                {
                    "action": action_id(ACTION_REPLY, occurrence.occurrence_id),
                    "title": phrases["reply"],
                    "behavior": "textInput",
                },
                {
                    "action": action_id(ACTION_DONE, occurrence.occurrence_id),
                    "title": phrases["done"],
                },
                decline,
            ]
        return [
            {"action": action_id(ACTION_DONE, occurrence.occurrence_id), "title": phrases["done"]},
            {
                "action": action_id(ACTION_SNOOZE, occurrence.occurrence_id),
                "title": phrases["snooze"],
            },
            decline,
        ]

    def text(self, ritual: Ritual, occurrence: Occurrence) -> str:
        """Own words, or the next idea of the ritual's pool (a shuffled cycle per couple
        and pool, fitted to the moment; own prompts mix in when both are chosen)."""
        config = ritual.config
        pool = self._candidates.get(config.ritual_id)
        if pool is None:
            # A ritual's settings only change through a reload: worked out once.
            own = own_prompts(config.prompt_text, config.ritual_id)
            if config.prompt_mode is PromptMode.OWN and own:
                pool = (f"own-{config.ritual_id}", IdeaPool(own))
            else:
                pool = (
                    config.kind.value,
                    IdeaPool((*self.library.for_kind(config.kind.value), *own)),
                )
            self._candidates[config.ritual_id] = pool
        key, candidates = pool
        memory = self.ideas
        sent_today = memory.today(self.engine.today().isoformat())
        moment = Moment(
            time_of_day=time_of_day(dt_util.now().hour),
            together=all(self.engine.partner_state(p) == HOME for p in PARTNERS),
        )
        chosen = next_idea(
            candidates,
            memory.cycles.get(key, CycleState()),
            moment,
            self.rng,
            avoid=sent_today,
            retired=memory.retired,
            weights=memory.weights(),
        )
        if chosen is None:
            return config.name
        idea, memory.cycles[key] = chosen
        if idea.idea_id not in sent_today:  # bounded by the library, however many prompts
            sent_today.append(idea.idea_id)
        memory.remember(occurrence.occurrence_id, idea.idea_id)
        return idea.text
