"""The sector taxonomy and the delegations: reference data that lives in tables."""

from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.models import Delegation, Sector

# The starting taxonomy. The first migration seeds the same rows (a frozen copy, as migrations must be);
# this list serves databases built without migrations, i.e. the test suite, and `demo`.
DEFAULT_SECTORS: list[tuple[str, str]] = [
    ("agriculture", "Agriculture"),
    ("fruit-vegetables", "Fruit & vegetables"),
    ("dairy", "Dairy"),
    ("food-processing", "Food processing"),
    ("packaging", "Packaging"),
    ("industry", "Industry & manufacturing"),
    ("textiles", "Textiles"),
    ("construction-materials", "Construction materials"),
    ("logistics", "Logistics & transport"),
    ("tourism", "Tourism & hospitality"),
    ("trade", "Trade"),
    ("investment", "Investment & finance"),
    ("technology", "Technology transfer & IT"),
    ("energy", "Energy"),
]


def ensure_default_sectors() -> None:
    """Add the default sectors that are missing; never touches edited labels. Caller commits."""
    existing = set(db.session.scalars(select(Sector.key)))
    for position, (key, label) in enumerate(DEFAULT_SECTORS):
        if key not in existing:
            db.session.add(Sector(key=key, label=label, position=position))


def all_sectors() -> list[Sector]:
    return list(db.session.scalars(select(Sector).order_by(Sector.position, Sector.label)))


def all_delegations() -> list[Delegation]:
    return list(db.session.scalars(select(Delegation).order_by(Delegation.name)))


def sector_lookup() -> dict[str, Sector]:
    """Sectors by case-folded key and by case-folded label, for importers."""
    lookup: dict[str, Sector] = {}
    for sector in all_sectors():
        lookup[sector.key.casefold()] = sector
        lookup[sector.label.casefold()] = sector
    return lookup


def find_delegation(name: str) -> Delegation | None:
    # Compared in Python: SQLite's lower() ignores Cyrillic, and there are only a handful of rows.
    wanted = " ".join(name.split()).casefold()
    return next((d for d in all_delegations() if d.name.casefold() == wanted), None)
