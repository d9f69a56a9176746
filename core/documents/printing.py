"""Printing HTML to PDF with WeasyPrint, safely, in the organisation's branding.

WeasyPrint would fetch any URL a document names (images, style sheets, fonts), `file://` included.
Our fetcher refuses everything but `data:` URIs, so neither a user's link nor crafted CSS can make
the server call a URL or read a local file; the logo is embedded as a `data:` URI.
"""

import base64
import re
import zoneinfo

from weasyprint import HTML
from weasyprint.urls import URLFetcher

from tenants.branding import LOGO_CONTENT_TYPES

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_COLOUR = "#1f4e79"


class DataOnlyFetcher(URLFetcher):
    """A WeasyPrint fetcher that serves `data:` URIs and refuses every other URL."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)

    def fetch(self, url, headers=None):
        # Checked here as well as by `allowed_protocols`: the refusal must not depend on how a
        # later WeasyPrint parses schemes.
        if not str(url).lower().startswith("data:"):
            raise ValueError("Only data: URIs are embedded in printed documents.")
        return super().fetch(url, headers)


def html_to_pdf(html: str, **options) -> bytes:
    """PDF bytes of an HTML document that may embed `data:` URIs and nothing else.

    `options` go to WeasyPrint's `write_pdf` (e.g. `pdf_variant="pdf/a-3b"` for invoices).
    """
    return HTML(string=html, base_url=None, url_fetcher=DataOnlyFetcher()).write_pdf(**options)


def brand_colour(organisation) -> str:
    """The organisation's colour if it is a plain `#rrggbb`, else the default (it goes into CSS)."""
    colour = getattr(organisation, "primary_colour", "") or ""
    return colour if COLOUR.match(colour) else DEFAULT_COLOUR


def logo_data_uri(organisation) -> str:
    """The organisation's logo as a `data:` URI, or "" when it has none (or it cannot be read)."""
    logo = getattr(organisation, "logo", None)
    if not logo:
        return ""
    extension = logo.name.rsplit(".", 1)[-1].lower()
    content_type = LOGO_CONTENT_TYPES.get(extension)
    if content_type is None:
        return ""
    try:
        with logo.open("rb") as file:
            content = file.read()
    except OSError:
        # A missing logo file must not stop the print: the name still brands it.
        return ""
    return f"data:{content_type};base64,{base64.b64encode(content).decode('ascii')}"
