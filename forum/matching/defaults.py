"""Default weights, value-chain affinities and tuning, chosen by the evaluation in
tests/benchmarks/bench_matching.py --quality (numbers in the comments below)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from forum.matching.types import Affinity, Weights
from forum.matching.vectorize import TextOptions

# Chosen by `bench_matching.py --quality` (synthetic P@5 / R@10 over 3 x 400 companies, PREFER; recall@5 /
# @10 of 65 hand-labelled pairs of the demo CSV), maximising the mean of the four among weightings where
# every part counts:  0.6/0.05/0.3/0.05 -> 0.950 / 0.799 / 0.992 / 1.000 (first version: 0.852 / 0.690 /
# 0.977 / 0.992; the text features improved since, the ranking of the weightings did not change).
# The best overall, 0.6/0/0.4/0 -> 0.959 / 0.813 / 0.992 / 1.000, ignores sectors and languages: the
# organizers' affinity table would do nothing and companies with thin texts would get no one. Sector
# weight costs precision fast (0.6/0.2/0.2/0 -> 0.856 P@5): same-sector competitors crowd the list.
# The cross-delegation weight must be large under PREFER: 0.9/0/0.1/0 -> 0.677 P@5, 0.7/0/0.3/0 -> 0.945.
DEFAULT_WEIGHTS = Weights(complementarity=0.6, sector=0.05, cross_delegation=0.3, language=0.05)


def _pairs(*rows: tuple[str, str, float]) -> dict[frozenset[str], float]:
    return {frozenset((a, b)): strength for a, b, strength in rows}


# Related sectors along value chains (supplier <-> user, producer <-> carrier/buyer). Organizers edit this;
# strengths are in (0, 1]: 1 would make the two sectors as good as the same one.
DEFAULT_AFFINITY: Affinity = _pairs(
    # food chain: field -> processing -> packaging -> transport -> trade
    ("agriculture", "fruit-vegetables", 0.8),
    ("agriculture", "dairy", 0.7),
    ("agriculture", "food-processing", 0.6),
    ("agriculture", "technology", 0.6),  # irrigation, drones, seeds, farm software
    ("agriculture", "trade", 0.4),
    ("agriculture", "textiles", 0.4),  # cotton, wool
    ("agriculture", "energy", 0.3),  # biogas, solar pumping
    ("agriculture", "investment", 0.3),
    ("agriculture", "logistics", 0.3),
    ("fruit-vegetables", "food-processing", 0.7),
    ("fruit-vegetables", "logistics", 0.6),  # cold chain, reefers
    ("fruit-vegetables", "packaging", 0.6),  # boxes, crates
    ("fruit-vegetables", "trade", 0.6),
    ("dairy", "food-processing", 0.8),
    ("dairy", "packaging", 0.6),  # films, cartons, bottles
    ("dairy", "technology", 0.4),  # starter cultures, lines
    ("dairy", "logistics", 0.4),
    ("food-processing", "packaging", 0.7),
    ("food-processing", "trade", 0.5),
    ("food-processing", "logistics", 0.4),
    ("food-processing", "industry", 0.4),
    ("food-processing", "investment", 0.4),
    ("packaging", "industry", 0.6),  # polymers, paper, glass
    ("packaging", "trade", 0.3),
    ("textiles", "trade", 0.6),
    ("textiles", "industry", 0.5),
    ("textiles", "tourism", 0.2),  # crafts and souvenirs
    ("construction-materials", "industry", 0.6),
    ("construction-materials", "trade", 0.4),
    ("construction-materials", "investment", 0.4),
    ("construction-materials", "logistics", 0.3),
    ("construction-materials", "energy", 0.3),
    ("energy", "industry", 0.6),
    ("energy", "investment", 0.5),
    ("energy", "technology", 0.4),
    ("investment", "industry", 0.5),
    ("investment", "technology", 0.4),
    ("investment", "tourism", 0.3),
    ("industry", "technology", 0.4),
    ("industry", "logistics", 0.3),
    ("logistics", "trade", 0.6),
    ("tourism", "logistics", 0.4),
    ("tourism", "trade", 0.3),
)

DEFAULT_TEXT_OPTIONS = TextOptions()


@dataclass(frozen=True, slots=True)
class Tuning:
    """Knobs below the organizer's MatchingConfig: set by evaluation, not by forum."""

    text: TextOptions = field(default_factory=lambda: DEFAULT_TEXT_OPTIONS)
    # complementarity = (max(d1, d2) + min_share * min(d1, d2)) / (1 + min_share) over the two directions
    # (A's needs vs B's offers, B's needs vs A's offers): a one-way match counts, a two-way one a bit more.
    # Measured (complementarity only, ONLY, 3 x 400): 0 -> 0.867 P@5, 0.25 -> 0.866, 0.5 -> 0.863, 1 (the
    # mean) -> 0.850; 0 and 0.25 tie (also on 5 other seeds), and a two-way match is the better lead.
    min_share: float = 0.25
    # "any": 1 if the two share at least one language (they can talk without an interpreter);
    # "jaccard": |shared| / |union|, which punishes a company for speaking more languages. With the default
    # weights they tie (0.852 vs 0.853 P@5); with a larger language weight (0.6/0.2/0.1/0.1) "any" won,
    # 0.579 vs 0.527.
    language: Literal["any", "jaccard"] = "any"
    # A "you need X; they offer Y" reason is shown only when that direction's cosine (needs vs offers) is at
    # least this; a weaker direction still counts in the score (unless it is all a pair has to say). By
    # `bench_matching.py --quality` (6.), share of shown claims that are false / of planted pairs in a top
    # 10 with a true claim: 0 -> 0.109 / 0.997, 0.1 -> 0.092 / 0.996, 0.15 -> 0.060 / 0.994,
    # 0.2 -> 0.044 / 0.985, 0.25 -> 0.036 / 0.965, 0.3 -> 0.029 / 0.919: 0.2 is where true claims start
    # to go. (The first version, without context spans, broad concepts and threshold: 0.289 / 0.993.)
    claim_threshold: float = 0.2


DEFAULT_TUNING = Tuning()
