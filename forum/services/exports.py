"""Exports for the venue: the agenda and the companies as CSV and XLSX, and the data of the printed sheets.

Venue Wi-Fi fails, so organizers print and hand out files. Every function here runs a fixed number of
queries however many meetings or companies there are, and every cell a spreadsheet could take for a
formula is neutralised (CSV/formula injection).
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import aliased, selectinload

from forum.extensions import db
from forum.models import Company, Delegation, MeetingRequest, ScheduledMeeting, Slot, User, VenueTable
from forum.services.errors import NotFound
from forum.services.forums import current_forum

Rows = list[list[str]]  # the first row is the header

# A spreadsheet reads a cell starting with one of these as a formula (Excel also after a tab or CR).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """One cell as text that no spreadsheet runs as a formula: a leading ' makes it plain text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore(value: str) -> str:
    """Undo :func:`neutralise`, so that an exported file imports back unchanged."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def to_csv(rows: Rows) -> bytes:
    """UTF-8 with a byte-order mark: without it Excel reads Cyrillic as mojibake."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(rows: Rows, title: str = "Sheet") -> bytes:
    """A workbook of one sheet: bold, frozen header row and columns wide enough to read."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]  # Excel's limit for sheet names
    widths: dict[int, int] = defaultdict(lambda: 8)
    for row in rows:
        # Plain strings: openpyxl itself would turn "=..." into a formula cell.
        sheet.append([neutralise(cell) for cell in row])
        for index, cell in enumerate(row, start=1):
            longest = max((len(line) for line in str(cell).split("\n")), default=0)
            widths[index] = max(widths[index], min(longest + 2, 60))
    if rows:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    for index, width in widths.items():
        sheet.column_dimensions[get_column_letter(index)].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the agenda --------------------------------------------------------------------------------------


@dataclass
class Party:
    """One side of a meeting: the company and the names of its people with a login."""

    id: int
    name: str
    delegation: str
    delegates: list[str] = field(default_factory=list)

    @property
    def delegates_text(self) -> str:
        return ", ".join(self.delegates)


@dataclass
class AgendaMeeting:
    starts_at: datetime  # in the forum's zone
    ends_at: datetime
    table: int
    company_a: Party
    company_b: Party

    @property
    def day(self) -> date:
        return self.starts_at.date()

    @property
    def time_label(self) -> str:
        return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def partner_of(self, company_id: int) -> Party:
        return self.company_b if self.company_a.id == company_id else self.company_a


@dataclass
class Agenda:
    forum_name: str
    zone: str
    published: bool
    meetings: list[AgendaMeeting]  # by time, then table


def forum_name_and_zone() -> tuple[str, str]:
    forum = current_forum()
    return (forum.name, forum.timezone) if forum else ("", current_app.config["TIMEZONE"])


def load_agenda() -> Agenda:
    """Every scheduled meeting, in the forum's time zone, in three queries."""
    forum = current_forum()
    zone_name = forum.timezone if forum else current_app.config["TIMEZONE"]
    zone = ZoneInfo(zone_name)
    requester, recipient = aliased(Company), aliased(Company)
    delegation_a, delegation_b = aliased(Delegation), aliased(Delegation)
    result = db.session.execute(
        select(Slot.starts_at, Slot.ends_at, VenueTable.number,
               requester.id, requester.name, delegation_a.name,
               recipient.id, recipient.name, delegation_b.name)
        .select_from(ScheduledMeeting)
        .join(Slot, Slot.id == ScheduledMeeting.slot_id)
        .join(VenueTable, VenueTable.id == ScheduledMeeting.table_id)
        .join(MeetingRequest, MeetingRequest.id == ScheduledMeeting.request_id)
        .join(requester, requester.id == MeetingRequest.requester_id)
        .join(delegation_a, delegation_a.id == requester.delegation_id)
        .join(recipient, recipient.id == MeetingRequest.recipient_id)
        .join(delegation_b, delegation_b.id == recipient.delegation_id)
        .order_by(Slot.starts_at, VenueTable.number)
    ).all()
    parties: dict[int, Party] = {}
    meetings = []
    for starts, ends, table, a_id, a_name, a_del, b_id, b_name, b_del in result:
        a = parties.setdefault(a_id, Party(a_id, a_name, a_del))
        b = parties.setdefault(b_id, Party(b_id, b_name, b_del))
        meetings.append(AgendaMeeting(starts.astimezone(zone), ends.astimezone(zone), table, a, b))
    for company_id, name in _delegate_names(list(parties)):
        parties[company_id].delegates.append(name)
    return Agenda(forum_name=forum.name if forum else "", zone=zone_name,
                  published=bool(forum and forum.agenda_published_at), meetings=meetings)


