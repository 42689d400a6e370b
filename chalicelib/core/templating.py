"""Jinja2 rendering of the pages in frontend/templates, one environment per language.

jinja2 is imported on first render, so a JSON request never pays for it.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from chalicelib.core.assets import static_url
from chalicelib.core.config import settings
from chalicelib.core.i18n import translations

if TYPE_CHECKING:
    import jinja2

JST = timezone(timedelta(hours=9), "JST")


def jst(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Dates are shown in Japan time, whatever the server's clock zone."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(JST).strftime(fmt)


@functools.cache
def environment(language: str) -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(settings().frontend_dir / "templates")),
        autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["jst"] = jst
    env.globals["language"] = language
    env.globals["static_url"] = static_url  # hashed names in AWS (chalicelib/core/assets.py)
    return env


def render(template: str, language: str, **context: Any) -> str:
    return environment(language).get_template(template).render(**context)
