"""Unit tests: cleaning, phrases, transliteration, stop words and the lexicon (forum.matching.vectorize,
forum.matching.lexicon)."""

from __future__ import annotations

import pytest

from forum.matching import TextOptions
from forum.matching.lexicon import ALL_CONCEPTS, compile_lexicon
from forum.matching.vectorize import (
    _TRANSLIT,
    MAX_TEXT_CHARS,
    _Tokenizer,
    clean_text,
    shorten,
    split_phrases,
    vectorize,
)

from .support import company


def _lexicon():
    probe = _Tokenizer(_TRANSLIT, frozenset(), 0, None, {})
    return compile_lexicon(ALL_CONCEPTS, probe.words), probe


def _concepts(text: str) -> set[str]:
    lexicon, probe = _lexicon()
    return set(lexicon.concepts(probe.words(text)))


# --- cleaning and phrases ----------------------------------------------------------------------------


def test_clean_text_strips_html_and_entities_and_keeps_words():
    assert clean_text("<p>Barrier <b>film</b> &amp; caps</p><br>for milk") == "Barrier film & caps\nfor milk"


def test_clean_text_cuts_very_long_texts():
    assert len(clean_text("plyonka " * 5000)) <= MAX_TEXT_CHARS


def test_split_phrases_on_separators_but_not_inside_parentheses_or_numbers():
    text = "Apples (Aport, Gala), 3,000 t; drip lines.\nCold rooms — for rent"
    assert split_phrases(text) == ["Apples (Aport, Gala)", "3,000 t", "drip lines", "Cold rooms", "for rent"]


def test_shorten_cuts_on_a_word_boundary_with_an_ellipsis():
    text = "Co-extruded 5- and 7-layer barrier films for milk, juice and liquid food in rolls of any width"
    short = shorten(text)
    assert len(short) <= 80 and short.endswith("…")
    assert text.startswith(short[:-1])
    assert short[-2] != " " and text[len(short) - 1] == " "  # cut before a space, not inside a word
    assert shorten("short phrase") == "short phrase"


# --- lexicon -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["barrier film", "упаковочная плёнка", "пленка", "qadoqlash plyonkasi"])
def test_lexicon_finds_film_in_every_language(text):
    assert "plastic film" in _concepts(text)


@pytest.mark.parametrize(("text", "concept"), [
    ("молоко", "milk & dairy"), ("sut", "milk & dairy"), ("яблоки", "apples"), ("olma", "apples"),
    ("рефрижератор", "refrigerated transport"), ("refrijerator", "refrigerated transport"),
    ("хлопок", "cotton"), ("paxta", "cotton"), ("пряжа", "yarn"), ("гостиница", "hotels"),
    ("mehmonxona", "hotels"), ("капельное орошение", "drip irrigation"), ("tomchilatib", "drip irrigation"),
    ("o'g'itlar", "fertilizers"), ("удобрения", "fertilizers"), ("issiqxona", "greenhouses"),
    ("цемент", "cement"), ("sement", "cement"), ("quyosh", "solar power"), ("солнечные", "solar power"),
    ("cold storage", "cold storage"), ("urug'lik", "seeds"), ("семена", "seeds"),
])
def test_lexicon_maps_surface_forms_to_concepts(text, concept):
    assert concept in _concepts(text)


def test_lexicon_whole_word_stems_do_not_match_longer_words():
    # Uzbek "sut" (milk) must not fire on Russian "сутки" (days), nor "ip" (yarn) on "iphone"
    assert "milk & dairy" not in _concepts("25 т в сутки")
    assert "yarn" not in _concepts("iphone")


def test_lexicon_longest_stem_wins():
    assert _concepts("стеклопакеты") == {"windows"}  # not "glass" from the shorter stem стекл
    assert _concepts("стекло") == {"glass"}
    assert "polymer raw materials" in _concepts("гранулы полиэтилентерефталата")  # not "bottles & preforms"


def test_lexicon_two_word_stems_need_both_words_in_order():
    assert "tomato paste" in _concepts("томатная паста")
    assert "tomato paste" not in _concepts("паста томатная")


# --- vectorize ---------------------------------------------------------------------------------------


def test_vectorize_stop_words_only_gives_zero_vectors():
    v = vectorize([company(needs="We are looking for the partners!", offers="и в на для")], TextOptions())
    assert v.need.nnz == 0 and v.offer.nnz == 0


def test_vectorize_rows_are_unit_length_or_zero():
    v = vectorize([company(needs="milk, film", offers="cement"), company(needs="", offers="яблоки, olma")],
                  TextOptions())
    norms = [round(float((v.need[i].multiply(v.need[i])).sum()), 5) for i in range(2)]
    assert norms == [1.0, 0.0]


def test_vectorize_rows_of_weak_features_stay_short():
    # context words ("for milk") and broad concepts ("livestock") weigh less, and a row made of them only
    # is not normalised back to unit length: its matches stay weak
    v = vectorize([company(needs="barrier film, for milk"), company(needs="livestock")], TextOptions())
    phrases = v.need_phrases
    assert phrases.text == ["barrier film, for milk"] * 2 + ["livestock"]
    norms = [float(phrases.vectors[i].multiply(phrases.vectors[i]).sum()) ** 0.5 for i in range(3)]
    assert norms[0] == pytest.approx(1.0, abs=1e-5) and norms[1] < 0.5 and norms[2] < 0.9


def test_vectorize_buyer_seeking_need_counts_as_an_offer():
    v = vectorize([company(needs="Buyers for our cotton yarn in Kazakhstan; dyes", offers="knitted fabric")],
                  TextOptions())
    assert v.need_phrases.text == ["dyes"]
    assert v.offer_phrases.text == ["knitted fabric", "Buyers for our cotton yarn in Kazakhstan"]


def test_vectorize_transliteration_makes_russian_and_uzbek_latin_one_word():
    options = TextOptions(lexicon=False, stem=0)
    v = vectorize([company(needs="плёнка"), company(offers="plyonka")], options)
    assert float(v.need[0].multiply(v.offer[1]).sum()) == pytest.approx(1.0)
    plain = TextOptions(lexicon=False, stem=0, transliterate=False)
    v = vectorize([company(needs="плёнка"), company(offers="plyonka")], plain)
    assert v.need[0].multiply(v.offer[1]).sum() == 0
