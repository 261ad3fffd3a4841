"""Unit tests: cleaning single values (forum.validation) and naming spoken languages (forum.languages).

The functions are pure apart from gettext, which needs an application context for its messages.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from forum.languages import language_code, language_label
from forum.validation import check_length, clean_email, clean_phone, clean_text, clean_website


@pytest.fixture(autouse=True)
def _app_context(app: Flask) -> Iterator[None]:
    # No client requests happen in this module, so one context per test is safe.
    with app.app_context():
        yield


# --- clean_text ---------------------------------------------------------------------------------------


def test_clean_text_none_becomes_empty_string():
    assert clean_text(None) == ""


def test_clean_text_control_characters_and_nul_removed():
    assert clean_text("Qarshi\x00 Dairy\x07\x1b\x7f LLC") == "Qarshi Dairy LLC"


def test_clean_text_whitespace_folded_to_single_spaces():
    assert clean_text("  Nasaf \t Agro\n\r\nCluster  ") == "Nasaf Agro Cluster"


def test_clean_text_non_string_value_converted():
    assert clean_text(2024) == "2024"


def test_clean_text_multiline_keeps_line_breaks():
    value = "  Dried apricots   \r\nRaisins\rAlmonds\t \n\nWalnuts  "
    assert clean_text(value, multiline=True) == "Dried apricots\nRaisins\nAlmonds\n\nWalnuts"


def test_clean_text_multiline_removes_control_characters_but_keeps_tabs_inside():
    assert clean_text("Milk\x00\tkefir\x0b\nCheese", multiline=True) == "Milk\tkefir\nCheese"


def test_clean_text_normalises_to_nfc():
    decomposed = "Cafe\u0301 Qars\u030ci"  # e + combining acute, s + combining caron
    assert clean_text(decomposed) == "Caf\u00e9 Qar\u0161i"
    assert clean_text("Йогурт".replace("Й", "И\u0306")) == "Йогурт"


# --- check_length -------------------------------------------------------------------------------------


def test_check_length_at_the_limit_returns_value():
    assert check_length("abc", 3, "Name") == "abc"


def test_check_length_over_the_limit_raises_with_counts():
    with pytest.raises(ValueError) as exc_info:
        check_length("abcd", 3, "Name")
    assert str(exc_info.value) == "Name is too long: 4 characters, at most 3."


# --- clean_email --------------------------------------------------------------------------------------


def test_clean_email_normalises_and_lower_cases():
    assert clean_email("  Aigerim.Bekova@Talgar-Apples.KZ ") == "aigerim.bekova@talgar-apples.kz"


def test_clean_email_empty_asks_for_an_address():
    with pytest.raises(ValueError) as exc_info:
        clean_email("   ")
    assert str(exc_info.value) == "Enter an e-mail address."


@pytest.mark.parametrize("garbage", ["not-an-email", "user@", "@example.kz", "user@nodot", "a b@example.kz",
                                     "user@@example.kz"])
def test_clean_email_garbage_rejected(garbage: str):
    with pytest.raises(ValueError) as exc_info:
        clean_email(garbage)
    assert str(exc_info.value) == f"“{garbage}” is not a valid e-mail address."


# --- clean_website ------------------------------------------------------------------------------------


def test_clean_website_bare_domain_gets_https():
    assert clean_website("talgar-apples.kz") == "https://talgar-apples.kz"


def test_clean_website_full_urls_kept():
    assert clean_website("http://nasaf.uz/en/about?x=1") == "http://nasaf.uz/en/about?x=1"
    assert clean_website(" https://www.qarshi-dairy.uz ") == "https://www.qarshi-dairy.uz"


def test_clean_website_empty_returns_empty():
    assert clean_website("  ") == ""


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "JavaScript://x.y/%0aalert(1)", "ftp://x.y", "no-dot",
                                 "exa mple.kz", "https://exa mple.kz", "https://.kz", "data:text/html,hi"])
def test_clean_website_unsafe_or_malformed_rejected(bad: str):
    with pytest.raises(ValueError) as exc_info:
        clean_website(bad)
    assert str(exc_info.value) == "Enter a website address such as example.kz."


# --- clean_phone --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "cleaned"), [
    ("+998 90 123-45-67", "+998 90 123-45-67"),
    ("  8 (727) 300 00 00 ", "8 (727) 300 00 00"),
    ("", ""),
])
def test_clean_phone_valid_numbers_kept(raw: str, cleaned: str):
    assert clean_phone(raw) == cleaned


@pytest.mark.parametrize("bad", ["call me", "1234", "+7 701 abc", "++7 701 000 00 00"])
def test_clean_phone_letters_or_too_short_rejected(bad: str):
    with pytest.raises(ValueError) as exc_info:
        clean_phone(bad)
    assert str(exc_info.value) == "Enter a phone number with digits, spaces and an optional leading +."


# --- language_code / language_label -------------------------------------------------------------------


@pytest.mark.parametrize(("text", "code"), [
    ("ru", "ru"), ("KK", "kk"), (" uz ", "uz"), ("en", "en"),
    ("English", "en"), ("russian", "ru"), ("Kazakh", "kk"), ("Uzbek", "uz"), ("Farsi", "fa"),
    ("Русский", "ru"), ("УЗБЕКСКИЙ", "uz"), ("казахский", "kk"), ("қазақша", "kk"), ("O'zbek", "uz"),
    ("Deutsch", "de"), ("中文", "zh"),
])
def test_language_code_codes_and_names_mapped(text: str, code: str):
    assert language_code(text) == code


@pytest.mark.parametrize("text", ["Klingon", "xx", "", "r u"])
def test_language_code_unknown_is_none(text: str):
    assert language_code(text) is None


def test_language_label_known_code_and_unknown_code():
    assert language_label("uz") == "Uzbek"
    assert language_label("xx") == "xx"
