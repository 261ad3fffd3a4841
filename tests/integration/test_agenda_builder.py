"""Integration tests: the agenda builder (service and pages) and the participants' published agenda."""

from __future__ import annotations

from datetime import date, time

import pytest
from flask import Flask
from sqlalchemy import select

from forum.extensions import db
from forum.models import (
    AgendaChange,
    Company,
    CompanyUnavailability,
    Forum,
    MeetingRequest,
    MeetingSeat,
    Notification,
    OutboxEmail,
    RequestStatus,
    Role,
    ScheduledMeeting,
    Slot,
    User,
    VenueTable,
)
from forum.services import agenda, agenda_builder
from forum.services.agenda import SessionSpec, TimeStructure
from forum.services.forums import save_forum
from tests import factories

DAY = date(2024, 10, 17)


# the shared builders, under the short names these tests read well with
accepted = factories.accepted_request
place = factories.place


@pytest.fixture
def forum(app: Flask) -> dict:
    """Day sessions 10:00-11:00 and 14:00-15:00 (Tashkent), 20-minute slots, 2 tables, 4 companies with a
    delegate each, 4 accepted requests; r0 (C0-C1) at slot 0 table 1, r1 (C2-C3) at slot 0 table 2."""
    with app.app_context():
        save_forum("Forum", "Qarshi", "Hall", DAY, DAY)
        db.session.commit()
        agenda.save_structure(TimeStructure(sessions=[SessionSpec(DAY, time(10), time(11)),
                                                      SessionSpec(DAY, time(14), time(15))],
                                            slot_minutes=20, tables=2))
        c = [factories.company(name=f"Company {i}") for i in range(4)]
        delegates = [factories.user(company_id=cid, email=f"delegate{i}@example.com") for i, cid in enumerate(c)]
        r = [accepted(c[0], c[1]), accepted(c[2], c[3]), accepted(c[0], c[2]), accepted(c[1], c[3])]
        slots = list(db.session.scalars(select(Slot.id).order_by(Slot.starts_at)))
        tables = list(db.session.scalars(select(VenueTable.id).order_by(VenueTable.number)))
        place(r[0], slots[0], tables[0])
        place(r[1], slots[0], tables[1])
        organizer = factories.user(role=Role.ORGANIZER, email="organizer@example.com")
        return {"companies": c, "delegates": delegates, "requests": r, "slots": slots, "tables": tables,
                "organizer": organizer}


def where(app: Flask, request_id: int) -> tuple[int, int, bool] | None:
    with app.app_context():
        m = db.session.scalar(select(ScheduledMeeting).where(ScheduledMeeting.request_id == request_id))
        return (m.slot_id, m.table_id, m.locked) if m else None


def version(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(Forum.agenda_version))


@pytest.fixture
def organizer(forum, login_as):
    return login_as(forum["organizer"])


def post_move(client, app, request_id, slot_id, table_id, v=None, **extra):
    return client.post("/organizer/agenda/move", data={
        "request_id": request_id, "slot_id": slot_id, "table_id": table_id,
        "version": version(app) if v is None else v, **extra})


# --- the grid -----------------------------------------------------------------------------------------


def test_grid_shows_meetings_unplaced_reasons_and_sessions(app, forum, organizer):
    page = organizer.get("/organizer/agenda/grid")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<span>Company 0</span><span>Company 1</span>" in html and "<span>Company 2</span><span>Company 3</span>" in html
    assert "Not placed, and why" in html and "Company 0 ↔ Company 2" in html
    assert "not placed yet" in html
    assert 'data-csrf="' in html and "agenda-grid.js" in html and "builder.css" in html
    with app.app_context():
        second_session = db.session.scalar(select(Slot.session_id).order_by(Slot.starts_at.desc()).limit(1))
    # one session per page, with links to the others; the second session holds no meeting yet
    assert f"session={second_session}" in html
    other = organizer.get(f"/organizer/agenda/grid?session={second_session}").get_data(as_text=True)
    assert "<span>Company 0</span><span>Company 1</span>" not in other and "14:00" in other
    assert organizer.get("/organizer/agenda/grid?session=999").status_code == 404
    assert organizer.get("/organizer/agenda/grid?session=abc").status_code == 200


