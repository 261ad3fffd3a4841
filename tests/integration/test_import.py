"""Integration tests: the CSV import of companies (forum.services.importer) and `flask import-companies`.

A file is imported whole or not at all: every bad row is reported with its line, and nothing is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Company, CompanySize, Delegation
from forum.services.errors import ServiceError
from forum.services.importer import COLUMNS, ImportResult, RowError, import_companies_csv

ALMATY = "Almaty Region (Kazakhstan)"
KASHKADARYA = "Kashkadarya Region (Uzbekistan)"
NOT_UTF8 = "The file is not UTF-8 text. In Excel choose “Save as… CSV UTF-8”, then try again."
EXPECTED = ", ".join(COLUMNS)


def row(**overrides: str) -> dict[str, str]:
    """One CSV row with every column filled; override cells by column name."""
    cells = {
        "name": "Talgar Apple Orchards LLP",
        "delegation": ALMATY,
        "country": "Kazakhstan",
        "city": "Talgar",
        "sectors": "agriculture",
        "offers": "Aport apples, 3,000 t per season",
        "needs": "Hail nets",
        "description": "Family orchard",
        "website": "talgar-apples.example",
        "contact_name": "Aigerim Bekova",
        "contact_email": "a.bekova@talgar-apples.example",
        "languages": "ru; en",
    }
    cells.update(overrides)
    return cells


def csv_bytes(rows: Sequence[dict[str, str] | list[str]], header: Sequence[str] = COLUMNS,
              delimiter: str = ",", bom: bool = False, lineterminator: str = "\r\n") -> bytes:
    """CSV as Excel writes it: quoted where needed, CRLF line ends; dict rows follow the header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator)
    writer.writerow(header)
    for cells in rows:
        writer.writerow([cells.get(column, "") for column in header] if isinstance(cells, dict) else cells)
    data = buffer.getvalue().encode("utf-8")
    return b"\xef\xbb\xbf" + data if bom else data


def counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count(Company.id))),
            db.session.scalar(select(func.count(Delegation.id))))


def company_named(name: str) -> Company:
    return db.session.scalars(select(Company).where(Company.name == name)).one()


def sector_keys(company: Company) -> list[str]:
    return [s.key for s in company.sectors]


@pytest.fixture
def almaty(make_delegation: Callable[..., int]) -> int:
    return make_delegation(name=ALMATY, country="Kazakhstan")


@pytest.fixture
def do_import(app: Flask) -> Callable[[bytes], ImportResult]:
    def run(data: bytes) -> ImportResult:
        with app.app_context():
            return import_companies_csv(data)

    return run


@pytest.fixture
def import_error(app: Flask) -> Callable[[bytes], str]:
    """Import a file that must be refused as a whole; return the message and check nothing was written."""

    def run(data: bytes) -> str:
        with app.app_context():
            before = counts()
            with pytest.raises(ServiceError) as exc_info:
                import_companies_csv(data)
            db.session.rollback()
            assert counts() == before
        return exc_info.value.message

    return run


# --- good files ---------------------------------------------------------------------------------------


def test_import_good_file_creates_companies_and_new_delegation(app: Flask, almaty: int, do_import):
    data = csv_bytes([
        row(),
        row(name="Qarshi Dairy", delegation=KASHKADARYA, country="Uzbekistan", city="Qarshi",
            sectors="dairy; FRUIT & VEGETABLES;logistics & transport; Dairy",
            offers="Молоко, кефир и сыр «Qarshi Sut»", needs="Packaging film",
            website="https://qarshi-dairy.example/uz", contact_email=" Info@Qarshi-Dairy.Example ",
            languages="uz; Русский; ENGLISH; ru"),
    ])
    result = do_import(data)

    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert result.new_delegations == [KASHKADARYA]
    with app.app_context():
        assert counts() == (2, 2)
        talgar = company_named("Talgar Apple Orchards LLP")
        assert talgar.delegation_id == almaty
        assert sector_keys(talgar) == ["agriculture"]
        assert talgar.website == "https://talgar-apples.example"
        assert talgar.languages == ["ru", "en"]
        dairy = company_named("Qarshi Dairy")
        assert dairy.delegation.name == KASHKADARYA
        assert dairy.delegation.country == "Uzbekistan"
        # By key and by label, any case; the repeated "Dairy" counts once; ordered by the taxonomy.
        assert sector_keys(dairy) == ["fruit-vegetables", "dairy", "logistics"]
        assert dairy.languages == ["uz", "ru", "en"]
        assert dairy.offers == "Молоко, кефир и сыр «Qarshi Sut»"
        assert dairy.contact_email == "info@qarshi-dairy.example"
        assert dairy.website == "https://qarshi-dairy.example/uz"
        assert dairy.profile_version == 1


