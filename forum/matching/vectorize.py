"""Profiles -> vectors: TF-IDF of needs and offers (plus concept tokens), sector multi-hots, language sets.

Texts at this forum are short and mix English, Russian and Uzbek (Latin script), sometimes Kazakh. So
before TF-IDF every text is cleaned (HTML, emoji, apostrophe variants), transliterated from Cyrillic to
Latin (so that *плёнка* and Uzbek *plyonka* become the same word, and character n-grams match across
scripts), put in American spelling (*tyres* = *tires*), stripped of English, Russian, Uzbek and Kazakh stop
words, and split into phrases (segments between commas and colons). Each phrase also gets the concepts the
domain lexicon finds in it ("plastic film", "milk & dairy"), which form a second TF-IDF block: that block
is what lets a Russian need meet an English offer.

Not every word of a phrase says what is needed or offered. "Film *for milk*", "*sut* uchun plyonka",
"*milk* pasteurisation equipment": the words after "for"/"для", before "uchun", and products that only
modify the head of their noun phrase are *context*; they count TextOptions.context_weight of a head word,
and broad concepts of the lexicon ("livestock", "packaging") TextOptions.broad_weight of a specific one.
Those weights are applied after the rows are normalised, so a phrase made of such features only stays a
short vector and its matches stay weak (see _folded): raw cattle hides and livestock vaccines share
"livestock", not a need and an offer.

Documents are vectorized phrase by phrase: a document's counts are the sum of its phrases' counts, so the
phrase vectors (used to explain a match with the phrases that carried it) cost no second pass. A phrase
is quoted with its neighbours up to 80 characters, so an enumeration is quoted whole.
"""
from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Literal

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfTransformer
from sklearn.preprocessing import MultiLabelBinarizer, normalize

from forum.matching.lexicon import (
    ALL_CONCEPTS,
    BROAD_CONCEPTS,
    OPERATORS,
    QUALIFIERS,
    Lexicon,
    compile_lexicon,
)
from forum.matching.types import Profile

# The profile form allows 2,000 characters for offers and needs and 4,000 for the description; anything
# longer (imports, abuse) is cut so one profile cannot cost more than any other.
MAX_TEXT_CHARS = 4000

Analyzer = Literal["word", "char_wb", "both"]


@dataclass(frozen=True, slots=True)
class TextOptions:
    """How texts become vectors. Defaults by `bench_matching.py --quality` (complementarity only, P@5;
    numbers of the first version in brackets, before context spans, broad concepts and the larger lexicon):

    - word vs char_wb: without the lexicon they are close (0.552 with 6-letter stems vs 0.541 [0.474 vs
      0.458]); with it they tie (0.959 vs 0.960 at concept weight 0.7 [0.864]), and words were cheaper
      (10k companies end to end: 2.5 s vs 4.5 s, ~950 vs ~10,000 features) and give readable terms;
    - the lexicon's concept block: 0.3 -> 0.898, 0.5 -> 0.955, 0.7 -> 0.959, 0.85 -> 0.959;
    - context spans: context_weight 1 (off) -> 0.934, 0.3 -> 0.959; broad concepts at full weight ->
      0.953; weak_floor 1 -> 0.957, 0 -> 0.955, 0.8 -> 0.959. With DEFAULT_WEIGHTS (PREFER) they matter
      most for the reasons: false need/offer claims 0.193 without any of them, 0.044 with them and the
      claim threshold (Tuning.claim_threshold);
    - transliteration 0.958 -> 0.959; need phrases that seek buyers read as offers 0.865 -> 0.959;
      IDF 0.953 -> 0.959 (power-of-two buckets cost nothing);
    - max_df changes nothing here (stop words already drop the boilerplate); kept as a guard;
    - adding the description to the offers changes nothing (0.959, R@10 0.812): off.
    """

    analyzer: Analyzer = "word"
    char_ngram_range: tuple[int, int] = (3, 5)
    stem: int = 6  # cut words to this many letters (a crude stemmer for ru/uz inflection); 0 = off
    transliterate: bool = True
    lexicon: bool = True
    concept_weight: float = 0.7  # share of the cosine that comes from the concept block, in [0, 1]
    use_idf: bool = True  # False: TF only, so a profile's vector never depends on the other profiles
    # IDF from document frequencies rounded to powers of two (and the number of documents too): an edit
    # then moves the IDF of a term only when its frequency crosses a power of two, so it rarely moves
    # any other company's scores (see MatchIndex.affected_by). Costs 0.867 -> 0.866.
    idf_log2_buckets: bool = True
    max_df: float = 0.5  # drop terms found in more than this share of documents (boilerplate)
    max_df_min_docs: int = 20  # below this many documents a share means nothing: keep every term
    description_weight: float = 0.0  # weight of the description added to the offers' vector
    buyer_intent: bool = True  # need phrases that seek buyers/distributors count as offers
    # Words and concepts in a context span ("film *for milk*", "*sut* uchun plyonka", "*milk*
    # pasteurisation equipment") count this much of a head word; 1 turns context spans off. False claims
    # (DEFAULT_WEIGHTS): 0.2 -> 0.042, 0.3 -> 0.044, 0.5 -> 0.077; P@5 0.950 / 0.950 / 0.945; demo R@5
    # 0.985 / 0.992 / 0.992.
    context_weight: float = 0.3
    # Broad concepts of the lexicon ("livestock", "packaging", "logistics") count this much of a specific
    # one ("raw hides & skins", "glass containers"): a shared domain alone is a weak match. The synthetic
    # forums hardly use them (0.2 and 0.4 tie, 0.7 -> 0.054 false claims); chosen before measuring.
    broad_weight: float = 0.4
    # After those weights a row is normalised by max(its norm, weak_floor): 1 keeps rows of weak features
    # short (and dilutes head words by context words: planted pairs with a true claim 0.985 -> 0.956),
    # 0 makes every row a unit vector again (false claims 0.044 -> 0.054).
    weak_floor: float = 0.8


