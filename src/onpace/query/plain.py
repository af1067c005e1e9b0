"""Numbers out of result frames as plain Python: NaN and missing become ``None``.

Result frames use NaN (and sometimes ``pd.NA``) for "no value"; JSON, templates
and arithmetic on targets want ``None``. Every layer that reads a value out of a
frame converts it here, so the rule is the same on every screen.

>>> as_number(float("nan")) is None
True
>>> as_number("12.5")
12.5
"""

from __future__ import annotations

import math
from typing import Any


def as_number(value: Any) -> float | None:
    """``value`` as a float, or ``None`` when it is missing, NaN or not a number."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number
