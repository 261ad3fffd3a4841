"""Exports for the venue: the agenda as CSV and XLSX, printable sheets per table and per company, the table plan. Organizers only."""

from __future__ import annotations

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, render_template, request, send_file
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from forum.auth.access import role_required
from forum.organizer import bp
from forum.services import exports
from forum.services.errors import NotFound

_MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _format() -> str:
    wanted = request.args.get("format", "csv")
    if wanted not in _MIMETYPES:
        abort(400, _("Choose the format csv or xlsx."))
    return wanted


def download(rows: exports.Rows, what: str, fmt: str, forum_name: str, zone: str) -> Response:
    """The file (for this page and the API), named after the forum, what it holds and today's date in the forum's zone."""
    today = datetime.now(ZoneInfo(zone)).date().isoformat()
    # Letters of any script stay (the forum's name may be Cyrillic); werkzeug adds filename*= for them.
    stem = re.sub(r"[^\w]+", "-", f"{forum_name or 'forum'} {what} {today}").strip("-")
    data = exports.to_csv(rows) if fmt == "csv" else exports.to_xlsx(rows, title=what)
    return send_file(io.BytesIO(data), mimetype=_MIMETYPES[fmt], as_attachment=True,
                     download_name=f"{stem}.{fmt}", max_age=0)


@bp.get("/exports")
@role_required("organizer")
def exports_index() -> str:
    agenda = exports.load_agenda()
    return render_template("organizer/exports.html", agenda=agenda,
                           companies=len({p.id for m in agenda.meetings for p in (m.company_a, m.company_b)}))


@bp.get("/exports/agenda.csv")
@role_required("organizer")
def export_agenda_csv() -> Response:
    agenda = exports.load_agenda()
    return download(exports.agenda_rows(agenda), "agenda", "csv", agenda.forum_name, agenda.zone)


@bp.get("/exports/agenda.xlsx")
@role_required("organizer")
def export_agenda_xlsx() -> Response:
    agenda = exports.load_agenda()
    return download(exports.agenda_rows(agenda), "agenda", "xlsx", agenda.forum_name, agenda.zone)


@bp.get("/exports/companies")
@role_required("organizer")
def export_companies() -> Response:
    fmt = _format()
    name, zone = exports.forum_name_and_zone()
    return download(exports.company_rows(), "companies", fmt, name, zone)


@bp.get("/print/tables")
@role_required("organizer")
def print_tables() -> str:
    agenda = exports.load_agenda()
    return render_template("organizer/print_tables.html", agenda=agenda, tables=exports.by_table(agenda))


@bp.get("/print/companies")
@role_required("organizer")
def print_companies() -> str:
    company_id = request.args.get("company", type=int)
    if "company" in request.args and (company_id is None or company_id < 1):
        abort(404)
    agenda = exports.load_agenda()
    try:
        sheets = exports.by_company(agenda, company_id)
    except NotFound:
        abort(404)
    return render_template("organizer/print_companies.html", agenda=agenda, sheets=sheets,
                           single=company_id is not None)


@bp.get("/print/table-plan")
@role_required("organizer")
def print_table_plan() -> str:
    agenda = exports.load_agenda()
    return render_template("organizer/print_table_plan.html", agenda=agenda,
                           sheets=exports.by_company(agenda), days=exports.days(agenda))
