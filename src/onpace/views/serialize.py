"""The JSON every surface answers with: the API, the pages' JSON twins and ``--format json``.

One encoder, so that ``onpace scorecard --format json`` prints byte for byte what
``GET /api/v1/scorecard`` returns: strict JSON (NaN and infinities become null),
compact, dates and other values as their ``str``.
"""

from __future__ import annotations

import json
import math
from typing import Any


def plain(value: Any) -> Any:
    """``value`` with NaN and infinities as None, keys as text, tuples as lists."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def json_bytes(data: Any) -> bytes:
    """Strict JSON (NaN becomes null), compact."""
    return json.dumps(plain(data), default=str, separators=(",", ":"), allow_nan=False).encode()
