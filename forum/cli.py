"""Command-line tools: ``flask --app forum <command>``. Each one calls services, never the models directly."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_migrate import upgrade
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from forum.extensions import db
from forum.models import Company
from forum.models.company import CONTACT_NAME_MAX
from forum.services import accounts, demo, matching
from forum.services.errors import ServiceError
from forum.services.importer import import_companies_csv
from forum.validation import check_length, clean_email, clean_text

if TYPE_CHECKING:
    from forum.services.integrity import AgendaProblem


def _needs_schema(command: Callable) -> Callable:
    """Refuse, with the way out, to work on a database that has no tables yet (instead of a traceback)."""

    @functools.wraps(command)
    def wrapped(*args, **kwargs):
        try:
            missing = set(db.metadata.tables) - set(inspect(db.engine).get_table_names())
        except SQLAlchemyError as exc:
            click.echo(_("Error: the database does not answer (%(error)s).", error=type(exc).__name__), err=True)
            sys.exit(2)
        if Company.__tablename__ in missing:
            click.echo(_("Error: the database has no tables yet. Run “flask --app forum init-db” (or “demo”) "
                         "first."), err=True)
            sys.exit(2)
        if missing:
            click.echo(_("Error: the database schema is older than this version of the platform. Run "
                         "“flask --app forum init-db” to upgrade it."), err=True)
            sys.exit(2)
        return command(*args, **kwargs)

    return wrapped


def register(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(demo_command)
    app.cli.add_command(create_organizer)
    app.cli.add_command(account_state)
    app.cli.add_command(import_companies)
    app.cli.add_command(recommend)
    app.cli.add_command(recompute_matches)
    app.cli.add_command(schedule_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(check_command)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the database, or upgrade it to the latest schema."""
    upgrade()
    click.echo(_("The database is up to date."))


@click.command("demo")
@click.option("--serve", is_flag=True, help="Start the development server once the demo forum is loaded.")
@click.option("--host", default="127.0.0.1", show_default=True, help="With --serve: the address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535),
              help="With --serve: the port to listen on.")
@with_appcontext
def demo_command(serve: bool, host: str, port: int) -> None:
    """Load the "Kashkadarya Invest-2024" demo forum with its published agenda. Running it again changes
    nothing."""
    upgrade()
    summary = demo.load_demo_forum(published_agenda=True)
    click.echo(_(
        "Demo forum “%(forum)s”: %(companies)d demo companies (%(created)d new), %(users)d demo accounts.",
        forum=summary.forum_name, companies=summary.companies, created=summary.created, users=summary.users,
    ))
    click.echo(_("Demo logins (password for all: %(password)s):", password=demo.DEMO_PASSWORD))
    for email, role in summary.logins:
        click.echo(f"  {email:<38} {role}")
    if serve:
        # Flask refuses app.run() inside a `flask` command, so serve through Werkzeug directly.
        from flask import current_app
        from werkzeug.serving import run_simple

        click.echo(_("Open %(url)s in your browser. Stop with Ctrl+C.", url=f"http://{host}:{port}/"))
        run_simple(host, port, current_app._get_current_object(), threaded=True)


