"""The sector taxonomy and the delegations: reference data that lives in tables."""

from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.models import Delegation, Sector
from forum.models.forum import DEFAULT_SECTORS, sector_names
from forum.validation import fold_apostrophes


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
    """Sectors by case-folded key and by case-folded label in every interface language, for importers: an
    organizer in Tashkent may type "Молочная промышленность" for dairy."""
    lookup: dict[str, Sector] = {}
    for sector in all_sectors():
        lookup[sector.key.casefold()] = sector
        for name in sector_names(sector.key, sector.label):
            lookup.setdefault(name.casefold(), sector)
            # "Qishloq xo'jaligi" typed with a keyboard's apostrophe; the importer folds its cells the same way.
            lookup.setdefault(fold_apostrophes(name.casefold()), sector)
        lookup[sector.label.casefold()] = sector  # the stored label always wins
    return lookup


def find_delegation(name: str) -> Delegation | None:
    # Compared in Python: SQLite's lower() ignores Cyrillic, and there are only a handful of rows.
    wanted = " ".join(name.split()).casefold()
    return next((d for d in all_delegations() if d.name.casefold() == wanted), None)
