"""Partner matching as stored: the organizer's settings, the value-chain table, the computed
suggestions and the ones a company dismissed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.company import Company
from forum.models.forum import Sector
from forum.models.types import UTCDateTime, utcnow

# Weights are relative; this bound only keeps typos like 1000 from swamping every other part.
WEIGHT_MAX = 10.0


class MatchingSettings(db.Model):
    """The organizer's matching preferences. One row; a NULL weight means "the platform default",
    so better defaults found by later evaluation reach forums that never changed them."""

    __tablename__ = "matching_settings"
    __table_args__ = tuple(
        CheckConstraint(f"{name} IS NULL OR ({name} >= 0 AND {name} <= {WEIGHT_MAX})", name=f"{name}_range")
        for name in ("weight_complementarity", "weight_sector", "weight_cross_delegation", "weight_language")
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # forum.matching.CrossDelegation values: only, prefer, none.
    cross_delegation: Mapped[str] = mapped_column(String(16), default="prefer")
    weight_complementarity: Mapped[float | None] = mapped_column(Float)
    weight_sector: Mapped[float | None] = mapped_column(Float)
    weight_cross_delegation: Mapped[float | None] = mapped_column(Float)
    weight_language: Mapped[float | None] = mapped_column(Float)
    # Bumped on every change of settings or affinity: stored suggestions from an older
    # generation are stale.
    generation: Mapped[int] = mapped_column(Integer, default=1)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    computed_seconds: Mapped[float | None] = mapped_column(Float)


class SectorAffinity(db.Model):
    """Two sectors that are links of one value chain (dairy and packaging), and how strongly."""

    __tablename__ = "sector_affinity"
    __table_args__ = (
        # Each unordered pair once: the smaller id comes first.
        CheckConstraint("sector_a_id < sector_b_id", name="ordered_pair"),
        CheckConstraint("strength > 0 AND strength <= 1", name="strength_range"),
    )

    sector_a_id: Mapped[int] = mapped_column(ForeignKey("sector.id", ondelete="CASCADE"), primary_key=True)
    sector_b_id: Mapped[int] = mapped_column(ForeignKey("sector.id", ondelete="CASCADE"), primary_key=True)
    strength: Mapped[float] = mapped_column(Float, default=0.5)

    sector_a: Mapped[Sector] = relationship(foreign_keys=[sector_a_id], lazy="joined")
    sector_b: Mapped[Sector] = relationship(foreign_keys=[sector_b_id], lazy="joined")


class MatchSuggestion(db.Model):
    """One stored recommendation: ``partner`` is worth meeting for ``company``, with its reasons."""

    __tablename__ = "match_suggestion"

    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), primary_key=True,
                                            index=True)
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    # forum.matching.Reason fields as a list of dicts; rendered into sentences at display time,
    # in the reader's language.
    reasons: Mapped[list[dict]] = mapped_column(JSON, default=list)

    partner: Mapped[Company] = relationship(foreign_keys=[partner_id])


class MatchState(db.Model):
    """What a company's stored suggestions were computed from; a mismatch means recompute."""

    __tablename__ = "match_state"

    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), primary_key=True)
    profile_version: Mapped[int] = mapped_column(Integer)
    generation: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MatchDismissal(db.Model):
    """A suggestion a company marked "not interested": never suggested to it again."""

    __tablename__ = "match_dismissal"

    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), primary_key=True)
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner: Mapped[Company] = relationship(foreign_keys=[partner_id])