def test_move_form_fallback_is_prefilled_for_the_chosen_meeting(app, forum, organizer):
    r0 = forum["requests"][0]
    html = organizer.get(f"/organizer/agenda/grid?move={r0}").get_data(as_text=True)
    assert "Move Company 0 ↔ Company 1" in html
    assert f'<option selected value="{forum["slots"][0]}"' in html or \
        f'<option value="{forum["slots"][0]}" selected' in html


# --- moves, swaps, locks ---------------------------------------------------------------------------


def test_move_to_a_free_cell(app, forum, organizer):
    r0, s, t = forum["requests"][0], forum["slots"], forum["tables"]
    before = version(app)
    response = post_move(organizer, app, r0, s[1], t[1])
    assert response.status_code == 302
    assert where(app, r0) == (s[1], t[1], False)
    assert version(app) == before + 1
    with app.app_context():
        change = db.session.scalar(select(AgendaChange).order_by(AgendaChange.id.desc()).limit(1))
        assert (change.kind, change.version, change.user_id) == ("move", before + 1, forum["organizer"])
        assert change.before == [{"request_id": r0, "slot_id": s[0], "table_id": t[0], "locked": False}]
    html = organizer.get(response.headers["Location"]).get_data(as_text=True)
    assert "The meeting was moved." in html and "Moved Company 0 ↔ Company 1" in html


def test_move_onto_an_occupied_cell_is_refused_unless_a_swap_is_asked(app, forum, organizer):
    r0, r1, s, t = *forum["requests"][:2], forum["slots"], forum["tables"]
    before = version(app)
    response = post_move(organizer, app, r0, s[0], t[1])
    assert response.status_code == 422
    assert "already holds Company 2 ↔ Company 3" in response.get_data(as_text=True)
    assert where(app, r0) == (s[0], t[0], False) and version(app) == before

    assert post_move(organizer, app, r0, s[0], t[1], swap="y").status_code == 302
    assert where(app, r0) == (s[0], t[1], False) and where(app, r1) == (s[0], t[0], False)


def test_move_onto_an_unavailable_or_busy_slot_is_refused(app, forum, organizer):
    c, r, s, t = forum["companies"], forum["requests"], forum["slots"], forum["tables"]
    with app.app_context():
        db.session.add(CompanyUnavailability(company_id=c[1], slot_id=s[1]))
        db.session.commit()
    before = version(app)
    response = post_move(organizer, app, r[0], s[1], t[0])
    assert response.status_code == 422
    assert "unavailable in that slot" in response.get_data(as_text=True)
    # r2 is C0-C2: both already meet someone in slot 0
    response = post_move(organizer, app, r[2], s[0], t[0])
    assert response.status_code == 422
    assert "already holds" in response.get_data(as_text=True)
    # on a third table, the cell is free but both companies are busy in that slot
    with app.app_context():
        db.session.add(VenueTable(number=3))
        db.session.commit()
        t3 = db.session.scalar(select(VenueTable.id).where(VenueTable.number == 3))
    response = post_move(organizer, app, r[2], s[0], t3)
    assert response.status_code == 422
    assert "already has another meeting in that slot" in response.get_data(as_text=True)
    assert where(app, r[0]) == (s[0], t[0], False) and where(app, r[2]) is None and version(app) == before


def test_swap_two_meetings(app, forum, organizer):
    r0, r1, s, t = *forum["requests"][:2], forum["slots"], forum["tables"]
    post_move(organizer, app, r1, s[2], t[1])
    response = organizer.post("/organizer/agenda/swap", data={"request_a": r0, "request_b": r1,
                                                              "version": version(app)})
    assert response.status_code == 302
    assert where(app, r0) == (s[2], t[1], False) and where(app, r1) == (s[0], t[0], False)


