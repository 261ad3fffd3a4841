"""The translations are complete and the interface has no text they cannot reach.

- every message the code and templates ask for has a Russian, Uzbek and Kazakh translation (all plural forms);
- the translations keep the placeholders, and the committed compiled catalogs (.mo) are the .po files compiled;
- no template shows words outside ``_()``, and no flash, error or form label in Python is a bare string.
"""

from __future__ import annotations

import ast
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from forum.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "forum" / "translations"
TRANSLATED = [code for code in LANGUAGES if code != "en"]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}


def _scanned_directory(path: str) -> bool:
    # pybabel's default also skips folders starting with "_", which would leave templates/_partials and
    # templates/_macros out of the catalogs (README: extract with --ignore-dirs, as here).
    name = Path(path).name
    return not name.startswith(".") and name != "__pycache__"


def _extracted() -> dict[str, tuple[str, str | None, list[str]]]:
    """msgid -> (msgid, plural, where) for every message the sources ask for, as pybabel extract finds them."""
    with open(ROOT / "forum" / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str, tuple[str, str | None, list[str]]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, directory_filter=_scanned_directory):
        msgid, plural = (message, None) if isinstance(message, str) else (message[0], message[1])
        if msgid:
            found.setdefault(msgid, (msgid, plural, []))[2].append(f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def extracted() -> dict[str, tuple[str, str | None, list[str]]]:
    return _extracted()


def _catalog(code: str):
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle)


def test_the_sources_ask_for_the_messages_we_translate(extracted):
    # Guards the extraction itself: a broken babel.cfg would find nothing, and every check below would pass.
    assert len(extracted) > 1000
    assert "My agenda" in extracted and "Agriculture" in extracted  # a template string and a sector name
    scanned = {where.rsplit(":", 1)[0] for _msgid, _plural, places in extracted.values() for where in places}
    asking = {str(path.relative_to(ROOT)) for path in (ROOT / "templates").rglob("*.html") if "_(" in path.read_text()}
    assert asking - scanned == set(), "templates the extraction did not read"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_has_a_translation(code: str, extracted):
    catalog = _catalog(code)
    missing = []
    for msgid, plural, where in extracted.values():
        message = catalog.get(msgid if plural is None else (msgid, plural))
        if message is None and plural is not None:
            message = catalog.get(msgid)
        strings = () if message is None else (message.string if isinstance(message.string, tuple)
                                               else (message.string,))
        if message is None or message.fuzzy or not strings or not all(s.strip() for s in strings):
            missing.append(f"{msgid!r} ({where[0]})")
    assert not missing, (f"{len(missing)} messages lack a {code} translation (README, Translations):\n"
                         + "\n".join(missing[:40]))


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_placeholders_and_plural_forms(code: str):
    catalog = _catalog(code)
    problems = [f"{message.id!r}: {error}" for message, errors in catalog.check() for error in errors]
    assert not problems, "\n".join(problems[:40])
    for message in catalog:
        if message.pluralizable and message.id:
            assert len(message.string) == catalog.num_plurals, message.id


@pytest.mark.parametrize("code", TRANSLATED)
def test_compiled_catalog_is_the_po_file_compiled(code: str):
    """The .mo files are committed so that installing needs no build step: a .po edited without running
    ``pybabel compile`` would ship the old words."""
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(code))
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        committed = read_mo(handle)
    compiled.seek(0)
    expected = read_mo(compiled)
    def messages(catalog) -> dict:
        return {str(m.id): str(m.string) for m in catalog if m.id}

    assert messages(committed) == messages(expected), f"run: pybabel compile -d forum/translations ({code})"


# --- no user-visible text outside _() ---------------------------------------------------------------------

_JINJA_STATEMENTS = re.compile(r"\{#.*?#\}|\{%.*?%\}", re.S)
_JINJA_EXPRESSIONS = re.compile(r"\{\{.*?\}\}", re.S)
_WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row, in any script
_VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "aria-roledescription",
                       "label", "data-copied-label"}
