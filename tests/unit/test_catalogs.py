"""The Japanese catalog translates every text and keeps every placeholder."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parents[2] / "frontend" / "locales"
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")


def test_japanese_catalog_is_complete_and_placeholders_match() -> None:
    with open(LOCALES / "ja" / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f)
    with open(LOCALES / "messages.pot", "rb") as f:
        template = read_po(f)
    missing = [m.id for m in template if m.id and m.id not in catalog]
    assert not missing, f"run `make extract-messages` and translate: {missing}"
    for message in catalog:
        if not message.id:
            continue
        assert message.string, f"untranslated: {message.id!r}"
        assert sorted(PLACEHOLDER.findall(str(message.id))) == sorted(PLACEHOLDER.findall(str(message.string))), (
            message.id
        )


def test_templates_render_in_both_languages() -> None:
    from chalicelib.core import templating

    for language, expected in (("ja", "ログイン"), ("en", "Sign in")):
        html = templating.render(
            "login.html", language, csrf_token="t", next_path="/", error=None, staff_id="", areas=(), principal=None
        )
        assert f'<html lang="{language}">' in html and expected in html
