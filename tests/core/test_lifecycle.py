"""An occurrence's rules: who is prompted, and when a "done" completes it."""

from __future__ import annotations

from hypothesis import given, strategies as st

from custom_components.connection_rituals.const import PARTNERS, Prompted
from custom_components.connection_rituals.core.lifecycle import (
    PROMPT_ACTOR,
    PROMPT_ALTERNATE,
    PROMPT_AT_HOME,
    PROMPT_BOTH,
    completes,
    prompted_partners,
)

partner = st.sampled_from(PARTNERS)
actors = st.none() | partner
homes = st.sets(partner)
rules = st.sampled_from([PROMPT_BOTH, PROMPT_ACTOR, PROMPT_AT_HOME, PROMPT_ALTERNATE])


def test_the_rules_are_the_options_values() -> None:
    assert {PROMPT_BOTH, PROMPT_ACTOR, PROMPT_AT_HOME, PROMPT_ALTERNATE} == {
        p.value for p in Prompted
    }


@given(rule=rules, actor=actors, rotation=st.integers(0, 1000), at_home=homes)
def test_someone_is_always_prompted_and_only_partners(
    rule: str, actor: str | None, rotation: int, at_home: set[str]
) -> None:
    chosen = prompted_partners(rule, PARTNERS, actor, rotation, at_home)
    assert chosen
    assert set(chosen) <= set(PARTNERS)
    assert len(chosen) == len(set(chosen))


@given(actor=partner, rotation=st.integers(0, 1000), at_home=homes)
def test_the_actor_rule_prompts_the_actor(actor: str, rotation: int, at_home: set[str]) -> None:
    assert prompted_partners(PROMPT_ACTOR, PARTNERS, actor, rotation, at_home) == [actor]


@given(rotation=st.integers(0, 1000), at_home=homes)
def test_the_actor_rule_without_an_actor_prompts_both(rotation: int, at_home: set[str]) -> None:
    assert prompted_partners(PROMPT_ACTOR, PARTNERS, None, rotation, at_home) == list(PARTNERS)


@given(actor=actors, rotation=st.integers(0, 1000), at_home=homes)
def test_at_home_prompts_those_at_home_but_the_actor(
    actor: str | None, rotation: int, at_home: set[str]
) -> None:
    chosen = prompted_partners(PROMPT_AT_HOME, PARTNERS, actor, rotation, at_home)
    expected = [p for p in PARTNERS if p in at_home and p != actor] or list(PARTNERS)
    assert chosen == expected
    assert actor not in chosen or set(chosen) == set(PARTNERS)


@given(actor=actors, start=st.integers(0, 1000), at_home=homes)
def test_alternate_takes_turns_fairly(actor: str | None, start: int, at_home: set[str]) -> None:
    turns = [
        prompted_partners(PROMPT_ALTERNATE, PARTNERS, actor, start + n, at_home) for n in range(4)
    ]
    assert all(len(turn) == 1 for turn in turns)
    assert [t[0] for t in turns].count(PARTNERS[0]) == 2
    assert turns[0] != turns[1]


@given(partners_done=st.sets(partner), by=actors, each=st.booleans())
def test_a_done_completes_unless_the_other_partner_is_still_to_come(
    partners_done: set[str], by: str | None, each: bool
) -> None:
    done = partners_done | ({by} if by else set())
    result = completes(each, by, done, PARTNERS)
    if not each or by is None:
        assert result  # one "done" is enough, or nobody in particular said it
    else:
        assert result == (done == set(PARTNERS))
