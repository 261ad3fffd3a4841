"""End-to-end tests: an organizer uploads companies from a CSV file and sees them in the companies list."""

from __future__ import annotations

import os
from pathlib import Path

from forum.services.demo import DEMO_ORGANIZER
from tests.e2e.test_matches import log_in
from tests.e2e.test_pages import _overflow

CSV = ("name,delegation,country,city,sectors,offers,needs\n"
       "Esik Honey Farm,Almaty Region (Kazakhstan),Kazakhstan,Esik,agriculture,Mountain honey,Glass jars\n"
       "Guzar Apricot Drying,Kashkadarya Region (Uzbekistan),Uzbekistan,Guzar,agriculture,Dried apricots,"
       "Solar dryers\n")


def test_organizer_uploads_csv_and_sees_companies(live_server, desktop_page, tmp_path):
    page = desktop_page
    log_in(page, live_server, DEMO_ORGANIZER)
    page.goto(live_server + "/organizer/companies/import")
    source = tmp_path / "companies.csv"
    source.write_text(CSV, encoding="utf-8")
    page.set_input_files("input[type=file]", str(source))
    page.click("form.form-card button[type=submit]")
    page.wait_for_load_state()
    assert "Imported: 2 new" in page.locator(".alert-success").inner_text()

    page.get_by_role("link", name="See the companies").click()
    page.wait_for_load_state()
    names = page.locator("table.org-companies tbody td:first-child").all_inner_texts()
    assert "Esik Honey Farm" in names and "Guzar Apricot Drying" in names
    assert _overflow(page) == 0

    out = Path(os.environ.get("FORUM_SCREENSHOT_DIR", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / "organizer-companies-desktop.png"))


def test_bad_csv_shows_row_errors(live_server, desktop_page, tmp_path):
    page = desktop_page
    log_in(page, live_server, DEMO_ORGANIZER)
    page.goto(live_server + "/organizer/companies/import")
    source = tmp_path / "bad.csv"
    source.write_text(CSV.replace("agriculture,Mountain", "moonrocks,Mountain"), encoding="utf-8")
    page.set_input_files("input[type=file]", str(source))
    page.click("form.form-card button[type=submit]")
    page.wait_for_load_state()
    assert "Nothing was imported" in page.locator("#import-problems").inner_text()
    assert "unknown sector “moonrocks”" in page.locator("table.import-errors").inner_text()
