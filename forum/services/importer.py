"""CSV import of companies: validate every row first, then write all of them or none."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from forum.extensions import db
from forum.languages import language_code
from forum.models import Company, Delegation, name_key
from forum.models.company import (
    CITY_MAX,
    CONTACT_NAME_MAX,
    DESCRIPTION_MAX,
    MAX_SECTORS,
    NAME_MAX,
    NEEDS_MAX,
    OFFERS_MAX,
)
from forum.models.forum import COUNTRY_MAX, DELEGATION_NAME_MAX
from forum.services import matching, taxonomy
from forum.services.companies import CompanyProfile, apply_profile, find_by_name
from forum.services.errors import ServiceError
from forum.services.exports import restore
from forum.validation import check_length, clean_email, clean_text, clean_website, fold_apostrophes

REQUIRED_COLUMNS = ("name", "delegation", "country", "city", "sectors", "offers", "needs")
OPTIONAL_COLUMNS = ("description", "website", "contact_name", "contact_email", "languages")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS


@dataclass(frozen=True)
class RowError:
    line: int  # the line of the file, counting the header as line 1
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_delegations: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    line: int
    delegation_name: str
    profile: CompanyProfile


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceError(
            _("The file is not UTF-8 text. In Excel choose “Save as… CSV UTF-8”, then try again.")
        ) from None


def _read_rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    if not text.strip():
        raise ServiceError(_("The file is empty."))
    # The header names the columns, so its separator is the file's (Excel writes ";" in Russian locales).
    # csv.Sniffer guessed from cell contents and took ' for the quote character when brand names were
    # in single quotes, splitting quoted cells that hold commas.
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    try:
        header = next(reader)
        rows = []
        limit = current_app.config["IMPORT_MAX_ROWS"]
        start = reader.line_num + 1
        for cells in reader:
            # Report a row at the line where it starts: a quoted cell may span several lines.
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            rows.append((line, cells))
            if len(rows) > limit:
                raise ServiceError(_("The file has more than %(max)d companies; split it into smaller files.",
                                     max=limit))
    except csv.Error as exc:
        raise ServiceError(_("The file is not valid CSV near line %(line)d: %(error)s",
                             line=reader.line_num, error=str(exc))) from None
    return [clean_text(h).casefold().replace(" ", "_") for h in header], rows, delimiter


def _check_header(header: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    problems = []
    if missing:
        problems.append(_("missing columns: %(cols)s", cols=", ".join(missing)))
    if unknown:
        problems.append(_("unknown columns: %(cols)s", cols=", ".join(c or "(empty)" for c in unknown)))
    if duplicated:
        problems.append(_("repeated columns: %(cols)s", cols=", ".join(duplicated)))
    if problems:
        raise ServiceError(
            _("The header row does not match (%(problems)s). Expected columns: %(expected)s.",
              problems="; ".join(problems), expected=", ".join(COLUMNS))
        )


def _split(value: str) -> list[str]:
    """A list cell: ";" as documented, or "," (no sector or language name contains either)."""
    return [part.strip() for part in re.split(r"[;,]", value) if part.strip()]


def _parse_row(values: dict[str, str], existing_delegations: dict[str, Delegation],
               sectors: dict) -> tuple[str, CompanyProfile]:
    """Turn one row into a profile; raise ValueError with every problem of the row."""
    problems: list[str] = []

    def text(column: str, maximum: int, label: str, multiline: bool = False) -> str:
        value = clean_text(values.get(column), multiline=multiline)
        try:
            return check_length(value, maximum, label)
        except ValueError as exc:
            problems.append(str(exc))
            return value

    name = text("name", NAME_MAX, _("Name"))
    delegation_name = text("delegation", DELEGATION_NAME_MAX, _("Delegation"))
    country = text("country", COUNTRY_MAX, _("Country"))
    city = text("city", CITY_MAX, _("City"))
    offers = text("offers", OFFERS_MAX, _("Offers"), multiline=True)
    needs = text("needs", NEEDS_MAX, _("Needs"), multiline=True)
    description = text("description", DESCRIPTION_MAX, _("Description"), multiline=True)
    contact_name = text("contact_name", CONTACT_NAME_MAX, _("Contact name"))
    if not name:
        problems.append(_("the name is empty"))
    if not delegation_name:
        problems.append(_("the delegation is empty"))
    delegation = existing_delegations.get(delegation_name.casefold())
    if not country and delegation is not None:
        country = delegation.country
    if not country:
        problems.append(_("the country is empty"))

    sector_ids: list[int] = []
    sector_names = _split(clean_text(values.get("sectors")))
    if not sector_names:
        problems.append(_("no sector is given"))
    for sector_name in sector_names:
        sector = sectors.get(sector_name.casefold()) or sectors.get(fold_apostrophes(sector_name.casefold()))
        if sector is None:
            problems.append(_("unknown sector “%(sector)s”", sector=sector_name[:60]))
        elif sector.id not in sector_ids:
            sector_ids.append(sector.id)
    if len(sector_ids) > MAX_SECTORS:
        problems.append(_("more than %(max)d sectors", max=MAX_SECTORS))

    languages: list[str] = []
    for language in _split(clean_text(values.get("languages"))):
        code = language_code(language)
        if code is None:
            problems.append(_("unknown language “%(language)s”", language=language[:40]))
        elif code not in languages:
            languages.append(code)

    website = email = ""
    try:
        website = clean_website(values.get("website") or "")
    except ValueError as exc:
        problems.append(str(exc))
    if clean_text(values.get("contact_email")):
        try:
            email = clean_email(values["contact_email"])
        except ValueError as exc:
            problems.append(str(exc))

    if problems:
        # Fragments ("the name is empty") and sentences ("Enter a website…") read as one list.
        raise ValueError("; ".join(problem.rstrip(".") for problem in problems))
    profile = CompanyProfile(
        name=name, delegation_id=delegation.id if delegation else 0, country=country, city=city,
        sector_ids=sector_ids, offers=offers, needs=needs, description=description, website=website,
        languages=languages, contact_name=contact_name, contact_email=email,
    )
    return delegation_name, profile


def import_companies_csv(data: bytes, update_existing: bool = True) -> ImportResult:
    """Import companies from UTF-8 CSV bytes.

    A company is matched by name and delegation, so a second import of the same file updates rather
    than duplicates (or, with ``update_existing=False``, leaves it as it is and counts it unchanged).
    If any row is bad, nothing is written and ``errors`` lists every bad row.
    """
    header, raw_rows, delimiter = _read_rows(_decode(data))
    _check_header(header)
    result = ImportResult()
    delegations = {d.name.casefold(): d for d in taxonomy.all_delegations()}
    sectors = taxonomy.sector_lookup()

    rows: list[_Row] = []
    seen: dict[tuple[str, str], int] = {}
    for line, cells in raw_rows:
        if len(cells) != len(header):
            message = _("the row has %(cells)d cells but the header has %(columns)d",
                        cells=len(cells), columns=len(header))
            if delimiter == ";" and len(cells) > len(header):
                message += _(" (the file is separated by “;”, so write lists as “dairy, packaging” or put "
                             "the cell in double quotes)")
            result.errors.append(RowError(line, message))
            continue
        try:
            # Our own exports write '-… for a cell starting with "-" (formula injection); read it back as -….
            values = dict(zip(header, (restore(cell) for cell in cells), strict=True))
            delegation_name, profile = _parse_row(values, delegations, sectors)
        except ValueError as exc:
            result.errors.append(RowError(line, str(exc)))
            continue
        key = (delegation_name.casefold(), name_key(profile.name))
        if key in seen:
            result.errors.append(RowError(line, _("the same company as on line %(line)d", line=seen[key])))
            continue
        seen[key] = line
        rows.append(_Row(line, delegation_name, profile))
    if result.errors:
        return result

    try:
        for row in rows:
            delegation = delegations.get(row.delegation_name.casefold())
            if delegation is None:
                delegation = Delegation(name=row.delegation_name, country=row.profile.country)
                db.session.add(delegation)
                db.session.flush()
                delegations[row.delegation_name.casefold()] = delegation
                result.new_delegations.append(delegation.name)
            row.profile.delegation_id = delegation.id
            company = find_by_name(row.profile.name, delegation.id)
            if company is None:
                company = Company()
                apply_profile(company, row.profile)
                db.session.add(company)
                result.created += 1
            elif not update_existing:
                result.unchanged += 1
            else:
                # Columns the CSV does not carry keep what the company entered on the site.
                row.profile.size = company.size
                row.profile.contact_phone = company.contact_phone
                row.profile.opted_out = company.opted_out
                for column in OPTIONAL_COLUMNS:
                    if column not in header:
                        setattr(row.profile, column, getattr(company, column))
                if apply_profile(company, row.profile):
                    result.updated += 1
                else:
                    result.unchanged += 1
            db.session.flush()  # constraint problems surface here, while `row` still names the line
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return ImportResult(errors=[RowError(row.line, exc.message)])
    except SQLAlchemyError as exc:
        # Validation should have caught it; if the database still refuses a row, say which one.
        db.session.rollback()
        current_app.logger.exception("import-companies: the database refused line %d", row.line)
        return ImportResult(errors=[RowError(row.line, _("the database refused this row (%(error)s)",
                                                         error=type(exc.orig or exc).__name__))])
    if result.created or result.updated:
        # New and changed profiles change who matches whom across the whole forum.
        matching.recompute_all()
    return result
