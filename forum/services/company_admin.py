"""Companies and delegations for organizers: the list, adding, deactivating, opting out, CSV upload,
and acting for a company (requests made or answered on its behalf record the organizer who did it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from forum.extensions import db
from forum.models import Company, Delegation, MeetingRequest, RequestStatus, Role, Sector, User
from forum.models.forum import COUNTRY_MAX, DELEGATION_NAME_MAX
from forum.services import importer, matching, meetings
from forum.services.companies import MAX_PAGE, CompanyProfile, apply_profile, get_company, text_search
from forum.services.errors import NotFound, PermissionDenied, ServiceError
from forum.services.transaction import atomic
from forum.validation import clean_text

STATUSES = ("active", "deactivated", "opted_out")
# An upload larger than this is not a company list: the importer also caps the rows (IMPORT_MAX_ROWS).
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def _require_organizer(actor: User) -> None:
    if getattr(actor, "role", None) != Role.ORGANIZER:
        raise PermissionDenied(_("Only organizers can do this."))


# --- the list ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompanyListQuery:
    text: str = ""
    delegation_id: int | None = None
    sector_id: int | None = None
    status: str = ""
    page: int = 1


@dataclass(frozen=True)
class CompanyCounts:
    delegates: int = 0
    requests: int = 0  # open or answered requests it sent or received
    meetings: int = 0  # accepted


@dataclass
class CompanyListPage:
    page: Pagination
    counts: dict[int, CompanyCounts] = field(default_factory=dict)


def list_companies(query: CompanyListQuery, per_page: int) -> CompanyListPage:
    """Every company, deactivated and opted out too, with its counts; a fixed number of queries."""
    stmt = text_search(select(Company).options(selectinload(Company.sectors)).order_by(Company.name_key, Company.id),
                       query.text)
    if query.delegation_id:
        stmt = stmt.where(Company.delegation_id == query.delegation_id)
    if query.sector_id:
        stmt = stmt.where(Company.sectors.any(Sector.id == query.sector_id))
    if query.status == "active":
        stmt = stmt.where(Company.active.is_(True), Company.opted_out.is_(False))
    elif query.status == "deactivated":
        stmt = stmt.where(Company.active.is_(False))
    elif query.status == "opted_out":
        stmt = stmt.where(Company.opted_out.is_(True))
    page = db.paginate(stmt, page=min(max(query.page, 1), MAX_PAGE), per_page=per_page, error_out=False,
                       count=True)
    ids = [c.id for c in page.items]
    return CompanyListPage(page, company_counts(ids) if ids else {})


def company_counts(ids: list[int]) -> dict[int, CompanyCounts]:
    """The list's counts (delegates, requests, accepted meetings) of these companies, in three queries."""
    delegates = dict(db.session.execute(select(User.company_id, func.count()).where(User.company_id.in_(ids))
                                        .group_by(User.company_id)).all())
    requests: dict[int, int] = {}
    accepted: dict[int, int] = {}
    for column in (MeetingRequest.requester_id, MeetingRequest.recipient_id):
        rows = db.session.execute(
            select(column, func.count(), func.sum(case((MeetingRequest.status == RequestStatus.ACCEPTED, 1), else_=0)))
            .where(column.in_(ids)).group_by(column))
        for company_id, total, done in rows:
            requests[company_id] = requests.get(company_id, 0) + total
            accepted[company_id] = accepted.get(company_id, 0) + (done or 0)
    return {i: CompanyCounts(delegates.get(i, 0), requests.get(i, 0), accepted.get(i, 0)) for i in ids}


# --- changing a company --------------------------------------------------------------------------


def create_company(actor: User, profile: CompanyProfile) -> Company:
    """Register a company on behalf of its delegation (no delegate account yet). Commits."""
    _require_organizer(actor)
    company = Company()
    try:
        apply_profile(company, profile)
        db.session.add(company)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(_("A company with this name was registered a moment ago."), field="name") from None
    except Exception:
        db.session.rollback()
        raise
    matching.refresh_companies({company.id: None})
    return company


def change_company(actor: User, company_id: int, profile: CompanyProfile | None, active: bool | None) -> Company:
    """An organizer's change to a company's profile and/or whether it takes part, in one transaction: a
    refused profile (a taken name, an unknown sector) leaves the active state unchanged, and the other way
    round. Either change refreshes the match lists it touches, once."""
    _require_organizer(actor)
    company = get_company(company_id)
    version, before = company.profile_version, matching.profile_before_change(company)
    with atomic(_("A company with this name was registered a moment ago.")):
        if profile is not None:
            apply_profile(company, profile)
        if active is not None and company.active != active:
            company.active = active
            # Matching reads "active": the company leaves (or rejoins) the others' lists.
            company.profile_version = (company.profile_version or 1) + 1
    if company.profile_version != version:
        matching.refresh_companies({company.id: before})
    return company


def _toggle(actor: User, company_id: int, attribute: str, value: bool) -> Company:
    _require_organizer(actor)
    company = get_company(company_id)
    if getattr(company, attribute) == value:
        return company
    # Matching must know the profile as it was, to take the company out of (or into) others' lists.
    before = matching.profile_before_change(company)
    setattr(company, attribute, value)
    company.profile_version = (company.profile_version or 1) + 1
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    matching.refresh_companies({company.id: before})
    return company


