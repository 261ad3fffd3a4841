"""The match index: vectorize once, then top-k partners for any companies, chunk by chunk.

score(a, b) = weighted mean of
- complementarity: (max(d1, d2) + m * min(d1, d2)) / (1 + m), d1 = cos(needs_a, offers_b),
  d2 = cos(needs_b, offers_a);
- sector: min(1, same + related), same = cosine of the L2-normalised sector multi-hots,
  related = s_a . A . s_b with A the value-chain affinity table (zero diagonal);
- cross-delegation: 1 if the delegations differ (weight 0 under CrossDelegation.NONE);
- language: 1 if any language is shared (or the Jaccard index, see Tuning).
A pair counts only if it is *relevant*: complementarity or sector affinity above zero (with a positive
weight). Delegation and language only rank relevant partners; on their own they are no reason to meet,
so an empty profile gets no recommendations.

Every part is symmetric and computed with the same float operations for (a, b) and (b, a), so scores are
exactly symmetric; affected_by relies on that. Scores are ranked as they are stored, with 6 decimals, ties
going to the lowest partner id, so float noise below that never reorders a list.

Scores are computed one chunk of rows at a time against all columns (memory: chunk x N, never N x N):
sparse needs x offers products, then dense float32 passes in reused buffers, top-k by np.partition, and
reasons for the top-k only. Two threads share the chunks: numpy and scipy release the GIL, so one thread
scores while the other builds reasons.
"""

from __future__ import annotations

import queue
from collections.abc import Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from sklearn.preprocessing import MultiLabelBinarizer

from forum.matching.defaults import DEFAULT_TUNING, Tuning
from forum.matching.explain import Components, explain
from forum.matching.types import CrossDelegation, MatchingConfig, Profile, Reason, Recommendation
from forum.matching.vectorize import Vectors, vectorize

_EMPTY: Mapping[int, Collection[int]] = MappingProxyType({})
# Score cells per chunk (rows x N float32 = 16 MB); a handful of such arrays are alive at once.
_CHUNK_CELLS = 4_000_000
# Larger sets of distinct sector combinations are scored per chunk instead of from a U x U table.
_MAX_SECTOR_TABLE = 4096
# Scores are stored and ranked with 6 decimals; two stored scores are equal if closer than _SCORE_EPS.
_SCALE = 1_000_000
_SCORE_EPS = 1e-7