# --- text cleaning -----------------------------------------------------------------------------------

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "x", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
    # Kazakh and Uzbek Cyrillic letters, onto the Uzbek Latin alphabet's choices
    "ә": "a", "ғ": "g", "қ": "q", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i", "ў": "o",
    "ҳ": "h",
}
# Every character people type as an apostrophe (public: the directory search folds them the same way).
APOSTROPHES = "'’ʻʼ‘`´"
_APOSTROPHES = APOSTROPHES
# Uzbek Latin writes o‘ and g‘ with any of several apostrophes; dropping them makes o'g'it == ogit.
_TRANSLIT = str.maketrans({**_CYRILLIC, **dict.fromkeys(_APOSTROPHES, "")})
_APOSTROPHES_ONLY = str.maketrans(dict.fromkeys(_APOSTROPHES, ""))
_WORD = re.compile(r"[^\W_]+(?:['’ʻʼ‘`´][^\W_]+)*")
_BLOCK_TAG = re.compile(r"<\s*/?\s*(?:br|p|li|div|tr|h[1-6]|ul|ol)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]{0,200}>")
_SPACE = re.compile(r"[ \t\f\v\u00a0]+")
_NEWLINES = re.compile(r" ?[\r\n][\s]*")
_PAREN = re.compile(r"\([^()]*\)")
_SENTENCE = re.compile(r"[;\n\r•·|!?]+|\.(?=\s|$)|\s[–—-]\s")
_SEGMENT = re.compile(r"([,:])(?=\s|$)")  # commas and colons end a segment; kept for display
# Leading conjunctions of a displayed phrase ("and salted hides" -> "salted hides"), en ru uz kk.
_LEADING_CONJUNCTION = re.compile(
    r"^(?:(?:and|or|also|plus|as well as|и|или|а также|также|а|va|hamda|yoki|және|немесе|&)(?=[\s,])[\s,]*)+",
    re.IGNORECASE)
DISPLAY_CHARS = 80  # reasons quote phrases of at most this many characters
_PROTECT = str.maketrans({",": "\x00", ";": "\x01", ".": "\x02"})
_UNPROTECT = str.maketrans({"\x00": ",", "\x01": ";", "\x02": "."})

_RUSSIAN_STOP = """
а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да даже для до его ее
её если есть еще ещё же за здесь и из или им их к как ко когда кто ли либо между меня мне может мы на над
надо наш наша наше наши не него нее неё нет ни них но ну о об однако он она они оно от очень по под после
при про с со так также такой там те тем то того тоже той только том ты у уже хотя чего чей чем что чтобы
чье чья эта эти это этого этой этом этот я который которая которые которых около свыше более менее
год года году лет месяц месяца месяцев в месяц сутки сутки день неделю тонн т шт кг га л м км млн тыс
руб долларов сша
ищем ищет нужен нужна нужно нужны требуется требуются предлагаем предлагает поставка поставки поставку
поставщик поставщика поставщики поставщиков покупатель покупатели покупателей партнер партнёр партнера
партнёра партнеры партнёры партнеров партнёров сотрудничество сотрудничества долгосрочное долгосрочные
надежный надёжный надежного надёжного качество качества высокого собственного собственные
компания компании компанией предприятие предприятия ооо тоо ао зао ип казахстан казахстана казахстане
интересует заинтересованы рассмотрим готовы закупаем закупка закупки купим приобретем приобретём продаем
продаём реализуем производим выпускаем оказываем новые новых
опыт опытом опыта опытный опытные опытным современное современный современные современным персонал
квалифицированный квалифицированные гибкие условия условиях оплаты оплата гарантия гарантией
доставка доставкой доставку открыты конкурентные цены ценам доступные сертифицированы
узбекистан узбекистана узбекистане алматы кашкадарья кашкадарьи области регион региона
"""
_UZBEK_STOP = """
va bilan uchun ham bu shu u biz siz ular men sen yoki lekin ammo agar esa emas bor yoq har qanday
bir ikki uch dan da ga ni ning gacha kabi orqali boyicha haqida keyin oldin
kerak kerakli izlaymiz izlayapmiz qidiramiz taklif taklifimiz qilamiz qiladi yetkazib beramiz beruvchi
beruvchilar hamkor hamkorlar hamkorlik sotib olamiz oluvchi xaridor xaridorlar ishlab chiqaramiz
chiqaradi mahsulot mahsulotlar oyiga yiliga oyda yilda kuniga tonna dona sifatli ishonchli uzoq muddatli
kompaniya korxona mchj aj qozogiston ozbekiston qashqadaryo viloyati viloyat
tajriba tajribaga tajribali ega zamonaviy malakali xodimlar qulay tolov shartlari kafolati kafolat sifat
yetkazib berish boylab markaziy osiyo tayyormiz
"""
_KAZAKH_STOP = """
және мен үшін бен пен бұл осы ол біз сіз олар немесе бірақ да де ма ме бар жоқ әр
іздейміз қажет керек ұсынамыз серіктес серіктестер жеткізуші сатып аламыз компания жыл ай тонна
"""
# A need phrase with one of these (word starts) looks for buyers of what the company sells.
_BUYER_STEMS = """
buyer customer distributor dealer importer offtaker client shipper tenant franchisee wholesaler
покупател заказчик дистрибьютор дистрибутор дилер импортер импортёр сбыт клиент
грузовладел арендатор франчайзи
xaridor distribyutor diler oluvchi mijoz ijarachi
"""
_DOMAIN_STOP_EN = """
looking seek seeking need needs needed wanted want require required requires offer offers offering
provide provides providing supply supplies supplied supplier suppliers buyer buyers purchase purchasing
partner partners partnership cooperation long term long-term reliable quality high per month months year
years season day days week weeks tonnes tons pcs pieces kg ha usd million thousand company companies llc llp
jsc ltd kazakhstan kazakh uzbekistan uzbek almaty kashkadarya region regional our we us
interested interest searching search seeks demand request inquiry enquiry opportunity opportunities ready
open welcome welcomed invite inviting willing wish plan planning consider considering available new
experience experienced modern qualified staff personnel professional team flexible payment payments terms
conditions competitive price prices affordable guaranteed guarantee certified iso delivery across worldwide
best leading trusted established founded employees staff
"""