def set_active(actor: User, company_id: int, active: bool) -> Company:
    """Deactivate (the company withdrew) or reactivate. Its requests and meetings stay for the record."""
    return change_company(actor, company_id, None, active)


def set_opted_out(actor: User, company_id: int, opted_out: bool) -> Company:
    return _toggle(actor, company_id, "opted_out", opted_out)


# --- CSV upload ----------------------------------------------------------------------------------


def import_upload(actor: User, data: bytes) -> importer.ImportResult:
    """The same all-or-nothing importer as ``flask import-companies``; a refusal of the whole file
    (encoding, header, size) is raised as ServiceError, bad rows come back in ``errors``."""
    _require_organizer(actor)
    if not data:
        raise ServiceError(_("Choose a CSV file to upload."), field="file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ServiceError(_("The file is larger than %(max)d MB; split it into smaller files.",
                             max=MAX_UPLOAD_BYTES // (1024 * 1024)), field="file")
    return importer.import_companies_csv(data)


# --- delegations ---------------------------------------------------------------------------------


def delegations_with_counts() -> list[tuple[Delegation, int, int]]:
    """Each delegation with its companies and delegates (accounts), by name."""
    companies = dict(db.session.execute(select(Company.delegation_id, func.count()).group_by(Company.delegation_id))
                     .all())
    delegates = dict(db.session.execute(select(Company.delegation_id, func.count(User.id))
                                        .join(User, User.company_id == Company.id)
                                        .group_by(Company.delegation_id)).all())
    return [(d, companies.get(d.id, 0), delegates.get(d.id, 0))
            for d in db.session.scalars(select(Delegation).order_by(Delegation.name))]


def _delegation_name(name: str, ignore_id: int | None = None) -> str:
    name = clean_text(name)
    if not name:
        raise ServiceError(_("Enter the delegation's name."), field="name")
    if len(name) > DELEGATION_NAME_MAX:
        raise ServiceError(_("Keep the name under %(max)d characters.", max=DELEGATION_NAME_MAX), field="name")
    taken = db.session.scalar(select(Delegation).where(func.lower(Delegation.name) == name.lower(),
                                                       Delegation.id != (ignore_id or 0)))
    if taken is None:  # SQLite's lower() is ASCII only: compare the rest in Python
        folded = name.casefold()
        taken = next((d for d in db.session.scalars(select(Delegation)) if d.id != ignore_id
                      and d.name.casefold() == folded), None)
    if taken is not None:
        raise ServiceError(_("A delegation called “%(name)s” already exists.", name=taken.name), field="name")
    return name


def add_delegation(actor: User, name: str, country: str) -> Delegation:
    _require_organizer(actor)
    name = _delegation_name(name)
    country = clean_text(country)
    if not country:
        raise ServiceError(_("Enter the delegation's country."), field="country")
    if len(country) > COUNTRY_MAX:
        raise ServiceError(_("Keep the country under %(max)d characters.", max=COUNTRY_MAX), field="country")
    delegation = Delegation(name=name, country=country)
    return _save_delegation(delegation)


def rename_delegation(actor: User, delegation_id: int, name: str) -> Delegation:
    _require_organizer(actor)
    delegation = db.session.get(Delegation, delegation_id) if 0 < delegation_id < 2**31 else None
    if delegation is None:
        raise NotFound(_("There is no such delegation."))
    delegation.name = _delegation_name(name, ignore_id=delegation.id)
    return _save_delegation(delegation)


def _save_delegation(delegation: Delegation) -> Delegation:
    try:
        db.session.add(delegation)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(_("A delegation with this name was added a moment ago."), field="name") from None
    return delegation


# --- acting for a company -----------------------------------------------------------------------


def partners_for(company: Company) -> list[Company]:
    """Companies an organizer may ask for a meeting on this company's behalf."""
    return list(db.session.scalars(
        select(Company).where(Company.id != company.id, Company.active.is_(True), Company.opted_out.is_(False))
        .order_by(Company.name_key)))


def request_on_behalf(actor: User, from_company_id: int, to_company_id: int, message: str = "") -> MeetingRequest:
    _require_organizer(actor)
    for company_id in (from_company_id, to_company_id):
        company = get_company(company_id)
        if not company.active:
            raise ServiceError(_("%(company)s was deactivated: reactivate it first.", company=company.name))
    return meetings.request_meeting(actor, from_company_id, to_company_id, message)


def requests_with_actors(actor: User, company_id: int) -> tuple[meetings.RequestLists, dict[int, User]]:
    """The company's requests, and the users who made or answered them, by id (one query)."""
    _require_organizer(actor)
    lists = meetings.requests_for(actor, company_id)
    ids = {i for r in lists.incoming + lists.outgoing for i in (r.created_by_id, r.responded_by_id) if i}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return lists, users


def organizer_names(users: dict[int, User]) -> dict[int, str]:
    return {i: (u.full_name or u.email) for i, u in users.items() if u.role == Role.ORGANIZER}

