"""Benchmark and evaluation of the matching core (a script, not collected by pytest).

    .venv/bin/python tests/benchmarks/bench_matching.py                      # speed: 1k and 10k + one edit
    .venv/bin/python tests/benchmarks/bench_matching.py --sizes 1000 10000 50000
    .venv/bin/python tests/benchmarks/bench_matching.py --quality            # the evaluation tables

Speed: for each N, a fresh subprocess (so the peak RSS is that size's own) builds N synthetic companies
and times build_index + recommend(all, k=10) with reasons. Then, at N=10,000, one profile edit: rebuild
the index with the changed profile, affected_by, recommend for {changed} + affected.

Quality: precision@5 and recall@10 of planted partners on synthetic forums (3 seeds x 400 companies,
PREFER), for analyzers, lexicon/transliteration, the complementarity mix and weights; plus recall@5/@10
of hand-labelled complementary pairs of the demo CSV (forum/demo/companies.csv, not written for this).
Then the reasons: how many "you need X; they offer Y" claims are false (the need side needs no item the
offer side offers; synthetic, where items are known), and how many planted pairs in a top 10 get a true
one. Last, if a blind test set is present (--blind, default /tmp/blind: companies.csv in the import
format and pairs.json of [need company, offer company] names), recall@5/@10 of its pairs and its
need/offer claims on pairs that are not in it. That set is read at run time and never copied here; it
has been seen while developing, so it is no longer blind.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from forum.matching import (  # noqa: E402
    DEFAULT_AFFINITY,
    DEFAULT_TUNING,
    DEFAULT_WEIGHTS,
    CrossDelegation,
    MatchingConfig,
    Profile,
    ReasonKind,
    Recommendation,
    Tuning,
    Weights,
    build_index,
)
from forum.matching.synthetic import complementary_pairs, planted_forum  # noqa: E402

DEMO_CSV = ROOT / "forum" / "demo" / "companies.csv"
BLIND_DIR = Path("/tmp/blind")

# Complementary pairs of the demo CSV across the two delegations, labelled by reading the texts
# (need side first where it is one-way). Names are matched by prefix.
DEMO_PAIRS = [
    ("Esik Dairy Plant", "Qarshi Flexible Packaging"), ("Esik Dairy Plant", "ООО «Касби Агро»"),
    ("Qarshi Dairy Products", "Esik Dairy Plant"), ("Kaskelen Corrugated", "Shahrisabz Pomegranate"),
    ("Kaskelen Corrugated", "ООО «Китоб Консерва»"), ("Talgar Knitwear", "Kitob Textile Cluster"),
    ("Kaskelen Glass", "ООО «Китоб Консерва»"), ("Baiserke Grain", "Qarshi Non Bakery"),
    ("Almaty Beverage", "Beshkent PET"), ("ТОО «Алматы Стройкомплект»", "Dehqonobod Building"),
    ("ТОО «Алматы Стройкомплект»", "ООО «Карши Девелопмент»"), ("Ili Brick", "ООО «Камаши Гипс»"),
    ("Ili Brick", "Dehqonobod Building"), ("Alatau Window Glass", "ООО «Карши Девелопмент»"),
    ("Kaskelen LPG", "Muborak Gas"), ("Ili Agrochem", "Muborak Gas"), ("Konaev Polymer Film", "G'uzor Polymer"),
    ("Alatau Drip", "G'uzor Polymer"), ("ТОО «Байсерке Пластик»", "G'uzor Polymer"),
    ("Alatau Drip", "Chiroqchi Agro"), ("SkyAgro Drones", "Chiroqchi Agro"), ("AgroLab Almaty", "Chiroqchi Agro"),
    ("Zhetysu Seed", "ООО «Яккабог Тоғ Агро»"), ("Zhetysu Seed", "Nishon Seed"),
    ("ТОО «Шелек Грин Хаус»", "Qamashi Greenhouse"), ("Almaty Fresh", "Koson Early Vegetables"),
    ("Zhetysu Cold Chain", "Koson Early Vegetables"), ("Talgar Apple", "Koson Early Vegetables"),
    ("ТОО «Шелек Грин Хаус»", "Koson Early Vegetables"), ("ТОО «Байсерке Пластик»", "Yakkabog' Orchard"),
    ("Zhetysu Cold Chain", "Yakkabog' Orchard"), ("ТОО «Конаев Солар", "Nishon Agro Cold"),
    ("Zhetysu Cold Chain", "Nishon Agro Cold"), ("ТОО «Конаев Солар", "Dehqonobod Solar"),
    ("Transit Jol", "Qarshi Rail"), ("Zhetysu Cold Chain", "ООО «Кашкадарья Транс"),
    ("Kolsai Charyn", "Shahrisabz Heritage"), ("Narynkol Mountain", "Shahrisabz Heritage"),
    ("Silk Road MICE", "ООО «Шахрисабз Отель"), ("Kolsai Charyn", "ООО «Шахрисабз Отель"),
    ("Kegen Wool", "Kitob Crafts"), ("ТОО «ЭнергоЭффект", "Koson Parranda"),
    ("ТОО «Мясокомбинат", "ООО «Чиракчи Чорва»"), ("ТОО «Агрофирма Кегень»", "ООО «Касби Агро»"),
    ("Uzynagash Feed", "ООО «Касби Агро»"), ("Uzynagash Feed", "Koson Oil"),
    ("ТОО «Алматинская биофабрика", "Qarshi Dairy Products"), ("ТОО «Алматинская биофабрика", "Shahrisabz Milk"),
    ("Shelek Canning", "ООО «Китоб Консерва»"), ("Konaev Juice", "Shahrisabz Pomegranate"),
    ("ТОО «Кондитерская фабрика", "ООО «Шахрисабз Сухофрукт»"), ("ТОО «Кондитерская фабрика", "Kitob Nut"),
    ("Alatau Trade House", "ООО «Шахрисабз Сухофрукт»"), ("Alatau Trade House", "Qashqa Trade House"),
    ("Alatau Trade House", "ООО «Китоб Консерва»"), ("Almaty AgroTech", "Qashqa IT Hub"),
    ("Almaty Region Agri Leasing", "Beshkent Agro Machinery"), ("ТОО «Есик Текстиль", "ООО «Яккабог Тикув»"),
    ("ТОО «Есик Текстиль", "Kitob Textile Cluster"), ("Jetisu Agro Ventures", "Kashkadarya Invest"),
    ("Jetisu Agro Ventures", "Shahrisabz Pomegranate"), ("Jetisu Agro Ventures", "Qarshi Industrial Park"),
    ("Almaty Region Agri Leasing", "АКБ «Насаф Инвест Банк»"), ("Almaty Fresh", "G'uzor Qovun"),
    ("Talgar Berry", "Nishon Agro Cold"),
]


def _csv_profiles(path: Path) -> tuple[list[Profile], list[str]]:
    """Profiles (ids 1..n) of a CSV in the demo/import format, and each row's name."""
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    profiles = [
        Profile(id=i, delegation=r["delegation"], country=r["country"],
                sectors=tuple(s for s in r["sectors"].split(";") if s), offers=r["offers"], needs=r["needs"],
                description=r.get("description", ""), languages=tuple(c for c in r["languages"].split(";") if c))
        for i, r in enumerate(rows, start=1)
    ]
    return profiles, [r["name"] for r in rows]


