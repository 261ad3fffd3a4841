"""End-to-end, the organizer's day in one go: import companies from a CSV, schedule, move a meeting,
lock it, re-run the scheduler around it, publish; then the delegate of an affected company sees the
published meeting and the notice."""

from __future__ import annotations

import re

from forum.services.demo import DEMO_ORGANIZER, DEMO_PARTICIPANTS
from tests.e2e.test_agenda_builder import _company_name, _flash
from tests.e2e.test_matches import log_in

ALMATY = next(iter(DEMO_PARTICIPANTS))
NEWCOMER = "Chiroqchi Melon Growers LLC"
CSV = ("name,delegation,country,city,sectors,offers,needs\n"
       f"{NEWCOMER},Kashkadarya Region (Uzbekistan),Uzbekistan,Chiroqchi,agriculture,"
       "Late-season melons for export,Refrigerated trucks\n")


def _position(page, request_id: str) -> tuple[str, int]:
    """(slot id, table column) of a meeting card on the grid page."""
    card = page.locator(f".meeting[data-request='{request_id}']")
    return (card.locator("xpath=ancestor::tr").get_attribute("data-slot"),
            card.locator("xpath=ancestor::td").evaluate("td => td.cellIndex"))


def test_import_schedule_move_lock_rerun_publish_then_the_delegate_sees_it(live_server, browser, tmp_path):
    almaty = _company_name(browser, live_server, ALMATY)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    log_in(page, live_server, DEMO_ORGANIZER)

    # 1. A late registration arrives as a CSV.
    source = tmp_path / "late.csv"
    source.write_text(CSV, encoding="utf-8")
    page.goto(live_server + "/organizer/companies/import")
    page.set_input_files("input[type=file]", str(source))
    page.click("form.form-card button[type=submit]")
    page.wait_for_load_state()
    assert "Imported: 1 new" in page.locator(".alert-success").inner_text()

    # 2. A draft agenda from the scheduler.
    page.goto(live_server + "/organizer/agenda/grid")
    page.get_by_role("button", name="Re-run the scheduler (keeps locked meetings)").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=agenda-grid] .meeting").count() > 0

    # 3. The organizer arranges a meeting for the newcomer and moves it onto the grid with the form.
    page.select_option("#add-company_a", label=almaty)
    page.select_option("#add-company_b", label=NEWCOMER)
    page.get_by_role("button", name="Add the meeting").click()
    page.wait_for_load_state()
    page.locator("[data-testid=unplaced] li", has_text=NEWCOMER).get_by_role("link", name="Place it").click()
    page.wait_for_load_state()
    request_id = re.search(r"move=(\d+)", page.url).group(1)
    last_table = page.locator("#table_id option").last.get_attribute("value")
    for slot in page.locator("#slot_id option").evaluate_all("options => options.map(o => o.value)"):
        page.select_option("#slot_id", slot)
        page.select_option("#table_id", last_table)
        page.get_by_role("button", name="Move", exact=True).click()
        page.wait_for_load_state()
        if "The meeting was moved." in _flash(page):
            break
    else:
        raise AssertionError("no slot accepted the meeting")
    card = page.locator(f".meeting[data-request='{request_id}']")
    if card.count() == 0:  # the move's slot is in another session: open it from the tabs
        for tab in page.locator(".session-tabs a").all():
            tab.click()
            page.wait_for_load_state()
            if card.count():
                break
    grid_url = page.url

    # 4. Lock it, re-run the scheduler: the locked meeting keeps its slot and table.
    card.get_by_role("button", name="Lock").click()
    page.wait_for_load_state()
    page.goto(grid_url)
    where = _position(page, request_id)
    page.get_by_role("button", name="Re-run the scheduler (keeps locked meetings)").click()
    page.wait_for_load_state()
    page.goto(grid_url)
    assert _position(page, request_id) == where

    # 5. Publish.
    page.get_by_role("button", name=re.compile(r"^Publish this agenda")).click()
    page.wait_for_load_state()
    assert "The agenda is published" in _flash(page)

    # 6. The Almaty delegate sees the meeting with its time and table, and the notice about it.
    delegate = browser.new_context(viewport={"width": 390, "height": 844})
    mine = delegate.new_page()
    log_in(mine, live_server, ALMATY)
    mine.goto(live_server + "/my/meetings")
    agenda = mine.locator("[data-testid=your-agenda]").inner_text()
    assert NEWCOMER in agenda and re.search(r"\d\d:\d\d–\d\d:\d\d", agenda) and "Table" in agenda
    assert f"Your meeting with {NEWCOMER} is now on the agenda" in mine.locator(".notice-list").inner_text()
    delegate.close()

    # Undo back to the unpublished demo agenda (publish, re-run, lock, move, add, first run), for the
    # other tests on this server; the imported company stays, like any real registration.
    for _ in range(6):
        page.get_by_role("button", name="Undo the last change").click()
        page.wait_for_load_state()
        assert "The last change was undone." in _flash(page)
    assert "not published" in page.locator("[data-testid=published]").inner_text()
    context.close()
