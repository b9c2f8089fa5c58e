"""Picking the next idea: a shuffled cycle per pool, fitted to the moment, indexed once."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
import itertools
import json
import random
from typing import Any

from hypothesis import given, settings, strategies as st

from custom_components.connection_rituals.core.idea_cycle import IdeaPool, next_idea
from custom_components.connection_rituals.core.ideas import CycleState, Idea, IdeaMemory, Moment

ANY_MOMENT = Moment("evening", together=True)


def pool(n: int, **tags: Any) -> tuple[Idea, ...]:
    return tuple(Idea(f"bedtime-idea-{i}", "bedtime", f"Idea number {i}", **tags) for i in range(n))


def send(
    ideas: tuple[Idea, ...],
    count: int,
    rng: random.Random,
    state: CycleState | None = None,
    moment: Moment = ANY_MOMENT,
    **kwargs: Any,
) -> tuple[list[str], CycleState]:
    """Send `count` prompts from one pool; the ids in order and the cycle after them."""
    state = state or CycleState()
    sent = []
    for _ in range(count):
        chosen = next_idea(ideas, state, moment, rng, **kwargs)
        assert chosen is not None
        idea, state = chosen
        sent.append(idea.idea_id)
    return sent, state


def test_choosing_from_nothing_gives_nothing() -> None:
    assert next_idea((), CycleState(), ANY_MOMENT, random.Random(1)) is None
    only = pool(1)
    assert (
        next_idea(only, CycleState(), ANY_MOMENT, random.Random(1), retired={only[0].idea_id})
        is None
    )


@settings(max_examples=200, deadline=None)
@given(size=st.integers(1, 70), cycles=st.integers(1, 4), seed=st.integers(0, 2**32))
def test_a_cycle_sends_every_idea_once_before_any_comes_back(
    size: int, cycles: int, seed: int
) -> None:
    ideas = pool(size)
    sent, _ = send(ideas, size * cycles, random.Random(seed))
    for start in range(0, len(sent), size):
        assert sorted(sent[start : start + size]) == sorted(i.idea_id for i in ideas)
    # Never the same idea twice in a row, also across a cycle boundary.
    if size > 1:
        assert all(a != b for a, b in itertools.pairwise(sent))


@settings(max_examples=100, deadline=None)
@given(size=st.integers(2, 40), first=st.integers(0, 39), seed=st.integers(0, 2**32))
def test_the_cycle_survives_a_restart(size: int, first: int, seed: int) -> None:
    """Stored and read back between any two prompts, the cycle goes on as it was."""
    ideas = pool(size)
    first = first % size
    before, state = send(ideas, first, random.Random(seed))
    memory = IdeaMemory(cycles={"bedtime": state})
    restored = IdeaMemory.from_dict(json.loads(json.dumps(memory.as_dict())))
    after, _ = send(ideas, size - first, random.Random(seed + 1), restored.cycles["bedtime"])
    assert sorted(before + after) == sorted(i.idea_id for i in ideas)


@settings(max_examples=100, deadline=None)
@given(size=st.integers(3, 30), days=st.integers(1, 30), seed=st.integers(0, 2**32))
def test_two_rituals_never_share_an_idea_on_a_day(size: int, days: int, seed: int) -> None:
    """Two rituals drawing from one pool on the same days: the day's list keeps them apart."""
    ideas = pool(size)
    rng = random.Random(seed)
    memory = IdeaMemory()
    for day in range(days):
        today = memory.today(f"2026-01-{day + 1:02d}")
        for _ritual in range(2):
            chosen = next_idea(
                ideas, memory.cycles.get("bedtime", CycleState()), ANY_MOMENT, rng, avoid=today
            )
            assert chosen is not None
            idea, memory.cycles["bedtime"] = chosen
            today.append(idea.idea_id)
        assert len(set(today)) == 2