def demo_profiles() -> tuple[list[Profile], dict[str, int]]:
    profiles, names = _csv_profiles(DEMO_CSV)
    return profiles, {name: i for i, name in enumerate(names, start=1)}


def _by_prefix(names: dict[str, int], prefix: str) -> int:
    found = [i for name, i in names.items() if name.startswith(prefix)]
    if len(found) != 1:
        raise KeyError(f"{prefix!r} names {len(found)} companies")
    return found[0]


def demo_truth() -> tuple[list[Profile], dict[int, set[int]]]:
    profiles, names = demo_profiles()
    truth: dict[int, set[int]] = {}
    for a, b in DEMO_PAIRS:
        ia, ib = _by_prefix(names, a), _by_prefix(names, b)
        truth.setdefault(ia, set()).add(ib)
        truth.setdefault(ib, set()).add(ia)
    return profiles, truth


def precision_recall(recs: dict[int, list[Recommendation]], truth: dict[int, set[int]]) -> tuple[float, float]:
    """(mean precision@5, mean recall@10) over companies with at least one planted partner."""
    p5, r10 = [], []
    for company, partners in truth.items():
        if partners:
            ids = [r.partner_id for r in recs.get(company, [])]
            p5.append(len(set(ids[:5]) & partners) / 5)
            r10.append(len(set(ids[:10]) & partners) / len(partners))
    return float(np.mean(p5)), float(np.mean(r10))


