"""The review pack as a download from the scorecard page: PDF, Excel or HTML.

The pack is built for the viewer's scope, so a rep's download has only the
numbers their scorecard shows.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from onpace.auth import Identity
from onpace.errors import OnpaceError
from onpace.views.scope import Scope
from onpace.web.security import context, require

router = APIRouter(include_in_schema=False)


@router.get("/scorecard/pack.{kind}", name="review_pack")
def review_pack_download(
    request: Request, kind: str, who: Identity = Depends(require("read"))
) -> Response:
    from onpace.reports.pack import review_pack
    from onpace.reports.writers import MEDIA_TYPES, write_pack

    if kind not in MEDIA_TYPES:
        raise HTTPException(404, f"no review pack as {kind}: use pdf, xlsx or html")
    ctx = context(request)
    ws = ctx.ws
    scope = Scope.of(who, ws.config.privacy.min_group_size)
    params = request.query_params
    by = params.get("by") or ("total" if scope.restricted else "rep")
    try:
        pack = ctx.run(  # reads the warehouse: under the lock other computations take
            lambda: review_pack(
                ws, params.get("period") or None, params.get("objective") or None, by,
                ctx.now(), scope,
            )
        )  # fmt: skip
    except (OnpaceError, LookupError) as exc:
        raise HTTPException(400, str(exc)) from exc
    with tempfile.TemporaryDirectory() as folder:
        path = write_pack(pack, kind, Path(folder) / f"pack.{kind}")
        body = path.read_bytes()
    name = f"review-pack-{pack.period}.{kind}"
    return Response(
        body,
        media_type=MEDIA_TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
