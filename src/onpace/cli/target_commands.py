"""Commands for targets, objectives, the status scorecard and the SMART check.

Thin on purpose: every command parses its arguments, calls the library
(:mod:`onpace.targets.authoring`, :mod:`onpace.store`, :mod:`onpace.views.scorecard`,
:mod:`onpace.targets.smart`) and prints what it returns.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from onpace.cli.support import (
    WorkspaceOpt,
    as_of_option,
    console,
    err_console,
    fail,
    open_workspace,
    print_issues,
)
from onpace.errors import OnpaceError, SpecError
from onpace.views.formatting import MISSING, estimate_decimals, format_change, format_value

if TYPE_CHECKING:
    from onpace.store import Store
    from onpace.views.scorecard import Scorecard
    from onpace.workspace import Workspace

target_app = typer.Typer(help="Set, list and revise targets.", no_args_is_help=True)

STATUS_STYLE = {
    "not started": "dim",
    "too early": "cyan",
    "on track": "green",
    "at risk": "yellow",
    "off track": "red",
    "achieved": "bold green",
    "missed": "bold red",
    "no data": "dim",
    "no target": "dim",
}
LEVEL_MARK = {"ok": "[green]✓[/]", "warning": "[yellow]![/]", "error": "[red]✗[/]"}

WhyOpt = Annotated[str, typer.Option("--why", help="Why the target is set or changed.")]
UserOpt = Annotated[
    str | None, typer.Option("--user", help="Who makes the change (default: the OS user).")
]
AsOfOpt = Annotated[str | None, typer.Option(help="Evaluate as of this moment (ISO date).")]
FormatOpt = Annotated[str, typer.Option("--format", help="table or json.")]


def _pct(value: float | None) -> str:
    return MISSING if value is None else f"{value:.0%}"


def _status(value: str | None) -> str:
    if value is None:
        return ""
    return f"[{STATUS_STYLE.get(value, 'white')}]{value}[/]"


def _store(ws: Workspace) -> Store:
    from onpace.store import workspace_store

    try:
        return workspace_store(ws)
    except OnpaceError as exc:
        fail(str(exc))


def _run(action: Any) -> Any:
    """Run ``action``; a user mistake becomes a message and exit code 1, never a traceback."""
    try:
        return action()
    except SpecError as exc:
        print_issues(exc.issues)
        raise typer.Exit(1) from exc
    except OnpaceError as exc:
        fail(str(exc))


LevelOpt = Annotated[str | None, typer.Option(help="Read like VALUE.")]
NewValueOpt = Annotated[
    bool, typer.Option("--new-value", help="The --by value is not in the data yet.")
]


@target_app.command("set")
def target_set(
    kpi: Annotated[str, typer.Argument(help="KPI name.")],
    period: Annotated[str, typer.Argument(help="2026, 2026-Q3, 2026-03, FY2027 or A..B dates.")],
    value: Annotated[
        str, typer.Argument(help="1250000, 1.25M, 25% or with --relative +10%, -2pp.")
    ],
    why: WhyOpt,
    workspace: WorkspaceOpt = Path("."),
    by: Annotated[
        str | None, typer.Option(help="One member: rep=R01 (or the rep's name), rep.team=North.")
    ] = None,
    relative: Annotated[str | None, typer.Option(help="Baseline: last_year or previous.")] = None,
    phasing: Annotated[str, typer.Option(help="linear, seasonal or weights.")] = "linear",
    weights: Annotated[
        str | None, typer.Option(help="With --phasing weights: 30,30,40 (sum 100).")
    ] = None,
    floor: LevelOpt = None,
    stretch: LevelOpt = None,
    new_value: NewValueOpt = False,
    user: UserOpt = None,
) -> None:
    """Set a target (a new revision when it exists): absolute or relative to a baseline.

    --floor and --stretch add the least acceptable and an ambitious level beside it.
    """
    from onpace.targets.actuals import KpiData
    from onpace.targets.authoring import TargetInput

    ws = open_workspace(workspace)
    store = _store(ws)

    def act() -> Any:
        given = TargetInput.read(
            kpi, period, value, by, relative, phasing, weights, floor, stretch, new_value
        )
        target = given.build(KpiData(ws, ws.now()))
        return store.set_target(target, reason=why, author=user)

    stored = _run(act)
    unit = ws.kpis[kpi].unit
    text = format_value(stored.value, unit, ws.config.currency)
    extra = ""
    if stored.basis == "relative":
        base = format_value(stored.baseline_value, unit, ws.config.currency)
        extra = f" ({value} on {stored.baseline_period}: {base})"
    for name, level in (("floor", stored.floor), ("stretch", stored.stretch)):
        if level is not None:
            extra += f", {name} {format_value(level, unit, ws.config.currency)}"
    console.print(
        f"[green]{kpi}[/] {stored.period.label} {stored.scope}: {text}{extra}, "
        f"revision {stored.revision} by {stored.author}"
    )


@target_app.command("try")
def target_try(
    kpi: Annotated[str, typer.Argument(help="KPI name.")],
    period: Annotated[str, typer.Argument(help="2026, 2026-Q3, 2026-03, FY2027 or A..B dates.")],
    value: Annotated[str, typer.Argument(help="1250000, 5.2M, 25% or with --relative +10%, -2pp.")],
    workspace: WorkspaceOpt = Path("."),
    by: Annotated[str | None, typer.Option(help="One member: rep=R01, rep.team=North.")] = None,
    relative: Annotated[str | None, typer.Option(help="Baseline: last_year or previous.")] = None,
    phasing: Annotated[str, typer.Option(help="linear, seasonal or weights.")] = "linear",
    weights: Annotated[str | None, typer.Option(help="With --phasing weights.")] = None,
    floor: LevelOpt = None,
    stretch: LevelOpt = None,
    new_value: NewValueOpt = False,
    as_of: AsOfOpt = None,
    format_: FormatOpt = "table",
) -> None:
    """Try a target before setting it: attainment, pace, projection, probability and the
    SMART findings it would get. Nothing is recorded."""
    from onpace.targets.authoring import TargetInput
    from onpace.views.serialize import json_bytes
    from onpace.views.target_pages import target_trial

    ws = open_workspace(workspace)
    given = _run(
        lambda: TargetInput.read(
            kpi, period, value, by, relative, phasing, weights, floor, stretch, new_value
        )
    )
    trial = _run(lambda: target_trial(ws, _store(ws), given, as_of_option(as_of)))
    if format_ == "json":
        sys.stdout.write(json_bytes(trial).decode() + "\n")
        return
    _print_trial(ws, trial)


def _print_trial(ws: Workspace, trial: dict[str, Any]) -> None:
    t, s = trial["target"], trial["status"]
    unit = s["unit"]

    def fv(v: float | None) -> str:
        return format_value(v, unit, ws.config.currency)

    def fe(v: float | None) -> str:
        return format_value(v, unit, ws.config.currency, estimate_decimals(s["actual"], unit))

    head = f"[bold]{t['kpi']}[/] {t['period']} {t['scope']}: {fv(t['value'])}"
    for name in ("floor", "stretch"):
        if t.get(name) is not None:
            head += f", {name} {fv(t[name])}"
    console.print(head + "  [dim](tried, not recorded)[/]")
    table = Table()
    for col in ("actual", "attain.", "pace", "projection", "80% interval", "P(reach)", "status"):
        table.add_column(col, justify="right")
    interval = MISSING if s["low"] is None else f"{fe(s['low'])} to {fe(s['high'])}"
    table.add_row(
        fv(s["actual"]),
        _pct(s["attainment"]),
        _pct(s["pace"]),
        fe(s["projection"]),
        interval,
        _pct(s["probability"]),
        _status(s["status"]),
    )
    console.print(table)
    console.print(escape(s["explanation"]), highlight=False)
    for f in trial["findings"]:
        console.print(
            f"{LEVEL_MARK[f['level']]} {f['letter']}: {escape(f['message'])}", highlight=False
        )
        for line in (f["evidence"] or "").splitlines():
            console.print(f"    [dim]{escape(line)}[/]", highlight=False)


@target_app.command("remove")
def target_remove(
    kpi: Annotated[str, typer.Argument(help="KPI name.")],
    period: Annotated[str, typer.Argument(help="The target's period, as it was set.")],
    why: WhyOpt,
    workspace: WorkspaceOpt = Path("."),
    by: Annotated[str | None, typer.Option(help="One dimension value: rep=ann.")] = None,
    user: UserOpt = None,
) -> None:
    """Retire a target: it stops counting; its history stays."""
    from onpace.errors import TargetError
    from onpace.targets.authoring import parse_by
    from onpace.targets.definition import parse_target_period

    ws = open_workspace(workspace)
    store = _store(ws)

    def act() -> Any:
        dim, val = parse_by(by)
        label = parse_target_period(period, ws.calendar).label
        current = store.find(kpi, label, dim, val)
        if current is None:
            raise TargetError(f"there is no target for {kpi} {label} {by or ''}".strip())
        return store.retire_target(current, reason=why, author=user)

    stored = _run(act)
    console.print(
        f"retired {kpi} {stored.period.label} {stored.scope} (revision {stored.revision})"
    )


@target_app.command("list")
def target_list(
    workspace: WorkspaceOpt = Path("."),
    kpi: Annotated[str | None, typer.Option(help="Only this KPI.")] = None,
    milestones: Annotated[
        bool, typer.Option(help="Show the monthly and quarterly milestones too.")
    ] = False,
) -> None:
    """The current targets (latest revision of each)."""
    from onpace.targets.actuals import KpiData, is_additive
    from onpace.targets.definition import milestones as phase

    ws = open_workspace(workspace)
    targets = _run(lambda: _store(ws).current(kpi))
    table = Table(title=f"Targets of {ws.config.name}")
    for col in ("KPI", "period", "scope", "target", "basis", "phasing", "rev", "by", "why"):
        table.add_column(col, justify="right" if col in ("target", "rev") else "left")
    currency = ws.config.currency
    data = KpiData(ws, ws.now())
    for t in sorted(targets, key=lambda t: (t.kpi, t.period.start, t.scope)):
        unit = ws.kpis[t.kpi].unit if t.kpi in ws.kpis else "ratio"
        basis = "absolute"
        if t.basis == "relative":
            basis = f"{t.baseline} ({format_value(t.baseline_value, unit, currency)})"
        value = format_value(t.value, unit, currency)
        levels = [
            f"{name} {format_value(level, unit, currency)}"
            for name, level in (("floor", t.floor), ("stretch", t.stretch))
            if level is not None
        ]
        if levels:
            value += f" [dim]({', '.join(levels)})[/]"
        table.add_row(
            t.kpi,
            t.period.label,
            t.scope,
            value,
            basis,
            t.phasing,
            str(t.revision),
            t.author,
            escape(t.reason),
        )
        if milestones and t.kpi in ws.kpis:
            history = _run(lambda t=t: data.monthly(t.kpi, t.dimension, t.dimension_value))
            additive = is_additive(t.kpi, ws.kpis)
            for m in phase(t, additive, history, ws.calendar):
                table.add_row(
                    "",
                    f"  {m.label}",
                    f"{m.share:.1%}",
                    format_value(m.value, unit, currency),
                    f"to date {format_value(m.cumulative, unit, currency)}",
                    "",
                    "",
                    "",
                    "",
                )
    console.print(table)


@target_app.command("history")
def target_history(
    kpi: Annotated[str, typer.Argument(help="KPI name.")], workspace: WorkspaceOpt = Path(".")
) -> None:
    """Every revision of a KPI's targets, oldest first: who, when, what and why."""
    ws = open_workspace(workspace)
    revisions = _run(lambda: _store(ws).history(kpi))
    if not revisions:
        fail(f"no target has ever been set for {kpi}")
    unit = ws.kpis[kpi].unit if kpi in ws.kpis else "ratio"
    table = Table(title=f"Target history of {kpi}")
    for col in ("when", "who", "period", "scope", "rev", "action", "value", "why"):
        table.add_column(col)
    for t in revisions:
        when = t.created_at.strftime("%Y-%m-%d %H:%M") if t.created_at else ""
        table.add_row(
            when,
            t.author,
            t.period.label,
            t.scope,
            str(t.revision),
            t.action,
            format_value(t.value, unit, ws.config.currency),
            escape(t.reason),
        )
    console.print(table)


