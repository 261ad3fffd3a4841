"""End-to-end: an organizer builds and publishes the agenda on the demo forum; a delegate sees it."""

from __future__ import annotations

import os
import re
from pathlib import Path

from forum.services.demo import DEMO_ORGANIZER, DEMO_PARTICIPANTS
from tests.e2e.test_matches import log_in
from tests.e2e.test_meetings import _serious

ALMATY, KASHKADARYA = list(DEMO_PARTICIPANTS)


def _company_name(browser, base: str, email: str) -> str:
    context = browser.new_context()
    page = context.new_page()
    log_in(page, base, email)
    page.goto(base + "/my/company")
    page.goto(base + re.search(r"/companies/\d+", page.url).group(0))
    name = page.locator("main h1").first.inner_text().strip()
    context.close()
    return name


def _flash(page) -> str:
    return page.locator(".flashes").inner_text() if page.locator(".flashes").count() else ""


def test_organizer_builds_and_publishes_and_the_delegate_sees_it(live_server, browser, tmp_path):
    almaty, kashkadarya = (_company_name(browser, live_server, e) for e in (ALMATY, KASHKADARYA))
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    log_in(page, live_server, DEMO_ORGANIZER)

    # Run the scheduler for real, then open the builder from its result.
    page.goto(live_server + "/organizer/agenda")
    page.uncheck("input[name=dry_run]")
    page.get_by_role("button", name="Schedule accepted meetings").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Open the agenda builder").click()
    page.wait_for_url(re.compile(r"/organizer/agenda/grid"))
    assert page.locator("[data-testid=agenda-grid] .meeting").count() > 0
    out = Path(os.environ.get("FORUM_SCREENSHOT_DIR", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / "organizer-grid-desktop.png"))
    assert _serious(page) == []

    # A meeting between the two demo delegates' companies, arranged by the organizer, not placed yet.
    page.select_option("#add-company_a", label=almaty)
    page.select_option("#add-company_b", label=kashkadarya)
    page.get_by_role("button", name="Add the meeting").click()
    page.wait_for_load_state()
    assert "The meeting was added." in _flash(page)
    assert f"{almaty} ↔ {kashkadarya}" in page.locator("[data-testid=unplaced]").inner_text()

    page.get_by_role("button", name=re.compile(r"^Publish this agenda")).click()
    page.wait_for_load_state()
    assert "The agenda is published" in _flash(page)

    # Place it with the form fallback: the last table, in the first slot where the move is accepted.
    page.locator("[data-testid=unplaced] li", has_text=f"{almaty} ↔ {kashkadarya}").get_by_role(
        "link", name="Place it").click()
    page.wait_for_load_state()
    slots = page.locator("#slot_id option").evaluate_all("options => options.map(o => o.value)")
    last_table = page.locator("#table_id option").last.get_attribute("value")
    for slot in slots:
        page.select_option("#slot_id", slot)
        page.select_option("#table_id", last_table)
        page.get_by_role("button", name="Move", exact=True).click()
        page.wait_for_load_state()
        if "The meeting was moved." in _flash(page):
            break
        assert page.locator("[data-builder-error]").count() == 1  # refused with its reason, then try the next
    else:
        raise AssertionError("no slot accepted the meeting")
    # The page shows the session of the move's slot only if it is the first; open it from the tabs.
    card = page.locator(".meeting", has_text=almaty).filter(has_text=kashkadarya)
    if card.count() == 0:
        for tab in page.locator(".session-tabs a").all():
            tab.click()
            page.wait_for_load_state()
            if card.count():
                break
    card.get_by_role("button", name="Lock").click()
    page.wait_for_load_state()
    assert "The meeting is locked" in _flash(page)

    # The delegate sees the published meeting and why it appeared.
    delegate = browser.new_context(viewport={"width": 390, "height": 844})
    mine = delegate.new_page()
    log_in(mine, live_server, ALMATY)
    mine.goto(live_server + "/my/meetings")
    agenda = mine.locator("[data-testid=your-agenda]").inner_text()
    assert kashkadarya in agenda and re.search(r"\d\d:\d\d–\d\d:\d\d", agenda) and "Table" in agenda
    assert f"Your meeting with {kashkadarya} is now on the agenda" in mine.locator(".notice-list").inner_text()
    delegate.close()

    # Undo back to before the added meeting (unlock, unplace, unpublish, cancel), for the other tests.
    for _ in range(4):
        page.get_by_role("button", name="Undo the last change").click()
        page.wait_for_load_state()
        assert "The last change was undone." in _flash(page)
    assert "not published" in page.locator("[data-testid=published]").inner_text()
    context.close()


def test_drag_and_drop_moves_a_meeting_and_a_refusal_is_shown(live_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    log_in(page, live_server, DEMO_ORGANIZER)
    page.goto(live_server + "/organizer/agenda/grid")
    if page.locator(".meeting[draggable]").count() == 0:  # run alone: schedule first
        page.get_by_role("button", name="Re-run the scheduler (keeps locked meetings)").click()
        page.wait_for_load_state()
        page.goto(live_server + "/organizer/agenda/grid")
    card = page.locator(".meeting[draggable]").first
    request_id = card.get_attribute("data-request")
    # A free cell of the same slot is always legal: same companies, same time (no reserved tables here).
    # The first free one is in view: a drag that has to scroll its box is not what is tested here.
    target = card.locator("xpath=ancestor::tr").locator("td:empty").first
    column = target.evaluate("td => td.cellIndex")
    card.drag_to(target)
    page.wait_for_selector(".flashes")
    assert "The meeting was moved." in _flash(page)
    moved = page.locator(f".meeting[data-request='{request_id}']")
    assert moved.locator("xpath=ancestor::td").evaluate("td => td.cellIndex") == column
    # A stale page: another tab undoes the move, then this page's drop is refused with the reason.
    other = context.new_page()
    other.goto(live_server + "/organizer/agenda/grid")
    other.get_by_role("button", name="Undo the last change").click()
    other.wait_for_load_state()
    card = page.locator(".meeting[draggable]").first
    card.drag_to(card.locator("xpath=ancestor::tr").locator("td:empty").first)
    problem = page.locator("#grid-problem")
    problem.wait_for()
    assert "The agenda changed since you loaded it" in problem.inner_text()
    context.close()
