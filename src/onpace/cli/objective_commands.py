"""`onpace objective add|link|unlink`: edit the strategic objectives from the command line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from onpace.cli.support import WorkspaceOpt, console, fail, open_workspace
from onpace.errors import OnpaceError, SpecError

objective_app = typer.Typer(
    help="Add objectives and link KPIs to them (objectives.yml).", no_args_is_help=True
)


def _weights(items: list[str] | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items or []:
        name, _, weight = item.partition("=")
        try:
            out[name.strip()] = float(weight) if weight else 1.0
        except ValueError:
            fail(f"--kpi {item!r}: write KPI=WEIGHT, e.g. revenue=3", 2)
    return out


def _edit(change: Callable[[], Path]) -> Path | None:
    """Run one edit of objectives.yml, turning a refused edit into a message and exit 1."""
    try:
        return change()
    except SpecError as exc:
        fail("; ".join(f"{i.field}: {i.message}" for i in exc.issues))
    except OnpaceError as exc:
        fail(str(exc))
    return None


@objective_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="snake_case name of the objective.")],
    label: Annotated[str, typer.Option(help="What the objective is, in words.")],
    workspace: WorkspaceOpt = Path("."),
    parent: Annotated[str | None, typer.Option(help="Make it a sub-objective of this.")] = None,
    horizon: Annotated[str | None, typer.Option(help="Years it spans, e.g. 2026..2029.")] = None,
    owner: Annotated[str | None, typer.Option(help="Who answers for it.")] = None,
    kpi: Annotated[list[str] | None, typer.Option(help="KPI=WEIGHT, repeatable.")] = None,
    description: Annotated[str | None, typer.Option(help="Longer description.")] = None,
) -> None:
    """Add a strategic objective (or a sub-objective) with weighted KPIs."""
    from onpace.objectives.edit import add_objective

    ws = open_workspace(workspace)
    weights = _weights(kpi)
    file = _edit(
        lambda: add_objective(
            ws.root,
            ws.config.objectives_file,
            ws.kpis,
            name,
            label,
            parent,
            horizon,
            owner,
            weights,
            description,
        )
    )
    console.print(f"added objective {name} to {file}")


@objective_app.command("link")
def link(
    objective: Annotated[str, typer.Argument(help="The objective.")],
    kpi: Annotated[str, typer.Argument(help="The KPI that measures it.")],
    workspace: WorkspaceOpt = Path("."),
    weight: Annotated[float, typer.Option(help="Weight in the objective's roll-up.")] = 1.0,
) -> None:
    """Link a KPI to an objective (or change the link's weight)."""
    from onpace.objectives.edit import link_kpi

    ws = open_workspace(workspace)
    file = _edit(
        lambda: link_kpi(ws.root, ws.config.objectives_file, ws.kpis, objective, kpi, weight)
    )
    console.print(f"linked {kpi} to {objective} (weight {weight:g}) in {file}")


@objective_app.command("unlink")
def unlink(
    objective: Annotated[str, typer.Argument(help="The objective.")],
    kpi: Annotated[str, typer.Argument(help="The KPI to unlink.")],
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Remove a KPI from an objective."""
    from onpace.objectives.edit import unlink_kpi

    ws = open_workspace(workspace)
    file = _edit(lambda: unlink_kpi(ws.root, ws.config.objectives_file, ws.kpis, objective, kpi))
    console.print(f"unlinked {kpi} from {objective} in {file}")


def register(app: typer.Typer) -> None:
    """Add `onpace objective ...` to the main app."""
    app.add_typer(objective_app, name="objective")
