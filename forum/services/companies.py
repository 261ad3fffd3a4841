"""Company profiles: create, update, find, and the public directory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, or_, select, text
from sqlalchemy.orm import selectinload

from forum.extensions import db
from forum.matching.vectorize import APOSTROPHES
from forum.models import (
    Company,
    CompanySize,
    Delegation,
    MeetingRequest,
    RequestStatus,
    Role,
    Sector,
    User,
    company_sector,
    name_key,
)
from forum.models.forum import sector_names
from forum.services.errors import NotFound, PermissionDenied, ServiceError
from forum.validation import fold_apostrophes


@dataclass
class CompanyProfile:
    """A validated company profile, as the forms and the importer hand it over."""

    name: str
    delegation_id: int
    country: str
    city: str = ""
    sector_ids: Sequence[int] = ()
    offers: str = ""
    needs: str = ""
    description: str = ""
    size: CompanySize | None = None
    website: str = ""
    languages: Sequence[str] = ()
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    opted_out: bool = False


# The condition of the partial index uq_meeting_request_open_pair, word for word: SQLite uses a partial
# index only when the query repeats its WHERE literally (status = ? is not enough), and without it looks
# a pair up by scanning every accepted request (5,000 at a large forum) on each company page.
OPEN_PAIR_INDEX_CONDITION = text("meeting_request.status IN ('requested', 'accepted')")

# The largest id an integer column holds on PostgreSQL; SQLite overflows a little later. A larger id
# (from a URL) is "no such company", not a database error.
MAX_ID = 2**31 - 1


def get_company(company_id: int) -> Company:
    if not 0 < company_id <= MAX_ID:
        raise NotFound(_("There is no such company."))
    company = db.session.get(Company, company_id)
    if company is None:
        raise NotFound(_("There is no such company."))
    return company


def find_by_name(name: str, delegation_id: int) -> Company | None:
    return db.session.scalar(
        select(Company).where(Company.delegation_id == delegation_id, Company.name_key == name_key(name))
    )


def can_edit(user: User | AnonymousUserMixin, company: Company) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.role == Role.ORGANIZER or user.company_id == company.id


def can_see_contacts(user: User | AnonymousUserMixin, company: Company) -> bool:
    """Its own people, organizers, and the people of a company with an accepted meeting with it: they
    need a phone number to find each other at the venue. One small query for the partner case."""
    if can_edit(user, company):
        return True
    own_id = getattr(user, "company_id", None)
    if not getattr(user, "is_authenticated", False) or own_id is None:
        return False
    low, high = sorted((own_id, company.id))
    return db.session.scalar(select(MeetingRequest.id).where(
        MeetingRequest.pair_low == low, MeetingRequest.pair_high == high,
        MeetingRequest.status == RequestStatus.ACCEPTED, OPEN_PAIR_INDEX_CONDITION).limit(1)) is not None


def _search_text(company: Company, sectors: Sequence[Sector]) -> str:
    parts = [company.name, company.city, company.country, company.offers, company.needs,
             company.description, company.delegation.name if company.delegation else ""]
    parts += [s.label for s in sectors]
    return " ".join(" ".join(parts).split()).casefold()


def apply_profile(company: Company, profile: CompanyProfile) -> bool:
    """Copy a validated profile onto a company and keep its derived columns true. Caller commits.

    Returns whether anything changed. ``profile_version`` moves only when something matching reads
    changed, so a new phone number does not make every stored recommendation stale.
    """
    with db.session.no_autoflush:
        return _apply_profile(company, profile)


# The fields partner matching reads; the rest (size, website, contacts) never change a match.
_MATCHING_FIELDS = ("name", "delegation_id", "country", "city", "offers", "needs", "description",
                    "languages", "opted_out", "sector_ids")
_OTHER_FIELDS = ("size", "website", "contact_name", "contact_email", "contact_phone")


def _state(source: Company | CompanyProfile, sector_ids: Sequence[int]) -> dict:
    state = {name: getattr(source, name) for name in _MATCHING_FIELDS + _OTHER_FIELDS
             if name not in ("languages", "sector_ids")}
    state["languages"] = sorted(set(source.languages))
    state["sector_ids"] = sorted(sector_ids)
    return state


def _apply_profile(company: Company, profile: CompanyProfile) -> bool:
    delegation = db.session.get(Delegation, profile.delegation_id)
    if delegation is None:
        raise ServiceError(_("Choose one of the listed delegations."), field="delegation")
    duplicate = find_by_name(profile.name, delegation.id)
    if duplicate is not None and duplicate is not company:
        raise ServiceError(
            _("A company called “%(name)s” is already registered in %(delegation)s.",
              name=profile.name, delegation=delegation.name),
            field="name",
        )
    sectors = list(db.session.scalars(select(Sector).where(Sector.id.in_(list(profile.sector_ids)))))
    if len(sectors) != len(set(profile.sector_ids)):
        raise ServiceError(_("Choose sectors from the list."), field="sectors")

    is_new = company.id is None
    before = None if is_new else _state(company, [s.id for s in company.sectors])
    after = _state(profile, [s.id for s in sectors])
    company.name = profile.name
    company.name_key = name_key(profile.name)
    company.delegation = delegation
    company.country = profile.country
    company.city = profile.city
    company.sectors = sorted(sectors, key=lambda s: s.position)
    company.offers = profile.offers
    company.needs = profile.needs
    company.description = profile.description
    company.size = profile.size
    company.website = profile.website
    company.languages = list(dict.fromkeys(profile.languages))
    company.contact_name = profile.contact_name
    company.contact_email = profile.contact_email
    company.contact_phone = profile.contact_phone
    company.opted_out = profile.opted_out
    company.search_text = _search_text(company, sectors)
    if is_new:
        return True
    if any(before[name] != after[name] for name in _MATCHING_FIELDS):
        company.profile_version = (company.profile_version or 1) + 1
    return before != after


def update_company(actor: User, company_id: int, profile: CompanyProfile) -> Company:
    company = get_company(company_id)
    if not can_edit(actor, company):
        raise PermissionDenied(_("You can only edit your own company."))
    # Imported here: the matching service builds on this module.
    from forum.services import matching

    version, before = company.profile_version, matching.profile_before_change(company)
    try:
        apply_profile(company, profile)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if company.profile_version != version:
        matching.refresh_companies({company.id: before})
    return company


MAX_PAGE = 100_000


@dataclass(frozen=True)
class DirectoryQuery:
    text: str = ""
    delegation_id: int | None = None
    sector_id: int | None = None
    page: int = 1


def _searchable(word: str):
    """The stored search text, with its apostrophes folded in SQL only when the word has one (a Uzbek
    "oʻ" typed as "o'"): the common search stays a plain LIKE."""
    column = Company.search_text
    if "'" in word:
        for apostrophe in APOSTROPHES.replace("'", ""):
            column = func.replace(column, apostrophe, "'")
    return column


def text_search(stmt: Select, text: str) -> Select:
    """Every word of ``text`` must appear in the company's profile, or name one of its sectors in any
    interface language: the stored search text holds the sector's English label only, and "сүт" should
    find the dairies too."""
    words = fold_apostrophes(text.casefold()).split()[:10]
    if not words:
        return stmt
    named = [(s.id, [fold_apostrophes(n.casefold()) for n in sector_names(s.key, s.label)])
             for s in db.session.scalars(select(Sector))]
    for word in words:
        found = _searchable(word).contains(word, autoescape=True)
        sector_ids = [sector_id for sector_id, names in named if any(word in name for name in names)]
        stmt = stmt.where(or_(found, Company.sectors.any(Sector.id.in_(sector_ids))) if sector_ids else found)
    return stmt


def search_directory(query: DirectoryQuery, per_page: int) -> Pagination:
    """The public company directory: every word of the text must appear somewhere in the profile."""
    # Deactivated companies withdrew from the forum: organizers still see them in their own list.
    stmt = (select(Company).where(Company.active.is_(True)).options(selectinload(Company.sectors))
            .order_by(Company.name_key, Company.id))
    stmt = text_search(stmt, query.text)
    if query.delegation_id:
        stmt = stmt.where(Company.delegation_id == query.delegation_id)
    if query.sector_id:
        stmt = stmt.where(Company.sectors.any(Sector.id == query.sector_id))
    # Capped: a page number past the database's integer range would otherwise fail the OFFSET.
    page = min(max(query.page, 1), MAX_PAGE)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def companies_per_delegation() -> list[tuple[Delegation, int]]:
    """Every delegation with its number of registered companies, largest first."""
    counts = (
        select(Delegation, func.count(Company.id))
        .outerjoin(Company, Company.delegation_id == Delegation.id)
        .group_by(Delegation.id)
        .order_by(func.count(Company.id).desc(), Delegation.name)
    )
    return [(delegation, count) for delegation, count in db.session.execute(counts)]


def sector_counts() -> list[tuple[Sector, int]]:
    counts = (
        select(Sector, func.count(company_sector.c.company_id))
        .join(company_sector, company_sector.c.sector_id == Sector.id)
        .group_by(Sector.id)
        .order_by(func.count(company_sector.c.company_id).desc(), Sector.position)
    )
    return [(sector, count) for sector, count in db.session.execute(counts)]