class MatchIndex:
    """Profiles vectorized once; ask for recommendations for any subset of companies."""

    def __init__(self, profiles: Sequence[Profile], config: MatchingConfig, tuning: Tuning = DEFAULT_TUNING):
        ordered = sorted(profiles, key=lambda p: p.id)
        ids = [p.id for p in ordered]
        if len(set(ids)) != len(ids):
            raise ValueError("profile ids must be unique")
        self.config = config
        self.tuning = tuning
        self.profiles: tuple[Profile, ...] = tuple(ordered)
        # Rows are sorted by id, so "lowest column first" breaks ties by the lowest partner id.
        self.ids = np.asarray(ids, dtype=np.int64)
        self.row_of: dict[int, int] = {company_id: row for row, company_id in enumerate(ids)}
        self.n = len(ordered)

        self.vectors: Vectors = vectorize(ordered, tuning.text)
        v = self.vectors
        self._need_t = v.need.T.tocsr()
        self._offer_t = v.offer.T.tocsr()

        self.delegation = _codes_of([p.delegation for p in ordered])
        self.country = _codes_of([p.country.strip().casefold() for p in ordered])
        self._sector_setup(v)
        self._combo_setup(v)
        # radices of the signature codes that key reason_cache
        self.radix = tuple(int(a.max(initial=0)) + 1 for a in (
            self.sector_signature, self.delegation, self.country, self.language_signature))

        w = config.weights
        parts = {
            "complementarity": max(w.complementarity, 0.0),
            "sector": max(w.sector, 0.0),
            "cross_delegation": 0.0 if config.cross_delegation == CrossDelegation.NONE
            else max(w.cross_delegation, 0.0),
            "language": max(w.language, 0.0),
        }
        total = sum(parts.values())
        # Normalised weights; all zero means nothing is relevant and nothing is recommended.
        self.weights = {key: (value / total if total > 0 else 0.0) for key, value in parts.items()}
        # Reasons that depend on two companies' signatures only (sector, delegation, language), shared
        # between recommend() calls and threads; the index is immutable, so they never go stale.
        self.reason_cache: dict[tuple[int, int], Reason] = {}
        self.terms_cache: dict[tuple[int, ...], tuple[str, ...]] = {}
        self._phrase_texts: tuple[list[str], list[str]] | None = None

    # --- setup ----------------------------------------------------------------------------------------

    def _sector_setup(self, v: Vectors) -> None:
        keys = sorted(set(v.sector_keys) | {k for pair in self.config.affinity for k in pair})
        signatures = sorted({tuple(sorted(s)) for s in v.sector_sets})
        self.sector_signature_sets = signatures
        sig_index = {s: i for i, s in enumerate(signatures)}
        self.sector_signature = np.array([sig_index[tuple(sorted(s))] for s in v.sector_sets], dtype=np.int64)
        binarizer = MultiLabelBinarizer(classes=keys)
        hot = binarizer.fit_transform(signatures).astype(np.float64) if signatures else np.zeros((0, len(keys)))
        norms = np.linalg.norm(hot, axis=1, keepdims=True)
        self._sector_unit = np.divide(hot, norms, out=np.zeros_like(hot), where=norms > 0)
        col = {k: i for i, k in enumerate(keys)}
        affinity = np.zeros((len(keys), len(keys)))
        for pair, strength in self.config.affinity.items():
            if len(pair) != 2 or not strength or strength <= 0:
                continue  # a self-pair adds nothing to "same sector"; ignore non-positive strengths
            a, b = tuple(pair)
            affinity[col[a], col[b]] = affinity[col[b], col[a]] = min(float(strength), 1.0)
        self._affinity_matrix = affinity
        self._sector_keys = keys
        u = len(signatures)
        if u <= _MAX_SECTOR_TABLE:
            same, related = self._sector_parts(np.arange(u))
            self.sector_same, self.sector_related = same, related
            # Symmetrised in float64 and clipped, then rounded once: table[u, v] == table[v, u] exactly.
            self._sector_table = np.minimum(same + related, 1.0).astype(np.float32)
        else:
            self.sector_same = self.sector_related = None
            self._sector_table = None

    def _combo_setup(self, v: Vectors) -> None:
        """Distinct (sector set, delegation, language set) combos: the non-text parts of a pair's score
        depend on its two combos only, so they are computed per combo, never per company pair."""
        languages, self.language_signature = (np.unique(v.languages, axis=0, return_inverse=True) if self.n
                                              else (np.zeros((0, 0), np.float32), np.zeros(0, np.int64)))
        self.language_signature = np.asarray(self.language_signature, dtype=np.int64).reshape(-1)
        self._language_hot = languages.astype(np.float32)
        keys = np.stack([self.sector_signature, self.delegation.astype(np.int64),
                         self.language_signature], axis=1)
        unique, combo = (np.unique(keys, axis=0, return_inverse=True) if self.n
                         else (np.zeros((0, 3), np.int64), np.zeros(0, np.int64)))
        self._combo = np.asarray(combo).reshape(-1)
        self._combo_sector, self._combo_delegation, self._combo_language = unique.T

    def _sector_parts(self, sig_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(same, related) for signatures sig_rows x all signatures, float64, symmetric by construction."""
        unit = self._sector_unit
        same = unit[sig_rows] @ unit.T
        related = (unit[sig_rows] @ self._affinity_matrix) @ unit.T
        if len(sig_rows) == len(unit):
            same = (same + same.T) / 2
            related = (related + related.T) / 2
        return same, related

    def sector_components(self, sig_a: np.ndarray, sig_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(same, related) for pairs of sector signatures."""
        if self.sector_same is not None:
            return self.sector_same[sig_a, sig_b], self.sector_related[sig_a, sig_b]
        unit = self._sector_unit
        same = np.einsum("ij,ij->i", unit[sig_a], unit[sig_b])
        related = np.einsum("ij,ij->i", unit[sig_a] @ self._affinity_matrix, unit[sig_b])
        return same, related

    def phrase_texts(self) -> tuple[list[str], list[str]]:
        """Display texts of all need and offer phrases, each list ending with "" (for index -1)."""
        texts = self._phrase_texts
        if texts is None:
            v = self.vectors
            texts = self._phrase_texts = ([*v.need_phrases.text, ""], [*v.offer_phrases.text, ""])
        return texts

    # --- scoring ----------------------------------------------------------------------------------------

    def _sector_table_rows(self, sig_rows: np.ndarray, sig_cols: np.ndarray) -> np.ndarray:
        """The clipped sector part for sector signatures sig_rows x sig_cols, float32."""
        if self._sector_table is not None:
            return self._sector_table[np.ix_(sig_rows, sig_cols)]
        mine = np.unique(sig_rows, return_inverse=True)
        same, related = self._sector_parts(mine[0])
        return np.minimum(same + related, 1.0).astype(np.float32)[mine[1]][:, sig_cols]

    def _base_tables(self, combos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(all, sector-relevant) tables of the non-text parts, combos x every combo, weighted.

        A combo is a distinct (sector set, delegation, language set). ``all`` is the weighted sum of the
        sector, delegation and language parts; ``relevant`` is the same where the sector part is positive
        and 0 elsewhere (only complementarity can then make the pair relevant). Cells of pairs that may
        never meet (same delegation under ONLY) are -inf in both.
        """
        w = self.weights
        cols = np.arange(len(self._combo_sector))
        sector = self._sector_table_rows(self._combo_sector[combos], self._combo_sector[cols])
        table = sector * np.float32(w["sector"])
        differ = self._combo_delegation[combos][:, None] != self._combo_delegation[None, :]
        if w["cross_delegation"] > 0:
            table += differ.astype(np.float32) * np.float32(w["cross_delegation"])
        if w["language"] > 0 and self._language_hot.shape[1]:
            hot = self._language_hot
            shared = hot[self._combo_language[combos]] @ hot[self._combo_language].T  # exact small integers
            if self.tuning.language == "jaccard":
                sizes = hot.sum(axis=1)
                union = sizes[self._combo_language[combos]][:, None] + sizes[self._combo_language][None, :] - shared
                part = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
            else:
                part = (shared > 0.5).astype(np.float32)
            table += part * np.float32(w["language"])
        relevant = np.where(sector > 0, table, np.float32(0)) if w["sector"] > 0 else np.zeros_like(table)
        if self.config.cross_delegation == CrossDelegation.ONLY:
            table[~differ] = -np.inf
            relevant[~differ] = -np.inf
        return table, relevant

    def _complementarity(self, rows: np.ndarray, d1: np.ndarray, d2: np.ndarray) -> None:
        """Fill d1 and d2 (rows x N): d1 = my needs vs their offers, d2 = their needs vs my offers."""
        v = self.vectors
        if v.need.shape[1] == 0:
            d1.fill(0)
            d2.fill(0)
            return
        # Sparse products, dense results: ~10-20% of the cells are non-zero, too many for sparse
        # elementwise max/min to beat a few dense passes.
        (v.need[rows] @ self._offer_t).toarray(out=d1)
        (v.offer[rows] @ self._need_t).toarray(out=d2)

    def _score_rows(self, rows: np.ndarray, work: _Workspace | None = None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(scores, d1, d2) for rows x all columns, dense float32, in ``work``'s buffers if given.
        Irrelevant cells are 0; cells that may not be recommended at all (self, same delegation under
        ONLY) are -inf."""
        w = self.weights
        m = self.tuning.min_share
        total, d1, d2, tmp, matched = (work or _Workspace(len(rows), self.n)).views(len(rows))
        combos, inverse = np.unique(self._combo[rows], return_inverse=True)
        table, relevant = self._base_tables(combos)
        np.take(relevant[inverse], self._combo, axis=1, out=total)
        self._complementarity(rows, d1, d2)
        wc = w["complementarity"]
        if wc > 0 and self.vectors.need.shape[1]:
            # total += wc * (max + m * min) / (1 + m); the same float operations for every cell, so
            # (a, b) and (b, a) get bitwise the same score
            np.maximum(d1, d2, out=tmp)
            np.greater(tmp, 0, out=matched)
            tmp *= np.float32(wc / (1 + m))
            total += tmp  # -inf + x stays -inf
            if m:
                np.minimum(d1, d2, out=tmp)
                tmp *= np.float32(wc * m / (1 + m))
                total += tmp
            # Where the texts match, the pair is relevant whatever the sectors, so its delegation and
            # language parts count too: add them where the sector part did not already bring them.
            extra = np.where(np.isfinite(table), table - np.where(np.isfinite(relevant), relevant, 0), 0)
            if extra.any():
                np.take(extra.astype(np.float32)[inverse], self._combo, axis=1, out=tmp)
                tmp *= matched
                total += tmp
        total[np.arange(len(rows)), rows] = -np.inf
        return total, d1, d2

    def score(self, a: int, b: int) -> float:
        """The score of one pair (0 if unknown, excluded or irrelevant); for tests and diagnostics."""
        if a not in self.row_of or b not in self.row_of:
            return 0.0
        total, _, _ = self._score_rows(np.array([self.row_of[a]]))
        return _rounded(np.maximum(_quantized(total[0, [self.row_of[b]]]), 0))[0]

    def _chunks(self, rows: np.ndarray) -> list[np.ndarray]:
        size = max(1, _CHUNK_CELLS // max(self.n, 1))
        return [rows[i: i + size] for i in range(0, len(rows), size)]

    # --- public -----------------------------------------------------------------------------------------

    def recommend(self, company_ids: Iterable[int] | None = None, *,
                  exclusions: Mapping[int, Collection[int]] = _EMPTY,
                  k: int | None = None) -> dict[int, list[Recommendation]]:
        """Top-k partners with 1-3 reasons each, for the given companies (all if None).

        Unknown ids get an empty list. ``exclusions[a]`` are partners ``a`` dismissed.
        """
        k = self.config.top_k if k is None else int(k)
        wanted = list(self.row_of) if company_ids is None else list(dict.fromkeys(company_ids))
        result: dict[int, list[Recommendation]] = {company_id: [] for company_id in wanted}
        rows = np.array([self.row_of[c] for c in wanted if c in self.row_of], dtype=np.int64)
        if k <= 0 or len(rows) == 0 or self.n < 2:
            return result

        ids = self.ids.tolist()
        chunks = self._chunks(rows)
        # One set of buffers per thread, reused chunk after chunk: fresh 16 MB arrays per chunk cost
        # page faults (system time) comparable to the arithmetic.
        free: queue.SimpleQueue[_Workspace] = queue.SimpleQueue()
        for _ in range(min(2, len(chunks))):
            free.put(_Workspace(len(chunks[0]), self.n))

        def run(chunk: np.ndarray) -> tuple[list[int], list[Recommendation]]:
            work = free.get()
            try:
                total, d1, d2 = self._score_rows(chunk, work)
                for i, row in enumerate(chunk.tolist()):
                    dismissed = exclusions.get(ids[row])
                    if dismissed:
                        cols = [self.row_of[p] for p in dismissed if p in self.row_of]
                        total[i, cols] = -np.inf
                r, c, s = _top_k(total, k)
                d1_cells, d2_cells = d1[r, c], d2[r, c]
            finally:
                free.put(work)  # explaining below needs no buffer: let the other thread score
            a = chunk[r]
            reasons = explain(self, Components(a, c, s / _SCALE, d1_cells, d2_cells))
            keep = [i for i, why in enumerate(reasons) if why]
            owners = [ids[row] for row in a[keep].tolist()]
            recs = [Recommendation(ids[row_b], score, reasons[i]) for i, row_b, score in
                    zip(keep, c[keep].tolist(), _rounded(s[keep]), strict=True)]
            return owners, recs

        if len(chunks) > 1:
            # numpy and scipy release the GIL in their loops: while one thread explains (Python), the
            # other scores (numpy), so two threads use both cores.
            with ThreadPoolExecutor(max_workers=2) as pool:
                parts = list(pool.map(run, chunks))
        else:
            parts = [run(chunks[0])]
        for owners, recs in parts:
            for owner, recommendation in zip(owners, recs, strict=True):
                result[owner].append(recommendation)
        return result

    def affected_by(self, company_id: int, current: Mapping[int, Sequence[tuple[int, float]]], *,
                    previous: Profile | None = None) -> set[int]:
        """Companies whose stored top-k list may change after ``company_id``'s profile changed.

        The index holds the new profile; ``current[x]`` is x's stored list of (partner id, score), best
        first. Always included: lists that hold ``company_id``, and lists its new score would enter (it
        beats their k-th score, or they are shorter than k). The changed company itself is not included.

        ``previous`` (the profile before the change) makes the answer exact. TF-IDF is fitted on the whole
        forum, so a change can also move the IDF of the terms it adds or removes and with it the scores of
        every company holding such a term. IDF uses document frequencies rounded to powers of two, so this
        is rare; when it happens, those companies' rows are scored again (one row product each) and a list
        counts as affected if a score in it moved or a moved score now enters it. Pass the old profile for
        an edit, the last profile of a company that left (``company_id`` no longer in the index), and a
        profile with empty texts for a newcomer. Without ``previous`` such moves are not seen. One case is
        never exact: when the number of companies crosses a power of two (every IDF moves), recompute all.
        """
        k = self.config.top_k
        affected = {x for x, listed in current.items()
                    if x != company_id and any(p == company_id for p, _ in listed)}
        row = self.row_of.get(company_id)
        if k <= 0 or self.n < 2 or (row is None and previous is None):
            return affected  # gone (opted out): the lists that showed it change
        # the k-th stored score per column, in millionths (-inf: a shorter list, anything positive enters)
        kth = np.full(self.n, -np.inf, dtype=np.float64)
        for x, listed in current.items():
            col = self.row_of.get(x)
            if col is not None and len(listed) >= k:
                kth[col] = listed[k - 1][1]
        kth = kth * _SCALE - 0.5  # a tie may enter too (ties go to the lowest id)
        if row is not None:
            total = _quantized(self._score_rows(np.array([row]))[0])
            enters = (total[0] > 0) & (total[0] >= kth)
            affected.update(self.ids[enters].tolist())
        if previous is not None:
            affected |= self._drift_affected(self.vectors.drifted_by_edit(previous, row), current, kth)
        affected.discard(company_id)
        return affected

    def _drift_affected(self, drifted: np.ndarray, current: Mapping[int, Sequence[tuple[int, float]]],
                        kth: np.ndarray) -> set[int]:
        """Lists that the moved scores of the ``drifted`` rows may change (see affected_by)."""
        if len(drifted) == 0:
            return set()
        k = self.config.top_k
        is_drifted = np.zeros(self.n, dtype=bool)
        is_drifted[drifted] = True
        # stored (x, q) pairs with q drifted: q's new score must equal the stored one, or x is affected
        stored: dict[int, list[tuple[int, float]]] = {}
        for x, listed in current.items():
            col = self.row_of.get(x)
            if col is None:
                continue
            for p, score in listed[:k]:
                q = self.row_of.get(p)
                if q is not None and is_drifted[q]:
                    stored.setdefault(q, []).append((col, score))
        affected: set[int] = set()
        for chunk in self._chunks(drifted):
            raw = self._score_rows(chunk)[0]
            # a drifted company's own list: compare it whole with what is stored
            r, c, s = _top_k(raw, k)
            total = _quantized(raw)
            del raw
            fresh: dict[int, list[tuple[int, float]]] = {}
            for i, col, score in zip(r.tolist(), c.tolist(), _rounded(s), strict=True):
                fresh.setdefault(i, []).append((int(self.ids[col]), score))
            for i, q in enumerate(chunk.tolist()):
                x = int(self.ids[q])
                old = [(p, round(score, 6)) for p, score in current.get(x, ())[:k]]
                if fresh.get(i, []) != old:
                    affected.add(x)
            # other lists: a drifted score that now enters them (by symmetry, row q = column q)...
            enters = (total > 0) & (total >= kth[None, :])
            # ...unless it was there already with the same score
            for i, q in enumerate(chunk.tolist()):
                for col, score in stored.get(q, ()):
                    if abs(float(total[i, col]) / _SCALE - score) > _SCORE_EPS:
                        affected.add(int(self.ids[col]))
                    enters[i, col] = False
            affected.update(self.ids[enters.any(axis=0)].tolist())
        return affected

@dataclass(slots=True)
class _Workspace:
    """Scratch arrays for scoring up to ``rows`` rows against ``n`` columns."""

    rows: int
    n: int
    arrays: tuple[np.ndarray, ...] = ()

    def views(self, rows: int) -> tuple[np.ndarray, ...]:
        """(total, d1, d2, tmp) float32 and (matched) bool, each rows x n."""
        if not self.arrays:
            shape = (self.rows, self.n)
            self.arrays = (*(np.empty(shape, dtype=np.float32) for _ in range(4)), np.empty(shape, dtype=bool))
        return tuple(a[:rows] for a in self.arrays)


def _quantized(total: np.ndarray) -> np.ndarray:
    """Scores in millionths, as stored (6 decimals): ranks ties by id instead of by float32 noise below
    the stored precision, so a list recomputed later is the same list. Exact in float32 up to 2**24."""
    q = total * np.float32(_SCALE)
    np.rint(q, out=q)
    return q


def _rounded(quantized: np.ndarray) -> list[float]:
    """Quantized scores back to floats with 6 decimals."""
    return (quantized.astype(np.float64) / _SCALE).tolist()


def _codes_of(values: list[str]) -> np.ndarray:
    """Small int codes for strings (equal strings, equal codes)."""
    if not values:
        return np.zeros(0, dtype=np.int64)
    return np.asarray(np.unique(values, return_inverse=True)[1], dtype=np.int64).reshape(-1)


def _top_k(total: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row, the k best positive cells by quantized score, best first, ties by lowest column (= lowest
    id): (row, col, quantized score) arrays.

    Only cells within a millionth of the row's raw k-th value are quantized: a cell further below rounds
    to less than k cells do, so it cannot be among them.
    """
    n_rows, n_cols = total.shape
    k = min(k, n_cols)
    if k <= 0 or n_rows == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    kth = np.partition(total, n_cols - k, axis=1)[:, n_cols - k]
    threshold = np.maximum(kth - np.float32(1.0 / _SCALE), np.float32(0.5 / _SCALE))
    r, c = np.nonzero(total >= threshold[:, None])
    q = _quantized(total[r, c])
    keep = q > 0
    r, c, q = r[keep], c[keep], q[keep]
    order = np.lexsort((c, -q, r))
    r, c, q = r[order], c[order], q[order]
    starts = np.searchsorted(r, np.arange(n_rows))
    keep = (np.arange(len(r)) - starts[r]) < k
    return r[keep], c[keep], q[keep]


def build_index(profiles: Sequence[Profile], config: MatchingConfig, *, tuning: Tuning = DEFAULT_TUNING) -> MatchIndex:
    """Vectorize the profiles once (opted-out companies must already be left out)."""
    return MatchIndex(profiles, config, tuning)


def recommend_all(profiles: Sequence[Profile], config: MatchingConfig,
                  exclusions: Mapping[int, Collection[int]] = _EMPTY, *,
                  tuning: Tuning = DEFAULT_TUNING) -> dict[int, list[Recommendation]]:
    """build_index(profiles, config).recommend(exclusions=exclusions)."""
    return build_index(profiles, config, tuning=tuning).recommend(exclusions=exclusions)