@target_app.command("import")
def target_import(
    file: Annotated[Path, typer.Argument(help="A targets YAML file (see docs/targets.md).")],
    workspace: WorkspaceOpt = Path("."),
    user: UserOpt = None,
) -> None:
    """Set every target in a YAML file; targets already at that value are left alone."""
    from onpace.targets.actuals import KpiData
    from onpace.targets.authoring import read_targets_file

    ws = open_workspace(workspace)
    store = _store(ws)
    entries = _run(lambda: read_targets_file(KpiData(ws, ws.now()), file))
    changed = 0
    for target, why in entries:
        current = store.find(
            target.kpi, target.period.label, target.dimension, target.dimension_value
        )
        same = current is not None and (current.value, current.phasing, current.weights) == (
            target.value,
            target.phasing,
            target.weights,
        )
        if not same:
            _run(lambda target=target, why=why: store.set_target(target, reason=why, author=user))
            changed += 1
    console.print(f"imported {len(entries)} target(s) from {file}: {changed} new revision(s)")


@target_app.command("export")
def target_export(
    workspace: WorkspaceOpt = Path("."),
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here.")] = None,
) -> None:
    """Write the current targets as YAML (the format import reads)."""
    from onpace.targets.authoring import targets_yaml

    ws = open_workspace(workspace)
    text = targets_yaml(_run(lambda: _store(ws).current()))
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"wrote {output}")