def _stop_words(translit: bool) -> frozenset[str]:
    words = set(ENGLISH_STOP_WORDS)
    for block in (_RUSSIAN_STOP, _UZBEK_STOP, _KAZAKH_STOP, _DOMAIN_STOP_EN):
        for word in block.split():
            words.add(word.translate(_TRANSLIT if translit else _APOSTROPHES_ONLY))
    return frozenset(words)


def clean_text(text: str) -> str:
    """Plain text for display and tokenizing: no HTML, NFKC, whitespace collapsed, at most MAX_TEXT_CHARS."""
    if not text:
        return ""
    text = text[:MAX_TEXT_CHARS]
    if "<" in text:
        text = _TAG.sub(" ", _BLOCK_TAG.sub("\n", text))
    if "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text)
    return _NEWLINES.sub("\n", _SPACE.sub(" ", text)).strip()


def split_sentences(text: str) -> list[list[str]]:
    """Split a cleaned text into sentences on ; . newlines, bullets and spaced dashes, and each sentence
    into its segments on commas and colons; never inside parentheses or numbers ("3,000", "0,5 l")."""
    return [[segment for segment, _ in sentence] for sentence in _sentences(text)]


def _sentences(text: str) -> list[list[tuple[str, str]]]:
    """split_sentences, with the separator (", " or ": ") that came before each segment."""
    if not text:
        return []
    if "(" in text:
        text = _PAREN.sub(lambda m: m.group().translate(_PROTECT), text)
    sentences = []
    for sentence in _SENTENCE.split(text):
        parts = _SEGMENT.split(sentence)
        segments = []
        separator = ""
        for i in range(0, len(parts), 2):
            part = _trim(parts[i].translate(_UNPROTECT))
            if part:
                segments.append((part, separator + " " if segments else ""))
            if i + 1 < len(parts):
                separator = parts[i + 1]
        if segments:
            sentences.append(segments)
    return sentences


_BULLET = re.compile(r"^[-–—]+\s*(?=\D)|\s*[-–—]+$")  # a leading dash that is no minus sign ("-25°C")


def _trim(part: str) -> str:
    return _BULLET.sub("", part.strip(" :")).strip(" :")


def split_phrases(text: str) -> list[str]:
    """Split a cleaned text into phrases on ; . , newlines and spaced dashes; never inside parentheses."""
    return [segment for sentence in split_sentences(text) for segment in sentence]


def display_phrase(text: str, limit: int = DISPLAY_CHARS) -> str:
    """A phrase as reasons quote it: no leading conjunction ("and ...", "и ...", "va ..."), at most
    ``limit`` characters."""
    text = " ".join(text.split())
    stripped = _LEADING_CONJUNCTION.sub("", text)
    return shorten(stripped or text, limit)


def _chunks(segments: Sequence[tuple[str, str]], limit: int = DISPLAY_CHARS) -> list[str]:
    """The display text of each (segment, separator before it): consecutive segments packed into chunks
    of at most ``limit`` characters, so an enumeration ("Bed sheets, pillowcases and towels") is quoted
    whole."""
    out: list[str] = []
    start = 0
    while start < len(segments):
        end = start + 1
        text = segments[start][0]
        while end < len(segments) and len(text) + len(segments[end][1]) + len(segments[end][0]) <= limit:
            text += segments[end][1] + segments[end][0]
            end += 1
        out.extend([display_phrase(text, limit)] * (end - start))
        start = end
    return out


