"""Unit tests: what a "you need X; they offer Y" reason may claim, and how its phrases are quoted.

A need/offer reason is shown only when that direction's match is strong enough (Tuning.claim_threshold):
a shared domain ("livestock", "packaging") or a word that only says what something is for ("film *for
milk*") still counts a little in the score but makes no claim. Spelling variants (tyre/tire) and the
languages of the forum meet through the lexicon.
"""

from __future__ import annotations

import pytest

from forum.matching import ReasonKind, Tuning, build_index
from forum.matching.vectorize import _TRANSLIT, _stop_words, _Tokenizer, american, display_phrase, vectorize

from .support import ALMATY, KASHKADARYA, company, config


def _claims(rec):
    return [r for r in rec.reasons if r.kind in (ReasonKind.YOU_NEED, ReasonKind.THEY_NEED)]


def _pair(need: str, offer: str, **kw):
    """(viewer's recommendation of the partner or None, index): the viewer needs ``need``, the partner
    (another delegation) offers ``offer``."""
    viewer = company(side=ALMATY, needs=need, **kw)
    partner = company(side=KASHKADARYA, offers=offer)
    index = build_index([viewer, partner], config())
    recs = index.recommend()[viewer.id]
    return (recs[0] if recs else None), index


# --- spelling ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("british", "american_"), [
    ("tyre", "tire"), ("tyres", "tires"), ("colour", "color"), ("coloured", "colored"), ("fibre", "fiber"),
    ("fibreboard", "fiberboard"), ("litres", "liters"), ("aluminium", "aluminum"), ("sulphur", "sulfur"),
    ("mould", "mold"), ("moulded", "molded"), ("yoghurt", "yogurt"), ("centre", "center"),
    ("travelling", "traveling"), ("labour", "labor"),
])
def test_british_spelling_becomes_american(british, american_):
    assert american(british) == american_


@pytest.mark.parametrize("word", ["flour", "tour", "tours", "four", "hour", "your", "tire", "center", "tyrex"])
def test_american_spelling_leaves_other_words_alone(word):
    assert american(word) == word


@pytest.mark.parametrize(("need", "offer"), [
    ("Used car tyres for rubber recycling", "Scrap tires from our bus fleet"),
    ("Fibreboard and chipboard for furniture", "MDF and particle board panels, fiberboard"),
    ("Yoghurt starter cultures", "Freeze-dried cultures for yogurt"),
])
def test_spelling_variants_match(need, offer):
    rec, _ = _pair(need, offer)
    assert rec is not None
    assert [r.kind for r in _claims(rec)] == [ReasonKind.YOU_NEED]


# --- claims need evidence ----------------------------------------------------------------------------


@pytest.mark.parametrize(("need", "offer"), [
    # a shared broad concept: livestock
    ("Raw cattle hides, wet-salted, for our tannery", "Vaccines for cattle and sheep, livestock disease prevention"),
    # a shared word used in passing: packed / packing
    ("Glass jars with lids for packing our honey", "Walnut kernels, packed for export"),
    # the truck is only what the telematics is for
    ("Telematics to monitor truck location and fuel use", "Trucks for hire, road freight haulage"),
    # milk is what the equipment is for
    ("Chilled raw cow milk, 20 t a day", "Milk pasteurisation equipment and UHT lines"),
    # polyethylene is what the covering is made of
    ("UV-stabilized polyethylene covering for greenhouses", "PET preforms and blow-moulded bottles"),
])
def test_a_generic_shared_word_makes_no_need_offer_claim(need, offer):
    rec, index = _pair(need, offer)
    v = index.vectors
    assert float(v.need[0].multiply(v.offer[1]).sum()) < index.tuning.claim_threshold
    if rec is not None:  # it may still be recommended (another delegation), but not for this
        assert _claims(rec) == []


def test_a_weak_direction_counts_in_the_score_but_makes_no_claim():
    rec, index = _pair("Raw cattle hides, wet-salted, for our tannery",
                       "Vaccines for cattle and sheep, livestock disease prevention")
    strict = build_index(list(index.profiles), config(), tuning=Tuning(claim_threshold=1.0))
    loose = build_index(list(index.profiles), config(), tuning=Tuning(claim_threshold=0.0))
    viewer = index.profiles[0].id
    # the same score whatever the threshold: only what is said changes
    assert strict.recommend()[viewer][0].score == loose.recommend()[viewer][0].score == rec.score
    assert _claims(loose.recommend()[viewer][0]) and not _claims(strict.recommend()[viewer][0])


def test_a_pair_with_nothing_else_to_say_keeps_its_claim():
    # complementarity only and one delegation: the weak claim is the only reason there is
    from forum.matching import CrossDelegation, Weights

    a = company(side=ALMATY, needs="Glass jars with lids for packing our honey")
    b = company(side=ALMATY, offers="Walnut kernels, packed for export")
    recs = build_index([a, b], config(Weights(1, 0, 0, 0), mode=CrossDelegation.NONE)).recommend()[a.id]
    assert len(recs) == 1 and [r.kind for r in recs[0].reasons] == [ReasonKind.YOU_NEED]


