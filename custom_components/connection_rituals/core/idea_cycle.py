"""How the next prompt is picked from a pool: a shuffled cycle per pool, ideas that fit
the moment first. A pool is indexed once (its ideas by id, and which fit each moment),
because a prompt is picked on the arrival's path, while the partner walks in."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
import random

from .idea_memory import CycleState
from .ideas import Idea, Moment


class IdeaPool:
    """A ritual's candidates, each id once (the first), with the ideas that fit each
    moment worked out on first use. Immutable: a changed pool is a new `IdeaPool`."""

    __slots__ = ("_fitting", "ideas", "ids")

    def __init__(self, candidates: Iterable[Idea]) -> None:
        """Index the candidates (an id given twice counts once, the first)."""
        unique: dict[str, Idea] = {}
        for idea in candidates:
            unique.setdefault(idea.idea_id, idea)
        self.ideas: tuple[Idea, ...] = tuple(unique.values())
        self.ids: frozenset[str] = frozenset(unique)
        self._fitting: dict[Moment, tuple[Idea, ...]] = {}

    def fitting(self, moment: Moment) -> tuple[Idea, ...]:
        """The ideas that suit the moment, in pool order (there are eight moments)."""
        fitting = self._fitting.get(moment)
        if fitting is None:
            fitting = self._fitting[moment] = tuple(i for i in self.ideas if i.fits(moment))
        return fitting


def next_idea(
    candidates: IdeaPool | Iterable[Idea],
    state: CycleState,
    moment: Moment,
    rng: random.Random,
    *,
    avoid: Collection[str] = (),
    retired: Collection[str] = (),
    weights: Mapping[str, float] | None = None,
) -> tuple[Idea, CycleState] | None:
    """The next idea of a pool's cycle, and the cycle after sending it (None: no idea).

    - No idea comes back while an idea that fits the moment is still unsent in this cycle;
      when none is left, a new cycle begins (an idea that never fits this ritual's moments
      does not hold the others back). When no idea of the pool fits, the moment is set
      aside and the cycle runs over the whole pool.
    - The idea sent last never comes next, also across a cycle boundary.
    - `avoid` (ideas already sent today by other rituals) is passed over while any other
      choice remains; `retired` ideas ("not this one") are never chosen.
    - `weights` (default 1) make a loved idea come earlier in its cycle, never twice in it.
    Candidates sharing an id count once (the first). The result depends only on the
    arguments and the state of `rng`.
    """
    pool = candidates if isinstance(candidates, IdeaPool) else IdeaPool(candidates)
    if not isinstance(avoid, (set, frozenset)):
        avoid = set(avoid)  # looked up once per candidate
    ids: Collection[str] = pool.ids
    if retired and not pool.ids.isdisjoint(retired):
        ids = pool.ids.difference(retired)
        if not ids:
            return None
        everything = [idea for idea in pool.ideas if idea.idea_id in ids]
        universe = [idea for idea in pool.fitting(moment) if idea.idea_id in ids] or everything
    elif not pool.ideas:
        return None
    else:
        # When nothing in the pool fits the moment, the moment is set aside.
        universe = list(pool.fitting(moment) or pool.ideas)
    # The cycle still holds for ideas that left the pool's moments; gone ideas drop out.
    sent = tuple(filter(ids.__contains__, state.sent))
    done = set(sent)
    fitting = [idea for idea in universe if idea.idea_id not in done] if done else universe
    if not fitting:
        sent, fitting = (), universe
    last = state.last
    choices = (
        [idea for idea in fitting if idea.idea_id != last and idea.idea_id not in avoid]
        or [idea for idea in fitting if idea.idea_id != last]
        or fitting
    )
    if weights:
        pick = rng.choices(choices, [weights.get(idea.idea_id, 1.0) for idea in choices])[0]
    else:
        pick = rng.choice(choices)
    return pick, CycleState(sent=(*sent, pick.idea_id), last=pick.idea_id)
