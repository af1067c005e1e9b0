"""Vega-Lite specs of :mod:`onpace.views.charts` as PNG images, without a browser.

vl-convert embeds the Vega renderer, so the review pack and the digest email show
the very charts of the web app, drawn from the same specs.
"""

from __future__ import annotations

import copy
from typing import Any

WIDTH = 520


def chart_png(spec: dict[str, Any], width: int = WIDTH, scale: float = 2.0) -> bytes:
    """``spec`` drawn as a PNG; a spec sized to its container gets ``width`` pixels."""
    import vl_convert

    fixed = copy.deepcopy(spec)
    _fix_width(fixed, width)
    png: bytes = vl_convert.vegalite_to_png(fixed, scale=scale)
    return png


def _fix_width(spec: dict[str, Any], width: int) -> None:
    if spec.get("width") == "container" or "width" not in spec:
        spec["width"] = width
    for layer in spec.get("layer", []):
        if layer.get("width") == "container":
            layer["width"] = width
