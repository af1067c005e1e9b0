"""The review pack as a PDF: the HTML pack laid out for A4 by WeasyPrint (no browser)."""

from __future__ import annotations

from pathlib import Path

from onpace.reports.pack import ReviewPack
from onpace.reports.pack_html import render_html


def write_pdf(pack: ReviewPack, path: Path, language: str = "en") -> Path:
    import weasyprint

    weasyprint.HTML(string=render_html(pack, language)).write_pdf(str(path))
    return path