def shorten(text: str, limit: int = DISPLAY_CHARS) -> str:
    """Cut ``text`` to at most ``limit`` characters on a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—(") + "…"


# --- phrases -----------------------------------------------------------------------------------------


# British -> American spelling, so that "tyres" meets "tires": a word that starts with a key and ends
# with one of the suffixes gets the value instead of the key. (-ise/-ize needs no rule: the 6-letter stems
# of "fertiliser" and "fertilizer" are one.)
_AMERICAN = {
    "tyre": "tire", "colour": "color", "flavour": "flavor", "labour": "labor", "harbour": "harbor",
    "odour": "odor", "vapour": "vapor", "fibre": "fiber", "centre": "center", "litre": "liter",
    "metre": "meter", "kilometre": "kilometer", "millimetre": "millimeter", "centimetre": "centimeter",
    "sulphur": "sulfur", "sulphate": "sulfate", "sulphide": "sulfide", "aluminium": "aluminum",
    "mould": "mold", "plough": "plow", "jewellery": "jewelry", "yoghurt": "yogurt", "analyse": "analyze",
    "licence": "license", "defence": "defense", "grey": "gray", "woollen": "woolen", "ageing": "aging",
    "catalogue": "catalog", "programme": "program", "cheque": "check", "storey": "story",
    "draught": "draft", "manoeuvre": "maneuver", "paediatric": "pediatric", "orthopaedic": "orthopedic",
    "anaesthesia": "anesthesia", "anaesthetic": "anesthetic", "aeroplane": "airplane",
    "kerb": "curb", "pyjama": "pajama", "moustache": "mustache", "mollusc": "mollusk",
    "gramme": "gram", "kilogramme": "kilogram", "tonne": "ton", "practise": "practice", "favour": "favor",
    "neighbour": "neighbor", "behaviour": "behavior", "honour": "honor", "rumour": "rumor",
    "savour": "savor", "armour": "armor", "vigour": "vigor", "glamour": "glamor", "tumour": "tumor",
    "travell": "travel", "modell": "model", "labell": "label", "fuell": "fuel", "channell": "channel",
    "signall": "signal", "levell": "level", "counsell": "counsel", "jewell": "jewel",
    "fibreboard": "fiberboard", "fibreglass": "fiberglass",
    "enrolment": "enrollment", "fulfil": "fulfill", "instalment": "installment", "skilful": "skillful",
    "cosy": "cozy", "sceptic": "skeptic", "speciality": "specialty", "whisky": "whiskey",
}
_AMERICAN_SUFFIXES = ("", "s", "d", "ed", "es", "ing", "ings", "er", "ers", "ful", "less", "ist", "ists",
                      "y", "ic", "ation", "ations", "ise", "ize", "ised", "ized", "isation", "ization")
_AMERICAN_LENGTHS = tuple(sorted({len(k) for k in _AMERICAN}, reverse=True))


def american(word: str) -> str:
    """A lowercase word in American spelling ("tyres" -> "tires", "colour" -> "color"); others unchanged."""
    for length in _AMERICAN_LENGTHS:
        if length <= len(word):
            key = word[:length]
            value = _AMERICAN.get(key)
            if value is not None and word[length:] in _AMERICAN_SUFFIXES:
                return value + word[length:]
    return word


# Context. "Cold storage for fruit", "film for milk", "банки под твист-офф", "sut uchun plyonka": the head
# of the phrase is what is needed or offered, the rest says what it is for. Words in such a context span
# count less (TextOptions.context_weight), so "film for milk" does not meet "raw milk" as if it were milk.
# A span starts after one of these prepositions once the sentence has named something ("looking for" does
# not), and ends with the segment (at a comma or colon); Uzbek and Kazakh "uchun"/"үшін" (for) follow
# what they govern.
_CONTEXT_PREPOSITIONS = frozenset("""
for to with from in into as against near via within
для под в во с со из от на к ко против возле
""".split())
_CONTEXT_POSTPOSITIONS = frozenset(["uchun", "үшін", "учун"])
_NOT_AS = frozenset(["such", "well"])  # "such as", "as well as" start no context
CONTEXT_MARK = "~"  # prefix of the features of words in a context span


def _context(raw: Sequence[str], content: Sequence[bool], head: bool) -> tuple[list[bool], bool]:
    """(whether each word is in a context span, whether the sentence has named something by the end)."""
    n = len(raw)
    flags = [False] * n
    inside = False
    last_content = -1
    for i, word in enumerate(raw):
        if word in _CONTEXT_PREPOSITIONS:
            if head and not (word == "as" and i and raw[i - 1] in _NOT_AS):
                inside = True
            continue
        if word in _CONTEXT_POSTPOSITIONS:
            if any(content[i + 1:]):  # "sut uchun plyonka": what comes before is the context
                for j in range(i):
                    flags[j] = True
            elif last_content >= 0:  # "... chavoqlari hovuzlar uchun": the word before it
                flags[last_content] = True
            continue
        flags[i] = inside
        if content[i]:
            head = True
            last_content = i
    return flags, head


# Modifiers. In one noun phrase the head is what is needed or offered; a product named before or after it
# only says what it is made of or for: "milk pasteurisation equipment", "apple juice concentrate", "cattle
# feed", "семена лука", "sut qayta ishlash uskunalari". Inputs and services (lexicon OPERATORS: "drip
# irrigation systems", "cold-room equipment") and product states (QUALIFIERS: "dried persimmons") are never
# demoted, and a broad head that is no operator ("sunflower oil") demotes nothing.
# The head is the last word that names a concept in English, Uzbek and Kazakh; in Russian the first
# noun (adjectives come before it, genitives after), and in English before "of" ("disposal of tires").
# Conjunctions end a noun phrase.
_CONJUNCTIONS = frozenset("and or also plus и или также va yoki hamda және немесе".split())
_RUSSIAN_ADJECTIVE = ("ый", "ой", "ая", "яя", "ое", "ые", "ого", "ому", "ым", "ых", "ую", "ее", "его", "ему",
                      "юю", "кий", "гий", "хий", "кие", "гие", "хие", "шие", "щие", "жие", "чие", "ким", "ких")
_KAZAKH_LETTERS = frozenset("әғқңөұүһі")


@lru_cache(maxsize=1 << 16)
def _russian(word: str) -> bool:
    """Whether a (lowercase) word is Russian: Cyrillic without the letters of Kazakh."""
    return any("а" <= ch <= "я" or ch == "ё" for ch in word) and not any(ch in _KAZAKH_LETTERS for ch in word)


def _placed(raw: Sequence[str], spans: Sequence[tuple[int, int, str]]) -> list[tuple[int, str]]:
    """(position, concept) from the lexicon's spans: a several-word concept sits on its head word (the
    last one; in Russian the first that is no adjective: "мясо птицы", "тепличная плёнка"), and the
    one-word concepts of its other words give way to it ("tomato paste" is no tomato, "sovutgichli
    transport" no cold store)."""
    if all(start == end for start, end, _ in spans):
        return [(start, concept) for start, _, concept in spans]
    covered: set[int] = set()
    placed: list[tuple[int, int, str]] = []
    for start, end, concept in spans:
        if end > start:
            head = end
            if _russian(raw[start]):
                head = next((q for q in range(start, end + 1) if not raw[q].endswith(_RUSSIAN_ADJECTIVE)), end)
            covered.update(q for q in range(start, end + 1) if q != head)
            placed.append((head, -1, concept))
        else:
            placed.append((start, start, concept))
    return [(position, concept) for position, single, concept in placed
            if single < 0 or position not in covered]


def _modifiers(raw: Sequence[str], found: Sequence[tuple[int, str]], flags: list[bool]) -> None:
    """Mark (in ``flags``) the words of products that modify the head of their noun phrase."""
    by_position: dict[int, list[str]] = {}
    for position, concept in found:
        by_position.setdefault(position, []).append(concept)
    if len(by_position) < 2:
        return
    positions = sorted(by_position)
    group: list[int] = []
    # phrase number of each word: it grows at each conjunction
    phrase_of = list(accumulate(word in _CONJUNCTIONS for word in raw))

    def close() -> None:
        if len(group) < 2:
            return
        if _russian(raw[group[0]]):
            nouns = [q for q in group if not raw[q].endswith(_RUSSIAN_ADJECTIVE)]
            head = nouns[0] if nouns else group[-1]
        else:  # "disposal of worn-out tires": before "of" is the head
            of = next((i for i in range(group[0], group[-1]) if raw[i] == "of"), None)
            before = [q for q in group if of is not None and q < of]
            head = before[-1] if before else group[-1]
        named = set(by_position[head])
        if named <= BROAD_CONCEPTS and not named & OPERATORS:  # "sunflower oil": the oil is the sunflower's
            return
        for q in group:
            concepts = by_position[q]
            if q != head and not any(c in OPERATORS or c in QUALIFIERS or c in named for c in concepts):
                flags[q] = True

    for position in positions:
        if group and (flags[position] != flags[group[-1]] or phrase_of[position] != phrase_of[group[-1]]):
            close()
            group = []
        group.append(position)
    close()


@dataclass(slots=True)
class _Tokenizer:
    """Per-run state: memoised word handling (vocabularies are small, texts are many)."""

    table: dict[int, str]
    stop: frozenset[str]
    stem: int
    lexicon: Lexicon | None
    surface: dict[str, str]  # text feature -> the first surface word seen for it (for readable terms)
    buyers: tuple[str, ...] = ()  # stems that mark a need phrase as seeking buyers
    context: bool = False  # mark words in context spans ("film for milk": milk)
    # surface word -> (normalized word, content token or "", marks a buyer-seeking phrase)
    memo: dict[str, tuple[str, str, bool]] = field(default_factory=dict)
    # (phrase, head) -> phrase(): imports and forums repeat phrases ("cold storage", boilerplate)
    phrases: dict[tuple[str, bool], tuple[tuple[str, ...], tuple[str, ...], bool, bool]] = field(
        default_factory=dict)

    def _word(self, word: str) -> tuple[str, str, bool]:
        norm = american(word.translate(self.table))
        token = ""
        if len(norm) >= 2 and norm not in self.stop and not norm.isdigit():
            token = norm[: self.stem] if self.stem else norm
            self.surface.setdefault(token, word)
        hit = self.memo[word] = (norm, token, bool(self.buyers) and norm.startswith(self.buyers))
        return hit

    def fresh(self) -> _Tokenizer:
        """The same parsing with throwaway memos (so that a look at old texts changes nothing)."""
        return _Tokenizer(self.table, self.stop, self.stem, self.lexicon, {}, self.buyers, self.context)

    def words(self, text: str) -> list[str]:
        """Normalized words of a text (stop words kept): the lexicon's view."""
        memo = self.memo
        return [(memo.get(w) or self._word(w))[0] for w in _WORD.findall(text.lower())]

    def phrase(self, text: str, head: bool = False) -> tuple[tuple[str, ...], tuple[str, ...], bool, bool]:
        """(content tokens, concepts, whether it seeks buyers, whether the sentence has named something)
        of one phrase; ``head``: whether the sentence named something before it. Tokens and concepts in
        a context span carry CONTEXT_MARK."""
        known = self.phrases.get((text, head))
        if known is None:
            known = self.phrases[(text, head)] = self._phrase(text, head)
        return known

    def _phrase(self, text: str, head: bool) -> tuple[tuple[str, ...], tuple[str, ...], bool, bool]:
        memo = self.memo
        raw = _WORD.findall(text.lower())
        infos = [memo.get(w) or self._word(w) for w in raw]
        norms = [i[0] for i in infos]
        found = _placed(raw, self.lexicon.spans(norms)) if self.lexicon is not None else []
        sells = any(i[2] for i in infos)
        if not self.context:
            return tuple(i[1] for i in infos if i[1]), tuple(c for _, c in found), sells, head
        content = [bool(i[1]) for i in infos]
        for position, _ in found:
            content[position] = True
        flags, head = _context(raw, content, head)
        _modifiers(raw, found, flags)
        tokens = tuple(CONTEXT_MARK + i[1] if flag else i[1] for i, flag in zip(infos, flags, strict=True) if i[1])
        concepts = tuple(CONTEXT_MARK + c if flags[position] else c for position, c in found)
        return tokens, concepts, sells, head


@dataclass(slots=True)
class PhraseSet:
    """The phrases of one kind of text (needs or offers) of every company, as a CSR-like layout."""

    text: list[str]  # display text of each phrase
    tokens: list[tuple[str, ...]]  # content tokens of each phrase
    concepts: list[tuple[str, ...]]
    ptr: np.ndarray  # phrases of company row i are ptr[i]:ptr[i+1]
    vectors: sp.csr_matrix  # one L2-normalised row per phrase, same feature space as the documents


@dataclass(slots=True)
class Vectors:
    """Everything the scorer and the explainer read, row i = the i-th profile (sorted by id)."""

    need: sp.csr_matrix  # N x F, L2-normalised rows (zero rows for empty texts)
    offer: sp.csr_matrix
    need_phrases: PhraseSet
    offer_phrases: PhraseSet
    labels: np.ndarray  # F readable labels: a word, a concept, or "" for character n-grams
    keys: np.ndarray  # F names: the concept, the normalized word (6-letter stem) or the n-gram
    is_concept: np.ndarray  # F booleans
    sector_keys: list[str]  # columns of the sector multi-hot
    sector_sets: list[tuple[str, ...]]  # each profile's sector keys (deduplicated, in the given order)
    languages: np.ndarray  # N x L float32 multi-hot of language codes
    language_sets: list[tuple[str, ...]]
    surface: dict[str, str]  # content token -> a surface word it came from (readable terms)
    options: TextOptions
    terms: list[BlockTerms]  # per feature block, for edit drift (see BlockTerms)
    tokenizer: _Tokenizer

    def drifted_by_edit(self, previous: Profile, row: int | None) -> np.ndarray:
        """Rows of the other profiles whose vectors are not what they were when ``previous`` stood where
        ``row``'s profile stands now (``row`` None: the company has left). These are the holders of each
        term whose IDF the change moved, i.e. whose document frequency crossed a power of two (or moved
        at all, without buckets) or crossed max_df.

        Exact as long as the number of documents keeps its power of two: the IDF of a term depends on its
        document frequency and that number only, and a document's vector on the IDF of its own terms.
        """
        if not self.options.use_idf:
            return np.zeros(0, dtype=np.int64)
        n = len(self.sector_sets)
        # the same parsing as the build, with a throwaway memo so the index does not change
        old_docs = _profile_docs(previous, self.tokenizer.fresh(), self.options)
        same = _bucket if self.options.idf_log2_buckets else (lambda x: np.asarray(x, dtype=np.float64))
        drifted: set[int] = set()
        for block in self.terms:
            before: dict[int, int] = {}  # column -> how many of the profile's documents held it before
            for doc in old_docs:
                for term in _block_terms(block.kind, doc, self.options):
                    column = block.vocabulary.get(term)
                    if column is not None:  # a term no one holds now was the profile's alone
                        before[column] = before.get(column, 0) + 1
            now: dict[int, int] = {}
            if row is not None and block.holders.shape[1]:
                own = block.holders[[row + k * n for k in range(len(old_docs))]].tocsr()
                for column in own.indices.tolist():
                    now[column] = now.get(column, 0) + 1
            for column in set(before) | set(now):
                old_count, new_count = before.get(column, 0), now.get(column, 0)
                if old_count == new_count:
                    continue
                df_new = int(block.df[column])
                df_old = df_new - new_count + old_count
                if df_old <= 0 or same(df_old) == same(df_new):
                    continue  # no one else held it, or its IDF did not move
                start, end = block.holders.indptr[column], block.holders.indptr[column + 1]
                drifted.update((block.holders.indices[start:end] % n).tolist())
        if row is not None:
            drifted.discard(row)
        return np.array(sorted(drifted), dtype=np.int64)


def _identity(tokens: Sequence[str]) -> Sequence[str]:
    return tokens


_Parsed = tuple[str, tuple[str, ...], tuple[str, ...]]  # display text, content tokens, concepts


def _parse(text: str, tokenizer: _Tokenizer) -> tuple[list[_Parsed], list[_Parsed]]:
    """(phrases, phrases that seek buyers) of one text; empty phrases ("40 t/month") are dropped.

    A phrase is a segment of a sentence (between commas or colons): the unit that is matched. Its display text is
    the run of neighbouring segments it belongs to, up to DISPLAY_CHARS, so that an enumeration ("Bed
    sheets, pillowcases and towels") is quoted whole and no quote starts with "and".
    """
    plain: list[_Parsed] = []
    selling: list[_Parsed] = []
    for sentence in _sentences(clean_text(text)):
        head = False
        heading = False  # "Ищем покупателей: яблоки, груши": what follows a buyer-seeking heading sells too
        parsed = []
        for segment, separator in sentence:
            words, found, sells, head = tokenizer.phrase(segment, head)
            if separator.startswith(":") and parsed and parsed[-1][4]:
                heading = True
            sells = sells or heading
            parsed.append(((segment, separator), words, found, sells if (words or found) else None, sells))
        # runs of segments of one kind (plain or buyer-seeking); empty segments go with their neighbours
        kinds = [p[3] for p in parsed]
        known = next((k for k in kinds if k is not None), False)
        for i, kind in enumerate(kinds):
            known = kinds[i] = known if kind is None else kind
        start = 0
        for end in range(1, len(parsed) + 1):
            if end < len(parsed) and kinds[end] == kinds[start]:
                continue
            shown = _chunks([p[0] for p in parsed[start:end]])
            for (_, words, found, sells, _), display in zip(parsed[start:end], shown, strict=True):
                if sells is not None:
                    (selling if sells else plain).append((display, words, found))
            start = end
    return plain, selling


def _layout(per_company: Sequence[list[_Parsed]]) -> tuple[list[str], list[tuple[str, ...]],
                                                          list[tuple[str, ...]], np.ndarray]:
    display = [p[0] for phrases in per_company for p in phrases]
    tokens = [p[1] for phrases in per_company for p in phrases]
    concepts = [p[2] for phrases in per_company for p in phrases]
    ptr = np.zeros(len(per_company) + 1, dtype=np.int64)
    np.cumsum([len(phrases) for phrases in per_company], out=ptr[1:])
    return display, tokens, concepts, ptr


def _counts(docs: Sequence[object], analyzer: object, **kwargs: object) -> tuple[sp.csr_matrix, list[str]]:
    """Phrase x term counts and the term of each column; an all-empty corpus gives zero columns instead
    of sklearn's "empty vocabulary" ValueError."""
    vectorizer = CountVectorizer(analyzer=analyzer, lowercase=False, dtype=np.float32, **kwargs)
    try:
        counts = vectorizer.fit_transform(docs)
    except ValueError:
        return sp.csr_matrix((len(docs), 0), dtype=np.float32), []
    return counts.tocsr(), vectorizer.get_feature_names_out().tolist()


def _aggregate(ptrs: Sequence[np.ndarray]) -> sp.csr_matrix:
    """Documents x phrases 0/1 matrix: document d sums the phrases ptr[d]:ptr[d+1], over all kinds."""
    rows = []
    offset = 0
    for ptr in ptrs:
        lengths = np.diff(ptr)
        rows.append(np.repeat(np.arange(len(lengths)) + offset, lengths))
        offset += len(lengths)
    row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    n_phrases = len(row)
    return sp.csr_matrix((np.ones(n_phrases, dtype=np.float32), (row, np.arange(n_phrases))),
                         shape=(offset, n_phrases))


@dataclass(slots=True)
class BlockTerms:
    """One feature block's full vocabulary (before max_df) and which documents hold each term.

    TF-IDF is fitted on the whole forum, so an edit moves the IDF of the terms whose document frequency
    it changes, and with them the vectors of every document that holds such a term. This record lets
    MatchIndex.affected_by find those documents.
    """

    kind: Literal["word", "char_wb", "concept"]
    vocabulary: dict[str, int]
    holders: sp.csc_matrix  # documents x terms, non-zero where the document holds the term
    df: np.ndarray  # documents holding each term
    max_df_count: float  # a term in more documents than this is dropped (inf: no max_df)


def _bucket(count: np.ndarray | int) -> np.ndarray:
    """Counts rounded down to a power of two: 1, 2, 2, 4, 4, 4, 4, 8, ..."""
    count = np.maximum(np.asarray(count, dtype=np.float64), 1)
    return np.exp2(np.floor(np.log2(count)))


def _tfidf(phrase_counts: sp.csr_matrix, agg: sp.csr_matrix, options: TextOptions
           ) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray, sp.csr_matrix, np.ndarray, float]:
    """(document vectors, phrase vectors, kept columns, document counts, df, max_df count) of one block,
    IDF fitted on the documents."""
    doc_counts = (agg @ phrase_counts).tocsr()
    n_docs = doc_counts.shape[0]
    df = np.bincount(doc_counts.indices, minlength=doc_counts.shape[1])
    keep = np.arange(doc_counts.shape[1])
    limit = np.inf
    full_counts = doc_counts
    if options.use_idf and n_docs >= options.max_df_min_docs and doc_counts.shape[1]:
        limit = options.max_df * (_bucket(n_docs) if options.idf_log2_buckets else n_docs)
        keep = np.flatnonzero((_bucket(df) if options.idf_log2_buckets else df) <= limit)
        doc_counts = doc_counts[:, keep]
        phrase_counts = phrase_counts[:, keep]
    if doc_counts.shape[1] == 0:
        return doc_counts, phrase_counts, keep, full_counts, df, limit
    transformer = TfidfTransformer(sublinear_tf=True, use_idf=options.use_idf).fit(doc_counts)
    if options.use_idf and options.idf_log2_buckets:
        # sklearn's smooth IDF, ln((1 + n) / (1 + df)) + 1, on bucketed n and df
        transformer.idf_ = np.log((1 + _bucket(n_docs)) / (1 + _bucket(df[keep]))) + 1
    docs = transformer.transform(doc_counts).astype(np.float32)
    phrases = transformer.transform(phrase_counts).astype(np.float32)
    return docs.tocsr(), phrases.tocsr(), keep, full_counts, df, limit


