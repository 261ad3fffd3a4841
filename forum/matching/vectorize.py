"""Profiles -> vectors: TF-IDF of needs and offers (plus concept tokens), sector multi-hots, language sets.

Texts at this forum are short and mix English, Russian and Uzbek (Latin script), sometimes Kazakh. So
before TF-IDF every text is cleaned (HTML, emoji, apostrophe variants), transliterated from Cyrillic to
Latin (so that *плёнка* and Uzbek *plyonka* become the same word, and character n-grams match across
scripts), stripped of English, Russian, Uzbek and Kazakh stop words, and split into phrases. Each phrase
also gets the concepts the domain lexicon finds in it ("packaging film", "milk & dairy"), which form a
second TF-IDF block: that block is what lets a Russian need meet an English offer.

Documents are vectorized phrase by phrase: a document's counts are the sum of its phrases' counts, so the
phrase vectors (used to explain a match with the phrases that carried it) cost no second pass.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfTransformer
from sklearn.preprocessing import MultiLabelBinarizer, normalize

from forum.matching.lexicon import CONCEPTS, Lexicon, compile_lexicon
from forum.matching.types import Profile

# The profile form allows 2,000 characters for offers and needs and 4,000 for the description; anything
# longer (imports, abuse) is cut so one profile cannot cost more than any other.
MAX_TEXT_CHARS = 4000

Analyzer = Literal["word", "char_wb", "both"]


@dataclass(frozen=True, slots=True)
class TextOptions:
    """How texts become vectors. Defaults by `bench_matching.py --quality` (complementarity only, P@5):

    - word vs char_wb: without the lexicon char_wb is better (0.458 vs 0.417; 6-letter stems bring words
      to 0.474); with it they tie (0.864 both at concept weight 0.7), and words are cheaper (10k companies
      end to end: 2.5 s vs 4.5 s, 949 vs 10,223 features) and give readable terms: words, 6-letter stems
      (0.866);
    - the lexicon's concept block: 0.3 -> 0.747, 0.5 -> 0.852, 0.7 -> 0.864, 0.85 -> 0.859;
    - transliteration 0.856 -> 0.866 with the lexicon, 0.394 -> 0.417 without; IDF 0.820 -> 0.866;
      need phrases that seek buyers read as offers 0.776 -> 0.866;
    - max_df changes nothing here (stop words already drop the boilerplate); kept as a guard;
    - adding the description to the offers costs a little (0.864): off.
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
_APOSTROPHES = "'’ʻʼ‘`´"
# Uzbek Latin writes o‘ and g‘ with any of several apostrophes; dropping them makes o'g'it == ogit.
_TRANSLIT = str.maketrans({**_CYRILLIC, **dict.fromkeys(_APOSTROPHES, "")})
_APOSTROPHES_ONLY = str.maketrans(dict.fromkeys(_APOSTROPHES, ""))
_WORD = re.compile(r"[^\W_]+(?:['’ʻʼ‘`´][^\W_]+)*")
_BLOCK_TAG = re.compile(r"<\s*/?\s*(?:br|p|li|div|tr|h[1-6]|ul|ol)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]{0,200}>")
_SPACE = re.compile(r"[ \t\f\v\u00a0]+")
_NEWLINES = re.compile(r" ?[\r\n][\s]*")
_PAREN = re.compile(r"\([^()]*\)")
_SPLIT = re.compile(r"[;\n\r•·|!?]+|[.,](?=\s|$)|\s[–—-]\s")
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
узбекистан узбекистана узбекистане алматы кашкадарья кашкадарьи области регион региона
"""
_UZBEK_STOP = """
va bilan uchun ham bu shu u biz siz ular men sen yoki lekin ammo agar esa emas bor yoq har qanday
bir ikki uch dan da ga ni ning gacha kabi orqali boyicha haqida keyin oldin
kerak kerakli izlaymiz izlayapmiz qidiramiz taklif taklifimiz qilamiz qiladi yetkazib beramiz beruvchi
beruvchilar hamkor hamkorlar hamkorlik sotib olamiz oluvchi xaridor xaridorlar ishlab chiqaramiz
chiqaradi mahsulot mahsulotlar oyiga yiliga oyda yilda kuniga tonna dona sifatli ishonchli uzoq muddatli
kompaniya korxona mchj aj qozogiston ozbekiston qashqadaryo viloyati viloyat
"""
_KAZAKH_STOP = """
және мен үшін бен пен бұл осы ол біз сіз олар немесе бірақ да де ма ме бар жоқ әр
іздейміз қажет керек ұсынамыз серіктес серіктестер жеткізуші сатып аламыз компания жыл ай тонна
"""
# A need phrase with one of these (word starts) looks for buyers of what the company sells.
_BUYER_STEMS = """
buyer customer distributor dealer importer offtaker
покупател заказчик дистрибьютор дистрибутор дилер импортер импортёр сбыт
xaridor distribyutor diler oluvchi
"""
_DOMAIN_STOP_EN = """
looking seek seeking need needs needed wanted want require required requires offer offers offering
provide provides providing supply supplies supplied supplier suppliers buyer buyers purchase purchasing
partner partners partnership cooperation long term long-term reliable quality high per month months year
years season day days week weeks tonnes tons pcs pieces kg ha usd million thousand company companies llc llp
jsc ltd kazakhstan kazakh uzbekistan uzbek almaty kashkadarya region regional our we us
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


