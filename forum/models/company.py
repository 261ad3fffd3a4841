"""Companies and their sector profile: what they offer and what they need."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Enum,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.forum import COUNTRY_MAX, Delegation, Sector
from forum.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from forum.models.user import User

# Field limits: the forms, the CSV importer and the columns all read these.
NAME_MAX = 200
CITY_MAX = 120
OFFERS_MAX = 2000
NEEDS_MAX = 2000
DESCRIPTION_MAX = 4000
WEBSITE_MAX = 255
CONTACT_NAME_MAX = 120
EMAIL_MAX = 254
PHONE_MAX = 40
MAX_SECTORS = 6


class CompanySize(enum.StrEnum):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


company_sector = Table(
    "company_sector",
    db.metadata,
    Column("company_id", ForeignKey("company.id", ondelete="CASCADE"), primary_key=True),
    Column("sector_id", ForeignKey("sector.id", ondelete="CASCADE"), primary_key=True),
)


def name_key(name: str) -> str:
    """The identity of a company name within a delegation: case and spacing do not matter."""
    return " ".join(name.split()).casefold()


class Company(db.Model):
    __tablename__ = "company"
    __table_args__ = (UniqueConstraint("delegation_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    # Case folding can triple a name's length ("ﬃ" -> "ffi"), hence the wider column.
    name_key: Mapped[str] = mapped_column(String(3 * NAME_MAX))
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id"), index=True)
    country: Mapped[str] = mapped_column(String(COUNTRY_MAX))
    city: Mapped[str] = mapped_column(String(CITY_MAX), default="")
    offers: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[CompanySize | None] = mapped_column(
        Enum(CompanySize, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    website: Mapped[str] = mapped_column(String(WEBSITE_MAX), default="")
    # ISO 639-1 codes, see forum.languages.
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_name: Mapped[str] = mapped_column(String(CONTACT_NAME_MAX), default="")
    contact_email: Mapped[str] = mapped_column(String(EMAIL_MAX), default="")
    contact_phone: Mapped[str] = mapped_column(String(PHONE_MAX), default="")
    # Opted out: listed for the record but never recommended or offered meetings.
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    # An organizer deactivates a company that withdrew: it leaves the directory, the matches and the
    # agenda, but its history (requests, meetings) stays for the report.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on every profile change; recommendations are cached against it.
    profile_version: Mapped[int] = mapped_column(Integer, default=1)
    # Case-folded text for the directory search: SQLite's lower() only knows ASCII,
    # and delegates search in Russian too.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    delegation: Mapped[Delegation] = relationship(lazy="joined")
    sectors: Mapped[list[Sector]] = relationship(secondary=company_sector, order_by=Sector.position)
    delegates: Mapped[list[User]] = relationship(back_populates="company", order_by="User.id")

    def __repr__(self) -> str:
        return f"<Company {self.name!r}>"