# Code samples and scripts are not prose; media types and commands stay as they are in every language.
_NOT_PROSE = {"script", "style", "code", "pre", "kbd", "samp"}
_VOID = {"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr", "area", "base", "track"}


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self.open.append(tag)
        kinds = dict(attrs)
        for name, value in attrs:
            shown = name in _VISIBLE_ATTRIBUTES or (
                name == "value" and tag == "input" and kinds.get("type") in ("submit", "button", "reset"))
            if value and shown:
                self._check(value, f"<{tag} {name}>")

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if not any(tag in _NOT_PROSE for tag in self.open):
            self._check(data, f"<{self.open[-1]}>" if self.open else "text")

    def _check(self, text: str, where: str) -> None:
        if _WORD.search(text.replace("\x00", " ")):
            self.found.append(f"{where} {' '.join(text.replace(chr(0), '…').split())[:80]!r}")


def visible_text_outside_gettext(source: str) -> list[str]:
    """Words a template shows that no ``{{ _(...) }}`` produced: Jinja tags are taken out (an expression
    leaves a mark that is not a word), then what is left of the HTML is read as a browser would show it."""
    parser = _VisibleText()
    parser.feed(_JINJA_EXPRESSIONS.sub("\x00", _JINJA_STATEMENTS.sub("", source)))
    parser.close()
    return parser.found


def test_the_template_check_finds_bare_text():
    # The check itself must catch what it is for, or the test below proves nothing.
    assert visible_text_outside_gettext("<p>Welcome, {{ name }}</p>")
    assert visible_text_outside_gettext('<button title="Close">×</button>')
    assert visible_text_outside_gettext('<input type="submit" value="Send">')
    assert visible_text_outside_gettext("<li>Сохранить</li>")
    assert not visible_text_outside_gettext('<p class="lead">{{ _("Welcome, %(name)s", name=name) }} · 3</p>')
    assert not visible_text_outside_gettext("<code>application/json</code>{# a comment #}")


def test_templates_have_no_text_outside_gettext():
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        found += [f"{path.relative_to(ROOT)}: {text}" for text in visible_text_outside_gettext(path.read_text())]
    assert not found, "Wrap these in {{ _(...) }}:\n" + "\n".join(found)


# Calls whose first argument, or whose ``message=``/``label=``/``description=``, a person reads.
_SHOWN_CALLS = {"flash", "ValidationError", "StopValidation", "abort"}
_ERROR_SUFFIXES = ("Error", "Denied", "NotFound", "Busy", "Taken")
_PYTHON_ERRORS = {"ValueError", "TypeError", "RuntimeError", "KeyError", "LookupError", "AttributeError",
                  "NotImplementedError", "AssertionError", "OSError", "ImportError"}
# The API reference's field and operation descriptions are developer documentation in English, like the
# protocol itself (the API's messages to people are translated); error codes are machine-readable.
_DEVELOPER_CALLS = {"Field", "ApiError", "operation"}


def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value for part in node.values if isinstance(part, ast.Constant))
    return None


def bare_user_strings(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name in _DEVELOPER_CALLS:
            continue
        shown = list(node.args[:1]) if (
            name in _SHOWN_CALLS or (name.endswith(_ERROR_SUFFIXES) and name not in _PYTHON_ERRORS)
            or (name.endswith("Field") and name != "Field")) else []
        shown += [k.value for k in node.keywords if k.arg in ("message", "label", "description")]
        for argument in shown:
            text = _literal(argument)
            if text and _WORD.search(text):
                found.append(f"line {node.lineno}: {name}({text[:60]!r})")
    return found


def test_the_python_check_finds_bare_strings():
    assert bare_user_strings('flash("Saved.", "success")')
    assert bare_user_strings('raise ServiceError("No such table.")')
    assert bare_user_strings('name = StringField("Name", validators=[DataRequired(message="Enter it")])')
    assert not bare_user_strings('flash(_("Saved."), "success")\nraise ValueError("internal")')


def test_python_shows_no_bare_strings():
    """Flash messages, service errors and form labels go through ``_()``/``_l()``. The pure core
    (forum/matching, forum/scheduling) cannot import Flask-Babel: it returns data that services word;
    the demo's content is sample data, written as a delegate would."""
    found = []
    for path in sorted((ROOT / "forum").rglob("*.py")):
        relative = path.relative_to(ROOT / "forum")
        if relative.parts[0] in ("matching", "scheduling", "migrations") or relative == Path("services/demo.py"):
            continue
        found += [f"forum/{relative} {text}" for text in bare_user_strings(path.read_text())]
    assert not found, "Wrap these in _() or _l():\n" + "\n".join(found)