def split_phrases(text: str) -> list[str]:
    """Split a cleaned text into phrases on ; . , newlines and spaced dashes; never inside parentheses."""
    if not text:
        return []
    if "(" in text:
        text = _PAREN.sub(lambda m: m.group().translate(_PROTECT), text)
    parts = (part.translate(_UNPROTECT).strip(" -–—:") for part in _SPLIT.split(text))
    return [part for part in parts if part]


def shorten(text: str, limit: int = 80) -> str:
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


@dataclass(slots=True)
class _Tokenizer:
    """Per-run state: memoised word handling (vocabularies are small, texts are many)."""

    table: dict[int, str]
    stop: frozenset[str]
    stem: int
    lexicon: Lexicon | None
    surface: dict[str, str]  # text feature -> the first surface word seen for it (for readable terms)
    buyers: tuple[str, ...] = ()  # stems that mark a need phrase as seeking buyers
    # surface word -> (normalized word, content token or "", marks a buyer-seeking phrase)
    memo: dict[str, tuple[str, str, bool]] = field(default_factory=dict)

    def _word(self, word: str) -> tuple[str, str, bool]:
        norm = word.translate(self.table)
        token = ""
        if len(norm) >= 2 and norm not in self.stop and not norm.isdigit():
            token = norm[: self.stem] if self.stem else norm
            self.surface.setdefault(token, word)
        hit = self.memo[word] = (norm, token, bool(self.buyers) and norm.startswith(self.buyers))
        return hit

    def words(self, text: str) -> list[str]:
        """Normalized words of a text (stop words kept): the lexicon's view."""
        memo = self.memo
        return [(memo.get(w) or self._word(w))[0] for w in _WORD.findall(text.lower())]

    def phrase(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
        """(content tokens, concepts, whether it seeks buyers) of one phrase."""
        memo = self.memo
        infos = [memo.get(w) or self._word(w) for w in _WORD.findall(text.lower())]
        concepts = tuple(self.lexicon.concepts([i[0] for i in infos])) if self.lexicon is not None else ()
        tokens = tuple(i[1] for i in infos if i[1])
        return tokens, concepts, any(i[2] for i in infos)


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
        t = self.tokenizer
        tokenizer = _Tokenizer(t.table, t.stop, t.stem, t.lexicon, {}, t.buyers)
        old_docs = _profile_docs(previous, tokenizer, self.options)
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
    """(phrases, phrases that seek buyers) of one text; empty phrases ("40 t/month") are dropped."""
    plain: list[_Parsed] = []
    selling: list[_Parsed] = []
    for phrase in split_phrases(clean_text(text)):
        words, found, sells = tokenizer.phrase(phrase)
        if words or found:  # kept shortened: only reasons show phrases, and never more than 80 characters
            (selling if sells else plain).append((shorten(phrase), words, found))
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
    return {gram for _, tokens, _ in doc for gram in analyze(" ".join(tokens))}


def vectorize(profiles: Sequence[Profile], options: TextOptions) -> Vectors:
    """Vectorize profiles (already in row order). Never raises on empty or odd texts."""
    table = _TRANSLIT if options.transliterate else _APOSTROPHES_ONLY
    stop = _stop_words(options.transliterate)
    probe = _Tokenizer(table, frozenset(), 0, None, {})
    lexicon = compile_lexicon(CONCEPTS, probe.words) if options.lexicon else None
    buyers = tuple(w for stem in _BUYER_STEMS.split() for w in probe.words(stem))
    tokenizer = _Tokenizer(table, stop, options.stem, lexicon, {}, buyers)

    n = len(profiles)
    docs = [_profile_docs(p, tokenizer, options) for p in profiles]
    parsed = [_layout([d[kind] for d in docs]) for kind in range(len(docs[0]) if docs else 2)]
    all_tokens = [t for _, tokens, _, _ in parsed for t in tokens]
    all_concepts = [c for _, _, concepts, _ in parsed for c in concepts]
    agg = _aggregate([ptr for *_, ptr in parsed])

    blocks: list[tuple[sp.csr_matrix, sp.csr_matrix, list[str], bool, float]] = []
    terms: list[BlockTerms] = []

    def add(kind: Literal["word", "char_wb", "concept"], counts: sp.csr_matrix, names: list[str],
            weight: float) -> None:
        docs, phrases, keep, full, df, limit = _tfidf(counts, agg, options)
        if kind == "word":
            labels = [tokenizer.surface.get(names[j], names[j]) for j in keep]
        elif kind == "concept":
            labels = [names[j] for j in keep]
        else:
            labels = [""] * len(keep)  # character n-grams are no reading matter
        blocks.append((docs, phrases, labels, kind == "concept", weight))
        terms.append(BlockTerms(kind, {name: j for j, name in enumerate(names)}, full.tocsc(), df, limit))

    text_weight = 1.0 - options.concept_weight if options.lexicon else 1.0
    if options.analyzer == "both":
        text_weight /= 2
    if options.analyzer in ("word", "both"):
        add("word", *_counts(all_tokens, _identity), text_weight)
    if options.analyzer in ("char_wb", "both"):
        strings = [" ".join(t) for t in all_tokens]
        add("char_wb", *_counts(strings, "char_wb", ngram_range=options.char_ngram_range), text_weight)
    if options.lexicon and options.concept_weight > 0:
        add("concept", *_counts(all_concepts, _identity), options.concept_weight)

    doc_matrix = _blend([(docs, w) for docs, _, _, _, w in blocks], agg.shape[0])
    phrase_matrix = _blend([(phrases, w) for _, phrases, _, _, w in blocks], agg.shape[1])
    labels = np.array([label for *_, names, _, w in blocks if w > 0 for label in names], dtype=object)
    is_concept = np.array([flag for *_, names, flag, w in blocks if w > 0 for _ in names], dtype=bool)

    need = doc_matrix[:n]
    offer = doc_matrix[n: 2 * n]
    if options.description_weight > 0:
        offer = normalize(offer + doc_matrix[2 * n:] * np.float32(options.description_weight), copy=False)
        offer = offer.astype(np.float32).tocsr()
        offer.sort_indices()

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
        labels=labels, is_concept=is_concept, sector_keys=sector_keys, sector_sets=sector_sets,
        languages=languages, language_sets=language_sets,
        surface=tokenizer.surface, options=options, terms=terms, tokenizer=tokenizer,
    )