def test_locked_meeting_cannot_move_and_stays_put_when_the_scheduler_runs_again(app, forum, organizer):
    r, s, t = forum["requests"], forum["slots"], forum["tables"]
    post_move(organizer, app, r[0], s[2], t[1])
    assert organizer.post("/organizer/agenda/lock", data={"request_id": r[0], "locked": "y",
                                                          "version": version(app)}).status_code == 302
    assert where(app, r[0]) == (s[2], t[1], True)
    refused = post_move(organizer, app, r[0], s[1], t[1])
    assert refused.status_code == 422 and "locked" in refused.get_data(as_text=True)

    before = version(app)
    response = organizer.post("/organizer/agenda/reschedule", data={"version": before, "time_limit": 2})
    assert response.status_code == 302
    assert where(app, r[0]) == (s[2], t[1], True)
    assert all(where(app, rid) is not None for rid in r)
    assert version(app) == before + 1
    # the run is in the history and can be undone: the agenda before it comes back
    assert organizer.post("/organizer/agenda/undo", data={"version": version(app)}).status_code == 302
    assert where(app, r[2]) is None and where(app, r[3]) is None and where(app, r[1]) == (s[0], t[1], False)


def test_a_move_saved_while_the_scheduler_searches_is_not_overwritten(app, forum, organizer, monkeypatch):
    """The solver runs without the agenda lock; a move another organizer saves meanwhile wins, and the run
    says so instead of replacing the agenda it was not computed for."""
    from forum.services import scheduling

    r, s, t = forum["requests"], forum["slots"], forum["tables"]
    real_solve = scheduling.solve

    def solve_while_someone_moves(*args, **kwargs):
        solution = real_solve(*args, **kwargs)
        with app.app_context():
            other = db.session.get(User, forum["organizer"])
            agenda_builder.move(other, r[1], s[3], t[0], expected_version=None)
        return solution

    monkeypatch.setattr(scheduling, "solve", solve_while_someone_moves)
    before = version(app)
    response = organizer.post("/organizer/agenda/reschedule", data={"version": before, "time_limit": 1})
    assert response.status_code == 422
    assert "The agenda changed while the scheduler ran (Moved Company 2 ↔ Company 3 to" in response.get_data(as_text=True)
    # the move stands, the run saved nothing and recorded nothing
    assert where(app, r[1]) == (s[3], t[0], False)
    assert where(app, r[2]) is None and where(app, r[3]) is None
    assert version(app) == before + 1


def test_a_meeting_locked_while_a_versionless_move_waits_is_not_moved(app, forum, monkeypatch):
    """A move without a version (the API's) checks the locked flag before it takes the agenda's lock; a
    lock set by another organizer in between must still stop it."""
    from forum.services.errors import ServiceError

    r0, s, t = forum["requests"][0], forum["slots"], forum["tables"]
    real_lock = agenda_builder._locked_forum
    done = []

    def locked_meanwhile():
        if not done:
            done.append(True)
            with app.app_context():
                other = db.session.get(User, forum["organizer"])
                agenda_builder.set_locked(other, r0, True, expected_version=None)
        return real_lock()

    monkeypatch.setattr(agenda_builder, "_locked_forum", locked_meanwhile)
    with app.app_context():
        organizer = db.session.get(User, forum["organizer"])
        with pytest.raises(ServiceError, match="This meeting is locked: unlock it before moving it."):
            agenda_builder.move(organizer, r0, s[1], t[1], expected_version=None)
    assert where(app, r0) == (s[0], t[0], True)


# --- added meetings, undo, the optimistic lock --------------------------------------------------------