def test_a_daily_ritual_does_not_loop_the_same_order() -> None:
    """300 days of one bedtime ritual: no repeat inside a cycle, and cycles are shuffled
    afresh (the old selection looped 14 ideas in the same order forever)."""
    ideas = pool(60)
    sent, _ = send(ideas, 300, random.Random(7))
    cycles = [sent[i : i + 60] for i in range(0, 300, 60)]
    assert all(len(set(cycle)) == 60 for cycle in cycles)
    assert len({tuple(cycle) for cycle in cycles}) == 5


def test_ideas_that_fit_the_moment_come_first() -> None:
    """No morning idea at 19:00 and no both-at-home idea while apart, while others fit."""
    morning = Idea("general-m", "general", "Morning", frozenset({"morning"}))
    together = Idea("general-t", "general", "Together", together=True)
    anywhere = tuple(Idea(f"general-a{i}", "general", f"Any {i}") for i in range(5))
    ideas = (morning, together, *anywhere)
    rng = random.Random(3)
    apart_evening = Moment("evening", together=False)
    sent, _ = send(ideas, 5, rng, moment=apart_evening)
    assert sorted(sent) == sorted(i.idea_id for i in anywhere)
    # Once every fitting idea was sent, a new cycle begins instead of sending a misfit.
    more, _ = send(ideas, 10, rng, moment=apart_evening)
    assert {"general-m", "general-t"}.isdisjoint(more)
    # When nothing fits at all, the cycle runs over the whole pool, still without repeats.
    misfits = tuple(
        Idea(f"general-m{i}", "general", f"M {i}", frozenset({"morning"})) for i in range(6)
    )
    sent, _ = send(misfits, 6, rng, moment=apart_evening)
    assert sorted(sent) == sorted(i.idea_id for i in misfits)


def test_retired_ideas_never_come_and_loved_ones_come_earlier() -> None:
    ideas = pool(10)
    sent, _ = send(ideas, 30, random.Random(5), retired={"bedtime-idea-3"})
    assert "bedtime-idea-3" not in sent
    loved = IdeaMemory(loved={"bedtime-idea-0": 3}).weights()
    positions = []
    for seed in range(200):
        cycle, _ = send(ideas, 10, random.Random(seed), weights=loved)
        assert sorted(cycle) == sorted(i.idea_id for i in ideas)  # still once per cycle
        positions.append(cycle.index("bedtime-idea-0"))
    assert sum(positions) / len(positions) < 3  # uniform would be 4.5


def test_the_day_list_starts_afresh_each_day_and_memory_reads_garbage() -> None:
    memory = IdeaMemory()
    memory.today("2026-01-01").append("a")
    assert memory.today("2026-01-01") == ["a"]
    assert memory.today("2026-01-02") == []
    for raw in (None, [], "x", {"cycles": "x", "loved": [], "retired": "y"}):
        assert IdeaMemory.from_dict(raw).as_dict() == IdeaMemory().as_dict()
    assert CycleState.from_dict({"sent": "x", "last": 3}) == CycleState()


# --------------------------------------------------------------- the indexed pool


def plain_rule(
    candidates: Sequence[Idea],
    state: CycleState,
    moment: Moment,
    rng: random.Random,
    avoid: Collection[str],
    retired: Collection[str],
    weights: Mapping[str, float] | None,
) -> tuple[Idea, CycleState] | None:
    """The selection rule written out plainly, with nothing worked out ahead."""
    unique: dict[str, Idea] = {}
    for idea in candidates:
        if idea.idea_id not in retired:
            unique.setdefault(idea.idea_id, idea)
    if not unique:
        return None
    pool = list(unique.values())
    sent = tuple(idea_id for idea_id in state.sent if idea_id in unique)
    universe = [idea for idea in pool if idea.fits(moment)] or pool
    fitting = [idea for idea in universe if idea.idea_id not in sent]
    if not fitting:
        sent, fitting = (), universe
    choices = (
        [i for i in fitting if i.idea_id != state.last and i.idea_id not in avoid]
        or [i for i in fitting if i.idea_id != state.last]
        or fitting
    )
    if weights:
        pick = rng.choices(choices, [weights.get(i.idea_id, 1.0) for i in choices])[0]
    else:
        pick = rng.choice(choices)
    return pick, CycleState(sent=(*sent, pick.idea_id), last=pick.idea_id)