def test_import_file_with_utf8_bom_reads_header(app: Flask, almaty: int, do_import):
    result = do_import(csv_bytes([row()], bom=True))
    assert result.errors == []
    assert result.created == 1
    with app.app_context():
        assert company_named("Talgar Apple Orchards LLP").city == "Talgar"


def test_import_semicolon_file_as_russian_excel_writes_it(app: Flask, almaty: int, do_import):
    data = csv_bytes([
        row(name="ТОО «Агрофирма Кегень»", sectors="agriculture; dairy",
            offers="Племенные нетели, сено, сенаж", needs="Покупатели; ветеринарный партнёр"),
        row(name="Kaskelen Packaging", sectors="packaging", offers="Boxes, trays, labels"),
    ], delimiter=";", bom=True)
    result = do_import(data)
    assert result.errors == []
    assert result.created == 2
    with app.app_context():
        kegen = company_named("ТОО «Агрофирма Кегень»")
        assert sector_keys(kegen) == ["agriculture", "dairy"]
        assert kegen.offers == "Племенные нетели, сено, сенаж"
        assert kegen.needs == "Покупатели; ветеринарный партнёр"
        assert company_named("Kaskelen Packaging").offers == "Boxes, trays, labels"


def test_import_tab_separated_file_accepted(app: Flask, almaty: int, do_import):
    result = do_import(csv_bytes([row(offers="Apples, pears")], delimiter="\t"))
    assert result.errors == []
    with app.app_context():
        assert company_named("Talgar Apple Orchards LLP").offers == "Apples, pears"


def test_import_quoted_commas_next_to_apostrophes_parsed_as_cells(app: Flask, almaty: int, do_import):
    # Single quotes around brand names once made the delimiter sniffer take ' for the quote character,
    # which split "Wheat, barley" in two.
    data = csv_bytes([
        row(name="Co 0", offers="Wheat, barley", needs="Dried 'Qarshi' apricots and 'Oq' raisins"),
        row(name="Co 1", offers="Seeds", needs="Seeds"),
    ])
    result = do_import(data)
    assert result.errors == []
    with app.app_context():
        assert company_named("Co 0").offers == "Wheat, barley"
        assert company_named("Co 0").needs == "Dried 'Qarshi' apricots and 'Oq' raisins"


def test_import_columns_in_any_order_and_any_case(app: Flask, almaty: int, do_import):
    header = ["Sectors", "NAME", "City", "Offers", "Needs", "Country", "Delegation", "Contact Email"]
    data = csv_bytes([["dairy", "Almaty Milk", "Almaty", "Kefir", "Bottles", "Kazakhstan", ALMATY,
                       "milk@almaty.example"]], header=header)
    result = do_import(data)
    assert result.errors == []
    with app.app_context():
        company = company_named("Almaty Milk")
        assert (company.city, company.offers, company.contact_email) == (
            "Almaty", "Kefir", "milk@almaty.example")
        assert company.website == ""
        assert company.languages == []


def test_import_multiline_cells_keep_line_breaks(app: Flask, almaty: int, do_import):
    data = csv_bytes([row(offers="Apples\nPears\n\nApricots", description="Line one\r\nLine two")])
    result = do_import(data)
    assert result.errors == []
    with app.app_context():
        company = company_named("Talgar Apple Orchards LLP")
        assert company.offers == "Apples\nPears\n\nApricots"
        assert company.description == "Line one\nLine two"


def test_import_html_and_script_stored_verbatim(app: Flask, almaty: int, do_import):
    offers = '<script>alert("x")</script> & <b>apples</b>'
    result = do_import(csv_bytes([row(name="<i>Evil</i> & Co", offers=offers)]))
    assert result.errors == []
    with app.app_context():
        company = company_named("<i>Evil</i> & Co")
        assert company.offers == offers


def test_import_nul_and_control_characters_removed_from_cells(app: Flask, almaty: int, do_import):
    # PostgreSQL refuses NUL in text; a file exported from an old system may carry one.
    result = do_import(csv_bytes([row(name="Talgar\x00 Orchards", offers="Apples\x00 and\x07 pears")]))
    assert result.errors == []
    with app.app_context():
        assert company_named("Talgar Orchards").offers == "Apples and pears"