GrainOpt = Annotated[str, typer.Option(help="month, quarter, year or custom.")]
PeriodOpt = Annotated[
    str | None,
    typer.Option(help="2026-Q4, 2026-11, 2026 or 2026-01-15..2026-03-31 (default: in progress)."),
]


def objectives(
    workspace: WorkspaceOpt = Path("."),
    period: PeriodOpt = None,
    grain: GrainOpt = "quarter",
    as_of: AsOfOpt = None,
    format_: FormatOpt = "table",
) -> None:
    """The strategic objectives as a tree, with roll-up attainment and what drags it down."""
    from onpace.views.serialize import json_bytes
    from onpace.views.target_pages import objectives_view

    ws = open_workspace(workspace)
    view = _run(
        lambda: objectives_view(ws, _store(ws), as_of_option(as_of), grain=grain, period=period)
    )
    if format_ == "json":
        sys.stdout.write(json_bytes(view).decode() + "\n")
        return
    if view["problem"]:
        fail(view["problem"])
    if not view["tree"]:
        console.print(
            f"no objectives yet: create {ws.config.objectives_file} (see docs/targets.md)"
        )
        return
    from rich.tree import Tree

    tree = Tree(f"[bold]{escape(ws.config.name)}[/]: objectives in {view['period']}")

    def add(parent: Any, obj: dict[str, Any]) -> None:
        head = f"[bold]{escape(obj['label'])}[/] ({obj['name']})"
        if obj["horizon"]:
            head += f" {obj['horizon']}"
        if obj["attainment"] is not None:
            head += f"  {_pct(obj['attainment'])} {_status(obj['status'])}"
            if obj["drags"]:
                head += "  dragged by " + ", ".join(
                    f"{d['name']} (-{d['shortfall']:.0%})" for d in obj["drags"][:3]
                )
        node = parent.add(head)
        for k in obj["kpis"]:
            mark = ""
            if k["period"]:
                mark = f"  {_pct(k['score'])} {_status(k['status'])} ({escape(k['target_source'])})"
            node.add(f"{k['kpi']}  weight {k['weight']:.0%}{mark}")
        for child in obj["children"]:
            add(node, child)

    for root in view["tree"]:
        add(tree, root)
    console.print(tree)