def _blend(blocks: Sequence[tuple[sp.csr_matrix, float]], n_rows: int) -> sp.csr_matrix:
    """Side-by-side blocks scaled by sqrt(weight), rows re-normalised: the cosine is then the weighted sum
    of the blocks' cosines when both rows have both blocks."""
    parts = [block * np.float32(np.sqrt(weight)) for block, weight in blocks if weight > 0]
    if not parts:
        return sp.csr_matrix((n_rows, 0), dtype=np.float32)
    matrix = sp.hstack(parts, format="csr", dtype=np.float32)
    if matrix.shape[1] == 0:  # nobody wrote a single word that counts
        return matrix
    matrix = normalize(matrix, copy=False)
    matrix.sort_indices()
    return matrix


def _profile_docs(profile: Profile, tokenizer: _Tokenizer, options: TextOptions) -> list[list[_Parsed]]:
    """The documents of one profile, as vectorize() builds them: [needs, offers(, description)]."""
    wanted, selling = _parse(profile.needs, tokenizer)
    offered, also_selling = _parse(profile.offers, tokenizer)
    # "Buyers for our yarn in Kazakhstan" sits among the needs but offers yarn: matching it against
    # other companies' offers would pair competitors.
    if options.buyer_intent:
        docs = [wanted, offered + also_selling + selling]
    else:
        docs = [wanted + selling, offered + also_selling]
    if options.description_weight > 0:
        docs.append(sum(_parse(profile.description, tokenizer), []))
    return docs