def test_add_a_meeting_between_two_companies(app, forum, organizer):
    c, s, t = forum["companies"], forum["slots"], forum["tables"]
    response = organizer.post("/organizer/agenda/add", data={
        "add-company_a": c[0], "add-company_b": c[3], "add-slot_id": s[2], "add-table_id": t[0],
        "add-version": version(app)})
    assert response.status_code == 302
    with app.app_context():
        request = db.session.scalar(select(MeetingRequest).where(MeetingRequest.pair_low == min(c[0], c[3]),
                                                                 MeetingRequest.pair_high == max(c[0], c[3])))
        assert request.status == RequestStatus.ACCEPTED and request.created_by_id == forum["organizer"]
        rid = request.id
    assert where(app, rid) == (s[2], t[0], False)
    # the same pair again is refused; so is a cell without a table
    again = organizer.post("/organizer/agenda/add", data={"add-company_a": c[3], "add-company_b": c[0],
                                                          "add-version": version(app)})
    assert again.status_code == 422 and "already an open request" in again.get_data(as_text=True)
    half = organizer.post("/organizer/agenda/add", data={"add-company_a": c[1], "add-company_b": c[2],
                                                         "add-slot_id": s[1], "add-version": version(app)})
    assert half.status_code == 422 and "both a slot and a table" in half.get_data(as_text=True)
    # undoing it cancels the arranged request
    organizer.post("/organizer/agenda/undo", data={"version": version(app)})
    with app.app_context():
        assert db.session.get(MeetingRequest, rid).status == RequestStatus.CANCELLED
    assert where(app, rid) is None


def test_undo_restores_the_previous_cells_one_change_at_a_time(app, forum, organizer):
    r0, s, t = forum["requests"][0], forum["slots"], forum["tables"]
    post_move(organizer, app, r0, s[1], t[0])
    post_move(organizer, app, r0, s[2], t[0])
    organizer.post("/organizer/agenda/undo", data={"version": version(app)})
    assert where(app, r0) == (s[1], t[0], False)
    organizer.post("/organizer/agenda/undo", data={"version": version(app)})
    assert where(app, r0) == (s[0], t[0], False)
    response = organizer.post("/organizer/agenda/undo", data={"version": version(app)})
    assert response.status_code == 422 and "nothing to undo" in response.get_data(as_text=True)
    html = organizer.get("/organizer/agenda/grid").get_data(as_text=True)
    assert html.count('class="undone"') == 2


def test_a_stale_version_is_refused_with_what_changed(app, forum, organizer):
    r0, r1, s, t = *forum["requests"][:2], forum["slots"], forum["tables"]
    loaded = version(app)
    post_move(organizer, app, r1, s[1], t[1], v=loaded)  # another organizer's edit
    for path, data in [("/organizer/agenda/move", {"request_id": r0, "slot_id": s[2], "table_id": t[0]}),
                       ("/organizer/agenda/publish", {}), ("/organizer/agenda/undo", {}),
                       ("/organizer/agenda/lock", {"request_id": r0, "locked": "y"})]:
        response = organizer.post(path, data={**data, "version": loaded})
        html = response.get_data(as_text=True)
        assert response.status_code == 422, path
        assert "The agenda changed since you loaded it" in html and "Moved Company 2 ↔ Company 3" in html
    assert where(app, r0) == (s[0], t[0], False)
    with app.app_context():
        assert db.session.scalar(select(Forum.agenda_published_at)) is None


# --- publishing, notifications, the participants' view ----------------------------------------------


def test_changes_after_publishing_notify_both_companies(app, forum, organizer):
    c, r, s, t = forum["companies"], forum["requests"], forum["slots"], forum["tables"]
    post_move(organizer, app, r[0], s[1], t[0])  # before publishing: nobody is told
    with app.app_context():
        assert db.session.scalar(select(Notification).where(Notification.kind.like("meeting_%"))) is None
    assert organizer.post("/organizer/agenda/publish", data={"version": version(app)}).status_code == 302
    with app.app_context():
        # publishing announces each meeting to its two companies
        announced = set(db.session.scalars(select(Notification.company_id)
                                           .where(Notification.kind == "meeting_scheduled")))
        assert {c[0], c[1]} <= announced
        assert "Your meeting with Company 1 is now on the agenda: see its time and table" in set(
            db.session.scalars(select(OutboxEmail.subject).where(OutboxEmail.to == "delegate0@example.com")))
    post_move(organizer, app, r[0], s[2], t[0])
    with app.app_context():
        notified = set(db.session.scalars(select(Notification.company_id).where(Notification.kind == "meeting_moved")))
        assert notified == {c[0], c[1]}
        moved = list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.subject.like("%moved%"))))
        assert {e.to for e in moved} == {"delegate0@example.com", "delegate1@example.com"}
        assert {e.subject for e in moved} == {"Your meeting with Company 1 moved: see its new time and table",
                                              "Your meeting with Company 0 moved: see its new time and table"}


