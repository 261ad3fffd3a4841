"""Languages a company's delegates speak (not the interface language)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SPOKEN_LANGUAGES: dict[str, object] = {
    "ru": _l("Russian"),
    "kk": _l("Kazakh"),
    "uz": _l("Uzbek"),
    "en": _l("English"),
    "tr": _l("Turkish"),
    "zh": _l("Chinese"),
    "de": _l("German"),
    "ko": _l("Korean"),
    "ar": _l("Arabic"),
    "fa": _l("Persian"),
    "tg": _l("Tajik"),
    "ky": _l("Kyrgyz"),
    "fr": _l("French"),
}

# Names people write in CSV files, in English and in the languages themselves.
_ALIASES = {
    "russian": "ru", "русский": "ru", "rus": "ru",
    "kazakh": "kk", "казахский": "kk", "қазақ": "kk", "қазақша": "kk", "kaz": "kk", "kz": "kk",
    "uzbek": "uz", "узбекский": "uz", "o'zbek": "uz", "oʻzbek": "uz", "uzb": "uz",
    "english": "en", "английский": "en", "eng": "en",
    "turkish": "tr", "турецкий": "tr", "türkçe": "tr",
    "chinese": "zh", "китайский": "zh", "中文": "zh",
    "german": "de", "немецкий": "de", "deutsch": "de",
    "korean": "ko", "корейский": "ko",
    "arabic": "ar", "арабский": "ar",
    "persian": "fa", "farsi": "fa", "персидский": "fa",
    "tajik": "tg", "таджикский": "tg",
    "kyrgyz": "ky", "киргизский": "ky", "кыргызский": "ky",
    "french": "fr", "французский": "fr", "français": "fr",
}


def language_code(text: str) -> str | None:
    """Map a code or a language name to its code, or None when unknown."""
    key = text.strip().casefold()
    if key in SPOKEN_LANGUAGES:
        return key
    return _ALIASES.get(key)


def language_label(code: str) -> str:
    return str(SPOKEN_LANGUAGES.get(code, code))