_CLAIMS = (ReasonKind.YOU_NEED, ReasonKind.THEY_NEED)


def claim_stats(recs: dict[int, list[Recommendation]], needs_what_offers: set[tuple[int, int]],
                planted: dict[int, set[int]]) -> tuple[int, int, int, int]:
    """(need/offer reasons shown, those whose need side needs nothing the offer side offers, planted
    pairs in the lists, those with a true need/offer reason). ``needs_what_offers``: (a, b) where a needs
    what b offers."""
    claims = false = shown = backed = 0
    for viewer, lst in recs.items():
        for rec in lst:
            true_claim = False
            for reason in rec.reasons:
                if reason.kind in _CLAIMS:
                    claims += 1
                    pair = (viewer, rec.partner_id) if reason.kind is ReasonKind.YOU_NEED else (rec.partner_id, viewer)
                    if pair in needs_what_offers:
                        true_claim = True
                    else:
                        false += 1
            if rec.partner_id in planted.get(viewer, ()):
                shown += 1
                backed += true_claim
    return claims, false, shown, backed


def pair_recall(recs: dict[int, list[Recommendation]], truth: dict[int, set[int]], k: int) -> float:
    """Share of labelled (company, partner) pairs with the partner in the company's top k."""
    hits = total = 0
    for company, partners in truth.items():
        top = {r.partner_id for r in recs.get(company, [])[:k]}
        hits += len(top & partners)
        total += len(partners)
    return hits / total


# --- quality -------------------------------------------------------------------------------------------

SEEDS = (11, 12, 13)
N_QUALITY = 400


def _config(weights: Weights, mode: CrossDelegation = CrossDelegation.PREFER) -> MatchingConfig:
    return MatchingConfig(weights=weights, cross_delegation=mode, affinity=DEFAULT_AFFINITY, top_k=10)


def _measure(config: MatchingConfig, tuning: Tuning, forums: list[tuple[list[Profile], dict[int, set[int]]]],
             demo: tuple[list[Profile], dict[int, set[int]]]) -> tuple[float, float, float, float]:
    scores = [precision_recall(build_index(p, config, tuning=tuning).recommend(k=10), t) for p, t in forums]
    demo_recs = build_index(demo[0], config, tuning=tuning).recommend(k=10)
    p5, r10 = np.mean(scores, axis=0)
    return float(p5), float(r10), pair_recall(demo_recs, demo[1], 5), pair_recall(demo_recs, demo[1], 10)