def test_participants_see_only_the_published_agenda(app, client, forum, login_as):
    c0 = forum["companies"][0]
    login_as(forum["delegates"][0])
    html = client.get(f"/companies/{c0}/meetings").get_data(as_text=True)
    assert "The agenda is not published yet" in html and "Table 1" not in html
    with app.app_context():
        agenda_builder.publish(db.session.get(User, forum["organizer"]), None)
    html = client.get(f"/companies/{c0}/meetings").get_data(as_text=True)
    assert "The agenda is not published yet" not in html
    # 10:00 in Tashkent, table 1, with Company 1
    assert "10:00–10:20" in html and "Table 1" in html and "Company 1</a>" in html


# --- access and scale -------------------------------------------------------------------------------

BUILDER_POSTS = ["move", "swap", "lock", "remove", "add", "undo", "publish", "reschedule"]


@pytest.mark.parametrize("who", ["participant", "anonymous"])
def test_builder_routes_are_for_organizers_only(app, client, forum, login_as, who):
    if who == "participant":
        login_as(forum["delegates"][0])
    responses = [client.get("/organizer/agenda/grid")]
    responses += [client.post(f"/organizer/agenda/{p}", data={"version": version(app), "request_id": 1})
                  for p in BUILDER_POSTS]
    for response in responses:
        if who == "participant":
            assert response.status_code == 403
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert version(app) == 0


def test_grid_query_count_does_not_grow_with_meetings_and_companies(app, forum, organizer, count_queries):
    def queries() -> int:
        with count_queries() as statements:
            assert organizer.get("/organizer/agenda/grid").status_code == 200
        return len(statements)

    few = queries()
    with app.app_context():
        db.session.add(VenueTable(number=3))
        db.session.add(VenueTable(number=4))
        db.session.commit()
        tables = list(db.session.scalars(select(VenueTable.id).order_by(VenueTable.number)))
        more = [factories.company(name=f"More {i}") for i in range(8)]
        slots = forum["slots"]
        for i in range(4):
            place(accepted(more[2 * i], more[2 * i + 1]), slots[1 + i % 2], tables[i])
        accepted(more[0], more[3])
        accepted(more[1], more[2])
    assert queries() == few


def test_unplaced_meetings_show_the_schedulers_reason(app, forum, organizer):
    c, r, s = forum["companies"], forum["requests"], forum["slots"]
    with app.app_context():
        db.session.add_all([CompanyUnavailability(company_id=c[0], slot_id=slot) for slot in s])
        db.session.commit()
    # the run from the agenda settings page is recorded too, so the builder can undo it
    assert organizer.post("/organizer/agenda/schedule", data={"time_limit": 2}).status_code == 200
    assert version(app) == 1 and where(app, r[0]) is None
    html = organizer.get("/organizer/agenda/grid").get_data(as_text=True)
    unplaced = html[html.index('data-testid="unplaced"'):]
    assert "Company 0 ↔ Company 1</strong>: the two companies&#39; free slots never coincide" in unplaced
    assert "Scheduler run: 2 meetings placed, 2 not placed" in html


