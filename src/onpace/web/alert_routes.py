"""The alerts page: managers edit alerts.yml in the browser, checked before it is saved.

A save is validated exactly like ``onpace alerts check`` (file, line and a fix for
every problem) and refused whole when anything is wrong, so the file on disk is
always valid; a valid save replaces the file atomically and goes to the audit log.
Below the editor: the latest alerts and their deliveries.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from onpace.alerts.history import events
from onpace.alerts.rules import ALERTS_FILE, load_alerts
from onpace.auth import Identity
from onpace.web.render import page
from onpace.web.security import check_csrf, context, require

router = APIRouter(include_in_schema=False)


def _view(request: Request, text: str | None = None) -> dict[str, Any]:
    ws = context(request).ws
    file = ws.root / ALERTS_FILE
    current = file.read_text(encoding="utf-8") if file.exists() else ""
    shown = current if text is None else text
    issues = load_alerts(ws, shown).issues if shown.strip() else []
    return {
        "title": "Alerts",
        "text": shown,
        "issues": [
            {"line": i.line, "field": i.field, "message": i.message, "fix": i.fix, "level": i.level}
            for i in issues
        ],
        "events": events(ws.store, limit=50),
        "saved": request.query_params.get("saved"),
    }


@router.get("/alerts", name="alerts")
def alerts_page(request: Request, who: Identity = Depends(require("write_targets"))) -> Response:
    return page(request, "alerts.html", _view(request), who)


@router.post("/alerts")
def save_alerts(
    request: Request,
    who: Identity = Depends(require("write_targets")),
    csrf: str = Form(""),
    text: str = Form(""),
) -> Response:
    check_csrf(who, csrf)
    ctx = context(request)
    ws = ctx.ws
    clean = text.replace("\r\n", "\n")
    found = load_alerts(ws, clean).issues if clean.strip() else []
    if any(i.level == "error" for i in found):
        return page(request, "alerts.html", _view(request, clean), who, status=400)
    file = ws.root / ALERTS_FILE
    handle, tmp = tempfile.mkstemp(dir=ws.root, prefix=".alerts-", suffix=".yml")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(clean)
    os.replace(tmp, file)
    ctx.auth.audit(who.name, "alerts.save", ALERTS_FILE, {"bytes": len(clean.encode())})
    return RedirectResponse("/alerts?saved=1", status_code=303)