def test_import_blank_lines_are_skipped(app: Flask, almaty: int, do_import):
    data = csv_bytes([row(name="First"), ["", "", ""], row(name="Second")])
    result = do_import(data + b"\r\n\r\n")
    assert result.errors == []
    assert result.created == 2


def test_import_header_only_imports_nothing(app: Flask, almaty: int, do_import):
    result = do_import(csv_bytes([]))
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged, result.new_delegations) == (0, 0, 0, [])
    with app.app_context():
        assert counts() == (0, 1)


# --- bad rows -----------------------------------------------------------------------------------------


def test_import_bad_rows_import_nothing_and_every_row_reported(app: Flask, almaty: int, do_import):
    header_cells = len(COLUMNS)
    data = csv_bytes([
        row(name="Good Orchard", delegation="Brand New Delegation", country="Kyrgyzstan"),  # line 2
        row(name="Mining Co", sectors="dairy; mining"),                                      # line 3
        row(name="   "),                                                                      # line 4
        row(name="Bad Mail", contact_email="not-an-email"),                                  # line 5
        row(name="Bad Site", website="javascript:alert(1)"),                                 # line 6
        row(name="Long Offers", offers="x" * 2001),                                          # line 7
        ["Short Row", ALMATY, "Kazakhstan"],                                                  # line 8
        row(name="  GOOD   orchard ", delegation="brand new delegation", country="Kyrgyzstan"),  # line 9
        row(name="Many Problems", sectors="", country="", delegation="Unknown Land",
            languages="ru; Klingon"),                                                         # line 10
    ])
    with app.app_context():
        before = counts()
    result = do_import(data)

    assert result.errors == [
        RowError(3, "unknown sector “mining”"),
        RowError(4, "the name is empty"),
        RowError(5, "“not-an-email” is not a valid e-mail address"),
        RowError(6, "Enter a website address such as example.kz"),
        RowError(7, "Offers is too long: 2001 characters, at most 2000"),
        RowError(8, f"the row has 3 cells but the header has {header_cells}"),
        RowError(9, "the same company as on line 2"),
        RowError(10, "the country is empty; no sector is given; unknown language “Klingon”"),
    ]
    assert (result.created, result.updated, result.unchanged, result.new_delegations) == (0, 0, 0, [])
    assert result.ok is False
    with app.app_context():
        assert counts() == before == (0, 1)


def test_import_bad_row_after_multiline_cell_reports_its_own_line(app: Flask, almaty: int, do_import):
    data = csv_bytes([
        row(name="Multi", offers="one\ntwo\nthree"),  # lines 2-4
        row(name="Bad", sectors="mining"),            # line 5
        row(name="", offers="a\nb"),                  # lines 6-7: reported where the row starts
    ])
    result = do_import(data)
    assert result.errors == [RowError(5, "unknown sector “mining”"), RowError(6, "the name is empty")]


def test_import_bad_row_leaves_existing_companies_untouched(app: Flask, almaty: int, do_import):
    assert do_import(csv_bytes([row()])).created == 1
    result = do_import(csv_bytes([row(offers="Changed offers"), row(name="Bad", sectors="mining")]))
    assert result.errors == [RowError(3, "unknown sector “mining”")]
    with app.app_context():
        company = company_named("Talgar Apple Orchards LLP")
        assert company.offers == "Aport apples, 3,000 t per season"
        assert company.profile_version == 1


def test_import_too_many_sectors_reported(app: Flask, almaty: int, do_import):
    sectors = "agriculture; dairy; packaging; textiles; energy; trade; tourism"
    result = do_import(csv_bytes([row(sectors=sectors)]))
    assert result.errors == [RowError(2, "more than 6 sectors")]


# --- files refused as a whole -------------------------------------------------------------------------


def test_import_cp1251_file_refused_as_not_utf8(almaty: int, import_error):
    data = csv_bytes([row(name="ТОО «Агрофирма Кегень»")]).decode("utf-8").encode("cp1251")
    assert import_error(data) == NOT_UTF8


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"  \r\n\r\n"])
def test_import_empty_file_refused(almaty: int, import_error, data: bytes):
    assert import_error(data) == "The file is empty."


