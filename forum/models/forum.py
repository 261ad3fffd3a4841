"""The event itself, the delegations that come to it, and the sector taxonomy."""

from __future__ import annotations

import functools
from datetime import date, datetime

from flask_babel import force_locale, gettext
from sqlalchemy import DDL, BigInteger, Date, Integer, String, Text, event, select
from sqlalchemy.orm import Mapped, column_property, mapped_column

from forum.extensions import db
from forum.models.types import UTCDateTime, utcnow

FORUM_NAME_MAX = 160
DELEGATION_NAME_MAX = 120
COUNTRY_MAX = 80
SECTOR_KEY_MAX = 40
SECTOR_LABEL_MAX = 80




def N_(text: str) -> str:
    """Marks a string for the catalogs without translating it here (pybabel extract -k N_)."""
    return text


# The starting taxonomy. The first migration seeds the same rows (a frozen copy, as migrations must be);
# this list serves databases built without migrations, i.e. the test suite, and `demo`. The labels are
# stored in English and shown translated (Sector.name).
DEFAULT_SECTORS: list[tuple[str, str]] = [
    ("agriculture", N_("Agriculture")),
    ("fruit-vegetables", N_("Fruit & vegetables")),
    ("dairy", N_("Dairy")),
    ("food-processing", N_("Food processing")),
    ("packaging", N_("Packaging")),
    ("industry", N_("Industry & manufacturing")),
    ("textiles", N_("Textiles")),
    ("construction-materials", N_("Construction materials")),
    ("logistics", N_("Logistics & transport")),
    ("tourism", N_("Tourism & hospitality")),
    ("trade", N_("Trade")),
    ("investment", N_("Investment & finance")),
    ("technology", N_("Technology transfer & IT")),
    ("energy", N_("Energy")),
]
_DEFAULT_LABELS = dict(DEFAULT_SECTORS)


def sector_name(key: str, label: str) -> str:
    """A sector's label in the reader's language. A default sector's label is translated; a label an
    organizer added or changed is shown as written (no catalog knows it)."""
    return gettext(label) if _DEFAULT_LABELS.get(key) == label else label


@functools.lru_cache(maxsize=256)
def sector_names(key: str, label: str) -> frozenset[str]:
    """The label in every interface language, for search and imports. Cached: the catalogs are fixed for
    the process, and a directory search asks for every sector's names (about 1 ms uncached)."""
    from forum.i18n import LANGUAGES

    if _DEFAULT_LABELS.get(key) != label:
        return frozenset({label})
    names = {label}
    for code in LANGUAGES:
        with force_locale(code):
            names.add(gettext(label))
    return frozenset(names)


class Forum(db.Model):
    """One investment forum. The platform serves one forum at a time (the first row)."""

    __tablename__ = "forum"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(FORUM_NAME_MAX))
    city: Mapped[str] = mapped_column(String(120), default="")
    venue: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    # IANA name; times are stored in UTC and shown in this zone.
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Tashkent")
    description: Mapped[str] = mapped_column(Text, default="")
    # The agenda's rules, set by the organizers.
    slot_minutes: Mapped[int] = mapped_column(Integer, default=20)
    # Pending requests expire, so that an unanswered one never blocks a slot for ever.
    request_expiry_hours: Mapped[int] = mapped_column(Integer, default=72)
    # None: no cap.
    max_meetings_per_company: Mapped[int | None] = mapped_column(Integer)
    max_pending_per_company: Mapped[int | None] = mapped_column(Integer)
    # Bumped by every change to the agenda: a form carries the version it was shown, so that two
    # organizers editing at once cannot overwrite each other unseen (optimistic locking).
    agenda_version: Mapped[int] = mapped_column(Integer, default=0)
    # None until the organizers publish; participants see the agenda only once it is published.
    agenda_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Forum {self.name!r}>"


class Delegation(db.Model):
    """A regional delegation, e.g. "Almaty Region (Kazakhstan)"."""

    __tablename__ = "delegation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(DELEGATION_NAME_MAX), unique=True)
    country: Mapped[str] = mapped_column(String(COUNTRY_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Delegation {self.name!r}>"


class Sector(db.Model):
    """One entry of the sector taxonomy; ``key`` is stable, ``label`` is what people read."""

    __tablename__ = "sector"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(SECTOR_KEY_MAX), unique=True)
    label: Mapped[str] = mapped_column(String(SECTOR_LABEL_MAX))
    position: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def name(self) -> str:
        """What readers see: the label in their language (``label`` is the stored one)."""
        return sector_name(self.key, self.label)

    def __repr__(self) -> str:
        return f"<Sector {self.key}>"


class ContentVersion(db.Model):
    """One row whose ``value`` changes with every committed write to what pages show (companies, requests,
    the agenda, matches, ...): the key of the page-fragment cache (forum/cache.py), so that every app server
    and worker drops a cached fragment at the same moment, whatever the cache lives in.

    A random value, not a counter: a database restored from a backup brings back an old value, and a
    counter would then name fragments cached for other contents."""

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


# Read with the forum's row, which every page loads anyway: one query fewer per cached page. A commit
# expires the row, so the next read after a write sees the new version.
Forum.content_version = column_property(
    select(ContentVersion.value).where(ContentVersion.id == 1).scalar_subquery())

# create_all() (tests, `flask init-db`) gets the one row that migration 0008 inserts.
event.listen(ContentVersion.__table__, "after_create",
             DDL("INSERT INTO content_version (id, value) VALUES (1, 1)"))
