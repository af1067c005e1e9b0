"""One entry point for the three formats of the review pack (CLI and web download)."""

from __future__ import annotations

from pathlib import Path

from onpace.reports.pack import ReviewPack

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


def write_pack(pack: ReviewPack, kind: str, path: Path, language: str = "en") -> Path:
    if kind == "pdf":
        from onpace.reports.pack_pdf import write_pdf

        return write_pdf(pack, path, language)
    if kind == "xlsx":
        from onpace.reports.pack_xlsx import write_xlsx

        return write_xlsx(pack, path)
    from onpace.reports.pack_html import render_html

    path.write_text(render_html(pack, language), encoding="utf-8")
    return path
