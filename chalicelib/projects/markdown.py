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


def plain_text(text: str) -> str:
    """The words of a Markdown text as a reader sees them, one block a line: no markup, a link by
    its text and its address (what search finds a description or a comment by)."""
    if not text.strip():
        return ""
    lines: list[str] = []
    for token in _parser().parse(text):
        if token.type in ("code_block", "fence"):
            lines.extend(line for line in token.content.splitlines() if line.strip())
        elif token.type == "inline":
            words = _inline_words(token.children or [])
            if words.strip():
                lines.append(" ".join(words.split()))
    return "\n".join(lines)


def _inline_words(children: list[Any]) -> str:
    out: list[str] = []
    addresses: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.type == "link_open":
            addresses.append(str(child.attrs.get("href") or ""))
        elif child.type == "link_close" and addresses:
            out.append(f" {addresses.pop()} ")  # the address too: people search for a site by its name
        elif child.type == "image":
            out.append(child.content)  # its alt text
    return "".join(out)