def quality(blind: Path | None = BLIND_DIR) -> None:
    forums = [planted_forum(N_QUALITY, seed) for seed in SEEDS]
    sizes = [len(v) for _, t in forums for v in t.values()]
    print(f"synthetic: {len(SEEDS)} seeds x {N_QUALITY} companies, planted partners per company: "
          f"mean {np.mean(sizes):.1f}, median {np.median(sizes):.0f}; demo: {len(DEMO_PAIRS)} labelled pairs")
    demo = demo_truth()
    base = DEFAULT_TUNING
    text = base.text

    def row(label: str, config: MatchingConfig, tuning: Tuning) -> None:
        p5, r10, d5, d10 = _measure(config, tuning, forums, demo)
        print(f"| {label:<58} | {p5:.3f} | {r10:.3f} | {d5:.3f} | {d10:.3f} |", flush=True)

    header = f"| {'variant':<58} | P@5   | R@10  | demoR@5 | demoR@10 |"
    rule = "|" + "-" * 60 + "|-------|-------|---------|----------|"

    print("\n1. Text features, complementarity only (weights 1/0/0/0, ONLY: cross-delegation pairs only)")
    print(header + "\n" + rule)
    comp_only = _config(Weights(1, 0, 0, 0), CrossDelegation.ONLY)
    plain = replace(text, lexicon=False, stem=0)
    variants = [
        ("word, no transliteration, no lexicon", replace(plain, analyzer="word", transliterate=False)),
        ("word, transliteration, no lexicon", replace(plain, analyzer="word")),
        ("word + 6-letter stems, transliteration, no lexicon", replace(plain, analyzer="word", stem=6)),
        ("char_wb 3-5, no transliteration, no lexicon", replace(plain, analyzer="char_wb", transliterate=False)),
        ("char_wb 3-5, transliteration, no lexicon", replace(plain, analyzer="char_wb")),
        ("word + char_wb, transliteration, no lexicon", replace(plain, analyzer="both")),
    ]
    for beta in (0.3, 0.5, 0.6, 0.7, 0.85):
        variants.append((f"word + lexicon (concept weight {beta})",
                         replace(text, analyzer="word", stem=0, concept_weight=beta)))
        variants.append((f"char_wb + lexicon (concept weight {beta})",
                         replace(text, analyzer="char_wb", stem=0, concept_weight=beta)))
    variants += [
        ("word + char_wb + lexicon (0.7)", replace(text, analyzer="both", stem=0)),
        ("word + 6-letter stems + lexicon (0.7) = defaults", text),
        ("defaults, no transliteration", replace(text, transliterate=False)),
        ("defaults, no buyer-intent rule", replace(text, buyer_intent=False)),
        ("defaults, no IDF (TF only)", replace(text, use_idf=False)),
        ("defaults, exact IDF (no power-of-two buckets)", replace(text, idf_log2_buckets=False)),
        ("defaults, max_df 1.0 (keep all terms)", replace(text, max_df=1.0)),
        ("defaults, max_df 0.2", replace(text, max_df=0.2)),
        ("defaults + description (weight 0.3)", replace(text, description_weight=0.3)),
        ("defaults, no context spans (context_weight 1)", replace(text, context_weight=1.0)),
        ("defaults, broad concepts at full weight", replace(text, broad_weight=1.0)),
        ("defaults, weak_floor 1 (weighted rows never re-normalised)", replace(text, weak_floor=1.0)),
        ("defaults, weak_floor 0 (weighted rows all unit length)", replace(text, weak_floor=0.0)),
    ]
    for label, options in variants:
        row(label, comp_only, replace(base, text=options))

    print("\n2. Combining the two directions: (max + m * min) / (1 + m), complementarity only, ONLY")
    print(header + "\n" + rule)
    for m in (0.0, 0.25, 0.5, 1.0):
        row(f"m = {m}", comp_only, replace(base, min_share=m))

    print("\n3. Weights (complementarity / sector / cross-delegation / language), PREFER, default text options")
    print(header + "\n" + rule)
    grid = [
        (1, 0, 0, 0), (0.9, 0, 0.1, 0), (0.8, 0, 0.2, 0), (0.75, 0, 0.25, 0), (0.7, 0, 0.3, 0), (0.65, 0, 0.35, 0),
        (0.6, 0, 0.4, 0), (0.7, 0.05, 0.25, 0), (0.65, 0.05, 0.3, 0), (0.6, 0.05, 0.35, 0), (0.6, 0.1, 0.3, 0),
        (0.55, 0.1, 0.35, 0), (0.5, 0.1, 0.4, 0), (0.6, 0.2, 0.2, 0), (0.5, 0.2, 0.3, 0),
        (0.65, 0.05, 0.25, 0.05), (0.6, 0.05, 0.3, 0.05), (0.55, 0.1, 0.3, 0.05), (0.6, 0.1, 0.25, 0.05),
        (0.6, 0.1, 0.2, 0.1), (0.6, 0.2, 0.1, 0.1), (0.5, 0.2, 0.2, 0.1), (0.4, 0.3, 0.2, 0.1),
    ]
    for w in grid:
        row("/".join(map(str, w)), _config(Weights(*w)), base)
    print("\n4. Language part: any shared language vs Jaccard, default weights")
    print(header + "\n" + rule)
    for language in ("any", "jaccard"):
        row(f"language = {language}", _config(DEFAULT_WEIGHTS), replace(base, language=language))
    print("\n5. Defaults under each cross-delegation mode")
    print(header + "\n" + rule)
    for mode in CrossDelegation:
        row(f"DEFAULT_WEIGHTS, {mode.value}", _config(DEFAULT_WEIGHTS, mode), base)

    print("\n6. Reasons: need/offer claims (DEFAULT_WEIGHTS, PREFER). false = share of shown claims whose need "
          "side needs\n   no item the offer side offers; backed = share of planted pairs in a top 10 with a true "
          "claim")
    print(f"| {'variant':<58} | P@5   | R@10  | false | backed | demoR@5 |")
    print("|" + "-" * 60 + "|-------|-------|-------|--------|---------|")
    directed = [complementary_pairs(N_QUALITY, seed) for seed in SEEDS]
    demo_config = _config(DEFAULT_WEIGHTS)

    def claims_row(label: str, tuning: Tuning) -> None:
        stats = np.zeros(4)
        scores = []
        for (profiles, truth), pairs in zip(forums, directed, strict=True):
            recs = build_index(profiles, demo_config, tuning=tuning).recommend(k=10)
            scores.append(precision_recall(recs, truth))
            stats += claim_stats(recs, pairs, truth)
        p5, r10 = np.mean(scores, axis=0)
        d5 = pair_recall(build_index(demo[0], demo_config, tuning=tuning).recommend(k=10), demo[1], 5)
        print(f"| {label:<58} | {p5:.3f} | {r10:.3f} | {stats[1] / max(stats[0], 1):.3f} | "
              f"{stats[3] / max(stats[2], 1):.3f}  | {d5:.3f}   |", flush=True)

    no_threshold = replace(base, claim_threshold=0.0)
    claims_rows = [
        ("no context, no broad weight, no floor, no threshold",
         replace(no_threshold, text=replace(text, context_weight=1.0, broad_weight=1.0, weak_floor=1.0))),
        ("no context spans (context_weight 1), no threshold",
         replace(no_threshold, text=replace(text, context_weight=1.0))),
        ("broad concepts at full weight, no threshold", replace(no_threshold, text=replace(text, broad_weight=1.0))),
    ]
    for cw in (0.2, 0.3, 0.5):
        claims_rows.append((f"context_weight {cw}", replace(base, text=replace(text, context_weight=cw))))
    for bw in (0.2, 0.4, 0.7):
        claims_rows.append((f"broad_weight {bw}", replace(base, text=replace(text, broad_weight=bw))))
    for floor in (0.0, 0.6, 0.8, 1.0):
        claims_rows.append((f"weak_floor {floor}", replace(base, text=replace(text, weak_floor=floor))))
    for threshold in (0.0, 0.1, 0.15, 0.2, 0.25, 0.3):
        claims_rows.append((f"claim_threshold {threshold}", replace(base, claim_threshold=threshold)))
    for label, tuning in claims_rows:
        claims_row(label, tuning)

    if blind is not None and (blind / "companies.csv").exists() and (blind / "pairs.json").exists():
        print(f"\n7. Blind set {blind} (seen during development; DEFAULT_WEIGHTS, PREFER, k=10): "
              "recall over both lookups of each pair;\n   claims on unlisted pairs are counted false, though "
              "some are sound")
        print(f"| {'variant':<58} | R@5   | R@10  | claims | false | backed |")
        print("|" + "-" * 60 + "|-------|-------|--------|-------|--------|")
        for label, tuning in (("defaults", base), ("defaults, no claim threshold", no_threshold)):
            r5, r10, (claims, false, shown, backed) = blind_quality(blind, tuning)
            print(f"| {label:<58} | {r5:.3f} | {r10:.3f} | {claims:>6} | {false / max(claims, 1):.3f} | "
                  f"{backed}/{shown}  |", flush=True)


