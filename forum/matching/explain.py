"""Reasons for recommended pairs, from what actually made up their score.

The score is a sum of weighted parts; each reason is one part (its ``weight`` is that part's contribution,
so the weights of all reasons of a pair add up to its score) and the strongest one to three are kept.
For the needs/offers parts the phrases that carried the match are found, vectorised over all pairs:
  1. the viewer's (or partner's) need phrase p closest to the other side's whole offer text;
  2. the other side's offer phrase q closest to p;
  3. the terms = the features of p * q with the largest products, as words or concept labels.
A needs/offers part is a reason only if its direction's cosine reaches Tuning.claim_threshold: below it
the two share a domain or a word in passing, and "you need X; they offer Y" would claim too much.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from forum.matching.types import Reason, ReasonKind
from forum.matching.vectorize import CONTEXT_MARK

if TYPE_CHECKING:  # the index imports this module; the type is only for annotations
    from forum.matching.recommend import MatchIndex

KINDS = (ReasonKind.YOU_NEED, ReasonKind.THEY_NEED, ReasonKind.SAME_SECTOR, ReasonKind.RELATED_SECTOR,
         ReasonKind.CROSS_DELEGATION, ReasonKind.SHARED_LANGUAGE)
MAX_REASONS = 3
MAX_TERMS = 3
_NEGLIGIBLE = 1e-9


@dataclass(slots=True)
class Components:
    """The recommended pairs, as rows of the index, with their scores and both needs/offers cosines."""

    a: np.ndarray  # viewer rows
    b: np.ndarray  # partner rows
    score: np.ndarray
    d1: np.ndarray  # cos(needs of a, offers of b)
    d2: np.ndarray  # cos(needs of b, offers of a)


@dataclass(slots=True)
class _PhraseMatch:
    need: np.ndarray  # need phrase index per pair (-1: none)
    offer: np.ndarray  # offer phrase index per pair (-1: none)
    terms: list[tuple[str, ...]]


def contributions(index: MatchIndex, c: Components) -> np.ndarray:
    """pairs x 6 contributions to the score, columns in KINDS order."""
    w = index.weights
    m = index.tuning.min_share
    d1 = c.d1.astype(np.float64)
    d2 = c.d2.astype(np.float64)
    first = d1 >= d2  # the larger direction gets full weight, the other one min_share of it
    you = w["complementarity"] * np.where(first, d1, m * d1) / (1 + m)
    they = w["complementarity"] * np.where(first, m * d2, d2) / (1 + m)
    sig = index.sector_signature
    same, related = index.sector_components(sig[c.a], sig[c.b])
    raw = same + related
    scale = np.divide(1.0, raw, out=np.ones_like(raw), where=raw > 1)  # the sector part is clipped at 1
    same_part = w["sector"] * same * scale
    related_part = w["sector"] * related * scale
    cross = w["cross_delegation"] * (index.delegation[c.a] != index.delegation[c.b])
    languages = index.vectors.languages
    if languages.shape[1]:
        shared = np.einsum("ij,ij->i", languages[c.a], languages[c.b]).astype(np.float64)
        if index.tuning.language == "jaccard":
            sizes = languages.sum(axis=1)
            union = sizes[c.a] + sizes[c.b] - shared
            lang = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
        else:
            lang = (shared > 0.5).astype(np.float64)
    else:
        lang = np.zeros(len(c.a))
    table = np.stack([you, they, same_part, related_part, cross, w["language"] * lang], axis=1)
    table[table < _NEGLIGIBLE] = 0.0
    return table


def _rowdot(a: sp.csr_matrix, ia: np.ndarray, b: sp.csr_matrix, ib: np.ndarray) -> np.ndarray:
    if len(ia) == 0 or a.shape[1] == 0:
        return np.zeros(len(ia))
    return np.asarray(a[ia].multiply(b[ib]).sum(axis=1)).ravel()


def _expand(ptr: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each owner row, all its phrase indices: (phrase index, position of the owner) arrays."""
    counts = ptr[owners + 1] - ptr[owners]
    total = int(counts.sum())
    pair = np.repeat(np.arange(len(owners)), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(ptr[owners], counts) + offsets, pair


def _segment_argmax(values: np.ndarray, items: np.ndarray, segment: np.ndarray, n: int) -> np.ndarray:
    """Per segment 0..n-1, the item with the largest value (first on ties); -1 for empty segments."""
    best = np.full(n, -1, dtype=np.int64)
    if len(values) == 0:
        return best
    order = np.lexsort((np.arange(len(values)), -values, segment))
    seg = segment[order]
    first = np.r_[0, np.flatnonzero(np.diff(seg)) + 1]
    best[seg[first]] = items[order][first]
    return best


def _match_phrases(index: MatchIndex, needer: np.ndarray, offerer: np.ndarray) -> _PhraseMatch:
    v = index.vectors
    needs, offers = v.need_phrases, v.offer_phrases
    n = len(needer)
    p_items, p_pair = _expand(needs.ptr, needer)
    p_vals = _rowdot(needs.vectors, p_items, v.offer, offerer[p_pair])
    best_p = _segment_argmax(p_vals, p_items, p_pair, n)
    has_p = best_p >= 0
    q_items, q_pair = _expand(offers.ptr, offerer)
    q_vals = _rowdot(offers.vectors, q_items, needs.vectors, np.maximum(best_p, 0)[q_pair])
    q_vals[~has_p[q_pair]] = 0
    best_q = _segment_argmax(q_vals, q_items, q_pair, n)
    terms = _terms(index, best_p, best_q)
    return _PhraseMatch(best_p, best_q, terms)


def _terms(index: MatchIndex, best_p: np.ndarray, best_q: np.ndarray) -> list[tuple[str, ...]]:
    """Readable terms that carried each phrase pair: the largest products of their features."""
    v = index.vectors
    n = len(best_p)
    ok = (best_p >= 0) & (best_q >= 0)
    if v.need.shape[1] == 0 or not ok.any():
        return [()] * n
    products = v.need_phrases.vectors[np.maximum(best_p, 0)].multiply(
        v.offer_phrases.vectors[np.maximum(best_q, 0)]).tocsr()
    products.data[~np.repeat(ok, np.diff(products.indptr))] = 0
    products.eliminate_zeros()
    rows = np.repeat(np.arange(n), np.diff(products.indptr))
    order = np.lexsort((-products.data, rows))
    features = products.indices[order].tolist()
    bounds = np.searchsorted(rows[order], np.arange(n + 1)).tolist()
    memo = index.terms_cache
    out: list[tuple[str, ...]] = []
    for i in range(n):
        # the strongest few features decide the terms; pairs with the same ones share the answer
        key = tuple(features[bounds[i]: min(bounds[i + 1], bounds[i] + 2 * MAX_TERMS)])
        terms = memo.get(key)
        if terms is None:
            terms = memo[key] = _readable(index, features[bounds[i]: bounds[i + 1]], int(best_p[i]), int(best_q[i]))
        out.append(terms)
    return out


def _readable(index: MatchIndex, features: list[int], p: int, q: int) -> tuple[str, ...]:
    v = index.vectors
    chosen: list[str] = []
    said: set[str] = set()  # 5-letter starts of the words said so far
    unreadable = False
    for feature in features[: 2 * MAX_TERMS]:
        label = v.labels[feature]
        if not label:
            unreadable = True  # a character n-gram: the shared words below say it better
            continue
        # a word already said ("pomegranate" after the concept "pomegranates", "tyres" after "tires")
        # adds nothing
        starts = {word[:5].casefold() for word in label.split()}
        if label in chosen or (not v.is_concept[feature] and (starts <= said or v.keys[feature][:5] in said)):
            continue
        chosen.append(label)
        said |= starts
        if len(chosen) == MAX_TERMS:
            break
    if unreadable and len(chosen) < MAX_TERMS and p >= 0 and q >= 0:
        theirs = {t.removeprefix(CONTEXT_MARK) for t in v.offer_phrases.tokens[q]}
        mine = (t.removeprefix(CONTEXT_MARK) for t in v.need_phrases.tokens[p])
        for token in dict.fromkeys(t for t in mine if t in theirs):
            word = v.surface.get(token, token)
            if word not in chosen and word[:5].casefold() not in said:
                chosen.append(word)
                said.add(word[:5].casefold())
            if len(chosen) == MAX_TERMS:
                break
    return tuple(chosen)


def _codes(*columns: tuple[np.ndarray, int]) -> np.ndarray:
    """One int64 code per row for (column, radix) pairs of small non-negative ints. The radices are the
    index's (not this call's): the codes key a cache shared by all calls."""
    code = np.zeros(len(columns[0][0]), dtype=np.int64)
    for column, radix in columns:
        code = code * radix + column
    return code


# Columns of KINDS from CONTEXT on say who the two are (delegation, language), not what they can do
# for each other.
CONTEXT = 4


def _showable(table: np.ndarray, c: Components, threshold: float) -> np.ndarray:
    """The contributions that may be shown as reasons: a needs/offers part only if its direction's cosine
    reaches ``threshold`` (a shared domain or a word used in passing makes no "you need X; they offer Y"),
    unless the pair would have nothing else to show (then its stronger claim stays)."""
    if threshold <= 0:
        return table
    shown = table.copy()
    weak = np.stack([c.d1 < threshold, c.d2 < threshold], axis=1) & (table[:, :2] > 0)
    if not weak.any():
        return shown
    claims = shown[:, :2]
    claims[weak] = 0.0
    bare = ~(shown > 0).any(axis=1) & (table > 0).any(axis=1)
    if bare.any():
        rows = np.flatnonzero(bare)
        best = np.argmax(table[rows, :2], axis=1)
        shown[rows, best] = table[rows, best]
    return shown


def explain(index: MatchIndex, c: Components) -> list[tuple[Reason, ...]]:
    """The one to three strongest reasons per pair; () for a pair with nothing to say.

    They are shown with what the two can do for each other first (needs met by offers, sectors), then
    who they are (another delegation, a shared language), each group strongest first: under "prefer
    other delegations" the delegation bonus often weighs most, but it is never why these two should meet.
    """
    n = len(c.a)
    if n == 0:
        return []
    table = contributions(index, c)
    showable = _showable(table, c, index.tuning.claim_threshold)
    order = np.argsort(-showable, axis=1, kind="stable")[:, :MAX_REASONS]
    weights = np.take_along_axis(showable, order, axis=1)
    # lexsort: the last key sorts first. Empty slots last, then content before context, then by weight.
    display = np.lexsort((-weights, order >= CONTEXT, weights <= 0), axis=1)
    order = np.take_along_axis(order, display, axis=1)
    shown = np.take_along_axis(showable, order, axis=1) > 0
    is_shown = np.zeros(table.shape, dtype=bool)
    np.put_along_axis(is_shown, order, shown, axis=1)
    reasons = np.empty(table.shape, dtype=object)

    # Needs and offers: one Reason per pair. you: a needs what b offers; they: b needs what a offers.
    need_text, offer_text = index.phrase_texts()  # each ends with "", so index -1 gives ""
    for column, kind in ((0, ReasonKind.YOU_NEED), (1, ReasonKind.THEY_NEED)):
        rows = np.flatnonzero(is_shown[:, column])
        if not len(rows):
            continue
        needer, offerer = (c.a[rows], c.b[rows]) if column == 0 else (c.b[rows], c.a[rows])
        match = _match_phrases(index, needer, offerer)
        needs = [need_text[p] for p in match.need.tolist()]
        offers = [offer_text[q] for q in match.offer.tolist()]
        mine, theirs = (needs, offers) if column == 0 else (offers, needs)
        reasons[rows, column] = [Reason(kind, w, m, t, terms) for w, m, t, terms in
                                 zip(table[rows, column].tolist(), mine, theirs, match.terms, strict=True)]

    # Sector, delegation and language reasons depend on the two companies' signatures only: one Reason
    # per distinct pair of signatures (index.reason_cache keeps them across calls and threads; a lost
    # race only builds the same reason twice).
    a, b = c.a, c.b
    sectors, delegations, countries, languages = index.radix
    keys = {
        2: _codes((index.sector_signature[a], sectors), (index.sector_signature[b], sectors)),
        4: _codes((index.delegation[a], delegations), (index.delegation[b], delegations),
                  (index.country[a], countries), (index.country[b], countries)),
        5: _codes((index.language_signature[a], languages), (index.language_signature[b], languages)),
    }
    keys[3] = keys[2]
    for column in range(2, 6):
        rows = np.flatnonzero(is_shown[:, column])
        if not len(rows):
            continue
        codes, first, inverse = np.unique(keys[column][rows], return_index=True, return_inverse=True)
        built = np.empty(len(codes), dtype=object)
        for j, (code, i) in enumerate(zip(codes.tolist(), rows[first].tolist(), strict=True)):
            cache_key = (column, code)
            reason = index.reason_cache.get(cache_key)
            if reason is None:
                reason = index.reason_cache[cache_key] = _shared_reason(
                    index, column, float(table[i, column]), int(a[i]), int(b[i]))
            built[j] = reason
        reasons[rows, column] = built[np.asarray(inverse).reshape(-1)]

    picked = np.take_along_axis(reasons, order, axis=1)
    counts = shown.sum(axis=1)
    out: list[tuple[Reason, ...]] = [()] * n
    for count in range(1, MAX_REASONS + 1):
        rows = np.flatnonzero(counts == count)
        for i, row in zip(rows.tolist(), picked[rows, :count].tolist(), strict=True):
            out[i] = tuple(row)
    return out


def _shared_reason(index: MatchIndex, kind_index: int, weight: float, a: int, b: int) -> Reason:
    kind = KINDS[kind_index]
    if kind is ReasonKind.SAME_SECTOR or kind is ReasonKind.RELATED_SECTOR:
        same_keys, related_keys = _sector_keys(index, a, b)
        return Reason(kind, weight, sectors=same_keys if kind is ReasonKind.SAME_SECTOR else related_keys)
    pa, pb = index.profiles[a], index.profiles[b]
    if kind is ReasonKind.CROSS_DELEGATION:
        return Reason(kind, weight, delegations=(pa.delegation, pb.delegation),
                      cross_border=pa.country.strip().casefold() != pb.country.strip().casefold())
    mine, theirs = index.vectors.language_sets[a], index.vectors.language_sets[b]
    return Reason(kind, weight, languages=tuple(code for code in mine if code in theirs))


def _sector_keys(index: MatchIndex, a: int, b: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the first shared sector,), (my key, their key) of the strongest value-chain link."""
    mine, theirs = index.vectors.sector_sets[a], index.vectors.sector_sets[b]
    shared = next((key for key in mine if key in theirs), None)
    best: tuple[float, str, str] | None = None
    affinity = index.config.affinity
    for x in mine:
        for y in theirs:
            if x != y:
                strength = affinity.get(frozenset((x, y)), 0.0)
                if strength > 0 and (best is None or strength > best[0]):
                    best = (strength, x, y)
    return ((shared,) if shared else ()), ((best[1], best[2]) if best else ())
