"""Organizers' Markdown to safe HTML, in time linear in the text.

The parser is markdown-it-py (CommonMark plus tables), whose time grows
linearly with the input, unlike Python-Markdown, which needed 50 s for 2,000
backticks. Its HTML goes through nh3 (no scripts, styles, event handlers or
`javascript:` links). Texts are rendered once, when they are saved, and the
HTML is stored beside them (`Study.briefing_html`, …): an expert's page reads
stored HTML and never runs the parser. The input is bounded too: a text
longer than `MAX_CHARS` is not parsed but shown as escaped plain text (the
services refuse such texts with a message long before).
"""

from __future__ import annotations

import functools
from html import escape

import nh3

MAX_CHARS = 50_000  # the longest text an organizer can save (Study.BRIEFING_MAX)

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "blockquote",
                "code", "pre", "a", "hr", "table", "thead", "tbody", "tr", "th", "td"}



@functools.cache
def _parser():
    """The parser, built on first use (importing markdown-it-py costs ~0.3 s at start-up).

    "commonmark" preset: no linkify or typographer; raw HTML is parsed, then nh3
    removes whatever is not in ALLOWED_TAGS (what organizers had with Python-Markdown).
    """
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table")


def render(text: str | None) -> str:
    """Markdown to sanitized HTML ("" for an empty text)."""
    text = text or ""
    if not text.strip():
        return ""
    if len(text) > MAX_CHARS:
        html = f"<p>{escape(text[:MAX_CHARS])}</p>"
    else:
        html = _parser().render(text)
    return nh3.clean(html, tags=ALLOWED_TAGS, link_rel="noopener noreferrer nofollow")