def blind_quality(directory: Path, tuning: Tuning) -> tuple[float, float, tuple[int, int, int, int]]:
    """(recall@5, recall@10, claim_stats) of a labelled set: companies.csv and pairs.json of [need company,
    offer company] names; both lookups of each pair count (the need side's list and the offer side's)."""
    profiles, names = _csv_profiles(directory / "companies.csv")
    ids = {name: i for i, name in enumerate(names, start=1)}
    pairs = [(ids[a], ids[b]) for a, b in json.loads((directory / "pairs.json").read_text(encoding="utf-8"))]
    recs = build_index(profiles, _config(DEFAULT_WEIGHTS), tuning=tuning).recommend(k=10)
    ranks = []
    for need, offer in pairs:
        for viewer, partner in ((need, offer), (offer, need)):
            listed = [r.partner_id for r in recs[viewer]]
            ranks.append(listed.index(partner) + 1 if partner in listed else None)
    planted: dict[int, set[int]] = {}
    for a, b in pairs:
        planted.setdefault(a, set()).add(b)
        planted.setdefault(b, set()).add(a)
    r5 = sum(1 for r in ranks if r is not None and r <= 5) / len(ranks)
    r10 = sum(1 for r in ranks if r is not None) / len(ranks)
    return r5, r10, claim_stats(recs, set(pairs), planted)


