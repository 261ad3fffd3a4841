"""Unit tests: match quality on a planted synthetic forum, across languages, and on the demo CSV.

Bars sit a little below what was measured, so a change that makes matching worse fails here.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from forum.matching import (
    DEFAULT_AFFINITY,
    DEFAULT_WEIGHTS,
    MatchingConfig,
    Profile,
    ReasonKind,
    TextOptions,
    Tuning,
    build_index,
)
from forum.matching.synthetic import complementary_pairs, planted_forum

from .support import ALMATY, KASHKADARYA, company

DEMO_CSV = Path(__file__).resolve().parents[3] / "forum" / "demo" / "companies.csv"
CONFIG = MatchingConfig(weights=DEFAULT_WEIGHTS, affinity=DEFAULT_AFFINITY, top_k=10)


def _precision_recall(recs, truth):
    p5 = [len({r.partner_id for r in recs[c][:5]} & t) / 5 for c, t in truth.items() if t]
    r10 = [len({r.partner_id for r in recs[c][:10]} & t) / len(t) for c, t in truth.items() if t]
    return sum(p5) / len(p5), sum(r10) / len(r10)


@pytest.fixture(scope="module")
def planted():
    return planted_forum(300, seed=7)


def test_planted_partners_are_found(planted):
    profiles, truth = planted
    p5, r10 = _precision_recall(build_index(profiles, CONFIG).recommend(), truth)
    # measured: precision@5 0.889, recall@10 0.901 (300 companies, seed 7, ~9 planted partners each; the
    # first version: 0.761 / 0.782)
    assert p5 >= 0.85
    assert r10 >= 0.86


def test_need_offer_reasons_are_true_ones(planted):
    """A "you need X; they offer Y" reason should be true: the need side needs an item the other offers."""
    profiles, truth = planted
    needs_what_offers = complementary_pairs(300, seed=7)
    claims = false = shown = backed = 0
    for viewer, recs in build_index(profiles, CONFIG).recommend().items():
        for rec in recs:
            true_claim = False
            for reason in rec.reasons:
                if reason.kind in (ReasonKind.YOU_NEED, ReasonKind.THEY_NEED):
                    claims += 1
                    you = reason.kind is ReasonKind.YOU_NEED
                    if ((viewer, rec.partner_id) if you else (rec.partner_id, viewer)) in needs_what_offers:
                        true_claim = True
                    else:
                        false += 1
            if rec.partner_id in truth[viewer]:
                shown += 1
                backed += true_claim
    # measured: 7.3% of 2,300 claims false, and 96.5% of the planted pairs shown have a true one (before
    # context spans, broad concepts and the claim threshold: 40.1% of 2,954 false, 99.5% backed)
    assert false / claims <= 0.10
    assert backed / shown >= 0.95


def test_the_lexicon_is_what_crosses_languages(planted):
    profiles, truth = planted
    plain = Tuning(text=TextOptions(lexicon=False))
    p5, r10 = _precision_recall(build_index(profiles, CONFIG, tuning=plain).recommend(), truth)
    # measured without the lexicon: 0.485 / 0.403
    assert p5 < 0.55 and r10 < 0.5


def test_a_russian_need_finds_an_english_offer():
    dairy = company(side=ALMATY, sectors=("dairy",), needs="Нужна многослойная барьерная плёнка для упаковки молока")
    film = company(side=KASHKADARYA, sectors=("packaging",), offers="Multilayer barrier film for dairy packaging")
    # distractors: same words or same sector, no complementarity
    stretch = company(side=KASHKADARYA, sectors=("packaging",), offers="Stretch wrap for pallets")
    milk = company(side=KASHKADARYA, sectors=("dairy",), offers="Fresh raw milk", needs="Barrier film")
    other = company(side=KASHKADARYA, sectors=("tourism",), offers="Hotel rooms in Shahrisabz")
    recs = build_index([dairy, film, stretch, milk, other], CONFIG).recommend()[dairy.id]
    assert recs[0].partner_id == film.id
    you = next(r for r in recs[0].reasons if r.kind is ReasonKind.YOU_NEED)
    assert "barrier film" in you.terms


def _demo():
    with DEMO_CSV.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    profiles = [Profile(id=i, delegation=r["delegation"], country=r["country"],
                        sectors=tuple(s for s in r["sectors"].split(";") if s), offers=r["offers"],
                        needs=r["needs"], description=r["description"],
                        languages=tuple(c for c in r["languages"].split(";") if c))
                for i, r in enumerate(rows, start=1)]
    return profiles, {r["name"]: i for i, r in enumerate(rows, start=1)}


@pytest.mark.parametrize(("viewer", "partner", "kind"), [
    ("Esik Dairy Plant JSC", "Qarshi Flexible Packaging LLC", ReasonKind.YOU_NEED),  # UHT milk film
    ("Qarshi Flexible Packaging LLC", "Esik Dairy Plant JSC", ReasonKind.THEY_NEED),
    ("Shahrisabz Pomegranate Cluster LLC", "Kaskelen Corrugated Packaging LLP", ReasonKind.YOU_NEED),  # boxes
    ("Talgar Knitwear Factory LLP", "Kitob Textile Cluster LLC", ReasonKind.YOU_NEED),  # cotton yarn
    ("ТОО «Алматы Стройкомплект»", "Dehqonobod Building Materials LLC", ReasonKind.YOU_NEED),  # ru cement
    ("ООО «Китоб Консерва»", "Kaskelen Glass Containers LLP", ReasonKind.YOU_NEED),  # ru jars, en offer
])
def test_demo_csv_complementary_pairs_are_in_the_top_5(viewer, partner, kind):
    profiles, ids = _demo()
    recs = build_index(profiles, CONFIG).recommend([ids[viewer]])[ids[viewer]]
    top = {r.partner_id: r for r in recs[:5]}
    assert ids[partner] in top
    assert kind in {r.kind for r in top[ids[partner]].reasons}