@pytest.mark.parametrize(("need", "offer", "term"), [
    ("End-of-life tyres as feedstock for our crumb rubber line", "Disposal of worn-out truck tires", "tires"),
    ("Лекарственное растительное сырьё: ромашка, мята, шиповник", "Dried chamomile, peppermint and rose hips, "
     "wild-harvested medicinal herbs", "medicinal herbs"),
    ("Hotel towels and bed linen for 120 rooms", "Постельное бельё и махровые полотенца для гостиниц",
     "home & hotel textiles"),
    ("GPS trackers and fuel sensors for our trucks", "Fleet telematics: vehicle tracking and fuel monitoring",
     "fleet telematics"),
    ("Сырые шкуры КРС для дубления", "Wet-salted cattle hides from our slaughterhouse", "raw hides & skins"),
    ("Tozalangan yong'oq mag'zi", "Shelled walnut kernels", "nuts"),
    ("Halal certification of our meat plant", "Halal certification and audits for food producers",
     "halal certification"),
    ("ЛДСП и МДФ для производства мебели", "Laminated chipboard and MDF panels", "wood panels"),
])
def test_needs_meet_offers_across_wordings_and_languages(need, offer, term):
    rec, _ = _pair(need, offer)
    assert rec is not None
    [claim] = _claims(rec)
    assert claim.kind is ReasonKind.YOU_NEED and term in claim.terms


# --- context and modifiers ---------------------------------------------------------------------------


def _tokenizer():
    from forum.matching.lexicon import ALL_CONCEPTS, compile_lexicon

    probe = _Tokenizer(_TRANSLIT, frozenset(), 0, None, {})
    return _Tokenizer(_TRANSLIT, _stop_words(True), 6, compile_lexicon(ALL_CONCEPTS, probe.words), {}, (), True)


@pytest.mark.parametrize(("text", "head", "context"), [
    ("barrier film for milk", "barrier film", "milk & dairy"),  # en: after "for"
    ("плёнка для молока", "plastic film", "milk & dairy"),  # ru: after "для"
    ("sut uchun plyonka", "plastic film", "milk & dairy"),  # uz: before "uchun"
    ("milk pasteurisation equipment", "machinery & equipment", "milk & dairy"),  # en: a modifier
    ("семена лука", "seeds", "onions"),  # ru: a genitive after the head
])
def test_words_that_say_what_something_is_for_are_context(text, head, context):
    _, concepts, _, _ = _tokenizer().phrase(text)
    assert head in concepts and context not in concepts and "~" + context in concepts


@pytest.mark.parametrize(("text", "whole", "part"), [
    ("tomato paste", "tomato paste", "tomatoes"),
    ("greenhouse film", "greenhouse film", "greenhouses"),
    ("oil filters", "auto parts", "oils & fats"),
    ("sovutgichli transport", "refrigerated transport", "cold storage"),
])
def test_a_several_word_concept_owns_its_words(text, whole, part):
    _, concepts, _, _ = _tokenizer().phrase(text)
    assert whole in concepts and part not in concepts and "~" + part not in concepts


def test_looking_for_starts_no_context():
    tokens, concepts, _, _ = _tokenizer().phrase("Looking for a supplier of cold storage")
    assert "cold storage" in concepts and not any(t.startswith("~") for t in tokens)


# --- display -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "shown"), [
    ("and salted cattle hides as a by-product", "salted cattle hides as a by-product"),
    ("or dried apricots", "dried apricots"),
    ("и сухофрукты", "сухофрукты"),
    ("или орехи", "орехи"),
    ("va yong'oq mag'zi", "yong'oq mag'zi"),
    ("hamda quritilgan o'rik", "quritilgan o'rik"),
    ("yoki mayiz", "mayiz"),
    ("және жүн", "жүн"),
    ("немесе тері", "тері"),
    ("andijan cotton", "andijan cotton"),  # a word that only starts like a conjunction stays
])
def test_displayed_phrases_start_without_a_conjunction(text, shown):
    assert display_phrase(text) == shown


def test_an_enumeration_is_quoted_whole():
    v = vectorize([company(needs="Bed sheets, pillowcases and towels for 200 rooms")], _options())
    assert set(v.need_phrases.text) == {"Bed sheets, pillowcases and towels for 200 rooms"}


def test_a_long_sentence_is_quoted_in_pieces_of_at_most_80_characters():
    text = ("Premium wheat flour in 50 kg bags for bakeries across the whole region, and bran pellets for "
            "feed mills, and pasta")
    v = vectorize([company(offers=text)], _options())
    shown = v.offer_phrases.text
    assert all(len(t) <= 80 for t in shown)
    assert shown[0] == "Premium wheat flour in 50 kg bags for bakeries across the whole region"
    assert shown[-1] == "bran pellets for feed mills, and pasta"  # no "and" up front


def test_a_long_segment_is_cut_with_an_ellipsis():
    text = "Barrier film " + "multilayer coextruded laminated transparent strong " * 3
    v = vectorize([company(offers=text)], _options())
    [shown] = v.offer_phrases.text
    assert len(shown) <= 80 and shown.endswith("…") and text.startswith(shown[:-1])


def test_the_reason_quotes_the_enumeration():
    rec, _ = _pair("Bed sheets, pillowcases and towels for 200 rooms", "Bedding sets and terry towels for hotels")
    [claim] = _claims(rec)
    assert claim.mine == "Bed sheets, pillowcases and towels for 200 rooms"
    assert claim.theirs == "Bedding sets and terry towels for hotels"


def _options():
    from forum.matching import TextOptions

    return TextOptions()


def test_a_minus_sign_is_no_bullet():
    v = vectorize([company(offers="65 reefer trucks, -25°C to +15°C\n- cross-dock warehouse")], _options())
    assert v.offer_phrases.text[0] == "65 reefer trucks, -25°C to +15°C"
    assert v.offer_phrases.text[-1] == "cross-dock warehouse"
