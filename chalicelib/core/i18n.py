"""Languages: Japanese first, English second. gettext catalogs compiled by Babel."""

from __future__ import annotations

import functools
import gettext

from chalicelib.core.config import settings

LANGUAGES = ("ja", "en")
LANGUAGE_COOKIE = "kumo_lang"


def negotiate(cookie_value: str | None, accept_language: str | None = None) -> str:
    """Japanese unless the person chose otherwise (the language cookie).

    The browser's Accept-Language is deliberately not followed: staff share PCs and kiosks
    whose browsers are set up in many ways, and the prefecture's system speaks Japanese
    first; English is one click away and remembered.
    """
    del accept_language
    if cookie_value in LANGUAGES:
        return str(cookie_value)
    return settings().default_language


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "messages", localedir=str(settings().frontend_dir / "locales"), languages=[language], fallback=True
    )


def gettext_for(language: str):  # type: ignore[no-untyped-def]
    return translations(language).gettext
