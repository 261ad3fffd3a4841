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
    from forum.services.mail import DeliveryReport


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
    app.cli.add_command(deliver_mail_command)


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


def _echo_delivery(report: DeliveryReport) -> None:
    """One line on what a delivery pass did (nothing when it had nothing to do)."""
    parts = []
    if report.sent:
        parts.append(ngettext("%(num)d e-mail sent", "%(num)d e-mails sent", report.sent))
    if report.failed:
        parts.append(ngettext("%(num)d not sent (its error is recorded; only --retry-failed tries it again)",
                              "%(num)d not sent (their errors are recorded; only --retry-failed tries them "
                              "again)", report.failed))
    if report.deferred:
        parts.append(ngettext("%(num)d refused for now (still pending, tried again later)",
                              "%(num)d refused for now (still pending, tried again later)", report.deferred))
    if parts:
        click.echo("; ".join(parts) + ".")
    if report.server_error:
        click.echo(_("Error: the mail server does not answer (%(error)s); the messages stay pending.",
                     error=report.server_error), err=True)


@click.command("deliver-mail", short_help="Send the e-mail waiting in the outbox through MAIL_SERVER.")
@click.option("--once", is_flag=True, help="Deliver what is pending now and exit (for cron and tests).")
@click.option("--interval", default=2.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="Without --once: seconds between two looks at the outbox.")
@click.option("--retry-failed", is_flag=True,
              help="First make the messages whose delivery failed pending again (their errors go to the log).")
@click.option("--max-age", default=0, show_default=True, type=click.IntRange(0, 24 * 365),
              help="Hours: pending messages older than this are left unsent (0: no limit). For the first run "
                   "after MAIL_SERVER is set, so that what the outbox collected before is not all sent.")
@with_appcontext
@_needs_schema
def deliver_mail_command(once: bool, interval: float, retry_failed: bool, max_age: int) -> None:
    """Send the e-mail the platform wrote to its outbox through the SMTP server of MAIL_SERVER, marking each
    message sent, or failed with the server's answer.

    Requests only write to the outbox; this command does the sending, as a service of its own (it polls the
    outbox every --interval seconds until SIGTERM or Ctrl+C, and stops after the message in hand) or from cron
    with --once. A server that does not answer leaves every message pending and is tried again later (waits
    double, up to 5 minutes); a message the server refuses for now is tried up to 3 times; one it refuses
    outright is recorded as failed. On PostgreSQL several deliverers may run at once and never send the same
    message; on SQLite run only one. Exit status: 0 done, 1 (with --once) something was not sent, 2 no
    MAIL_SERVER is configured, or the database does not answer or has no tables."""
    import signal
    import threading
    from datetime import timedelta

    from forum.services import mail

    age = timedelta(hours=max_age) if max_age else None
    server = current_app.config.get("MAIL_SERVER")
    if not server:
        click.echo(_("Error: MAIL_SERVER is not set, so there is no mail server to deliver to. The messages "
                     "stay in the outbox_email table (%(num)d pending), which is the record of what the "
                     "platform would have sent.", num=mail.pending_count(age)), err=True)
        sys.exit(2)
    if retry_failed:
        click.echo(ngettext("%(num)d failed message is pending again.", "%(num)d failed messages are pending "
                            "again.", mail.retry_failed()))
    if once:
        report = mail.Deliverer(max_age=age).deliver_pending()
        _echo_delivery(report)
        if report.ok and not report.sent:
            click.echo(_("Nothing to send."))
        sys.exit(0 if report.ok else 1)

    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()  # the loop ends after the message in hand: its outcome is committed first

    previous = {signum: signal.signal(signum, on_signal) for signum in (signal.SIGTERM, signal.SIGINT)}
    click.echo(_("Delivering e-mail through %(server)s, looking every %(interval)g s; stop with SIGTERM or "
                 "Ctrl+C.", server=server, interval=interval))
    try:
        mail.deliver_forever(stop, interval, max_age=age, on_pass=_echo_delivery)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    click.echo(_("Stopped."))