def _char_analyzer(options: TextOptions) -> object:
    return CountVectorizer(analyzer="char_wb", lowercase=False, ngram_range=options.char_ngram_range).build_analyzer()


def _block_terms(kind: str, doc: list[_Parsed], options: TextOptions) -> set[str]:
    if kind == "word":
        return {token for _, tokens, _ in doc for token in tokens}
    if kind == "concept":
        return {concept for _, _, concepts in doc for concept in concepts}
    analyze = _char_analyzer(options)
    return {gram for _, tokens, _ in doc for gram in analyze(_plain(tokens))}


def _plain(tokens: Sequence[str]) -> str:
    """Tokens as one string for character n-grams, without context marks."""
    return " ".join(t.removeprefix(CONTEXT_MARK) for t in tokens)


def _fold(blocks: Sequence[tuple[list[str], str]], options: TextOptions
          ) -> tuple[sp.csr_matrix | None, list[int], list[str]]:
    """The matrix that folds raw feature columns into readable ones, with their weights: a context
    feature ("~milk") goes into its plain column ("milk") at options.context_weight, a broad concept
    ("livestock") keeps its column at options.broad_weight. None when every weight is 1 (identity).
    Also (the block of each folded column, its name)."""
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    column: dict[tuple[int, str], int] = {}
    owner: list[int] = []
    names: list[str] = []
    identity = True
    raw = 0
    for block, (block_names, kind) in enumerate(blocks):
        is_concept = kind == "concept"
        for name in block_names:
            base = name.removeprefix(CONTEXT_MARK)
            factor = options.context_weight if len(base) < len(name) else 1.0
            if is_concept and base in BROAD_CONCEPTS:
                factor *= options.broad_weight
            key = (block, base)
            j = column.get(key)
            if j is None:
                j = column[key] = len(names)
                owner.append(block)
                names.append(base)
            identity = identity and factor == 1.0 and j == raw
            rows.append(raw)
            cols.append(j)
            values.append(factor)
            raw += 1
    if identity:
        return None, owner, names
    fold = sp.csr_matrix((np.asarray(values, dtype=np.float32), (rows, cols)), shape=(raw, len(names)))
    return fold, owner, names


