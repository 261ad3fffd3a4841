"""Unit tests: MatchIndex.affected_by against recomputing every list from scratch after a change."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from forum.matching import build_index
from forum.matching.synthetic import planted_forum

from .support import KASHKADARYA, company, config


def _stored(index):
    return {c: [(r.partner_id, r.score) for r in lst] for c, lst in index.recommend().items()}


def _changed_lists(before, after, skip):
    return {c for c in after if c != skip and after[c] != before.get(c)}


def _edit(rng, profiles):
    victim = rng.choice(profiles)
    edited = replace(
        victim,
        needs=rng.choice(profiles).needs,
        offers=rng.choice(profiles).offers if rng.random() < 0.5 else victim.offers,
        sectors=rng.choice(profiles).sectors if rng.random() < 0.3 else victim.sectors,
        languages=rng.choice(profiles).languages if rng.random() < 0.2 else victim.languages,
    )
    return victim, edited


@pytest.mark.parametrize("seed", range(12))
def test_affected_by_covers_every_list_that_changes_after_an_edit(seed):
    rng = random.Random(seed)
    profiles, _ = planted_forum(rng.choice([25, 50, 90]), seed)
    cfg = config(top_k=rng.choice([3, 5, 10]))
    before = _stored(build_index(profiles, cfg))
    victim, edited = _edit(rng, profiles)
    index = build_index([edited if p.id == victim.id else p for p in profiles], cfg)
    changed = _changed_lists(before, _stored(index), victim.id)
    affected = index.affected_by(victim.id, before, previous=victim)
    assert changed <= affected
    assert victim.id not in affected


def test_affected_by_without_previous_is_the_contract_set():
    a = company(needs="cement")
    b = company(offers="Portland cement", side=KASHKADARYA)
    c = company(offers="apples", side=KASHKADARYA)
    d = company(needs="apples", offers="milk")
    cfg = config(top_k=1)
    before = _stored(build_index([a, b, c, d], cfg))
    assert before[b.id][0][0] == a.id and before[c.id][0][0] == d.id
    # d now needs cement too, offers nothing: b may list it (its score with b beats b's list),
    # c listed d and must drop it
    new_d = replace(d, needs="cement", offers="")
    index = build_index([a, b, c, new_d], cfg)
    affected = index.affected_by(d.id, before)
    assert {b.id, c.id} <= affected and d.id not in affected
    after = _stored(index)
    assert _changed_lists(before, after, d.id) <= affected


def test_affected_by_when_a_company_leaves_or_joins():
    profiles, _ = planted_forum(40, seed=5)
    cfg = config(top_k=5)
    before = _stored(build_index(profiles, cfg))
    gone = profiles[7]
    rest = [p for p in profiles if p.id != gone.id]
    index = build_index(rest, cfg)
    holders = {c for c, lst in before.items() if any(p == gone.id for p, _ in lst)}
    assert index.affected_by(gone.id, before) == holders
    assert index.affected_by(gone.id, before, previous=gone) >= holders
    # a newcomer: its lists-to-enter are found from its own row
    newcomer = replace(profiles[3], id=10_000)
    index = build_index([*profiles, newcomer], cfg)
    affected = index.affected_by(newcomer.id, before, previous=replace(newcomer, offers="", needs=""))
    entered = {c for c, lst in _stored(index).items() if any(p == newcomer.id for p, _ in lst)}
    assert entered - {newcomer.id} <= affected


def test_affected_by_is_small_in_a_larger_forum():
    profiles, _ = planted_forum(600, seed=9)
    cfg = config()
    before = _stored(build_index(profiles, cfg))
    victim = profiles[100]
    edited = replace(victim, needs="Нужна многослойная барьерная плёнка для упаковки молока")
    index = build_index([edited if p.id == victim.id else p for p in profiles], cfg)
    affected = index.affected_by(victim.id, before, previous=victim)
    assert _changed_lists(before, _stored(index), victim.id) <= affected
    assert len(affected) < 0.25 * len(profiles)