def scorecard(
    workspace: WorkspaceOpt = Path("."),
    period: PeriodOpt = None,
    grain: GrainOpt = "quarter",
    compare: Annotated[str, typer.Option(help="previous or last_year.")] = "previous",
    full: Annotated[
        bool,
        typer.Option(
            "--full-compare",
            help="Compare with the whole compared period, not the same span of it.",
        ),
    ] = False,
    by: Annotated[
        str | None,
        typer.Option(help="Per member of a dimension: rep, rep.team, customer.segment, ..."),
    ] = None,
    kpi: Annotated[list[str] | None, typer.Option(help="Only these KPIs.")] = None,
    targeted: Annotated[
        bool, typer.Option("--targeted", help="Only the KPIs with a target.")
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Add the line that explains each status.")
    ] = False,
    as_of: AsOfOpt = None,
    format_: FormatOpt = "table",
) -> None:
    """Every KPI in one period: value, comparison, target, attainment, pace, projection, status."""
    ws = open_workspace(workspace)
    print_scorecard(
        ws,
        period=period,
        grain=grain,
        compare=compare,
        span="full" if full else "same",
        by=by,
        kpis=kpi,
        only_targets=targeted,
        as_of=as_of,
        format_=format_,
        explain=explain,
    )


def print_scorecard(
    ws: Workspace,
    as_of: str | None = None,
    format_: str = "table",
    explain: bool = False,
    **params: Any,
) -> None:
    """Print the scorecard of ``params`` (see :func:`onpace.views.scorecard.scorecard`)."""
    from onpace.views.scorecard import scorecard as build
    from onpace.views.serialize import json_bytes

    if format_ not in ("table", "json"):
        fail(f"unknown format {format_!r}; use table or json", 2)
    card = _run(lambda: build(ws, _store(ws), as_of=as_of_option(as_of), **params))
    if format_ == "json":
        sys.stdout.write(json_bytes(card.as_dict()).decode() + "\n")
        return
    if not card.rows:
        console.print(
            f"no KPI rows for {card.period.label}"
            + (" with a target" if params.get("only_targets") else "")
            + (f" by {card.by}" if card.by else "")
            + "; set a target with: onpace target set KPI PERIOD VALUE"
        )
        return
    console.print(_scorecard_table(ws, card, explain))