def test_import_missing_columns_named(almaty: int, import_error):
    header = [c for c in COLUMNS if c not in ("city", "needs")]
    message = import_error(csv_bytes([row()], header=header))
    assert message == ("The header row does not match (missing columns: city, needs). "
                       f"Expected columns: {EXPECTED}.")


def test_import_misspelt_column_named_as_unknown_and_missing(almaty: int, import_error):
    header = ["sectros" if c == "sectors" else c for c in COLUMNS]
    message = import_error(csv_bytes([row()], header=header))
    assert message == ("The header row does not match (missing columns: sectors; unknown columns: sectros). "
                       f"Expected columns: {EXPECTED}.")


def test_import_repeated_column_named(almaty: int, import_error):
    header = [*COLUMNS, "City"]
    message = import_error(csv_bytes([[*row().values(), "Almaty"]], header=header))
    assert message == f"The header row does not match (repeated columns: city). Expected columns: {EXPECTED}."


def test_import_empty_header_cell_named(almaty: int, import_error):
    message = import_error(csv_bytes([[*row().values(), ""]], header=[*COLUMNS, ""]))
    assert message == ("The header row does not match (unknown columns: (empty)). "
                       f"Expected columns: {EXPECTED}.")


def test_import_cell_over_csv_field_limit_refused_with_line(almaty: int, import_error):
    message = import_error(csv_bytes([row(), row(name="Huge", offers="x" * 200_000)]))
    assert message == "The file is not valid CSV near line 3: field larger than field limit (131072)"


def test_import_row_cap_gives_clear_error(app: Flask, almaty: int, import_error):
    app.config["IMPORT_MAX_ROWS"] = 3
    data = csv_bytes([row(name=f"Company {i}") for i in range(4)])
    assert import_error(data) == "The file has more than 3 companies; split it into smaller files."


def test_import_row_cap_allows_exactly_the_maximum(app: Flask, almaty: int, do_import):
    app.config["IMPORT_MAX_ROWS"] = 3
    result = do_import(csv_bytes([row(name=f"Company {i}") for i in range(3)]))
    assert result.errors == []
    assert result.created == 3


# --- re-import ----------------------------------------------------------------------------------------


def test_import_same_file_twice_updates_instead_of_duplicating(app: Flask, almaty: int, do_import):
    rows = [row(), row(name="Qarshi Dairy", delegation=KASHKADARYA, country="Uzbekistan", sectors="dairy")]
    first = do_import(csv_bytes(rows))
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)

    second = do_import(csv_bytes(rows))
    assert second.errors == []
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert second.new_delegations == []
    with app.app_context():
        assert counts() == (2, 2)
        assert company_named("Qarshi Dairy").profile_version == 1


def test_import_changed_offers_updates_that_company_only(app: Flask, almaty: int, do_import):
    do_import(csv_bytes([row(), row(name="Qarshi Dairy", sectors="dairy")]))
    result = do_import(csv_bytes([row(offers="Now also pears"), row(name="Qarshi Dairy", sectors="dairy")]))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    with app.app_context():
        assert counts() == (2, 1)
        talgar = company_named("Talgar Apple Orchards LLP")
        assert talgar.offers == "Now also pears"
        assert talgar.profile_version == 2
        assert "now also pears" in talgar.search_text
        assert company_named("Qarshi Dairy").profile_version == 1


def test_import_reimport_matches_name_ignoring_case_and_spaces(app: Flask, almaty: int, do_import):
    do_import(csv_bytes([row(name="Talgar Apple Orchards LLP")]))
    result = do_import(csv_bytes([row(name="  talgar   APPLE orchards llp ", delegation=ALMATY.upper())]))
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    with app.app_context():
        assert counts() == (1, 1)
        company = db.session.scalars(select(Company)).one()
        assert company.name == "talgar APPLE orchards llp"


def test_import_reimport_keeps_phone_and_size_edited_on_site(app: Flask, almaty: int, do_import):
    do_import(csv_bytes([row()]))
    with app.app_context():
        company = company_named("Talgar Apple Orchards LLP")
        company.contact_phone = "+7 701 555 12 34"
        company.size = CompanySize.MEDIUM
        db.session.commit()

    result = do_import(csv_bytes([row()]))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    with app.app_context():
        company = company_named("Talgar Apple Orchards LLP")
        assert company.contact_phone == "+7 701 555 12 34"
        assert company.size == CompanySize.MEDIUM