def _folded(matrix: sp.csr_matrix, fold: sp.csr_matrix | None, floor: float) -> sp.csr_matrix:
    """Unit rows of raw features -> rows of weighted features, normalised by max(their norm, ``floor``):
    a row with enough plain features is a unit vector again (context words do not dilute its head), a
    row made mostly of context and broad features stays short, so its matches stay weak."""
    if fold is None:
        return matrix
    out = (matrix @ fold).tocsr().astype(np.float32)
    if floor < 1 and out.nnz:
        norms = np.sqrt(np.asarray(out.multiply(out).sum(axis=1)).ravel())
        scale = (1 / np.maximum(norms, max(floor, 1e-6))).astype(np.float32)
        out = sp.diags(scale).dot(out).tocsr().astype(np.float32)
    out.sort_indices()
    return out


def vectorize(profiles: Sequence[Profile], options: TextOptions) -> Vectors:
    """Vectorize profiles (already in row order). Never raises on empty or odd texts."""
    table = _TRANSLIT if options.transliterate else _APOSTROPHES_ONLY
    stop = _stop_words(options.transliterate)
    probe = _Tokenizer(table, frozenset(), 0, None, {})
    lexicon = compile_lexicon(ALL_CONCEPTS, probe.words) if options.lexicon else None
    buyers = tuple(w for stem in _BUYER_STEMS.split() for w in probe.words(stem))
    tokenizer = _Tokenizer(table, stop, options.stem, lexicon, {}, buyers, options.context_weight < 1)

    n = len(profiles)
    docs = [_profile_docs(p, tokenizer, options) for p in profiles]
    parsed = [_layout([d[kind] for d in docs]) for kind in range(len(docs[0]) if docs else 2)]
    all_tokens = [t for _, tokens, _, _ in parsed for t in tokens]
    all_concepts = [c for _, _, concepts, _ in parsed for c in concepts]
    agg = _aggregate([ptr for *_, ptr in parsed])

    blocks: list[tuple[sp.csr_matrix, sp.csr_matrix, list[str], str, float]] = []
    terms: list[BlockTerms] = []

    def add(kind: Literal["word", "char_wb", "concept"], counts: sp.csr_matrix, names: list[str],
            weight: float) -> None:
        docs, phrases, keep, full, df, limit = _tfidf(counts, agg, options)
        # raw feature names: words and concepts with their context marks, "" for character n-grams
        blocks.append((docs, phrases, [names[j] for j in keep], kind, weight))
        terms.append(BlockTerms(kind, {name: j for j, name in enumerate(names)}, full.tocsc(), df, limit))

    text_weight = 1.0 - options.concept_weight if options.lexicon else 1.0
    if options.analyzer == "both":
        text_weight /= 2
    if options.analyzer in ("word", "both"):
        add("word", *_counts(all_tokens, _identity), text_weight)
    if options.analyzer in ("char_wb", "both"):
        strings = [_plain(t) for t in all_tokens]
        add("char_wb", *_counts(strings, "char_wb", ngram_range=options.char_ngram_range), text_weight)
    if options.lexicon and options.concept_weight > 0:
        add("concept", *_counts(all_concepts, _identity), options.concept_weight)

    doc_matrix = _blend([(docs, w) for docs, _, _, _, w in blocks], agg.shape[0])
    phrase_matrix = _blend([(phrases, w) for _, phrases, _, _, w in blocks], agg.shape[1])
    # Rows are unit vectors of the raw features; the fold then weighs context and broad features down
    # without normalising again, so a match made of such features only stays a weak one.
    live = [(names, kind) for _, _, names, kind, w in blocks if w > 0]
    fold, owner, folded_names = _fold(live, options)
    kinds = [kind for _, kind in live]
    # readable labels: concepts as they are, words as written, "" for character n-grams
    labels = np.array(["" if kinds[b] == "char_wb" else name if kinds[b] == "concept"
                       else tokenizer.surface.get(name, name)
                       for b, name in zip(owner, folded_names, strict=True)], dtype=object)
    is_concept = np.array([kinds[b] == "concept" for b in owner], dtype=bool)
    phrase_matrix = _folded(phrase_matrix, fold, options.weak_floor)

    need = doc_matrix[:n]
    offer = doc_matrix[n: 2 * n]
    if options.description_weight > 0:
        offer = normalize(offer + doc_matrix[2 * n:] * np.float32(options.description_weight), copy=False)
        offer = offer.astype(np.float32).tocsr()
        offer.sort_indices()
    need, offer = _folded(need.tocsr(), fold, options.weak_floor), _folded(offer.tocsr(), fold, options.weak_floor)

    sets: list[PhraseSet] = []
    start = 0
    for display, tokens, concepts, ptr in parsed[:2]:
        stop_at = start + len(display)
        sets.append(PhraseSet(display, tokens, concepts, ptr, phrase_matrix[start:stop_at]))
        start = stop_at

    sector_sets = [tuple(dict.fromkeys(s.strip() for s in p.sectors if s and s.strip())) for p in profiles]
    language_sets = [tuple(dict.fromkeys(c.strip().lower() for c in p.languages if c and c.strip()))
                     for p in profiles]
    languages = (MultiLabelBinarizer().fit_transform(language_sets).astype(np.float32) if n
                 else np.zeros((0, 0), dtype=np.float32))
    sector_keys = sorted({key for keys in sector_sets for key in keys})

    return Vectors(
        need=need.tocsr(), offer=offer.tocsr(), need_phrases=sets[0], offer_phrases=sets[1],
        labels=labels, keys=np.array(folded_names, dtype=object), is_concept=is_concept,
        sector_keys=sector_keys, sector_sets=sector_sets,
        languages=languages, language_sets=language_sets,
        surface=tokenizer.surface, options=options, terms=terms, tokenizer=tokenizer,
    )
