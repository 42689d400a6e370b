"""Languages: Japanese first, English second. gettext catalogs compiled by Babel."""

from __future__ import annotations

import functools
import gettext

from chalicelib.core.config import settings

LANGUAGES = ("ja", "en")
LANGUAGE_COOKIE = "kumo_lang"


def negotiate(cookie_value: str | None, accept_language: str | None) -> str:
    """The cookie (an explicit choice) wins; then the browser's first supported language."""
    if cookie_value in LANGUAGES:
        return str(cookie_value)
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return settings().default_language


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    return gettext.translation("messages", localedir=str(settings().frontend_dir / "locales"),
                               languages=[language], fallback=True)


def gettext_for(language: str):  # type: ignore[no-untyped-def]
    return translations(language).gettext