TIMES = st.frozensets(st.sampled_from(("morning", "day", "evening", "night")), max_size=2)
IDEAS = st.lists(
    st.builds(
        Idea,
        idea_id=st.sampled_from([f"general-{i}" for i in range(12)]),
        category=st.just("general"),
        text=st.just("An idea"),
        times=TIMES,
        together=st.booleans(),
    ),
    max_size=14,
)
IDS = st.sets(st.sampled_from([f"general-{i}" for i in range(14)]), max_size=6)
MOMENTS = st.builds(Moment, st.sampled_from(("morning", "day", "evening", "night")), st.booleans())


@settings(max_examples=300, deadline=None)
@given(
    ideas=IDEAS,
    sent=st.lists(st.sampled_from([f"general-{i}" for i in range(14)]), max_size=10),
    last=st.none() | st.sampled_from([f"general-{i}" for i in range(14)]),
    moments=st.lists(MOMENTS, min_size=1, max_size=6),
    avoid=IDS,
    retired=IDS,
    loved=IDS,
    seed=st.integers(0, 2**32),
)
def test_the_indexed_pool_picks_exactly_as_the_plain_rule(
    ideas: list[Idea],
    sent: list[str],
    last: str | None,
    moments: list[Moment],
    avoid: set[str],
    retired: set[str],
    loved: set[str],
    seed: int,
) -> None:
    """Same pool, cycle, moments and random state: the same ideas, prompt after prompt
    (one `IdeaPool` is reused across moments, as the notifier keeps one per ritual)."""
    indexed = IdeaPool(ideas)
    weights = IdeaMemory(loved=dict.fromkeys(loved, 2)).weights()
    plain_rng, indexed_rng, tuple_rng = (random.Random(seed) for _ in range(3))
    plain_state = indexed_state = tuple_state = CycleState(sent=tuple(sent), last=last)
    for moment in moments:
        expected = plain_rule(ideas, plain_state, moment, plain_rng, avoid, retired, weights)
        chosen = next_idea(
            indexed,
            indexed_state,
            moment,
            indexed_rng,
            avoid=avoid,
            retired=retired,
            weights=weights,
        )
        # A plain sequence of candidates is indexed on the spot, with the same result.
        from_tuple = next_idea(
            tuple(ideas),
            tuple_state,
            moment,
            tuple_rng,
            avoid=list(avoid),
            retired=retired,
            weights=weights,
        )
        assert chosen == expected == from_tuple
        if expected is None:
            return
        plain_state, indexed_state, tuple_state = expected[1], chosen[1], from_tuple[1]


def test_a_pool_counts_an_id_once_and_knows_what_fits_each_moment() -> None:
    evening = Idea("general-e", "general", "Evening", frozenset({"evening"}))
    together = Idea("general-t", "general", "Together", together=True)
    again = Idea("general-e", "general", "The same id again")
    indexed = IdeaPool((evening, together, again))
    assert indexed.ideas == (evening, together)
    assert indexed.ids == {"general-e", "general-t"}
    assert indexed.fitting(Moment("evening", together=False)) == ("general-e",)
    assert indexed.fitting(Moment("morning", together=True)) == ("general-t",)
    assert indexed.fitting(Moment("morning", together=False)) == ()
    # Nothing fits: the moment is set aside, the whole pool is the cycle.
    chosen = next_idea(indexed, CycleState(), Moment("morning", False), random.Random(2))
    assert chosen is not None
    assert chosen[0] in (evening, together)
