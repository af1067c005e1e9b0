"""The objectives admin screen's data: every objective with its parent and KPI weights.

The page that edits objectives.yml lists what is there (flat, each with its parent,
so a phone can show it as cards) and what may be picked: the KPIs to link and the
objectives a new one may sit under. A broken objectives.yml is shown as its
problems, with nothing to edit until it is fixed (an edit would be refused anyway).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from onpace.errors import SpecError
from onpace.objectives.tree import workspace_objectives

if TYPE_CHECKING:
    from onpace.objectives.tree import Objective
    from onpace.workspace import Workspace


def objective_admin_view(ws: Workspace) -> dict[str, Any]:
    """Each objective (name, label, parent, horizon, owner, KPI weights) and the pickers."""
    kpis = [{"name": name, "label": kpi.label} for name, kpi in sorted(ws.kpis.items())]
    base: dict[str, Any] = {
        "title": "Objectives",
        "columns": ["name", "label", "parent", "horizon", "owner", "kpis"],
        "kpi_choices": kpis,
        "problem": None,
    }
    try:
        objectives = workspace_objectives(ws)
    except SpecError as exc:
        return {**base, "problem": "; ".join(str(i) for i in exc.issues), "table": []}
    table: list[dict[str, Any]] = []

    def add(obj: Objective, parent: str | None) -> None:
        links = [{"kpi": kpi, "weight": weight} for kpi, weight in obj.kpis.items()]
        table.append(
            {
                "name": obj.name,
                "label": obj.label,
                "labels": dict(obj.labels),
                "parent": parent,
                "horizon": obj.horizon,
                "owner": obj.owner,
                "kpis": ", ".join(f"{link['kpi']}={link['weight']:g}" for link in links),
                "links": links,
            }
        )
        for child in obj.objectives:
            add(child, obj.name)

    for root in objectives.roots:
        add(root, None)
    return {**base, "table": table}