# --- speed ---------------------------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_size(n: int) -> dict[str, float]:
    profiles, _ = planted_forum(n, seed=1, with_truth=False)
    config = _config(DEFAULT_WEIGHTS)
    start = time.perf_counter()
    index = build_index(profiles, config)
    built = time.perf_counter()
    recs = index.recommend(k=10)
    done = time.perf_counter()
    reasons = sum(len(r.reasons) for lists in recs.values() for r in lists)
    return {"n": n, "build_s": built - start, "recommend_s": done - built, "total_s": done - start,
            "recommendations": sum(map(len, recs.values())), "reasons": reasons, "peak_rss_mb": _peak_rss_mb()}


def one_edit(n: int) -> dict[str, float]:
    profiles, _ = planted_forum(n, seed=1, with_truth=False)
    config = _config(DEFAULT_WEIGHTS)
    stored = {c: [(r.partner_id, r.score) for r in lst] for c, lst in build_index(profiles, config).recommend().items()}
    changed = profiles[n // 2]
    edited = replace(changed, needs="Нужна многослойная барьерная плёнка для упаковки молока, 40 т в месяц; "
                                    "reefer trucks to Almaty")
    profiles = [edited if p.id == changed.id else p for p in profiles]
    start = time.perf_counter()
    index = build_index(profiles, config)
    built = time.perf_counter()
    affected = index.affected_by(changed.id, stored, previous=changed)
    found = time.perf_counter()
    index.recommend({changed.id} | affected)
    done = time.perf_counter()
    return {"n": n, "rebuild_s": built - start, "affected_by_s": found - built, "affected": len(affected),
            "recommend_s": done - found, "total_s": done - start, "peak_rss_mb": _peak_rss_mb()}


def _subprocess(flag: str, n: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, flag, str(n)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--edit-size", type=int, default=10000)
    parser.add_argument("--quality", action="store_true", help="print the evaluation tables instead")
    parser.add_argument("--blind", type=Path, default=None,
                        help="a labelled set to evaluate with --quality if present (companies.csv, pairs.json); "
                             f"default {BLIND_DIR}")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--one-edit", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one_size(args.one)))
        return
    if args.one_edit:
        print(json.dumps(one_edit(args.one_edit)))
        return
    if args.quality:
        quality(args.blind or BLIND_DIR)
        return
    print(f"{'N':>7} {'build s':>8} {'recommend s':>12} {'total s':>8} {'recs':>8} {'reasons':>8} {'peak RSS MB':>12}")
    for n in args.sizes:
        r = _subprocess("--one", n)
        print(f"{r['n']:>7} {r['build_s']:>8.2f} {r['recommend_s']:>12.2f} {r['total_s']:>8.2f} "
              f"{r['recommendations']:>8} {r['reasons']:>8} {r['peak_rss_mb']:>12.0f}", flush=True)
    if args.edit_size:
        r = _subprocess("--one-edit", args.edit_size)
        print(f"\nedit at N={r['n']}: rebuild {r['rebuild_s']:.2f} s + affected_by {r['affected_by_s']:.3f} s "
              f"({r['affected']} affected) + recommend {r['recommend_s']:.2f} s = {r['total_s']:.2f} s; "
              f"peak RSS {r['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