def _email_argument(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        return clean_email(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _name_option(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        return check_length(clean_text(value), CONTACT_NAME_MAX, _("The name"))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("create-organizer")
@click.argument("email", callback=_email_argument)
@click.option("--name", default="", callback=_name_option, help="The organizer's full name.")
@click.password_option(help="Asked for interactively when not given.")
@with_appcontext
@_needs_schema
def create_organizer(email: str, name: str, password: str) -> None:
    """Create an organizer account for EMAIL; asks for the password."""
    try:
        user = accounts.create_organizer(email, password, full_name=name)
    except ServiceError as exc:
        click.echo(_("Error: %(message)s", message=exc.message), err=True)
        sys.exit(2)
    click.echo(_("Organizer %(email)s created.", email=user.email))


@click.command("account-state")
@click.argument("email", callback=_email_argument)
@click.option("--enable/--disable", "active", required=True, help="Let the account log in again, or stop it.")
@with_appcontext
@_needs_schema
def account_state(email: str, active: bool) -> None:
    """Enable or disable the account of EMAIL; disabling logs it out everywhere."""
    try:
        user = accounts.set_active_by_email(email, active)
    except ServiceError as exc:
        click.echo(_("Error: %(message)s", message=exc.message), err=True)
        sys.exit(2)
    click.echo(_("%(email)s is enabled.", email=user.email) if user.active
               else _("%(email)s is disabled and logged out everywhere.", email=user.email))


@click.command("import-companies")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@with_appcontext
@_needs_schema
def import_companies(file: Path) -> None:
    """Import companies from a UTF-8 CSV FILE. All rows or none: a file with a bad row changes nothing."""
    try:
        result = import_companies_csv(file.read_bytes())
    except ServiceError as exc:
        click.echo(_("Error: %(file)s: %(message)s Nothing was imported.", file=file, message=exc.message), err=True)
        sys.exit(1)
    if not result.ok:
        for error in result.errors:
            click.echo(f"{file}:{error.line}: {error.message}", err=True)
        click.echo(ngettext("%(num)d bad row; nothing was imported.", "%(num)d bad rows; nothing was imported.",
                            len(result.errors)), err=True)
        sys.exit(1)
    click.echo(_("Imported %(file)s: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.",
                 file=file.name, created=result.created, updated=result.updated, unchanged=result.unchanged))
    if result.new_delegations:
        click.echo(_("New delegations: %(names)s", names=", ".join(result.new_delegations)))


@click.command("recommend")
@click.option("--company", "reference", required=True, metavar="NAME|ID",
              help="The company, by name (any letter case) or by id.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 200),
              help="How many partners to list.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: a list of company_id, name, delegation, "
              "score and reasons.")
@with_appcontext
@_needs_schema
def recommend(reference: str, top: int, as_json: bool) -> None:
    """Print the partners most worth meeting for one company, with the reasons."""
    if not reference.strip():
        click.echo(_("Error: give the company's name or id with --company."), err=True)
        sys.exit(2)
    try:
        company = matching.find_company(reference)
    except ServiceError as exc:
        click.echo(_("Error: %(message)s", message=exc.message), err=True)
        sys.exit(2)
    items = matching.recommendations(company, top)
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    click.echo(_("Partners for %(company)s (%(delegation)s):", company=company.name,
                 delegation=company.delegation.name))
    if company.opted_out:
        click.echo(_("  This company has paused matchmaking, so it gets no suggestions."))
    elif not items:
        click.echo(_("  No partner to suggest yet: the profile may say too little, or no other company fits."))
    for rank, item in enumerate(items, start=1):
        click.echo(f"{rank:>3}. {item['name']} · {item['delegation']} · {item['score']:.0%}")
        for reason in item["reasons"]:
            click.echo(f"       - {reason}")


@click.command("recompute-matches")
@with_appcontext
@_needs_schema
def recompute_matches() -> None:
    """Recompute every company's partner suggestions (after a bulk change made outside the site)."""
    summary = matching.recompute_all()
    click.echo(_("Matches recomputed for %(companies)d companies in %(seconds).1f s: %(suggestions)d suggestions.",
                 companies=summary.companies, seconds=summary.seconds, suggestions=summary.suggestions))


@click.command("schedule")
@click.option("--dry-run", is_flag=True, help="Compute and print the agenda without saving it.")
@click.option("--time-limit", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="Seconds the solver may take.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, 2**31 - 1),
              help="The solver's random seed: the same seed and data give the same agenda.")
@with_appcontext
@_needs_schema
def schedule_command(dry_run: bool, time_limit: float, seed: int) -> None:
    """Place every accepted meeting request on a slot and a table; locked meetings keep their place."""
    from forum.services import agenda_builder, scheduling

    try:
        if dry_run:
            report = scheduling.schedule(dry_run=True, time_limit=time_limit, seed=seed)
        else:
            # the same path as the builder's button: history for undo, notices and calendar updates
            report = agenda_builder.run_scheduler(None, None, time_limit=time_limit, seed=seed)
    except ServiceError as exc:
        click.echo(_("Error: %(message)s", message=exc.message), err=True)
        sys.exit(1)
    click.echo(_("Placed %(placed)d meetings, %(unplaced)d unplaced; %(breaks)d breaks in all, fairness spread "
                 "%(spread)d; %(seconds).1f s.", placed=report.placed, unplaced=len(report.unplaced),
                 breaks=report.breaks_total, spread=report.fairness_spread, seconds=report.seconds))
    for item in report.unplaced:
        click.echo(_("  not placed: %(a)s ↔ %(b)s: %(reason)s", a=item.request.requester.name,
                     b=item.request.recipient.name, reason=item.reason))
    click.echo(_("Dry run: nothing was saved.") if dry_run else _("The agenda is saved."))


def _size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"  # pragma: no cover


# The tables an organizer recognises, for the backup's summary line.
_SUMMARY_TABLES = (("company", "companies"), ("user_account", "accounts"), ("meeting_request", "meeting requests"),
                   ("scheduled_meeting", "scheduled meetings"))


@click.command("backup", short_help="Back up the live SQLite database, and check the copy.")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@with_appcontext
def backup_command(path: Path | None) -> None:
    """Copy the live SQLite database to PATH while the forum keeps running, and check the copy.

    PATH defaults to instance/backups/forum-<UTC time>.sqlite; a folder gets that name inside it. An existing
    file is never overwritten. On PostgreSQL, prints the pg_dump command to use instead. Exit status: 0 done,
    1 the backup failed (nothing was left behind), 2 refused before anything was written."""
    from forum.services import backup

    try:
        result = backup.backup_sqlite(
            # The engine's URL, not the setting: Flask-SQLAlchemy puts a relative SQLite path in the instance folder.
            db.engine.url.render_as_string(hide_password=False), current_app.instance_path, path)
    except backup.BackupError as exc:
        click.echo(_("Error: %(message)s", message=exc.message), err=True)
        sys.exit(2 if exc.refused else 1)
    click.echo(_("Backup written to %(path)s (%(size)s in %(seconds).1f s).", path=result.path,
                 size=_size(result.size), seconds=result.seconds))
    summary = ", ".join(f"{result.tables[table]} {label}" for table, label in _SUMMARY_TABLES
                        if table in result.tables)
    click.echo(_("The copy passed its integrity check: %(tables)d tables, %(rows)d rows (%(summary)s).",
                 tables=len(result.tables), rows=sum(result.tables.values()), summary=summary))
    if result.changed_since:
        click.echo(_("The forum was written to during the backup; the copy is the state at the last (re)start "
                     "of the copy (a write restarts it). Rows in the copy → in the live database now:"))
        for table, (then, now) in sorted(result.changed_since.items()):
            click.echo(f"  {table}: {then} → {now}")
    else:
        click.echo(_("Every table has as many rows as the live database."))


@click.command("check", short_help="Check the agenda's rules on the live database.")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON list of problems (kind, severity, message, hint and the ids involved); [] when "
                   "none.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
@with_appcontext
@_needs_schema
def check_command(as_json: bool, strict: bool) -> None:
    """Check the agenda's rules on the live database: no table or company booked twice at once, every meeting
    accepted, in a slot of its session and clear of breaks, where both companies can attend, at a table they may
    use.

    Errors are rules the app never lets a write break (a bug, a hand edit, a bad restore); warnings are states
    normal use creates that an organizer should look at (a deactivated company's meetings, a slot a company
    marked unavailable after the agenda was built). Exit status 0 when there is no error, 1 when there is one
    (with --strict, also when there is a warning)."""
    from forum.services import integrity

    report = integrity.agenda_report()
    errors, warnings = report.errors, report.warnings
    if as_json:
        click.echo(json.dumps([p.as_dict() for p in (*errors, *warnings)], ensure_ascii=False, indent=2))
    elif report.ok:
        click.echo(ngettext("No problems found: the %(num)d meeting on the agenda keeps every rule.",
                            "No problems found: the %(num)d meetings on the agenda keep every rule.",
                            report.meetings))
    else:
        if errors:
            click.echo(ngettext("%(num)d problem found on the agenda:", "%(num)d problems found on the agenda:",
                                len(errors)))
            _echo_problems(errors)
        if warnings:
            click.echo(ngettext("%(num)d warning: the app allows this, but an organizer should look at it:",
                                "%(num)d warnings: the app allows these, but an organizer should look at them:",
                                len(warnings)))
            _echo_problems(warnings)
        if errors:
            click.echo(ngettext("(%(num)d meeting checked.)", "(%(num)d meetings checked.)", report.meetings))
        else:
            click.echo(ngettext("(%(num)d meeting checked; no rule is broken.)",
                                "(%(num)d meetings checked; no rule is broken.)", report.meetings))
    sys.exit(1 if errors or (strict and warnings) else 0)


def _echo_problems(problems: list[AgendaProblem]) -> None:
    for problem in problems:
        click.echo(f"- {problem.message}")
        if problem.hint:
            click.echo(f"  {problem.hint}")