def _delegate_names(company_ids: list[int]) -> list[tuple[int, str]]:
    if not company_ids:
        return []
    rows = db.session.execute(
        select(User.company_id, User.full_name, User.email)
        .where(User.company_id.in_(company_ids), User.active.is_(True))
        .order_by(User.company_id, User.id)
    ).all()
    return [(company_id, full_name or email) for company_id, full_name, email in rows]


def agenda_rows(agenda: Agenda | None = None) -> Rows:
    agenda = agenda or load_agenda()
    rows: Rows = [[_("Date"), _("Time"), _("Table"), _("Company A"), _("Delegation A"), _("Delegates A"),
                   _("Company B"), _("Delegation B"), _("Delegates B")]]
    for m in agenda.meetings:
        rows.append([m.day.isoformat(), m.time_label, str(m.table),
                     m.company_a.name, m.company_a.delegation, m.company_a.delegates_text,
                     m.company_b.name, m.company_b.delegation, m.company_b.delegates_text])
    return rows


def days(agenda: Agenda) -> list[date]:
    return sorted({m.day for m in agenda.meetings})


@dataclass
class TableSheet:
    number: int
    meetings: list[AgendaMeeting]


def by_table(agenda: Agenda) -> list[TableSheet]:
    """One sheet per table that has meetings, for the table host."""
    tables: dict[int, list[AgendaMeeting]] = defaultdict(list)
    for m in agenda.meetings:
        tables[m.table].append(m)
    return [TableSheet(number, tables[number]) for number in sorted(tables)]


@dataclass
class CompanySheet:
    company: Party
    meetings: list[AgendaMeeting]


def _sort_key(name: str) -> str:
    # Someone looking for «Oasis» or "Oasis" looks under O.
    return re.sub(r"^\W+", "", " ".join(name.split())).casefold()


def by_company(agenda: Agenda, company_id: int | None = None) -> list[CompanySheet]:
    """One agenda per company with meetings, alphabetically; or only ``company_id``'s, even when it has
    none (an organizer printing for one company expects its sheet)."""
    sheets: dict[int, CompanySheet] = {}
    for m in agenda.meetings:
        for party in (m.company_a, m.company_b):
            sheets.setdefault(party.id, CompanySheet(party, [])).meetings.append(m)
    if company_id is None:
        return sorted(sheets.values(), key=lambda s: _sort_key(s.company.name))
    if company_id in sheets:
        return [sheets[company_id]]
    company = db.session.get(Company, company_id)
    if company is None:
        raise NotFound(_("There is no company with this number."))
    party = Party(company.id, company.name, company.delegation.name)
    party.delegates = [name for _id, name in _delegate_names([company.id])]
    return [CompanySheet(party, [])]


# --- companies ---------------------------------------------------------------------------------------


def company_rows() -> Rows:
    """Active companies in the importer's columns (``flask import-companies`` reads this file back).

    Lists hold sector labels and language codes separated by "; ", as the importer documents.
    """
    # Imported here: the importer imports this module (restore) at its top.
    from forum.services.importer import COLUMNS as COMPANY_COLUMNS

    companies = db.session.scalars(
        select(Company).join(Delegation, Delegation.id == Company.delegation_id)
        .where(Company.active.is_(True))
        .options(selectinload(Company.sectors))
        .order_by(Delegation.name, Company.name_key)
    ).all()
    rows: Rows = [list(COMPANY_COLUMNS)]
    for company in companies:
        values = {
            "name": company.name, "delegation": company.delegation.name, "country": company.country,
            "city": company.city, "sectors": "; ".join(s.label for s in company.sectors),
            "offers": company.offers, "needs": company.needs, "description": company.description,
            "website": company.website, "contact_name": company.contact_name,
            "contact_email": company.contact_email, "languages": "; ".join(company.languages),
        }
        rows.append([values[column] for column in COMPANY_COLUMNS])
    return rows

