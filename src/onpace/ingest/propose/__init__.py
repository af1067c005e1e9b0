"""Propose a sources.yml from a business's export files (``onpace init --from``).

All the files are looked at together, over all their rows:

1. read every file and every sheet as the ingest will (exports.py);
2. count what each column holds: types, distinct values, date formats (profiles.py);
3. read the headers as concepts in five languages (vocabulary.py, vocabulary.yml);
4. find the columns that point at another file's key (links.py);
5. try every entity on every file and keep the best fit, or none (entity_choice.py,
   column_roles.py, roles.yml);
6. settle headers and lines, customer and rep lists and derived lists with all the
   files in view (decide.py);
7. write sources.yml with a confidence and a reason on every line (sources_text.py).

Nothing is loaded; the user checks the file and runs ``onpace ingest``.
"""

from __future__ import annotations

import glob
import tempfile
from pathlib import Path

from onpace.errors import IngestError
from onpace.ingest.propose.decide import decide
from onpace.ingest.propose.entity_choice import Table
from onpace.ingest.propose.exports import read_exports
from onpace.ingest.propose.links import find_references
from onpace.ingest.propose.profiles import profile_table
from onpace.ingest.propose.proposal import EntityProposal, SourceJoin, TableProposal
from onpace.ingest.propose.sources_text import sources_text

__all__ = ["EntityProposal", "SourceJoin", "TableProposal", "proposal_text", "propose"]


def _decimal(table: Table, prop: TableProposal) -> str | None:
    """``,`` when the export's numbers with decimals use a decimal comma.

    Every numeric column counts, not only the mapped ones: an expression such as
    ``Menge * Einzelpreis`` reads its columns in the source's number format too.
    """
    marks = {p.decimal for p in table.profiles if p.is_number and not p.is_integer}
    return "," if "," in marks and "." not in marks else None


def propose(files: list[Path], workspace_root: Path) -> tuple[str, list[TableProposal]]:
    """sources.yml text proposed for ``files``, and the proposal behind it, per export."""
    import duckdb

    con = duckdb.connect()
    try:
        with tempfile.TemporaryDirectory(prefix="onpace-propose-") as workdir:
            exports = read_exports(files, workspace_root, con, Path(workdir))
            tables = {
                e.name: Table(
                    e,
                    profile_table(
                        con, e.view, e.columns, e.rows, e.path.suffix.lower() in (".xlsx", ".xlsm")
                    )
                    if not e.problem
                    else [],
                    con,
                )
                for e in exports
            }
            readable = [e for e in exports if not e.problem]
            refs = find_references(con, readable, {n: t.profiles for n, t in tables.items()})
            props = decide(tables, refs)
            for name, prop in props.items():
                prop.decimal = _decimal(tables[name], prop)
    finally:
        con.close()
    proposals = list(props.values())
    return sources_text(proposals), proposals


def expand_inputs(inputs: list[Path]) -> list[Path]:
    """Files named by ``--from``: files, every file of a folder, or glob patterns."""
    out: list[Path] = []
    for item in inputs:
        if item.is_dir():
            out.extend(
                sorted(p for p in item.iterdir() if p.is_file() and not p.name.startswith("."))
            )
        elif not item.exists() and any(ch in str(item) for ch in "*?["):
            matches = sorted(Path(p) for p in glob.glob(str(item)) if Path(p).is_file())
            if not matches:
                raise IngestError(f"no file matches {item}", "check the pattern")
            out.extend(matches)
        else:
            out.append(item)
    return list(dict.fromkeys(out))


def proposal_text(root: Path, files: list[Path]) -> str:
    """The sources.yml to write into workspace ``root``; raises when nothing can be proposed.

    ``files`` may name folders (every file in them) and glob patterns.
    """
    text, proposals = propose(expand_inputs(files), root)
    if not any(p.entities for p in proposals):
        reasons = "; ".join(f"{p.export.label}: {p.reason}" for p in proposals)
        raise IngestError(
            f"no entity could be proposed for the files given ({reasons})",
            "check the files, or write sources.yml by hand (docs/sources.md)",
        )
    return text
