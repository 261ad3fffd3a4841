"""Unit tests: reasons come from what made the score, seen from the viewer's side."""

from __future__ import annotations

import re

import pytest

from forum.matching import CrossDelegation, ReasonKind, Weights, build_index

from .support import ALMATY, KASHKADARYA, company, config

DAIRY = company(side=ALMATY, sectors=("dairy",), languages=("ru", "kk"),
                offers="Pasteurised milk and kefir; cottage cheese",
                needs="Нужна многослойная барьерная плёнка для упаковки молока, 40 т в месяц; "
                      "сычужный фермент для сыра")
FILM = company(side=KASHKADARYA, sectors=("packaging",), languages=("uz", "ru", "en"),
               offers="Multilayer barrier film for dairy packaging; PET preforms",
               needs="Kefir and yoghurt for our staff canteen; printing inks")


@pytest.fixture(scope="module")
def recs():
    return build_index([DAIRY, FILM], config()).recommend()


def _reason(rec, kind):
    return next(r for r in rec.reasons if r.kind is kind)


def test_you_need_is_the_viewers_need_and_the_partners_offer(recs):
    [rec] = recs[DAIRY.id]
    you = _reason(rec, ReasonKind.YOU_NEED)
    # the phrase is quoted with the rest of its sentence (up to 80 characters)
    assert you.mine == "Нужна многослойная барьерная плёнка для упаковки молока, 40 т в месяц"
    assert you.theirs == "Multilayer barrier film for dairy packaging"
    # concepts shared across the two languages, the strongest first (milk only says what the film is for)
    assert you.terms == ("barrier film", "plastic film", "milk & dairy")


def test_they_need_is_the_same_match_seen_from_the_other_side(recs):
    [back] = recs[FILM.id]
    they = _reason(back, ReasonKind.THEY_NEED)
    assert they.mine == "Multilayer barrier film for dairy packaging"
    assert they.theirs == "Нужна многослойная барьерная плёнка для упаковки молока, 40 т в месяц"
    [rec] = recs[DAIRY.id]
    assert back.score == rec.score
    assert they.weight == pytest.approx(_reason(rec, ReasonKind.YOU_NEED).weight)


def test_the_weaker_direction_is_a_reason_too_when_it_is_strong_enough():
    weights = Weights(complementarity=1, sector=0, cross_delegation=0, language=0)
    [rec] = build_index([DAIRY, FILM], config(weights)).recommend()[DAIRY.id]
    assert [r.kind for r in rec.reasons] == [ReasonKind.YOU_NEED, ReasonKind.THEY_NEED]
    they = rec.reasons[1]
    assert they.mine == "Pasteurised milk and kefir" and they.theirs == "Kefir and yoghurt for our staff canteen"
    assert sum(r.weight for r in rec.reasons) == pytest.approx(rec.score, abs=1e-5)


def test_terms_are_words_or_concepts_never_fragments():
    index = build_index([DAIRY, FILM], config())
    for rec in index.recommend()[DAIRY.id] + index.recommend()[FILM.id]:
        for reason in rec.reasons:
            for term in reason.terms:
                assert re.fullmatch(r"[\w&' -]{3,}", term), term


def test_long_phrases_are_cut_to_80_characters_on_a_word():
    long_need = ("Нужна барьерная плёнка многослойная соэкструзионная ламинированная прозрачная и прочная "
                 "в рулонах шириной до 1200 мм")
    a = company(needs=long_need, side=ALMATY)
    b = company(offers="barrier film", side=KASHKADARYA)
    [rec] = build_index([a, b], config()).recommend()[a.id]
    mine = _reason(rec, ReasonKind.YOU_NEED).mine
    assert len(mine) <= 80 and mine.endswith("…") and long_need.startswith(mine[:-1])


def test_delegation_language_and_sector_reasons(recs):
    [rec] = recs[DAIRY.id]
    cross = _reason(rec, ReasonKind.CROSS_DELEGATION)
    assert cross.delegations == (ALMATY[0], KASHKADARYA[0]) and cross.cross_border
    assert cross.weight == pytest.approx(0.3)
    same_country = company(side=("Almaty City", "Kazakhstan"), offers="barrier film")
    [other] = build_index([DAIRY, same_country], config(mode=CrossDelegation.PREFER)).recommend()[DAIRY.id]
    assert not _reason(other, ReasonKind.CROSS_DELEGATION).cross_border
    weights = Weights(complementarity=0.1, sector=1, cross_delegation=0, language=1)
    [rec] = build_index([DAIRY, FILM], config(weights)).recommend()[DAIRY.id]
    assert _reason(rec, ReasonKind.RELATED_SECTOR).sectors == ("dairy", "packaging")
    assert _reason(rec, ReasonKind.SHARED_LANGUAGE).languages == ("ru",)
