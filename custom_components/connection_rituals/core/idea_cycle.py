"""How the next prompt is picked from a pool: a shuffled cycle per pool, ideas that fit
the moment first. A pool is indexed once (its ideas by id, and which fit each moment),
and a pick filters ids by set lookups: a prompt is picked on the arrival's path, while
the partner walks in."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from itertools import filterfalse
import random

from .idea_memory import CycleState
from .ideas import Idea, Moment


class IdeaPool:
    """A ritual's candidates, each id once (the first), with the ids that fit each
    moment worked out on first use. Immutable: a changed pool is a new `IdeaPool`."""

    __slots__ = ("_fitting", "by_id", "ids", "order")

    def __init__(self, candidates: Iterable[Idea]) -> None:
        """Index the candidates (an id given twice counts once, the first)."""
        self.by_id: dict[str, Idea] = {}
        for idea in candidates:
            self.by_id.setdefault(idea.idea_id, idea)
        self.order: tuple[str, ...] = tuple(self.by_id)
        self.ids: frozenset[str] = frozenset(self.by_id)
        self._fitting: dict[Moment, tuple[str, ...]] = {}

    @property
    def ideas(self) -> tuple[Idea, ...]:
        """The pool's ideas, in order."""
        return tuple(self.by_id.values())

    def fitting(self, moment: Moment) -> tuple[str, ...]:
        """The ids of the ideas that suit the moment, in pool order (eight moments)."""
        fitting = self._fitting.get(moment)
        if fitting is None:
            fitting = tuple(i for i, idea in self.by_id.items() if idea.fits(moment))
            self._fitting[moment] = fitting
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
    # Ids, filtered in order by set lookups (no idea object is touched until the pick).
    ids: Collection[str] = pool.ids
    if retired and not pool.ids.isdisjoint(retired):
        ids = pool.ids.difference(retired)
        if not ids:
            return None
        universe = [i for i in pool.fitting(moment) if i in ids] or [
            i for i in pool.order if i in ids
        ]
    elif not pool.order:
        return None
    else:
        # When nothing in the pool fits the moment, the moment is set aside.
        universe = list(pool.fitting(moment) or pool.order)
    # The cycle still holds for ideas that left the pool's moments; gone ideas drop out.
    sent = tuple(filter(ids.__contains__, state.sent))
    fitting = list(filterfalse(set(sent).__contains__, universe)) if sent else universe
    if not fitting:
        sent, fitting = (), universe
    last = state.last
    passed_over = {*avoid, last} if avoid else {last}
    choices = (
        list(filterfalse(passed_over.__contains__, fitting))
        or [i for i in fitting if i != last]
        or fitting
    )
    if weights:
        pick = rng.choices(choices, [weights.get(i, 1.0) for i in choices])[0]
    else:
        pick = rng.choice(choices)
    return pool.by_id[pick], CycleState(sent=(*sent, pick), last=pick)
