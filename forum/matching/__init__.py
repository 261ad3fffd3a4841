"""Partner matching: the pure domain core (numpy, scipy, scikit-learn only).

It takes plain data and returns plain data; it never imports Flask, SQLAlchemy or the app's
models (an import-linter contract in setup.cfg enforces this). No clock and no global state:
the same profiles and config always give the same recommendations.

    index = build_index(profiles, config)           # vectorize once
    index.recommend()                               # {company id: [Recommendation, ...]}
    index.affected_by(changed_id, stored_lists)     # whose stored lists to recompute after an edit
"""

from forum.matching.defaults import DEFAULT_AFFINITY, DEFAULT_TUNING, DEFAULT_WEIGHTS, Tuning
from forum.matching.recommend import MatchIndex, build_index, recommend_all
from forum.matching.types import (
    Affinity,
    CrossDelegation,
    MatchingConfig,
    Profile,
    Reason,
    ReasonKind,
    Recommendation,
    Weights,
)
from forum.matching.vectorize import TextOptions

__all__ = [
    "DEFAULT_AFFINITY",
    "DEFAULT_TUNING",
    "DEFAULT_WEIGHTS",
    "Affinity",
    "CrossDelegation",
    "MatchIndex",
    "MatchingConfig",
    "Profile",
    "Reason",
    "ReasonKind",
    "Recommendation",
    "TextOptions",
    "Tuning",
    "Weights",
    "build_index",
    "recommend_all",
]
