"""Markdown of card descriptions and comments, rendered for the page: CommonMark (markdown-it-py,
raw HTML off) and then sanitised by nh3 (Ammonia), so nothing a user writes becomes script,
style, an event handler or a javascript: link."""

from __future__ import annotations

import functools
from typing import Any

TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "s",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "td": {"align"}, "th": {"align"}}


@functools.cache
def _parser() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


def render(text: str) -> str:
    """Safe HTML for a Markdown text (empty text: empty HTML)."""
    import nh3

    if not text.strip():
        return ""
    html = _parser().render(text)
    return str(
        nh3.clean(
            html,
            tags=TAGS,
            attributes=ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
        )
    )