def test_import_reimport_without_optional_columns_keeps_site_values(app: Flask, almaty: int, do_import):
    do_import(csv_bytes([row()]))
    header = [c for c in COLUMNS if c not in ("website", "languages")]
    result = do_import(csv_bytes([row()], header=header))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    with app.app_context():
        company = company_named("Talgar Apple Orchards LLP")
        assert company.website == "https://talgar-apples.example"
        assert company.languages == ["ru", "en"]


def test_import_existing_delegation_fills_empty_country(app: Flask, almaty: int, do_import):
    result = do_import(csv_bytes([row(country="")]))
    assert result.errors == []
    with app.app_context():
        assert company_named("Talgar Apple Orchards LLP").country == "Kazakhstan"


# --- the CLI ------------------------------------------------------------------------------------------


def test_import_cli_good_file_exit_0_with_summary(app: Flask, almaty: int, runner: FlaskCliRunner,
                                                 tmp_path: Path):
    path = tmp_path / "companies.csv"
    path.write_bytes(csv_bytes([row(),
                                row(name="Qarshi Dairy", delegation=KASHKADARYA, country="Uzbekistan")]))
    result = runner.invoke(args=["import-companies", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"Imported companies.csv: 2 new, 0 updated, 0 unchanged.\n"
                             f"New delegations: {KASHKADARYA}\n")
    assert result.stderr == ""

    again = runner.invoke(args=["import-companies", str(path)])
    assert again.exit_code == 0, again.output
    assert again.stdout == "Imported companies.csv: 0 new, 0 updated, 2 unchanged.\n"
    with app.app_context():
        assert counts() == (2, 2)


def test_import_cli_bad_rows_exit_1_with_file_line_messages(app: Flask, almaty: int, runner: FlaskCliRunner,
                                                          tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([row(), row(name="Mining Co", sectors="mining"),
                                row(name="X", website="no-dot")]))
    result = runner.invoke(args=["import-companies", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"{path}:3: unknown sector “mining”\n"
                             f"{path}:4: Enter a website address such as example.kz\n"
                             "2 bad rows; nothing was imported.\n")
    with app.app_context():
        assert counts() == (0, 1)


def test_import_cli_one_bad_row_counted_in_singular(almaty: int, runner: FlaskCliRunner, tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([row(), row(name="")]))
    result = runner.invoke(args=["import-companies", str(path)])
    assert result.exit_code == 1
    assert result.stderr == f"{path}:3: the name is empty\n1 bad row; nothing was imported.\n"


def test_import_cli_not_utf8_exit_1_with_message(app: Flask, almaty: int, runner: FlaskCliRunner,
                                                tmp_path: Path):
    path = tmp_path / "cp1251.csv"
    path.write_bytes(csv_bytes([row(name="Агрофирма")]).decode("utf-8").encode("cp1251"))
    result = runner.invoke(args=["import-companies", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: {path}: {NOT_UTF8} Nothing was imported.\n"
    with app.app_context():
        assert counts() == (0, 1)


def test_import_cli_missing_file_exit_2(runner: FlaskCliRunner, tmp_path: Path):
    path = tmp_path / "nowhere.csv"
    result = runner.invoke(args=["import-companies", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"Invalid value for 'FILE': File '{path}' does not exist." in result.stderr


def test_import_semicolon_file_with_comma_separated_lists(app: Flask, almaty: int, do_import):
    # In a ";" file a person naturally writes lists with commas; both separators are accepted.
    header = ";".join(COLUMNS)
    line = ";".join(row(sectors="dairy, packaging", languages="ru, kk").values())
    result = do_import(f"{header}\n{line}\n".encode())
    assert (result.errors, result.created) == ([], 1)
    with app.app_context():
        company = company_named("Talgar Apple Orchards LLP")
        assert (sector_keys(company), company.languages) == (["dairy", "packaging"], ["ru", "kk"])


def test_import_semicolon_file_with_unquoted_semicolon_list_gets_a_hint(app: Flask, almaty: int, do_import):
    header = ";".join(COLUMNS)
    line = ";".join(row(sectors="dairy;packaging", languages="ru").values())
    result = do_import(f"{header}\n{line}\n".encode())
    assert result.errors == [RowError(2, "the row has 13 cells but the header has 12 (the file is separated by "
                                         "“;”, so write lists as “dairy, packaging” or put the cell in double "
                                         "quotes)")]
    with app.app_context():
        assert counts() == (0, 1)
