"""Small builders for the matching tests: profiles and configs with sensible defaults."""

from __future__ import annotations

from itertools import count

from forum.matching import DEFAULT_AFFINITY, CrossDelegation, MatchingConfig, Profile, Weights

ALMATY = ("Almaty Region (Kazakhstan)", "Kazakhstan")
KASHKADARYA = ("Kashkadarya Region (Uzbekistan)", "Uzbekistan")
_ids = count(1000)


def company(*, id: int | None = None, side: tuple[str, str] = ALMATY, sectors: tuple[str, ...] = (),
            offers: str = "", needs: str = "", description: str = "", languages: tuple[str, ...] = ()) -> Profile:
    return Profile(id=next(_ids) if id is None else id, delegation=side[0], country=side[1], sectors=sectors,
                   offers=offers, needs=needs, description=description, languages=languages)


def config(weights: Weights | None = None, mode: CrossDelegation = CrossDelegation.PREFER, top_k: int = 10,
           affinity: dict | None = None) -> MatchingConfig:
    from forum.matching import DEFAULT_WEIGHTS

    return MatchingConfig(weights=weights or DEFAULT_WEIGHTS, cross_delegation=mode,
                          affinity=DEFAULT_AFFINITY if affinity is None else affinity, top_k=top_k)