def _scorecard_table(ws: Workspace, card: Scorecard, explain: bool) -> Table:
    currency = ws.config.currency
    state = {"future": "not started", "in progress": "running", "complete": "over"}[card.state]
    title = (
        f"{escape(ws.config.name)}: {card.period.label} ({state}, {card.elapsed:.0%} gone) "
        f"against {card.comparison.label}, as of {card.as_of:%Y-%m-%d %H:%M}"
    )
    table = Table(title=title)
    cols = ["KPI"]
    if card.by:
        cols += [card.by, "rank"]
    cols += ["value", "compare", "change", "target", "attain.", "pace", "projection"]
    cols += ["P(reach)", "status"] + (["why"] if explain else [])
    for col in cols:
        table.add_column(col, justify="left" if col in ("KPI", card.by, "why") else "right")
    for g in card.groups:
        if not g.rows:
            continue
        head = "  " * g.depth + escape(g.label)
        if g.attainment is not None:
            head += f"  {_pct(g.attainment)} {_status(g.status)}"
        table.add_row(f"[bold]{head}[/]", *[""] * (len(cols) - 1))
        for r in g.rows:

            def fv(v: float | None, unit: str = r.unit) -> str:
                return format_value(v, unit, currency)

            cells = ["  " * (g.depth + 1) + escape(r.label)]
            if card.by:
                moved = "" if r.rank_change in (None, 0) else f" ({r.rank_change:+d})"
                cells += [escape(r.member_label or ""), f"{r.rank or ''}{moved}"]
            target = fv(r.target) if r.target is not None else ""
            if r.target_origin in ("phased", "rolled up"):
                target += f" [dim]({escape(r.target_source or '')})[/]"
            cells += [
                fv(r.value),
                fv(r.compare_value),
                format_change(r.change, r.unit),
                target,
                _pct(r.attainment),
                _pct(r.pace),
                format_value(r.projection, r.unit, currency, estimate_decimals(r.value, r.unit)),
                _pct(r.probability),
                _status(r.status),
            ]
            if explain:
                cells.append(escape(r.explanation))
            table.add_row(*cells)
    return table


def check(
    workspace: WorkspaceOpt = Path("."),
    kpi: Annotated[list[str] | None, typer.Option(help="Only these KPIs.")] = None,
    as_of: AsOfOpt = None,
    format_: FormatOpt = "table",
    all_: Annotated[bool, typer.Option("--all", help="Show ok findings too.")] = False,
) -> None:
    """The SMART check of every KPI; exits 1 when any finding is an error."""
    from onpace.objectives.tree import workspace_objectives
    from onpace.targets.smart import LETTERS, smart_check

    ws = open_workspace(workspace)
    store = _store(ws)
    report = _run(
        lambda: smart_check(ws, store.current(), workspace_objectives(ws), as_of_option(as_of), kpi)
    )
    if format_ == "json":
        sys.stdout.write(json.dumps([f.as_dict() for f in report.findings], indent=2) + "\n")
    else:
        names = list(dict.fromkeys(f.kpi for f in report.findings if f.kpi))
        table = Table(title=f"SMART check of {ws.config.name}")
        table.add_column("KPI")
        for letter in LETTERS:
            table.add_column(letter, justify="center")
        for name in names:
            by_letter = report.for_kpi(name)
            table.add_row(
                name, *(LEVEL_MARK[by_letter[x].level] if x in by_letter else "" for x in LETTERS)
            )
        console.print(table)
        for f in report.findings:
            if f.level == "ok" and not all_:
                continue
            who = f.kpi or (
                f"objective {f.objective}"
                if f.objective
                else ("KPI files" if f.letter == "S" else "objectives")
            )
            console.print(
                f"{LEVEL_MARK[f.level]} [bold]{who}[/] {f.letter}: {escape(f.message)}",
                highlight=False,
            )
            if f.evidence:
                for line in f.evidence.splitlines():
                    console.print(f"    [dim]{escape(line)}[/]", highlight=False)
            if f.fix:
                console.print(f"    fix: {escape(f.fix)}", highlight=False)
    errors = len(report.errors)
    warnings = sum(f.level == "warning" for f in report.findings)
    summary = f"{errors} error(s), {warnings} warning(s)"
    if errors:
        err_console.print(f"[red]{summary}[/]")
        raise typer.Exit(1)
    err_console.print(f"[green]{summary}[/]")


def register(app: typer.Typer) -> None:
    """Add the target, objectives, scorecard and check commands to the main app."""
    app.add_typer(target_app, name="target")
    app.command("objectives")(objectives)
    app.command("scorecard")(scorecard)
    app.command("check")(check)
