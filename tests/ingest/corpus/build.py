"""Write the export corpus to a folder, and score a proposal against its answers.

Run ``python -m tests.ingest.corpus.build FOLDER`` to look at the files; the test
(tests/ingest/test_corpus.py) writes them into a temporary folder each run, so the
repository holds only this script and the scenarios.
"""

from __future__ import annotations

import csv
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from onpace.ingest.propose.proposal import TableProposal


@dataclass(frozen=True)
class Expect:
    """What ``onpace init --from`` must propose for one export.

    ``entity`` None means: not proposed (a lookup, lines of another export, or
    something it cannot know). ``amount`` is the export column the amount is read
    from, ``"A*B"`` for a product of columns, or ``"lines:<file>"`` when it is the sum
    of another export's lines. ``references`` maps a column to the export (file, or
    ``file [sheet]``) whose key it holds.
    """

    entity: str | None
    key: str | None = None
    time: str | None = None
    amount: str | None = None
    references: dict[str, str] = field(default_factory=dict)


@dataclass
class Export:
    """One file (or one sheet of a workbook) of the corpus."""

    file: str
    header: list[str]
    rows: list[list[str]]
    expect: Expect
    delimiter: str = ","
    sheet: str | None = None
    encoding: str = "utf-8"

    @property
    def label(self) -> str:
        return f"{self.file} [{self.sheet}]" if self.sheet else self.file


@dataclass
class Scenario:
    """Exports that belong together (one business's files), shaped after a real product."""

    name: str
    after: str
    language: str
    exports: list[Export]


def _write_csv(path: Path, export: Export) -> None:
    with path.open("w", encoding=export.encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=export.delimiter, lineterminator="\n")
        writer.writerow(export.header)
        writer.writerows(export.rows)


def _write_aligned(path: Path, export: Export) -> None:
    table = [export.header, *export.rows]
    widths = [max(len(str(r[i])) for r in table) + 3 for i in range(len(export.header))]
    lines = [
        "".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in table
    ]
    path.write_text("\n".join(lines) + "\n", encoding=export.encoding)


def _write_workbook(path: Path, sheets: list[Export]) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for export in sheets:
        ws = book.create_sheet(export.sheet or "Sheet1")
        ws.append(export.header)
        for row in export.rows:
            ws.append([_cell(v) for v in row])
    book.save(path)


def _cell(value: object) -> object:
    if isinstance(value, str):
        try:
            return int(value) if value.isdigit() and not value.startswith("0") else float(value)
        except ValueError:
            return value
    return value


def write_scenario(folder: Path, scenario: Scenario) -> list[Path]:
    """The scenario's files in ``folder`` (one folder per scenario); their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    books: dict[str, list[Export]] = {}
    for export in scenario.exports:
        path = folder / export.file
        paths[export.file] = path
        if export.sheet is not None:
            books.setdefault(export.file, []).append(export)
        elif export.delimiter == "aligned":
            _write_aligned(path, export)
        else:
            _write_csv(path, export)
    for file, sheets in books.items():
        _write_workbook(folder / file, sheets)
    return list(paths.values())


def all_scenarios() -> list[Scenario]:
    from tests.ingest.corpus.scenarios import SCENARIOS

    return [make(random.Random(i * 7919 + 17)) for i, make in enumerate(SCENARIOS)]


# -- scoring -------------------------------------------------------------------------


def _time_column(prop: TableProposal) -> str | None:
    from onpace.model.entities import ENTITIES

    main = prop.main
    if main is None:
        return None
    for col in ENTITIES[main.entity].columns:
        if col.required and col.kind in ("timestamp", "date"):
            return main.source_of(col.name)
    return None


def _amount(prop: TableProposal, labels: dict[str, str]) -> str | None:
    main = prop.main
    if main is None:
        return None
    source = main.source_of("amount")
    if source is None:
        return None
    choice = main.columns["amount"]
    if choice.source is None:  # an expression: the columns it multiplies
        spec = choice.spec
        expr = str(spec["expr"]) if isinstance(spec, dict) else str(spec)
        names = [n.strip().strip('"') for n in expr.split("*")]
        return "*".join(n.split(" (")[0] for n in names)
    return source


def score_export(prop: TableProposal | None, export: Export, labels: dict[str, str]) -> list[str]:
    """What is wrong in the proposal for ``export`` (an empty list when all is right)."""
    want = export.expect
    if prop is None:
        return ["not read"]
    wrong: list[str] = []
    if prop.entity != want.entity:
        wrong.append(f"entity {prop.entity} (want {want.entity})")
        return wrong
    main = prop.main
    if main is not None:
        if main.key != want.key:
            wrong.append(f"key {main.key!r} (want {want.key!r})")
        time = _time_column(prop)
        if time != want.time:
            wrong.append(f"time {time!r} (want {want.time!r})")
        if want.amount is not None or "amount" in main.columns:
            amount = _amount(prop, labels)
            if want.amount is not None and amount != want.amount:
                wrong.append(f"amount {amount!r} (want {want.amount!r})")
    found = {r.column: labels.get(r.target, r.target) for r in prop.references}
    for column, target in want.references.items():
        if found.get(column) != target:
            wrong.append(f"reference {column!r} -> {found.get(column)} (want {target})")
    return wrong


if __name__ == "__main__":  # pragma: no cover
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    for s in all_scenarios():
        for p in write_scenario(out / s.name, s):
            print(p)
