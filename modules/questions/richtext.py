"""Jurists' rich text: a small allowlist of HTML kept by nh3, everything else dropped.

Plain text (the editor without JavaScript) becomes paragraphs, escaped first.
"""

import re
from html import unescape

import nh3
from django.utils.html import escape, linebreaks

TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "blockquote", "h3", "h4"}
ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


def rich_text_clean(text: str) -> str:
    """Safe HTML for a jurist's message: sanitised markup, or plain text made into paragraphs."""
    text = (text or "").strip()
    if not text:
        return ""
    if not TAG.search(text):
        return linebreaks(escape(text))
    return nh3.clean(text, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel="noopener noreferrer")


def rich_text_is_empty(html: str) -> bool:
    """True when the HTML holds no visible text (an editor left with `<p><br></p>`)."""
    # Unescaped: editors leave `<p>&nbsp;</p>`, and a no-break space is no text.
    return not unescape(nh3.clean(html or "", tags=set())).strip()
