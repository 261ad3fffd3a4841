"""Unit tests: odd forums and odd texts never crash the matcher and give sensible answers."""

from __future__ import annotations

import pytest

from forum.matching import (
    CrossDelegation,
    ReasonKind,
    TextOptions,
    Tuning,
    Weights,
    build_index,
    recommend_all,
)

from .support import KASHKADARYA, company, config

ANALYZERS = [Tuning(text=TextOptions(analyzer=a)) for a in ("word", "char_wb", "both")]


@pytest.mark.parametrize("tuning", ANALYZERS, ids=["word", "char_wb", "both"])
@pytest.mark.parametrize("n", [0, 1])
def test_no_or_one_company(n, tuning):
    profiles = [company(needs="cement", offers="milk")][:n]
    index = build_index(profiles, config(), tuning=tuning)
    assert index.recommend() == {p.id: [] for p in profiles}
    assert index.affected_by(999, {}) == set()


@pytest.mark.parametrize("tuning", ANALYZERS, ids=["word", "char_wb", "both"])
def test_all_empty_profiles_have_no_vocabulary_and_no_recommendations(tuning):
    # TfidfVectorizer raises "empty vocabulary" on such a corpus
    profiles = [company(), company(side=KASHKADARYA), company(needs="   ", offers="\n\n")]
    index = build_index(profiles, config(), tuning=tuning)
    assert index.recommend() == {p.id: [] for p in profiles}
    a, b = profiles[0], profiles[1]
    assert index.affected_by(a.id, {b.id: []}, previous=a) == set()


@pytest.mark.parametrize("tuning", ANALYZERS, ids=["word", "char_wb", "both"])
def test_stop_words_only_emoji_and_html(tuning):
    profiles = [
        company(needs="the and of для и на va bilan", offers="!!! ??? ... 🙂🙂🙂"),
        company(side=KASHKADARYA, needs="<script>alert(1)</script><b>cement</b> &nbsp;&amp;",
                offers="🚚 reefer trucks 🚚"),
        company(needs="🙂 <img src=x onerror=alert(1)>", offers="<p>Portland <i>cement</i></p>"),
    ]
    recs = build_index(profiles, config(), tuning=tuning).recommend()
    assert recs[profiles[0].id] == []
    [rec] = [r for r in recs[profiles[1].id] if r.partner_id == profiles[2].id]
    you = next(r for r in rec.reasons if r.kind is ReasonKind.YOU_NEED)
    assert "<" not in you.mine and "cement" in you.mine and "cement" in you.theirs


def test_very_long_texts():
    long = ("Barrier film for milk packaging, co-extruded, seven layers; " * 200)[:10_000]
    profiles = [company(needs=long, offers=long, description=long * 2),
                company(side=KASHKADARYA, offers="barrier film", needs="x" * 10_000)]
    recs = recommend_all(profiles, config())
    assert [r.partner_id for r in recs[profiles[0].id]] == [profiles[1].id]
    assert all(len(r.mine) <= 80 and len(r.theirs) <= 80 for r in recs[profiles[0].id][0].reasons)


def test_one_delegation_under_only_gives_empty_lists():
    profiles = [company(needs="cement"), company(offers="cement"), company(offers="cement, milk")]
    assert recommend_all(profiles, config(mode=CrossDelegation.ONLY)) == {p.id: [] for p in profiles}
    assert all(recommend_all(profiles, config(mode=CrossDelegation.PREFER)).values())


def test_no_sectors_no_languages_still_match_on_texts():
    a = company(needs="cement")
    b = company(side=KASHKADARYA, offers="Portland cement")
    [rec] = recommend_all([a, b], config())[a.id]
    assert {r.kind for r in rec.reasons} == {ReasonKind.YOU_NEED, ReasonKind.CROSS_DELEGATION}


def test_unknown_sector_keys_and_odd_language_codes():
    a = company(sectors=("space-mining", " dairy "), languages=(" RU ", "", "xx"), needs="milk")
    b = company(side=KASHKADARYA, sectors=("dairy",), languages=("ru",), offers="milk")
    [rec] = recommend_all([a, b], config(Weights(complementarity=0, sector=1, cross_delegation=0, language=1)))[a.id]
    kinds = {r.kind: r for r in rec.reasons}
    assert rec.score == pytest.approx((1 / 2**0.5 + 1) / 2)  # one of two sectors shared; a language shared
    assert kinds[ReasonKind.SAME_SECTOR].sectors == ("dairy",)
    assert ReasonKind.SHARED_LANGUAGE in kinds and kinds[ReasonKind.SHARED_LANGUAGE].languages == ("ru",)


def test_duplicate_texts_score_alike_and_ties_go_to_the_lowest_id():
    a = company(id=1, needs="cement")
    twins = [company(id=i, side=KASHKADARYA, offers="Portland cement") for i in (7, 3, 5)]
    recs = recommend_all([a, *twins], config())
    assert [r.partner_id for r in recs[1]] == [3, 5, 7]
    assert len({r.score for r in recs[1]}) == 1


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError, match="unique"):
        build_index([company(id=1), company(id=1)], config())


def test_k_larger_than_the_forum():
    profiles = [company(needs="cement"), company(side=KASHKADARYA, offers="cement"),
                company(side=KASHKADARYA, offers="cement bags")]
    recs = build_index(profiles, config(top_k=50)).recommend()
    assert len(recs[profiles[0].id]) == 2
