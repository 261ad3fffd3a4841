"""Plain data in and out of the matching core. No Flask, no database: the services convert."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Profile:
    """What the matcher knows of one company."""

    id: int
    delegation: str  # the delegation's display name, e.g. "Almaty Region (Kazakhstan)"
    country: str
    sectors: tuple[str, ...]  # sector keys, e.g. ("dairy", "food-processing")
    offers: str
    needs: str
    description: str = ""
    languages: tuple[str, ...] = ()  # ISO 639-1 codes of languages its delegates speak


class CrossDelegation(enum.StrEnum):
    """How much the organizer wants meetings between delegations rather than within one."""

    ONLY = "only"  # never recommend a company of one's own delegation
    PREFER = "prefer"  # a bonus (the cross_delegation weight) for another delegation
    NONE = "none"  # no preference at all


@dataclass(frozen=True, slots=True)
class Weights:
    """Relative weights of the score's parts; the score is their weighted mean, in [0, 1]."""

    complementarity: float
    sector: float
    cross_delegation: float
    language: float


class ReasonKind(enum.StrEnum):
    YOU_NEED = "you_need"  # the viewer needs what the partner offers
    THEY_NEED = "they_need"  # the partner needs what the viewer offers
    SAME_SECTOR = "same_sector"
    RELATED_SECTOR = "related_sector"  # along a value chain, from the affinity table
    SHARED_LANGUAGE = "shared_language"
    CROSS_DELEGATION = "cross_delegation"


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason, as data: the services turn it into a translated sentence.

    Only the fields of its kind are set:
    - YOU_NEED / THEY_NEED: ``mine`` and ``theirs`` are the phrases of the two texts that
      matched (the need and the offer), ``terms`` the terms that carried the match;
    - SAME_SECTOR: ``sectors`` = (key,); RELATED_SECTOR: ``sectors`` = (my key, their key);
    - SHARED_LANGUAGE: ``languages`` = the shared codes;
    - CROSS_DELEGATION: ``delegations`` = (mine, theirs) and ``cross_border`` if the countries differ.
    """

    kind: ReasonKind
    weight: float  # this reason's contribution to the score
    mine: str = ""
    theirs: str = ""
    terms: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    delegations: tuple[str, ...] = ()
    cross_border: bool = False


@dataclass(frozen=True, slots=True)
class Recommendation:
    partner_id: int
    score: float  # in [0, 1]
    reasons: tuple[Reason, ...]  # one to three, strongest first


# Related sectors along a value chain: unordered key pairs with a strength in (0, 1].
Affinity = Mapping[frozenset[str], float]


@dataclass(frozen=True, slots=True)
class MatchingConfig:
    weights: Weights
    cross_delegation: CrossDelegation = CrossDelegation.PREFER
    affinity: Affinity = field(default_factory=dict)
    top_k: int = 10
