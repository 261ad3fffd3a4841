"""Unit tests: scores, exclusions, symmetry, determinism and reasons of MatchIndex.recommend."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.matching import CrossDelegation, ReasonKind, Weights, build_index, recommend_all
from forum.matching.synthetic import planted_forum

from .support import ALMATY, KASHKADARYA, company, config

EQUAL = Weights(complementarity=1, sector=1, cross_delegation=1, language=1)


def _kinds(recommendation):
    return [r.kind for r in recommendation.reasons]


# --- exact scores ----------------------------------------------------------------------------------


def test_score_of_sector_delegation_and_language_parts_is_their_weighted_mean():
    a = company(side=ALMATY, sectors=("dairy",), needs="cement", offers="guided tours", languages=("ru", "kk"))
    b = company(side=KASHKADARYA, sectors=("dairy",), needs="hotel rooms", offers="clay bricks",
                languages=("uz", "ru"))
    [rec] = recommend_all([a, b], config())[a.id]
    # texts do not meet: 0.05 * same sector + 0.3 * other delegation + 0.05 * shared language
    assert rec.score == pytest.approx(0.4)
    # the sector first: what they share in business before who they are
    assert _kinds(rec) == [ReasonKind.SAME_SECTOR, ReasonKind.CROSS_DELEGATION, ReasonKind.SHARED_LANGUAGE]
    assert [r.weight for r in rec.reasons] == pytest.approx([0.05, 0.3, 0.05])
    assert rec.reasons[1].delegations == (ALMATY[0], KASHKADARYA[0]) and rec.reasons[1].cross_border
    assert rec.reasons[0].sectors == ("dairy",)
    assert rec.reasons[2].languages == ("ru",)


def test_related_sectors_count_with_their_affinity():
    a = company(side=ALMATY, sectors=("dairy",))
    b = company(side=KASHKADARYA, sectors=("packaging",))
    index = build_index([a, b], config(EQUAL, affinity={frozenset({"dairy", "packaging"}): 0.6}))
    [rec] = index.recommend()[a.id]
    assert rec.score == pytest.approx((0.6 + 1) / 4)  # sector 0.6, other delegation 1, no language, no text
    related = next(r for r in rec.reasons if r.kind is ReasonKind.RELATED_SECTOR)
    assert related.sectors == ("dairy", "packaging") and related.weight == pytest.approx(0.15)
    [back] = index.recommend()[b.id]
    assert next(r for r in back.reasons if r.kind is ReasonKind.RELATED_SECTOR).sectors == ("packaging", "dairy")


def test_complementarity_counts_the_stronger_direction_fully_and_a_share_of_the_other():
    a = company(needs="Portland cement", offers="")
    b = company(needs="", offers="Portland cement", side=KASHKADARYA)
    index = build_index([a, b], config(Weights(1, 0, 0, 0)))
    [rec] = index.recommend()[a.id]
    assert rec.score == pytest.approx(1 / 1.25)  # (max + 0.25 * min) / 1.25 with max = 1, min = 0
    [reason] = rec.reasons
    assert (reason.kind, reason.mine, reason.theirs) == (ReasonKind.YOU_NEED, "Portland cement", "Portland cement")
    assert reason.terms[0] == "cement" and reason.weight == pytest.approx(rec.score)
    # both directions: the same texts both ways make a full match
    c = company(needs="Portland cement", offers="Portland cement", side=KASHKADARYA)
    assert build_index([a, c], config(Weights(1, 0, 0, 0))).score(a.id, c.id) == pytest.approx(0.8)
    d = company(needs="Portland cement", offers="Portland cement")
    assert build_index([c, d], config(Weights(1, 0, 0, 0))).score(c.id, d.id) == pytest.approx(1.0)


def test_zero_weights_and_irrelevant_pairs_give_nothing():
    a = company(sectors=("dairy",), languages=("ru",))
    b = company(sectors=("tourism",), languages=("ru",), side=KASHKADARYA)
    # delegation and language alone are no reason to meet
    assert recommend_all([a, b], config(affinity={}))[a.id] == []
    assert recommend_all([a, b], config(Weights(0, 0, 0, 0)))[a.id] == []


# --- exclusions ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def forum():
    profiles, _ = planted_forum(80, seed=3)
    return profiles


def test_never_self_and_never_dismissed(forum):
    index = build_index(forum, config())
    recs = index.recommend()
    a = forum[0].id
    assert all(a not in {r.partner_id for r in recs[a]} for a in recs)
    dismissed = {r.partner_id for r in recs[a][:3]}
    again = index.recommend([a], exclusions={a: dismissed})[a]
    assert not dismissed & {r.partner_id for r in again}
    assert [r.partner_id for r in again[:7]] == [r.partner_id for r in recs[a][3:10]]
    # dismissing is one-sided
    b = next(iter(dismissed))
    assert index.recommend([b], exclusions={a: dismissed})[b] == recs[b]


def test_only_mode_never_pairs_one_delegation(forum):
    side = {p.id: p.delegation for p in forum}
    recs = recommend_all(forum, config(mode=CrossDelegation.ONLY))
    assert all(side[r.partner_id] != side[a] for a, lst in recs.items() for r in lst)
    assert sum(map(len, recs.values())) > 0


def test_none_mode_ignores_delegations(forum):
    recs = recommend_all(forum, config(mode=CrossDelegation.NONE))
    assert all(r.kind is not ReasonKind.CROSS_DELEGATION for lst in recs.values() for rec in lst for r in rec.reasons)
    side = {p.id: p.delegation for p in forum}
    assert any(side[r.partner_id] == side[a] for a, lst in recs.items() for r in lst)


def test_prefer_mode_ranks_the_other_delegation_higher_for_the_same_match():
    a = company(needs="cement", side=ALMATY)
    same = company(offers="cement", side=ALMATY)
    other = company(offers="cement", side=KASHKADARYA)
    recs = recommend_all([a, same, other], config())[a.id]
    assert [r.partner_id for r in recs] == [other.id, same.id]
    assert recs[0].score - recs[1].score == pytest.approx(0.3)


# --- invariants ------------------------------------------------------------------------------------


def test_scores_are_in_0_1_and_symmetric(forum):
    recs = build_index(forum, config(top_k=len(forum))).recommend()
    scores = {(a, r.partner_id): r.score for a, lst in recs.items() for r in lst}
    assert scores and all(0 < s <= 1 for s in scores.values())
    assert all(scores.get((b, a)) == s for (a, b), s in scores.items())


def test_same_input_same_output_whatever_the_order(forum):
    first = recommend_all(forum, config())
    shuffled = list(forum)
    random.Random(1).shuffle(shuffled)
    assert recommend_all(shuffled, config()) == first


def test_lists_are_sorted_and_ties_go_to_the_lowest_id(forum):
    for lst in recommend_all(forum, config()).values():
        keys = [(-r.score, r.partner_id) for r in lst]
        assert keys == sorted(keys)


CONTEXT_KINDS = (ReasonKind.CROSS_DELEGATION, ReasonKind.SHARED_LANGUAGE)


def test_reasons_are_one_to_three_business_first_and_add_up_to_the_score(forum):
    for lst in recommend_all(forum, config()).values():
        for rec in lst:
            weights = [r.weight for r in rec.reasons]
            assert 1 <= len(weights) <= 3 and all(w > 0 for w in weights)
            context = [r.kind in CONTEXT_KINDS for r in rec.reasons]
            # needs, offers and sectors first, then delegation and language; each group strongest first
            assert context == sorted(context)
            business = [r.weight for r in rec.reasons if r.kind not in CONTEXT_KINDS]
            who = [r.weight for r in rec.reasons if r.kind in CONTEXT_KINDS]
            assert business == sorted(business, reverse=True) and who == sorted(who, reverse=True)
            assert sum(weights) <= rec.score + 1e-5
    # with at most three parts present the reasons are the whole score
    a = company(needs="cement", sectors=("dairy",))
    b = company(offers="cement", sectors=("dairy",), side=KASHKADARYA)
    [rec] = recommend_all([a, b], config())[a.id]
    assert sum(r.weight for r in rec.reasons) == pytest.approx(rec.score, abs=1e-5)


def test_k_limits_and_unknown_ids(forum):
    index = build_index(forum[:5], config())
    assert all(len(lst) <= 4 for lst in index.recommend(k=100).values())
    assert index.recommend(k=0) == {p.id: [] for p in forum[:5]}
    assert index.recommend([forum[0].id, 999_999], k=2)[999_999] == []
    assert len(index.recommend([forum[0].id], k=2)[forum[0].id]) <= 2


_WORDS = ["cement", "цемент", "milk", "молоко", "film", "плёнка", "yarn", "paxta", "hotel", "tours", "wheat",
          "the", "и", "🙂", "<b>", "&amp;", "reefer", "sement", "olma", "apples"]
_profiles = st.lists(
    st.tuples(st.sampled_from([ALMATY, KASHKADARYA]),
              st.lists(st.sampled_from(["dairy", "packaging", "agriculture", "tourism", "x-new"]), max_size=3),
              st.lists(st.sampled_from(_WORDS), max_size=6), st.lists(st.sampled_from(_WORDS), max_size=6),
              st.lists(st.sampled_from(["ru", "kk", "uz", "en"]), max_size=3)),
    min_size=0, max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_profiles, st.sampled_from(list(CrossDelegation)))
def test_property_scores_bounded_symmetric_and_explained(rows, mode):
    profiles = [company(id=i + 1, side=side, sectors=tuple(sectors), needs=" ".join(needs),
                        offers=", ".join(offers), languages=tuple(langs))
                for i, (side, sectors, needs, offers, langs) in enumerate(rows)]
    recs = build_index(profiles, config(mode=mode, top_k=20)).recommend()
    assert set(recs) == {p.id for p in profiles}
    scores = {(a, r.partner_id): r for a, lst in recs.items() for r in lst}
    for (a, b), rec in scores.items():
        assert a != b and 0 < rec.score <= 1
        assert scores[(b, a)].score == rec.score
        assert 1 <= len(rec.reasons) <= 3