def test_add_without_choosing_companies_says_so(app, forum, organizer):
    response = organizer.post("/organizer/agenda/add", data={"add-company_a": "", "add-company_b": "",
                                                             "add-version": version(app)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and html.count("Choose a company.") == 2
    assert "Please correct the marked fields." in html
    assert version(app) == 0


def test_a_deactivated_companys_meeting_cannot_be_placed(app, forum, organizer):
    c, r, s, t = forum["companies"], forum["requests"], forum["slots"], forum["tables"]
    with app.app_context():
        db.session.get(Company, c[2]).active = False
        db.session.commit()
    response = post_move(organizer, app, r[2], s[1], t[0])
    assert response.status_code == 422 and "deactivated" in response.get_data(as_text=True)
    assert where(app, r[2]) is None and version(app) == 0


def test_a_cancelled_meeting_leaves_the_agenda_and_frees_its_slot(app, client, forum, login_as):
    c, r, s, t = forum["companies"], forum["requests"], forum["slots"], forum["tables"]
    organizer = login_as(forum["organizer"])
    assert organizer.post("/organizer/agenda/publish", data={"version": version(app)}).status_code == 302
    before = version(app)
    delegate = login_as(forum["delegates"][0])
    with app.app_context():
        current = db.session.get(MeetingRequest, r[0]).version
    response = delegate.post(f"/meetings/{r[0]}/cancel", data={"version": current})
    assert response.status_code == 302
    assert where(app, r[0]) is None
    with app.app_context():
        # both seats are free again: C0 and C1 can meet others in that slot
        seated = sorted(db.session.scalars(select(MeetingSeat.company_id).where(MeetingSeat.slot_id == s[0])))
        assert seated == sorted([c[2], c[3]])
        assert db.session.get(MeetingRequest, r[0]).agenda_sequence == 2  # published (1), then cancelled
        assert version(app) == before + 1
    # the organizer's grid tells why the agenda changed, and undo does not bring a cancelled meeting back
    organizer = login_as(forum["organizer"])
    html = organizer.get("/organizer/agenda/grid").get_data(as_text=True)
    assert "Company 0 ↔ Company 1 cancelled their meeting: its slot is free" in html
    organizer.post("/organizer/agenda/undo", data={"version": version(app)})
    assert where(app, r[0]) is None
    # the freed table takes another meeting
    post_move(organizer, app, r[1], s[0], t[0])
    assert where(app, r[1]) == (s[0], t[0], False)


def test_undo_of_a_move_whose_meeting_was_cancelled_since_undoes_the_rest(app, client, forum, login_as):
    r, s, t = forum["requests"], forum["slots"], forum["tables"]
    organizer = login_as(forum["organizer"])
    post_move(organizer, app, r[1], s[1], t[1])          # change 1: r1 moves
    post_move(organizer, app, r[0], s[2], t[0])          # change 2: r0 moves
    delegate = login_as(forum["delegates"][0])
    with app.app_context():
        current = db.session.get(MeetingRequest, r[0]).version
    assert delegate.post(f"/meetings/{r[0]}/cancel", data={"version": current}).status_code == 302
    organizer = login_as(forum["organizer"])
    # undoing change 2 cannot bring the cancelled r0 back, and does not get stuck on it either
    assert organizer.post("/organizer/agenda/undo", data={"version": version(app)}).status_code == 302
    assert where(app, r[0]) is None
    assert organizer.post("/organizer/agenda/undo", data={"version": version(app)}).status_code == 302
    assert where(app, r[1]) == (s[0], t[1], False)


def test_a_move_while_another_writer_holds_the_agenda_says_busy_and_saves_nothing(app, forum, organizer,
                                                                                  monkeypatch):
    """Another transaction (a scheduler run saving, say) holds the agenda's lock longer than a writer waits:
    the organizer is told to try again, nothing moves, and the page answers instead of hanging."""
    import sqlite3

    from sqlalchemy import create_engine, text

    from forum.services import transaction

    monkeypatch.setattr(transaction, "LOCK_WAIT_SECONDS", 0.3)
    r0, s, t = forum["requests"][0], forum["slots"], forum["tables"]
    before = version(app)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    else:
        engine = create_engine(url)
        holder = engine.connect()
        holder.execute(text("SELECT id FROM forum FOR UPDATE"))
    try:
        response = post_move(organizer, app, r0, s[1], t[1], v=before)
    finally:
        if url.startswith("sqlite"):
            holder.execute("ROLLBACK")
        else:
            holder.rollback()
        holder.close()
    assert response.status_code in (302, 409, 422)
    page = organizer.get(response.headers["Location"]) if response.status_code == 302 else response
    assert "Someone else is changing the same meetings right now" in page.get_data(as_text=True)
    assert where(app, r0) == (s[0], t[0], False)
    assert version(app) == before
